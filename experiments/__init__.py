"""jgssl experiments: configs per method x dataset, the launcher, reproduction and plots.

* ``python -m experiments.train --config experiments/configs/<method>.py:<variant> --workdir DIR
  [--config.<key>=<value> ...]`` — train, checkpoint, resume, evaluate, write ``result.json``.
* ``python -m experiments.reproduce --method M --dataset D --seeds 10 --out DIR`` — several seeds
  and a markdown table next to the paper's number.
* ``python -m experiments.collect`` — every reproduced table into ``experiments/RESULTS.md``.
* ``python -m experiments.plot --workdir DIR`` — loss curve and t-SNE of the embeddings.

The library (:mod:`jgssl`) reads no config files; everything config-shaped lives here.
"""

"""jgssl experiments: configs per method x dataset, the launcher, reproduction and plots.

* ``jgssl-train --config <method>[:<variant>] --workdir DIR [--config.<key>=<value> ...]`` (the
  console command of ``pip install``; ``python -m experiments.train`` in a clone, where
  ``--config experiments/configs/<method>.py:<variant>`` works too) — train, checkpoint, resume,
  evaluate, write ``result.json``.
* ``python -m experiments.reproduce --method M --dataset D --seeds 10 --out DIR`` — several seeds
  and a markdown table next to the paper's number.
* ``python -m experiments.collect`` — every reproduced table into ``experiments/RESULTS.md``.
* ``python -m experiments.plot --workdir DIR`` — loss curve and t-SNE of the embeddings.

The library (:mod:`jgssl`) reads no config files; everything config-shaped lives here.
:mod:`experiments.registry` holds the tables of methods and evaluation protocols and loads configs
(``ml_collections.config_flags``); :mod:`experiments.protocols` the protocol adapters;
:mod:`experiments.common` exit statuses, error lines and config validation.
"""

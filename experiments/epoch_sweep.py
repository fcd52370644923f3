"""Per-epoch scores of a graph-level config: ``python -m experiments.epoch_sweep``.

``python -m experiments.epoch_sweep --method M --dataset D --seeds 5 --every 1 --out DIR``
trains ``experiments/configs/<M>.py:<D>`` for seeds ``config.seed + i`` and scores the pooled
embeddings with the config's protocol after every ``--every``-th epoch (and the last one). It
writes ``DIR/sweep.json`` and ``DIR/table.md`` with, per evaluated epoch, the mean and std over
seeds, plus two summaries:

* ``last``: the last epoch — the jgssl protocol, the number ``experiments.reproduce`` reports;
* ``best_epoch``: per seed the **maximum over the evaluated epochs of the test accuracy**, then
  mean and std over seeds. This selects on test labels; it is **not** a jgssl protocol and is
  labelled ``<protocol> + best-epoch (selection on test)``. It is the number the DGL InfoGraph
  example prints (``best svc``) and what InfoGraph's official loop makes available (it logs the
  SVM accuracy of every epoch, REFERENCES.md §3.10), so it measures how much of a gap to a
  published number such a selection can explain.

Graph-level configs only (the embeddings are recomputed in evaluation mode at each scored epoch;
training is the launcher's: same loader, seed, optimizer and step, through
:func:`jgssl.train.fit` with a scoring callback). Nothing is checkpointed.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from experiments import common
from experiments import registry
from experiments import train as train_lib


def _scores(config, *, epochs_to_score: Sequence[int], progress: bool) -> Dict[int, Dict]:
  """Trains one seed as the launcher does; ``{epoch: metrics}`` at the requested epochs."""
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import data, train  # pylint: disable=import-outside-toplevel

  plan = common.validate(config)
  if plan.level != "graph":
    raise common.ConfigError(f"epoch_sweep needs a graph-level config, got {plan.level!r}")
  protocol = registry.get_protocol(config.eval.protocol)
  dataset = train_lib.load_dataset(config, "graph")
  graphs = data.normalize_node_features(dataset.graphs, config.features)
  seed = int(config.seed)
  loader = train.GraphLoader(graphs, batch_size=config.batch_size, seed=seed, drop_last=False,
                             epochs=int(config.epochs))
  tx = common.optimizer_factory(config)(total_steps=config.epochs * loader.steps_per_epoch())
  state = train.create_train_state(jax.random.PRNGKey(seed), plan.method, tx,
                                   next(iter(loader.epoch(1))))
  labels = np.asarray(dataset.labels)
  out, t0 = {}, time.time()

  def score(record, state):
    if record.epoch not in epochs_to_score:
      return
    emb = train_lib.graph_embeddings(plan.method, state.variables, graphs,
                                     batch_size=config.batch_size)
    name, scores, _ = protocol.evaluate(emb, labels, seed=seed, cfg=config.eval,
                                        dataset=dataset, context=None)
    out[record.epoch] = {"protocol": name, **scores}
    if progress:
      print(f"  seed {seed} epoch {record.epoch}: {name} {scores} ({time.time() - t0:.0f} s)",
            flush=True)

  train.fit(state, train.make_train_step(plan.method), loader.epoch, epochs=int(config.epochs),
            callbacks=[score])
  return out


def sweep(method: str, dataset: str, *, seeds: int, every: int, out, overrides: Sequence[str] = (),
          progress: bool = True) -> Dict[str, Any]:
  """Runs the sweep and writes ``sweep.json`` / ``table.md``; returns the summary."""
  if seeds < 1 or every < 1:
    raise common.ConfigError(f"--seeds and --every must be >= 1, got {seeds}, {every}")
  spec = f"{method}:{dataset}"  # the config module registered for the method
  base = registry.load_config(spec, overrides)
  common.validate(base)
  epochs = int(base.epochs)
  scored = sorted(set(range(every, epochs + 1, every)) | {epochs})
  runs: List[Dict[int, Dict]] = []
  for i in range(seeds):
    config = registry.load_config(spec, list(overrides) + [f"--config.seed={int(base.seed) + i}"])
    runs.append(_scores(config, epochs_to_score=scored, progress=progress))
  protocol = runs[0][epochs]["protocol"]
  metric = base.reference.metric if "reference" in base else "acc"
  if metric not in runs[0][epochs]:
    metric = next(k for k in runs[0][epochs] if k not in ("protocol",) and not k.endswith("_std"))
  per_epoch = {e: np.array([r[e][metric] for r in runs]) for e in scored}
  best = np.array([max(r[e][metric] for e in scored) for r in runs])
  argbest = [max(scored, key=lambda e, r=r: r[e][metric]) for r in runs]
  summary = {
      "method": base.method, "dataset": base.dataset, "protocol": protocol, "metric": metric,
      "seeds": [int(base.seed) + i for i in range(seeds)], "scored_epochs": scored,
      "per_epoch": {str(e): {"mean": float(v.mean()), "std": float(v.std()),
                             "values": v.tolist()} for e, v in per_epoch.items()},
      "last": {"mean": float(per_epoch[epochs].mean()), "std": float(per_epoch[epochs].std())},
      "best_epoch": {"protocol": f"{protocol} + best-epoch (selection on test)",
                     "mean": float(best.mean()), "std": float(best.std()),
                     "values": best.tolist(), "epochs": argbest},
      "reference": None if "reference" not in base else {
          "value": base.reference.value, "std": base.reference.get("std"),
          "source": base.reference.source},
      "command": " ".join(["python -m experiments.epoch_sweep", f"--method {method}",
                           f"--dataset {dataset}", f"--seeds {seeds}", f"--every {every}",
                           f"--out {out}", *overrides]),
  }
  out = pathlib.Path(out)
  out.mkdir(parents=True, exist_ok=True)
  (out / "sweep.json").write_text(json.dumps(summary, indent=2) + "\n")
  ref = summary["reference"]
  paper = ("—" if not ref or ref["value"] is None
           else f"{ref['value']:.2f} ± {ref['std'] or 0:.2f}")
  lines = [f"# {base.method} on {base.dataset}: {metric} per epoch ({protocol})", "",
           f"Paper: {paper}. Std over {seeds} seeds (ddof 0).", "",
           "| epoch | mean ± std | per seed |", "|---|---|---|"]
  lines += [f"| {e} | {v.mean():.2f} ± {v.std():.2f} | {', '.join(f'{x:.2f}' for x in v)} |"
            for e, v in per_epoch.items()]
  lines += ["", f"- last epoch ({protocol}): {per_epoch[epochs].mean():.2f} ± "
            f"{per_epoch[epochs].std():.2f}",
            f"- **best epoch per seed, selection on test (not a jgssl protocol)**: "
            f"{best.mean():.2f} ± {best.std():.2f} (epochs {argbest})", "",
            f"Command: `{summary['command']}`", ""]
  (out / "table.md").write_text("\n".join(lines))
  print("\n".join(lines))
  return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
  parser = argparse.ArgumentParser(prog="python -m experiments.epoch_sweep", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--method", required=True)
  parser.add_argument("--dataset", required=True, help="config variant, e.g. mutag")
  parser.add_argument("--seeds", type=int, default=5)
  parser.add_argument("--every", type=int, default=1, help="score every N-th epoch")
  parser.add_argument("--out", required=True)
  args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
  overrides, others = registry.split_overrides(rest)
  if others:
    parser.error(f"unrecognised argument {others[0]!r}")
  return common.exit_status(lambda: sweep(args.method, args.dataset, seeds=args.seeds,
                                          every=args.every, out=args.out, overrides=overrides))


if __name__ == "__main__":
  sys.exit(main())

"""Graph-level training step: worst-case padding budget vs the budget fitted to the run's epochs.

Usage (from the repository root)::

  python -m benchmarks.graph_padding --configs graphmae.py:proteins,graphmae.py:imdb-binary \\
      --steps 10 --out benchmarks/results/graph_padding.json

For each config (``experiments/configs/<file>:<variant>``) this builds the method and the
dataset as ``experiments.train`` does, and two :class:`jgssl.train.GraphLoader` over the same
shuffled batches: the worst-case budget (the ``batch_size`` largest graphs; what the launcher
used before) and the budget fitted to epochs ``1 .. config.epochs`` (what it uses now). It
reports both budgets, the mean share of node slots that hold real nodes, and the median wall
time of one jitted training step on the same batches of epoch 1, the two loaders alternating
step by step (so that load on a shared machine hits both alike), after one compiling step and
``--warmup`` untimed steps each. ``epoch s`` is that median times the steps of an epoch.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any, Dict, List

import numpy as np


def measure(config_spec: str, *, steps: int, warmup: int) -> Dict[str, Any]:
  """One config's budgets, slot fill and step times (worst case vs fitted)."""
  import jax  # pylint: disable=import-outside-toplevel
  from experiments import common  # pylint: disable=import-outside-toplevel
  from experiments import train as train_lib  # pylint: disable=import-outside-toplevel
  from jgssl import data, train  # pylint: disable=import-outside-toplevel

  config = common.load_config(os.path.join("experiments", "configs", config_spec))
  plan = common.validate(config)
  if plan.level != "graph":
    raise SystemExit(f"{config_spec} is not a graph-level config")
  dataset = train_lib.load_dataset(config, "graph")
  graphs = data.normalize_node_features(dataset.graphs, config.features)
  seed, epochs = int(config.seed), int(config.epochs)
  loaders = {
      "worst": train.GraphLoader(graphs, batch_size=config.batch_size, seed=seed,
                                 drop_last=False),
      "fitted": train.GraphLoader(graphs, batch_size=config.batch_size, seed=seed,
                                  drop_last=False, epochs=epochs),
  }
  batches = {k: list(l.epoch(1)) for k, l in loaders.items()}
  n_steps = len(batches["fitted"])
  tx = common.optimizer_factory(config)(total_steps=epochs * n_steps)
  out: Dict[str, Any] = {"config": config_spec, "epochs": epochs, "steps_per_epoch": n_steps,
                         "batch_size": int(config.batch_size)}
  states, fns = {}, {}
  for k, l in loaders.items():
    real = [int(np.asarray(b.nodes["mask"]).sum()) for b in batches[k]]
    out[k] = {"n_node": l.budget.n_node, "n_edge": l.budget.n_edge,
              "node_fill": float(np.mean(real) / l.budget.n_node)}
    states[k] = train.create_train_state(jax.random.PRNGKey(seed), plan.method, tx,
                                         batches[k][0])
    fns[k] = train.make_train_step(plan.method)
    t0 = time.perf_counter()
    states[k], _ = fns[k](states[k], batches[k][0])
    jax.block_until_ready(states[k].params)
    out[k]["first_step_s"] = time.perf_counter() - t0
  times: Dict[str, List[float]] = {k: [] for k in loaders}
  for i in range(warmup + steps):
    for k in loaders:  # alternate: both see the same machine load
      b = batches[k][(i + 1) % n_steps]
      t0 = time.perf_counter()
      states[k], _ = fns[k](states[k], b)
      jax.block_until_ready(states[k].params)
      if i >= warmup:
        times[k].append(time.perf_counter() - t0)
  for k in loaders:
    med = statistics.median(times[k])
    out[k]["step_ms"] = 1e3 * med
    out[k]["epoch_s"] = med * n_steps
  out["speedup"] = out["worst"]["step_ms"] / out["fitted"]["step_ms"]
  out["load_avg"] = os.getloadavg()[0]
  return out


def main(argv=None) -> List[Dict[str, Any]]:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--configs", default="graphmae.py:proteins,graphmae.py:imdb-binary",
                      help="comma-separated <file>:<variant> under experiments/configs")
  parser.add_argument("--steps", type=int, default=10, help="timed steps per loader")
  parser.add_argument("--warmup", type=int, default=2, help="untimed steps after compiling")
  parser.add_argument("--out", default=None, help="JSON path")
  args = parser.parse_args(argv)
  rows = []
  print("| config | budget nodes worst → fitted | node fill worst → fitted | step ms worst → "
        "fitted | epoch s worst → fitted | speed-up | load |")
  print("|---|---|---|---|---|---|---|")
  for spec in args.configs.split(","):
    r = measure(spec.strip(), steps=args.steps, warmup=args.warmup)
    rows.append(r)
    w, f = r["worst"], r["fitted"]
    print(f"| {spec} | {w['n_node']} → {f['n_node']} | {w['node_fill']:.2f} → "
          f"{f['node_fill']:.2f} | {w['step_ms']:.0f} → {f['step_ms']:.0f} | "
          f"{w['epoch_s']:.1f} → {f['epoch_s']:.1f} | ×{r['speedup']:.2f} | "
          f"{r['load_avg']:.1f} |", flush=True)
  if args.out:
    with open(args.out, "w") as fh:
      json.dump(rows, fh, indent=2)
      fh.write("\n")
  return rows


if __name__ == "__main__":
  main()

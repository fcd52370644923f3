"""How often MVGRL's window sampler trains on each split: ``python -m experiments.window_coverage``.

``python -m experiments.window_coverage --dataset citeseer`` loads the dataset of
``experiments/configs/mvgrl.py:citeseer`` (``--config.<key>=<value>`` overrides apply) in the
order the sampler sees it and prints, per split of the standard split, the mean fraction of
training windows that contain a node, its minimum, and the share of nodes covered less than half
the time (:func:`jgssl.methods.local_global.window_coverage`, exact, no sampling). ``--json``
prints the same as JSON. These are the coverage figures quoted in the README and in
``experiments/configs/mvgrl.py`` (Cora: training nodes 10 %, test nodes 65 %; CiteSeer: 5 % and
38 %).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Dict, Sequence

import numpy as np

from experiments import common
from experiments import registry


def coverage_by_split(config) -> Dict[str, Dict[str, float]]:
  """``{split: {'nodes', 'mean', 'min', 'below_half'}}`` for an MVGRL config's dataset.

  Raises:
    common.ConfigError: if the config is not an MVGRL config, or its dataset has no standard
      split.
  """
  from jgssl import data  # pylint: disable=import-outside-toplevel
  from jgssl.methods import local_global  # pylint: disable=import-outside-toplevel

  if config.method != "mvgrl":
    raise common.ConfigError(f"window coverage is about MVGRL's sampler; the config is "
                             f"{config.method!r}")
  ds = data.load(config.dataset, progress=False)
  if getattr(ds, "splits", None) is None:
    raise common.ConfigError(f"dataset {config.dataset!r} has no standard split to report "
                             f"coverage for")
  cov = local_global.window_coverage(ds.num_nodes, sample_size=config.model.sample_size)
  groups = {name: cov[np.asarray(ds.splits[name])] for name in ("train", "val", "test")}
  groups["all"] = cov
  return {name: {"nodes": int(c.size), "mean": float(c.mean()), "min": float(c.min()),
                 "below_half": float((c < 0.5).mean())} for name, c in groups.items()}


def _table(spec: str, config, rows: Dict[str, Dict[str, float]]) -> str:
  lines = [f"# MVGRL window coverage: mvgrl:{spec} ({config.dataset}, sample_size "
           f"{config.model.sample_size})", "",
           "| split | nodes | mean coverage | min | share below 50 % |", "|---|---|---|---|---|"]
  for name, r in rows.items():
    lines.append(f"| {name} | {r['nodes']} | {100 * r['mean']:.1f} % | {100 * r['min']:.2f} % | "
                 f"{100 * r['below_half']:.1f} % |")
  return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--dataset", required=True,
                      help="a variant of experiments/configs/mvgrl.py, e.g. citeseer")
  parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
  args, rest = parser.parse_known_args(list(argv))
  overrides, others = registry.split_overrides(rest)
  if others:
    parser.error(f"unrecognised argument {others[0]!r}")
  config = registry.load_config(f"mvgrl:{args.dataset}", overrides)
  rows = coverage_by_split(config)
  print(json.dumps(rows, indent=1) if args.json else _table(args.dataset, config, rows))
  return 0


if __name__ == "__main__":
  sys.exit(common.exit_status(lambda: main(sys.argv[1:])))

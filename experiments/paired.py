"""Paired comparison of two reproductions: ``python -m experiments.paired BASE OTHER``.

``BASE`` and ``OTHER`` are ``experiments.reproduce --out`` folders run with the same seeds (a
method and its plug-in: GRACE and GRACE + POT, GCA and CSGCL). For every seed both hold, the
difference ``OTHER − BASE`` of the headline metric (``test_acc`` unless ``--metric``); prints the
mean paired difference ± its std over seeds (``ddof = 1``), how many seeds it is positive on, the
two means, and the training cost of each side per epoch and per seed (``train_seconds`` of
``result.json``; a resumed seed's time is what the last process measured, so prefer seeds run in
one go). Where no published table can be confirmed this is the check that matters: the same
seeds, one change.

``--json`` prints the numbers as one JSON object; ``--markdown`` prints a table row.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any, Dict, Optional, Sequence

import numpy as np

from experiments import common


def _runs(folder: pathlib.Path) -> Dict[int, Dict[str, Any]]:
  runs = {}
  for path in sorted(folder.glob("seed_*/result.json")):
    result = json.loads(path.read_text())
    runs[int(result["seed"])] = result
  if not runs:
    raise common.ConfigError(f"{folder} holds no finished seed (seed_*/result.json)")
  return runs


def _cost(results) -> Dict[str, float]:
  seconds = np.array([float(r.get("train_seconds", np.nan)) for r in results])
  epochs = np.array([float(r.get("epochs_run") or r.get("epochs") or np.nan) for r in results])
  return {"seconds_per_seed": float(np.nanmean(seconds)),
          "seconds_per_epoch": float(np.nanmean(seconds / epochs))}


def paired(base, other, *, metric: str = "test_acc") -> Dict[str, Any]:
  """The paired difference ``other − base`` over the seeds both folders finished.

  Raises:
    common.ConfigError: a folder holds no finished seed, they share none, or a result lacks
      ``metric``.
  """
  base, other = pathlib.Path(base), pathlib.Path(other)
  a, b = _runs(base), _runs(other)
  seeds = sorted(set(a) & set(b))
  if not seeds:
    raise common.ConfigError(f"{base} and {other} share no finished seed "
                             f"({sorted(a)} vs {sorted(b)})")
  for name, runs in ((base, a), (other, b)):
    missing = [s for s in seeds if metric not in runs[s]["metrics"]]
    if missing:
      raise common.ConfigError(f"{name}: seeds {missing} have no metric {metric!r}")
  x = np.array([a[s]["metrics"][metric] for s in seeds], np.float64)
  y = np.array([b[s]["metrics"][metric] for s in seeds], np.float64)
  d = y - x
  std = float(d.std(ddof=1)) if len(d) > 1 else float("nan")
  return {
      "base": str(base), "other": str(other), "metric": metric, "seeds": seeds,
      "base_protocol": a[seeds[0]].get("protocol"), "other_protocol": b[seeds[0]].get("protocol"),
      "base_mean": float(x.mean()), "base_std": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
      "other_mean": float(y.mean()), "other_std": float(y.std(ddof=1)) if len(y) > 1 else 0.0,
      "difference_mean": float(d.mean()), "difference_std": std,
      "positive": int((d > 0).sum()), "differences": [float(v) for v in d],
      "base_cost": _cost([a[s] for s in seeds]), "other_cost": _cost([b[s] for s in seeds]),
  }


def summary_text(p: Dict[str, Any]) -> str:
  n = len(p["seeds"])
  return (f"{p['other']} − {p['base']} ({p['metric']}, {n} paired seeds): "
          f"{p['difference_mean']:+.2f} ± {p['difference_std']:.2f} "
          f"(positive on {p['positive']}/{n}); base {p['base_mean']:.2f} ± {p['base_std']:.2f}, "
          f"other {p['other_mean']:.2f} ± {p['other_std']:.2f}; per epoch "
          f"{p['base_cost']['seconds_per_epoch']:.3f} s vs {p['other_cost']['seconds_per_epoch']:.3f} s")


def markdown_row(p: Dict[str, Any]) -> str:
  n = len(p["seeds"])
  return (f"| {p['base']} | {p['other']} | {p['other_protocol']} | {n} | "
          f"{p['base_mean']:.2f} ± {p['base_std']:.2f} | {p['other_mean']:.2f} ± {p['other_std']:.2f} | "
          f"{p['difference_mean']:+.2f} ± {p['difference_std']:.2f} ({p['positive']}/{n} up) | "
          f"{p['base_cost']['seconds_per_epoch']:.2f} / {p['other_cost']['seconds_per_epoch']:.2f} |")


def main(argv: Optional[Sequence[str]] = None) -> int:
  parser = argparse.ArgumentParser(prog="python -m experiments.paired", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("base")
  parser.add_argument("other")
  parser.add_argument("--metric", default="test_acc")
  out = parser.add_mutually_exclusive_group()
  out.add_argument("--json", action="store_true")
  out.add_argument("--markdown", action="store_true")
  args = parser.parse_args(sys.argv[1:] if argv is None else argv)

  def run():
    p = paired(args.base, args.other, metric=args.metric)
    print(json.dumps(p) if args.json else markdown_row(p) if args.markdown else summary_text(p))
    return p

  return common.exit_status(run)


if __name__ == "__main__":
  sys.exit(main())

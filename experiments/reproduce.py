"""Reproduction: ``python -m experiments.reproduce --method M --dataset D --seeds 10 --out DIR``.

Runs the config ``experiments/configs/<M>.py:<D>`` for seeds ``config.seed + i``,
``i = 0 .. seeds - 1``, each in ``DIR/seed_<seed>`` (resumable: finished seeds re-report, broken
ones resume from their checkpoints), then writes

* ``DIR/table.md`` — mean ± std over seeds beside the paper's number and its source, the
  protocol name and the command;
* ``DIR/summary.json`` — the same numbers for :mod:`experiments.collect`.

Extra ``--config.<key>=<value>`` overrides apply to every seed (they appear in the command).
``--embeddings-from OTHER_DIR`` trains nothing: it evaluates the embeddings of
``OTHER_DIR/seed_<seed>`` (a run of the same training config) with this config's protocol and
its ``--config.eval.*`` overrides, e.g. another probe setting on the same trained encoders. It
refuses when the training part of the two configs differs. ``--rescore`` trains nothing either:
after a fix in a probe's code it re-runs the protocol on each finished seed's own embeddings and
overwrites the seed's metrics (the old ones stay in ``result.json`` as ``previous_metrics``).
"""

from __future__ import annotations

import argparse
import json
import logging
import pathlib
import shlex
import sys
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from experiments import common
from experiments import registry
from experiments import train as train_lib


def summarize(results: List[Dict[str, Any]], config, command: str) -> Dict[str, Any]:
  """Mean and std (``ddof=0``, over seeds) of every metric, plus the paper reference."""
  metric_names = [k for k in results[0]["metrics"] if not k.endswith("_std")]
  stats = {}
  for k in metric_names:
    values = np.asarray([r["metrics"][k] for r in results], np.float64)
    stats[k] = {"mean": float(values.mean()), "std": float(values.std()),
                "values": [float(v) for v in values]}
  ref = config.get("reference")
  return {
      "method": config.method,
      "dataset": config.dataset,
      "protocol": results[0]["protocol"],
      "seeds": [r["seed"] for r in results],
      "epochs": int(config.epochs),
      "epochs_run": [int(r.get("epochs_run", r["epochs"])) for r in results],
      "metrics": stats,
      "train_seconds_mean": float(np.mean([r["train_seconds"] for r in results])),
      "reference": None if ref is None else {
          "metric": ref.metric, "value": ref.value, "std": ref.get("std"), "source": ref.source},
      "jgssl_version": results[0]["jgssl_version"],
      "command": command,
  }


def _fmt(mean: float, std: Optional[float]) -> str:
  return f"{mean:.2f} ± {std:.2f}" if std is not None else f"{mean:.2f}"


def headline_metric(summary: Dict[str, Any]) -> str:
  """The metric a summary is judged by: the reference's, else the first classification one."""
  metrics = summary["metrics"]
  metric = (summary.get("reference") or {}).get("metric")
  if metric not in metrics:  # summaries of other drivers name the headline differently
    metric = next((m for m in ("test_acc", "acc", "test_auc") if m in metrics), next(iter(metrics)))
  return metric


def seed_count(summary: Dict[str, Any]) -> int:
  """Seeds behind a summary (a list of seeds, or the stop-gap runner's ``seeds_done``)."""
  seeds = summary.get("seeds", [])
  if isinstance(seeds, (list, tuple)):
    return len(seeds)
  return int(summary.get("seeds_done", seeds))


def table_rows(summary: Dict[str, Any], *, extra: Optional[str] = None) -> str:
  """One markdown table row (the header is :data:`HEADER`); ``extra`` is an added column before
  the command (:data:`HEADER_WITH_VERDICT`)."""
  ref = summary.get("reference") or {}
  metric = headline_metric(summary)
  ours = summary["metrics"][metric]
  n_seeds = seed_count(summary)
  paper = "—" if ref.get("value") is None else _fmt(ref["value"], ref.get("std"))
  return (f"| {summary['method']} | {summary['dataset']} | {summary['protocol']} | {metric} | "
          f"{_fmt(ours['mean'], ours.get('std'))} ({n_seeds} seeds) | {paper} | "
          f"{ref.get('source', '—')} | " + ("" if extra is None else f"{extra} | ")
          + f"`{summary['command']}` |")


HEADER = ("| Method | Dataset | Protocol | Metric | jgssl (mean ± std over seeds) | Paper | "
          "Paper source | Command |\n|---|---|---|---|---|---|---|---|")
HEADER_WITH_VERDICT = ("| Method | Dataset | Protocol | Metric | jgssl (mean ± std over seeds) | "
                       "Paper | Paper source | vs paper | Command |\n"
                       "|---|---|---|---|---|---|---|---|---|")


def _epochs_text(summary: Dict[str, Any]) -> str:
  """``'200 epochs'``, or the range actually run when early stopping ended seeds sooner."""
  run = summary.get("epochs_run") or [summary["epochs"]]
  if min(run) == max(run) == summary["epochs"]:
    return f"{summary['epochs']} epochs"
  span = f"{min(run)}" if min(run) == max(run) else f"{min(run)}–{max(run)}"
  return f"at most {summary['epochs']} epochs, early stopping ended the seeds after {span}"


def table_text(summary: Dict[str, Any]) -> str:
  """The text of a row's ``table.md`` (pure: :func:`write_table` writes it)."""
  lines = [f"# {summary['method']} on {summary['dataset']}", "", HEADER, table_rows(summary), ""]
  lines.append("Per seed:")
  lines.append("")
  metric_names = list(summary["metrics"])
  lines.append("| seed | " + " | ".join(metric_names) + " |")
  lines.append("|---|" + "---|" * len(metric_names))
  for i, seed in enumerate(summary["seeds"]):
    lines.append(f"| {seed} | " + " | ".join(f"{summary['metrics'][m]['values'][i]:.2f}"
                                             for m in metric_names) + " |")
  lines += ["", f"Std is over seeds (ddof 0). Protocol `{summary['protocol']}` (see "
                f"jgssl.evaluate); {_epochs_text(summary)}; mean training time "
                f"{summary['train_seconds_mean']:.1f} s per seed; jgssl "
                f"{summary['jgssl_version']}.", ""]
  return "\n".join(lines)


def summary_text(summary: Dict[str, Any]) -> str:
  """The text of a row's ``summary.json``."""
  return json.dumps(summary, indent=2) + "\n"


def write_table(out: pathlib.Path, summary: Dict[str, Any]) -> str:
  """Writes ``out/table.md`` and ``out/summary.json``; returns the table's text."""
  text = table_text(summary)
  (out / "table.md").write_text(text)
  (out / "summary.json").write_text(summary_text(summary))
  return text


def reproduce(method: str, dataset: str, *, seeds: int, out, overrides: Sequence[str] = (),
              progress: bool = False, embeddings_from=None,
              rescore: bool = False) -> Dict[str, Any]:
  """Runs (or resumes, or rescores) every seed and writes the table; returns the summary."""
  if seeds < 1:
    raise common.ConfigError(f"--seeds must be >= 1, got {seeds}")
  if rescore and embeddings_from is not None:
    raise common.ConfigError("--rescore and --embeddings-from exclude each other")
  spec = f"{method}:{dataset}"  # the config module registered for the method
  base = registry.load_config(spec, overrides)
  common.validate(base)
  out = pathlib.Path(out)
  out.mkdir(parents=True, exist_ok=True)
  results = []
  for i in range(seeds):
    seed = int(base.seed) + i
    config = registry.load_config(spec, list(overrides) + [f"--config.seed={seed}"])
    workdir = out / f"seed_{seed}"
    done = (workdir / "result.json").exists()
    print(f"[{i + 1}/{seeds}] seed {seed}: "
          f"{'rescoring' if rescore else 'finished, skipped' if done else 'running'}", flush=True)
    if rescore:
      results.append(train_lib.rescore(config, workdir))
    elif embeddings_from is not None:
      trained = pathlib.Path(embeddings_from) / f"seed_{seed}"
      results.append(train_lib.evaluate_trained(config, workdir, trained))
    else:
      results.append(train_lib.run(config, workdir, progress=progress))
  reuse = ([] if embeddings_from is None
           else [f"--embeddings-from {shlex.quote(str(embeddings_from))}"])
  reuse += ["--rescore"] if rescore else []
  command = " ".join(["python -m experiments.reproduce", f"--method {method}",
                      f"--dataset {dataset}", f"--seeds {seeds}", f"--out {shlex.quote(str(out))}"]
                     + reuse
                     + [shlex.quote(o if o.startswith("--config.") else f"--config.{o}")
                        for o in overrides])
  summary = summarize(results, base, command)
  print(write_table(out, summary))
  return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
  logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
  logging.getLogger("absl").setLevel(logging.WARNING)
  parser = argparse.ArgumentParser(prog="python -m experiments.reproduce", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--method", required=True)
  parser.add_argument("--dataset", required=True, help="config variant, e.g. cora or test")
  parser.add_argument("--seeds", type=int, default=10)
  parser.add_argument("--out", required=True)
  parser.add_argument("--progress", action="store_true", help="tqdm bar per seed")
  parser.add_argument("--embeddings-from", default=None,
                      help="evaluate the seeds of this reproduce --out folder instead of training")
  parser.add_argument("--rescore", action="store_true",
                      help="re-run the protocol on every finished seed's saved embeddings "
                           "(after a probe fix); trains nothing")
  args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
  overrides, others = registry.split_overrides(rest)
  if others:
    parser.error(f"unrecognised argument {others[0]!r}")
  return common.exit_status(lambda: reproduce(
      args.method, args.dataset, seeds=args.seeds, out=args.out, overrides=overrides,
      progress=args.progress, embeddings_from=args.embeddings_from, rescore=args.rescore))


if __name__ == "__main__":
  sys.exit(main())

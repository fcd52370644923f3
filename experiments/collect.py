"""``python -m experiments.collect``: every reproduced table into ``experiments/RESULTS.md``.

Looks for the ``summary.json`` files :mod:`experiments.reproduce` writes under ``--roots``
(default ``runs/`` and ``workdirs/`` of the repository, both git-ignored, and the committed
``experiments/results/``) and writes one table, sorted by method and dataset, to ``--output``
(default ``experiments/RESULTS.md``). With ``--readme`` it also rewrites the compact table
between the ``<!-- results:begin -->`` and ``<!-- results:end -->`` markers of ``README.md``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shlex
import sys
from typing import List, Optional, Sequence

import ml_collections

from experiments import reproduce

REPO = pathlib.Path(__file__).resolve().parents[1]


README = REPO / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def verdict(summary: dict) -> str:
  """How the mean compares with the paper: ``above``, ``within 1 std`` or ``-x.xx (k.k std)``."""
  ref = summary.get("reference") or {}
  if ref.get("value") is None:
    return "no paper value"
  metric = reproduce.headline_metric(summary)
  ours = summary["metrics"][metric]["mean"]
  diff = ours - float(ref["value"])
  if diff >= 0:
    return f"+{diff:.2f} (above)"
  std = ref.get("std")
  if std:
    return (f"{diff:.2f} (within 1 std)" if -diff <= std
            else f"{diff:.2f} ({-diff / std:.1f} std)")
  return f"{diff:.2f}"


def config_variant(summary: dict) -> str:
  """The config variant a row ran (``--dataset`` of its command, e.g. ``cora-public``), else
  the dataset, followed by the command's ``--config.KEY=VALUE`` overrides (``citeseer,
  model.discriminator_init=torch``): two rows on one dataset and protocol (``mvgrl`` ``cora`` /
  ``cora-full``, or an ablation) stay apart in the README."""
  try:
    args = shlex.split(summary.get("command", ""))
  except ValueError:
    args = []
  variant = summary["dataset"]
  for flag, value in zip(args, args[1:]):
    if flag == "--dataset":
      variant = value
  overrides = [a[len("--config."):] for a in args if a.startswith("--config.")]
  return ", ".join([variant] + overrides)


def readme_table(summaries: Sequence[dict]) -> str:
  """The compact table of the README (the full one with commands is in RESULTS.md)."""
  lines = ["| method | dataset (config variant) | protocol | metric | jgssl | seeds | paper | "
           "vs paper |",
           "|---|---|---|---|---|---|---|---|"]
  for s in summaries:
    metric = reproduce.headline_metric(s)
    m = s["metrics"][metric]
    ref = s.get("reference") or {}
    paper = ("—" if ref.get("value") is None else
             f"{ref['value']:.2f}" + (f" ± {ref['std']:.2f}" if ref.get("std") else ""))
    ours = f"{m['mean']:.2f}" + (f" ± {m['std']:.2f}" if m.get("std") is not None else "")
    lines.append(f"| {s['method']} | {config_variant(s)} | {s['protocol']} | {metric} | {ours} | "
                 f"{reproduce.seed_count(s)} | {paper} | {verdict(s)} |")
  return "\n".join(lines)


def readme_with_table(text: str, summaries: Sequence[dict]) -> str:
  """``text`` (a README) with its results block (between :data:`BEGIN` and :data:`END`)
  replaced by :func:`readme_table` of ``summaries``."""
  if BEGIN not in text or END not in text:
    raise ValueError(f"the README has no {BEGIN} ... {END} block to fill")
  head, rest = text.split(BEGIN, 1)
  _, tail = rest.split(END, 1)
  return f"{head}{BEGIN}\n{readme_table(summaries)}\n{END}{tail}"


def write_readme(summaries: Sequence[dict], readme: pathlib.Path = README) -> None:
  """Replaces the README's results block (between :data:`BEGIN` and :data:`END`)."""
  try:
    text = readme_with_table(readme.read_text(), summaries)
  except ValueError:
    raise ValueError(f"{readme} has no {BEGIN} ... {END} block to fill") from None
  readme.write_text(text)


def row_order(summary: dict):
  """The order of the results page and the README table: method, dataset, command."""
  return summary["method"], summary["dataset"], summary["command"]


def find_summaries(roots: Sequence[pathlib.Path]) -> List[dict]:
  """The ``summary.json`` files under ``roots``, in :func:`row_order` (newest per method x
  dataset x protocol x command wins when the same run appears twice)."""
  found = {}
  for root in roots:
    root = pathlib.Path(root)
    if not root.is_dir():
      continue
    for path in sorted(root.rglob("summary.json")):
      try:
        summary = json.loads(path.read_text())
        key = (summary["method"], summary["dataset"], summary["protocol"], summary["command"])
      except (json.JSONDecodeError, KeyError, TypeError):
        print(f"skipping unreadable {path}", file=sys.stderr)
        continue
      mtime = path.stat().st_mtime
      if key not in found or found[key][0] < mtime:
        found[key] = (mtime, summary)
  return sorted((s for _, s in found.values()), key=row_order)


def results_page(summaries: Sequence[dict]) -> str:
  """The text of ``RESULTS.md`` for ``summaries`` (in the order given)."""
  lines = ["# jgssl reproduced results", "",
           "Generated by `python -m experiments.collect` from the `summary.json` files written by",
           "`python -m experiments.reproduce`; do not edit by hand. Metrics in percent; the std is",
           "over seeds. Each row gives the command that reproduces it; \"vs paper\" is the mean "
           "minus the",
           "paper's value (the goal: within one paper std, or above).", ""]
  if summaries:
    lines += [reproduce.HEADER_WITH_VERDICT]
    lines += [reproduce.table_rows(s, extra=verdict(s)) for s in summaries]
  else:
    lines.append("No reproduced results yet.")
  lines.append("")
  return "\n".join(lines)


def seed_results(row: pathlib.Path) -> List[pathlib.Path]:
  """A row folder's ``seed_<S>/result.json`` files, by seed."""
  paths = [p for p in pathlib.Path(row).glob("seed_*/result.json")
           if p.parent.name[len("seed_"):].isdigit()]
  return sorted(paths, key=lambda p: int(p.parent.name[len("seed_"):]))


def row_summary(row: pathlib.Path, command: Optional[str] = None) -> dict:
  """A row's summary regenerated from its seeds' ``result.json`` files alone (what
  :mod:`experiments.reproduce` wrote): the metrics, seeds and reference of the results, the
  command from ``row/summary.json`` unless given.

  Raises:
    ValueError: the row has no finished seed.
  """
  row = pathlib.Path(row)
  if command is None:
    command = json.loads((row / "summary.json").read_text())["command"]
  results = [json.loads(p.read_text()) for p in seed_results(row)]
  if not results:
    raise ValueError(f"{row} has no seed_<S>/result.json")
  config = ml_collections.ConfigDict(results[0]["config"])
  return reproduce.summarize(results, config, command)


def collect(roots: Sequence[pathlib.Path], output: pathlib.Path) -> List[dict]:
  """Writes the results page; returns the summaries found (:func:`find_summaries`)."""
  summaries = find_summaries(roots)
  output.parent.mkdir(parents=True, exist_ok=True)
  output.write_text(results_page(summaries))
  return summaries


def main(argv: Optional[Sequence[str]] = None) -> int:
  parser = argparse.ArgumentParser(prog="python -m experiments.collect", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--roots", nargs="*", default=[str(REPO / "runs"), str(REPO / "workdirs"),
                                                     str(REPO / "experiments" / "results")])
  parser.add_argument("--output", default=str(REPO / "experiments" / "RESULTS.md"))
  parser.add_argument("--readme", action="store_true",
                      help="also rewrite the results block of README.md")
  args = parser.parse_args(sys.argv[1:] if argv is None else argv)
  summaries = collect([pathlib.Path(r) for r in args.roots], pathlib.Path(args.output))
  print(f"wrote {len(summaries)} result(s) to {args.output}")
  if args.readme:
    write_readme(summaries)
    print(f"rewrote the results block of {README}")
  return 0


if __name__ == "__main__":
  sys.exit(main())

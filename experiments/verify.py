"""``python -m experiments.verify``: re-train committed result rows and compare with them.

Picks committed rows of ``experiments/results/`` (``--results``) at random (``--seed``) under a
cost budget, re-trains ONE seed of each from that seed's own committed ``config.json`` in a
temporary workdir, and prints, per row: the seed, the committed and the re-measured headline
metric, the tolerance, whether they agree, whether the ``params_checksum`` is equal and the
seconds taken. Exit status: 0 when every re-measured row agrees, 1 when any disagrees (or its
run fails, or its config can no longer be rebuilt), 2 on bad usage (an unknown ``--row``, no
row left to pick, no row that fits the budget).

Usage::

  python -m experiments.verify --rows 2 --budget-minutes 30 --seed 0
  python -m experiments.verify --row gae-cora --budget-minutes 5
  python -m experiments.verify --only dgi --plan           # what would run; trains nothing
  python -m experiments.verify --check                     # consistency checks; trains nothing

**Choice and budget.** The rows (optionally only ``--row`` / ``--only``) are shuffled with
``--seed``; each in turn is given a random one of its seeds whose estimated cost fits the budget
left, until ``--rows`` are chosen. A seed's cost is estimated as its committed
``train_seconds`` plus ``--overhead-seconds`` (default 60: start-up, data loading, compilation
and a quick evaluation protocol, none of which ``train_seconds`` counts) plus, for the kernel
SVM protocols of the graph-level rows, the SVM's own cost: their ``GridSearchCV`` fits grow
with the square of the number of graphs and dominate on the larger TU datasets (a re-run of
InfoGraph NCI1 seed 0 took 441 s here, 35 s of it training; see :func:`eval_seconds`). A
``result.json`` that records ``eval_seconds`` is taken at its word. A row none of whose seeds
fits is skipped, and the output says so. Before each run the budget is checked again against
the time actually spent, so a slow run does not push the next one over. The estimates are
rough: the committed times were measured on a shared 2-core CPU.

**The config.** The seed is re-trained through the launcher's own path
(:func:`experiments.train.run`, in this process) with a config rebuilt as the launcher
invocation ``--config experiments/configs/<method>.py:<variant> --config.seed=<S>`` plus the
row's recorded ``--config.*`` overrides (from its command); should the config file have drifted
since, the committed values that differ are added as further overrides. The resolved config
must equal the committed ``config.json`` exactly (that file is copied into the temporary workdir
first, and the launcher refuses a workdir whose ``config.json`` differs); a config that cannot
be rebuilt that way is reported as a failure and nothing is trained. The equivalent command line
is printed.

**Tolerance.** ``max(3 x s, 0.5)`` points of the headline metric, where ``s`` is the sample
standard deviation (``ddof=1``) of the row's OTHER committed seeds (the seed re-measured is left
out, so a wrong committed value cannot widen its own tolerance); a row with fewer than two
other seeds gets the 0.5-point floor alone. Why: a run is a deterministic function of its
config only up to the floating-point path. On the same machine and JAX build the re-measure is
bit-identical (equal ``params_checksum``, difference 0); on another CPU (other SIMD widths,
another reduction order, another thread count) the rounding differs from the first step on,
and over hundreds of epochs of training that difference grows until the run behaves like
another draw of the same random process: what reproduces across machines is the accuracy,
within the spread across seeds, not the parameters. In that worst case the re-measure and the
committed value are two independent draws, whose difference has standard deviation
``sqrt(2) s``; ``3 s`` is about 2.1 of those, so an honest row disagrees in about 3 % of
re-measures even then (normal approximation), while ``2 s`` would fail about 16 % of them.
Anything further off is a change in what the code computes (a bug, a changed default, a broken
probe), not noise. The floor covers rows whose seeds happen to agree closely, where the probe's
own discrete steps (one test node of 1000 is 0.1 points) dominate; a one-seed row has no spread
to measure, so its check is strict off the machine that made it. ``params_checksum`` equality
is printed for information only: checksums are per machine.

``--check`` runs the consistency checks of the committed tree instead (seconds, no training):
every ``table.md`` / ``summary.json``, ``experiments/RESULTS.md`` and the README results block
regenerate byte-identically from the ``result.json`` files; every seed's ``config.json`` equals
what the current config file plus the row's overrides resolve to; every row's protocol is in
the protocol registry; each row's seeds are the distinct seeds its table lists and its command
runs. ``tests/experiments/test_committed_results.py`` runs the same checks.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import pathlib
import random
import shlex
import shutil
import sys
import tempfile
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from experiments import collect
from experiments import common
from experiments import registry
from experiments import reproduce

REPO = pathlib.Path(__file__).resolve().parents[1]
RESULTS = REPO / "experiments" / "results"
RESULTS_PAGE = REPO / "experiments" / "RESULTS.md"
README = REPO / "README.md"

#: Tolerance: ``max(SPREAD_FACTOR x std of the other seeds, FLOOR)`` points.
SPREAD_FACTOR = 3.0
FLOOR = 0.5
#: Seconds added to a seed's ``train_seconds`` for start-up, data, compilation and a quick
#: evaluation protocol.
OVERHEAD_SECONDS = 60.0
#: Graphs in the TU datasets the committed graph-level rows use.
TU_GRAPHS = {"mutag": 188, "proteins": 1113, "imdb-binary": 1000, "imdb-multi": 1500,
             "nci1": 4110}
#: Seconds per ``SVC`` fit per (number of graphs)^2, from a re-run of InfoGraph NCI1 seed 0
#: (441 s in all: 35 s training, 60 s overhead, so about 346 s for 10 x (5 x 7 + 1) fits on 4110
#: graphs).
SVC_SECONDS_PER_GRAPH2 = 5.7e-8


class UsageError(ValueError):
  """A request :func:`main` answers with exit status 2."""


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
  """A committed result row: a folder with ``summary.json``, ``table.md`` and ``seed_<S>/``.

  Attributes:
    path: the row folder.
    summary: its ``summary.json``.
    method: ``--method`` of its command.
    variant: ``--dataset`` of its command (the config variant, e.g. ``cora-public``).
    overrides: the command's ``--config.<key>=<value>`` overrides, in order.
    num_seeds: ``--seeds`` of its command.
  """
  path: pathlib.Path
  summary: Dict[str, Any]
  method: str
  variant: str
  overrides: Tuple[str, ...]
  num_seeds: int

  @property
  def name(self) -> str:
    return self.path.name

  @property
  def spec(self) -> str:
    """``<config file>:<variant>``, as the launcher's ``--config`` takes it."""
    return f"{registry.config_file(self.method)}:{self.variant}"

  def seed_dir(self, seed: int) -> pathlib.Path:
    return self.path / f"seed_{seed}"

  def results(self) -> Dict[int, Dict[str, Any]]:
    """Seed -> its ``result.json``, for every seed folder that has one."""
    return {int(p.parent.name[len("seed_"):]): json.loads(p.read_text())
            for p in collect.seed_results(self.path)}


def parse_command(command: str) -> Tuple[str, str, Tuple[str, ...], int]:
  """``(method, variant, overrides, seeds)`` of a reproduce command (as ``summary.json`` keeps
  it).

  Raises:
    ValueError: it names no ``--method``, ``--dataset`` or ``--seeds``.
  """
  args = shlex.split(command)
  values = {}
  for flag in ("--method", "--dataset", "--seeds"):
    if flag not in args or args.index(flag) + 1 >= len(args):
      raise ValueError(f"the command names no {flag}: {command!r}")
    values[flag] = args[args.index(flag) + 1]
  overrides = tuple(a for a in args if a.startswith("--config."))
  return values["--method"], values["--dataset"], overrides, int(values["--seeds"])


def load_row(path: pathlib.Path) -> Row:
  """The :class:`Row` of a folder holding ``summary.json``."""
  path = pathlib.Path(path)
  summary = json.loads((path / "summary.json").read_text())
  method, variant, overrides, num_seeds = parse_command(summary["command"])
  return Row(path=path, summary=summary, method=method, variant=variant, overrides=overrides,
             num_seeds=num_seeds)


def row_paths(results: pathlib.Path) -> List[pathlib.Path]:
  """The row folders under ``results`` (those holding ``summary.json``), by name."""
  return sorted(p.parent for p in pathlib.Path(results).glob("*/summary.json"))


# ---------------------------------------------------------------------------------------------
# Tolerance, cost, choice
# ---------------------------------------------------------------------------------------------


def tolerance(other_values: Sequence[float]) -> float:
  """``max(SPREAD_FACTOR x std(other_values, ddof=1), FLOOR)``; the floor alone for fewer than
  two values (see the module docstring for why)."""
  values = np.asarray(other_values, np.float64)
  if values.size < 2:
    return FLOOR
  return float(max(SPREAD_FACTOR * values.std(ddof=1), FLOOR))


@dataclasses.dataclass(frozen=True)
class Pick:
  """One seed of one row chosen for re-training.

  Attributes:
    row: the row.
    seed: the seed re-trained.
    metric: the row's headline metric.
    committed: the seed's committed value of ``metric``.
    tolerance: the largest ``|re-measured - committed|`` that agrees.
    estimate_s: estimated cost in seconds (committed ``train_seconds``, the overhead and
      :func:`eval_seconds`).
  """
  row: Row
  seed: int
  metric: str
  committed: float
  tolerance: float
  estimate_s: float


def eval_seconds(result: Mapping[str, Any]) -> float:
  """Estimated seconds of a seed's evaluation beyond :data:`OVERHEAD_SECONDS`.

  ``result['eval_seconds']`` when recorded; for a kernel-SVM protocol (``classifier: svc`` in
  the recorded settings) on a dataset of :data:`TU_GRAPHS`, ``fits x SVC_SECONDS_PER_GRAPH2 x
  graphs^2`` with ``fits = runs x n_folds x (inner_folds x len(c_grid) + 1)``; else 0.
  """
  if result.get("eval_seconds") is not None:
    return float(result["eval_seconds"])
  settings = (result.get("eval") or {}).get("settings") or {}
  graphs = TU_GRAPHS.get(str(result.get("dataset")))
  if settings.get("classifier") != "svc" or graphs is None:
    return 0.0
  fits = (int(settings.get("num_runs", 1)) * int(settings.get("n_folds", 10))
          * (int(settings.get("inner_folds", 5)) * len(settings.get("c_grid", [])) + 1))
  return fits * SVC_SECONDS_PER_GRAPH2 * graphs ** 2


def make_pick(row: Row, seed: int, *, overhead_s: float = OVERHEAD_SECONDS,
              results: Optional[Mapping[int, Dict[str, Any]]] = None) -> Pick:
  """The :class:`Pick` of ``row``'s ``seed``: metric, committed value, tolerance, cost
  (``results``: ``row.results()``, when already read)."""
  results = row.results() if results is None else results
  if seed not in results:
    raise UsageError(f"{row.name} has no finished seed {seed} (seeds: {sorted(results)})")
  metric = reproduce.headline_metric(row.summary)
  others = [r["metrics"][metric] for s, r in results.items() if s != seed]
  return Pick(row=row, seed=seed, metric=metric,
              committed=float(results[seed]["metrics"][metric]), tolerance=tolerance(others),
              estimate_s=(float(results[seed].get("train_seconds", 0.0)) + overhead_s
                          + eval_seconds(results[seed])))


def choose(rows: Sequence[Row], *, count: int, budget_s: float, rng: random.Random,
           overhead_s: float = OVERHEAD_SECONDS) -> Tuple[List[Pick], List[str]]:
  """Up to ``count`` picks of distinct rows whose estimated costs fit ``budget_s`` together.

  Rows are taken in an ``rng`` shuffle; each gets a random one of its seeds that fits the budget
  left. Returns ``(picks, notes)``, ``notes`` saying which rows were skipped and why.
  """
  order = list(rows)
  rng.shuffle(order)
  picks, notes = [], []
  left = float(budget_s)
  for row in order:
    if len(picks) == count:
      break
    results = row.results()
    candidates = [make_pick(row, s, overhead_s=overhead_s, results=results)
                  for s in sorted(results)]
    if not candidates:
      notes.append(f"skipped {row.name}: no finished seed")
      continue
    fitting = [p for p in candidates if p.estimate_s <= left]
    if not fitting:
      cheapest = min(candidates, key=lambda p: p.estimate_s)
      notes.append(f"skipped {row.name}: its cheapest seed (seed {cheapest.seed}) is estimated "
                   f"at {cheapest.estimate_s / 60:.1f} min, over the {left / 60:.1f} min left "
                   "of the budget")
      continue
    pick = rng.choice(fitting)
    picks.append(pick)
    left -= pick.estimate_s
  return picks, notes


# ---------------------------------------------------------------------------------------------
# Rebuilding a seed's config
# ---------------------------------------------------------------------------------------------


def _leaf_diff(saved: Mapping, now: Mapping, prefix: str = "") -> Tuple[List[Tuple[str, Any]],
                                                                         List[str]]:
  """``(leaves, structural)``: dotted keys whose values differ (with the saved value), and keys
  present on one side only (or a section on one side, a value on the other)."""
  leaves, structural = [], []
  for k in sorted(set(saved) | set(now)):
    key = prefix + k
    if k not in saved or k not in now:
      structural.append(key)
    elif isinstance(saved[k], Mapping) and isinstance(now[k], Mapping):
      more_leaves, more_structural = _leaf_diff(saved[k], now[k], key + ".")
      leaves += more_leaves
      structural += more_structural
    elif isinstance(saved[k], Mapping) or isinstance(now[k], Mapping):
      structural.append(key)
    elif saved[k] != now[k]:
      leaves.append((key, saved[k]))
  return leaves, structural


def _override_text(value: Any) -> str:
  """``value`` as the text of a ``--config.<key>=<text>`` override."""
  if isinstance(value, bool):
    return "true" if value else "false"
  if value is None:
    return "none"
  if isinstance(value, str):
    return value
  return repr(value)


def launcher_overrides(row: Row, seed: int) -> List[str]:
  """The ``--config.*`` overrides of ``row.spec`` that resolve to ``seed``'s committed
  ``config.json`` exactly: ``seed``, the row's recorded overrides and, where the config file
  has changed since, the committed values that differ.

  Raises:
    common.ConfigError: no such overrides exist (a key was added to or removed from the config
      file, or a value cannot be set from the command line).
  """
  saved = json.loads((row.seed_dir(seed) / "config.json").read_text())
  overrides = list(row.overrides) + [f"--config.seed={seed}"]
  for _ in range(4):
    now = common.config_to_dict(registry.load_config(row.spec, overrides))
    if now == saved:
      return overrides
    leaves, structural = _leaf_diff(saved, now)
    extra = [f"--config.{k}={_override_text(v)}" for k, v in leaves]
    if structural or not extra or all(e in overrides for e in extra):
      break
    overrides += [e for e in extra if e not in overrides]
  diff = common.diff_configs(saved, now)
  raise common.ConfigError(
      f"{row.name} seed {seed}: its committed config.json cannot be rebuilt from {row.spec} and "
      f"command-line overrides ({'; '.join(diff)})")


def launcher_command(row: Row, overrides: Sequence[str], workdir: str = "DIR") -> str:
  """The ``python -m experiments.train`` command line of a re-training."""
  config_file = registry.config_file(row.method)
  try:
    config_file = config_file.relative_to(REPO)
  except ValueError:
    pass
  return " ".join(["python -m experiments.train", f"--config {config_file}:{row.variant}",
                   f"--workdir {shlex.quote(str(workdir))}"]
                  + [shlex.quote(o) for o in overrides])


# ---------------------------------------------------------------------------------------------
# Re-training
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Outcome:
  """What re-training one :class:`Pick` gave.

  Attributes:
    pick: the pick.
    remeasured: the re-measured headline metric (``None`` when the run failed).
    checksum_equal: whether ``params_checksum`` equals the committed one (``None`` on failure).
    seconds: wall-clock seconds of the re-training (config, training, evaluation).
    error: why there is no re-measured value, else ``None``.
  """
  pick: Pick
  remeasured: Optional[float]
  checksum_equal: Optional[bool]
  seconds: float
  error: Optional[str] = None

  @property
  def agree(self) -> bool:
    return (self.remeasured is not None and np.isfinite(self.remeasured)
            and abs(self.remeasured - self.pick.committed) <= self.pick.tolerance)


def retrain(pick: Pick, workdir: pathlib.Path, *, progress: bool = True) -> Outcome:
  """Re-trains ``pick``'s seed in ``workdir`` (new or empty) from its committed config."""
  from experiments import train as train_lib  # pylint: disable=import-outside-toplevel
  from jgssl.train import NonFiniteError  # pylint: disable=import-outside-toplevel
  start = time.monotonic()
  row, seed = pick.row, pick.seed
  try:
    overrides = launcher_overrides(row, seed)
  except common.ConfigError as e:
    return Outcome(pick, None, None, time.monotonic() - start, error=f"config: {e}")
  workdir = pathlib.Path(workdir)
  workdir.mkdir(parents=True, exist_ok=True)
  # The launcher refuses a workdir whose config.json differs from what it resolves: a guard
  # that the run below uses exactly the committed config.
  shutil.copyfile(row.seed_dir(seed) / "config.json", workdir / "config.json")
  print(f"  {launcher_command(row, overrides, str(workdir))}", flush=True)
  try:
    result = train_lib.run(registry.load_config(row.spec, overrides), workdir, progress=progress)
  except (common.ConfigError, NonFiniteError) as e:
    return Outcome(pick, None, None, time.monotonic() - start,
                   error=f"{type(e).__name__}: {e}")
  seconds = time.monotonic() - start
  committed = json.loads((row.seed_dir(seed) / "result.json").read_text())
  value = result["metrics"].get(pick.metric)
  if value is None:
    return Outcome(pick, None, None, seconds,
                   error=f"the re-run reports no {pick.metric} ({sorted(result['metrics'])})")
  return Outcome(pick, float(value),
                 result.get("params_checksum") == committed.get("params_checksum"), seconds)


def _yes(flag: Optional[bool]) -> str:
  return "—" if flag is None else "yes" if flag else "no"


TABLE_HEADER = ("| row | seed | metric | committed | re-measured | diff | tolerance | agree | "
                "params_checksum equal | seconds (estimated) |\n"
                "|---|---|---|---|---|---|---|---|---|---|")


def outcome_line(o: Outcome) -> str:
  """One row of the report table (:data:`TABLE_HEADER`)."""
  p = o.pick
  if o.remeasured is None:
    measured, diff = "failed", "—"
  else:
    measured, diff = f"{o.remeasured:.2f}", f"{o.remeasured - p.committed:+.2f}"
  return (f"| {p.row.name} | {p.seed} | {p.metric} | {p.committed:.2f} | {measured} | {diff} | "
          f"{p.tolerance:.2f} | {_yes(o.agree)} | {_yes(o.checksum_equal)} | "
          f"{o.seconds:.0f} ({p.estimate_s:.0f}) |")


def verify(picks: Sequence[Pick], *, budget_s: float, workdir: Optional[pathlib.Path] = None,
           keep: bool = False, progress: bool = True) -> List[Outcome]:
  """Re-trains every pick that still fits the budget (by the time actually spent so far);
  prints a line per pick and the table at the end; returns the outcomes."""
  outcomes = []
  spent = 0.0
  if workdir is not None:
    pathlib.Path(workdir).mkdir(parents=True, exist_ok=True)
  base = pathlib.Path(tempfile.mkdtemp(prefix="jgssl-verify-", dir=workdir))
  try:
    for i, pick in enumerate(picks):
      if spent + pick.estimate_s > budget_s:
        print(f"[{i + 1}/{len(picks)}] skipped {pick.row.name} seed {pick.seed}: estimated "
              f"{pick.estimate_s / 60:.1f} min, {max(budget_s - spent, 0) / 60:.1f} min of the "
              "budget left after the runs so far", flush=True)
        continue
      print(f"[{i + 1}/{len(picks)}] {pick.row.name} seed {pick.seed}: re-training from its "
            f"committed config.json (estimated {pick.estimate_s / 60:.1f} min)", flush=True)
      outcome = retrain(pick, base / f"{pick.row.name}-seed_{pick.seed}", progress=progress)
      spent += outcome.seconds
      outcomes.append(outcome)
      if outcome.error:
        print(f"  failed: {outcome.error}", flush=True)
      print(f"  {'agrees' if outcome.agree else 'DISAGREES'}: {pick.metric} committed "
            f"{pick.committed:.2f}, re-measured "
            f"{'—' if outcome.remeasured is None else f'{outcome.remeasured:.2f}'}, tolerance "
            f"{pick.tolerance:.2f}; params_checksum equal: {_yes(outcome.checksum_equal)}; "
            f"{outcome.seconds:.0f} s", flush=True)
  finally:
    if keep:
      print(f"workdirs kept in {base}")
    else:
      shutil.rmtree(base, ignore_errors=True)
  print()
  print(TABLE_HEADER)
  for o in outcomes:
    print(outcome_line(o))
  return outcomes


# ---------------------------------------------------------------------------------------------
# Consistency checks of the committed tree (no training)
# ---------------------------------------------------------------------------------------------


def table_seeds(table: str) -> List[int]:
  """The seeds of a ``table.md``'s per-seed table, in order."""
  lines = table.splitlines()
  if "Per seed:" not in lines:
    return []
  seeds = []
  for line in lines[lines.index("Per seed:") + 1:]:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if line.startswith("|") and cells and cells[0].isdigit():
      seeds.append(int(cells[0]))
    elif seeds and not line.startswith("|"):
      break
  return seeds


def regeneration_problems(path: pathlib.Path) -> List[str]:
  """Where ``table.md`` / ``summary.json`` differ from what their ``result.json`` files give."""
  path = pathlib.Path(path)
  try:
    summary = collect.row_summary(path)
  except (ValueError, KeyError, json.JSONDecodeError) as e:
    return [f"{path.name}: cannot regenerate its summary: {type(e).__name__}: {e}"]
  problems = []
  for name, text in (("summary.json", reproduce.summary_text(summary)),
                     ("table.md", reproduce.table_text(summary))):
    if not (path / name).exists() or (path / name).read_text() != text:
      problems.append(f"{path.name}/{name} does not regenerate from its result.json files "
                      f"(python -m experiments.verify --check shows it; regenerate with "
                      "experiments.reproduce)")
  return problems


def config_problems(path: pathlib.Path) -> List[str]:
  """Where a seed's committed ``config.json`` (or its ``result.json``'s ``config``) differs
  from what the current config file and the row's overrides resolve to."""
  row = load_row(path)
  problems = []
  for seed_config in sorted(row.path.glob("seed_*/config.json")):
    seed = seed_config.parent.name[len("seed_"):]
    saved = json.loads(seed_config.read_text())
    try:
      now = common.config_to_dict(
          registry.load_config(row.spec, list(row.overrides) + [f"--config.seed={seed}"]))
    except common.ConfigError as e:
      problems.append(f"{row.name} seed {seed}: its command no longer resolves: {e}")
      continue
    diff = common.diff_configs(saved, now)
    if diff:
      problems.append(f"{row.name}/seed_{seed}/config.json differs from the current config: "
                      f"{'; '.join(diff)}")
    result = seed_config.parent / "result.json"
    if result.exists():
      # A key the result's config lacks was added to the config file after the run; its
      # config.json records the value that ran (so the row re-reports). Any other difference
      # means config.json no longer describes the run.
      ran = json.loads(result.read_text()).get("config", {})
      leaves, structural = _leaf_diff(ran, saved)
      lost = [k for k in structural if _has_key(ran, k)]
      if leaves or lost:
        problems.append(f"{row.name}/seed_{seed}/config.json differs from the config its "
                        f"result.json ran: {'; '.join([k for k, _ in leaves] + lost)}")
  return problems


def _lookup(tree: Mapping, key: str):
  """``tree``'s value at a dotted ``key`` (``KeyError`` when a part is missing)."""
  for part in key.split("."):
    if not isinstance(tree, Mapping) or part not in tree:
      raise KeyError(key)
    tree = tree[part]
  return tree


def _has_key(tree: Mapping, key: str) -> bool:
  """Whether the dotted ``key`` is present in ``tree``."""
  try:
    _lookup(tree, key)
  except KeyError:
    return False
  return True


def protocol_problems(path: pathlib.Path) -> List[str]:
  """Where a row's command no longer resolves, it names a protocol the registry lacks, or its
  seeds and summary name different protocols."""
  row = load_row(path)
  try:
    registry.load_config(row.spec, row.overrides)
  except common.ConfigError as e:
    return [f"{row.name}: its command no longer resolves: {e}"]
  problems = []
  named = {("summary.json", row.summary.get("protocol"))}
  for seed, result in row.results().items():
    named.add((f"seed_{seed}/result.json", result.get("protocol")))
    named.add((f"seed_{seed}/result.json config.eval",
               (result.get("config", {}).get("eval") or {}).get("protocol")))
  for where, name in sorted(named, key=str):
    if name not in registry.PROTOCOLS:
      problems.append(f"{row.name}/{where} names protocol {name!r}, which is not in the "
                      "protocol registry (experiments.registry.PROTOCOLS)")
  names = {name for _, name in named}
  if len(names) > 1:
    problems.append(f"{row.name}: its files name different protocols: {sorted(map(str, names))}")
  return problems


def seed_problems(path: pathlib.Path) -> List[str]:
  """Where a row's seeds are not the distinct seeds its table lists, its summary records, its
  ``seed_<S>`` folders hold (each with ``config.json`` and ``result.json`` of seed ``S``) and
  its command runs (``config.seed + i``, ``i < --seeds``)."""
  row = load_row(path)
  problems = []
  listed = table_seeds((row.path / "table.md").read_text()) if (
      row.path / "table.md").exists() else []
  if len(set(listed)) != len(listed):
    problems.append(f"{row.name}/table.md lists a seed twice: {listed}")
  if list(row.summary.get("seeds", [])) != listed:
    problems.append(f"{row.name}: summary.json's seeds {row.summary.get('seeds')} are not the "
                    f"seeds table.md lists {listed}")
  folders = sorted(int(p.name[len("seed_"):]) for p in row.path.glob("seed_*")
                   if p.name[len("seed_"):].isdigit())
  if folders != sorted(set(listed)):
    problems.append(f"{row.name}: its seed folders {folders} are not the seeds table.md lists "
                    f"{listed}")
  for seed in folders:
    for name in ("config.json", "result.json"):
      file = row.seed_dir(seed) / name
      if not file.exists():
        problems.append(f"{row.name}/seed_{seed} has no {name}")
        continue
      recorded = json.loads(file.read_text()).get("seed")
      if recorded != seed:
        problems.append(f"{row.name}/seed_{seed}/{name} records seed {recorded}")
  try:
    base = int(registry.load_config(row.spec, row.overrides).seed)
  except common.ConfigError as e:
    return problems + [f"{row.name}: its command no longer resolves: {e}"]
  expected = [base + i for i in range(row.num_seeds)]
  if listed != expected:
    problems.append(f"{row.name}: its command runs seeds {expected}, table.md lists {listed}")
  return problems


def page_problems(results: pathlib.Path, *, results_page: Optional[pathlib.Path] = None,
                  readme: Optional[pathlib.Path] = None) -> List[str]:
  """Where ``results_page`` (``RESULTS.md``) or ``readme``'s results block differ from what
  ``python -m experiments.collect --readme`` writes from the rows' ``result.json`` files."""
  summaries = []
  for path in row_paths(results):
    try:
      summaries.append(collect.row_summary(path))
    except (ValueError, KeyError, json.JSONDecodeError):
      continue  # regeneration_problems reports it
  summaries.sort(key=collect.row_order)
  problems = []
  if results_page is not None and results_page.read_text() != collect.results_page(summaries):
    problems.append(f"{results_page} does not regenerate from the result.json files under "
                    f"{results} (python -m experiments.collect --readme)")
  if readme is not None:
    text = readme.read_text()
    try:
      same = collect.readme_with_table(text, summaries) == text
    except ValueError as e:
      same = False
      problems.append(f"{readme}: {e}")
    if not same:
      problems.append(f"{readme}'s results block does not regenerate from the result.json files "
                      f"under {results} (python -m experiments.collect --readme)")
  return problems


ROW_CHECKS = (regeneration_problems, config_problems, protocol_problems, seed_problems)


def check(results: pathlib.Path, *, results_page: Optional[pathlib.Path] = None,
          readme: Optional[pathlib.Path] = None) -> List[str]:
  """Every problem the checks find in ``results`` (and the pages, where given)."""
  problems = []
  for path in row_paths(results):
    for fn in ROW_CHECKS:
      try:
        problems += fn(path)
      except (ValueError, KeyError, json.JSONDecodeError) as e:
        problems.append(f"{path.name}: {fn.__name__} failed: {type(e).__name__}: {e}")
  return problems + page_problems(results, results_page=results_page, readme=readme)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def select_rows(results: pathlib.Path, *, names: Sequence[str] = (),
                methods: Sequence[str] = ()) -> List[Row]:
  """The rows of ``results``, only those named (folder name or path) and of ``methods``.

  Raises:
    UsageError: ``results`` holds no rows, a name matches none, or nothing is left.
  """
  paths = row_paths(results)
  if not paths:
    raise UsageError(f"no result rows (folders with summary.json) under {results}")
  if names:
    by_name = {p.name: p for p in paths}
    chosen = []
    for name in names:
      key = pathlib.Path(name.rstrip("/")).name
      if key not in by_name:
        raise UsageError(f"no row {name!r} under {results}; rows: {', '.join(sorted(by_name))}")
      chosen.append(by_name[key])
    paths = sorted(set(chosen))
  rows = [load_row(p) for p in paths]
  if methods:
    rows = [r for r in rows if r.method in methods]
    if not rows:
      raise UsageError(f"no row of method(s) {', '.join(methods)} among the rows chosen")
  return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
  logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
  parser = argparse.ArgumentParser(prog="python -m experiments.verify", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--results", default=str(RESULTS), help="folder of result rows")
  parser.add_argument("--rows", type=int, default=1, help="rows to re-train (one seed each)")
  parser.add_argument("--budget-minutes", type=float, default=10.0,
                      help="estimated cost of all re-trainings together")
  parser.add_argument("--seed", type=int, default=None,
                      help="seed of the random choice (default: a fresh one, printed)")
  parser.add_argument("--row", action="append", default=[],
                      help="choose among these rows only (folder name or path; repeatable)")
  parser.add_argument("--only", action="append", default=[],
                      help="choose among this method's rows only (repeatable)")
  parser.add_argument("--overhead-seconds", type=float, default=OVERHEAD_SECONDS,
                      help="added to each seed's train_seconds in the cost estimate "
                           "(start-up, data, compilation, a quick protocol)")
  parser.add_argument("--plan", action="store_true", help="print the choice; train nothing")
  parser.add_argument("--check", action="store_true",
                      help="run the consistency checks of the committed tree; train nothing")
  parser.add_argument("--workdir", default=None, help="where the temporary workdirs go")
  parser.add_argument("--keep", action="store_true", help="keep the temporary workdirs")
  parser.add_argument("--no-progress", action="store_true", help="no tqdm bar")
  try:
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
  except SystemExit as e:
    return 2 if e.code else 0
  results = pathlib.Path(args.results)
  if args.check:
    default = results.resolve() == RESULTS.resolve()
    problems = check(results, results_page=RESULTS_PAGE if default else None,
                     readme=README if default else None)
    for p in problems:
      print(p)
    print(f"{len(row_paths(results))} rows checked: "
          f"{'no problems' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0
  try:
    if args.rows < 1:
      raise UsageError(f"--rows must be >= 1, got {args.rows}")
    if not args.budget_minutes > 0:
      raise UsageError(f"--budget-minutes must be > 0, got {args.budget_minutes}")
    rows = select_rows(results, names=args.row, methods=args.only)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    budget_s = 60.0 * args.budget_minutes
    picks, notes = choose(rows, count=args.rows, budget_s=budget_s, rng=random.Random(seed),
                          overhead_s=args.overhead_seconds)
    print(f"choice seed {seed} (--seed {seed} repeats it); budget {args.budget_minutes:g} min; "
          f"{len(rows)} candidate row(s)")
    for note in notes:
      print(note)
    if not picks:
      raise UsageError(f"no row fits the budget of {args.budget_minutes:g} min; raise "
                       "--budget-minutes")
    for p in picks:
      print(f"chosen: {p.row.name} seed {p.seed} ({p.metric} {p.committed:.2f}, tolerance "
            f"{p.tolerance:.2f}, estimated {p.estimate_s / 60:.1f} min)")
  except (UsageError, common.ConfigError, ValueError) as e:
    print(f"usage error: {e}", file=sys.stderr)
    return 2
  if args.plan:
    return 0
  outcomes = verify(picks, budget_s=budget_s,
                    workdir=None if args.workdir is None else pathlib.Path(args.workdir),
                    keep=args.keep, progress=not args.no_progress)
  bad = [o for o in outcomes if not o.agree]
  print(f"{len(outcomes) - len(bad)} of {len(outcomes)} re-trained row(s) agree")
  return 1 if bad else 0


if __name__ == "__main__":
  sys.exit(main())

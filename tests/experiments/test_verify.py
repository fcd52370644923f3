"""``python -m experiments.verify`` on a results tree of tiny GAE runs (no real row re-trained).

The tree is one honest row (``gae.py:test`` with a recorded override, three seeds), a copy whose
committed metrics were tampered with, and a copy whose seeds claim to cost days; the choice and
the budget are also checked on synthetic rows, without training.
"""

import json
import pathlib
import random
import shutil

import numpy as np
import pytest

from experiments import reproduce as reproduce_lib
from experiments import verify


@pytest.fixture(scope="module")
def tree(tmp_path_factory, data_root):
  """``results/`` with ``gae-test`` (honest), ``gae-tampered`` and ``gae-expensive``."""
  mp = pytest.MonkeyPatch()
  mp.setenv("JGSSL_DATA_DIR", str(data_root))
  mp.setenv("JGSSL_OFFLINE", "1")
  results = tmp_path_factory.mktemp("verify") / "results"
  reproduce_lib.reproduce("gae", "test", seeds=3, out=results / "gae-test",
                          overrides=["epochs=2"])
  mp.undo()
  for name, edit in (("gae-tampered", lambda r: r["metrics"].__setitem__(
      "test_auc", r["metrics"]["test_auc"] - 40.0)),
                     ("gae-expensive", lambda r: r.__setitem__("train_seconds", 1e6))):
    shutil.copytree(results / "gae-test", results / name)
    for path in (results / name).glob("seed_*/result.json"):
      _edit_json(path, edit)
  return results


def _edit_json(path, edit):
  obj = json.loads(path.read_text())
  edit(obj)
  path.write_text(json.dumps(obj, indent=2) + "\n")


def _report_line(out: str, row: str) -> list:
  line = next(l for l in out.splitlines() if l.startswith(f"| {row} |"))
  return [c.strip() for c in line.strip("|").split("|")]


@pytest.mark.slow
def test_an_honest_row_agrees(tree, capsys):
  rc = verify.main(["--results", str(tree), "--row", "gae-test", "--seed", "0",
                    "--budget-minutes", "5", "--no-progress"])
  out = capsys.readouterr().out
  assert rc == 0, out
  cells = _report_line(out, "gae-test")
  assert cells[2] == "test_auc" and cells[5] == "+0.00"  # same machine: bit-identical
  assert cells[7:9] == ["yes", "yes"]  # agree, params_checksum equal
  # The re-training went through the launcher with the row's recorded override.
  assert "python -m experiments.train --config experiments/configs/gae.py:test" in out
  assert "--config.epochs=2 --config.seed=" in out
  assert "1 of 1 re-trained row(s) agree" in out


@pytest.mark.slow
def test_a_tampered_row_disagrees_and_a_row_over_budget_is_skipped(tree, capsys):
  rc = verify.main(["--results", str(tree), "--row", "gae-tampered", "--row", "gae-expensive",
                    "--rows", "2", "--seed", "1", "--budget-minutes", "5", "--no-progress"])
  out = capsys.readouterr().out
  assert rc == 1, out
  assert "skipped gae-expensive: its cheapest seed" in out and "over the" in out
  cells = _report_line(out, "gae-tampered")
  assert float(cells[5]) == pytest.approx(40.0, abs=0.01)  # re-measured - tampered committed
  assert cells[7] == "no"
  assert cells[8] == "yes"  # the training itself reproduced
  assert "| gae-expensive |" not in out
  assert "0 of 1 re-trained row(s) agree" in out


def test_a_config_that_cannot_be_rebuilt_fails_without_training(tree, tmp_path, capsys):
  results = tmp_path / "results"
  shutil.copytree(tree / "gae-test", results / "gae-test")
  for path in results.glob("gae-test/seed_*/config.json"):
    _edit_json(path, lambda c: c["model"].__setitem__("no_such_key", 1))
  work = tmp_path / "work"
  rc = verify.main(["--results", str(results), "--seed", "0", "--no-progress", "--workdir",
                    str(work), "--keep"])
  out = capsys.readouterr().out
  assert rc == 1 and "failed: config: gae-test seed" in out and "cannot be rebuilt" in out
  assert "model.no_such_key" in out
  assert _report_line(out, "gae-test")[4] == "failed"
  assert work.is_dir() and not list(work.rglob("*.json"))  # nothing ran


def test_launcher_overrides_replay_the_committed_config(tree, tmp_path):
  row = verify.load_row(tree / "gae-test")
  assert (row.method, row.variant, row.overrides) == ("gae", "test", ("--config.epochs=2",))
  assert verify.launcher_overrides(row, 1) == ["--config.epochs=2", "--config.seed=1"]
  # A value the config file no longer gives is replayed from config.json as an override.
  shutil.copytree(tree / "gae-test", tmp_path / "gae-test")
  _edit_json(tmp_path / "gae-test" / "seed_1" / "config.json",
             lambda c: (c.__setitem__("checkpoint_every", 2),
                        c["optimizer"].__setitem__("learning_rate", 0.003)))
  drifted = verify.load_row(tmp_path / "gae-test")
  overrides = verify.launcher_overrides(drifted, 1)
  assert overrides == ["--config.epochs=2", "--config.seed=1", "--config.checkpoint_every=2",
                       "--config.optimizer.learning_rate=0.003"]


# --- choice, budget and usage, on synthetic rows (no training) ------------------------------


def _synthetic_row(results: pathlib.Path, name: str, *, seconds, values):
  row = results / name
  for i, (s, v) in enumerate(zip(seconds, values)):
    (row / f"seed_{i}").mkdir(parents=True)
    (row / f"seed_{i}" / "result.json").write_text(json.dumps(
        {"seed": i, "metrics": {"test_acc": v}, "train_seconds": s}))
  (row / "summary.json").write_text(json.dumps({
      "method": name.split("-")[0], "dataset": "cora", "protocol": "p",
      "metrics": {"test_acc": {"mean": float(np.mean(values))}},
      "reference": {"metric": "test_acc"},
      "command": f"python -m experiments.reproduce --method {name.split('-')[0]} --dataset cora "
                 f"--seeds {len(values)} --out {row}"}))


@pytest.fixture
def synthetic(tmp_path):
  results = tmp_path / "results"
  _synthetic_row(results, "gae-cheap", seconds=[30, 40, 50], values=[80.0, 81.0, 82.0])
  _synthetic_row(results, "dgi-mixed", seconds=[100, 9000, 9000], values=[70.0, 70.1, 70.2])
  _synthetic_row(results, "mvgrl-dear", seconds=[9000, 9500], values=[60.0, 61.0])
  return results


def test_the_tolerance_rule():
  assert verify.tolerance([]) == verify.tolerance([83.0]) == 0.5  # spread unknown: the floor
  assert verify.tolerance([83.0, 83.1, 83.05]) == 0.5  # seeds closer than the floor
  assert verify.tolerance([80.0, 82.0]) == pytest.approx(3 * np.std([80.0, 82.0], ddof=1))


def test_the_tolerance_leaves_the_seed_measured_out(synthetic):
  row = verify.load_row(synthetic / "gae-cheap")
  pick = verify.make_pick(row, 0)
  assert (pick.metric, pick.committed) == ("test_acc", 80.0)
  assert pick.tolerance == pytest.approx(3 * np.std([81.0, 82.0], ddof=1))
  assert pick.estimate_s == 30 + verify.OVERHEAD_SECONDS


def test_the_cost_of_a_kernel_svm_protocol_is_estimated():
  settings = {"n_folds": 10, "inner_folds": 5, "c_grid": [1e-3, 1e-2, 0.1, 1, 10, 100, 1e3],
              "classifier": "svc", "num_runs": 1}
  nci1 = {"dataset": "nci1", "eval": {"settings": settings}}
  assert verify.eval_seconds(nci1) == pytest.approx(360 * verify.SVC_SECONDS_PER_GRAPH2 * 4110**2)
  assert 300 < verify.eval_seconds(nci1) < 400  # the measured re-run: about 346 s
  mutag = {"dataset": "mutag", "eval": {"settings": settings}}
  assert verify.eval_seconds(mutag) < 1.0  # the square: MUTAG's 188 graphs cost nothing
  assert verify.eval_seconds({"dataset": "cora", "eval": {"settings": {"repeats": 3}}}) == 0.0
  assert verify.eval_seconds({**nci1, "eval_seconds": 12.5}) == 12.5  # recorded: taken as is


def test_the_budget_picks_only_what_fits(synthetic):
  rows = verify.select_rows(synthetic)
  picks, notes = verify.choose(rows, count=3, budget_s=300, rng=random.Random(0))
  assert sorted(p.row.name for p in picks) == ["dgi-mixed", "gae-cheap"]
  assert next(p for p in picks if p.row.name == "dgi-mixed").seed == 0  # its only fitting seed
  assert sum(p.estimate_s for p in picks) <= 300
  assert len(notes) == 1 and notes[0].startswith(
      "skipped mvgrl-dear: its cheapest seed (seed 0) is estimated at 151.0 min, over the ")
  picks, _ = verify.choose(rows, count=1, budget_s=1e6, rng=random.Random(0))
  assert len(picks) == 1
  # The same --seed, the same choice.
  again = [verify.choose(rows, count=2, budget_s=1e6, rng=random.Random(7))[0] for _ in range(2)]
  assert [(p.row.name, p.seed) for p in again[0]] == [(p.row.name, p.seed) for p in again[1]]


def test_plan_prints_the_choice_and_trains_nothing(synthetic, capsys):
  assert verify.main(["--results", str(synthetic), "--rows", "3", "--budget-minutes", "5",
                      "--seed", "3", "--plan"]) == 0
  out = capsys.readouterr().out
  assert "choice seed 3 (--seed 3 repeats it)" in out
  assert "skipped mvgrl-dear" in out
  assert "chosen: gae-cheap seed" in out and "chosen: dgi-mixed seed 0" in out
  assert verify.main(["--results", str(synthetic), "--only", "gae", "--plan", "--seed", "0"]) == 0
  out = capsys.readouterr().out
  assert "1 candidate row(s)" in out and "chosen: gae-cheap" in out


@pytest.mark.parametrize("argv, message", [
    (["--row", "nope"], "no row 'nope'"),
    (["--only", "graphcl"], "no row of method(s) graphcl"),
    (["--row", "mvgrl-dear"], "no row fits the budget of 10 min"),
    (["--rows", "0"], "--rows must be >= 1"),
    (["--budget-minutes", "0"], "--budget-minutes must be > 0"),
    (["--no-such-flag"], "unrecognized arguments"),
])
def test_bad_usage_exits_2(synthetic, capsys, argv, message):
  assert verify.main(["--results", str(synthetic), "--plan"] + argv) == 2
  assert message in capsys.readouterr().err


def test_an_empty_results_folder_is_bad_usage(tmp_path, capsys):
  assert verify.main(["--results", str(tmp_path), "--plan"]) == 2
  assert "no result rows" in capsys.readouterr().err

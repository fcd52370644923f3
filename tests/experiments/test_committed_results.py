"""The committed reproduction rows cannot rot silently.

Each check is :mod:`experiments.verify`'s (``python -m experiments.verify --check`` runs them
all), run here on every committed row, and each is shown to fail on a tampered copy:

* every ``table.md`` and ``summary.json``, ``experiments/RESULTS.md`` and the README results
  block regenerate byte-identically from the ``result.json`` files (an edited number, or a
  renderer changed without regenerating, fails);
* every seed's ``config.json`` equals what the current config file plus the row's recorded
  overrides resolve to (``python -m experiments.reproduce`` re-reports a finished seed only
  then; a hyperparameter added to a config without updating the rows that ran before it fails),
  and does not contradict the config its ``result.json`` ran;
* every row's protocol is in the protocol registry;
* each row's seeds are the distinct seeds its table lists, its summary records, its
  ``seed_<S>`` folders hold and its command runs.

No training: a few seconds.
"""

import json
import pathlib
import shutil

import pytest

from experiments import collect
from experiments import verify

REPO = pathlib.Path(__file__).resolve().parents[2]
RESULTS = REPO / "experiments" / "results"
ROWS = verify.row_paths(RESULTS)
IDS = [r.name for r in ROWS]


def test_there_are_committed_rows():
  assert len(ROWS) >= 10


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_table_and_summary_regenerate_from_the_results(row):
  assert verify.regeneration_problems(row) == []


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_committed_seed_ran_the_current_config(row):
  assert verify.config_problems(row) == []


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_the_protocol_is_registered(row):
  assert verify.protocol_problems(row) == []


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_the_seeds_are_the_distinct_seeds_of_the_table(row):
  assert verify.seed_problems(row) == []


def test_results_page_and_readme_block_regenerate_from_the_results():
  assert verify.page_problems(RESULTS, results_page=REPO / "experiments" / "RESULTS.md",
                              readme=REPO / "README.md") == []


# --- each check fails on a tampered copy ----------------------------------------------------


ROW = "dgi-cora-glorot"  # a row with a recorded override and a config-registered protocol


@pytest.fixture
def row(tmp_path):
  """A copy of a committed row (honest: no problems)."""
  copy = tmp_path / "results" / ROW
  shutil.copytree(RESULTS / ROW, copy)
  assert [p for fn in verify.ROW_CHECKS for p in fn(copy)] == []
  return copy


def _edit_json(path, edit):
  obj = json.loads(path.read_text())
  edit(obj)
  path.write_text(json.dumps(obj, indent=2) + "\n")


def test_an_edited_number_does_not_regenerate(row):
  _edit_json(row / "seed_3" / "result.json",
             lambda r: r["metrics"].__setitem__("test_acc", r["metrics"]["test_acc"] + 0.01))
  problems = verify.regeneration_problems(row)
  assert len(problems) == 2
  assert "summary.json does not regenerate" in problems[0]
  assert "table.md does not regenerate" in problems[1]


def test_an_edited_table_does_not_regenerate(row):
  text = (row / "table.md").read_text()
  (row / "table.md").write_text(text.replace("(10 seeds)", "(9 seeds)"))
  assert [p.split(" does")[0] for p in verify.regeneration_problems(row)] == [f"{ROW}/table.md"]


def test_a_config_that_drifted_from_the_config_file_is_reported(row):
  _edit_json(row / "seed_4" / "config.json", lambda c: c["model"].__setitem__("features", [256]))
  problems = verify.config_problems(row)
  assert any("seed_4/config.json differs from the current config: model.features: [256] -> [512]"
             in p for p in problems), problems
  # The config the seed's result.json ran contradicts it too.
  assert any("seed_4/config.json differs from the config its result.json ran: model.features"
             in p for p in problems), problems


def test_a_changed_override_in_the_command_is_reported(row):
  _edit_json(row / "summary.json", lambda s: s.__setitem__(
      "command", s["command"].replace(" --config.model.discriminator_init=glorot", "")))
  problems = verify.config_problems(row)
  assert len(problems) == 10 and all("discriminator_init: 'glorot' -> 'torch'" in p
                                     for p in problems)


def test_an_unregistered_protocol_is_reported(row):
  _edit_json(row / "summary.json", lambda s: s.__setitem__("protocol", "LP-public/Nowhere"))
  problems = verify.protocol_problems(row)
  assert any("summary.json names protocol 'LP-public/Nowhere', which is not in the protocol "
             "registry" in p for p in problems), problems
  assert any("different protocols" in p for p in problems)


def test_a_missing_seed_folder_is_reported(row):
  shutil.rmtree(row / "seed_7")
  problems = verify.seed_problems(row)
  assert any("seed folders [0, 1, 2, 3, 4, 5, 6, 8, 9] are not the seeds table.md lists" in p
             for p in problems), problems


def test_a_seed_listed_twice_is_reported(row):
  text = (row / "table.md").read_text()
  line = next(l for l in text.splitlines() if l.startswith("| 8 |"))
  (row / "table.md").write_text(text.replace(line, line.replace("| 8 |", "| 9 |", 1)))
  problems = verify.seed_problems(row)
  assert any("table.md lists a seed twice" in p for p in problems), problems
  assert any("summary.json's seeds" in p for p in problems)


def test_seeds_the_command_does_not_run_are_reported(row):
  _edit_json(row / "summary.json",
             lambda s: s.__setitem__("command", s["command"].replace("--seeds 10", "--seeds 12")))
  problems = verify.seed_problems(row)
  assert problems == [f"{ROW}: its command runs seeds {list(range(12))}, table.md lists "
                      f"{list(range(10))}"]


def test_a_seed_folder_holding_another_seed_is_reported(row):
  _edit_json(row / "seed_2" / "result.json", lambda r: r.__setitem__("seed", 5))
  assert verify.seed_problems(row) == [f"{ROW}/seed_2/result.json records seed 5"]


def test_stale_pages_are_reported(tmp_path):
  page = tmp_path / "RESULTS.md"
  page.write_text((REPO / "experiments" / "RESULTS.md").read_text().replace(" ± ", " +- ", 1))
  readme = tmp_path / "README.md"
  text = (REPO / "README.md").read_text()
  head, block = text.split(collect.BEGIN)
  readme.write_text(head + collect.BEGIN + block.replace("| 10 |", "| 11 |", 1))
  problems = verify.page_problems(RESULTS, results_page=page, readme=readme)
  assert len(problems) == 2
  assert "RESULTS.md does not regenerate" in problems[0]
  assert "README.md's results block does not regenerate" in problems[1]
  # A result changed without regenerating the pages: the committed pages no longer match.
  results = tmp_path / "results"
  shutil.copytree(RESULTS, results)
  _edit_json(results / ROW / "seed_0" / "result.json",
             lambda r: r["metrics"].__setitem__("test_acc", 99.0))
  problems = verify.page_problems(results, results_page=REPO / "experiments" / "RESULTS.md",
                                  readme=REPO / "README.md")
  assert len(problems) == 2
  readme.write_text("no block")
  assert any("no <!-- results:begin -->" in p
             for p in verify.page_problems(RESULTS, readme=readme))

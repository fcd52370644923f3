"""The committed reproduction rows stay re-reportable by the current configs.

``python -m experiments.reproduce`` re-reports a finished seed only when its saved
``config.json`` equals the config its command resolves to now (``experiments.train`` refuses a
workdir that ran something else). A hyperparameter added to a config without updating the rows
that ran before it would make every such row fail to re-report; this catches that.
"""

import json
import pathlib
import shlex

import pytest

from experiments import common

RESULTS = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "results"
ROWS = sorted(p.parent for p in RESULTS.glob("*/summary.json"))


def test_there_are_committed_rows():
  assert len(ROWS) >= 10


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_every_committed_seed_ran_the_current_config(row):
  args = shlex.split(json.loads((row / "summary.json").read_text())["command"])
  method, dataset = args[args.index("--method") + 1], args[args.index("--dataset") + 1]
  overrides = [a for a in args if a.startswith("--config.")]
  spec = f"{common.find_config_file(method)}:{dataset}"
  seeds = sorted(row.glob("seed_*/config.json"))
  assert seeds, f"{row.name} has a summary but no seed configs"
  for saved in seeds:
    seed = int(saved.parent.name.split("_")[1])
    now = common.config_to_dict(common.load_config(spec, overrides + [f"seed={seed}"]))
    diff = common.diff_configs(json.loads(saved.read_text()), now)
    assert not diff, f"{saved.relative_to(RESULTS)} differs from the current config: {diff}"

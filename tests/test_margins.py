"""Every trained check's threshold sits 3 std below its measured mean, and above 0.

The measurements are ``tests/margins.json``, written by ``python tests/measure_margins.py`` (see
``tests/margins.py``). These tests fail when a check has no data, when its ``measure`` function
changed since it was measured, when the data cover fewer than 10 seeds under one of the three
numeric settings, or when a threshold is too close to the measured mean (a CPU-tuned test) or
below 0 (a check that no longer says what its name claims).
"""

import ast
import pathlib

import numpy as np
import pytest

import margins

CHECKS = [(m, name) for m in margins.MODULES for name in margins.registry(m)]


def _stats(entry, quantity):
  """Mean and sample std of ``quantity`` over every seed under every setting."""
  values = np.array([v[quantity] for s in margins.SETTINGS for v in entry["values"][s]])
  return values.mean(), values.std(ddof=1)


@pytest.mark.parametrize("relpath,name", CHECKS, ids=[f"{m}::{n}" for m, n in CHECKS])
def test_threshold_sits_three_std_below_the_measured_mean(relpath, name):
  measure, thresholds = margins.registry(relpath)[name]
  entry = margins.read_measurements()["checks"].get(margins.check_id(relpath, name))
  assert entry is not None, f"no measurements: run python tests/measure_margins.py --only {relpath}"
  assert entry["source_hash"] == margins.source_hash(measure), (
      f"{relpath}::{name} changed since it was measured: "
      f"run python tests/measure_margins.py --only {relpath}")
  for setting in margins.SETTINGS:
    assert len(entry["values"].get(setting, [])) >= margins.MIN_SEEDS, (name, setting)
  for quantity, threshold in thresholds.items():
    mean, std = _stats(entry, quantity)
    assert threshold >= 0.0, f"{quantity}: a threshold below 0 no longer checks the claim"
    assert threshold <= mean - margins.NUM_STD * std, (
        f"{relpath}::{name} {quantity}: threshold {threshold} is within {margins.NUM_STD} std "
        f"of the measured mean {mean:.4f} (std {std:.4f}): give the check a configuration that "
        "trains reliably")


def test_every_module_with_a_margins_table_is_registered():
  """A test module defining MARGINS outside margins.MODULES would never be measured."""
  here = pathlib.Path(margins.__file__).parent
  found = set()
  for path in here.rglob("test_*.py"):
    tree = ast.parse(path.read_text())
    if any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "MARGINS" for t in n.targets)
           for n in tree.body):
      found.add(str(path.relative_to(here)))
  assert found == set(margins.MODULES)


def test_no_stale_measurements():
  ids = {margins.check_id(m, n) for m, n in CHECKS}
  stale = set(margins.read_measurements()["checks"]) - ids
  assert not stale, f"tests/margins.json holds checks that no longer exist: {sorted(stale)}"


def test_assert_margins_names_the_failing_quantity():
  margins.assert_margins({"gain": 0.2, "drop": 1.0}, {"gain": 0.1, "drop": 0.5})
  with pytest.raises(AssertionError, match=r"gain=0\.0500 <= 0\.1"):
    margins.assert_margins({"gain": 0.05, "drop": 1.0}, {"gain": 0.1, "drop": 0.5})
  with pytest.raises(AssertionError, match="no value"):
    margins.assert_margins({"drop": 1.0}, {"gain": 0.1})
  with pytest.raises(AssertionError):
    margins.assert_margins({"gain": float("nan")}, {"gain": 0.1})

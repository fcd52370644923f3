"""Tests of ``experiments.paired`` (paired seed-by-seed comparison of two reproductions)."""

import json

import numpy as np
import pytest

from experiments import common
from experiments import paired


def _folder(root, name, values, *, seconds=10.0, epochs=100, protocol="P"):
  folder = root / name
  for seed, value in values.items():
    d = folder / f"seed_{seed}"
    d.mkdir(parents=True)
    (d / "result.json").write_text(json.dumps({
        "seed": seed, "protocol": protocol, "metrics": {"test_acc": value},
        "train_seconds": seconds, "epochs_run": epochs}))
  return folder


def test_differences_are_taken_seed_by_seed_over_the_shared_seeds(tmp_path):
  base = _folder(tmp_path, "base", {1: 80.0, 2: 70.0, 3: 75.0, 9: 10.0})
  other = _folder(tmp_path, "other", {1: 81.0, 2: 70.5, 3: 74.0, 4: 99.0}, seconds=20.0)
  p = paired.paired(base, other)
  assert p["seeds"] == [1, 2, 3]
  np.testing.assert_allclose(p["differences"], [1.0, 0.5, -1.0])
  assert p["difference_mean"] == pytest.approx(np.mean([1.0, 0.5, -1.0]))
  assert p["difference_std"] == pytest.approx(np.std([1.0, 0.5, -1.0], ddof=1))
  assert p["positive"] == 2
  # Pairing removes the seed-to-seed spread the unpaired stds carry.
  assert p["difference_std"] < p["base_std"]
  assert p["base_cost"]["seconds_per_epoch"] == pytest.approx(0.1)
  assert p["other_cost"]["seconds_per_epoch"] == pytest.approx(0.2)
  assert "+0.17 ± 1.04" in paired.summary_text(p)


def test_no_shared_seed_or_missing_metric_is_a_config_error(tmp_path, capsys):
  base = _folder(tmp_path, "base", {1: 80.0})
  other = _folder(tmp_path, "other", {2: 80.0})
  with pytest.raises(common.ConfigError, match="share no finished seed"):
    paired.paired(base, other)
  assert paired.main([str(base), str(other)]) == common.EXIT_CONFIG
  assert "share no finished seed" in capsys.readouterr().err
  with pytest.raises(common.ConfigError, match="no metric 'val_acc'"):
    paired.paired(base, _folder(tmp_path, "again", {1: 81.0}), metric="val_acc")
  with pytest.raises(common.ConfigError, match="holds no finished seed"):
    paired.paired(tmp_path / "empty", base)


def test_command_line_prints_json_and_markdown(tmp_path, capsys):
  base = _folder(tmp_path, "base", {1: 80.0, 2: 70.0})
  other = _folder(tmp_path, "other", {1: 82.0, 2: 71.0})
  assert paired.main([str(base), str(other), "--json"]) == 0
  assert json.loads(capsys.readouterr().out)["difference_mean"] == pytest.approx(1.5)
  assert paired.main([str(base), str(other), "--markdown"]) == 0
  assert "+1.50 ± 0.71 (2/2 up)" in capsys.readouterr().out

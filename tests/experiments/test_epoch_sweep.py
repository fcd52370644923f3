"""experiments.epoch_sweep: per-epoch scores, last epoch equals the launcher, best >= last."""

import json

import jax
import pytest

from experiments import common
from experiments import epoch_sweep
from experiments import registry
from experiments import train as train_lib


def test_sweep_scores_every_epoch_and_its_last_epoch_is_the_launchers(tmp_path):
  summary = epoch_sweep.sweep("graphcl", "test", seeds=1, every=1, out=tmp_path / "s",
                              progress=False)
  assert summary["scored_epochs"] == [1, 2]
  assert "selection on test" in summary["best_epoch"]["protocol"]
  values = [summary["per_epoch"][e]["values"][0] for e in ("1", "2")]
  assert summary["best_epoch"]["values"] == [max(values)]
  assert summary["best_epoch"]["mean"] >= summary["last"]["mean"]
  on_disk = json.loads((tmp_path / "s" / "sweep.json").read_text())
  assert on_disk["last"] == summary["last"]
  assert "not a jgssl protocol" in (tmp_path / "s" / "table.md").read_text()
  # Same loader, key and steps as the launcher: its last-epoch score is the launcher's result
  # (the launcher shards over devices when there are several; then the batches differ).
  if jax.local_device_count() > 1:
    return
  config = registry.load_config("graphcl:test")
  result = train_lib.run(config, tmp_path / "launcher", progress=False)
  assert result["metrics"][summary["metric"]] == pytest.approx(summary["last"]["mean"], abs=1e-6)


def test_node_level_configs_are_refused(tmp_path):
  with pytest.raises(common.ConfigError, match="graph-level"):
    epoch_sweep.sweep("grace", "test", seeds=1, every=1, out=tmp_path / "s", progress=False)

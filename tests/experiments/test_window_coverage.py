"""experiments.window_coverage: the coverage figures quoted for MVGRL's sampler."""

import json

import pytest

from experiments import common
from experiments import registry
from experiments import window_coverage


def test_cora_public_split_figures(capsys):
  assert window_coverage.main(["--dataset", "cora", "--json"]) == 0
  rows = json.loads(capsys.readouterr().out)
  # Planetoid order: the 140 training nodes are 0..139, so node i is in i + 1 of 709 windows.
  assert rows["train"]["nodes"] == 140
  assert rows["train"]["mean"] == pytest.approx(70.5 / 709)
  assert rows["train"]["below_half"] == 1.0
  assert rows["test"]["nodes"] == 1000 and round(100 * rows["test"]["mean"]) == 65
  assert rows["all"]["mean"] == pytest.approx(2000 / 2708)


def test_full_graph_variant_and_overrides(capsys):
  window_coverage.main(["--dataset", "citeseer-full", "--json"])
  assert json.loads(capsys.readouterr().out)["test"]["mean"] == 1.0
  window_coverage.main(["--dataset", "citeseer", "--config.model.sample_size=3000"])
  table = capsys.readouterr().out
  assert "sample_size 3000" in table and "| train | 120 |" in table


def test_datasets_without_a_standard_split_are_refused():
  config = registry.load_config("mvgrl:amazon-photo")
  with pytest.raises(common.ConfigError, match="no standard split"):
    window_coverage.coverage_by_split(config)

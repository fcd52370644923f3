"""The POT and CSGCL configs end to end on their tiny ``test`` variants: training through the
launcher, both named protocols on the same embeddings, and the paired base."""

import json

import pytest

from experiments import paired as paired_lib
from experiments import registry
from experiments import reproduce as reproduce_lib
from jgssl import methods


def test_grace_pot_scores_both_protocols_on_the_same_training_and_pairs_with_its_base(tmp_path):
  pot = reproduce_lib.reproduce("grace_pot", "test", seeds=1, out=tmp_path / "pot")
  assert pot["protocol"] == "LR-public-torch/POT-swapped"
  result = json.loads((tmp_path / "pot" / "seed_0" / "result.json").read_text())
  assert "VALIDATION" in result["eval"]["note"]
  rows = json.loads((tmp_path / "pot" / "seed_0" / "metrics.jsonl").read_text().splitlines()[0])
  assert {"pot", "pot_gap", "objective"} <= set(rows)  # the regulariser ran
  correct = reproduce_lib.reproduce("grace_pot", "test", seeds=1, out=tmp_path / "correct",
                                    embeddings_from=tmp_path / "pot",
                                    overrides=["eval.protocol=LR-public-torch"])
  assert correct["protocol"] == "LR-public-torch"
  base = reproduce_lib.reproduce("grace_pot", "test", seeds=1, out=tmp_path / "base",
                                 overrides=["model.pot_kappa=0.0"])
  rows = json.loads((tmp_path / "base" / "seed_0" / "metrics.jsonl").read_text().splitlines()[0])
  assert "pot" not in rows  # kappa 0: the plain method, no regulariser cost
  p = paired_lib.paired(tmp_path / "base", tmp_path / "pot")
  assert p["seeds"] == [0] and p["base_protocol"] == p["other_protocol"]


def test_gca_pot_uses_adaptive_budgets_and_csgcl_its_team_up_schedule(tmp_path):
  gca_pot = registry.build_method(registry.load_config("gca_pot:test"))
  assert gca_pot.regularizer.budget == "adaptive" and gca_pot.regularizer.bounds == "official"
  assert gca_pot.regularizer_weight == pytest.approx(0.3)
  csgcl = reproduce_lib.reproduce("csgcl", "test", seeds=1, out=tmp_path / "csgcl")
  assert csgcl["protocol"] == "LR-rand-torch/CSGCL-unseeded"
  rows = [json.loads(line) for line in
          (tmp_path / "csgcl" / "seed_0" / "metrics.jsonl").read_text().splitlines()]
  # test variant: t0 = 2, ramp 2 epochs per unit of gamma, gamma_max 1
  assert [r["gamma"] for r in rows] == [0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
  seeded = reproduce_lib.reproduce("csgcl", "test", seeds=1, out=tmp_path / "seeded",
                                   embeddings_from=tmp_path / "csgcl",
                                   overrides=["eval.protocol=LR-rand-torch/GCA"])
  assert seeded["protocol"] == "LR-rand-torch/GCA"


def test_the_configs_cite_the_published_numbers_they_compare_with():
  assert registry.load_config("csgcl:amazon-photo").reference.value == pytest.approx(93.32)
  assert registry.load_config("csgcl:amazon-computers").reference.value == pytest.approx(90.17)
  assert registry.load_config("grace_pot:cora").reference.value == pytest.approx(79.2)
  assert registry.load_config("grace_pot:citeseer").reference.value is None
  assert isinstance(registry.build_method(registry.load_config("grace_pot:citeseer")).regularizer,
                    methods.POTRegularizer)

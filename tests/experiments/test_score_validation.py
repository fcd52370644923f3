"""experiments.score_validation: the run's own probe, scored on the validation nodes."""

import json

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from experiments import common
from experiments import protocols
from experiments import registry
from experiments import score_validation
from experiments import train as train_lib
from jgssl import data, evaluate


@pytest.fixture(scope="module")
def dgi_run(tmp_path_factory, data_root):
  with pytest.MonkeyPatch.context() as mp:
    mp.setenv("JGSSL_DATA_DIR", str(data_root))
    config = registry.load_config("dgi:test")
    workdir = tmp_path_factory.mktemp("dgi")
    result = train_lib.run(config, workdir, progress=False)
  return workdir, result


def test_scores_the_validation_nodes_with_the_runs_probe(dgi_run, capsys):
  workdir, result = dgi_run
  row = score_validation.score_validation(workdir)
  assert row["test_acc"] == result["metrics"]["test_acc"]
  ds = data.load("cora", progress=False)
  emb = np.load(workdir / "embeddings.npy")
  cfg = result["config"]["eval"]
  on_val = evaluate.lp_public_dgi(
      jax.random.PRNGKey(result["seed"]), emb, ds.labels,
      {"train": ds.splits["train"], "val": ds.splits["val"], "test": ds.splits["val"]},
      restarts=cfg["restarts"], epochs=cfg["epochs"], lr=cfg["lr"],
      weight_decay=cfg["weight_decay"])
  assert row["val_acc"] == pytest.approx(100 * on_val.metrics["test_acc_last"], abs=1e-4)
  assert score_validation.main([str(workdir), "--json"]) == 0
  assert json.loads(capsys.readouterr().out.splitlines()[-1])["val_acc"] == row["val_acc"]


def test_scoring_the_test_nodes_reproduces_the_runs_result(dgi_run):
  workdir, result = dgi_run
  cfg = ml_collections.ConfigDict(result["config"]["eval"])
  cfg.scored_split = "test"
  _, metrics, _ = registry.get_protocol(cfg.protocol).evaluate(
      np.load(workdir / "embeddings.npy"), np.load(workdir / "labels.npy"),
      seed=result["seed"], cfg=cfg, dataset=data.load("cora", progress=False), context=None)
  assert metrics["test_acc"] == pytest.approx(result["metrics"]["test_acc"], abs=1e-6)


def test_refusals(tmp_path):
  with pytest.raises(common.ConfigError, match="no finished run"):
    score_validation.score_validation(tmp_path)
  (tmp_path / "embeddings.npy").write_bytes(b"")
  # GRACE's and BGRL's random-split probes.
  for method, protocol in (("grace", "LR-rand-sklearn/GRACE"), ("bgrl", "LR-rand-sklearn/BGRL")):
    (tmp_path / "result.json").write_text(json.dumps(
        {"method": method, "config": {"eval": {"protocol": protocol}}}))
    with pytest.raises(common.ConfigError, match="random splits"):
      score_validation.score_validation(tmp_path)
  cfg = ml_collections.ConfigDict({"scored_split": "holdout"})
  with pytest.raises(common.ConfigError, match="scored_split"):
    protocols.public_split(data.load("cora", progress=False), cfg, "LP-public/DGI")


def test_public_split_flag_matches_what_each_protocol_scores(monkeypatch):
  """Every protocol flagged ``public_split`` takes its split from ``protocols.public_split``,
  so ``scored_split`` reaches it (``score_validation`` trusts the flag)."""
  asked = []

  def recording_public_split(dataset, cfg, protocol):
    asked.append(protocol)
    raise RuntimeError("stop here")

  monkeypatch.setattr(protocols, "public_split", recording_public_split)
  ds = data.load("cora", progress=False)
  embeddings = np.zeros((ds.num_nodes, 2), np.float32)
  flagged = [n for n in registry.PROTOCOLS if registry.get_protocol(n).public_split]
  assert {"LP-public/DGI", "LP-public/GraphMAE", "LR-public-sklearn/GRACE",
          "LR-public-sklearn/BGRL"} <= set(flagged)
  for name in flagged:
    cfg = ml_collections.ConfigDict(dict(protocol=name, dataset="cora", epochs=1, lr=0.01,
                                         weight_decay=0.0, repeats=1, inner_folds=2))
    with pytest.raises(RuntimeError, match="stop here"):
      registry.get_protocol(name).evaluate(embeddings, ds.labels, seed=0, cfg=cfg,
                                           dataset=ds, context=None)
  assert sorted(asked) == sorted(flagged)


def test_l2_rows_probe_ignores_row_scale_and_equals_the_probe_on_normalised_rows():
  ds = data.load("cora", progress=False)
  emb = jax.random.normal(jax.random.PRNGKey(0), (ds.num_nodes, 8))
  scale = jax.random.uniform(jax.random.PRNGKey(1), (ds.num_nodes, 1), minval=0.1, maxval=10.0)
  cfg = ml_collections.ConfigDict(dict(protocol="LP-public/DGI-l2", dataset="cora", restarts=2,
                                       epochs=20, lr=0.01, weight_decay=0.0))
  l2 = registry.get_protocol("LP-public/DGI-l2")
  assert l2.public_split
  # The name written to result.json (and the README table) is the registered one.
  assert l2.evaluate(np.asarray(emb), ds.labels, seed=0, cfg=cfg, dataset=ds,
                     context=None)[0] == "LP-public/DGI-l2"

  def score(protocol, x):
    return protocol.evaluate(np.asarray(x), ds.labels, seed=0, cfg=cfg, dataset=ds,
                             context=None)[1]["test_acc"]

  base = score(l2, emb)
  assert score(l2, emb * scale) == pytest.approx(base, abs=1e-6)
  unit = emb / jnp.linalg.norm(emb, axis=1, keepdims=True)
  assert score(registry.get_protocol("LP-public/DGI"), unit) == pytest.approx(base, abs=1e-4)


def test_bgrl_preset_split_probe_reports_its_name_and_scores_validation_on_request():
  ds = data.load("cora", progress=False)
  emb = np.asarray(ds.graph.nodes["x"])  # raw bag-of-words rows: informative, far from perfect
  probe = registry.get_protocol("LR-public-sklearn/BGRL")
  cfg = ml_collections.ConfigDict(dict(protocol="LR-public-sklearn/BGRL", dataset="cora",
                                       c_log2_min=-2, c_log2_max=2))
  name, test, extra = probe.evaluate(emb, ds.labels, seed=0, cfg=cfg, dataset=ds, context=None)
  assert name == "LR-public-sklearn/BGRL" and probe.public_split
  assert 40.0 < test["test_acc"] < 90.0 and extra["settings"]["num_test"] == 1000
  cfg.scored_split = "val"  # as score_validation asks: C chosen and scored on the 500 val rows
  _, val, extra = probe.evaluate(emb, ds.labels, seed=0, cfg=cfg, dataset=ds, context=None)
  assert extra["settings"]["num_test"] == 500
  assert val["test_acc"] == pytest.approx(val["val_acc"])


def test_c_grid_needs_both_bounds_unless_the_probe_gives_a_default():
  both = ml_collections.ConfigDict(dict(c_log2_min=-1, c_log2_max=2))
  assert protocols.c_grid(both) == (0.5, 1.0, 2.0, 4.0)
  # A section's own bounds win over the probe's default.
  assert protocols.c_grid(both, default_log2=(-10, 10)) == (0.5, 1.0, 2.0, 4.0)
  none = ml_collections.ConfigDict(dict(protocol="LP-public/DGI", restarts=50))
  with pytest.raises(ValueError, match="c_log2_min"):
    protocols.c_grid(none)  # GRACE's grid stops at 2^9, BGRL's at 2^10: no silent choice
  grid = protocols.c_grid(none, default_log2=(-10, 10))
  assert len(grid) == 21 and grid[0] == 2.0 ** -10 and grid[-1] == 1024.0
  half = ml_collections.ConfigDict(dict(c_log2_min=-3))
  with pytest.raises(ValueError, match="c_log2_max"):
    protocols.c_grid(half, default_log2=(-10, 10))

"""experiments.score_validation: the run's own probe, scored on the validation nodes."""

import json

import jax
import ml_collections
import numpy as np
import pytest

from experiments import common
from experiments import score_validation
from experiments import train as train_lib
from jgssl import data, evaluate


@pytest.fixture(scope="module")
def dgi_run(tmp_path_factory, data_root):
  with pytest.MonkeyPatch.context() as mp:
    mp.setenv("JGSSL_DATA_DIR", str(data_root))
    config = common.load_config(f"{common.find_config_file('dgi')}:test")
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
  _, metrics, _ = common.get_protocol(cfg.protocol).evaluate(
      np.load(workdir / "embeddings.npy"), np.load(workdir / "labels.npy"),
      seed=result["seed"], cfg=cfg, dataset=data.load("cora", progress=False), context=None)
  assert metrics["test_acc"] == pytest.approx(result["metrics"]["test_acc"], abs=1e-6)


def test_refusals(tmp_path):
  with pytest.raises(common.ConfigError, match="no finished run"):
    score_validation.score_validation(tmp_path)
  (tmp_path / "embeddings.npy").write_bytes(b"")
  (tmp_path / "result.json").write_text(json.dumps(
      {"config": {"eval": {"protocol": "LR-rand-sklearn/GRACE"}}}))
  with pytest.raises(common.ConfigError, match="random splits"):
    score_validation.score_validation(tmp_path)
  cfg = ml_collections.ConfigDict({"scored_split": "holdout"})
  with pytest.raises(common.ConfigError, match="scored_split"):
    common.public_split(data.load("cora", progress=False), cfg, "LP-public/DGI")

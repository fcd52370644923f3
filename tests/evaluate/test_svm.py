"""Tests of SVM-10fold (GraphMAE, GraphCL, MVGRL variants) and its std semantics."""

import numpy as np
import pytest

from jgssl import evaluate as ev


def _graphs(rng, g=100, d=4, scale=4.0):
  y = np.repeat([0, 1], g // 2)
  return rng.normal(size=(2, d))[y] * scale + rng.normal(size=(g, d)), y


def test_easy_problem_is_near_perfect(rng):
  x, y = _graphs(rng)
  res = ev.svm_10fold_graphmae(x, y)
  assert res.protocol == "SVM-10fold/GraphMAE"
  assert res.value > 0.97
  assert len(res.runs["fold_acc"]) == 10


def test_random_labels_are_near_chance(rng):
  x = rng.normal(size=(120, 4))
  y = rng.permutation(np.repeat([0, 1], 60))
  res = ev.svm_10fold_graphmae(x, y)
  assert abs(res.value - 0.5) < 0.15


def test_std_over_seeds_versus_std_over_folds(rng):
  """Identical embeddings with the same folds: zero spread across runs, not across folds."""
  x, y = _graphs(rng, scale=0.5)
  runs = np.stack([x, x, x])
  res = ev.svm_10fold_graphmae(runs, y)
  folds = np.asarray(res.runs["fold_acc"]).reshape(3, 10)
  np.testing.assert_allclose(folds[0], folds[1])
  assert res["acc_std"] == pytest.approx(0.0, abs=1e-12)
  assert res["acc_fold_std"] > 0.02
  assert res["acc_fold_std"] == pytest.approx(folds.std())
  assert res["acc_fold_std_within"] == pytest.approx(folds.std(axis=1).mean())
  assert res["acc"] == pytest.approx(folds.mean())


def test_different_runs_give_per_seed_means(rng):
  x, y = _graphs(rng, scale=0.5)
  runs = [x + 0.3 * rng.normal(size=x.shape) for _ in range(3)]
  res = ev.svm_kfold(runs, y, fold_seeds=(0, 1, 2), c_grid=(0.1, 1.0))
  folds = np.asarray(res.runs["fold_acc"]).reshape(3, 10)
  per_seed = folds.mean(axis=1)
  np.testing.assert_allclose(res.runs["acc"], per_seed)
  assert res["acc_std"] == pytest.approx(per_seed.std())
  # The spread of single folds is larger than the spread of per-seed means.
  assert res["acc_fold_std"] > res["acc_std"]
  assert res.seeds == (0, 1, 2)


def test_one_embedding_with_several_fold_seeds_and_variants(rng):
  x, y = _graphs(rng, g=60)
  res = ev.svm_10fold_graphcl(x, y, fold_seeds=(0, 1), c_grid=(0.1, 10.0))
  assert res.settings["num_runs"] == 2 and res.protocol == "SVM-10fold/GraphCL"
  lin = ev.svm_10fold_mvgrl(x, y, c_grid=(0.1, 10.0))
  assert lin.settings["classifier"] == "linear_svc" and lin.value > 0.9


def test_rejects_bad_inputs(rng):
  x, y = _graphs(rng)
  with pytest.raises(ValueError, match="fold seeds"):
    ev.svm_kfold(np.stack([x, x]), y, fold_seeds=(0, 1, 2))
  with pytest.raises(ValueError, match="same graphs"):
    ev.svm_kfold([x, x[:-1]], y)
  with pytest.raises(ValueError, match="stratified folds"):
    ev.svm_kfold(x[:12], np.array([0] * 6 + [1] * 6))
  bad = x.copy()
  bad[3] = np.nan
  with pytest.raises(ValueError, match="NaN"):
    ev.svm_10fold_graphmae(bad, y)
  with pytest.raises(ValueError, match="classifier"):
    ev.svm_kfold(x, y, classifier="rbf")

"""Tests of LR-rand-sklearn (GRACE, BGRL) and LR-public-sklearn (GRACE, BGRL)."""

import numpy as np
import pytest
from sklearn import model_selection
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from jgssl import evaluate as ev

_GRID = (0.25, 4.0)  # small grid for speed


def _blobs(rng, n=200, d=5, c=3, scale=3.0):
  y = rng.integers(0, c, n)
  return rng.normal(size=(c, d))[y] * scale + rng.normal(size=(n, d)), y


def test_grace_separable_is_perfect_and_random_is_chance(rng):
  x, y = _blobs(rng)
  res = ev.lr_rand_sklearn_grace(x, y, c_grid=_GRID, repeats=2)
  assert res.protocol == "LR-rand-sklearn/GRACE"
  assert res["micro_f1"] > 0.97 and res["macro_f1"] > 0.97
  noise = rng.normal(size=x.shape)
  chance = ev.lr_rand_sklearn_grace(noise, y, c_grid=_GRID, repeats=2)
  assert abs(chance["micro_f1"] - 1 / 3) < 0.12


def test_grace_uses_10_90_split_and_l2_normalised_rows(rng):
  """With a one-value grid the protocol reduces to one fit we can redo by hand."""
  x, y = _blobs(rng, scale=0.8)
  res = ev.lr_rand_sklearn_grace(x, y, seed=7, c_grid=(1.0,), repeats=1)
  rs = np.random.RandomState(7)
  tr, te = model_selection.train_test_split(np.arange(len(y)), test_size=0.9, random_state=rs)
  assert len(tr) == 20
  xn = x / np.linalg.norm(x, axis=1, keepdims=True)
  clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=1.0))
  clf.fit(xn[tr], np.eye(3, dtype=bool)[y[tr]])
  acc = np.mean(np.argmax(clf.predict_proba(xn[te]), 1) == y[te])
  assert res["micro_f1"] == pytest.approx(acc)  # micro-F1 = accuracy for single-label data


def test_row_scaling_does_not_change_the_result(rng):
  """L2 normalisation makes the protocol invariant to positive per-row scales."""
  x, y = _blobs(rng, scale=0.8)
  scaled = x * rng.uniform(0.1, 10.0, size=(len(y), 1))
  a = ev.lr_rand_sklearn_grace(x, y, seed=3, c_grid=_GRID, repeats=2)
  b = ev.lr_rand_sklearn_grace(scaled, y, seed=3, c_grid=_GRID, repeats=2)
  np.testing.assert_allclose(a.runs["micro_f1"], b.runs["micro_f1"], atol=1e-12)


def test_grace_repeats_and_std(rng):
  x, y = _blobs(rng, scale=0.6)
  res = ev.lr_rand_sklearn_grace(x, y, seed=0, c_grid=_GRID, repeats=3)
  runs = np.asarray(res.runs["micro_f1"])
  assert runs.shape == (3,)
  assert res["micro_f1_std"] == pytest.approx(runs.std())
  again = ev.lr_rand_sklearn_grace(x, y, seed=0, c_grid=_GRID, repeats=3)
  assert again.runs == res.runs  # seeded


def test_bgrl_split_and_accuracy(rng):
  x, y = _blobs(rng)
  res = ev.lr_rand_sklearn_bgrl(x, y, c_grid=_GRID, repeats=2)
  assert res.protocol == "LR-rand-sklearn/BGRL" and res.main == "acc"
  assert res.value > 0.97
  assert len(res.runs["acc"]) == 2
  # One-value grid: the refit on the whole 20 % non-test block predicts the 80 % test block.
  one = ev.lr_rand_sklearn_bgrl(x, y, seed=1, c_grid=(1.0,))
  tr, te = model_selection.train_test_split(np.arange(len(y)), test_size=0.8,
                                            random_state=np.random.RandomState(1))
  assert len(te) == 160
  xn = x / np.linalg.norm(x, axis=1, keepdims=True)
  clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=1.0))
  clf.fit(xn[tr], np.eye(3, dtype=bool)[y[tr]])
  assert one["acc"] == pytest.approx(np.mean(np.argmax(clf.predict_proba(xn[te]), 1) == y[te]))


def test_rejects_bad_inputs(rng):
  x, y = _blobs(rng)
  bad = x.copy()
  bad[0, 0] = np.inf
  with pytest.raises(ValueError, match="NaN or inf"):
    ev.lr_rand_sklearn_grace(bad, y, c_grid=_GRID)
  with pytest.raises(ValueError, match="entries"):
    ev.lr_rand_sklearn_grace(x, y[:10], c_grid=_GRID)
  with pytest.raises(ValueError, match="c_grid"):
    ev.lr_rand_sklearn_grace(x, y, c_grid=())
  with pytest.raises(ValueError, match="train_ratio"):
    ev.lr_rand_sklearn_grace(x, y, train_ratio=1.5)
  with pytest.raises(ValueError, match="2 classes"):
    ev.lr_rand_sklearn_bgrl(x, np.zeros(len(y), int))


def test_grace_public_trains_on_the_train_rows_only_and_scores_the_test_rows(rng):
  x, y = _blobs(rng, scale=0.8)
  split = {"train": np.arange(0, 30), "val": np.arange(30, 60), "test": np.arange(60, 200)}
  res = ev.lr_public_sklearn_grace(x, y, split, c_grid=(1.0,), repeats=1)
  assert res.protocol == "LR-public-sklearn/GRACE" and res.main == "micro_f1"
  assert res.settings["num_train"] == 30 and res.settings["num_test"] == 140
  xn = x / np.linalg.norm(x, axis=1, keepdims=True)
  clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=1.0))
  clf.fit(xn[:30], np.eye(3, dtype=bool)[y[:30]])
  pred = np.argmax(clf.predict_proba(xn[60:]), 1)
  assert res["micro_f1"] == pytest.approx(np.mean(pred == y[60:]), abs=0.01)
  # Labels outside the training rows do not reach the classifier: scrambling the validation
  # rows' labels and features changes nothing.
  x2, y2 = x.copy(), y.copy()
  x2[30:60] = rng.normal(size=(30, x.shape[1]))
  y2[30:60] = rng.integers(0, 3, 30)
  again = ev.lr_public_sklearn_grace(x2, y2, split, c_grid=(1.0,), repeats=1)
  assert again.runs == res.runs


def test_grace_public_repeats_are_seeded_and_inputs_checked(rng):
  x, y = _blobs(rng, scale=0.6)
  split = {"train": np.arange(40), "test": np.arange(40, 200)}
  a = ev.lr_public_sklearn_grace(x, y, split, seed=5, c_grid=_GRID, repeats=3)
  b = ev.lr_public_sklearn_grace(x, y, split, seed=5, c_grid=_GRID, repeats=3)
  assert len(a.runs["micro_f1"]) == 3 and a.runs == b.runs
  with pytest.raises(ValueError, match="outside"):
    ev.lr_public_sklearn_grace(x, y, {"train": np.arange(40), "test": np.array([500])})
  with pytest.raises(ValueError, match="inner folds"):
    ev.lr_public_sklearn_grace(x, y, {"train": np.arange(3), "test": np.arange(3, 9)})


def _three_way(n=200):
  return {"train": np.arange(0, 40), "val": np.arange(40, 100), "test": np.arange(100, n)}


def test_bgrl_public_separable_is_near_perfect_and_noise_is_chance(rng):
  x, y = _blobs(rng)
  res = ev.lr_public_sklearn_bgrl(x, y, _three_way(), c_grid=_GRID)
  assert res.protocol == "LR-public-sklearn/BGRL" and res.main == "acc"
  assert res["acc"] > 0.95 and res["val_acc"] > 0.95
  assert res.settings["num_train"] == 40 and res.settings["num_test"] == 100
  chance = ev.lr_public_sklearn_bgrl(rng.normal(size=x.shape), y, _three_way(), c_grid=_GRID)
  assert abs(chance["acc"] - 1 / 3) < 0.15


def test_bgrl_public_chooses_c_on_validation_rows_never_on_test_rows(rng):
  x, y = _blobs(rng, scale=0.7)
  grid = tuple(2.0 ** k for k in range(-6, 7, 2))
  res = ev.lr_public_sklearn_bgrl(x, y, _three_way(), c_grid=grid)
  # The reported validation accuracy is the best over the grid of a plain refit per C.
  xn = x / np.linalg.norm(x, axis=1, keepdims=True)
  val = []
  for c in grid:
    clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=c, random_state=0))
    clf.fit(xn[:40], np.eye(3, dtype=bool)[y[:40]])
    val.append(np.mean(np.argmax(clf.predict_proba(xn[40:100]), 1) == y[40:100]))
  assert res["val_acc"] == pytest.approx(max(val))
  assert res.settings["c"] == grid[int(np.argmax(val))]  # the first of tied bests
  # Scrambling the test rows' labels changes the score but not the choice.
  y2 = y.copy()
  y2[100:] = rng.integers(0, 3, 100)
  again = ev.lr_public_sklearn_bgrl(x, y2, _three_way(), c_grid=grid)
  assert again.settings["c"] == res.settings["c"] and again["val_acc"] == res["val_acc"]
  # The validation rows only choose C: with one C, scrambling them leaves the test score alone.
  x3 = x.copy()
  x3[40:100] = rng.normal(size=(60, x.shape[1]))
  one = ev.lr_public_sklearn_bgrl(x, y, _three_way(), c_grid=(1.0,))
  assert ev.lr_public_sklearn_bgrl(x3, y, _three_way(), c_grid=(1.0,)).runs["acc"] == \
      one.runs["acc"]


def test_bgrl_public_keeps_the_first_c_on_ties_and_ignores_row_scale(rng):
  x, y = _blobs(rng, scale=6.0)  # every C separates the validation rows perfectly
  res = ev.lr_public_sklearn_bgrl(x, y, _three_way(), c_grid=(0.5, 2.0, 8.0))
  assert res["val_acc"] == 1.0 and res.settings["c"] == 0.5
  scaled = ev.lr_public_sklearn_bgrl(x * rng.uniform(0.1, 10.0, size=(len(x), 1)), y,
                                     _three_way(), c_grid=(0.5, 2.0, 8.0))
  assert scaled.runs == res.runs


def test_bgrl_public_checks_its_split(rng):
  x, y = _blobs(rng)
  with pytest.raises(ValueError, match="empty"):
    ev.lr_public_sklearn_bgrl(x, y, {"train": np.arange(40), "val": np.array([], int),
                                     "test": np.arange(40, 200)})
  with pytest.raises(ValueError, match="outside"):
    ev.lr_public_sklearn_bgrl(x, y, {"train": np.arange(40), "val": np.arange(40, 60),
                                     "test": np.array([500])})


@pytest.mark.parametrize("probe", ["grace", "bgrl", "grace-public", "bgrl-public"])
def test_probes_never_draw_from_numpys_global_rng(rng, probe):
  """liblinear seeds itself from NumPy's global RNG unless given a random_state; every probe
  passes one derived from its seed, so the global state is left as it was."""
  x, y = _blobs(rng, scale=0.6)
  call = {"grace": lambda: ev.lr_rand_sklearn_grace(x, y, seed=3, c_grid=_GRID, repeats=2),
          "bgrl": lambda: ev.lr_rand_sklearn_bgrl(x, y, seed=3, c_grid=_GRID, repeats=2),
          "grace-public": lambda: ev.lr_public_sklearn_grace(
              x, y, {"train": np.arange(40), "test": np.arange(40, 200)}, seed=3,
              c_grid=_GRID, repeats=2),
          "bgrl-public": lambda: ev.lr_public_sklearn_bgrl(x, y, _three_way(), seed=3,
                                                           c_grid=_GRID)}[probe]
  np.random.seed(123)
  before = np.random.get_state()[1].copy()
  first = call()
  assert np.array_equal(np.random.get_state()[1], before)
  np.random.seed(456)
  assert call().runs == first.runs

"""Tests of the JAX / optax linear probes (LP-public, LP-rand, LR-rand-torch)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jgssl import evaluate as ev


def _blobs(rng, n=240, d=6, c=3, scale=3.0):
  y = rng.integers(0, c, n)
  centers = rng.normal(size=(c, d)) * scale
  return (centers[y] + rng.normal(size=(n, d))).astype(np.float32), y


def _public_split(n):
  return {"train": np.arange(0, 30), "val": np.arange(30, 60), "test": np.arange(60, n)}


# A handful of compiled shapes is shared by the tests (N = 240, d = 6, C = 3).
_FIT = jax.jit(ev.fit_linear_probe,
               static_argnames=("num_classes", "epochs", "eval_every", "init", "ties"))


def test_converges_to_sklearn_l2_logistic_regression_optimum(rng):
  """Full-batch Adam + torch-style weight decay reaches sklearn's L2-regularised optimum.

  mean CE + wd/2 |theta|^2 over (W, b) equals sklearn's multinomial LR with C = 1 / (n wd) on
  features with a constant column and no separate intercept.
  """
  n, d, c, wd = 90, 4, 3, 0.05
  y = rng.integers(0, c, n)
  x = (rng.normal(size=(c, d))[y] * 1.5 + rng.normal(size=(n, d))).astype(np.float32)
  rows = np.arange(n)
  run = _FIT(jax.random.key(0), x, y, rows, rows, rows, num_classes=c, epochs=3000, lr=0.02,
             weight_decay=wd)
  xa = np.hstack([x, np.ones((n, 1))])
  sk = LogisticRegression(C=1.0 / (n * wd), fit_intercept=False, tol=1e-10, max_iter=10000)
  sk.fit(xa, y)
  ours = np.vstack([np.asarray(run.params["w"]), np.asarray(run.params["b"])[None]])
  np.testing.assert_allclose(ours, sk.coef_.T, atol=1e-4)
  np.testing.assert_array_equal(np.argmax(xa @ ours, 1), sk.predict(xa))


def test_same_accuracy_as_sklearn_on_separable_problem(rng):
  x, y = _blobs(rng)
  split = _public_split(len(y))
  res = ev.lp_public_dgi(jax.random.key(1), x, y, split, restarts=4, epochs=200)
  sk = LogisticRegression(max_iter=2000).fit(x[split["train"]], y[split["train"]])
  sk_acc = np.mean(sk.predict(x[split["test"]]) == y[split["test"]])
  assert sk_acc > 0.97
  assert abs(res.value - sk_acc) <= 0.02
  assert res.protocol == "LP-public/DGI"
  assert res.main == "test_acc_last"


def test_best_val_versus_last_epoch_bookkeeping(rng):
  """Crafted: the validation rows are copies of the test rows with flipped binary labels.

  Then val_acc = 1 - test_acc after every epoch, so "test at best validation" is the *worst*
  test epoch while training drives the last epoch to the best one.
  """
  x, y = _blobs(rng, c=2)
  n = len(y)
  test_rows = np.arange(40, n)
  x2 = np.concatenate([x, x[test_rows]])
  y2 = np.concatenate([y, 1 - y[test_rows]])
  train, val, test = np.arange(40), np.arange(n, len(y2)), test_rows
  kw = dict(num_classes=2, epochs=60, lr=0.01)
  last = _FIT(jax.random.key(3), x2, y2, train, val, test, ties="last", **kw)
  first = _FIT(jax.random.key(3), x2, y2, train, val, test, ties="first", **kw)
  curve = np.asarray(last.test_acc)
  np.testing.assert_allclose(last.val_acc, 1.0 - curve, atol=1e-6)
  worst = np.flatnonzero(curve == curve.min())
  assert int(last.best_epoch) == worst[-1]
  assert int(first.best_epoch) == worst[0]
  assert float(last.test_acc_best_val) == pytest.approx(curve.min())
  assert float(last.test_acc_last) == pytest.approx(curve[-1])
  assert curve[-1] > 0.95 and curve.min() < curve[-1]  # the two numbers really differ


@pytest.mark.parametrize("ties", ["last", "first", "max_test"])
def test_tie_rules_match_their_definitions(rng, ties):
  x, y = _blobs(rng, scale=0.7)  # overlapping classes: plateaus and ties in val accuracy
  n = len(y)
  idx = (np.arange(30), np.arange(30, 60), np.arange(60, n))
  run = _FIT(jax.random.key(0), x, y, *idx, num_classes=3, epochs=100, lr=0.05, eval_every=10,
             ties=ties)
  val, test = np.asarray(run.val_acc), np.asarray(run.test_acc)
  evals = np.asarray(run.eval_epochs)
  np.testing.assert_array_equal(evals, np.arange(9, 100, 10))
  best = val.max()
  assert float(run.best_val_acc) == pytest.approx(best)
  hits = np.flatnonzero(val == best)
  if ties == "last":
    assert int(run.best_epoch) == evals[hits[-1]]
    assert float(run.test_acc_best_val) == pytest.approx(test[hits[-1]])
  elif ties == "first":
    assert int(run.best_epoch) == evals[hits[0]]
    assert float(run.test_acc_best_val) == pytest.approx(test[hits[0]])
  else:  # CCA-SSG: running max of test over epochs whose val ties or beats the running best
    best_so_far, kept = -1.0, 0.0
    for v, t in zip(val, test):
      if v >= best_so_far:
        best_so_far, kept = v, max(kept, t)
    assert float(run.test_acc_best_val) == pytest.approx(kept)


def test_restarts_give_per_run_values_and_std(rng):
  x, y = _blobs(rng, scale=0.8)
  res = ev.lp_public_dgi(jax.random.key(0), x, y, _public_split(len(y)), restarts=7, epochs=30)
  runs = np.asarray(res.runs["test_acc_last"])
  assert runs.shape == (7,)
  assert len(set(runs.tolist())) > 1  # restarts differ by their initialisation
  assert res["test_acc_last"] == pytest.approx(runs.mean())
  assert res["test_acc_last_std"] == pytest.approx(runs.std(ddof=1))  # torch.std, as DGI
  assert "test_acc_best_val" not in res.metrics  # DGI uses no validation
  assert res.settings["restarts"] == 7 and res.settings["epochs"] == 30


def test_vmapped_restarts_equal_separate_runs(rng):
  x, y = _blobs(rng)
  split = _public_split(len(y))
  key = jax.random.key(5)
  res = ev.linear_probe(key, x, y, split, epochs=20, restarts=3, init="torch")
  keys = jax.random.split(key, 3)
  idx = [split[part] for part in ("train", "val", "test")]
  single = [float(_FIT(k, x, y, *idx, num_classes=3, epochs=20, init="torch").test_acc_last)
            for k in keys]
  np.testing.assert_allclose(res.runs["test_acc_last"], single, atol=1e-6)


def test_padding_indices_change_nothing(rng):
  """-1 entries (used to stack splits of different sizes) are ignored rows."""
  x, y = _blobs(rng)
  idx = [np.arange(30), np.arange(30, 60), np.arange(60, len(y))]
  padded = [np.concatenate([i, -np.ones(k, i.dtype)]) for i, k in zip(idx, (7, 3, 11))]
  kw = dict(num_classes=3, epochs=20, init="torch")
  a = _FIT(jax.random.key(2), x, y, *idx, **kw)
  b = _FIT(jax.random.key(2), x, y, *padded, **kw)
  np.testing.assert_allclose(a.params["w"], b.params["w"], atol=1e-6)
  np.testing.assert_allclose(a.test_acc, b.test_acc)
  assert float(a.test_acc_best_val) == float(b.test_acc_best_val)


def test_graphmae_and_ccassg_report_both_numbers(rng):
  x, y = _blobs(rng, scale=0.8)
  split = _public_split(len(y))
  g = ev.lp_public_graphmae(jax.random.key(0), x, y, split, epochs=40)
  c = ev.lp_public_ccassg(jax.random.key(0), x, y, split, epochs=40)
  for res in (g, c):
    assert {"test_acc_last", "test_acc_best_val", "val_acc_best"} <= set(res.metrics)
    assert res.main == "test_acc_best_val"
  # Same init and trajectory: CCA-SSG's max-test bookkeeping can only be >= GraphMAE's.
  assert c["test_acc_best_val"] >= g["test_acc_best_val"] - 1e-7
  assert "selection on test" in c.note
  assert 0.0 <= g.value <= 1.0


def test_random_splits_are_seeded_and_sized():
  splits = ev.random_splits([0, 1], 1000)
  for s in splits:
    assert (len(s["train"]), len(s["val"]), len(s["test"])) == (100, 100, 800)
    all_idx = np.concatenate([s["train"], s["val"], s["test"]])
    assert np.array_equal(np.sort(all_idx), np.arange(1000))
  assert not np.array_equal(splits[0]["train"], splits[1]["train"])
  again = ev.random_splits(0, 1000)[0]
  assert all(np.array_equal(again[k], splits[0][k]) for k in again)


def test_lr_rand_torch_over_several_splits(rng):
  x, y = _blobs(rng, scale=0.9)
  res = ev.lr_rand_torch(jax.random.key(0), x, y, seeds=(0, 1, 2), epochs=100)
  assert res.protocol == "LR-rand-torch/GCA"
  assert len(res.runs["test_acc_best_val"]) == 3
  assert res.settings["split_seeds"] == (0, 1, 2)
  assert res.settings["eval_every"] == 20 and res.settings["ties"] == "first"
  # Evaluations happen only every 20 epochs: the chosen epoch is 19, 39, ...
  assert all((e + 1) % 20 == 0 for e in res.runs["best_epoch"])
  vals = np.asarray(res.runs["test_acc_best_val"])
  assert res["test_acc_best_val_std"] == pytest.approx(vals.std())
  assert res.value > 0.6


def test_lp_random_splits_with_gca_settings_equals_lr_rand_torch(rng):
  x, y = _blobs(rng, scale=0.9)
  gca = ev.lr_rand_torch(jax.random.key(0), x, y, seeds=(0, 1, 2), epochs=100)
  same = ev.lp_random_splits(jax.random.key(0), x, y, seeds=(0, 1, 2), epochs=100, lr=0.01,
                             weight_decay=0.0, eval_every=20, init="xavier", ties="first")
  assert same.runs["test_acc_best_val"] == gca.runs["test_acc_best_val"]
  assert same.settings["split_seeds"] == (0, 1, 2)
  assert same.protocol == "LP-rand/CCA-SSG"


def test_rejects_bad_inputs(rng):
  x, y = _blobs(rng)
  split = _public_split(len(y))
  key = jax.random.key(0)
  bad = x.copy()
  bad[5, 2] = np.nan
  with pytest.raises(ValueError, match="NaN"):
    ev.lp_public_dgi(key, bad, y, split, restarts=1, epochs=2)
  with pytest.raises(ValueError, match="entries"):
    ev.lp_public_dgi(key, x, y[:-1], split, restarts=1, epochs=2)
  with pytest.raises(ValueError, match="outside"):
    ev.lp_public_dgi(key, x, y, {"train": [0, 1], "test": [len(y)]}, restarts=1, epochs=2)
  with pytest.raises(ValueError, match="empty"):
    ev.lp_public_dgi(key, x, y, {"train": [], "test": [1, 2]}, restarts=1, epochs=2)
  with pytest.raises(ValueError, match="class id"):
    ev.linear_probe(key, x, y, split, epochs=2, num_classes=2)
  with pytest.raises(ValueError, match="unlabelled"):
    ev.linear_probe(key, x, np.where(np.arange(len(y)) == 3, -1, y), split, epochs=2)
  # -1 on a row that no split uses is fine (e.g. nodes without a label): DGI ignores the
  # validation rows, so an unlabelled validation row does not matter to it.
  res = ev.lp_public_dgi(key, x, np.where(np.arange(len(y)) == 40, -1, y), split, restarts=4,
                         epochs=200)
  assert res.value > 0.9
  with pytest.raises(ValueError, match="share"):
    ev.linear_probe(key, x, y, {"train": [0, 1], "test": [1, 2]}, epochs=2)
  with pytest.raises(ValueError, match="jax.random key"):
    ev.linear_probe(0, x, y, split, epochs=2)
  with pytest.raises(ValueError, match="ties"):
    ev.linear_probe(key, x, y, split, epochs=2, ties="best")


def test_lr_public_torch_swap_reports_the_validation_nodes(rng):
  """POT's swapped bookkeeping scores the validation rows: with informative features on the
  validation rows only (noise on the test rows), the swapped protocol reports a high accuracy and
  the correct one about chance."""
  x, y = _blobs(rng, n=240, d=6, c=3, scale=12.0)  # training / validation rows: far apart
  split = _public_split(240)
  x[split["test"]] = rng.normal(size=(len(split["test"]), 6)) * 12.0  # test rows: pure noise
  kw = dict(epochs=200, eval_every=20)
  correct = ev.lr_public_torch(jax.random.key(0), x, y, split, **kw)
  swapped = ev.lr_public_torch(jax.random.key(0), x, y, split, swap_val_test=True, **kw)
  assert correct.protocol == "LR-public-torch"
  assert swapped.protocol == "LR-public-torch/POT-swapped" and "VALIDATION" in swapped.note
  assert swapped["test_acc_best_val"] > 0.9
  assert correct["test_acc_best_val"] < 0.6


def test_lr_public_torch_needs_all_three_splits(rng):
  x, y = _blobs(rng)
  with pytest.raises(ValueError, match="'val'"):
    ev.lr_public_torch(jax.random.key(0), x, y, {"train": np.arange(30), "test": np.arange(30, 90)},
                       epochs=10)

"""Tests of TopK-rec (Recall@K / NDCG@K over all items) against a brute-force loop."""

import numpy as np
import pytest

from jgssl import evaluate as ev


def _brute_force(user_emb, item_emb, train, test, k):
  """LightGCL's `metrics` loop, written out per user with numpy."""
  num_users, num_items = user_emb.shape[0], item_emb.shape[0]
  train_sets = [set() for _ in range(num_users)]
  test_sets = [set() for _ in range(num_users)]
  for u, i in train.T:
    train_sets[u].add(int(i))
  for u, i in test.T:
    test_sets[u].add(int(i))
  recall = ndcg = 0.0
  users = 0
  for u in range(num_users):
    if not test_sets[u]:
      continue
    scores = item_emb @ user_emb[u]
    candidates = [i for i in np.argsort(-scores, kind="stable") if i not in train_sets[u]]
    ranking = candidates[:k]
    for i in ranking:
      assert i not in train_sets[u]
    labels = test_sets[u]
    hits = [r for r, i in enumerate(ranking) if i in labels]
    idcg = sum(1 / np.log2(r + 2) for r in range(min(k, len(labels))))
    recall += len(hits) / len(labels)
    ndcg += sum(1 / np.log2(r + 2) for r in hits) / idcg
    users += 1
  return recall / users, ndcg / users


def _case(rng, num_users=37, num_items=25, d=4, t=200, s=60):
  users = rng.normal(size=(num_users, d)).astype(np.float32)
  items = rng.normal(size=(num_items, d)).astype(np.float32)
  train = np.stack([rng.integers(0, num_users, t), rng.integers(0, num_items, t)])
  test = np.stack([rng.integers(0, num_users, s), rng.integers(0, num_items, s)])
  # Test items disjoint from the user's training items, as in the datasets.
  keep = ~np.isin(test[0] * num_items + test[1], train[0] * num_items + train[1])
  return users, items, train, test[:, keep]


@pytest.mark.parametrize("k", [1, 5, 20])
def test_matches_brute_force(rng, k):
  users, items, train, test = _case(rng)
  res = ev.topk_recommendation(users, items, train, test, ks=(k,), block_size=8)
  recall, ndcg = _brute_force(users, items, train, test, k)
  assert res[f"recall@{k}"] == pytest.approx(recall, abs=1e-6)
  assert res[f"ndcg@{k}"] == pytest.approx(ndcg, abs=1e-6)
  assert res.protocol == "TopK-rec" and res.main == f"recall@{k}"


def test_k_larger_than_item_count(rng):
  users, items, train, test = _case(rng, num_items=12)
  res = ev.topk_recommendation(users, items, train, test, ks=(40,))
  recall, ndcg = _brute_force(users, items, train, test, 40)
  # Every non-training item is ranked, so every test item is found.
  assert res["recall@40"] == pytest.approx(1.0)
  assert recall == pytest.approx(1.0)
  assert res["ndcg@40"] == pytest.approx(ndcg, abs=1e-6)


def test_training_items_are_excluded(rng):
  """A training item scored highest must not take a top slot from a test item."""
  users = np.array([[1.0, 0.0]], np.float32)
  items = np.array([[10.0, 0], [5.0, 0], [1.0, 0], [-1.0, 0]], np.float32)
  train = np.array([[0], [0]])  # item 0 (the best scored) was a training item
  test = np.array([[0], [1]])
  res = ev.topk_recommendation(users, items, train, test, ks=(1,))
  assert res["recall@1"] == 1.0 and res["ndcg@1"] == 1.0


def test_users_without_test_items_are_skipped_and_blocks_do_not_matter(rng):
  users, items, train, test = _case(rng)
  test = test[:, test[0] % 3 != 0]  # a third of the users have no test item
  a = ev.topk_recommendation(users, items, train, test, ks=(5, 10), block_size=4)
  b = ev.topk_recommendation(users, items, train, test, ks=(5, 10), block_size=1000)
  for m in a.metrics:
    assert a[m] == pytest.approx(b[m], abs=1e-6)
  assert a.settings["num_users_evaluated"] == len(np.unique(test[0]))
  recall, _ = _brute_force(users, items, train, test, 10)
  assert a["recall@10"] == pytest.approx(recall, abs=1e-6)


def test_ndcg_ideal_over_min_k_and_test_size():
  """One user, 3 test items, K = 2, both top slots hit: NDCG = 1 (ideal over min(K, 3) = 2)."""
  users = np.array([[1.0]], np.float32)
  items = np.array([[3.0], [2.0], [1.0], [-1.0]], np.float32)
  test = np.array([[0, 0, 0], [0, 1, 3]])
  res = ev.topk_recommendation(users, items, np.zeros((2, 0), int), test, ks=(2,))
  assert res["ndcg@2"] == pytest.approx(1.0)
  assert res["recall@2"] == pytest.approx(2 / 3)  # recall divides by |test|, not min(K, |test|)


def test_rejects_bad_inputs(rng):
  users, items, train, test = _case(rng)
  with pytest.raises(ValueError, match="widths"):
    ev.topk_recommendation(users, items[:, :2], train, test)
  with pytest.raises(ValueError, match="item id"):
    ev.topk_recommendation(users, items, train, np.array([[0], [999]]))
  with pytest.raises(ValueError, match="no user"):
    ev.topk_recommendation(users, items, train, np.zeros((2, 0), int))
  with pytest.raises(ValueError, match="ks"):
    ev.topk_recommendation(users, items, train, test, ks=(0,))
  bad = users.copy()
  bad[1, 1] = np.nan
  with pytest.raises(ValueError, match="NaN"):
    ev.topk_recommendation(bad, items, train, test)

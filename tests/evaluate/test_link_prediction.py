"""Tests of the LinkPred-GAE split and scores."""

import numpy as np
import pytest

from jgssl import evaluate as ev


def _random_graph(rng, n=200, e=1000):
  ei = rng.integers(0, n, (2, e))
  return ei, n


def _keys(pairs, n):
  return set((np.minimum(pairs[0], pairs[1]) * n + np.maximum(pairs[0], pairs[1])).tolist())


def test_split_sizes_disjointness_and_negatives(rng):
  ei, n = _random_graph(rng)
  s = ev.split_edges(0, ei, num_nodes=n)
  lo, hi = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
  all_edges = set((lo[lo != hi] * n + hi[lo != hi]).tolist())
  num = len(all_edges)
  assert s.test_pos.shape[1] == num // 10 and s.val_pos.shape[1] == num // 20
  assert s.train_pos.shape[1] == num - num // 10 - num // 20
  assert s.test_neg.shape == s.test_pos.shape and s.val_neg.shape == s.val_pos.shape
  train, val, test = (_keys(s.train_pos, n), _keys(s.val_pos, n), _keys(s.test_pos, n))
  assert train | val | test == all_edges
  assert not train & test and not train & val and not val & test
  negs = [s.val_neg, s.test_neg]
  for neg in negs:
    assert np.all(neg[0] < neg[1])  # no self-loops, canonical order
    assert not _keys(neg, n) & all_edges
    assert len(_keys(neg, n)) == neg.shape[1]  # no duplicates
  assert not _keys(s.val_neg, n) & _keys(s.test_neg, n)


def test_split_is_seeded(rng):
  ei, n = _random_graph(rng)
  a, b = ev.split_edges(1, ei, num_nodes=n), ev.split_edges(1, ei, num_nodes=n)
  c = ev.split_edges(2, ei, num_nodes=n)
  assert np.array_equal(a.test_pos, b.test_pos) and np.array_equal(a.test_neg, b.test_neg)
  assert not np.array_equal(a.test_pos, c.test_pos)


def test_direction_and_duplicates_do_not_matter(rng):
  ei, n = _random_graph(rng, n=50, e=200)
  both = np.concatenate([ei, ei[::-1], ei], axis=1)
  a, b = ev.split_edges(0, ei, num_nodes=n), ev.split_edges(0, both, num_nodes=n)
  assert np.array_equal(a.test_pos, b.test_pos) and np.array_equal(a.train_pos, b.train_pos)
  tei = a.train_edge_index()
  assert tei.shape == (2, 2 * a.train_pos.shape[1])
  assert _keys(tei, n) == _keys(a.train_pos, n)


def test_dense_graph_enumerates_non_edges():
  # Two 10-cliques: every non-edge crosses the communities.
  n = 20
  i, j = np.triu_indices(10, k=1)
  ei = np.concatenate([np.stack([i, j]), np.stack([i + 10, j + 10])], axis=1)
  s = ev.split_edges(0, ei, num_nodes=n)
  for neg in (s.val_neg, s.test_neg):
    assert np.all((neg[0] < 10) != (neg[1] < 10))
  # Community indicators score every edge 1 and every non-edge 0: perfect AUC / AP.
  z = np.repeat(np.eye(2), 10, axis=0) * 3.0
  res = ev.linkpred_gae(z, s)
  assert res["test_auc"] == pytest.approx(1.0) and res["test_ap"] == pytest.approx(1.0)
  assert res["val_auc"] == pytest.approx(1.0)
  assert res.protocol == "LinkPred-GAE" and res.seeds == (0,)


def test_auc_ap_of_perfect_and_reversed_scores():
  assert ev.roc_auc_ap([0.9, 0.8], [0.1, 0.2, 0.3]) == (1.0, 1.0)
  auc, _ = ev.roc_auc_ap([0.1, 0.2], [0.8, 0.9])
  assert auc == 0.0


def test_link_scores_are_sigmoid_of_inner_products(rng):
  z = rng.normal(size=(6, 3)) * 10
  pairs = np.array([[0, 1, 2], [3, 4, 5]])
  expected = 1 / (1 + np.exp(-np.sum(z[pairs[0]] * z[pairs[1]], axis=1)))
  np.testing.assert_allclose(ev.link_scores(z, pairs), expected, rtol=1e-6)


def test_rejects_bad_inputs(rng):
  with pytest.raises(ValueError, match=r"\[2, E\]"):
    ev.split_edges(0, np.zeros((3, 4), int), num_nodes=5)
  with pytest.raises(ValueError, match="outside"):
    ev.split_edges(0, np.array([[0, 1], [1, 9]]), num_nodes=5)
  i, j = np.triu_indices(8, k=1)
  with pytest.raises(ValueError, match="non-edges"):
    ev.split_edges(0, np.stack([i, j]), num_nodes=8)  # complete graph
  with pytest.raises(ValueError, match="empty test"):
    ev.split_edges(0, np.array([[0], [1]]), num_nodes=3)
  ei, n = _random_graph(rng, n=50, e=200)
  s = ev.split_edges(0, ei, num_nodes=n)
  with pytest.raises(ValueError, match="rows"):
    ev.linkpred_gae(rng.normal(size=(n - 1, 4)), s)
  z = rng.normal(size=(n, 4))
  z[0, 0] = np.nan
  with pytest.raises(ValueError, match="NaN"):
    ev.linkpred_gae(z, s)


def test_auc_is_invariant_to_embedding_scale(rng):
  """Scaling z scales every logit by the same positive factor: the ranking cannot change, even
  where the sigmoid saturates to 1.0 in float64."""
  ei, n = _random_graph(rng, n=80, e=300)
  s = ev.split_edges(0, ei, num_nodes=n)
  z = rng.normal(size=(n, 4))
  small, large = ev.linkpred_gae(z, s), ev.linkpred_gae(z * 30.0, s)
  for m in ("test_auc", "test_ap", "val_auc", "val_ap"):
    assert small[m] == pytest.approx(large[m], abs=1e-12)
  assert np.mean(ev.link_scores(z * 30.0, s.test_pos) == 1.0) > 0.1  # saturation did occur

"""Tests for jgssl.augment.diffusion (MVGRL's PPR and heat-kernel views, host side)."""

import jax
import numpy as np
import pytest
import scipy.linalg

import jgssl.augment as A
from jgssl import graph as graph_lib


def _random_adjacency(rng, n, p=0.3):
  a = np.triu((rng.random((n, n)) < p).astype(float), 1)
  return a + a.T


def _batch(seed=0, sizes=(6, 9, 4)):
  rng = np.random.default_rng(seed)
  graphs = []
  for n in sizes:
    a = _random_adjacency(rng, n)
    r, s = np.nonzero(a)
    graphs.append(graph_lib.from_edge_index(
        np.stack([s, r]), num_nodes=n, node_features=rng.normal(size=(n, 3)).astype(np.float32)))
  return graph_lib.batch(graphs)


def _blocks(graph):
  """Dense per-graph adjacency (row = receiver) of an unpadded batch."""
  out, start = [], 0
  for n in np.asarray(graph.n_node):
    a = np.zeros((n, n))
    sel = (graph.receivers >= start) & (graph.receivers < start + n) & graph.edges["mask"]
    a[graph.receivers[sel] - start, graph.senders[sel] - start] = graph.edges["weight"][sel]
    out.append(a)
    start += n
  return out


def _dense_from_graph(graph):
  n = int(np.sum(graph.n_node))
  s = np.zeros((n, n))
  s[graph.receivers, graph.senders] = graph.edges["weight"]
  return s


def test_ppr_matrix_matches_inverse_and_series():
  a = _random_adjacency(np.random.default_rng(1), 12)
  got = A.ppr_matrix(a, alpha=0.2)
  t = a + np.eye(12)
  d = np.diag(t.sum(1) ** -0.5)
  ref = 0.2 * np.linalg.inv(np.eye(12) - 0.8 * d @ t @ d)
  np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
  # Neumann series alpha * sum_k ((1 - alpha) A_hat)^k.
  series, term = np.zeros((12, 12)), np.eye(12)
  for _ in range(400):
    series += term
    term = 0.8 * d @ t @ d @ term
  np.testing.assert_allclose(got, 0.2 * series, atol=1e-8)


def test_heat_matrix_matches_expm_and_eigendecomposition():
  a = _random_adjacency(np.random.default_rng(2), 10)
  got = A.heat_matrix(a, t=5.0)
  t = a + np.eye(10)
  deg = t.sum(1)
  np.testing.assert_allclose(got, scipy.linalg.expm(5.0 * (t / deg[None, :] - np.eye(10))),
                             rtol=1e-10, atol=1e-12)
  # T D^-1 = D^1/2 (D^-1/2 T D^-1/2) D^-1/2 is similar to a symmetric matrix.
  w, v = np.linalg.eigh(np.diag(deg ** -0.5) @ t @ np.diag(deg ** -0.5))
  ref = np.diag(deg ** 0.5) @ v @ np.diag(np.exp(5.0 * (w - 1))) @ v.T @ np.diag(deg ** -0.5)
  np.testing.assert_allclose(got, ref, atol=1e-10)
  np.testing.assert_allclose(got.sum(0), 1.0, atol=1e-10)      # mass-preserving columns


def test_ppr_diffusion_graph_is_blockwise_matrix():
  A.clear_diffusion_cache()
  b = _batch()
  d = A.ppr_diffusion(b)
  np.testing.assert_array_equal(d.n_node, b.n_node)
  np.testing.assert_array_equal(d.nodes["x"], b.nodes["x"])
  assert d.edges["weight"].dtype == np.float32 and d.senders.dtype == np.int32
  dense = _dense_from_graph(d)
  start = 0
  for a in _blocks(b):
    n = a.shape[0]
    np.testing.assert_allclose(dense[start:start + n, start:start + n], A.ppr_matrix(a),
                               rtol=1e-6, atol=1e-7)
    start += n
  # No edge leaves its graph.
  gid = np.repeat(np.arange(len(b.n_node)), b.n_node)
  np.testing.assert_array_equal(gid[d.senders], gid[d.receivers])
  assert int(np.sum(d.n_edge)) == d.senders.shape[0]
  # The result pads and works with the jgssl helpers.
  padded = graph_lib.pad_graph(d, graph_lib.budget_for(d))
  assert np.all(np.isfinite(np.asarray(graph_lib.degree(padded))))


def test_top_k_and_epsilon_sparsification():
  A.clear_diffusion_cache()
  b = _batch(3)
  full = _dense_from_graph(A.heat_diffusion(b))
  d = A.heat_diffusion(b, top_k=3)
  assert np.all(np.bincount(d.receivers, minlength=full.shape[0]) <= 3)
  for i in range(full.shape[0]):
    kept = d.edges["weight"][d.receivers == i]
    others = np.delete(full[i], d.senders[d.receivers == i])
    assert kept.min() >= others.max() - 1e-7
  e = A.heat_diffusion(b, epsilon=0.05)
  np.testing.assert_array_equal(np.sort(e.edges["weight"]),
                                np.sort(full[full >= 0.05].astype(np.float32)))


def test_select_epsilon_rule():
  a = np.ones((4, 4)) - np.eye(4)                     # mean degree 3
  s = np.array([[1, 2e-3, 2e-3, 2e-5]] * 4)           # entries >= eps per row: 4, 3, 3, 1
  assert A.select_epsilon(s, a) == 1e-4               # 1e-5 -> 4, 1e-4 -> 3 (first best)
  b = _batch(4)
  d = A.ppr_diffusion(b, epsilon="auto")
  assert d.senders.shape[0] > 0


def test_padded_input_and_dropped_nodes():
  A.clear_diffusion_cache()
  b = _batch(5)
  padded = graph_lib.pad_graph(b, graph_lib.budget_for(b, edge_slack=7, extra_graphs=2))
  d1 = A.ppr_diffusion(b, top_k=4, cache=False)
  d2 = A.ppr_diffusion(padded, top_k=4, cache=False)
  for x, y in zip(jax.tree_util.tree_leaves(d1), jax.tree_util.tree_leaves(d2)):
    np.testing.assert_array_equal(x, y)
  # A dropped node gets no diffusion edges and does not take part in the others.
  g = jax.tree_util.tree_map(np.array, b)
  g.nodes["mask"][1] = False
  d3 = A.ppr_diffusion(g, cache=False)
  assert not np.any((d3.senders == 1) | (d3.receivers == 1))
  a = _blocks(b)[0]
  keep = [0, 2, 3, 4, 5]
  sub = A.ppr_matrix(a[np.ix_(keep, keep)])
  np.testing.assert_allclose(_dense_from_graph(d3)[np.ix_(keep, keep)], sub, rtol=1e-6,
                             atol=1e-7)


def test_cache_returns_same_read_only_result():
  A.clear_diffusion_cache()
  b = _batch(6)
  first = A.ppr_diffusion(b, top_k=2)
  assert A.ppr_diffusion(b, top_k=2) is first
  assert A.ppr_diffusion(b, top_k=3) is not first
  assert A.ppr_diffusion(jax.tree_util.tree_map(np.copy, b), top_k=2) is first  # by content
  with pytest.raises(ValueError):
    first.edges["weight"][0] = 5.0
  # Any change of content (here an extra node field) is a new entry.
  typed = b._replace(nodes={**b.nodes, "type": np.zeros(int(b.n_node.sum()), np.int32)})
  assert A.ppr_diffusion(typed, top_k=2) is not first
  A.clear_diffusion_cache()
  assert A.ppr_diffusion(b, top_k=2) is not first


def test_errors():
  b = _batch(7)
  with pytest.raises(ValueError, match="max_nodes"):
    A.ppr_diffusion(b, max_nodes=5, cache=False)
  with pytest.raises(ValueError, match="not both"):
    A.heat_diffusion(b, top_k=2, epsilon=0.1)
  with pytest.raises(ValueError, match="alpha"):
    A.ppr_matrix(np.zeros((2, 2)), alpha=0.0)
  with pytest.raises(ValueError, match="square"):
    A.heat_matrix(np.zeros((2, 3)))
  with pytest.raises(ValueError, match="top_k"):
    A.sparsify(np.eye(3), top_k=0)

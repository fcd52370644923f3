"""Tests for jgssl.augment.adaptive (GCA): centralities, weights, probabilities, dropping."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jgssl.augment as A
from jgssl import graph as graph_lib


def _dense_adjacency(graph):
  """Dense [N, N] adjacency of present edges (row = receiver), padded layout."""
  n = graph.nodes["mask"].shape[0]
  on = np.asarray(graph_lib.edge_mask(graph))
  a = np.zeros((n, n))
  np.add.at(a, (np.asarray(graph.receivers)[on], np.asarray(graph.senders)[on]), 1.0)
  return a


def _connected_batch():
  """Two connected, non-bipartite graphs (rings with chords), padded."""
  gs = []
  for n, chords in [(7, [(0, 3), (2, 5)]), (9, [(0, 4), (1, 6), (3, 8), (2, 7)])]:
    ring = [(i, (i + 1) % n) for i in range(n)]
    ei = np.array(ring + chords).T
    gs.append(graph_lib.from_edge_index(ei, num_nodes=n,
                                        node_features=np.eye(n, 4, dtype=np.float32)))
  b = graph_lib.batch(gs)
  return jax.tree_util.tree_map(
      jnp.asarray, graph_lib.pad_graph(b, graph_lib.budget_for(b, edge_slack=5, extra_graphs=2)))


def test_degree_centrality(graph):
  a = _dense_adjacency(graph)
  np.testing.assert_allclose(A.degree_centrality(graph), a.sum(1))


def test_pagerank_gca_matches_dense_iteration(graph):
  a = _dense_adjacency(graph)
  present = np.asarray(graph.nodes["mask"]) & np.asarray(graph.globals["mask"])[
      np.repeat(np.arange(len(graph.n_node)), np.asarray(graph.n_node))]
  out_deg = a.sum(0)
  p = np.where(out_deg > 0, a / np.where(out_deg > 0, out_deg, 1), 0.0)   # column-stochastic
  x = present.astype(float)
  for _ in range(25):
    x = 0.15 * x + 0.85 * p @ x
  np.testing.assert_allclose(A.pagerank_centrality(graph, num_iters=25), x, rtol=1e-4, atol=1e-6)


def test_pagerank_standard_matches_linear_solve(graph):
  a = _dense_adjacency(graph)
  gid = np.repeat(np.arange(len(graph.n_node)), np.asarray(graph.n_node))
  present = np.asarray(graph.nodes["mask"]) & np.asarray(graph.globals["mask"])[gid]
  got = np.asarray(A.pagerank_centrality(graph, variant="standard", num_iters=200))
  for g in range(5):
    idx = np.flatnonzero(present & (gid == g))
    n = len(idx)
    sub = a[np.ix_(idx, idx)]
    out_deg = sub.sum(0)
    # Google matrix with dangling columns replaced by uniform, solved exactly.
    p = np.where(out_deg > 0, sub / np.where(out_deg > 0, out_deg, 1), 1.0 / n)
    m = 0.85 * p + 0.15 / n
    w, v = np.linalg.eig(m)
    ref = np.real(v[:, np.argmax(np.real(w))])
    ref = ref / ref.sum()
    np.testing.assert_allclose(got[idx], ref, rtol=1e-4, atol=1e-6)
    assert got[idx].sum() == pytest.approx(1.0, abs=1e-5)
  assert np.all(got[~present] == 0)


def test_eigenvector_centrality_matches_eigh():
  g = _connected_batch()
  a = _dense_adjacency(g)
  got = np.asarray(A.eigenvector_centrality(g, num_iters=2000))
  gid = np.repeat(np.arange(len(g.n_node)), np.asarray(g.n_node))
  for k in range(2):
    idx = np.flatnonzero((gid == k) & np.asarray(g.nodes["mask"]))
    w, v = np.linalg.eigh(a[np.ix_(idx, idx)])
    ref = np.abs(v[:, -1])
    np.testing.assert_allclose(got[idx], ref, atol=1e-4)
  assert np.all(got[np.asarray(g.nodes["mask"]) == 0] == 0)


def _gca_reference_edge_weights(graph, log1p):
  """GCA's degree_drop_weights on the unpadded present edges (numpy port)."""
  on = np.asarray(graph_lib.edge_mask(graph))
  deg = _dense_adjacency(graph).sum(1)
  c = deg[np.asarray(graph.receivers)[on]]
  s = np.log(c + 1) if log1p else np.log(c)
  return on, (s.max() - s) / (s.max() - s.mean())


@pytest.mark.parametrize("log1p", [True, False])
def test_gca_degree_edge_weights_match_reference(graph, log1p):
  on, ref = _gca_reference_edge_weights(graph, log1p)
  w = np.asarray(A.edge_centrality_weights(graph, A.degree_centrality(graph), log1p=log1p))
  np.testing.assert_allclose(w[on], ref, rtol=1e-5, atol=1e-6)
  assert np.all(w[~on] == 0)
  assert w[on].mean() == pytest.approx(1.0, abs=1e-5)


def test_gca_weights_independent_of_padding(aug):
  small = aug.padded_batch(3, edge_slack=0)
  large = aug.padded_batch(3, edge_slack=50)
  weights = jax.jit(A.gca_weights, static_argnames=("scheme",))
  ws, fs = weights(small, scheme="degree")
  wl, fl = weights(large, scheme="degree")
  e = small.senders.shape[0]
  np.testing.assert_allclose(ws, wl[:e], rtol=1e-6)
  np.testing.assert_allclose(fs, fl, rtol=1e-6)
  np.testing.assert_array_equal(np.asarray(wl[e:]), 0)


def test_feature_weights_hand_computed():
  # 3 nodes, path 0-1-2: degrees 1, 2, 1. Feature 0 used by node 1, feature 1 by nodes 0 and 2
  # with value -2, feature 2 by nobody.
  x = np.array([[0, -2, 0], [1, 0, 0], [0, -2, 0]], np.float32)
  g = graph_lib.from_edge_index(np.array([[0, 1], [1, 2]]), num_nodes=3, node_features=x)
  g = jax.tree_util.tree_map(jnp.asarray, graph_lib.pad_graph(g, graph_lib.budget_for(g)))
  c = A.degree_centrality(g)
  # Sparse: w = [2, 1 + 1, 0] -> s = log(w + 1) = [log 3, log 3, 0].
  s = np.log(np.array([3.0, 3.0, 1.0]))
  np.testing.assert_allclose(A.feature_centrality_weights(g, c),
                             (s.max() - s) / (s.max() - s.mean()), rtol=1e-6)
  # Dense: |x| -> w = [2, 4, 0] -> s = [log 3, log 5, 0].
  s = np.log(np.array([3.0, 5.0, 1.0]))
  np.testing.assert_allclose(A.feature_centrality_weights(g, c, dense=True),
                             (s.max() - s) / (s.max() - s.mean()), rtol=1e-6)
  # log(w) variant: the unused column (log 0) gets the largest finite weight, no NaN.
  w = np.asarray(A.feature_centrality_weights(g, c, log1p=False))
  assert np.all(np.isfinite(w)) and w[2] == w.max()


def test_edge_probs_favour_central_nodes_and_respect_cap(graph):
  w, _ = A.gca_weights(graph, scheme="degree")
  on = np.asarray(graph_lib.edge_mask(graph))
  p = np.asarray(A.gca_edge_drop_probs(graph, w, rate=0.3))
  assert np.all(p[~on] == 0) and np.all(p <= 0.7 + 1e-7)
  deg = np.asarray(A.degree_centrality(graph))[np.asarray(graph.receivers)]
  # Strictly higher receiver degree -> lower or equal drop probability.
  order = np.argsort(deg[on])
  assert np.all(np.diff(p[on][order]) <= 1e-7)
  # Before capping the mean equals the rate; capping only lowers it.
  p_nocap = np.asarray(A.gca_edge_drop_probs(graph, w, rate=0.3, threshold=1.0))
  assert p_nocap[on].mean() == pytest.approx(0.3, abs=1e-5)
  assert p[on].mean() <= 0.3 + 1e-6


@pytest.mark.parametrize("scheme", ["degree", "pagerank", "eigenvector"])
def test_gca_schemes_are_finite_and_jittable(graph, scheme):
  w, f = jax.jit(lambda g: A.gca_weights(g, scheme=scheme, evc_iters=50))(graph)
  assert np.all(np.isfinite(w)) and np.all(np.isfinite(f))
  on = np.asarray(graph_lib.edge_mask(graph))
  assert np.asarray(w)[on].mean() == pytest.approx(1.0, abs=1e-4)


def test_adaptive_drop_frequencies_follow_probs(aug, keys, graph):
  w, fw = A.gca_weights(graph, scheme="degree")
  pe = A.gca_edge_drop_probs(graph, w, rate=0.4)
  pf = A.gca_feature_drop_probs(fw, rate=0.4)
  ks = jax.random.split(jax.random.key(0), 512)
  edges_out = aug.run(A.AdaptiveDropEdges(probs=pe), ks, graph)
  feats_out = aug.run(A.AdaptiveMaskFeatures(probs=pf), ks, graph)
  on = np.asarray(graph_lib.edge_mask(graph))
  freq = 1 - np.asarray(edges_out.edges["mask"])[:, on].mean(0)
  np.testing.assert_allclose(freq, np.asarray(pe)[on], atol=0.08)
  real = np.asarray(graph.globals["mask"])[aug.node_gid(graph)]
  col_zero = np.all(np.asarray(feats_out.nodes["x"])[:, real] == 0, axis=1).mean(0)
  np.testing.assert_allclose(col_zero, np.asarray(pf), atol=0.08)
  for i in range(0, 512, 101):
    aug.check(graph, aug.unbatch(edges_out, i), features_may_change=False, nodes_may_drop=False)
    aug.check(graph, aug.unbatch(feats_out, i), nodes_may_drop=False)


def test_bad_shapes(graph):
  with pytest.raises(ValueError, match=r"\[E\]"):
    A.adaptive_drop_edges(jax.random.key(0), graph, probs=jnp.zeros(3))
  with pytest.raises(ValueError, match=r"\[F\]"):
    A.adaptive_mask_features(jax.random.key(0), graph, probs=jnp.zeros(2))
  with pytest.raises(ValueError, match="scheme"):
    A.gca_weights(graph, scheme="katz")
  with pytest.raises(ValueError, match="variant"):
    A.pagerank_centrality(graph, variant="lazy")

"""Tests for jgssl.graph: construction, padding round trips, masks, degrees, normalisation."""

import jax
import jax.numpy as jnp
import jraph
import numpy as np
import pytest

from jgssl import graph as G


def _random_graph(rng, num_nodes, num_edges, num_features=3):
  edge_index = rng.integers(0, num_nodes, size=(2, num_edges))
  x = rng.normal(size=(num_nodes, num_features)).astype(np.float32)
  return G.from_edge_index(edge_index, num_nodes=num_nodes, node_features=x)


def _edge_set(g):
  return set(zip(np.asarray(g.senders).tolist(), np.asarray(g.receivers).tolist()))


def test_from_edge_index_symmetrises_dedupes_and_drops_self_loops():
  ei = np.array([[0, 1, 1, 2, 2, 0], [1, 0, 2, 2, 1, 1]])
  g = G.from_edge_index(ei, num_nodes=3)
  assert _edge_set(g) == {(0, 1), (1, 0), (1, 2), (2, 1)}
  assert int(g.n_edge[0]) == 4 and g.nodes["x"].shape == (3, 0)
  assert g.nodes["mask"].all() and g.edges["mask"].all() and g.globals["mask"].all()


def test_from_edge_index_self_loop_options():
  ei = np.array([[0, 1, 2], [1, 2, 2]])
  keep = G.from_edge_index(ei, num_nodes=3, symmetrize=False, self_loops="keep")
  assert (2, 2) in _edge_set(keep)
  add = G.from_edge_index(ei, num_nodes=3, symmetrize=False, self_loops="add")
  assert {(0, 0), (1, 1), (2, 2)} <= _edge_set(add)
  assert sum(1 for s, r in _edge_set(add) if s == r) == 3
  assert len(add.senders) == len(_edge_set(add))  # no duplicate (2, 2)


def test_from_edge_index_extra_edges_follow_symmetrisation():
  ei = np.array([[0, 1], [1, 2]])
  g = G.from_edge_index(ei, num_nodes=3, extra_edges={"type": np.array([5, 7])})
  for s, r, t in zip(g.senders, g.receivers, g.edges["type"]):
    assert t == (5 if {s, r} == {0, 1} else 7)


@pytest.mark.parametrize("bad, match", [
    (np.array([[0, 3]]), r"shape \[2, E\]"),
    (np.array([[0, 5], [1, 2]]), "outside"),
    (np.array([[-1, 0], [1, 2]]), "outside"),
])
def test_from_edge_index_rejects_bad_input(bad, match):
  with pytest.raises(ValueError, match=match):
    G.from_edge_index(bad, num_nodes=4)


def test_from_edge_index_rejects_wrong_feature_rows():
  with pytest.raises(ValueError, match="node_features"):
    G.from_edge_index(np.array([[0], [1]]), num_nodes=3, node_features=np.ones((2, 4)))


def test_pad_and_unpad_round_trip(rng):
  gs = [_random_graph(rng, n, 2 * n) for n in (4, 7, 5)]
  b = G.batch(gs)
  budget = G.PaddingBudget(n_node=32, n_edge=80, n_graph=6)
  p = G.pad_graph(b, budget)
  assert p.nodes["x"].shape == (32, 3) and p.senders.shape == (80,) and p.n_node.shape == (6,)
  assert p.nodes["mask"].sum() == 16 and not p.nodes["mask"][16:].any()
  assert p.edges["mask"].sum() == b.senders.shape[0]
  assert p.globals["mask"].tolist() == [True] * 3 + [False] * 3
  # Padding edges point at a padding node, never at a real one.
  assert (p.senders[~p.edges["mask"]] >= 16).all()
  u = G.unpad_graph(p)
  for a, c in zip(jax.tree_util.tree_leaves(u), jax.tree_util.tree_leaves(b)):
    np.testing.assert_array_equal(a, c)


def test_pad_graph_reports_overflow(rng):
  g = _random_graph(rng, 10, 20)
  with pytest.raises(ValueError, match="does not fit"):
    G.pad_graph(g, G.PaddingBudget(n_node=10, n_edge=100))  # no room for the padding node


def test_budget_for_fits_and_rounds(rng):
  g = _random_graph(rng, 10, 20)
  bud = G.budget_for(g, edge_slack=5, multiple=16)
  assert bud.n_node % 16 == 0 and bud.n_edge % 16 == 0
  assert bud.n_edge >= int(g.n_edge.sum()) + 5
  G.pad_graph(g, bud)  # fits


@pytest.mark.parametrize("multiple", [1, 3, 8, 64])
def test_rounded_budget_is_the_smallest_multiple_that_fits(multiple):
  for n_node, n_edge in [(1, 0), (5, 7), (64, 64), (65, 129)]:
    bud = G.PaddingBudget.rounded(n_node=n_node, n_edge=n_edge, n_graph=3, multiple=multiple)
    for want, got in [(n_node, bud.n_node), (n_edge, bud.n_edge)]:
      assert got % multiple == 0 and want <= got < want + multiple
    assert bud.n_graph == 3


def test_rounded_budget_rejects_bad_multiple():
  with pytest.raises(ValueError, match="multiple"):
    G.PaddingBudget.rounded(n_node=4, n_edge=4, n_graph=2, multiple=0)


def test_masks_and_node_graph_index_are_jittable(rng):
  p = G.pad_graph(G.batch([_random_graph(rng, 3, 4), _random_graph(rng, 2, 2)]),
                  G.PaddingBudget(8, 16, 4))
  idx = jax.jit(G.node_graph_index)(p)
  np.testing.assert_array_equal(idx, [0, 0, 0, 1, 1, 2, 2, 2])
  assert int(jax.jit(G.num_real_nodes)(p)) == 5
  # An edge whose endpoint is dropped is not present.
  dropped = p._replace(nodes={**p.nodes, "mask": jnp.asarray(p.nodes["mask"]).at[0].set(False)})
  em = np.asarray(G.edge_mask(dropped))
  touches0 = (np.asarray(p.senders) == 0) | (np.asarray(p.receivers) == 0)
  assert not em[touches0].any()
  assert (em[~touches0] == np.asarray(p.edges["mask"])[~touches0]).all()


def test_zero_out_padding_zeroes_only_padding(rng):
  p = G.pad_graph(_random_graph(rng, 5, 8), G.PaddingBudget(9, 20, 3))
  noisy = p._replace(nodes={**p.nodes, "x": jnp.ones_like(p.nodes["x"]) * 3.0},
                     edges={**p.edges, "weight": jnp.full(p.senders.shape, 2.0)})
  z = jax.jit(G.zero_out_padding)(noisy)
  assert (np.asarray(z.nodes["x"][:5]) == 3.0).all() and (np.asarray(z.nodes["x"][5:]) == 0).all()
  ne = int(p.n_edge[0])
  assert (np.asarray(z.edges["weight"][:ne]) == 2.0).all()
  assert (np.asarray(z.edges["weight"][ne:]) == 0).all()


def test_degree_and_gcn_weights_match_dense(rng):
  g = _random_graph(rng, 12, 30)
  p = G.pad_graph(g, G.PaddingBudget(16, 64, 3))
  n = 12
  a = np.zeros((n, n))
  a[np.asarray(g.receivers), np.asarray(g.senders)] = 1.0
  np.testing.assert_allclose(np.asarray(G.degree(p))[:n], a.sum(1))
  assert (np.asarray(G.degree(p))[n:] == 0).all()
  ew, sw = jax.jit(G.symmetric_norm_weights)(p)
  a_hat = a + np.eye(n)
  dinv = 1 / np.sqrt(a_hat.sum(1))
  norm = dinv[:, None] * a_hat * dinv[None, :]
  dense = np.zeros((n, n))
  m = np.asarray(p.edges["mask"])
  np.add.at(dense, (np.asarray(p.receivers)[m], np.asarray(p.senders)[m]), np.asarray(ew)[m])
  dense += np.diag(np.asarray(sw)[:n])
  np.testing.assert_allclose(dense, norm, rtol=1e-5, atol=1e-6)
  assert (np.asarray(ew)[~m] == 0).all() and (np.asarray(sw)[n:] == 0).all()


def test_gcn_weights_follow_dropped_edges(rng):
  g = _random_graph(rng, 6, 10)
  p = G.pad_graph(g, G.PaddingBudget(8, 32, 2))
  drop = np.zeros(32, bool)
  drop[0] = True
  dropped = p._replace(edges={**p.edges, "mask": p.edges["mask"] & ~drop})
  ew, _ = G.symmetric_norm_weights(dropped)
  assert float(ew[0]) == 0.0
  # Degree of the receiver of the dropped edge went down by one.
  r = int(p.receivers[0])
  assert float(G.degree(dropped)[r]) == float(G.degree(p)[r]) - 1


# Smoke tests for every jraph symbol the library relies on (DESIGN.md: jraph is unmaintained).
def test_jraph_symbols_still_work(rng):
  g1, g2 = _random_graph(rng, 3, 4), _random_graph(rng, 4, 6)
  b = jraph.batch_np([g1, g2])
  assert b.n_node.tolist() == [3, 4]
  parts = jraph.unbatch_np(b)
  assert [int(p.n_node[0]) for p in parts] == [3, 4]
  p = jraph.pad_with_graphs(b, 10, 20, 3)
  assert jraph.get_graph_padding_mask(p).tolist() == [True, True, False]
  assert int(jraph.get_number_of_padding_with_graphs_nodes(p)) == 3
  seg = jraph.segment_sum(jnp.ones(4), jnp.array([0, 0, 1, 2]), num_segments=3)
  np.testing.assert_array_equal(seg, [2, 1, 1])
  mx = jraph.segment_max(jnp.array([1.0, 5.0, 2.0]), jnp.array([0, 0, 1]), num_segments=3)
  assert float(mx[0]) == 5.0
  sm = jraph.segment_softmax(jnp.array([0.0, 0.0, 1.0]), jnp.array([0, 0, 1]), num_segments=2)
  np.testing.assert_allclose(sm, [0.5, 0.5, 1.0])
  mean = jraph.segment_mean(jnp.array([1.0, 3.0]), jnp.array([0, 0]), num_segments=1)
  assert float(mean[0]) == 2.0

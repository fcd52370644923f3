"""CSGCL's community augmentations: Leiden communities, community strength, CED and CAV, against
direct leidenalg / igraph calls and numpy transcriptions of HanChen-HUST/CSGCL
``src/functional.py``."""

import igraph
import jax
import jax.numpy as jnp
import leidenalg
import numpy as np
import pytest

import jgssl.augment as A
from jgssl import graph as graph_lib


def _cliques_graph(sizes=(4, 4), bridges=((3, 4),), num_features=5, seed=0, self_loops=()):
  """Cliques of ``sizes`` (consecutive ids) joined by ``bridges``, as an unpadded graph."""
  edges, start = [], 0
  for s in sizes:
    edges += [(start + i, start + j) for i in range(s) for j in range(i + 1, s)]
    start += s
  edges += list(bridges) + [(i, i) for i in self_loops]
  x = np.random.default_rng(seed).random((start, num_features)).astype(np.float32)
  return graph_lib.from_edge_index(np.array(edges).T, num_nodes=start, node_features=x,
                                   self_loops="keep" if self_loops else "remove")


def _pad(g, extra_nodes=3, extra_edges=7):
  budget = graph_lib.PaddingBudget(n_node=int(g.n_node.sum()) + extra_nodes,
                                   n_edge=int(g.n_edge.sum()) + extra_edges, n_graph=2)
  return jax.tree_util.tree_map(jnp.asarray, graph_lib.pad_graph(g, budget))


def _sbm(n=60, blocks=3, p_in=0.3, p_out=0.02, seed=0, num_features=8):
  rng = np.random.default_rng(seed)
  block = np.arange(n) % blocks
  prob = np.where(block[:, None] == block[None, :], p_in, p_out)
  iu = np.triu_indices(n, 1)
  keep = rng.random(iu[0].shape) < prob[iu]
  x = (rng.random((n, num_features)) < 0.3) * rng.random((n, num_features))
  x[:, 0] = 0.0  # an all-zero ("redundant") column: CAV's special case
  return graph_lib.from_edge_index(np.stack([iu[0][keep], iu[1][keep]]), num_nodes=n,
                                   node_features=x.astype(np.float32))


def _same_partition(a, b):
  """Equal as partitions (ids may differ)."""
  a, b = np.asarray(a), np.asarray(b)
  pairs = set(zip(a.tolist(), b.tolist()))
  return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


# ---------------------------------------------------------------------------------------------
# Numpy transcriptions of the official code (src/functional.py)
# ---------------------------------------------------------------------------------------------


def _adjacency_sets(g):
  """{node: {neighbour, ...}} of the present real part (networkx's view of the graph)."""
  on = np.asarray(g.edges["mask"])
  adj = {i: set() for i in np.flatnonzero(np.asarray(g.nodes["mask"]))}
  for s, r in zip(np.asarray(g.senders)[on], np.asarray(g.receivers)[on]):
    adj[int(s)].add(int(r))
    adj[int(r)].add(int(s))
  return adj


def official_strength(adj, communities):
  """``community_strength``: the loop over nodes and neighbours, with networkx's counts."""
  coms = {node: int(communities[node]) for node in adj}
  degree = {v: len(nb) + (1 if v in nb else 0) for v, nb in adj.items()}  # a loop counts 2
  links = sum(len(nb) + (1 if v in nb else 0) for v, nb in adj.items()) / 2.0
  inc, deg = {}, {}
  for node in adj:
    com = coms[node]
    deg[com] = deg.get(com, 0.0) + degree[node]
    for neighbor in adj[node]:
      if coms[neighbor] == com:
        inc[com] = inc.get(com, 0.0) + (1.0 if neighbor == node else 0.5)
  com_cs = np.array([inc.get(c, 0.0) / links - (deg.get(c, 0.0) / (2.0 * links)) ** 2
                     for c in sorted(set(coms.values()))])
  return com_cs, np.array([com_cs[coms[v]] for v in sorted(adj)])


def official_edge_keep(senders, receivers, com, com_cs, p, threshold):
  """``get_edge_weight`` then ``ced``'s keep probabilities."""
  m = np.array([com_cs[com[u]] if com[u] == com[v] else -(com_cs[com[u]] + com_cs[com[v]])
                for u, v in zip(senders, receivers)])
  w = (m - m.min()) / (m.max() - m.min())
  w = w / w.mean() * (1.0 - p)
  w = np.where(w > 1.0 - threshold, w, 1.0 - threshold)
  return np.where(w < 1, w, 1.0)


def official_cav(x, node_cs, p, max_threshold):
  """``cav``'s drop probabilities of the feature columns."""
  w = np.abs(x).T @ node_cs
  w[w == 0] = w.max()
  w = np.log(w)
  w = (w.max() - w) / (w.max() - w.min())
  w = w / w.mean() * p
  w = np.where(w < max_threshold, w, max_threshold)
  return np.where(w > 0, w, 0.0)


# ---------------------------------------------------------------------------------------------
# Leiden
# ---------------------------------------------------------------------------------------------


def test_two_cliques_joined_by_an_edge_are_two_communities():
  g = _pad(_cliques_graph())
  com = np.asarray(jax.jit(A.leiden_communities)(g))
  np.testing.assert_array_equal(com[:8], [0, 0, 0, 0, 1, 1, 1, 1])
  assert np.all(com[8:] == -1)  # padding nodes: no community
  assert com.dtype == np.int32 and com.shape == (g.nodes["mask"].shape[0],)


def test_matches_a_direct_leidenalg_call():
  g = _sbm()
  on = np.asarray(g.edges["mask"])
  s, r = np.asarray(g.senders)[on], np.asarray(g.receivers)[on]
  direct = igraph.Graph(n=60, edges=[(a, b) for a, b in zip(s, r) if a < b], directed=False)
  want = leidenalg.find_partition(direct, leidenalg.ModularityVertexPartition, seed=0)
  got = np.asarray(A.leiden_communities(_pad(g), seed=0))[:60]
  assert _same_partition(got, want.membership)
  assert len(set(got.tolist())) == 3
  # Ids by first appearance: node 0 in community 0, each new id one past the largest so far.
  firsts = [got[: i + 1].max() for i in range(60)]
  assert got[0] == 0 and np.all(np.diff(firsts) <= 1)
  np.testing.assert_allclose(direct.modularity(got.tolist()), want.quality(), rtol=1e-6)


def test_padding_and_dropped_nodes_are_left_out():
  g = _sbm()
  small, big = _pad(g, 1, 1), _pad(g, 40, 200)
  a, b = A.leiden_communities(small, seed=3), A.leiden_communities(big, seed=3)
  np.testing.assert_array_equal(np.asarray(a)[:60], np.asarray(b)[:60])
  assert np.all(np.asarray(b)[60:] == -1)
  # A dropped node (mask False) gets -1 and the others are still partitioned.
  mask = np.asarray(big.nodes["mask"]).copy()
  mask[5] = False
  dropped = big._replace(nodes={**big.nodes, "mask": jnp.asarray(mask)})
  c = np.asarray(A.leiden_communities(dropped, seed=3))
  assert c[5] == -1 and np.all(c[:60][np.arange(60) != 5] >= 0)


def test_seed_is_reproducible_and_checked():
  g = _pad(_sbm())
  np.testing.assert_array_equal(A.leiden_communities(g, seed=7), A.leiden_communities(g, seed=7))
  with pytest.raises(ValueError, match="seed"):
    A.leiden_communities(g, seed=-1)
  with pytest.raises(ValueError, match="seed"):
    A.leiden_communities(g, seed=1.5)


def test_host_membership_edge_cases():
  # No edges: singletons; no nodes: empty.
  np.testing.assert_array_equal(
      A.leiden_membership(np.zeros(0, int), np.zeros(0, int), 3), [0, 1, 2])
  assert A.leiden_membership(np.zeros(0, int), np.zeros(0, int), 0).shape == (0,)


# ---------------------------------------------------------------------------------------------
# Community strength
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("self_loops", [(), (0, 5)])
def test_strength_matches_the_official_loop(self_loops):
  g = _pad(_cliques_graph(sizes=(4, 5, 3), bridges=((3, 4), (8, 9), (0, 10)),
                          self_loops=self_loops))
  com = A.leiden_communities(g)
  com_cs, node_cs = jax.jit(A.community_strength)(g, com)
  want_c, want_n = official_strength(_adjacency_sets(g), np.asarray(com))
  c = len(want_c)
  np.testing.assert_allclose(np.asarray(com_cs)[:c], want_c, rtol=1e-5, atol=1e-7)
  assert np.all(np.asarray(com_cs)[c:] == 0)            # ids without nodes
  np.testing.assert_allclose(np.asarray(node_cs)[:12], want_n, rtol=1e-5, atol=1e-7)
  assert np.all(np.asarray(node_cs)[12:] == 0)          # padding


def test_strengths_sum_to_the_modularity():
  g = _sbm()
  com = np.asarray(A.leiden_communities(_pad(g)))
  com_cs, _ = A.community_strength(_pad(g), jnp.asarray(com), num_communities=10)
  on = np.asarray(g.edges["mask"])
  s, r = np.asarray(g.senders)[on], np.asarray(g.receivers)[on]
  ig = igraph.Graph(n=60, edges=[(a, b) for a, b in zip(s, r) if a < b])
  np.testing.assert_allclose(float(np.sum(com_cs)), ig.modularity(com[:60].tolist()), rtol=1e-5)


def test_strength_validation():
  g = _pad(_cliques_graph())
  with pytest.raises(ValueError, match="communities must be an int array"):
    A.community_strength(g, jnp.zeros(4, jnp.int32))
  with pytest.raises(ValueError, match="communities must be an int array"):
    A.community_strength(g, jnp.zeros(g.nodes["mask"].shape[0]))
  with pytest.raises(ValueError, match="num_communities"):
    A.community_strength(g, jnp.zeros(g.nodes["mask"].shape[0], jnp.int32), num_communities=0)


# ---------------------------------------------------------------------------------------------
# CED
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate,threshold", [(0.5, 1.0), (0.3, 1.0), (0.7, 0.6), (0.1, 0.05)])
def test_ced_probabilities_match_the_official_formula(rate, threshold):
  g = _pad(_sbm())
  com = A.leiden_communities(g)
  com_cs, node_cs = A.community_strength(g, com)
  weights = A.community_edge_weights(g, com, node_cs)
  probs = np.asarray(A.community_edge_drop_probs(g, weights, rate=rate, threshold=threshold))
  on = np.asarray(g.edges["mask"])
  keep = official_edge_keep(np.asarray(g.senders)[on], np.asarray(g.receivers)[on],
                            np.asarray(com), np.asarray(com_cs, np.float64), rate, threshold)
  np.testing.assert_allclose(probs[on], 1.0 - keep, atol=1e-5)
  assert np.all(probs[~on] == 0)
  assert probs.min() >= 0 and probs.max() <= threshold + 1e-7
  w = np.asarray(weights)[on]
  assert w.min() == 0.0 and w.max() == 1.0  # min-max normalised


def test_ced_spares_intra_community_edges_and_drops_at_the_probabilities():
  g = _pad(_sbm())
  com = A.leiden_communities(g)
  _, node_cs = A.community_strength(g, com)
  probs = A.community_edge_drop_probs(g, A.community_edge_weights(g, com, node_cs), rate=0.5)
  views = jax.jit(jax.vmap(lambda k: A.adaptive_drop_edges(k, g, probs=probs)))(
      jax.random.split(jax.random.key(0), 2000))
  on = np.asarray(g.edges["mask"])
  dropped = 1.0 - np.asarray(views.edges["mask"]).mean(0)
  np.testing.assert_allclose(dropped[on], np.asarray(probs)[on], atol=0.05)
  c = np.asarray(com)
  inside = (c[np.asarray(g.senders)] == c[np.asarray(g.receivers)])[on]
  assert np.asarray(probs)[on][inside].max() < np.asarray(probs)[on][~inside].min()
  assert not np.any(np.asarray(views.edges["mask"])[:, ~on])  # padding stays masked


def test_ced_constant_scores_and_rate_zero():
  g = _pad(_cliques_graph(sizes=(5,), bridges=()))   # one community: every edge scores alike
  com = A.leiden_communities(g)
  _, node_cs = A.community_strength(g, com)
  w = np.asarray(A.community_edge_weights(g, com, node_cs))
  on = np.asarray(g.edges["mask"])
  assert np.all(w[on] == 1.0) and np.all(w[~on] == 0.0)
  probs = A.community_edge_drop_probs(g, jnp.asarray(w), rate=0.0)
  assert np.all(np.asarray(probs) == 0.0)
  with pytest.raises(ValueError, match="weights must have shape"):
    A.community_edge_drop_probs(g, jnp.ones(3), rate=0.2)
  with pytest.raises(ValueError, match="rate"):
    A.community_edge_drop_probs(g, jnp.asarray(w), rate=1.5)


# ---------------------------------------------------------------------------------------------
# CAV
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate,threshold", [(0.1, 1.0), (0.5, 1.0), (0.4, 0.7)])
def test_cav_probabilities_match_the_official_formula(rate, threshold):
  g = _sbm()
  gp = _pad(g)
  com = A.leiden_communities(gp)
  _, node_cs = A.community_strength(gp, com)
  weights = A.community_feature_weights(gp, node_cs)
  probs = np.asarray(A.gca_feature_drop_probs(weights, rate=rate, threshold=threshold))
  want = official_cav(np.asarray(g.nodes["x"], np.float64), np.asarray(node_cs)[:60], rate,
                      threshold)
  np.testing.assert_allclose(probs, want, atol=1e-5)
  assert probs[0] == 0.0  # the all-zero column is never masked
  assert probs.min() >= 0 and probs.max() <= threshold
  np.testing.assert_allclose(np.mean(np.asarray(weights)), 1.0, rtol=1e-5)


def test_cav_ignores_padding_rows():
  g = _sbm()
  small, big = _pad(g, 1, 1), _pad(g, 30, 50)
  big = big._replace(nodes={**big.nodes, "x": big.nodes["x"].at[60:].set(5.0)})
  ws = []
  for gp in (small, big):
    _, node_cs = A.community_strength(gp, A.leiden_communities(gp))
    ws.append(np.asarray(A.community_feature_weights(gp, node_cs.at[60:].set(1.0))))
  np.testing.assert_allclose(ws[0], ws[1], rtol=1e-5, atol=1e-6)
  with pytest.raises(ValueError, match="node_strength must have shape"):
    A.community_feature_weights(small, jnp.ones(3))

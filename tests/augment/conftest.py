"""Random padded batches and invariant checks shared by the jgssl.augment tests."""

import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import graph as graph_lib

NUM_KEYS = 64
SIZES = (5, 8, 11, 14, 1)   # the last graph has a single node and no edges
NUM_FEATURES = 6
EDGE_SLACK = 40


def random_graph(rng, num_nodes, num_features=NUM_FEATURES, density=2.0):
  """A symmetrised random multigraph-free graph with float features (host side)."""
  num_pairs = int(density * num_nodes)
  ei = rng.integers(0, num_nodes, size=(2, num_pairs)) if num_nodes > 1 else np.zeros((2, 0), int)
  x = rng.normal(size=(num_nodes, num_features)).astype(np.float32)
  return graph_lib.from_edge_index(ei, num_nodes=num_nodes, node_features=x)


def padded_batch(seed=0, sizes=SIZES, edge_slack=EDGE_SLACK, predrop=True):
  """A padded batch: real graphs ``sizes``, 3 padding nodes, slack edges, 2 padding graphs.

  With ``predrop`` one real node of graph 1 is already dropped (with its edges) and one edge of
  graph 2 is already masked, so tests can check that augmentations never revive them.
  """
  rng = np.random.default_rng(seed)
  b = graph_lib.batch([random_graph(rng, n) for n in sizes])
  budget = graph_lib.PaddingBudget(n_node=int(b.n_node.sum()) + 3,
                                   n_edge=int(b.n_edge.sum()) + edge_slack,
                                   n_graph=len(sizes) + 2)
  g = graph_lib.pad_graph(b, budget)
  g = jax.tree_util.tree_map(np.array, g)
  if predrop:
    node = sizes[0] + 2                      # a node of graph 1
    g.nodes["mask"][node] = False
    g.edges["mask"] &= (g.senders != node) & (g.receivers != node)
    start = int(g.n_edge[:2].sum())
    g.edges["mask"][start] = False           # an edge of graph 2
  return jax.tree_util.tree_map(jnp.asarray, g)


def node_gid(g):
  return np.repeat(np.arange(len(g.n_node)), np.asarray(g.n_node))


def edge_gid(g):
  return np.repeat(np.arange(len(g.n_edge)), np.asarray(g.n_edge))


def unbatch_keys(tree, i):
  """The i-th element of a vmapped output."""
  return jax.tree_util.tree_map(lambda leaf: np.asarray(leaf)[i], tree)


def check_invariants(before, after, *, slack_may_change=False, features_may_change=True,
                     nodes_may_drop=True):
  """Asserts the augmentation contract on one (unbatched) output."""
  b = jax.tree_util.tree_map(np.asarray, before)
  a = jax.tree_util.tree_map(np.asarray, after)
  # Structure, shapes, dtypes.
  assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
  for la, lb in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
    assert la.shape == lb.shape and la.dtype == lb.dtype
  np.testing.assert_array_equal(a.n_node, b.n_node)
  np.testing.assert_array_equal(a.n_edge, b.n_edge)
  np.testing.assert_array_equal(a.globals["mask"], b.globals["mask"])
  real_graph = b.globals["mask"]
  nid = node_gid(b)
  real_node = real_graph[nid]
  # Nodes never appear; padding stays padding.
  assert not np.any(a.nodes["mask"] & ~b.nodes["mask"]), "a node became present"
  if not nodes_may_drop:
    np.testing.assert_array_equal(a.nodes["mask"], b.nodes["mask"])
  np.testing.assert_array_equal(a.nodes["x"][~real_node], b.nodes["x"][~real_node])
  if not features_may_change:
    np.testing.assert_array_equal(a.nodes["x"], b.nodes["x"])
  # Edges: real slots keep their end nodes; only slack slots may be rewritten.
  slack = ~b.edges["mask"] & ~real_graph[edge_gid(b)]
  fixed = ~slack if slack_may_change else np.ones_like(slack)
  np.testing.assert_array_equal(a.senders[fixed], b.senders[fixed])
  np.testing.assert_array_equal(a.receivers[fixed], b.receivers[fixed])
  assert not np.any(a.edges["mask"][fixed] & ~b.edges["mask"][fixed]), "an edge was revived"
  # Every present edge joins two present nodes of one real graph, and is no self-loop if new.
  on = a.edges["mask"]
  s, r = a.senders[on], a.receivers[on]
  assert np.all(a.nodes["mask"][s]) and np.all(a.nodes["mask"][r]), "edge to an absent node"
  assert np.all(nid[s] == nid[r]), "edge between graphs"
  assert np.all(real_node[s]), "edge inside a padding graph"
  new = on & slack
  assert np.all(a.senders[new] != a.receivers[new]), "added self-loop"
  real_slot = real_graph[edge_gid(b)] & on
  assert np.all(nid[a.receivers[real_slot]] == edge_gid(b)[real_slot])


def assert_trees_equal(x, y):
  for lx, ly in zip(jax.tree_util.tree_leaves(x), jax.tree_util.tree_leaves(y)):
    np.testing.assert_array_equal(np.asarray(lx), np.asarray(ly))


def trees_equal(x, y):
  return all(np.array_equal(np.asarray(lx), np.asarray(ly))
             for lx, ly in zip(jax.tree_util.tree_leaves(x), jax.tree_util.tree_leaves(y)))


@pytest.fixture(scope="session")
def graph():
  return padded_batch(0)


@pytest.fixture(scope="session")
def keys():
  """64 keys whose first two are equal (same key -> same output checks)."""
  ks = jax.random.split(jax.random.key(42), NUM_KEYS - 1)
  return jnp.concatenate([ks[:1], ks])


@pytest.fixture(scope="session")
def aug():
  """Helpers: run a vmapped augmentation and check outputs."""
  def run(fn, keys, graph):
    return jax.jit(jax.vmap(fn, in_axes=(0, None)))(keys, graph)

  return types.SimpleNamespace(
      run=run, check=check_invariants, unbatch=unbatch_keys, equal=assert_trees_equal,
      trees_equal=trees_equal, node_gid=node_gid, edge_gid=edge_gid, padded_batch=padded_batch)

"""Small graphs and helpers for the jgssl.models tests."""

import functools
import types

import jax
import numpy as np
import pytest

from jgssl import graph as graph_lib


def _random_graph(rng, num_nodes=7, num_features=5, num_edges=9, weighted=False):
  """An undirected random graph (no self-loops) with one isolated node at the end."""
  pairs = set()
  while len(pairs) < num_edges:
    i, j = rng.integers(0, num_nodes - 1, size=2)  # last node stays isolated
    if i != j:
      pairs.add((min(i, j), max(i, j)))
  ei = np.array(sorted(pairs)).T
  w = rng.uniform(0.5, 2.0, ei.shape[1]).astype(np.float32) if weighted else None
  x = rng.normal(size=(num_nodes, num_features)).astype(np.float32)
  return graph_lib.from_edge_index(ei, num_nodes=num_nodes, node_features=x, edge_weight=w)


def _pad(graph, extra_nodes=1, extra_edges=0, extra_graphs=1):
  n = int(np.sum(graph.n_node)) + extra_nodes
  e = int(np.sum(graph.n_edge)) + extra_edges
  g = len(graph.n_node) + extra_graphs
  return graph_lib.pad_graph(graph, graph_lib.PaddingBudget(n_node=n, n_edge=e, n_graph=g))


def _set(graph, **kw):
  """Returns ``graph`` with numpy copies of node / edge fields replaced, e.g. node_mask=..."""
  nodes = {k: np.array(v) for k, v in graph.nodes.items()}
  edges = {k: np.array(v) for k, v in graph.edges.items()}
  for key, value in kw.items():
    where, field = key.split("_", 1)
    (nodes if where == "node" else edges)[field] = np.asarray(value)
  return graph._replace(nodes=nodes, edges=edges)


def _dense_adjacency(graph):
  """Dense weighted adjacency ``A[receiver, sender]`` over present edges (numpy)."""
  g = jax.device_get(graph)
  n = g.nodes["mask"].shape[0]
  m = np.asarray(graph_lib.edge_mask(g))
  a = np.zeros((n, n), np.float64)
  for s, r, w, keep in zip(g.senders, g.receivers, g.edges["weight"], m):
    if keep:
      a[r, s] += w
  return a


# Tiny test graphs make XLA's optimisation passes the dominant cost; level 0 compiles 2-3x
# faster and computes the same values.
fast_jit = functools.partial(jax.jit, compiler_options={"xla_backend_optimization_level": 0})
_JITTED = {}


def _jitted(module, kind, **kw):
  key = (repr(module), kind, tuple(sorted(kw.items())))
  if key not in _JITTED:
    fn = module.init if kind == "init" else functools.partial(module.apply, **kw)
    _JITTED[key] = fast_jit(fn)
  return _JITTED[key]


def _init(module, *args, real=False):
  """Variables for ``module`` on ``args``.

  By default the variable *structure* comes from ``jax.eval_shape(module.init, ...)`` (no
  compilation) and the values are drawn from a seeded numpy generator: weights and biases
  ``N(0, 0.5^2)`` (non-zero biases exercise the bias paths), batch-norm running variances in
  ``[0.5, 1.5]``. The properties tested hold for any parameter values. ``real=True`` runs the
  module's own initialisers instead (compiled).
  """
  if real:
    return _jitted(module, "init")(jax.random.key(0), *args)
  shapes = jax.eval_shape(module.init, jax.random.key(0), *args)
  rng = np.random.default_rng(0)

  def fill(path, leaf):
    name = str(getattr(path[-1], "key", path[-1]))
    if name == "var":
      value = rng.uniform(0.5, 1.5, leaf.shape)
    else:
      value = rng.normal(0.0, 0.5, leaf.shape)
    return jax.numpy.asarray(value, leaf.dtype)

  return jax.tree_util.tree_map_with_path(fill, shapes)


def _apply(module, variables, *args, training=False, mutable=False, rng=None):
  """``module.apply`` compiled; ``rng`` (an int) feeds the 'dropout' stream."""
  kw = dict(training=training)
  if mutable:
    kw["mutable"] = tuple(mutable)
  fn = _jitted(module, "apply", **kw)
  if rng is None:
    return fn(variables, *args)
  return fn(variables, *args, rngs={"dropout": jax.random.key(rng)})


@pytest.fixture
def tools():
  return types.SimpleNamespace(random_graph=_random_graph, pad=_pad, set=_set,
                               dense_adjacency=_dense_adjacency, fast_jit=fast_jit, init=_init,
                               apply=_apply)

"""GraphMAE decodes only the masked rows: the same loss and gradients as decoding every row."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import graph as graph_lib, losses
from jgssl.data import synthetic
from jgssl.methods.graphmae import GraphMAE, GraphMAEModel

_jit = functools.partial(jax.jit, compiler_options={"xla_backend_optimization_level": 0})


def _full_decoding_loss(method, variables, key, graph):
  """GraphMAE's loss with every row decoded (the form before decoding was restricted)."""
  k_drop, k_mask, k_edge = jax.random.split(key, 3)
  mutable = [c for c in variables if c != "params"]
  (x_hat, masked), _ = method.model(graph.nodes["x"].shape[1]).apply(
      variables, k_mask, k_edge, graph, method=GraphMAEModel.reconstruct,
      rngs={"dropout": k_drop}, mutable=mutable, **method._reconstruct_kwargs())
  rows = losses.scaled_cosine_error(x_hat, graph.nodes["x"], alpha=method.alpha, where=masked)
  return losses.masked_mean(rows, masked)


@pytest.mark.parametrize("mask_rate,replace_rate", [(0.5, 0.05), (0.29, 0.0)])
def test_masked_row_decoding_equals_full_decoding(mask_rate, replace_rate):
  ds = synthetic.contextual_sbm(0, num_nodes=100, num_blocks=3, avg_degree=4.0, homophily=0.8,
                                num_features=24, feature_signal=2.0)
  g = graph_lib.pad_graph(ds.graph, graph_lib.budget_for(ds.graph))
  g = jax.tree_util.tree_map(jnp.asarray, g)
  method = GraphMAE(hidden=16, heads=2, mask_rate=mask_rate, replace_rate=replace_rate)
  variables = method.init(jax.random.PRNGKey(0), g)
  key = jax.random.PRNGKey(4)
  fast = _jit(jax.value_and_grad(lambda p: method.loss({**variables, "params": p}, key, g)[0]))
  full = _jit(jax.value_and_grad(
      lambda p: _full_decoding_loss(method, {**variables, "params": p}, key, g)))
  (a, ga), (b, gb) = fast(variables["params"]), full(variables["params"])
  np.testing.assert_allclose(a, b, rtol=1e-6)
  for x, y in zip(jax.tree_util.tree_leaves(ga), jax.tree_util.tree_leaves(gb)):
    np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-6 * float(jnp.max(jnp.abs(y))) + 1e-7)

"""GraphMAE decodes only the masked rows: the same loss and gradients as decoding every row."""

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import graph as graph_lib
from jgssl.data import synthetic
from jgssl.methods import masked_ae

_jit = functools.partial(jax.jit, compiler_options={"xla_backend_optimization_level": 0})


@pytest.mark.parametrize("mask_rate,replace_rate", [(0.5, 0.05), (0.29, 0.0)])
def test_masked_row_decoding_equals_full_decoding(mask_rate, replace_rate):
  ds = synthetic.contextual_sbm(0, num_nodes=100, num_blocks=3, avg_degree=4.0, homophily=0.8,
                                num_features=24, feature_signal=2.0)
  g = graph_lib.pad_graph(ds.graph, graph_lib.budget_for(ds.graph))
  g = jax.tree_util.tree_map(jnp.asarray, g)
  method = masked_ae.graphmae(features=(16, 16), heads=2, mask_rate=mask_rate,
                              replace_rate=replace_rate)
  assert method.objective.masked_only
  # The form before decoding was restricted: every row decoded, the loss reads the masked ones.
  full_method = dataclasses.replace(method, objective=masked_ae.FeatureReconstruction(
      alpha=method.objective.alpha, masked_only=False))
  variables = method.init(jax.random.PRNGKey(0), g)
  key = jax.random.PRNGKey(4)
  fast = _jit(jax.value_and_grad(lambda p: method.loss({**variables, "params": p}, key, g)[0]))
  full = _jit(jax.value_and_grad(
      lambda p: full_method.loss({**variables, "params": p}, key, g)[0]))
  (a, ga), (b, gb) = fast(variables["params"]), full(variables["params"])
  np.testing.assert_allclose(a, b, rtol=1e-6)
  for x, y in zip(jax.tree_util.tree_leaves(ga), jax.tree_util.tree_leaves(gb)):
    np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-6 * float(jnp.max(jnp.abs(y))) + 1e-7)

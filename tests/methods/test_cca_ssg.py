"""CCA-SSG: end to end on a contextual SBM, loss bounds, MLP variant, validation."""

import jax
import numpy as np
import pytest

from jgssl import graph as graph_lib
from jgssl.methods import cca_ssg
from margins import assert_margins
from node_method_testing import csbm as _csbm, loss_drop, random_init_gap, train_full_graph


def measure_training(seed):
  """Loss drop (first 5 vs last 10 of 50 steps) and probe gain over the random-init encoder."""
  ds, graph = _csbm()
  d = 32
  method = cca_ssg(features=(d, d), drop_feature_rate=0.2, drop_edge_rate=0.3)
  run = train_full_graph(method, graph, steps=50, seed=seed)
  losses = run.losses
  assert np.all(np.isfinite(losses))
  # -tr(C) >= -d (n-1)/n, and the decorrelation terms are >= 0.
  assert min(losses) >= -d
  return {"loss_drop": loss_drop(losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 3.0, "gain": 0.05})}


def test_cca_ssg_trains_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


def test_mlp_encoder_ignores_edges_and_loss_is_padding_invariant():
  ds, graph = _csbm(60)
  method = cca_ssg(features=(8, 4), use_mlp=True, drop_feature_rate=0.0, drop_edge_rate=0.5)
  v = jax.jit(method.init)(jax.random.PRNGKey(0), graph)
  embed, loss = jax.jit(method.embed), jax.jit(method.loss)
  no_edges = graph._replace(edges={**graph.edges, "mask": np.zeros_like(graph.edges["mask"])})
  np.testing.assert_allclose(embed(v, graph), embed(v, no_edges), atol=1e-6)
  # Without feature masking an MLP sees the same rows in both views: the loss only depends on
  # real rows, so more padding gives the same value.
  bigger = jax.tree_util.tree_map(
      np.asarray, graph_lib.pad_graph(ds.graph, graph_lib.budget_for(ds.graph, multiple=128)))
  key = jax.random.PRNGKey(3)
  np.testing.assert_allclose(loss(v, key, graph)[0], loss(v, key, bigger)[0],
                             rtol=1e-5)


def test_validation():
  with pytest.raises(ValueError, match="encoder must be a flax.linen.Module"):
    cca_ssg(encoder="gat")
  with pytest.raises(ValueError, match="cca_ssg: drop_edge_rate"):
    cca_ssg(drop_edge_rate=-0.1)
  with pytest.raises(ValueError, match="cca_ssg: lambd"):
    cca_ssg(lambd=-1.0)

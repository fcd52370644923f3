"""GCA: end to end on a contextual SBM, adaptive views, stored centrality weights, validation."""

import jax
import numpy as np
import pytest

from jgssl import augment
from jgssl.methods.gca import GCA
from margins import assert_margins
from node_method_testing import csbm as _csbm, loss_drop, random_init_gap, train_full_graph


def measure_training(seed):
  """Loss drop (first 5 vs last 10 of 50 steps) and probe gain over the random-init encoder."""
  ds, graph = _csbm()
  method = GCA(hidden=32, proj_hidden=32, centrality="degree")
  run = train_full_graph(method, graph, steps=50, seed=seed)
  assert np.all(np.isfinite(run.losses))
  return {"loss_drop": loss_drop(run.losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.3, "gain": 0.05})}


def test_gca_trains_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


@pytest.mark.parametrize("scheme", ["degree", "pr", "evc"])
def test_init_stores_the_scheme_weights(scheme):
  _, graph = _csbm(80)
  method = GCA(hidden=8, proj_hidden=8, centrality=scheme)
  v = method.init(jax.random.PRNGKey(0), graph)
  ew, fw = method.weights(graph)
  np.testing.assert_allclose(v["gca"]["edge_weights"], ew, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(v["gca"]["feature_weights"], fw, rtol=1e-5, atol=1e-6)


def test_views_drop_low_degree_edges_more_and_rate_zero_is_identity():
  _, graph = _csbm(200)
  method = GCA(hidden=8, proj_hidden=8, drop_edge_1=0.3, drop_edge_2=0.0, drop_feature_1=0.3,
               drop_feature_2=0.0)
  views = jax.jit(jax.vmap(method.views, in_axes=(0, None)))
  g1, g2 = views(jax.random.split(jax.random.PRNGKey(0), 200), graph)
  real = np.asarray(graph.edges["mask"])
  np.testing.assert_array_equal(np.asarray(g2.edges["mask"]), np.broadcast_to(real, (200,) +
                                                                                real.shape))
  np.testing.assert_array_equal(np.asarray(g2.nodes["x"][0]), graph.nodes["x"])
  kept = np.asarray(g1.edges["mask"]).mean(0)[real]
  assert abs((1.0 - kept).mean() - 0.3) < 0.05  # mean drop rate (before the 0.7 cap)
  # GCA's degree weight of edge u -> v grows with the degree of v: hubs keep their edges.
  deg = np.asarray(augment.degree_centrality(graph))[np.asarray(graph.receivers)][real]
  low, high = deg <= np.quantile(deg, 0.25), deg >= np.quantile(deg, 0.75)
  assert kept[high].mean() > kept[low].mean() + 0.1


def test_validation():
  with pytest.raises(ValueError, match="centrality"):
    GCA(centrality="random")
  with pytest.raises(ValueError, match="threshold"):
    GCA(threshold=1.5)

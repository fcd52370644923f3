"""GCA: end to end on a contextual SBM, adaptive views from the side input, validation."""

import jax
import numpy as np
import pytest

from jgssl import augment, train
from jgssl.methods import gca
from jgssl.methods.gca import SCHEMES
from jgssl.methods.contract import call_loss, prepare_side
from margins import assert_margins
from node_method_testing import csbm as _csbm, loss_drop, random_init_gap, train_full_graph


def measure_training(seed):
  """Loss drop (first 5 vs last 10 of 50 steps) and probe gain over the random-init encoder."""
  ds, graph = _csbm()
  method = gca(features=(64, 32), hidden_features=32, activation="relu",
               drop_edge_rate=(0.2, 0.4), drop_feature_rate=(0.3, 0.4), temperature=0.4,
               centrality="degree")
  run = train_full_graph(method, graph, steps=50, seed=seed)
  assert np.all(np.isfinite(run.losses))
  return {"loss_drop": loss_drop(run.losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.3, "gain": 0.05})}


def test_gca_trains_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


@pytest.mark.parametrize("scheme", ["degree", "pr", "evc"])
def test_prepare_gives_the_scheme_weights_which_stay_out_of_the_variables(scheme):
  _, graph = _csbm(80)
  method = gca(features=(16, 8), hidden_features=8, centrality=scheme)
  side = prepare_side(method, graph)
  ew, fw = augment.gca_weights(graph, scheme=SCHEMES[scheme])
  np.testing.assert_allclose(side["edge_weights"], ew, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(side["feature_weights"], fw, rtol=1e-5, atol=1e-6)
  v = method.init(jax.random.PRNGKey(0), graph)
  assert set(v) == {"params"}


def test_loss_with_the_engines_side_input_equals_the_recomputed_one():
  _, graph = _csbm(80)
  method = gca(features=(16, 8), hidden_features=8)
  v = jax.jit(method.init)(jax.random.PRNGKey(0), graph)
  side = prepare_side(method, graph)
  loss = jax.jit(lambda v, k, g, s: call_loss(method, v, k, g, side=s))
  given, aux = loss(v, jax.random.PRNGKey(1), graph, side)
  again, _ = jax.jit(method.loss)(v, jax.random.PRNGKey(1), graph)
  assert float(given) == pytest.approx(float(again), rel=1e-5)
  assert set(aux) == {"pos_cos"}
  # The engine passes the side input to every step (never into the state).
  tx = train.make_optimizer(learning_rate=0.01)
  state = train.create_train_state(jax.random.PRNGKey(0), method, tx, graph)
  result = train.fit(state, train.make_train_step(method), graph, epochs=3, side=side)
  assert np.all(np.isfinite([h.loss for h in result.history]))
  assert set(result.state.model_state) == set()


def test_views_drop_low_degree_edges_more_and_rate_zero_is_identity():
  _, graph = _csbm(200)
  method = gca(features=(16, 8), hidden_features=8, drop_edge_rate=(0.3, 0.0),
               drop_feature_rate=(0.3, 0.0))
  side = prepare_side(method, graph)
  keys = jax.random.split(jax.random.PRNGKey(0), 200)
  g1, g2 = (jax.jit(jax.vmap(view, in_axes=(0, None, None)))(keys, graph, side)
            for view in method.views)
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
  with pytest.raises(ValueError, match="gca: centrality must be one of"):
    gca(centrality="random")
  with pytest.raises(ValueError, match="gca: threshold must be a probability"):
    gca(threshold=1.5)
  with pytest.raises(ValueError, match="gca: drop_edge_rate"):
    gca(drop_edge_rate=(0.1, -0.2))

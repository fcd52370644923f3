"""InfoGraph: local-global JSD falls on MUTAG, embeddings beat raw features, pairing checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import train
from jgssl.methods.infograph import InfoGraph, InfoGraphModel
from graph_method_testing import (fit_graphs, graph_embeddings, load_mutag, probe, raw_features,
                                  relative_drop)
from margins import assert_margins

_LOG2 = float(np.log(2.0))


def test_loss_is_the_jsd_of_own_graph_versus_other_graphs(mutag):
  loader = train.GraphLoader(mutag.graphs, batch_size=8, seed=0)
  b = jax.tree_util.tree_map(jnp.asarray, next(iter(loader.epoch(0))))
  m = InfoGraph(hidden=8, num_layers=2)
  v = m.init(jax.random.PRNGKey(0), b)
  loss, _ = m.loss(v, jax.random.PRNGKey(1), b)
  scores, _ = m.module.apply(v, b, method=InfoGraphModel.scores, mutable=["batch_stats"])
  s = np.asarray(scores)
  gid = np.repeat(np.arange(len(b.n_node)), np.asarray(b.n_node))
  real_nodes = np.asarray(b.nodes["mask"])
  real_graphs = np.flatnonzero(np.asarray(b.globals["mask"]))
  pos, neg = [], []
  for i in np.flatnonzero(real_nodes):
    for g in real_graphs:
      (pos if gid[i] == g else neg).append(s[i, g])
  softplus = lambda x: np.logaddexp(0.0, x)
  expect = np.mean(softplus(-np.array(pos))) + np.mean(softplus(np.array(neg))) - 2 * _LOG2
  np.testing.assert_allclose(float(loss), expect, rtol=1e-5)
  assert len(pos) == real_nodes.sum() and len(neg) == real_nodes.sum() * 7


def measure_training(seed):
  """Relative loss drop over 10 epochs and probe gain over the raw-feature baseline."""
  mutag = load_mutag()
  m = InfoGraph(hidden=16, num_layers=3)
  result, budget, losses = fit_graphs(m, mutag.graphs, learning_rate=1e-3, seed=seed)
  assert np.all(np.isfinite(losses)) and losses[0] > 0
  assert losses[-1] > -2 * _LOG2  # the JSD bound
  emb = graph_embeddings(m, result.state.variables, mutag.graphs, budget=budget)
  assert emb.shape == (mutag.num_graphs, 48)
  return {"relative_drop": relative_drop(losses),
          "gain_over_raw": probe(emb, mutag.labels) - probe(raw_features(mutag), mutag.labels)}


MARGINS = {"trains": (measure_training, {"relative_drop": 0.5, "gain_over_raw": 0.01})}


def test_trains_on_mutag_and_beats_raw_features(mutag):
  del mutag  # skips without the datasets
  assert_margins(measure_training(0), MARGINS["trains"][1])


@pytest.mark.parametrize("kwargs", [dict(hidden=0), dict(num_layers=0)])
def test_bad_fields_raise(kwargs):
  with pytest.raises(ValueError):
    InfoGraph(**kwargs)


def test_glorot_reinit_matches_xavier_uniform_and_leaves_other_params():
  """jgssl.methods.glorot_reinit: InfoGraph's init_emb (xavier_uniform_ weights, zero biases)."""
  from jgssl.methods import glorot_reinit
  params = {"enc": {"lin": {"kernel": jnp.ones((400, 200)), "bias": jnp.ones((200,))},
                    "bn": {"scale": jnp.full((200,), 2.0), "bias": jnp.full((200,), 3.0)}},
            "prelu": {"slope": jnp.asarray(0.25)}}
  out = glorot_reinit(jax.random.PRNGKey(0), params)
  k = np.asarray(out["enc"]["lin"]["kernel"])
  bound = np.sqrt(6.0 / 600)
  assert np.max(np.abs(k)) <= bound and np.std(k) == pytest.approx(bound / np.sqrt(3), rel=0.02)
  np.testing.assert_array_equal(out["enc"]["lin"]["bias"], 0.0)
  np.testing.assert_array_equal(out["enc"]["bn"]["scale"], 2.0)
  np.testing.assert_array_equal(out["enc"]["bn"]["bias"], 3.0)
  np.testing.assert_array_equal(out["prelu"]["slope"], 0.25)
  np.testing.assert_array_equal(params["enc"]["lin"]["bias"], 1.0)  # input untouched


def test_default_init_is_glorot_on_encoder_and_heads(mutag):
  loader = train.GraphLoader(mutag.graphs, batch_size=8, seed=0)
  b = jax.tree_util.tree_map(jnp.asarray, next(iter(loader.epoch(0))))
  p = InfoGraph(hidden=8, num_layers=2).init(jax.random.PRNGKey(0), b)["params"]
  biases = []

  def walk(t):
    if "kernel" in t:
      biases.append(np.asarray(t["bias"]))
    for v in t.values():
      if isinstance(v, dict):
        walk(v)

  walk(p)
  assert len(biases) == 2 * 2 + 2 * 4  # GIN MLPs, then 3 layers + shortcut per head
  assert all(np.all(x == 0) for x in biases)
  with pytest.raises(ValueError, match="weight_init"):
    InfoGraph(weight_init="xavier")

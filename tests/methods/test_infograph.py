"""InfoGraph: local-global JSD falls on MUTAG, embeddings beat raw features, pairing checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import losses, models, train
from jgssl.methods import glorot_reinit
from jgssl.methods import LocalGlobal, infograph
from jgssl.methods.local_global import _Network
from graph_method_testing import (fit_graphs, graph_embeddings, load_mutag, probe, raw_features,
                                  relative_drop)
import margins
from margins import assert_margins

_LOG2 = float(np.log(2.0))


def test_loss_is_the_jsd_of_own_graph_versus_other_graphs(mutag):
  loader = train.GraphLoader(mutag.graphs, batch_size=8, seed=0)
  b = jax.tree_util.tree_map(jnp.asarray, next(iter(loader.epoch(0))))
  m = infograph(features=(8, 8))
  v = m.init(jax.random.PRNGKey(0), b)
  loss, _ = m.loss(v, jax.random.PRNGKey(1), b)
  scores, _ = m._net().apply(v, b, method=_Network.scores, mutable=["batch_stats"])
  assert scores.shape == (1, b.nodes["mask"].shape[0], len(b.n_node))  # one view, [N, G]
  s = np.asarray(scores[0])
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
  """On NCI1: relative loss drop over 5 epochs and probe gain over the raw-feature baseline.

  NCI1, not MUTAG: on MUTAG the raw features' probe already scores 0.825 and InfoGraph's gain
  over it was 0.005-0.037 (width 16, 10 epochs, 5 seeds) or 0.016-0.053 (width 32, 20 epochs),
  too close to 0 for any threshold; on NCI1 the raw probe scores 0.654 and the gain is about 0.07.
  """
  nci1 = margins.load_dataset("nci1")
  m = infograph(features=(32, 32, 32))
  result, budget, losses = fit_graphs(m, nci1.graphs, learning_rate=1e-3, seed=seed, epochs=5,
                                      batch_size=128)
  assert np.all(np.isfinite(losses)) and losses[0] > 0
  assert losses[-1] > -2 * _LOG2  # the JSD bound
  emb = graph_embeddings(m, result.state.variables, nci1.graphs, budget=budget, batch_size=128)
  assert emb.shape == (nci1.num_graphs, 96)
  return {"relative_drop": relative_drop(losses),
          "gain_over_raw": probe(emb, nci1.labels) - probe(raw_features(nci1), nci1.labels)}


MARGINS = {"trains": (measure_training, {"relative_drop": 0.5, "gain_over_raw": 0.01})}


def test_trains_on_nci1_and_beats_raw_features(data_root):
  del data_root  # skips without the datasets
  assert_margins(measure_training(0), MARGINS["trains"][1])


@pytest.mark.parametrize("kwargs", [dict(features=(0,)), dict(features=()),
                                    dict(hidden_features=0)])
def test_bad_fields_raise(kwargs):
  with pytest.raises(ValueError, match="infograph: "):
    infograph(**kwargs)


def test_recipe_parts_are_infographs():
  m = infograph()
  assert isinstance(m, LocalGlobal) and m.level == "graph" and m.corruption is None
  assert m.encoder == models.GIN(features=(32, 32, 32), activation="relu", norm="batch",
                                 order="act_norm", eps=0.0, return_layers=True)
  ff = models.Projector(hidden_features=96, out_features=96, num_layers=3, activation="relu",
                        last_activation=True, shortcut=True)
  assert m.local_head == ff and m.global_head == ff and m.discriminator is None
  assert m.readout is models.sum_readout and m.objective is losses.jsd_mi_pairs_loss
  assert m.reinit is glorot_reinit and infograph(weight_init="torch").reinit is None
  assert infograph() == m and hash(infograph()) == hash(m)


def test_glorot_reinit_matches_xavier_uniform_and_leaves_other_params():
  """jgssl.methods.glorot_reinit: InfoGraph's init_emb (xavier_uniform_ weights, zero biases)."""
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
  p = infograph(features=(8, 8)).init(jax.random.PRNGKey(0), b)["params"]
  assert set(p) == {"encoder", "local_head", "global_head"}  # two heads, not one shared
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
    infograph(weight_init="xavier")

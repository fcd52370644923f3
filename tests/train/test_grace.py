"""GRACE recipe: the loss against a direct NumPy formula, chunked == dense, padding, validation,
and end-to-end training on a contextual SBM where its embeddings beat the raw features."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import train_recipes as R
from margins import assert_margins
from jgssl import data
from jgssl import graph as G
from jgssl import train
from jgssl.methods import grace

SMALL = dict(features=(16, 8), hidden_features=8, temperature=0.5)
NO_AUGMENTATION = dict(drop_edge_rate=0.0, drop_feature_rate=0.0)


@pytest.fixture(scope="module")
def small():
  g = R.random_graph(3, num_nodes=18, num_feat=7, p=0.25)
  return g, G.pad_graph(g, G.PaddingBudget(n_node=20, n_edge=120))


def _outputs(method, variables, key, graph):
  """The two projected views the objective of ``method.loss(variables, key, graph)`` scores
  (the same method with an objective that hands its inputs back)."""
  probe = dataclasses.replace(method, objective=lambda z1, z2, *, where: (0.0, {"z": (z1, z2)}))
  _, aux = jax.jit(probe.loss)(variables, key, graph)
  return [np.asarray(z)[:18].astype(np.float64) for z in aux["z"]]


def _numpy_grace(z1, z2, tau):
  def norm(z):
    return z / np.linalg.norm(z, axis=1, keepdims=True)

  def semi(a, b):
    inter = np.exp(norm(a) @ norm(b).T / tau)
    intra = np.exp(norm(a) @ norm(a).T / tau)
    return -np.log(np.diag(inter) / (inter.sum(1) + intra.sum(1) - np.diag(intra)))

  return float(np.mean(0.5 * (semi(z1, z2) + semi(z2, z1))))


def test_loss_matches_the_paper_formula_without_augmentation(small):
  _, pg = small
  m = grace(**NO_AUGMENTATION, **SMALL)
  v = jax.jit(m.init)(jax.random.PRNGKey(0), pg)
  loss, aux = jax.jit(m.loss)(v, jax.random.PRNGKey(1), pg)
  z1, z2 = _outputs(m, v, jax.random.PRNGKey(1), pg)
  np.testing.assert_array_equal(z1, z2)
  # The outputs are the head on the encoder rows of the clean graph.
  h = np.asarray(jax.jit(m.embed)(v, pg))
  head = m.head.apply({"params": v["params"]["head"]}, h, mask=pg.nodes["mask"])
  np.testing.assert_allclose(z1, np.asarray(head)[:18], rtol=1e-5, atol=1e-6)
  assert float(loss) == pytest.approx(_numpy_grace(z1, z1, 0.5), rel=1e-5)
  assert float(aux["pos_cos"]) == pytest.approx(1.0, abs=1e-5)  # identical views


def test_augmented_loss_matches_formula_on_the_views(small):
  _, pg = small
  m = grace(**SMALL)
  v = jax.jit(m.init)(jax.random.PRNGKey(0), pg)
  key = jax.random.PRNGKey(5)
  for view in m.views:
    assert int(view(key, pg).edges["mask"].sum()) < int(pg.edges["mask"].sum())  # dropped
  z1, z2 = _outputs(m, v, key, pg)
  assert not np.allclose(z1, z2)
  loss, _ = jax.jit(m.loss)(v, key, pg)
  assert float(loss) == pytest.approx(_numpy_grace(z1, z2, 0.5), rel=1e-5)


def test_chunked_loss_and_gradient_equal_dense(small):
  _, pg = small
  dense, tiled = grace(**SMALL), grace(chunk_size=4, **SMALL)
  v = jax.jit(dense.init)(jax.random.PRNGKey(0), pg)
  key = jax.random.PRNGKey(2)
  (ld, _), gd = jax.jit(jax.value_and_grad(dense.loss, has_aux=True))(v, key, pg)
  (lt, _), gt = jax.jit(jax.value_and_grad(tiled.loss, has_aux=True))(v, key, pg)
  assert float(ld) == pytest.approx(float(lt), rel=1e-6)
  for a, b in zip(jax.tree_util.tree_leaves(gd), jax.tree_util.tree_leaves(gt)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_padding_changes_nothing_and_embeddings_are_encoder_outputs(small):
  g, pg = small
  m = grace(**NO_AUGMENTATION, **SMALL)
  big = G.pad_graph(g, G.PaddingBudget(n_node=33, n_edge=200, n_graph=3))
  v = jax.jit(m.init)(jax.random.PRNGKey(0), pg)
  loss = jax.jit(m.loss)
  l_small, _ = loss(v, jax.random.PRNGKey(1), pg)
  l_big, _ = loss(v, jax.random.PRNGKey(1), big)
  assert float(l_small) == pytest.approx(float(l_big), rel=1e-6)
  e = jax.jit(m.embed)(v, big)
  assert e.shape == (33, 8) and bool(jnp.all(e[18:] == 0))
  h = jax.jit(m.encoder.apply)({"params": v["params"]["encoder"]}, big)
  np.testing.assert_array_equal(e, h)
  assert set(v) == {"params"} and set(v["params"]) == {"encoder", "head"}
  # First GCN layer is twice as wide as the output (GRACE's encoder).
  widths = [leaf.shape[-1] for leaf in jax.tree_util.tree_leaves(v["params"]["encoder"])
            if leaf.ndim == 2]
  assert widths == [16, 8]


@pytest.mark.parametrize("kwargs, match", [
    (dict(drop_edge_rate=(0.2, 1.5)), r"grace: drop_edge_rate must be a probability"),
    (dict(drop_feature_rate=-0.1), r"grace: drop_feature_rate must be a probability"),
    (dict(drop_edge_rate=(0.1, 0.2, 0.3)), r"drop_edge_rate must be .* a pair"),
    (dict(temperature=0.0), r"temperature must be a number > 0"),
    (dict(features=(16, 0)), r"grace: features must be a non-empty sequence of layer widths"),
    (dict(hidden_features=0), r"grace: hidden_features must be an int >= 1"),
    (dict(activation="swish"), r"grace: activation must be one of"),
    (dict(chunk_size=0), r"chunk_size must be None or an int >= 1"),
])
def test_bad_hyperparameters_are_rejected(kwargs, match):
  with pytest.raises(ValueError, match=match):
    grace(**kwargs)


def measure_training(seed):
  """Loss drop (first 5 vs last 5 of 60 epochs) and probe gain over the raw features."""
  ds = data.contextual_sbm(0, num_nodes=240, num_blocks=3, avg_degree=8.0, homophily=0.9,
                           num_features=16, feature_signal=1.0)
  pg = G.pad_graph(ds.graph, G.budget_for(ds.graph, multiple=8))
  m = grace(features=(32, 16), hidden_features=16, temperature=0.5, drop_edge_rate=(0.2, 0.3),
            drop_feature_rate=(0.2, 0.3))
  tx = train.make_optimizer(name="adam", learning_rate=5e-3, weight_decay=1e-5)
  state = train.create_train_state(jax.random.PRNGKey(seed), m, tx, pg)
  res = train.fit(state, train.make_train_step(m), pg, epochs=60)
  losses = [r.loss for r in res.history]
  assert np.isfinite(losses).all()
  emb = np.asarray(train.make_embed_fn(m)(res.state.variables, pg))[:240]
  y = ds.labels
  rng = np.random.default_rng(0)
  idx = rng.permutation(240)
  tr, te = idx[:60], idx[60:]

  def probe(x):
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    clf = LogisticRegression(max_iter=2000).fit(x[tr], y[tr])
    return clf.score(x[te], y[te])

  raw, ours = probe(np.asarray(ds.graph.nodes["x"])), probe(emb)
  return {"loss_drop": float(np.mean(losses[:5]) - np.mean(losses[-5:])),
          "gain_over_raw": ours - raw}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.0, "gain_over_raw": 0.05})}


def test_trains_and_beats_raw_features_on_a_contextual_sbm():
  assert_margins(measure_training(0), MARGINS["trains"][1])

"""GRACE recipe: the loss against a direct NumPy formula, chunked == dense, padding, validation,
and end-to-end training on a contextual SBM where its embeddings beat the raw features."""

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
from jgssl.methods import GRACE
from jgssl.methods.grace import _GRACENet

SMALL = dict(hidden=8, proj_hidden=8, temperature=0.5)


@pytest.fixture(scope="module")
def small():
  g = R.random_graph(3, num_nodes=18, num_feat=7, p=0.25)
  return g, G.pad_graph(g, G.PaddingBudget(n_node=20, n_edge=120))


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
  m = GRACE(drop_edge_1=0.0, drop_edge_2=0.0, drop_feature_1=0.0, drop_feature_2=0.0, **SMALL)
  v = jax.jit(m.init)(jax.random.PRNGKey(0), pg)
  loss, aux = jax.jit(m.loss)(v, jax.random.PRNGKey(1), pg)
  _, z = jax.jit(m._net().apply)(v, pg)
  z = np.asarray(z)[:18].astype(np.float64)
  assert float(loss) == pytest.approx(_numpy_grace(z, z, 0.5), rel=1e-5)
  assert float(aux["pos_cos"]) == pytest.approx(1.0, abs=1e-5)  # identical views


def test_augmented_loss_matches_formula_on_the_views(small):
  _, pg = small
  m = GRACE(**SMALL)
  v = jax.jit(m.init)(jax.random.PRNGKey(0), pg)
  key = jax.random.PRNGKey(5)
  g1, g2 = m.views(key, pg)
  assert int(g1.edges["mask"].sum()) < int(pg.edges["mask"].sum())  # edges were dropped
  apply = jax.jit(m._net().apply)
  _, z1 = apply(v, g1)
  _, z2 = apply(v, g2)
  loss, _ = jax.jit(m.loss)(v, key, pg)
  expect = _numpy_grace(np.asarray(z1)[:18].astype(np.float64),
                        np.asarray(z2)[:18].astype(np.float64), 0.5)
  assert float(loss) == pytest.approx(expect, rel=1e-5)


def test_chunked_loss_and_gradient_equal_dense(small):
  _, pg = small
  dense, tiled = GRACE(**SMALL), GRACE(chunk_size=4, **SMALL)
  v = jax.jit(dense.init)(jax.random.PRNGKey(0), pg)
  key = jax.random.PRNGKey(2)
  (ld, _), gd = jax.jit(jax.value_and_grad(dense.loss, has_aux=True))(v, key, pg)
  (lt, _), gt = jax.jit(jax.value_and_grad(tiled.loss, has_aux=True))(v, key, pg)
  assert float(ld) == pytest.approx(float(lt), rel=1e-6)
  for a, b in zip(jax.tree_util.tree_leaves(gd), jax.tree_util.tree_leaves(gt)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_padding_changes_nothing_and_embeddings_are_encoder_outputs(small):
  g, pg = small
  m = GRACE(drop_edge_1=0.0, drop_edge_2=0.0, drop_feature_1=0.0, drop_feature_2=0.0, **SMALL)
  big = G.pad_graph(g, G.PaddingBudget(n_node=33, n_edge=200, n_graph=3))
  v = jax.jit(m.init)(jax.random.PRNGKey(0), pg)
  loss = jax.jit(m.loss)
  l_small, _ = loss(v, jax.random.PRNGKey(1), pg)
  l_big, _ = loss(v, jax.random.PRNGKey(1), big)
  assert float(l_small) == pytest.approx(float(l_big), rel=1e-6)
  e = jax.jit(m.embed)(v, big)
  assert e.shape == (33, 8) and bool(jnp.all(e[18:] == 0))
  h, _ = jax.jit(m._net().apply)(v, big)
  np.testing.assert_array_equal(e, h)
  assert set(v["params"]) == {"encoder", "projector"}
  # First GCN layer is twice as wide as the output (GRACE's encoder).
  widths = [leaf.shape[-1] for leaf in jax.tree_util.tree_leaves(v["params"]["encoder"])
            if leaf.ndim == 2]
  assert widths == [16, 8]


@pytest.mark.parametrize("kwargs, match", [
    (dict(drop_edge_1=1.5), r"drop_edge_1 is a drop probability"),
    (dict(drop_feature_2=-0.1), r"drop_feature_2 is a drop probability"),
    (dict(temperature=0.0), r"temperature must be > 0"),
    (dict(hidden=0), r"hidden must be a positive int"),
    (dict(activation="swish"), r"activation must be one of"),
    (dict(chunk_size=0), r"chunk_size must be a positive int"),
])
def test_bad_hyperparameters_are_rejected(kwargs, match):
  with pytest.raises(ValueError, match=match):
    GRACE(**kwargs)


def measure_training(seed):
  """Loss drop (first 5 vs last 5 of 60 epochs) and probe gain over the raw features."""
  ds = data.contextual_sbm(0, num_nodes=240, num_blocks=3, avg_degree=8.0, homophily=0.9,
                           num_features=16, feature_signal=1.0)
  pg = G.pad_graph(ds.graph, G.budget_for(ds.graph, multiple=8))
  m = GRACE(hidden=16, proj_hidden=16, temperature=0.5, drop_edge_1=0.2, drop_edge_2=0.3,
            drop_feature_1=0.2, drop_feature_2=0.3)
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

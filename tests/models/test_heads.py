"""Tests of jgssl.models heads: projector / predictor, feature decoders, inner product, bilinear."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import graph as graph_lib
from jgssl import models

KEY = jax.random.key(0)


def _np(p):
  return {k: np.asarray(v, np.float64) for k, v in p.items()}


def test_grace_projector_is_fc_elu_fc_and_masks_rows(tools):
  x = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
  mask = np.array([1, 1, 1, 0, 1, 0], bool)
  proj = models.Projector(hidden_features=7, out_features=3, activation="elu")
  v = tools.init(proj, x)
  assert set(v["params"]) == {"linear_0", "linear_1"}
  out = np.asarray(tools.apply(proj, v, x))
  l0, l1 = _np(v["params"]["linear_0"]), _np(v["params"]["linear_1"])
  z = x @ l0["kernel"] + l0["bias"]
  ref = np.where(z > 0, z, np.expm1(z)) @ l1["kernel"] + l1["bias"]
  np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
  out_m = np.asarray(proj.apply(v, x, mask=mask))
  np.testing.assert_allclose(out_m[mask], ref[mask], rtol=1e-4, atol=1e-5)
  np.testing.assert_array_equal(out_m[~mask], 0.0)


def test_infograph_ff_block_with_shortcut(tools):
  x = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32)
  ff = models.Projector(hidden_features=6, out_features=6, num_layers=3, last_activation=True,
                        shortcut=True)
  v = tools.init(ff, x)
  p = {k: _np(val) for k, val in v["params"].items()}
  h = x.astype(np.float64)
  for l in range(3):
    h = np.maximum(h @ p[f"linear_{l}"]["kernel"] + p[f"linear_{l}"]["bias"], 0)
  ref = h + x @ p["shortcut"]["kernel"] + p["shortcut"]["bias"]
  np.testing.assert_allclose(tools.apply(ff, v, x), ref, rtol=1e-4, atol=1e-5)


def test_projector_batch_norm_uses_present_rows_only(tools):
  rng = np.random.default_rng(2)
  x = rng.normal(size=(5, 4)).astype(np.float32)
  x_pad = np.concatenate([x, rng.normal(30, 10, size=(3, 4)).astype(np.float32)])
  mask = np.arange(8) < 5
  proj = models.Projector(hidden_features=6, out_features=2, norm="batch", activation="relu")
  v = tools.init(proj, x)
  run = tools.fast_jit(lambda v, x, m: proj.apply(v, x, mask=m, training=True,
                                                 mutable=["batch_stats"]))
  out, st = run(v, x, np.ones(5, bool))
  out_p, st_p = run(v, x_pad, mask)
  np.testing.assert_allclose(np.asarray(out_p)[:5], out, rtol=1e-4, atol=1e-5)
  np.testing.assert_array_equal(np.asarray(out_p)[5:], 0.0)
  jax.tree_util.tree_map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5), st, st_p)


def test_predictor_defaults_to_prelu_and_option_checks():
  pred = models.Predictor(hidden_features=512, out_features=16)
  shapes = jax.eval_shape(pred.init, KEY, jnp.zeros((3, 16)))["params"]
  assert pred.activation == "prelu" and shapes["act_0"]["prelu"]["slope"].shape == ()
  assert shapes["linear_0"]["kernel"].shape == (16, 512)
  one = models.Projector(hidden_features=8, out_features=3, num_layers=1)
  assert set(jax.eval_shape(one.init, KEY, jnp.zeros((2, 5)))["params"]) == {"linear_0"}
  with pytest.raises(ValueError, match="num_layers"):
    models.Projector(hidden_features=8, out_features=3, num_layers=0)
  with pytest.raises(ValueError, match="norm"):
    models.Projector(hidden_features=8, out_features=3, norm="instance")
  with pytest.raises(ValueError, match="rows"):
    one.init(KEY, jnp.zeros((2, 3, 5)))


# ---------------------------------------------------------------------------------------------
# GraphMAE feature decoders
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gat", "gin", "gcn", "linear"])
def test_feature_decoder_shapes_padding_and_remasked_rows(tools, rng, kind):
  g = tools.random_graph(rng)
  h = np.random.default_rng(3).normal(size=(7, 6)).astype(np.float32)
  h[1] = 0.0  # a re-masked row (GraphMAE zeroes masked rows before a GNN decoder)
  dec = models.FeatureDecoder(kind=kind, out_features=5, hidden_features=6, heads=2)
  pad_a, pad_b = tools.pad(g, extra_nodes=2, extra_edges=2), tools.pad(g, extra_nodes=5,
                                                                        extra_edges=2)
  ha, hb = np.zeros((9, 6), np.float32), np.zeros((12, 6), np.float32)
  ha[:7], hb[:7] = h, h
  v = tools.init(dec, pad_a, ha)
  out_a = np.asarray(tools.apply(dec, v, pad_a, ha))
  out_b = np.asarray(tools.apply(dec, v, pad_b, hb))
  assert out_a.shape == (9, 5)
  np.testing.assert_allclose(out_b[:7], out_a[:7], rtol=1e-4, atol=1e-5)
  np.testing.assert_array_equal(out_a[7:], 0.0)
  p = v["params"]["layer"]
  if kind == "linear":  # graph-agnostic: a zero row decodes to the bias
    np.testing.assert_allclose(out_a[:7], h @ np.asarray(p["conv_0"]["linear"]["kernel"])
                               + np.asarray(p["conv_0"]["linear"]["bias"]), rtol=1e-4, atol=1e-5)
  else:  # a zeroed row is reconstructed from its neighbours
    h_nbr = h.copy()
    nbr = int(g.senders[g.receivers == 1][0])
    h_nbr[nbr] += 1.0
    hn = np.zeros((9, 6), np.float32)
    hn[:7] = h_nbr
    out_n = np.asarray(tools.apply(dec, v, pad_a, hn))
    assert np.abs(out_n[1] - out_a[1]).max() > 1e-4
  if kind == "gin":
    assert p["conv_0"]["mlp_0"]["kernel"].shape == (6, 6)  # hidden width = latent width
  if kind == "gat":
    assert p["conv_0"]["att_src"].shape == (2, 5)  # 2 heads of 5, averaged
  assert not any(k.startswith(("norm", "act", "residual")) for k in p)  # bare output layer


def test_feature_decoder_checks():
  with pytest.raises(ValueError, match="kind"):
    models.FeatureDecoder(kind="sage", out_features=3)
  g = graph_lib.from_edge_index(np.array([[0], [1]]), num_nodes=2,
                                node_features=np.zeros((2, 3), np.float32))
  with pytest.raises(ValueError, match="h must be"):
    models.FeatureDecoder(kind="gcn", out_features=3).init(KEY, g, jnp.zeros((3, 4)))


# ---------------------------------------------------------------------------------------------
# GAE inner product, DGI bilinear
# ---------------------------------------------------------------------------------------------


def test_inner_product_decoder_pairs_and_dense():
  z = np.random.default_rng(4).normal(size=(5, 3)).astype(np.float32)
  pairs = np.array([[0, 1, 4, 2], [1, 3, 4, 0]])
  dec = models.InnerProductDecoder()
  logits = np.asarray(dec.apply({}, z, pairs))
  np.testing.assert_allclose(logits, [z[i] @ z[j] for i, j in pairs.T], rtol=1e-5)
  dense = np.asarray(dec.apply({}, z, method="dense"))
  np.testing.assert_allclose(dense, z @ z.T, rtol=1e-5)
  np.testing.assert_allclose(dense[pairs[0], pairs[1]], logits, rtol=1e-5)
  np.testing.assert_allclose(models.inner_product_logits(z, pairs), logits, rtol=1e-6)
  with pytest.raises(ValueError, match=r"\[2, P\]"):
    models.inner_product_logits(z, pairs.T)


def test_inner_product_decoder_dropout():
  z = jnp.ones((6, 8))
  dec = models.InnerProductDecoder(dropout=0.5)
  pairs = jnp.array([[0, 1, 2], [3, 4, 5]])
  np.testing.assert_allclose(dec.apply({}, z, pairs), 8.0)  # eval: no dropout
  a = dec.apply({}, z, pairs, training=True, rngs={"dropout": jax.random.key(1)})
  b = dec.apply({}, z, pairs, training=True, rngs={"dropout": jax.random.key(1)})
  np.testing.assert_array_equal(a, b)
  assert not np.allclose(a, 8.0)
  with pytest.raises(ValueError, match="dropout"):
    models.InnerProductDecoder(dropout=1.5)


def test_bilinear_discriminator_matches_numpy(tools):
  rng = np.random.default_rng(5)
  h = rng.normal(size=(4, 3)).astype(np.float32)
  s = rng.normal(size=(2,)).astype(np.float32)
  disc = models.Bilinear()
  v = tools.init(disc, h, s)
  w, b = np.asarray(v["params"]["kernel"]), float(v["params"]["bias"])
  assert w.shape == (3, 2)
  np.testing.assert_allclose(disc.apply(v, h, s), h @ w @ s + b, rtol=1e-5)
  s_rows = rng.normal(size=(4, 2)).astype(np.float32)
  np.testing.assert_allclose(disc.apply(v, h, s_rows),
                             np.einsum("nd,de,ne->n", h, w, s_rows) + b, rtol=1e-5)
  with pytest.raises(ValueError, match="s must be"):
    disc.apply(v, h, s_rows[:3])
  assert set(jax.eval_shape(models.Bilinear(use_bias=False).init, KEY, h, s)["params"]) == {
      "kernel"}


@pytest.mark.parametrize("init, fan_sum", [("glorot", 64 + 32), ("torch", 64 * 32 + 32)])
def test_bilinear_weight_init_scale(init, fan_sum):
  # Uniform in ±sqrt(6 / (fan_in + fan_out)): 'torch' uses the fans PyTorch's xavier_uniform_
  # computes for nn.Bilinear's [1, D1, D2] weight (D1·D2 and D2).
  bound = np.sqrt(6.0 / fan_sum)
  h, s = jnp.zeros((5, 64)), jnp.zeros((32,))
  w = np.asarray(models.Bilinear(weight_init=init).init(KEY, h, s)["params"]["kernel"])
  assert w.shape == (64, 32) and np.abs(w).max() <= bound
  np.testing.assert_allclose(w.std(), bound / np.sqrt(3.0), rtol=0.05)  # uniform's std


def test_bilinear_rejects_unknown_init():
  with pytest.raises(ValueError, match="weight_init"):
    models.Bilinear(weight_init="xavier")

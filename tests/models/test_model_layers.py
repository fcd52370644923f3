"""Tests of jgssl.models.layers: Linear, activations, masked batch norm, Norm."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.scipy.special import erf

from jgssl import models

KEY = jax.random.key(0)


def test_linear_torch_init_bounds_and_formula():
  lin = models.Linear(features=6, weight_init="torch")
  x = jax.random.normal(KEY, (3, 16))
  v = lin.init(KEY, x)
  k, b = v["params"]["kernel"], v["params"]["bias"]
  assert k.shape == (16, 6) and b.shape == (6,)
  bound = 1.0 / np.sqrt(16)
  assert float(jnp.max(jnp.abs(k))) <= bound and float(jnp.max(jnp.abs(b))) <= bound
  assert float(jnp.std(k)) > 0.3 * bound  # not degenerate
  np.testing.assert_allclose(lin.apply(v, x), x @ k + b, rtol=1e-5, atol=1e-6)
  glorot = models.Linear(features=6, weight_init="glorot", use_bias=False)
  glorot = glorot.init(KEY, x)["params"]
  assert set(glorot) == {"kernel"}
  with pytest.raises(ValueError, match="weight_init"):
    models.Linear(features=3, weight_init="kaiming")


def test_prelu_starts_at_quarter_and_learns_slope():
  act = models.Activation(kind="prelu")
  x = jnp.array([[-2.0, -1.0, 0.5, 3.0]])
  v = act.init(KEY, x)
  assert float(v["params"]["prelu"]["slope"]) == pytest.approx(0.25)
  np.testing.assert_allclose(act.apply(v, x), [[-0.5, -0.25, 0.5, 3.0]])
  # d(sum y)/d slope = sum of the negative inputs.
  grad = jax.grad(lambda p: jnp.sum(act.apply(p, x)))(v)
  assert float(grad["params"]["prelu"]["slope"]) == pytest.approx(-3.0)


def test_rrelu_random_slope_in_training_mean_slope_in_eval():
  act = models.Activation(kind="rrelu")
  x = -jnp.ones((200, 50))
  v = act.init(KEY, x)
  assert v == {}  # no parameters
  lo, hi = 1.0 / 8.0, 1.0 / 3.0
  np.testing.assert_allclose(act.apply(v, x), -(lo + hi) / 2 * np.ones((200, 50)), rtol=1e-6)
  y = act.apply(v, x, training=True, rngs={"dropout": jax.random.key(1)})
  slopes = -np.asarray(y)
  assert slopes.min() >= lo and slopes.max() <= hi
  assert np.unique(slopes).size > 1000  # one slope per element
  assert abs(slopes.mean() - (lo + hi) / 2) < 0.01
  y2 = act.apply(v, x, training=True, rngs={"dropout": jax.random.key(1)})
  np.testing.assert_array_equal(y, y2)  # same key, same slopes
  pos = jnp.abs(jax.random.normal(KEY, (4, 3)))
  np.testing.assert_array_equal(
      act.apply(v, pos, training=True, rngs={"dropout": KEY}), pos)  # identity on x >= 0
  with pytest.raises(ValueError, match="lower <= upper"):
    models.RReLU(lower=0.5, upper=0.1)


@pytest.mark.parametrize("kind, ref", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
    ("gelu", lambda x: 0.5 * x * (1 + np.asarray(erf(x / np.sqrt(2))))),
    ("leaky_relu", lambda x: np.where(x > 0, x, 0.01 * x)),
    ("tanh", np.tanh),
    ("identity", lambda x: x),
])
def test_named_activations_match_reference(kind, ref):
  x = np.linspace(-3, 3, 13, dtype=np.float32)[None]
  act = models.Activation(kind=kind)
  np.testing.assert_allclose(act.apply({}, x), ref(x), rtol=1e-5, atol=1e-6)


def test_activation_callable_and_bad_name():
  act = models.Activation(kind=jnp.square)
  np.testing.assert_allclose(act.apply({}, jnp.array([2.0, -3.0])), [4.0, 9.0])
  with pytest.raises(ValueError, match="activation must be one of"):
    models.Activation(kind="swish2")


def _bn_apply(bn, v, x, mask, training=True):
  return bn.apply(v, x, mask, training=training, mutable=["batch_stats"])


def test_masked_batch_norm_statistics_over_present_rows_only():
  rng = np.random.default_rng(0)
  x = rng.normal(2.0, 3.0, size=(9, 4)).astype(np.float32)
  mask = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0], bool)
  bn = models.MaskedBatchNorm(momentum=0.1)
  v = bn.init(KEY, x, mask)
  np.testing.assert_array_equal(v["batch_stats"]["mean"], np.zeros(4))  # init does not update
  np.testing.assert_array_equal(v["batch_stats"]["var"], np.ones(4))
  y, upd = _bn_apply(bn, v, x, mask)
  xr = x[mask].astype(np.float64)
  mean, var = xr.mean(0), xr.var(0)
  np.testing.assert_allclose(np.asarray(y)[mask], (xr - mean) / np.sqrt(var + 1e-5),
                             rtol=1e-4, atol=1e-5)
  np.testing.assert_array_equal(np.asarray(y)[~mask], 0.0)
  # PyTorch momentum convention, unbiased running variance.
  n = mask.sum()
  np.testing.assert_allclose(upd["batch_stats"]["mean"], 0.1 * mean, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(upd["batch_stats"]["var"], 0.9 + 0.1 * var * n / (n - 1), rtol=1e-5)
  # Second step compounds: r2 = 0.9 r1 + 0.1 stat.
  v2 = {"params": v["params"], "batch_stats": upd["batch_stats"]}
  _, upd2 = _bn_apply(bn, v2, x, mask)
  np.testing.assert_allclose(upd2["batch_stats"]["mean"], 0.9 * 0.1 * mean + 0.1 * mean,
                             rtol=1e-5, atol=1e-6)
  # Eval uses the running averages.
  y_eval = bn.apply(v2, x, mask)
  r_mean, r_var = np.asarray(upd["batch_stats"]["mean"]), np.asarray(upd["batch_stats"]["var"])
  np.testing.assert_allclose(np.asarray(y_eval)[mask], (xr - r_mean) / np.sqrt(r_var + 1e-5),
                             rtol=1e-4, atol=1e-5)


def test_masked_batch_norm_ignores_masked_values_and_padding():
  rng = np.random.default_rng(1)
  x = rng.normal(size=(5, 3)).astype(np.float32)
  bn = models.MaskedBatchNorm()
  v = bn.init(KEY, x)
  y_ref, upd_ref = _bn_apply(bn, v, x, None)
  junk = rng.normal(50.0, 100.0, size=(4, 3)).astype(np.float32)
  x_pad = np.concatenate([x, junk])
  mask = np.concatenate([np.ones(5, bool), np.zeros(4, bool)])
  y, upd = _bn_apply(bn, v, x_pad, mask)
  np.testing.assert_allclose(np.asarray(y)[:5], y_ref, rtol=1e-5, atol=1e-6)
  for k in ("mean", "var"):
    np.testing.assert_allclose(upd["batch_stats"][k], upd_ref["batch_stats"][k], rtol=1e-6)
  # Same normalised output as Flax's (unmasked) BatchNorm, whose running var differs (biased).
  fbn = nn.BatchNorm(use_running_average=False, epsilon=1e-5)
  fy, _ = fbn.apply(fbn.init(KEY, x), x, mutable=["batch_stats"])
  np.testing.assert_allclose(y_ref, fy, rtol=1e-4, atol=1e-5)


def test_masked_batch_norm_empty_batch_keeps_running_stats():
  bn = models.MaskedBatchNorm()
  x = jnp.ones((3, 2))
  v = bn.init(KEY, x)
  v = {"params": v["params"], "batch_stats": {"mean": jnp.array([1.0, 2.0]),
                                              "var": jnp.array([3.0, 4.0])}}
  y, upd = _bn_apply(bn, v, x, jnp.zeros(3, bool))
  np.testing.assert_array_equal(y, 0.0)
  np.testing.assert_array_equal(upd["batch_stats"]["mean"], [1.0, 2.0])
  np.testing.assert_array_equal(upd["batch_stats"]["var"], [3.0, 4.0])
  assert np.all(np.isfinite(y))


def test_masked_batch_norm_momentum_and_shape_checks():
  with pytest.raises(ValueError, match="momentum"):
    models.MaskedBatchNorm(momentum=0.99 + 1)
  bn = models.MaskedBatchNorm()
  with pytest.raises(ValueError, match=r"\[N, D\]"):
    bn.init(KEY, jnp.ones((2, 3, 4)))


def test_norm_layer_is_per_row_and_masks_rows():
  x = jax.random.normal(KEY, (4, 6)) * 5 + 1
  mask = jnp.array([True, False, True, True])
  norm = models.Norm(kind="layer")
  v = norm.init(KEY, x, mask)
  y = np.asarray(norm.apply(v, x, mask))
  xn = np.asarray(x, np.float64)
  ref = (xn - xn.mean(1, keepdims=True)) / np.sqrt(xn.var(1, keepdims=True) + 1e-5)
  np.testing.assert_allclose(y[[0, 2, 3]], ref[[0, 2, 3]], rtol=1e-4, atol=1e-5)
  np.testing.assert_array_equal(y[1], 0.0)
  assert models.Norm(kind="none").init(KEY, x, mask) == {}
  with pytest.raises(ValueError, match="norm must be one of"):
    models.Norm(kind="group")

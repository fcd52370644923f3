"""MoCHi hard negative mixing: reduces to InfoNCE, mixes are harder, padding, direction."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import loss_testing as lt
from jgssl import losses
from jgssl import pairs as pairs_lib

TAU = 0.5


def _views(rng, n=8, d=5):
  return (rng.normal(size=(n, d)).astype(np.float32),
          rng.normal(size=(n, d)).astype(np.float32))


def test_without_mixes_equals_cross_view_info_nce(rng):
  u, v = _views(rng)
  got = jax.jit(lambda a, b: losses.mochi_info_nce(
      jax.random.key(0), a, b, temperature=TAU, num_hard=3, num_mix=0, num_query_mix=0))(u, v)
  want = losses.info_nce(u, v, pairs=pairs_lib.same_scale(jnp.ones(8, bool)), temperature=TAU,
                         symmetric=False)
  np.testing.assert_allclose(got, want, atol=1e-5)


def test_synthetic_points_by_hand():
  # One anchor row, three keys; num_hard = 1 → every synthetic point is built from the single
  # hardest negative n: n-n mixes are n itself; query mixes are normalise(β q + (1 − β) n).
  q = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], np.float32)
  k = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]], np.float32)
  key = jax.random.key(1)
  got = np.asarray(losses.mochi_info_nce(key, q, k, temperature=1.0, num_hard=1, num_mix=2,
                                         num_query_mix=0))
  # Row 0: negatives k1 (cos 0) and k2 (cos 0.8); the hardest is k2; two copies of it appended.
  s = np.array([1.0, 0.0, 0.8, 0.8, 0.8])
  np.testing.assert_allclose(got[0], np.log(np.exp(s).sum()) - 1.0, rtol=1e-5)


def test_mixing_makes_the_loss_larger(rng):
  u, v = _views(rng)
  key = jax.random.key(0)
  f = jax.jit(losses.mochi_info_nce,
              static_argnames=("temperature", "num_hard", "num_mix", "num_query_mix"))
  base = f(key, u, v, temperature=TAU, num_hard=4, num_mix=0, num_query_mix=0)
  mixed = f(key, u, v, temperature=TAU, num_hard=4, num_mix=8, num_query_mix=4)
  assert np.all(np.asarray(mixed) > np.asarray(base))


def test_same_key_same_value_and_symmetric_option(rng):
  u, v = _views(rng)
  f = jax.jit(lambda k: losses.mochi_info_nce(k, u, v, temperature=TAU, num_hard=3,
                                              symmetric=True))
  np.testing.assert_array_equal(f(jax.random.key(2)), f(jax.random.key(2)))
  assert not np.allclose(f(jax.random.key(2)), f(jax.random.key(3)))


def test_masked_equals_sliced_with_trailing_padding(rng):
  u, v = _views(rng, n=6)
  fn = lambda a, b, w: losses.mochi_info_nce(jax.random.key(4), a, b, temperature=TAU,
                                             num_hard=3, num_mix=5, num_query_mix=3, where=w)
  lt.check_masked_equals_sliced(fn, [u, v], per_row=True, rng=rng, trailing_only=True)


def test_gradient_flows_into_synthetic_points_only_when_asked(rng):
  u, v = _views(rng, n=5)

  def grad_v(stop):
    return jax.jit(jax.grad(lambda b: jnp.sum(losses.mochi_info_nce(
        jax.random.key(0), u, b, temperature=TAU, num_hard=2, num_mix=4, num_query_mix=2,
        stop_gradient_synthetic=stop))))(v)

  g_stop, g_flow = grad_v(True), grad_v(False)
  assert np.all(np.isfinite(g_stop)) and np.all(np.isfinite(g_flow))
  assert not np.allclose(g_stop, g_flow)


def test_loss_falls_as_views_align(rng):
  u, v = _views(rng, n=8, d=6)
  fn = lambda a, b: jnp.mean(losses.mochi_info_nce(jax.random.key(0), a, b, temperature=TAU,
                                                   num_hard=4, num_mix=8, num_query_mix=4))
  lt.assert_monotone_decrease(lt.interpolation_losses(fn, u, v))


def test_errors(rng):
  u, v = _views(rng, n=4)
  with pytest.raises(ValueError, match="num_hard"):
    losses.mochi_info_nce(jax.random.key(0), u, v, temperature=TAU, num_hard=4)
  with pytest.raises(ValueError, match="num_mix"):
    losses.mochi_info_nce(jax.random.key(0), u, v, temperature=TAU, num_hard=2, num_mix=-1)
  with pytest.raises(ValueError, match="temperature"):
    losses.mochi_info_nce(jax.random.key(0), u, v, temperature=-1.0, num_hard=2)

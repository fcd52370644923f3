"""InfoNCE's additive key bias: a pair bias a_i + b_j (CSGCL's team-up scores) against numpy,
chunked == dense, row blocks, padding and errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import loss_testing as lt
from jgssl import losses
from jgssl import pairs as pairs_lib

TAU = 0.4


def _normalise(x):
  return x / np.linalg.norm(x, axis=1, keepdims=True)


def pair_bias_np(u, v, bias, tau, *, intra_view=True, positive_in_denominator=True):
  """Per-row symmetric InfoNCE with scores ``(cos(i, j) + c_i + c_j) / τ`` on every pair, in
  float64 (HanChen-HUST/CSGCL ``src/model.py`` ``_team_up`` with ``c = γ cs``)."""
  u, v, c = (np.asarray(a, np.float64) for a in (u, v, bias))
  pair = c[:, None] + c[None, :]

  def one_way(a, b):
    refl = np.exp((_normalise(a) @ _normalise(a).T + pair) / tau)
    between = np.exp((_normalise(a) @ _normalise(b).T + pair) / tau)
    den = between.sum(1) - (0 if positive_in_denominator else np.diag(between))
    if intra_view:
      den = den + refl.sum(1) - np.diag(refl)
    return -np.log(np.diag(between) / den)

  return 0.5 * (one_way(u, v) + one_way(v, u))


@pytest.mark.parametrize("intra_view", [True, False])
@pytest.mark.parametrize("positive_in_denominator", [True, False])
def test_key_bias_is_the_pair_bias_of_the_official_team_up(rng, intra_view,
                                                          positive_in_denominator):
  n = 9
  u, v = rng.normal(size=(2, n, 5)).astype(np.float32)
  c = rng.uniform(-0.5, 1.5, size=n).astype(np.float32)
  want = pair_bias_np(u, v, c, TAU, intra_view=intra_view,
                      positive_in_denominator=positive_in_denominator)
  p = pairs_lib.same_scale(jnp.ones(n, bool), intra_view=intra_view)
  for chunks in ({}, {"chunk_size": 4, "key_chunk_size": 3}, {"chunk_size": 16}):
    got = losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=c / TAU,
                          positive_in_denominator=positive_in_denominator, **chunks)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_zero_bias_is_plain_info_nce_and_a_bias_changes_it(rng):
  u, v = rng.normal(size=(2, 8, 4)).astype(np.float32)
  p = pairs_lib.same_scale(jnp.ones(8, bool), intra_view=True)
  plain = losses.info_nce(u, v, pairs=p, temperature=TAU)
  zero = losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=jnp.zeros(8))
  np.testing.assert_allclose(zero, plain, rtol=1e-6, atol=1e-6)
  # A constant bias cancels (every score of a row moves alike); a varying one does not.
  const = losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=jnp.full(8, 3.0))
  np.testing.assert_allclose(const, plain, rtol=1e-5, atol=1e-5)
  varying = losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=jnp.arange(8.0) / 4)
  assert np.max(np.abs(np.asarray(varying) - np.asarray(plain))) > 1e-2


def test_chunked_gradient_equals_dense(rng):
  n = 11
  u, v = rng.normal(size=(2, n, 5)).astype(np.float32)
  c = jnp.asarray(rng.normal(size=n), jnp.float32)
  w = jnp.asarray(rng.random(n) > 0.25)
  p = pairs_lib.same_scale(w, intra_view=True)

  def run(**chunks):
    f = lambda a, b, bias: losses.masked_mean(
        losses.info_nce(a, b, pairs=p, temperature=TAU, key_bias=bias, **chunks), w)
    return jax.jit(jax.value_and_grad(f, argnums=(0, 1, 2)))(u, v, c)

  val_d, grads_d = run()
  val_c, grads_c = run(chunk_size=4, key_chunk_size=3)
  np.testing.assert_allclose(val_c, val_d, atol=1e-5)
  for gc, gd in zip(grads_c, grads_d):
    np.testing.assert_allclose(gc, gd, atol=1e-5)
  assert np.all(np.asarray(grads_d[2])[~np.asarray(w)] == 0)  # masked keys' bias unused


def test_rows_of_blocks_equal_the_full_loss(rng):
  n = 10
  u, v = rng.normal(size=(2, n, 4)).astype(np.float32)
  c = rng.normal(size=n).astype(np.float32)
  w = jnp.asarray(rng.random(n) > 0.2)
  p = pairs_lib.same_scale(w, intra_view=True)
  full = losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=c)
  u_pad, v_pad = np.concatenate([u, u[:2]]), np.concatenate([v, v[:2]])
  rows = []
  for s in (0, 4, 8):
    r1 = losses.info_nce_rows(u_pad[s:s + 4], v, pairs=p, temperature=TAU, row_offset=s,
                              intra_keys=u, key_chunk_size=3, key_bias=c)
    r2 = losses.info_nce_rows(v_pad[s:s + 4], u, pairs=p.transpose(), temperature=TAU,
                              row_offset=s, intra_keys=v, key_bias=c)
    rows.append(0.5 * (r1 + r2))
  np.testing.assert_allclose(np.concatenate(rows)[:n], full, atol=1e-5)


def test_masked_equals_sliced_with_garbage_bias_on_padding(rng):
  n = 7
  u, v = rng.normal(size=(2, n, 4)).astype(np.float32)
  c = rng.normal(size=(n, 1)).astype(np.float32)

  def fn(a, b, bias, where):
    return losses.info_nce(a, b, pairs=pairs_lib.same_scale(where, intra_view=True),
                           temperature=TAU, key_bias=bias[:, 0])

  lt.check_masked_equals_sliced(fn, [u, v, c], per_row=True, rng=rng)


def test_bad_key_bias_raises(rng):
  u, v = rng.normal(size=(2, 4, 3)).astype(np.float32)
  p = pairs_lib.same_scale(jnp.ones(4, bool), intra_view=True)
  with pytest.raises(ValueError, match="key_bias must have shape"):
    losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=jnp.zeros(3))
  with pytest.raises(ValueError, match="float"):
    losses.info_nce(u, v, pairs=p, temperature=TAU, key_bias=jnp.zeros(4, jnp.int32))
  # Cross-scale keys are graphs: a bias over them is fine one way, but not with intra keys.
  seg = jnp.asarray([0, 0, 1, 1])
  cp = pairs_lib.cross_scale(seg, node_mask=jnp.ones(4, bool), graph_mask=jnp.ones(2, bool))
  out = losses.info_nce(u, v[:2], pairs=cp, temperature=TAU, symmetric=False,
                        key_bias=jnp.asarray([0.0, 1.0]))
  assert out.shape == (4,) and np.all(np.isfinite(out))

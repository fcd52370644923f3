"""The fixed-shift same-row kernels (jgssl.losses._same_row) are exact.

They replace, for same-row pairings on cosine scores, the generic tile machinery of
jgssl.losses.infonce. Checked here: values and gradients equal (a) an independent numpy / JAX
reference that computes the two directions separately with four similarity matrices (the
official GRACE code's form) and (b) the generic path (kernel disabled), dense and chunked, with
masks, tiles that do not divide N, and every loss of the family; the kernels are chosen only
when their conditions hold; the dense forward computes three N x N products, not four.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import losses, pairs
from jgssl.losses import _same_row

# Tiny problems: XLA's optimisation passes dominate; level 0 compiles faster, same values.
_jit = functools.partial(jax.jit, compiler_options={"xla_backend_optimization_level": 0})


def _views(n=37, d=8, seed=0, drop=0.2):
  k1, k2, k3 = jax.random.split(jax.random.PRNGKey(seed), 3)
  u = jax.random.normal(k1, (n, d))
  v = u + 0.8 * jax.random.normal(k2, (n, d))
  where = jax.random.uniform(k3, (n,)) > drop
  return u, v, where


def _grace_reference(u, v, where, tau):
  """GRACE as the official code writes it: both directions, four similarity matrices."""
  u = u / jnp.linalg.norm(u, axis=1, keepdims=True)
  v = v / jnp.linalg.norm(v, axis=1, keepdims=True)
  f = lambda a, b: jnp.exp((a @ b.T) / tau)
  keep = where[None, :] & where[:, None]
  eye = jnp.eye(u.shape[0], dtype=bool)

  def semi(a, b):
    refl = jnp.where(keep & ~eye, f(a, a), 0.0)
    between = jnp.where(keep, f(a, b), 0.0)
    return -jnp.log(jnp.diag(between) / (refl.sum(1) + between.sum(1)))

  rows = 0.5 * (semi(u, v) + semi(v, u))
  return jnp.sum(jnp.where(where, rows, 0.0)) / jnp.sum(where)


def _loss_and_grads(fn, u, v, *, generic=False, **kw):
  def f(u, v):
    where = kw.get("where")
    rows = fn(u, v, **kw)
    return losses.masked_mean(rows, where)

  g = _jit(jax.value_and_grad(f, argnums=(0, 1)))
  if not generic:
    return g(u, v)
  original = _same_row.usable
  _same_row.usable = lambda *a, **k: False
  try:
    return g(u, v)  # traced now, with the generic machinery
  finally:
    _same_row.usable = original


def _close(a, b, atol=2e-6, rtol=2e-5):
  for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
    np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=rtol)


@pytest.mark.parametrize("chunk", [None, 8, 37])
def test_grace_equals_two_direction_reference(chunk):
  u, v, where = _views()
  got = _loss_and_grads(losses.grace_loss, u, v, temperature=0.4, where=where, chunk_size=chunk)
  want = _jit(jax.value_and_grad(lambda a, b: _grace_reference(a, b, where, 0.4),
                                 argnums=(0, 1)))(u, v)
  _close(got, want)


FAMILY = [
    (losses.grace_loss, dict(temperature=0.4), 12),
    (losses.dcl_loss, dict(temperature=0.2, intra_view=False), None),
    (losses.weighted_dcl_loss, dict(temperature=0.1), 12),
    (losses.graphcl_loss, dict(temperature=0.2), None),
    (losses.graphcl_loss, dict(temperature=0.2, symmetric=True), 12),
    (losses.debiased_info_nce, dict(temperature=0.5, tau_plus=0.1), None),
    (losses.hard_info_nce, dict(temperature=0.5, beta=1.0, tau_plus=0.1), 12),
]


@pytest.mark.parametrize("fn,kw,chunk", FAMILY)
def test_family_equals_generic_path(fn, kw, chunk):
  u, v, where = _views(n=29, seed=3)
  kw = dict(kw, where=where, chunk_size=chunk)
  fast = _loss_and_grads(fn, u, v, **kw)
  generic = _loss_and_grads(fn, u, v, generic=True, **kw)
  _close(fast, generic)


def test_usable_only_when_exact():
  where = jnp.ones(5, bool)
  same = pairs.same_scale(where, intra_view=True)
  ok = dict(normalize=True, n=5, m=5, inv_temp=2.5, channels=(("den", 1.0),))
  assert _same_row.usable(same, **ok)
  assert not _same_row.usable(same, **dict(ok, normalize=False))   # raw dot products
  assert not _same_row.usable(same, **dict(ok, m=6))               # N != M
  assert not _same_row.usable(same, **dict(ok, inv_temp=100.0))    # shift 100 > 40
  labels = pairs.by_label(jnp.arange(5) % 2, mask=where)
  assert not _same_row.usable(labels, **ok)                        # several positives


@pytest.mark.parametrize("tau", [0.025, 0.02])  # fixed shift 40 (kernel) and 50 (fallback)
def test_small_temperatures_match_float64_reference(tau):
  u, v, where = _views(n=17, seed=5)
  got = _loss_and_grads(losses.grace_loss, u, v, temperature=tau, where=where)
  with jax.enable_x64(True):
    u64, v64 = jnp.asarray(np.asarray(u), jnp.float64), jnp.asarray(np.asarray(v), jnp.float64)
    want = jax.value_and_grad(lambda a, b: _grace_reference(a, b, where, tau),
                              argnums=(0, 1))(u64, v64)
    want = jax.tree_util.tree_map(np.asarray, want)
  assert np.isfinite(float(got[0]))
  _close(got, want, atol=1e-4, rtol=1e-4)


def test_dense_forward_computes_three_similarity_matrices():
  u, v, where = _views(n=23)
  jaxpr = jax.make_jaxpr(
      lambda a, b: jnp.sum(losses.grace_loss(a, b, temperature=0.5, where=where)))(u, v)
  text = str(jaxpr)
  # u v^T, u u^T and v v^T; the transpose of u v^T serves the second direction.
  assert text.count("dot_general") == 3, text


def test_chunked_padding_rows_get_zero_gradient():
  u, v, where = _views(n=21, seed=7)
  where = where.at[-4:].set(False)
  u = u.at[-4:].set(jnp.nan)
  v = v.at[-4:].set(jnp.nan)
  val, (gu, gv) = _loss_and_grads(losses.grace_loss, u, v, temperature=0.5, where=where,
                                  chunk_size=8)
  assert np.isfinite(float(val))
  np.testing.assert_array_equal(np.asarray(gu[-4:]), 0.0)
  np.testing.assert_array_equal(np.asarray(gv[-4:]), 0.0)

"""A non-finite value in a real row propagates; padding rows still contribute exactly nothing.

Issue 21 item 8: the InfoNCE family turned a NaN / inf in one real row into a loss of 0.0 for
every row (``_finish_info_nce`` treated a non-finite denominator as an empty one), so a training
run's non-finite guard could never fire for GRACE / GraphCL / DCL and reported
``loss was finite (loss=0.0)``. Every loss of :mod:`jgssl.losses` is checked here: a broken real
row makes the rows that depend on it (and their mean) non-finite, while padding rows stay at
exactly 0 with exactly 0 gradient.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import losses
from jgssl import pairs as pairs_lib

TAU = 0.5
N, D = 8, 5
WHERE = np.array([True, True, True, True, True, True, False, False])
BAD_VALUES = [np.inf, -np.inf, np.nan]


def _views(seed=0):
  rng = np.random.default_rng(seed)
  u = rng.normal(size=(N, D)).astype(np.float32)
  v = rng.normal(size=(N, D)).astype(np.float32)
  u[~WHERE] = np.nan  # padding may hold anything
  v[~WHERE] = np.inf
  return u, v


def _same(w):
  return pairs_lib.same_scale(w)


# Per-row losses ``fn(u, v, where) -> [N]`` whose every real row depends on key row 2 of ``v``
# (as a positive or a negative, in at least one direction), with cosine scores.
_PER_ROW = {
    "grace": lambda u, v, w: losses.grace_loss(u, v, temperature=TAU, where=w),
    "grace_chunked_same_row": lambda u, v, w: losses.grace_loss(u, v, temperature=TAU, where=w,
                                                                chunk_size=4),
    "grace_chunked_streamed": lambda u, v, w: losses.grace_loss(u, v, temperature=TAU, where=w,
                                                                chunk_size=4, key_chunk_size=3),
    "grace_low_temperature": lambda u, v, w: losses.grace_loss(u, v, temperature=0.01, where=w),
    "grace_low_temperature_chunked": lambda u, v, w: losses.grace_loss(
        u, v, temperature=0.01, where=w, chunk_size=3, key_chunk_size=2),
    "graphcl": lambda u, v, w: losses.graphcl_loss(u, v, where=w),
    "graphcl_chunked": lambda u, v, w: losses.graphcl_loss(u, v, where=w, chunk_size=3),
    "graphcl_symmetric": lambda u, v, w: losses.graphcl_loss(u, v, where=w, symmetric=True),
    "dcl": lambda u, v, w: losses.dcl_loss(u, v, temperature=TAU, where=w),
    "dcl_chunked": lambda u, v, w: losses.dcl_loss(u, v, temperature=TAU, where=w, chunk_size=3,
                                                   key_chunk_size=2),
    "weighted_dcl": lambda u, v, w: losses.weighted_dcl_loss(u, v, temperature=TAU, where=w),
    "debiased": lambda u, v, w: losses.debiased_info_nce(u, v, temperature=TAU, where=w),
    "debiased_one_direction": lambda u, v, w: losses.debiased_info_nce(
        u, v, temperature=TAU, pairs=_same(w), symmetric=False),
    "debiased_chunked": lambda u, v, w: losses.debiased_info_nce(
        u, v, temperature=TAU, pairs=_same(w), symmetric=False, chunk_size=3, key_chunk_size=2),
    "hard": lambda u, v, w: losses.hard_info_nce(u, v, temperature=TAU, where=w),
    "hard_one_direction": lambda u, v, w: losses.hard_info_nce(
        u, v, temperature=TAU, pairs=_same(w), symmetric=False),
    "info_nce_one_direction": lambda u, v, w: losses.info_nce(
        u, v, pairs=_same(w), temperature=TAU, symmetric=False),
    "info_nce_supervised": lambda u, v, w: losses.info_nce(
        u, v, pairs=pairs_lib.by_label(jnp.arange(N) % 3, mask=w, intra_view=True),
        temperature=TAU),
    "info_nce_rows": lambda u, v, w: losses.info_nce_rows(u, v, pairs=_same(w),
                                                          temperature=TAU),
    "info_nce_rows_streamed": lambda u, v, w: losses.info_nce_rows(
        u, v, pairs=_same(w), temperature=TAU, key_chunk_size=3),
    "debiased_info_nce_rows": lambda u, v, w: losses.debiased_info_nce_rows(
        u, v, pairs=_same(w), temperature=TAU, key_chunk_size=3),
    "mochi": lambda u, v, w: losses.mochi_info_nce(jax.random.PRNGKey(0), u, v, temperature=TAU,
                                                   num_hard=3, num_mix=2, num_query_mix=2,
                                                   where=w),
}


@functools.lru_cache(maxsize=None)
def _compiled(name):
  """``(u, v) -> (masked mean, rows, grads)`` of one loss, jitted once for all its cases."""
  fn, w = _PER_ROW[name], jnp.asarray(WHERE)

  def f(a, b):
    rows = fn(a, b, w)
    return losses.masked_mean(rows, w), rows

  return jax.jit(jax.value_and_grad(f, argnums=(0, 1), has_aux=True))


def _rows_and_grads(name, u, v):
  (value, rows), grads = _compiled(name)(jnp.asarray(u), jnp.asarray(v))
  return float(value), np.asarray(rows), [np.asarray(g) for g in grads]


@pytest.mark.parametrize("name", sorted(_PER_ROW))
def test_non_finite_real_row_propagates(name):
  u, v = _views()
  value, rows, _ = _rows_and_grads(name, u, v)
  assert np.isfinite(value) and np.all(np.isfinite(rows)), "clean inputs must give finite rows"
  for bad in BAD_VALUES:
    # A key every real row uses (as positive or negative, in some direction): all real rows.
    broken = v.copy()
    broken[2, 1] = bad
    value, rows, grads = _rows_and_grads(name, u, broken)
    assert not np.isfinite(value), f"loss {value} hides the {bad} in a real row"
    assert not np.any(np.isfinite(rows[WHERE])), f"real rows {rows[WHERE]} hide the {bad}"
    assert np.all(rows[~WHERE] == 0.0), "padding rows must contribute exactly nothing"
    for g in grads:
      assert np.all(g[~WHERE] == 0.0), "padding rows must keep a zero gradient"
  # The probe's case: one inf entry in an anchor row (grace_loss gave 0.0 for every row).
  broken = u.copy()
  broken[0, 3] = np.inf
  value, rows, _ = _rows_and_grads(name, broken, v)
  assert not np.isfinite(value) and not np.isfinite(rows[0])
  assert np.all(rows[~WHERE] == 0.0)


def test_grace_probe_case_unmasked():
  u, v = _views()
  u, v = u[WHERE], v[WHERE]
  u[0, 0] = np.inf
  rows = np.asarray(losses.grace_loss(u, v, temperature=0.5))
  assert not np.any(np.isfinite(rows)), rows


@pytest.mark.parametrize("chunks", [{}, {"chunk_size": 3}])
def test_unnormalized_scores_propagate_nan(chunks):
  u, v = _views()
  v[2, 1] = np.nan
  rows = np.asarray(losses.info_nce(u, v, pairs=_same(jnp.asarray(WHERE)), temperature=TAU,
                                    normalize=False, **chunks))
  assert not np.any(np.isfinite(rows[WHERE])) and np.all(rows[~WHERE] == 0.0)
  u, v = _views()
  u[0, 1] = np.inf  # +inf and -inf dot products: row 0 is undefined, not 0
  rows = np.asarray(losses.info_nce(u, v, pairs=_same(jnp.asarray(WHERE)), temperature=TAU,
                                    normalize=False, symmetric=False, **chunks))
  assert not np.isfinite(rows[0]) and np.all(rows[~WHERE] == 0.0)


def test_empty_denominator_still_gives_zero():
  """A decoupled row without negatives (one present row) is still 0, not -inf: only data that
  is non-finite propagates, an empty set of negatives does not."""
  u, v = _views()
  w = jnp.asarray(np.arange(N) == 0)
  for fn in (losses.graphcl_loss, losses.dcl_loss):
    rows = np.asarray(fn(u, v, where=w))
    assert np.all(rows == 0.0), rows


# Batch-level (scalar) losses and per-row losses without contrast.
_OTHER = {
    "barlow_twins": lambda a, b, w: losses.barlow_twins_loss(a, b, where=w),
    "vicreg": lambda a, b, w: losses.vicreg_loss(a, b, where=w),
    "cca_ssg": lambda a, b, w: losses.cca_ssg_loss(a, b, where=w),
    "cross_correlation": lambda a, b, w: losses.cross_correlation(a, b, where=w),
    "bootstrap": lambda a, b, w: losses.masked_mean(losses.bootstrap_cosine_loss(a, b, where=w),
                                                    w),
    "scaled_cosine_error": lambda a, b, w: losses.masked_mean(
        losses.scaled_cosine_error(a, b, where=w), w),
    "gaussian_kl": lambda a, b, w: losses.vgae_kl_loss(a, b, where=w),
    "jsd_mi": lambda a, b, w: losses.jsd_mi_loss(a[:, 1], b[:, 1], pos_where=w, neg_where=w),
    "jsd_mi_pairs": lambda a, b, w: losses.jsd_mi_pairs_loss(
        jnp.where(w[:, None] & w[None, :], a @ b.T, 0.0), pairs=_same(w)),
    "dgi_bce": lambda a, b, w: losses.dgi_bce_loss(a[:, 1], b[:, 1], pos_where=w, neg_where=w),
    "link_bce": lambda a, b, w: losses.link_bce_loss(a[:, 1], b[:, 1], pos_where=w,
                                                     neg_where=w),
    "gae_dense": lambda a, b, w: losses.gae_dense_loss(
        jnp.where(w[:, None] & w[None, :], a @ b.T, 0.0), jnp.eye(N), where=w),
}


@pytest.mark.parametrize("name", sorted(_OTHER))
def test_other_losses_propagate_nan(name):
  u, v = _views()
  w = jnp.asarray(WHERE)
  clean = np.asarray(_OTHER[name](jnp.asarray(u), jnp.asarray(v), w))
  assert np.all(np.isfinite(clean)), "padding (NaN / inf) must not leak"
  for side in (0, 1):
    arrays = [u.copy(), v.copy()]
    arrays[side][2, 1] = np.nan
    out = np.asarray(_OTHER[name](jnp.asarray(arrays[0]), jnp.asarray(arrays[1]), w))
    assert not np.all(np.isfinite(out)), f"{name} hides a NaN in input {side}: {out}"


@pytest.mark.parametrize("name", ["barlow_twins", "vicreg", "cca_ssg"])
def test_decorrelation_losses_propagate_inf(name):
  u, v = _views()
  u[2, 1] = np.inf
  out = float(_OTHER[name](jnp.asarray(u), jnp.asarray(v), jnp.asarray(WHERE)))
  assert not np.isfinite(out), out


def test_cca_ssg_constant_column_still_standardises_to_zero():
  """The guard that must stay: a constant column gives 0, not NaN (documented choice)."""
  u, v = _views()
  u[:, 1] = 3.0
  assert np.isfinite(float(losses.cca_ssg_loss(u, v, where=jnp.asarray(WHERE))))

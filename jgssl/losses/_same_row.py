"""Fast exact kernels for symmetric InfoNCE-family losses over a same-row pairing.

For the pairing of :func:`jgssl.pairs.same_scale` (anchor ``i`` is positive with key ``i`` only,
every other present key is a negative, optionally with intra-view negatives) on L2-normalised
rows, every score ``s = cos / τ`` lies in ``[-1/τ, 1/τ]``. Each streamed log-sum-exp channel of
:mod:`jgssl.losses.infonce` (scores scaled by ``c``) can therefore use the *fixed* shift
``B = |c| / τ`` instead of a running maximum:

    log Σ_j e^{c s_j} = B + log Σ_j e^{c s_j − B},   every term in [e^{−2B}, 1].

With ``B ≤ MAX_SHIFT`` (40, i.e. ``τ ≥ |c| / 40``) no term underflows to zero or overflows in
float32 and the sum of ``N`` terms is exact to float rounding, so the value equals the max-shifted
one. A fixed shift makes the log-sum-exp *separable*: the exponentiated cross-view matrix
``E = exp(c · U Vᵀ / τ − B)`` gives the sums of direction ``u → v`` as its row sums and those of
``v → u`` as its column sums, so the cross-view similarity is computed **once** (dense or per
tile); the intra-view matrices are symmetric, so the chunked form computes only the tiles on and
above the diagonal and credits each off-diagonal tile to both of its row blocks. The chunked form
has a hand-written VJP that recomputes each tile in the backward pass (memory ``O(tile²)`` plus
``O(N d)``), with no running maximum to carry or rescale.

The per-row statistics handed to the finishers are exactly those of the generic machinery
(positive sum / count, negative count, ``(shift, sum)`` per channel), so every loss of the family
(InfoNCE / GRACE, decoupled / DCL, debiased, hard-negative) takes this path unchanged.
"""

from __future__ import annotations

import functools
from typing import Sequence, Tuple

import jax
import jax.numpy as jnp

#: Largest fixed shift ``|c| / τ`` for which the fixed-shift form is used (see module docstring).
MAX_SHIFT = 40.0


def usable(pairs, *, normalize: bool, n: int, m: int, inv_temp: float,
           channels: Sequence[Tuple[str, float]]) -> bool:
  """Whether the fixed-shift same-row kernels apply to this problem."""
  return (pairs.kind == "same_row" and pairs.anchor_codes is None and pairs.key_codes is None
          and pairs.key_negatives and normalize and n == m
          and all(abs(scale) * inv_temp <= MAX_SHIFT for _, scale in channels))


def _excludes_diagonal(subset: str, positive_in_denominator: bool) -> bool:
  """Whether a channel's cross-view sum leaves out the positive pair ``(i, i)``."""
  return subset == "neg" or not positive_in_denominator


def _eye_like(rows: int, cols: int, row_start=0, col_start=0) -> jax.Array:
  r = row_start + jax.lax.broadcasted_iota(jnp.int32, (rows, cols), 0)
  c = col_start + jax.lax.broadcasted_iota(jnp.int32, (rows, cols), 1)
  return r == c


def _counts(row_ok, col_ok, intra: bool):
  """Positive and negative counts of direction ``rows → cols`` (floats ``[N]``)."""
  rf, cf = row_ok.astype(jnp.float32), col_ok.astype(jnp.float32)
  pos_cnt = rf * cf
  neg_cnt = rf * (jnp.sum(cf) - cf)
  if intra:
    neg_cnt = neg_cnt + rf * (jnp.sum(rf) - 1.0)
  return pos_cnt, neg_cnt


def _scaled_gram(a, b, inv_temp):
  """``a bᵀ / τ``."""
  return (a @ b.T) * inv_temp


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5, 6, 7))
def _dense_sums(u, v, row_ok, col_ok, inv_temp, scales, excl, intra):
  """Per-channel sums ``[K, N]`` of both directions from whole ``N × N`` matrices."""
  return _dense_sums_fwd(u, v, row_ok, col_ok, inv_temp, scales, excl, intra)[0]


def _dense_sums_fwd(u, v, row_ok, col_ok, inv_temp, scales, excl, intra):
  n = u.shape[0]
  shifts = _shifts(scales, inv_temp)
  cross = _scaled_gram(u, v, inv_temp)
  keep, keep_nd = _cross_keep(row_ok, col_ok, 0, 0, n, any(excl))
  e12 = jnp.stack([jnp.where(keep_nd if x else keep, jnp.exp(c * cross - b), 0.0)
                   for c, b, x in zip(scales, shifts, excl)])
  sa, sb = jnp.sum(e12, axis=2), jnp.sum(e12, axis=1)
  e11 = e22 = None
  if intra:
    eye = _eye_like(n, n)
    e11 = _tile_exps(_scaled_gram(u, u, inv_temp), row_ok[:, None] & row_ok[None, :] & ~eye,
                     scales, shifts)
    e22 = _tile_exps(_scaled_gram(v, v, inv_temp), col_ok[:, None] & col_ok[None, :] & ~eye,
                     scales, shifts)
    sa = sa + jnp.sum(e11, axis=2)
    sb = sb + jnp.sum(e22, axis=2)
  return (sa, sb), (u, v, e12, e11, e22)


def _dense_sums_bwd(inv_temp, scales, excl, intra, res, g):
  del excl
  u, v, e12, e11, e22 = res
  ga, gb = g
  coefs = jnp.asarray([c * inv_temp for c in scales], jnp.float32)[:, None, None]
  ds12 = jnp.sum(coefs * e12 * (ga[:, :, None] + gb[:, None, :]), axis=0)
  du = ds12 @ v
  dv = ds12.T @ u
  if intra:
    # The intra-view matrices are symmetric: one product per view covers both of its factors.
    du = du + jnp.sum(coefs * e11 * (ga[:, :, None] + ga[:, None, :]), axis=0) @ u
    dv = dv + jnp.sum(coefs * e22 * (gb[:, :, None] + gb[:, None, :]), axis=0) @ v
  return du, dv, None, None


_dense_sums.defvjp(_dense_sums_fwd, _dense_sums_bwd)


def _finish_stats(u, v, row_ok, col_ok, sa, sb, *, inv_temp, scales, intra, make_stats):
  n = u.shape[0]
  shifts = jnp.stack([jnp.full((n,), abs(c) * inv_temp, jnp.float32) for c in scales])
  diag = jnp.sum(u * v, axis=1) * inv_temp
  pos_sum = jnp.where(row_ok & col_ok, diag, 0.0)
  pa, na = _counts(row_ok, col_ok, intra)
  pb, nb = _counts(col_ok, row_ok, intra)
  return (make_stats(pos_sum, pa, na, shifts, sa), make_stats(pos_sum, pb, nb, shifts, sb))


def _static(channels, positive_in_denominator):
  scales = tuple(float(c) for _, c in channels)
  excl = tuple(_excludes_diagonal(s, positive_in_denominator) for s, _ in channels)
  return scales, excl


def dense_stats(u, v, row_ok, col_ok, *, inv_temp: float, channels, positive_in_denominator: bool,
                intra: bool, make_stats):
  """Statistics of both directions from one cross-view matrix (and two intra-view ones).

  Forward: three ``N × N`` products (cross, and the two intra-view ones), each exponentiated
  once. Backward (hand-written VJP): four products — the cross-view one's two factors and one
  per symmetric intra-view matrix — instead of the six of automatic differentiation.

  Args:
    u, v: float ``[N, d]`` L2-normalised rows (masked rows zero).
    row_ok, col_ok: bool ``[N]`` anchor / key masks.
    inv_temp: ``1 / τ``.
    channels: ``(subset, scale)`` pairs of the loss.
    positive_in_denominator: whether ``'den'`` channels include the positive.
    intra: intra-view negatives.
    make_stats: ``(pos_sum, pos_cnt, neg_cnt, shifts [K, N], sums [K, N]) -> stats``.

  Returns:
    ``(stats_u_to_v, stats_v_to_u)``.
  """
  scales, excl = _static(channels, positive_in_denominator)
  sa, sb = _dense_sums(u, v, row_ok, col_ok, float(inv_temp), scales, excl, bool(intra))
  return _finish_stats(u, v, row_ok, col_ok, sa, sb, inv_temp=inv_temp, scales=scales,
                       intra=intra, make_stats=make_stats)


# ---------------------------------------------------------------------------------------------
# Chunked: tiles over (row block, column block) pairs, custom VJP
# ---------------------------------------------------------------------------------------------


def _tile_exps(s, keep, scales, shifts):
  """``[K, T, T]`` masked ``exp(c s − B)`` per channel."""
  return jnp.stack([jnp.where(keep, jnp.exp(c * s - b), 0.0) for c, b in zip(scales, shifts)])


def _pairs_upper(nb: int):
  """Row / column block indices of the tiles on and above the diagonal."""
  ii, jj = jnp.triu_indices(nb)
  return ii.astype(jnp.int32), jj.astype(jnp.int32)


def _pairs_all(nb: int):
  ii, jj = jnp.meshgrid(jnp.arange(nb, dtype=jnp.int32), jnp.arange(nb, dtype=jnp.int32),
                        indexing="ij")
  return ii.reshape(-1), jj.reshape(-1)


def _blk(x, i, t):
  return jax.lax.dynamic_slice_in_dim(x, i * t, t, axis=x.ndim - 1 if x.ndim == 1 else 0)


def _blk_rows(x, i, t):
  return jax.lax.dynamic_slice_in_dim(x, i * t, t, axis=0)


def _blk_cols(x, i, t):
  return jax.lax.dynamic_slice_in_dim(x, i * t, t, axis=1)


def _add_cols(acc, i, t, val):
  """``acc[:, i*t : (i+1)*t] += val`` for ``acc [K, N]``."""
  return jax.lax.dynamic_update_slice_in_dim(acc, _blk_cols(acc, i, t) + val, i * t, axis=1)


def _add_rows(acc, i, t, val):
  return jax.lax.dynamic_update_slice_in_dim(acc, _blk_rows(acc, i, t) + val, i * t, axis=0)


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5, 6, 7, 8))
def _chunked_sums(u, v, row_ok, col_ok, tile, inv_temp, scales, excl, intra):
  """Per-channel sums ``[K, N]`` of both directions, tile by tile (``N`` a multiple of tile)."""
  return _chunked_sums_fwd(u, v, row_ok, col_ok, tile, inv_temp, scales, excl, intra)[0]


def _shifts(scales, inv_temp):
  return tuple(abs(c) * inv_temp for c in scales)


def _cross_keep(row_ok_i, col_ok_j, i, j, t, excl_any: bool):
  keep = row_ok_i[:, None] & col_ok_j[None, :]
  if not excl_any:
    return keep, keep
  diag = _eye_like(t, t, i * t, j * t)
  return keep, keep & ~diag


def _chunked_sums_fwd(u, v, row_ok, col_ok, tile, inv_temp, scales, excl, intra):
  n, _ = u.shape
  nb = n // tile
  k = len(scales)
  shifts = _shifts(scales, inv_temp)
  zero = jnp.zeros((k, n), jnp.float32)

  def cross_body(carry, ij):
    sa, sb = carry
    i, j = ij
    s = (_blk_rows(u, i, tile) @ _blk_rows(v, j, tile).T) * inv_temp
    keep, keep_nd = _cross_keep(_blk(row_ok, i, tile), _blk(col_ok, j, tile), i, j, tile,
                                any(excl))
    e = jnp.stack([jnp.where(keep_nd if x else keep, jnp.exp(c * s - b), 0.0)
                   for c, b, x in zip(scales, shifts, excl)])
    return (_add_cols(sa, i, tile, jnp.sum(e, axis=2)),
            _add_cols(sb, j, tile, jnp.sum(e, axis=1))), None

  (sa, sb), _ = jax.lax.scan(cross_body, (zero, zero), _pairs_all(nb))

  if intra:
    def intra_sums(x, ok, acc):
      def body(acc, ij):
        i, j = ij
        s = (_blk_rows(x, i, tile) @ _blk_rows(x, j, tile).T) * inv_temp
        oi, oj = _blk(ok, i, tile), _blk(ok, j, tile)
        keep = oi[:, None] & oj[None, :] & ~_eye_like(tile, tile, i * tile, j * tile)
        e = _tile_exps(s, keep, scales, shifts)
        acc = _add_cols(acc, i, tile, jnp.sum(e, axis=2))
        off = (i != j).astype(jnp.float32)
        return _add_cols(acc, j, tile, off * jnp.sum(e, axis=1)), None
      acc, _ = jax.lax.scan(body, acc, _pairs_upper(nb))
      return acc
    sa = intra_sums(u, row_ok, sa)
    sb = intra_sums(v, col_ok, sb)
  return (sa, sb), (u, v, row_ok, col_ok)


def _chunked_sums_bwd(tile, inv_temp, scales, excl, intra, res, g):
  u, v, row_ok, col_ok = res
  ga, gb = g
  n, _ = u.shape
  nb = n // tile
  shifts = _shifts(scales, inv_temp)
  coefs = jnp.asarray([c * inv_temp for c in scales], jnp.float32)[:, None, None]

  def cross_body(carry, ij):
    du, dv = carry
    i, j = ij
    ui, vj = _blk_rows(u, i, tile), _blk_rows(v, j, tile)
    s = (ui @ vj.T) * inv_temp
    keep, keep_nd = _cross_keep(_blk(row_ok, i, tile), _blk(col_ok, j, tile), i, j, tile,
                                any(excl))
    e = jnp.stack([jnp.where(keep_nd if x else keep, jnp.exp(c * s - b), 0.0)
                   for c, b, x in zip(scales, shifts, excl)])
    w = _blk_cols(ga, i, tile)[:, :, None] + _blk_cols(gb, j, tile)[:, None, :]
    ds = jnp.sum(coefs * e * w, axis=0)
    return (_add_rows(du, i, tile, ds @ vj), _add_rows(dv, j, tile, ds.T @ ui)), None

  (du, dv), _ = jax.lax.scan(cross_body, (jnp.zeros_like(u), jnp.zeros_like(v)), _pairs_all(nb))

  if intra:
    def intra_grad(x, ok, gx, dx):
      def body(dx, ij):
        i, j = ij
        xi, xj = _blk_rows(x, i, tile), _blk_rows(x, j, tile)
        s = (xi @ xj.T) * inv_temp
        oi, oj = _blk(ok, i, tile), _blk(ok, j, tile)
        keep = oi[:, None] & oj[None, :] & ~_eye_like(tile, tile, i * tile, j * tile)
        e = _tile_exps(s, keep, scales, shifts)
        off = (i != j).astype(jnp.float32)
        w = _blk_cols(gx, i, tile)[:, :, None] + off * _blk_cols(gx, j, tile)[:, None, :]
        ds = jnp.sum(coefs * e * w, axis=0)
        dx = _add_rows(dx, i, tile, ds @ xj)
        return _add_rows(dx, j, tile, ds.T @ xi), None
      dx, _ = jax.lax.scan(body, dx, _pairs_upper(nb))
      return dx
    du = intra_grad(u, row_ok, ga, du)
    dv = intra_grad(v, col_ok, gb, dv)
  return du, dv, None, None


_chunked_sums.defvjp(_chunked_sums_fwd, _chunked_sums_bwd)


def chunked_stats(u, v, row_ok, col_ok, *, tile: int, inv_temp: float, channels,
                  positive_in_denominator: bool, intra: bool, make_stats):
  """As :func:`dense_stats`, tile by tile with memory ``O(tile²)`` (module docstring)."""
  n = u.shape[0]
  t = min(int(tile), n)
  pad = -n % t
  if pad:
    u = jnp.pad(u, ((0, pad), (0, 0)))
    v = jnp.pad(v, ((0, pad), (0, 0)))
    row_ok = jnp.pad(row_ok, (0, pad))
    col_ok = jnp.pad(col_ok, (0, pad))
  scales, excl = _static(channels, positive_in_denominator)
  sa, sb = _chunked_sums(u, v, row_ok, col_ok, t, float(inv_temp), scales, excl, bool(intra))
  sa, sb = sa[:, :n], sb[:, :n]
  u, v, row_ok, col_ok = u[:n], v[:n], row_ok[:n], col_ok[:n]
  return _finish_stats(u, v, row_ok, col_ok, sa, sb, inv_temp=inv_temp, scales=scales,
                       intra=intra, make_stats=make_stats)

"""The InfoNCE family: GRACE / GraphCL / supervised InfoNCE, DCL, debiased and hard-negative forms.

Notation: anchors ``u`` ``[N, d]``, keys ``v`` ``[M, d]``, scores
``s_ij = cos(u_i, v_j) / τ``. For an anchor ``i`` with positives ``P_i`` and negatives ``N_i``
(given by a :class:`jgssl.pairs.Pairs`, possibly including the anchor's own view) the general row is

    ℓ_i = − w_i · mean_{p ∈ P_i} s_ip + log Σ_{j ∈ D_i} exp(s_ij),

with the denominator ``D_i = P_i ∪ N_i`` (InfoNCE / NT-Xent, GRACE; with several positives this
is SupCon's ``L_out``) or ``D_i = N_i`` (decoupled: GraphCL's TU loss and DCL). ``w_i = 1`` except
for weighted DCL.

**One machinery, two memory regimes.** Every loss here is computed from per-row *statistics*
(sum and count of positive scores, count of negatives and streaming log-sum-exps over the
denominator or the negatives) accumulated tile by tile:

* dense (``chunk_size=None``): one ``[N, M]`` similarity matrix. For the symmetric losses the
  cross-view matrix is computed **once** and its transpose serves the second direction; the two
  intra-view matrices are computed once each.
* chunked (``chunk_size=B``): anchors in blocks of ``B`` rows (``lax.map``), keys in blocks of
  ``key_chunk_size`` columns (``lax.scan``) with a streaming log-sum-exp (running max, rescaled
  running sum), and each tile under ``jax.checkpoint`` so the backward pass recomputes the tile's
  similarities instead of storing them. Peak memory is ``O(B · key_chunk_size)`` for the tiles plus
  ``O((N + M) · d)`` for the inputs and their gradients; the value and gradient equal the dense
  ones up to float32 rounding.

**Sharding.** :func:`info_nce_rows` computes the rows of *a block of anchors given the full key
matrices*, which is what a data-parallel step needs: inside ``jax.shard_map`` each device holds
its anchor rows, all-gathers the keys and calls it with its ``row_offset``::

    def per_device(u_local, v_local, pairs):
      u_all = jax.lax.all_gather(u_local, 'data', tiled=True)
      v_all = jax.lax.all_gather(v_local, 'data', tiled=True)
      offset = jax.lax.axis_index('data') * u_local.shape[0]
      r1 = info_nce_rows(u_local, v_all, pairs=pairs, temperature=t, row_offset=offset,
                         intra_keys=u_all, key_chunk_size=1024)
      r2 = info_nce_rows(v_local, u_all, pairs=pairs.transpose(), temperature=t,
                         row_offset=offset, intra_keys=v_all, key_chunk_size=1024)
      rows = 0.5 * (r1 + r2)
      mask = jax.lax.dynamic_slice_in_dim(pairs.row_mask(symmetric=True), offset, len(rows))
      return (jax.lax.psum(jnp.sum(jnp.where(mask, rows, 0)), 'data'),
              jax.lax.psum(jnp.sum(mask), 'data'))

(``pairs`` replicated; the loss is the ratio of the two sums). The all-gather is differentiable,
so key gradients flow back to the devices that own those rows.

Padding: every function takes masks (``where`` or the :class:`~jgssl.pairs.Pairs` masks); masked
rows are zeroed on input (they may hold anything, even NaN), are nobody's positive or negative,
and get a per-row loss of exactly 0 and a zero gradient.
"""

from __future__ import annotations

import functools
import math
from typing import Callable, NamedTuple, Optional, Sequence, Tuple

import jax
import jax.numpy as jnp

from jgssl.losses import _same_row
from jgssl.losses._common import (_float, _matrix, _positive, _restrict_pairs, _row_mask,
                                  _same_shape, _zero_rows, l2_normalize)
from jgssl.pairs import Pairs
from jgssl.pairs import same_scale
from jgssl.pairs.pairs import _take

__all__ = [
    "dcl_loss",
    "dcl_weights",
    "debiased_info_nce",
    "debiased_info_nce_rows",
    "grace_loss",
    "graphcl_loss",
    "hard_info_nce",
    "info_nce",
    "info_nce_rows",
    "weighted_dcl_loss",
]

# A streamed log-sum-exp channel: which pairs it runs over ('den' = the InfoNCE denominator,
# 'neg' = negatives only) and the factor applied to the scores first.
_Channel = Tuple[str, float]


class _Stats(NamedTuple):
  """Per-anchor statistics accumulated over key tiles (all ``[B]`` or ``[K, B]``)."""
  pos_sum: jax.Array
  pos_cnt: jax.Array
  neg_cnt: jax.Array
  lse_max: jax.Array  # running max of each channel (no gradient)
  lse_sum: jax.Array  # running Σ exp(x - max) of each channel


def _init_stats(rows: int, num_channels: int) -> _Stats:
  z = jnp.zeros((rows,), jnp.float32)
  return _Stats(z, z, z, jnp.full((num_channels, rows), -jnp.inf, jnp.float32),
                jnp.zeros((num_channels, rows), jnp.float32))


def _update(stats: _Stats, sims: jax.Array, pos: jax.Array, neg: jax.Array, *,
            channels: Sequence[_Channel], positive_in_denominator: bool) -> _Stats:
  """Folds one tile of scores ``[B, C]`` with its masks into the statistics."""
  pos_sum = stats.pos_sum + jnp.sum(jnp.where(pos, sims, 0.0), axis=1)
  pos_cnt = stats.pos_cnt + jnp.sum(pos, axis=1)
  neg_cnt = stats.neg_cnt + jnp.sum(neg, axis=1)
  den = (pos | neg) if positive_in_denominator else neg
  maxes, sums = [], []
  for k, (subset, scale) in enumerate(channels):
    sel = den if subset == "den" else neg
    x = jnp.where(sel, sims * scale if scale != 1.0 else sims, -jnp.inf)
    m_old = stats.lse_max[k]
    m_new = jnp.maximum(m_old, jax.lax.stop_gradient(jnp.max(x, axis=1)))
    shift = jnp.where(jnp.isfinite(m_new), m_new, 0.0)
    s = stats.lse_sum[k] * jnp.exp(m_old - shift) + jnp.sum(jnp.exp(x - shift[:, None]), axis=1)
    maxes.append(m_new)
    sums.append(s)
  return _Stats(pos_sum, pos_cnt, neg_cnt, jnp.stack(maxes), jnp.stack(sums))


def _lse(stats: _Stats, k: int) -> jax.Array:
  """Final log-sum-exp of channel ``k``; ``-inf`` for an empty set.

  The sum is exactly 0 only for an empty set (a non-empty one holds a term ``e^0 = 1`` under the
  running max, or terms ``>= e^{-2B}`` under a fixed shift); a NaN or infinite sum, from
  non-finite scores, is not empty and propagates.
  """
  m, s = stats.lse_max[k], stats.lse_sum[k]
  empty = s == 0
  return jnp.where(empty, -jnp.inf,
                   jnp.where(jnp.isfinite(m), m, 0.0) + jnp.log(jnp.where(empty, 1.0, s)))


# ---------------------------------------------------------------------------------------------
# Finishers: statistics -> per-row loss
# ---------------------------------------------------------------------------------------------


def _info_nce_finisher(positive_in_denominator: bool) -> Callable:
  """InfoNCE row from the statistics: ``−w · mean_P s + log Σ_D e^s``.

  A row is 0 when it has no positive (padding, or an anchor without a pair) or an empty
  denominator (a decoupled row without negatives), decided from the pair *counts*, never from
  the values: a NaN or infinite score of a real row propagates to its loss (so a non-finite
  guard can fire) instead of being mistaken for an empty set.
  """

  def finish(stats: _Stats, weights: Optional[jax.Array]) -> jax.Array:
    den_cnt = stats.pos_cnt + stats.neg_cnt if positive_in_denominator else stats.neg_cnt
    ok = (stats.pos_cnt > 0) & (den_cnt > 0)
    den = _lse(stats, 0)
    pos_mean = stats.pos_sum / jnp.maximum(stats.pos_cnt, 1.0)
    if weights is not None:
      pos_mean = weights * pos_mean
    return jnp.where(ok, jnp.where(ok, den, 0.0) - pos_mean, 0.0)

  return finish


def _debiased_finisher(*, tau_plus: float, beta: float, inv_temp: float) -> Callable:
  """Chuang et al. 2020 (``beta == 0``) / Robinson et al. 2021 row from the statistics."""

  def finish(stats: _Stats, weights: Optional[jax.Array]) -> jax.Array:
    del weights
    ok = (stats.pos_cnt > 0) & (stats.neg_cnt > 0)
    s_pos = stats.pos_sum / jnp.maximum(stats.pos_cnt, 1.0)
    log_m = jnp.log(jnp.maximum(stats.neg_cnt, 1.0))
    lse0 = _lse(stats, 0)
    lse0 = jnp.where(ok, lse0, 0.0)
    if beta == 0.0:
      log_r = lse0  # log Σ_neg e^{s}
    else:
      # Importance-reweighted negatives: M · Σ e^{(1+β)s} / Σ e^{βs}.
      log_r = lse0 - jnp.where(ok, _lse(stats, 1), 0.0) + log_m
    floor = log_m - inv_temp  # log(M · e^{-1/τ}), the smallest possible Σ_neg e^{s}
    if tau_plus > 0.0:
      # log(R − τ⁺ M e^{s_pos}) computed as log R + log(1 − e^{d}), valid when d < 0.
      d = math.log(tau_plus) + log_m + s_pos - log_r
      fine = d < 0
      d_safe = jnp.where(fine, d, -1.0)
      # d >= 0: the estimate fell below the clamp (-inf here, the floor below); a NaN d (from a
      # non-finite score) must stay NaN rather than be clamped to a finite floor.
      val = jnp.where(fine, log_r + jnp.log(-jnp.expm1(d_safe)),
                      jnp.where(jnp.isnan(d), d, -jnp.inf))
      log_ng = jnp.maximum(val - math.log1p(-tau_plus), floor)
    else:
      log_ng = jnp.maximum(log_r, floor)
    row = jnp.logaddexp(s_pos, log_ng) - s_pos
    return jnp.where(ok, row, 0.0)

  return finish


# ---------------------------------------------------------------------------------------------
# Tiling
# ---------------------------------------------------------------------------------------------


def _with_bias(sims: jax.Array, bias: Optional[jax.Array]) -> jax.Array:
  """``sims + bias`` over the key axis (``bias`` ``[C]`` for scores ``[B, C]``); None: as is."""
  return sims if bias is None else sims + bias[None, :]


def _scan_keys(anchors: jax.Array, row_ids: jax.Array, keys: jax.Array, mask_fn: Callable,
               *, key_chunk: Optional[int], inv_temp: float, channels: Sequence[_Channel],
               positive_in_denominator: bool, key_bias: Optional[jax.Array] = None) -> _Stats:
  """Statistics of ``anchors`` over all ``keys``, in one tile or streamed over checkpointed
  key blocks (running max / rescaled sum), so at most one ``[B, key_chunk]`` tile is live.
  ``key_bias`` (``[M]`` or None) is added to every score against key ``j``."""
  m, d = keys.shape
  b = anchors.shape[0]
  update = functools.partial(_update, channels=channels,
                             positive_in_denominator=positive_in_denominator)
  if key_chunk is None or key_chunk >= m:
    sims = _with_bias((anchors @ keys.T) * inv_temp, key_bias)
    return update(_init_stats(b, len(channels)), sims, *mask_fn(row_ids, jnp.arange(m)))
  num_blocks = -(-m // key_chunk)
  padded = jnp.pad(keys, ((0, num_blocks * key_chunk - m), (0, 0)))
  blocks = padded.reshape(num_blocks, key_chunk, d)
  starts = jnp.arange(num_blocks) * key_chunk
  bias_blocks = (None if key_bias is None else
                 jnp.pad(key_bias, (0, num_blocks * key_chunk - m)).reshape(num_blocks,
                                                                            key_chunk))

  @functools.partial(jax.checkpoint, prevent_cse=False)
  def tile(carry: _Stats, block: jax.Array, start: jax.Array, bias) -> _Stats:
    col_ids = start + jnp.arange(key_chunk)  # ids >= m are padding: masked by mask_fn
    sims = _with_bias((anchors @ block.T) * inv_temp, bias)
    return update(carry, sims, *mask_fn(row_ids, col_ids))

  # Inside ``shard_map`` the statistics vary across devices while a constant zero init does
  # not, and ``scan`` needs matching carry types: add an exact 0 that depends on the tile
  # inputs (a bool cast to float, times 0) so the init carries their type.
  first_pos, _ = mask_fn(row_ids[:1], starts[:1])
  probe = (jnp.isnan(anchors[0, 0]) | jnp.isnan(blocks[0, 0, 0]) | first_pos[0, 0])
  zero = probe.astype(jnp.float32) * 0.0
  init = jax.tree_util.tree_map(lambda x: x + zero, _init_stats(b, len(channels)))
  stats, _ = jax.lax.scan(lambda c, x: (tile(c, *x), None), init,
                          (blocks, starts, bias_blocks))
  return stats


def _with_intra(pairs: Pairs, num_keys: int) -> Callable:
  """Masks over the concatenated keys ``[keys (M); anchors' own view (N)]``.

  Column ids ``< M`` are cross-view keys, ``>= M`` intra-view rows ``id − M``; each half's
  mask function sees the other half's ids as out of range (hence unpaired).
  """

  def mask_fn(row_ids, col_ids):
    pos_c, neg_c = pairs.tile_masks(row_ids, col_ids)
    pos_i, neg_i = pairs.intra_tile_masks(row_ids, col_ids - num_keys)
    return pos_c | pos_i, neg_c | neg_i

  return mask_fn


def _all_keys(pairs: Pairs, keys: jax.Array, intra_keys: Optional[jax.Array],
              key_bias: Optional[jax.Array] = None, intra_bias: Optional[jax.Array] = None):
  """The key matrix a block is scored against, its mask function and its key bias (or None)."""
  if intra_keys is None:
    return keys, pairs.tile_masks, key_bias
  bias = None if key_bias is None else jnp.concatenate([key_bias, intra_bias])
  return (jnp.concatenate([keys, intra_keys], axis=0), _with_intra(pairs, keys.shape[0]),
          bias)


def _blocked_rows(anchors: jax.Array, keys: jax.Array, intra_keys: Optional[jax.Array],
                  pairs: Pairs, weights: Optional[jax.Array], *, chunk: int,
                  key_chunk: Optional[int], finish: Callable,
                  key_bias: Optional[jax.Array] = None, intra_bias: Optional[jax.Array] = None,
                  **kw) -> jax.Array:
  """Per-row losses of all anchors, ``chunk`` anchor rows at a time (``lax.map``)."""
  n, d = anchors.shape
  num_blocks = -(-n // chunk)
  pad = num_blocks * chunk - n
  blocks = jnp.pad(anchors, ((0, pad), (0, 0))).reshape(num_blocks, chunk, d)
  w = None if weights is None else jnp.pad(weights, (0, pad)).reshape(num_blocks, chunk)
  offsets = jnp.arange(num_blocks) * chunk
  all_keys, mask_fn, bias = _all_keys(pairs, keys, intra_keys, key_bias, intra_bias)

  def body(xs):
    block, offset, w_block = xs
    row_ids = offset + jnp.arange(chunk)  # ids >= n are padding rows: no pairs, loss 0
    stats = _scan_keys(block, row_ids, all_keys, mask_fn, key_chunk=key_chunk, key_bias=bias,
                       **kw)
    return finish(stats, w_block)

  return jax.lax.map(body, (blocks, offsets, w)).reshape(-1)[:n]


def _prepare(pairs: Pairs, u, v, temperature: float, normalize: bool):
  u = _matrix("anchors", u)
  v = _matrix("keys", v)
  if u.shape[0] != pairs.num_anchors or v.shape[0] != pairs.num_keys:
    raise ValueError(f"pairs describe {pairs.num_anchors} anchors x {pairs.num_keys} keys, got "
                     f"arrays with {u.shape[0]} and {v.shape[0]} rows")
  if u.shape[1] != v.shape[1]:
    raise ValueError(f"anchors and keys must have the same width, got {u.shape[1]} and "
                     f"{v.shape[1]}")
  inv_temp = 1.0 / _positive("temperature", temperature)
  u = _zero_rows(u, pairs.anchor_mask)
  v = _zero_rows(v, pairs.key_mask)
  if normalize:
    u, v = l2_normalize(u), l2_normalize(v)
  return u, v, inv_temp


def _check_chunks(chunk_size, key_chunk_size):
  for name, value in (("chunk_size", chunk_size), ("key_chunk_size", key_chunk_size)):
    if value is not None and (not isinstance(value, int) or value < 1):
      raise ValueError(f"{name} must be a positive int or None, got {value!r}")


def _key_biases(key_bias, pairs: Pairs, *, symmetric: bool):
  """``(bias of the keys [M], bias of the anchors' rows [N] or None)``, zero on masked rows.

  The anchors' rows are keys too with intra-view negatives and in the second direction of a
  symmetric loss; there the same vector serves (row ``j`` of either view), so ``M == N``.
  """
  n, m = pairs.num_anchors, pairs.num_keys
  key_bias = _float(key_bias)
  if key_bias.shape != (m,):
    raise ValueError(f"key_bias must have shape [M] = [{m}], got {key_bias.shape}")
  if not (pairs.intra_view or symmetric):
    return jnp.where(pairs.key_mask, key_bias, 0.0), None
  if n != m:
    raise ValueError(f"key_bias with intra-view keys or a symmetric loss biases row j of both "
                     f"views, so it needs as many anchors as keys, got {n} and {m}")
  return (jnp.where(pairs.key_mask, key_bias, 0.0),
          jnp.where(pairs.anchor_mask, key_bias, 0.0))


def _family(u, v, *, pairs: Pairs, temperature: float, channels: Sequence[_Channel],
            positive_in_denominator: bool, finish: Callable, symmetric: bool,
            weights: Optional[jax.Array], chunk_size: Optional[int],
            key_chunk_size: Optional[int], normalize: bool,
            key_bias: Optional[jax.Array] = None) -> jax.Array:
  """Per-row losses of one or both directions, dense or chunked."""
  _check_chunks(chunk_size, key_chunk_size)
  u, v, inv_temp = _prepare(pairs, u, v, temperature, normalize)
  n, m = u.shape[0], v.shape[0]
  if symmetric and n != m:
    raise ValueError(f"a symmetric loss needs as many anchors as keys, got {n} and {m}")
  if weights is not None:
    weights = jnp.asarray(weights, jnp.float32)
    if weights.shape != (n,):
      raise ValueError(f"positive_weights must have shape [{n}], got {weights.shape}")
  bias_v = bias_u = None
  if key_bias is not None:
    bias_v, bias_u = _key_biases(key_bias, pairs, symmetric=symmetric)
  kw = dict(inv_temp=inv_temp, channels=tuple(channels),
            positive_in_denominator=positive_in_denominator)
  # The fixed-shift kernels bound every score by 1/τ: a key bias takes the generic path.
  if key_bias is None and _same_row.usable(pairs, normalize=normalize, n=n, m=m,
                                           inv_temp=inv_temp, channels=channels):
    # Same-row pairing on cosine scores: fixed-shift log-sum-exp, one cross-view matrix for both
    # directions, symmetric intra-view tiles (see jgssl.losses._same_row).
    fast = dict(inv_temp=inv_temp, channels=tuple(channels),
                positive_in_denominator=positive_in_denominator, intra=pairs.intra_view,
                make_stats=_Stats)
    if chunk_size is None and key_chunk_size is None:
      st_a, st_b = _same_row.dense_stats(u, v, pairs.anchor_mask, pairs.key_mask, **fast)
    elif symmetric and chunk_size is not None and key_chunk_size in (None, chunk_size):
      st_a, st_b = _same_row.chunked_stats(u, v, pairs.anchor_mask, pairs.key_mask,
                                           tile=chunk_size, **fast)
    else:
      st_a = st_b = None
    if st_a is not None:
      out = finish(st_a, weights)
      return 0.5 * (out + finish(st_b, weights)) if symmetric else out
  transposed = pairs.transpose() if symmetric else None

  if chunk_size is None and key_chunk_size is None:
    rows_a, cols = jnp.arange(n), jnp.arange(m)
    cross = (u @ v.T) * inv_temp  # computed once, its transpose serves the other direction
    upd = functools.partial(_update, channels=kw["channels"],
                            positive_in_denominator=positive_in_denominator)
    st = upd(_init_stats(n, len(channels)), _with_bias(cross, bias_v),
             *pairs.tile_masks(rows_a, cols))
    if pairs.intra_view:
      st = upd(st, _with_bias((u @ u.T) * inv_temp, bias_u),
               *pairs.intra_tile_masks(rows_a, rows_a))
    out = finish(st, weights)
    if symmetric:
      st = upd(_init_stats(m, len(channels)), _with_bias(cross.T, bias_u),
               *transposed.tile_masks(cols, rows_a))
      if transposed.intra_view:
        st = upd(st, _with_bias((v @ v.T) * inv_temp, bias_v),
                 *transposed.intra_tile_masks(cols, cols))
      out = 0.5 * (out + finish(st, weights))
    return out

  chunk = chunk_size if chunk_size is not None else n
  key_chunk = key_chunk_size if key_chunk_size is not None else chunk
  out = _blocked_rows(u, v, u if pairs.intra_view else None, pairs, weights, chunk=chunk,
                      key_chunk=key_chunk, finish=finish, key_bias=bias_v, intra_bias=bias_u,
                      **kw)
  if symmetric:
    out = 0.5 * (out + _blocked_rows(v, u, v if transposed.intra_view else None, transposed,
                                     weights, chunk=chunk, key_chunk=key_chunk,
                                     finish=finish, key_bias=bias_u, intra_bias=bias_v, **kw))
  return out


# ---------------------------------------------------------------------------------------------
# Block-of-rows API (for sharding)
# ---------------------------------------------------------------------------------------------


def _rows(anchors, keys, *, pairs: Pairs, temperature: float, row_offset, intra_keys,
          key_chunk_size: Optional[int], normalize: bool, channels, positive_in_denominator,
          finish, weights, key_bias: Optional[jax.Array] = None) -> jax.Array:
  anchors = _matrix("anchors", anchors)
  keys = _matrix("keys", keys)
  _check_chunks(None, key_chunk_size)
  if keys.shape[0] != pairs.num_keys:
    raise ValueError(f"keys must hold all {pairs.num_keys} key rows, got {keys.shape[0]}")
  if anchors.shape[1] != keys.shape[1]:
    raise ValueError(f"anchors and keys must have the same width, got {anchors.shape[1]} and "
                     f"{keys.shape[1]}")
  if pairs.intra_view and intra_keys is None:
    raise ValueError("the pairing has intra-view negatives: pass intra_keys, the full [N, d] "
                     "matrix of the anchors' own view")
  if intra_keys is not None and not pairs.intra_view:
    raise ValueError("intra_keys given but the pairing has intra_view=False")
  inv_temp = 1.0 / _positive("temperature", temperature)
  b = anchors.shape[0]
  row_ids = jnp.asarray(row_offset, jnp.int32) + jnp.arange(b, dtype=jnp.int32)
  anchors = _zero_rows(anchors, _take(pairs.anchor_mask, row_ids, False))
  keys = _zero_rows(keys, pairs.key_mask)
  if intra_keys is not None:
    intra_keys = _matrix("intra_keys", intra_keys)
    if intra_keys.shape != (pairs.num_anchors, anchors.shape[1]):
      raise ValueError(f"intra_keys must have shape [{pairs.num_anchors}, {anchors.shape[1]}], "
                       f"got {intra_keys.shape}")
    intra_keys = _zero_rows(intra_keys, pairs.anchor_mask)
  if normalize:
    anchors, keys = l2_normalize(anchors), l2_normalize(keys)
    if intra_keys is not None:
      intra_keys = l2_normalize(intra_keys)
  if weights is not None:
    weights = jnp.asarray(weights, jnp.float32)
    if weights.shape != (b,):
      raise ValueError(f"positive_weights must have shape [{b}], got {weights.shape}")
  bias_keys = bias_intra = None
  if key_bias is not None:
    bias_keys, bias_intra = _key_biases(key_bias, pairs, symmetric=False)
  all_keys, mask_fn, bias = _all_keys(pairs, keys, intra_keys, bias_keys, bias_intra)
  stats = _scan_keys(anchors, row_ids, all_keys, mask_fn, key_chunk=key_chunk_size,
                     inv_temp=inv_temp, channels=channels,
                     positive_in_denominator=positive_in_denominator, key_bias=bias)
  return finish(stats, weights)


def info_nce_rows(anchors: jax.Array, keys: jax.Array, *, pairs: Pairs, temperature: float,
                  row_offset=0, intra_keys: Optional[jax.Array] = None,
                  positive_in_denominator: bool = True,
                  positive_weights: Optional[jax.Array] = None,
                  key_chunk_size: Optional[int] = None, normalize: bool = True,
                  where: Optional[jax.Array] = None,
                  key_bias: Optional[jax.Array] = None) -> jax.Array:
  """InfoNCE rows of a block of anchors against the full keys (one direction).

  The building block of every InfoNCE-form loss here and the unit a sharded step distributes
  (module docstring). Memory ``O(B · key_chunk_size)`` with a streaming log-sum-exp over key
  blocks, each recomputed in the backward pass.

  Args:
    anchors: float ``[B, d]``, anchor rows ``row_offset .. row_offset + B - 1`` of the pairing.
      Rows at or beyond ``N`` are padding (loss 0).
    keys: float ``[M, d]``, all key rows.
    pairs: the pairing of all ``N`` anchors with the ``M`` keys.
    temperature: τ > 0.
    row_offset: int (may be traced, e.g. ``axis_index * B``), global index of ``anchors[0]``.
    intra_keys: float ``[N, d]``, all rows of the anchors' own view; required iff
      ``pairs.intra_view``.
    positive_in_denominator: True for InfoNCE / NT-Xent (GRACE), False for the decoupled form
      (GraphCL, DCL).
    positive_weights: optional float ``[B]`` weight of each row's positive term (weighted DCL).
    key_chunk_size: keys per streamed block; None scores all keys at once (``O(B · M)``).
    normalize: L2-normalise rows first (cosine similarity); False uses raw dot products.
    where: bool ``[N]`` over **all** rows of the pairing (not the block), as in
      :func:`info_nce`: rows outside it are neither anchors nor keys.
    key_bias: optional float ``[M]`` logit bias of each key, as in :func:`info_nce` (with
      ``intra_keys`` it is also the bias of the intra-view key rows, so ``M == N``).

  Returns:
    float32 ``[B]`` per-row losses ``-w_i mean_{P_i} s + log Σ_{D_i} e^s``; 0 for padding rows,
    rows outside ``where`` and rows without a positive (see ``pairs.row_mask()``).
  """
  pairs = _restrict_pairs(pairs, where)
  return _rows(anchors, keys, pairs=pairs, temperature=temperature, row_offset=row_offset,
               intra_keys=intra_keys, key_chunk_size=key_chunk_size, normalize=normalize,
               channels=(("den", 1.0),), positive_in_denominator=positive_in_denominator,
               finish=_info_nce_finisher(positive_in_denominator), weights=positive_weights,
               key_bias=key_bias)


def _debias_channels(beta: float) -> Tuple[_Channel, ...]:
  return (("neg", 1.0),) if beta == 0.0 else (("neg", 1.0 + beta), ("neg", beta))


def _check_debias(tau_plus: float, beta: float) -> Tuple[float, float]:
  tau_plus, beta = float(tau_plus), float(beta)
  if not 0.0 <= tau_plus < 1.0:
    raise ValueError(f"tau_plus (class prior) must lie in [0, 1), got {tau_plus}")
  if beta < 0.0:
    raise ValueError(f"beta (hardness concentration) must be >= 0, got {beta}")
  return tau_plus, beta


def debiased_info_nce_rows(anchors: jax.Array, keys: jax.Array, *, pairs: Pairs,
                           temperature: float, tau_plus: float = 0.1, beta: float = 0.0,
                           row_offset=0, intra_keys: Optional[jax.Array] = None,
                           key_chunk_size: Optional[int] = None,
                           where: Optional[jax.Array] = None) -> jax.Array:
  """Debiased (``beta=0``) / hard-negative (``beta>0``) InfoNCE rows of a block of anchors.

  Block-of-rows form of :func:`debiased_info_nce` / :func:`hard_info_nce` (same arguments as
  :func:`info_nce_rows`; rows are always L2-normalised since the clamp ``M e^{-1/τ}`` assumes
  cosine scores).

  Returns:
    float32 ``[B]`` per-row losses (0 outside ``where`` and ``pairs.row_mask()``).
  """
  tau_plus, beta = _check_debias(tau_plus, beta)
  inv_temp = 1.0 / _positive("temperature", temperature)
  pairs = _restrict_pairs(pairs, where)
  return _rows(anchors, keys, pairs=pairs, temperature=temperature, row_offset=row_offset,
               intra_keys=intra_keys, key_chunk_size=key_chunk_size, normalize=True,
               channels=_debias_channels(beta), positive_in_denominator=False,
               finish=_debiased_finisher(tau_plus=tau_plus, beta=beta, inv_temp=inv_temp),
               weights=None)


# ---------------------------------------------------------------------------------------------
# Full losses
# ---------------------------------------------------------------------------------------------


def info_nce(u: jax.Array, v: jax.Array, *, pairs: Pairs, temperature: float,
             positive_in_denominator: bool = True, symmetric: bool = True,
             positive_weights: Optional[jax.Array] = None, chunk_size: Optional[int] = None,
             key_chunk_size: Optional[int] = None, normalize: bool = True,
             where: Optional[jax.Array] = None,
             key_bias: Optional[jax.Array] = None) -> jax.Array:
  """General masked InfoNCE over an arbitrary pairing (same-scale, cross-scale, supervised).

  ``ℓ_i = −w_i · mean_{p∈P_i} s_ip + log Σ_{j∈D_i} e^{s_ij}`` with ``s = cos/τ`` (Oord et al.
  2018; Chen et al. 2020 NT-Xent; with several positives and ``D = P ∪ N`` this is the ``L_out``
  of supervised contrastive learning, Khosla et al. 2020; with ``D = N`` the decoupled form of
  Yeh et al. 2022). Symmetric: ``½(ℓ(u→v)_i + ℓ(v→u)_i)`` using ``pairs.transpose()`` for the
  second direction.

  Args:
    u: float ``[N, d]`` anchors (view 1).
    v: float ``[M, d]`` keys (view 2); ``M == N`` when ``symmetric``.
    pairs: a :class:`jgssl.pairs.Pairs` (e.g. ``same_scale``, ``by_label``, ``cross_scale``).
    temperature: τ > 0.
    positive_in_denominator: include the positives in the denominator (InfoNCE) or not
      (decoupled).
    symmetric: average both directions per row.
    positive_weights: optional float ``[N]`` weights of the positive terms.
    chunk_size: anchor rows per block; None (with ``key_chunk_size`` None) is the dense form.
    key_chunk_size: key rows per streamed block; defaults to ``chunk_size``.
    normalize: cosine (True) or dot-product (False) scores.
    where: bool ``[N]`` rows that count, AND-ed with the pairing's masks; None: the pairing alone
      decides. For a pairing of two views of the same rows (``M == N``) a row outside ``where``
      is removed both as an anchor (its loss is 0) and as a key (nobody's positive or negative,
      intra-view included); rows outside it may hold anything, even NaN. For a cross-scale
      ``'segment'`` pairing it removes node anchors only (graphs: ``graph_mask``); other pairings
      with ``M != N`` raise (mask them through the pairing).
    key_bias: optional float ``[M]`` additive logit bias ``b_j`` of key ``j``: every score
      against it (positive or negative) becomes ``s_ij + b_j``. With intra-view negatives, and in
      the second direction of a symmetric loss, the anchors' own rows are keys too and row ``j``
      of either view gets ``b_j`` (so ``M == N``). A per-anchor bias would cancel in every row
      (it shifts the positive and the log-sum-exp alike), so a pair bias ``a_i + b_j`` is this
      with ``b``: CSGCL's team-up scores ``(cos + γ(cs_i + cs_j)) / τ`` are ``key_bias = γ cs /
      τ`` (:class:`jgssl.methods.TeamUpInfoNCE`). Masked keys' entries are ignored. The scores
      are no longer bounded by ``1/τ``, so the generic (running-max) kernels run.

  Returns:
    float32 ``[N]`` per-row losses, 0 outside ``where`` and outside
    ``pairs.row_mask(symmetric=symmetric)``; reduce with
    ``masked_mean(rows, where & pairs.row_mask(symmetric=symmetric))`` (without ``where``:
    ``masked_mean(rows, pairs.row_mask(symmetric=symmetric))``).
  """
  pairs = _restrict_pairs(pairs, where)
  return _family(u, v, pairs=pairs, temperature=temperature, channels=(("den", 1.0),),
                 positive_in_denominator=positive_in_denominator,
                 finish=_info_nce_finisher(positive_in_denominator),
                 symmetric=symmetric, weights=positive_weights, chunk_size=chunk_size,
                 key_chunk_size=key_chunk_size, normalize=normalize, key_bias=key_bias)


def _views(u, v, where):
  u = _matrix("u", u)
  v = _matrix("v", v)
  _same_shape("u", u, "v", v)
  return u, v, _row_mask(where, u.shape[0])


def grace_loss(u: jax.Array, v: jax.Array, *, temperature: float,
               where: Optional[jax.Array] = None, chunk_size: Optional[int] = None,
               key_chunk_size: Optional[int] = None) -> jax.Array:
  """GRACE's InfoNCE (Zhu et al., "Deep Graph Contrastive Representation Learning", ICML 2020
  workshop), per node; official code CRIPAC-DIG/GRACE ``model.py`` (``semi_loss`` / ``loss``).

  ``ℓ(u_i, v_i) = −log e^{θ(u_i,v_i)} / (Σ_k e^{θ(u_i,v_k)} + Σ_{k≠i} e^{θ(u_i,u_k)})`` with
  ``θ = cos/τ``: positive in the denominator, inter- and intra-view negatives; the row is
  ``½(ℓ(u_i,v_i) + ℓ(v_i,u_i))`` and GRACE's loss is its mean over nodes.

  Args:
    u: float ``[N, d]`` projected embeddings of view 1.
    v: float ``[N, d]`` projected embeddings of view 2.
    temperature: τ (GRACE configs: 0.4 Cora, 0.9 CiteSeer, 0.7 PubMed).
    where: bool ``[N]`` rows present in both views (None: all).
    chunk_size: anchor block size for the memory-bounded exact form (None: dense).
    key_chunk_size: key block size (defaults to ``chunk_size``).

  Returns:
    float32 ``[N]``; reduce with ``masked_mean(rows, where)``.
  """
  u, v, where = _views(u, v, where)
  return info_nce(u, v, pairs=same_scale(where, intra_view=True), temperature=temperature,
                  positive_in_denominator=True, symmetric=True, chunk_size=chunk_size,
                  key_chunk_size=key_chunk_size)


def graphcl_loss(u: jax.Array, v: jax.Array, *, temperature: float = 0.2,
                 symmetric: bool = False, where: Optional[jax.Array] = None,
                 chunk_size: Optional[int] = None,
                 key_chunk_size: Optional[int] = None) -> jax.Array:
  """GraphCL's contrastive loss (You et al., "Graph Contrastive Learning with Augmentations",
  NeurIPS 2020), per graph; official code Shen-Lab/GraphCL ``unsupervised_TU/gsimclr.py``
  (``loss_cal``).

  ``ℓ_i = −log e^{s_ii} / (Σ_j e^{s_ij} − e^{s_ii})``, ``s = cos/T``: the positive is left out of
  the denominator and only cross-view negatives are used; the official unsupervised_TU code uses
  one direction (rows = first view) and T = 0.2. ``symmetric=True`` averages both directions.

  Args:
    u: float ``[N, d]`` projected graph embeddings of view 1.
    v: float ``[N, d]`` of view 2.
    temperature: T (0.2 in the official code).
    symmetric: average the two directions (not in the official code).
    where: bool ``[N]`` rows present in both views.
    chunk_size, key_chunk_size: as in :func:`grace_loss`.

  Returns:
    float32 ``[N]``; reduce with ``masked_mean(rows, where)``.
  """
  u, v, where = _views(u, v, where)
  return info_nce(u, v, pairs=same_scale(where), temperature=temperature,
                  positive_in_denominator=False, symmetric=symmetric, chunk_size=chunk_size,
                  key_chunk_size=key_chunk_size)


def dcl_loss(u: jax.Array, v: jax.Array, *, temperature: float = 0.1,
             where: Optional[jax.Array] = None, intra_view: bool = True,
             chunk_size: Optional[int] = None, key_chunk_size: Optional[int] = None
             ) -> jax.Array:
  """Decoupled contrastive loss (DCL; Yeh et al., "Decoupled Contrastive Learning", ECCV 2022),
  per row.

  ``ℓ_i = −s(u_i, v_i)/τ + log Σ_{l∈{u,v}} Σ_{j≠i} e^{s(u_i, l_j)/τ}``, symmetrised as
  ``½(ℓ(u,v) + ℓ(v,u))``. Choice (which form is the authors' own is unconfirmed): **one**
  log-sum-exp over the union of intra- and inter-view negatives (the
  raminnakhli/Decoupled-Contrastive-Learning form, ``loss/dcl.py``), not the sum of two separate
  log-sum-exps of lightly's ``DCLLoss`` (lightly-ai/lightly ``lightly/loss/dcl_loss.py``). It is
  exactly InfoNCE with the positive removed from the denominator, so it shares the dense /
  chunked machinery. Codes that add the two directions instead of averaging give twice this
  value.

  Args:
    u, v: float ``[N, d]`` embeddings of the two views.
    temperature: τ (0.1 default, as lightly's ``DCLLoss``).
    where: bool ``[N]`` rows present in both views.
    intra_view: include intra-view negatives (DCL does; False gives GraphCL's symmetric form).
    chunk_size, key_chunk_size: as in :func:`grace_loss`.

  Returns:
    float32 ``[N]``; reduce with ``masked_mean(rows, where)``.
  """
  u, v, where = _views(u, v, where)
  return info_nce(u, v, pairs=same_scale(where, intra_view=intra_view), temperature=temperature,
                  positive_in_denominator=False, symmetric=True, chunk_size=chunk_size,
                  key_chunk_size=key_chunk_size)


def dcl_weights(u: jax.Array, v: jax.Array, *, sigma: float = 0.5,
                where: Optional[jax.Array] = None) -> jax.Array:
  """Weights of weighted DCL: ``w_i = 2 − n · softmax_i(cos(u_i, v_i) / σ)``, no gradient.

  The von Mises–Fisher weighting of Yeh et al. 2022 (as lightly's ``DCLWLoss``,
  lightly-ai/lightly ``lightly/loss/dcl_loss.py``), the softmax taken over
  the ``n`` present rows and computed on stop-gradient embeddings. Easy positives (high cosine)
  get smaller weights; the weights average to 1 over the present rows.

  Args:
    u, v: float ``[N, d]``.
    sigma: σ > 0 (0.5 default).
    where: bool ``[N]`` rows present in both views.

  Returns:
    float32 ``[N]`` (0 on absent rows).
  """
  u, v, where = _views(u, v, where)
  sigma = _positive("sigma", sigma)
  u = l2_normalize(_zero_rows(jax.lax.stop_gradient(u), where))
  v = l2_normalize(_zero_rows(jax.lax.stop_gradient(v), where))
  logits = jnp.where(where, jnp.sum(u * v, axis=1) / sigma, -jnp.inf)
  soft = jax.nn.softmax(logits, where=where)
  n = jnp.sum(where).astype(jnp.float32)
  return jnp.where(where, 2.0 - n * jnp.where(where, soft, 0.0), 0.0)


def weighted_dcl_loss(u: jax.Array, v: jax.Array, *, temperature: float = 0.1,
                      sigma: float = 0.5, where: Optional[jax.Array] = None,
                      intra_view: bool = True, chunk_size: Optional[int] = None,
                      key_chunk_size: Optional[int] = None) -> jax.Array:
  """Weighted DCL (DCLW; Yeh et al. 2022): DCL with the positive term scaled by
  :func:`dcl_weights` (``σ = 0.5`` default).

  Args and returns as :func:`dcl_loss`, plus ``sigma``.
  """
  u, v, where = _views(u, v, where)
  weights = dcl_weights(u, v, sigma=sigma, where=where)
  return info_nce(u, v, pairs=same_scale(where, intra_view=intra_view), temperature=temperature,
                  positive_in_denominator=False, symmetric=True, positive_weights=weights,
                  chunk_size=chunk_size, key_chunk_size=key_chunk_size)


def debiased_info_nce(u: jax.Array, v: jax.Array, *, temperature: float, tau_plus: float = 0.1,
                      pairs: Optional[Pairs] = None, where: Optional[jax.Array] = None,
                      symmetric: bool = True, chunk_size: Optional[int] = None,
                      key_chunk_size: Optional[int] = None) -> jax.Array:
  """Debiased contrastive loss (Chuang et al., NeurIPS 2020), per row.

  With ``M`` negatives and ``pos = e^{s_ii}``:
  ``Ng = max((Σ_neg e^{s} − τ⁺ M pos) / (1 − τ⁺), M e^{−1/τ})`` and
  ``ℓ_i = −log pos / (pos + Ng)``, computed in log space. ``τ⁺`` is the class prior (the chance
  that a "negative" shares the anchor's class); ``τ⁺ = 0`` recovers InfoNCE (up to the clamp).
  The default pairing is the SimCLR one of the official code (intra- and inter-view negatives,
  ``M = 2N − 2``, both directions). PyGCL's ``DebiasedInfoNCE`` (PyGCL/PyGCL
  ``GCL/losses/infonce.py``) returns the loss without its minus sign (PyGCL issue #56); this one
  decreases as positives align (tested).

  Args:
    u, v: float ``[N, d]`` embeddings of the two views.
    temperature: τ > 0.
    tau_plus: τ⁺ ∈ [0, 1).
    pairs: optional pairing (default ``same_scale(where, intra_view=True)``); with several
      positives the mean positive score plays ``log pos``.
    where: bool ``[N]`` rows present. With ``pairs`` it is AND-ed with the pairing's masks,
      exactly as in :func:`info_nce` (rows outside it are neither anchors nor keys).
    symmetric: average both directions.
    chunk_size, key_chunk_size: as in :func:`grace_loss`.

  Returns:
    float32 ``[N]``, 0 outside ``where``; reduce with ``masked_mean(rows, where)`` (with ``pairs``:
    ``masked_mean(rows, where & pairs.row_mask(symmetric=symmetric))``).
  """
  return hard_info_nce(u, v, temperature=temperature, beta=0.0, tau_plus=tau_plus, pairs=pairs,
                       where=where, symmetric=symmetric, chunk_size=chunk_size,
                       key_chunk_size=key_chunk_size)


def hard_info_nce(u: jax.Array, v: jax.Array, *, temperature: float, beta: float = 1.0,
                  tau_plus: float = 0.1, pairs: Optional[Pairs] = None,
                  where: Optional[jax.Array] = None, symmetric: bool = True,
                  chunk_size: Optional[int] = None,
                  key_chunk_size: Optional[int] = None) -> jax.Array:
  """Hard-negative InfoNCE (Robinson et al., ICLR 2021), per row.

  Negatives are importance-reweighted towards hard ones with weights ``∝ e^{β s}``:
  ``R = M · Σ_neg e^{(1+β)s} / Σ_neg e^{βs}``; then the debiased estimator of Chuang et al. 2020,
  ``Ng = max((R − τ⁺ M pos) / (1 − τ⁺), M e^{−1/τ})``, ``ℓ_i = −log pos / (pos + Ng)``.
  ``β = 0`` is :func:`debiased_info_nce`. Everything is streamed in log space, so the chunked form
  is exact as well. PyGCL's ``HardnessInfoNCE`` (PyGCL/PyGCL ``GCL/losses/infonce.py``) returns
  this without its minus sign (PyGCL issue #56); tested here to decrease as positives align.

  Args:
    u, v: float ``[N, d]``.
    temperature: τ > 0.
    beta: concentration β ≥ 0 (1.0 default).
    tau_plus: class prior τ⁺ ∈ [0, 1) (0.1 default, as the official code's CIFAR setting).
    pairs, where, symmetric, chunk_size, key_chunk_size: as in :func:`debiased_info_nce`.

  Returns:
    float32 ``[N]``.
  """
  tau_plus, beta = _check_debias(tau_plus, beta)
  if pairs is None:
    u, v, where = _views(u, v, where)
    pairs = same_scale(where, intra_view=True)
  else:
    pairs = _restrict_pairs(pairs, where)
  inv_temp = 1.0 / _positive("temperature", temperature)
  return _family(u, v, pairs=pairs, temperature=temperature, channels=_debias_channels(beta),
                 positive_in_denominator=False,
                 finish=_debiased_finisher(tau_plus=tau_plus, beta=beta, inv_temp=inv_temp),
                 symmetric=symmetric, weights=None, chunk_size=chunk_size,
                 key_chunk_size=key_chunk_size, normalize=True)

"""Shared helpers of :mod:`jgssl.losses`: the masked reducer, row masks, safe normalisation."""

from __future__ import annotations

import dataclasses
from typing import Optional

import jax
import jax.numpy as jnp

__all__ = ["l2_normalize", "masked_mean"]


def masked_mean(values: jax.Array, where: Optional[jax.Array] = None) -> jax.Array:
  """Mean of ``values`` over the entries selected by ``where``; the one reducer of jgssl.losses.

  Entries outside ``where`` contribute exactly nothing, not even NaN (they are selected away with
  ``jnp.where``, not multiplied by zero). An empty selection gives 0.

  Args:
    values: float array ``[N, ...]`` (e.g. per-row losses ``[N]``).
    where: bool array broadcastable as ``values``' leading dimensions (``[N]`` selects rows, the
      trailing dimensions are averaged too); None selects everything.

  Returns:
    A float32 scalar.
  """
  values = jnp.asarray(values)
  if where is None:
    return jnp.mean(values) if values.size else jnp.zeros((), values.dtype)
  where = jnp.asarray(where)
  if where.dtype != jnp.bool_:
    raise ValueError(f"where must be a bool mask, got dtype {where.dtype}")
  if where.ndim > values.ndim or values.shape[:where.ndim] != where.shape:
    raise ValueError(f"where of shape {where.shape} does not match the leading dimensions of "
                     f"values of shape {values.shape}")
  where = jnp.broadcast_to(where.reshape(where.shape + (1,) * (values.ndim - where.ndim)),
                           values.shape)
  total = jnp.sum(jnp.where(where, values, 0))
  count = jnp.sum(where)
  return total / jnp.maximum(count, 1).astype(total.dtype)


def l2_normalize(x: jax.Array, *, axis: int = -1, eps: float = 1e-12) -> jax.Array:
  """``x / max(‖x‖, eps)`` along ``axis`` (as ``torch.nn.functional.normalize``).

  Written as ``x * rsqrt(max(‖x‖², eps²))`` so that all-zero rows (padding) have a zero, finite
  gradient instead of NaN.
  """
  sq = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
  return x * jax.lax.rsqrt(jnp.maximum(sq, eps * eps))


def _float(x) -> jax.Array:
  x = jnp.asarray(x)
  if not jnp.issubdtype(x.dtype, jnp.floating):
    raise ValueError(f"expected a float array, got dtype {x.dtype}")
  return x.astype(jnp.promote_types(x.dtype, jnp.float32))


def _matrix(name: str, x) -> jax.Array:
  x = _float(x)
  if x.ndim != 2:
    raise ValueError(f"{name} must be a [rows, dim] matrix, got shape {x.shape}")
  return x


def _row_mask(where, n: int, name: str = "where") -> jax.Array:
  """``where`` as a bool ``[n]`` mask (None: all True)."""
  if where is None:
    return jnp.ones((n,), bool)
  where = jnp.asarray(where)
  if where.dtype != jnp.bool_:
    raise ValueError(f"{name} must be a bool mask, got dtype {where.dtype}")
  if where.shape != (n,):
    raise ValueError(f"{name} must have shape [{n}], got {where.shape}")
  return where


def _restrict_pairs(pairs, where):
  """``pairs`` with the rows outside ``where`` removed as anchors and as keys.

  The one meaning of ``where`` for the pairing-based losses: a bool ``[N]`` mask of the rows that
  count, AND-ed with the pairing's own masks. For a pairing of two views of the same ``N`` rows
  (``'same_row'``, and ``'label'`` / ``'dense'`` with as many keys as anchors) row ``i`` is removed
  on both sides (anchor ``i`` and key ``i``); for a cross-scale ``'segment'`` pairing the keys are
  graphs, not rows, so only the node anchors are removed (mask graphs with ``graph_mask``).
  ``where=None`` returns ``pairs`` itself (no new masks, so existing calls compute exactly what
  they did).
  """
  if where is None:
    return pairs
  where = _row_mask(where, pairs.num_anchors)
  if pairs.kind == "segment":
    return dataclasses.replace(pairs, anchor_mask=pairs.anchor_mask & where)
  if pairs.num_keys != pairs.num_anchors:
    raise ValueError(
        f"where masks row i of both views, but the pairing has {pairs.num_anchors} anchors and "
        f"{pairs.num_keys} keys: mask them through the pairing (anchor_mask / key_mask) instead")
  return dataclasses.replace(pairs, anchor_mask=pairs.anchor_mask & where,
                             key_mask=pairs.key_mask & where)


def _score_mask(name: str, x: jax.Array, own_where, where) -> jax.Array:
  """Mask of a score / logit array: its own mask (shaped like ``x``; None: all) AND ``where``.

  ``where`` is the bool ``[N]`` row mask shared by all inputs of a loss; it selects along the
  leading axis of ``x`` (which must have ``N`` entries there) and is broadcast over the rest.
  """
  if own_where is None:
    own_where = jnp.ones(x.shape, bool)
  own_where = jnp.asarray(own_where)
  if own_where.dtype != jnp.bool_ or own_where.shape != x.shape:
    raise ValueError(f"{name}_where must be a bool mask of shape {x.shape}, got "
                     f"{own_where.dtype} {own_where.shape}")
  if where is None:
    return own_where
  if x.ndim == 0:
    raise ValueError(f"where selects rows, but the {name} scores are a scalar")
  rows = _row_mask(where, x.shape[0])
  return own_where & rows.reshape(rows.shape + (1,) * (x.ndim - 1))


def _zero_rows(x: jax.Array, mask: jax.Array) -> jax.Array:
  """Rows outside ``mask`` set to zero (padding may hold anything, even NaN)."""
  return jnp.where(mask.reshape((-1,) + (1,) * (x.ndim - 1)), x, 0)


def _same_shape(name_a: str, a: jax.Array, name_b: str, b: jax.Array) -> None:
  if a.shape != b.shape:
    raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and "
                     f"{b.shape}")


def _positive(name: str, value: float) -> float:
  value = float(value)
  if not value > 0:
    raise ValueError(f"{name} must be > 0, got {value}")
  return value

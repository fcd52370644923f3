"""Helpers the method skeletons share: Glorot re-initialisation, EMA targets, anchor-row sharding.

The method contract itself is :mod:`jgssl.methods.contract`.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import jax
import jax.numpy as jnp
import optax

__all__ = [
    "cosine_ema_decay",
    "ema_update",
    "glorot_reinit",
    "row_block",
    "sharded_row_mean",
]

# ---------------------------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------------------------


def glorot_reinit(key: jax.Array, params):
  """Re-initialises every linear map in ``params``: Glorot-uniform kernel, zero bias.

  InfoGraph's and GraphCL's ``init_emb`` (fanyun-sun/InfoGraph ``unsupervised/main.py``,
  Shen-Lab/GraphCL ``unsupervised_TU/gsimclr.py``) walk all ``nn.Linear`` modules of the model —
  the GIN MLPs as well as the heads — and apply ``xavier_uniform_`` to the weight and zero to the
  bias, replacing PyTorch's default ``U(+-1/sqrt(fan_in))``. Here a linear map is any
  sub-dictionary holding a 2-D ``'kernel'`` ``[F_in, F_out]`` (:class:`jgssl.models.Linear`); its
  ``'bias'`` becomes zero. Everything else (norm scales and offsets, PReLU slopes, tokens) is left
  as it is.

  Args:
    key: a ``jax.random`` key (split deterministically over the kernels in tree order).
    params: a (nested) dict of parameters.

  Returns:
    A new dict with the same structure, shapes and dtypes.
  """
  kernels = []

  def collect(tree, path):
    if isinstance(tree, dict):
      if "kernel" in tree and jnp.ndim(tree["kernel"]) == 2:
        kernels.append(path)
      for k in sorted(tree):
        collect(tree[k], path + (k,))

  collect(params, ())
  keys = dict(zip(kernels, jax.random.split(key, max(len(kernels), 1))))
  init = jax.nn.initializers.glorot_uniform()

  def rebuild(tree, path):
    if not isinstance(tree, dict):
      return tree
    out = {k: rebuild(v, path + (k,)) for k, v in tree.items()}
    if path in keys:
      kernel = tree["kernel"]
      out["kernel"] = init(keys[path], kernel.shape, kernel.dtype)
      if "bias" in tree:
        out["bias"] = jnp.zeros_like(tree["bias"])
    return out

  return rebuild(params, ())


# ---------------------------------------------------------------------------------------------
# EMA targets
# ---------------------------------------------------------------------------------------------


def ema_update(target, online, *, decay):
  """``target <- decay * target + (1 - decay) * online`` through :func:`optax.incremental_update`.

  Args:
    target: pytree of target parameters.
    online: pytree of online parameters with the same structure.
    decay: float or scalar array in ``[0, 1]``; 1 keeps the target, 0 copies the online network.
  """
  return optax.incremental_update(new_tensors=online, old_tensors=target, step_size=1.0 - decay)


def cosine_ema_decay(step, *, base: float, total_steps: int):
  """BGRL / BYOL target decay ``1 - (1 - base) * (cos(pi * step / total_steps) + 1) / 2``.

  Rises from ``base`` at step 0 to 1 at ``total_steps`` (Grill et al. 2020; Thakoor et al. 2022).
  Jittable in ``step``.
  """
  if not 0.0 <= base <= 1.0:
    raise ValueError(f"base decay must lie in [0, 1], got {base}")
  if total_steps <= 0:
    raise ValueError(f"total_steps must be positive, got {total_steps}")
  frac = jnp.clip(jnp.asarray(step, jnp.float32) / total_steps, 0.0, 1.0)
  return 1.0 - (1.0 - base) * (jnp.cos(jnp.pi * frac) + 1.0) / 2.0


# ---------------------------------------------------------------------------------------------
# Anchor-row sharding helpers
# ---------------------------------------------------------------------------------------------


def row_block(num_rows: int, row_axis: Optional[str]) -> Tuple[jax.Array, int]:
  """The block of anchor rows this device owns: ``(start, size)``.

  Without an axis the block is every row (``start = 0``). With one, rows split evenly over the
  axis; ``num_rows`` must be a multiple of the axis size (pad the graph to a node budget that is a
  multiple of the device count).

  Must be called inside :func:`jax.shard_map` when ``row_axis`` is set.
  """
  if row_axis is None:
    return jnp.zeros((), jnp.int32), num_rows
  size = jax.lax.axis_size(row_axis)
  if num_rows % size:
    raise ValueError(f"{num_rows} anchor rows do not split evenly over {size} devices on axis "
                     f"{row_axis!r}: pad the graph to a node budget that is a multiple of {size}")
  block = num_rows // size
  return jax.lax.axis_index(row_axis) * block, block


def sharded_row_mean(rows_fn: Callable[[jax.Array, int], jax.Array], mask: jax.Array, *,
                     row_axis: Optional[str]) -> jax.Array:
  """Masked mean over all anchor rows of per-row losses computed block by block.

  Args:
    rows_fn: ``(start, size) -> [size]`` per-row losses of anchors ``start .. start + size - 1``
      (it may close over full key matrices).
    mask: bool ``[N]``, True for rows that count (real, present nodes).
    row_axis: mesh axis to split rows over, or ``None`` for one block.

  Returns:
    float32 scalar, ``sum(rows * mask) / max(sum(mask), 1)`` over all ``N`` rows — identical on
    every device when sharded (the partial sums are combined with ``psum``).
  """
  num_rows = mask.shape[0]
  start, size = row_block(num_rows, row_axis)
  rows = rows_fn(start, size)
  block_mask = jax.lax.dynamic_slice_in_dim(mask, start, size)
  partial = jnp.sum(jnp.where(block_mask, rows, 0.0))
  if row_axis is not None:
    partial = jax.lax.psum(partial, row_axis)
  count = jnp.maximum(jnp.sum(mask.astype(jnp.float32)), 1.0)
  return partial / count

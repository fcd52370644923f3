"""The method contract: what :mod:`jgssl.train` expects from a self-supervised recipe.

A method is a thin, immutable recipe (a frozen dataclass of keyword-only hyperparameters) exposing

* ``init(key, graph) -> variables``
* ``loss(variables, key, graph) -> (scalar, aux)``
* ``embed(variables, graph) -> embeddings``
* optionally ``post_update(variables, *, step) -> variables`` (e.g. an EMA target).

**Variables and mutable collections** (decided once, here). ``variables`` is a Flax-style dict of
collections:

* ``'params'`` (required): the trainable parameters. The optimizer and the gradient see this
  collection only.
* ``'batch_stats'`` or any other mutable collection a Flax module updates in training mode.
  ``loss`` returns the new values in ``aux['updates']`` (a dict ``{collection: new_value}``); the
  trainer writes them back after the optimizer step (and averages them over data-parallel
  replicas).
* ``'target'``: parameters of a slowly moving copy of the network (BGRL / BYOL). Not trained by
  the optimizer; :meth:`Method.post_update` moves it towards ``'params'`` after every step with
  :func:`ema_update` (``optax.incremental_update``).

Everything but ``'params'`` lives in :attr:`jgssl.train.TrainState.model_state`.

**aux** is a dict of float scalars (logged, averaged over replicas) plus the optional
``'updates'`` entry above. Scalars must be finite reductions over real rows only (use masks).

**Padding.** ``graph`` is a padded :class:`jraph.GraphsTuple` in the convention of
:mod:`jgssl.graph`; losses must ignore padding and masked rows so the result does not depend on
the amount of padding. ``embed`` returns one row per node (node-level methods) or per graph slot
(graph-level methods), padding rows included; callers slice with the masks.

**Anchor-row sharding.** Node-level contrastive methods whose loss is an ``N x N`` InfoNCE may set
:attr:`Method.supports_row_sharding` and honour the field ``row_axis``: when it names a mesh axis
(inside :func:`jax.shard_map`), the method computes the loss rows of its own block of anchors
against the full key matrices (see :func:`row_block`) and returns the global loss through
``jax.lax.psum``, so the ``N x N`` work divides over devices. Everything else in the loss is
computed replicated and must give the same value on every device (same key on every device).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Optional, Tuple

import jax
import jax.numpy as jnp
import optax

__all__ = [
    "Method",
    "cosine_ema_decay",
    "ema_update",
    "glorot_reinit",
    "row_block",
    "sharded_row_mean",
]

Variables = Dict[str, Any]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Method:
  """Base class of all methods; see the module docstring for the contract.

  Subclasses are frozen dataclasses whose fields are the method's hyperparameters (keyword-only)
  and implement :meth:`init`, :meth:`loss` and :meth:`embed`. They validate their fields in
  ``__post_init__`` and raise :class:`ValueError` naming the bad field.

  Attributes:
    row_axis: name of the mesh axis the anchor rows of an ``N x N`` contrastive loss are split
      over, or ``None`` (single device, or graph-level data parallelism). Set by
      :func:`jgssl.train.make_train_step`; only honoured when :attr:`supports_row_sharding`.
  """

  row_axis: Optional[str] = None

  #: Whether :attr:`row_axis` is honoured (class attribute, not a field).
  supports_row_sharding = False
  #: ``'node'`` (one full graph per step) or ``'graph'`` (mini-batches of small graphs).
  level = "node"

  def init(self, key: jax.Array, graph) -> Variables:
    """Returns the initial variables ``{'params': ..., ...}`` for graphs shaped like ``graph``."""
    raise NotImplementedError

  def loss(self, variables: Variables, key: jax.Array, graph) -> Tuple[jax.Array, Dict[str, Any]]:
    """Returns ``(scalar loss, aux)`` for one padded graph (or batch); lower is better."""
    raise NotImplementedError

  def embed(self, variables: Variables, graph) -> jax.Array:
    """Returns embeddings ``[N, d]`` (or ``[G, d]``) in evaluation mode, padding rows included."""
    raise NotImplementedError

  def post_update(self, variables: Variables, *, step: jax.Array) -> Variables:
    """Called after every optimizer step with the updated variables; identity by default.

    Args:
      variables: ``{'params': new params, **model_state}`` after the update.
      step: int32 scalar, the number of optimizer steps taken so far (after this one).
    """
    del step
    return variables


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

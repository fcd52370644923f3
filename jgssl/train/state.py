"""The train state: parameters, optimizer state, mutable collections and the PRNG key stream."""

from __future__ import annotations

from typing import Any, Dict, Optional

import flax.struct
import jax
import jax.numpy as jnp
import optax
from flax.training import train_state

__all__ = ["TrainState", "create_train_state", "tree_checksum"]


class TrainState(train_state.TrainState):
  """:class:`flax.training.train_state.TrainState` plus what self-supervised methods need.

  The whole state is a pytree of arrays (``apply_fn`` and ``tx`` are static), so Orbax saves and
  restores it, and resuming from a checkpoint continues the same random stream.

  Attributes:
    step: int32 scalar, optimizer steps taken.
    params: the trainable ``'params'`` collection (what the optimizer updates).
    opt_state: the optax state of ``tx``.
    model_state: every other variable collection of the method, e.g. ``'batch_stats'`` (written
      back from ``aux['updates']`` after each step) and ``'target'`` (EMA target parameters,
      moved by :meth:`jgssl.methods.Method.post_update`). Empty dict when unused.
    key: uint32 ``[2]`` raw PRNG key; every step splits it into a new carry and a step key, so the
      randomness of step ``t`` is a function of the seed and ``t`` only.
    extras: the state of :func:`jgssl.train.fit` hooks (e.g. :class:`jgssl.train.EarlyStopping`'s
      best parameters), keyed by hook name; checkpointed with the rest, never seen by the step's
      gradient. Empty dict when no hook keeps state.
  """
  model_state: Dict[str, Any] = flax.struct.field(default_factory=dict)
  key: Optional[jax.Array] = None
  extras: Dict[str, Any] = flax.struct.field(default_factory=dict)

  @property
  def variables(self) -> Dict[str, Any]:
    """``{'params': params, **model_state}``: what :meth:`Method.loss` / ``embed`` take."""
    return {"params": self.params, **self.model_state}

  @property
  def batch_stats(self):
    """The ``'batch_stats'`` collection, or ``None``."""
    return self.model_state.get("batch_stats")

  @property
  def target_params(self):
    """The EMA ``'target'`` parameters, or ``None``."""
    return self.model_state.get("target")


def create_train_state(key: jax.Array, method, tx: optax.GradientTransformation, graph
                       ) -> TrainState:
  """Initialises a method on ``graph`` and wraps it in a :class:`TrainState`.

  Args:
    key: PRNG key (raw ``uint32[2]`` from :func:`jax.random.PRNGKey`, or a typed key, which is
      converted to raw data so Orbax can store it). Split into an init key and the state's key.
    method: a :class:`jgssl.methods.Method`.
    tx: the optax optimizer.
    graph: an example padded graph (batch) with the shapes training will use.

  Returns:
    A state with ``step=0``; ``opt_state`` covers ``params`` only.
  """
  if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
    key = jax.random.key_data(key)
  init_key, carry = jax.random.split(key)
  # One compiled program instead of op-by-op Flax initialisation (much faster to start).
  variables = dict(jax.jit(method.init)(init_key, graph))
  if "params" not in variables:
    raise ValueError(f"{type(method).__name__}.init must return a dict with a 'params' entry, "
                     f"got keys {sorted(variables)}")
  params = variables.pop("params")
  # Collections may alias params (an EMA target starts as a copy); donation needs distinct buffers.
  variables = jax.tree_util.tree_map(lambda a: jnp.array(a, copy=True), variables)
  return TrainState.create(apply_fn=method.embed, params=params, tx=tx,
                           model_state=variables, key=carry).replace(
                               step=jnp.zeros((), jnp.int32))


def tree_checksum(tree) -> str:
  """sha256 hex digest over the arrays of a pytree (leaf order, dtypes, shapes and bytes).

  Bit-identical parameters give the same checksum; any change in any bit gives another.
  """
  import hashlib

  import numpy as np

  h = hashlib.sha256()
  leaves, _ = jax.tree_util.tree_flatten_with_path(jax.device_get(tree))
  for path, leaf in leaves:
    arr = np.ascontiguousarray(np.asarray(leaf))
    h.update(jax.tree_util.keystr(path).encode())
    h.update(str(arr.dtype).encode())
    h.update(str(arr.shape).encode())
    h.update(arr.tobytes())
  return h.hexdigest()

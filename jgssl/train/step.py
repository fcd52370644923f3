"""Train-step builders: augmentation + encoder + loss + optimizer update as one device program.

One step is a single jitted XLA program: it splits the state's key, runs the method's loss (its
augmentations included) and gradient, applies the optax update, writes back mutable collections
and calls the method's post-update (EMA target). Nothing returns to the host between steps;
the returned metrics are device scalars the fit loop reads once per epoch.

Three strategies share that body:

* ``'single'`` — one padded graph (node-level full-graph step, or one graph-level batch) on one
  device.
* ``'data'`` — graph-level data parallelism. The step takes ``R`` padded batches stacked on a
  leading axis (all padded to one :class:`jgssl.graph.PaddingBudget`); replica ``r`` gets the key
  ``fold_in(step_key, r)``; the loss and gradients are the mean over replicas, mutable
  collections (batch statistics) are averaged too. Without a mesh the replicas run on one device
  (``vmap``); with a mesh the leading axis is split over its ``axis`` with
  :func:`jax.shard_map` (``R`` must be a multiple of the device count) and gradients are averaged
  with a cross-device mean — the same numbers up to float rounding.
* ``'rows'`` — node-level anchor sharding for ``N x N`` contrastive losses. The full graph and the
  state are replicated, every device runs the encoder on the same views (same key), and the
  method computes only its block of InfoNCE anchor rows against the gathered full embeddings
  (:attr:`jgssl.methods.Method.row_axis`); partial sums meet in a ``psum`` and gradients of the
  replicated parameters are summed across devices by ``shard_map``'s transpose, so the
  ``O(N^2 d)`` work divides over devices. Requires a mesh.

Multi-host: call :func:`jax.distributed.initialize` first on every host; build the mesh over
:func:`jax.devices` (all hosts' devices, see :func:`jgssl.train.make_mesh`); every host builds
the same state, and in ``'data'`` mode feeds its own local batches with
:func:`jgssl.train.shard_batches` (which uses :func:`jax.make_array_from_process_local_data`).
The step function itself is unchanged.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import jax
import jax.numpy as jnp
from jax.sharding import Mesh, PartitionSpec as P

from jgssl.methods.contract import call_embed, call_loss
from jgssl.train.state import TrainState

__all__ = ["STRATEGIES", "make_embed_fn", "make_train_step", "tree_all_finite"]

STRATEGIES = ("single", "data", "rows")


def tree_all_finite(tree) -> jax.Array:
  """bool scalar: every floating leaf of ``tree`` is finite. Jittable."""
  leaves = [jnp.all(jnp.isfinite(x)) for x in jax.tree_util.tree_leaves(tree)
            if jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)]
  return jnp.all(jnp.stack(leaves)) if leaves else jnp.asarray(True)


def _split_aux(aux) -> Tuple[Dict[str, Any], Dict[str, Any]]:
  aux = dict(aux or {})
  updates = dict(aux.pop("updates", {}) or {})
  return updates, aux


def _loss_and_grad(method, state: TrainState, key, graph, side, row_axis):
  """Loss, per-step aux scalars, collection updates and gradients w.r.t. ``state.params``."""

  def f(params):
    return call_loss(method, {"params": params, **state.model_state}, key, graph, side=side,
                     row_axis=row_axis, step=state.step)

  (loss, aux), grads = jax.value_and_grad(f, has_aux=True)(state.params)
  updates, scalars = _split_aux(aux)
  return loss, scalars, updates, grads


def _apply(method, state: TrainState, grads, updates, carry_key) -> TrainState:
  """Optimizer update, collection write-back and post-update (replicated)."""
  unknown = set(updates) - set(state.model_state)
  if unknown:
    raise ValueError(f"aux['updates'] names collections {sorted(unknown)} that "
                     f"{type(method).__name__}.init did not create")
  new = state.apply_gradients(grads=grads)
  variables = {"params": new.params, **new.model_state, **updates}
  post_update = getattr(method, "post_update", None)
  if post_update is not None:
    variables = dict(post_update(variables, step=new.step))
  params = variables.pop("params")
  return new.replace(params=params, model_state=variables, key=carry_key)


def make_train_step(method, *, strategy: str = "single", mesh: Optional[Mesh] = None,
                    axis: str = "data", donate: bool = True) -> Callable:
  """Builds the jitted ``step(state, graph, side=None) -> (state, metrics)``.

  Args:
    method: any object with the :class:`jgssl.methods.Method` contract.
    strategy: ``'single'``, ``'data'`` or ``'rows'`` (module docstring).
    mesh: a :class:`jax.sharding.Mesh` with an axis named ``axis`` (``'data'`` optionally,
      ``'rows'`` necessarily). ``None`` runs on one device.
    axis: the mesh axis to split over.
    donate: donate the input state's buffers (the old state is invalid after the call).

  Returns:
    ``step(state, graph, side=None)``: ``graph`` is one padded graph (``'single'``, ``'rows'``)
    or ``R`` padded batches stacked on a leading axis (``'data'``); ``side`` is the method's
    ``prepare(graph)`` output when it has one (replicated, never donated), else ``None``. ``metrics`` holds float32 scalars
    ``'loss'``, every scalar of the method's aux, and bool ``'finite'`` (the loss and the whole
    updated state — parameters, optimizer state, mutable collections — are finite: one fused
    reduction in the step, read once per epoch), averaged over replicas.

  Raises:
    ValueError: on an unknown strategy, a missing mesh / axis, or a method that cannot shard
      anchor rows.
  """
  if strategy not in STRATEGIES:
    raise ValueError(f"unknown strategy {strategy!r}; choose one of {STRATEGIES}")
  if mesh is not None and axis not in mesh.axis_names:
    raise ValueError(f"mesh axes {mesh.axis_names} do not include {axis!r}")
  if strategy == "rows":
    if mesh is None:
      raise ValueError("strategy 'rows' needs a mesh (see jgssl.train.make_mesh)")
    if not getattr(method, "row_sharding", False):
      raise ValueError(f"{type(method).__name__} does not support anchor-row sharding; use "
                       f"strategy 'single' (node level) or 'data' (graph level)")
  row_axis = axis if strategy == "rows" else None
  donate_argnums = (0,) if donate else ()

  def metrics_of(loss, scalars, new_state):
    out = {"loss": jnp.asarray(loss, jnp.float32)}
    out.update({k: jnp.asarray(v, jnp.float32) for k, v in scalars.items()})
    # The optimizer state too: Adam's second moment overflows (g**2 = inf) while the loss and
    # the parameters stay finite (the update divides by inf).
    out["finite"] = (jnp.isfinite(loss) & tree_all_finite(new_state.params)
                     & tree_all_finite(new_state.opt_state)
                     & tree_all_finite(new_state.model_state))
    return out

  if strategy == "single" or (strategy == "rows"):

    def body(state, graph, side=None):
      carry, step_key = jax.random.split(state.key)
      loss, scalars, updates, grads = _loss_and_grad(method, state, step_key, graph, side,
                                                     row_axis)
      if strategy == "rows":
        # Aux scalars and collection updates may be typed device-varying; their values agree.
        scalars = jax.tree_util.tree_map(lambda a: jax.lax.pmean(a, axis), scalars)
        updates = jax.tree_util.tree_map(lambda a: jax.lax.pmean(a, axis), updates)
      new_state = _apply(method, state, grads, updates, carry)
      return new_state, metrics_of(loss, scalars, new_state)

    if strategy == "single":
      return jax.jit(body, donate_argnums=donate_argnums)
    sharded = jax.shard_map(body, mesh=mesh, in_specs=(P(), P(), P()), out_specs=(P(), P()))
    return _with_side(jax.jit(sharded, donate_argnums=donate_argnums))

  # strategy == 'data'
  def replica_losses(params, model_state, keys, graphs, side, step):
    def one(key, graph):
      return call_loss(method, {"params": params, **model_state}, key, graph, side=side,
                       step=step)
    return jax.vmap(one)(keys, graphs)

  def body(state, graphs, side=None):
    carry, step_key = jax.random.split(state.key)
    local = jax.tree_util.tree_leaves(graphs)[0].shape[0]
    first = jax.lax.axis_index(axis) * local if mesh is not None else 0
    keys = jax.vmap(lambda r: jax.random.fold_in(step_key, r))(first + jnp.arange(local))

    def f(params):
      losses, aux = replica_losses(params, state.model_state, keys, graphs, side, state.step)
      loss = jnp.mean(losses)
      if mesh is not None:
        loss = jax.lax.pmean(loss, axis)
      return loss, aux

    (loss, aux), grads = jax.value_and_grad(f, has_aux=True)(state.params)
    updates, scalars = _split_aux(aux)
    mean = lambda a: jnp.mean(a, axis=0)
    scalars = jax.tree_util.tree_map(mean, scalars)
    updates = jax.tree_util.tree_map(mean, updates)
    if mesh is not None:
      scalars = jax.tree_util.tree_map(lambda a: jax.lax.pmean(a, axis), scalars)
      updates = jax.tree_util.tree_map(lambda a: jax.lax.pmean(a, axis), updates)
    new_state = _apply(method, state, grads, updates, carry)
    return new_state, metrics_of(loss, scalars, new_state)

  if mesh is None:
    return jax.jit(body, donate_argnums=donate_argnums)
  sharded = jax.shard_map(body, mesh=mesh, in_specs=(P(), P(axis), P()), out_specs=(P(), P()))
  return _with_side(jax.jit(sharded, donate_argnums=donate_argnums))


def _with_side(step: Callable) -> Callable:
  """``shard_map`` takes positional arguments only: ``step(state, graph, side=None)`` for it."""

  def call(state, graph, side=None):
    return step(state, graph, side)

  return call


def make_embed_fn(method) -> Callable:
  """Jitted ``embed(variables, graph, side=None) -> embeddings`` (evaluation mode, no
  randomness); ``side`` is the method's ``prepare(graph)`` output when it has one."""

  @jax.jit
  def embed(variables, graph, side=None):
    return call_embed(method, variables, graph, side=side)

  return embed

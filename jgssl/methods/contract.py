"""The method contract: what :mod:`jgssl.train` needs from a self-supervised method.

Any object with these three methods trains (a :class:`types.SimpleNamespace` of functions
included)::

  init(key, graph) -> variables
  loss(variables, key, graph) -> (scalar, aux)
  embed(variables, graph) -> embeddings

and it may add, each discovered with ``getattr`` (absent means "not used"):

* ``post_update(variables, *, step) -> variables`` — called after every optimizer step with the
  updated variables (e.g. an EMA target, :func:`jgssl.methods.ema_update`); ``step`` is the
  number of optimizer steps taken so far.
* ``prepare(graph) -> side`` — precomputed per-graph data that does not train (a diffusion
  matrix, centrality weights, communities, SVD factors). The engine computes it once, outside
  the train state: it is never donated, replicated into the optimizer or written into
  checkpoints. When ``prepare`` exists, ``loss`` and ``embed`` receive it as the keyword
  ``side=``.
* ``row_sharding = True`` — ``loss`` accepts the keyword ``row_axis=``: under
  ``make_train_step(strategy='rows')`` it is the mesh axis name, and the method computes the
  ``N x N`` loss rows of its own block of anchors (:func:`row_block`,
  :func:`sharded_row_mean`) and returns the global loss through ``jax.lax.psum``. The engine
  passes ``row_axis`` only under that strategy.
* ``needs_step = True`` — ``loss`` accepts the keyword ``step=``: the int32 scalar number of
  optimizer steps taken before this one (0 at the first step; at node level, one step per
  epoch, so ``step + 1`` is the epoch). For losses with a schedule inside them (CSGCL's team-up
  weight ramp). It is read from the train state, so a resumed run continues the schedule.
* ``level = 'graph'`` — the method trains on padded batches of many small graphs and ``embed``
  returns one row per graph slot; the default ``'node'`` means one full graph per step and one
  row per node slot.

Run control (early stopping, schedules of the whole run) is not part of a method: it is a
:func:`jgssl.train.fit` hook (:class:`jgssl.train.EarlyStopping`).

**Variables and mutable collections.** ``variables`` is a Flax-style dict of collections:
``'params'`` (required; the only collection the optimizer and the gradient see), plus any other
collection a Flax module updates in training mode (``'batch_stats'``) and non-trained copies such
as an EMA ``'target'``. ``loss`` returns the new values of mutable collections in
``aux['updates']`` (``{collection: new_value}``); the engine writes them back after the
optimizer step (averaged over data-parallel replicas). Everything but ``'params'`` lives in
:attr:`jgssl.train.TrainState.model_state`.

**aux** is a dict of float scalars (logged per epoch, averaged over replicas) plus the optional
``'updates'`` entry. Scalars must be finite reductions over real rows only.

**Padding.** ``graph`` is a padded :class:`jraph.GraphsTuple` in the convention of
:mod:`jgssl.graph` (``nodes['mask']``, ``edges['mask']``, ``globals['mask']``); a loss must not
depend on the amount of padding. ``embed`` returns a row per node (or graph) slot, padding rows
included; callers slice with the masks.
"""

from __future__ import annotations

from typing import Any, Dict, Protocol, Tuple, runtime_checkable

import jax

__all__ = ["Method", "Variables", "call_embed", "call_loss", "method_level", "prepare_side"]

Variables = Dict[str, Any]


@runtime_checkable
class Method(Protocol):
  """The three functions every method provides; see the module docstring for the optional ones.

  ``isinstance(obj, Method)`` checks that ``obj`` has ``init``, ``loss`` and ``embed``.
  """

  def init(self, key: jax.Array, graph) -> Variables:
    """Initial variables ``{'params': ..., ...}`` for graphs shaped like ``graph``."""

  def loss(self, variables: Variables, key: jax.Array, graph) -> Tuple[jax.Array, Dict]:
    """``(scalar loss, aux)`` for one padded graph (or batch); lower is better."""

  def embed(self, variables: Variables, graph) -> jax.Array:
    """Embeddings ``[N, d]`` (or ``[G, d]``) in evaluation mode, padding rows included."""


def method_level(method) -> str:
  """``'node'`` or ``'graph'``: the method's ``level`` attribute, ``'node'`` when absent."""
  level = getattr(method, "level", "node")
  if level not in ("node", "graph"):
    raise ValueError(f"{type(method).__name__}.level must be 'node' or 'graph', got {level!r}")
  return level


def prepare_side(method, graph):
  """The method's side input for ``graph`` (``method.prepare(graph)``, jitted), or ``None``."""
  prepare = getattr(method, "prepare", None)
  return None if prepare is None else jax.jit(prepare)(graph)


def call_loss(method, variables: Variables, key: jax.Array, graph, *, side=None,
              row_axis=None, step=None):
  """``method.loss`` with exactly the keywords its contract asks for (``side``, ``row_axis``,
  ``step``; a method with ``needs_step`` called without ``step`` gets 0)."""
  kwargs = {}
  if getattr(method, "prepare", None) is not None:
    kwargs["side"] = side
  if row_axis is not None:
    kwargs["row_axis"] = row_axis
  if getattr(method, "needs_step", False):
    kwargs["step"] = 0 if step is None else step
  return method.loss(variables, key, graph, **kwargs)


def call_embed(method, variables: Variables, graph, *, side=None):
  """``method.embed``, with ``side=`` when the method has ``prepare``."""
  if getattr(method, "prepare", None) is not None:
    return method.embed(variables, graph, side=side)
  return method.embed(variables, graph)

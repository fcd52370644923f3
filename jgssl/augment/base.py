"""The :data:`Augmentation` type, the combinators :func:`identity`, :func:`compose`,
:func:`random_choice` and :func:`per_graph_choice`, and :func:`two_views`, the pair of views of a
two-view method.

An *augmentation* is any callable ``aug(key, graph) -> graph`` that keeps every shape and dtype
of a padded :class:`jraph.GraphsTuple` (it changes masks, weights, features or the contents of
slack edge slots). The functions of :mod:`jgssl.augment` take their hyperparameters as keyword
arguments (``drop_edges(key, graph, rate=0.2)``); the matching CamelCase factories fix them
(``DropEdges(rate=0.2)``) and return an :data:`Augmentation`, which the combinators below chain
or choose between inside ``jit``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

import jax
import jax.numpy as jnp
import jraph
import numpy as np

from jgssl.augment import _util

__all__ = ["Augmentation", "compose", "identity", "per_graph_choice", "random_choice",
           "two_views"]

Augmentation = Callable[[jax.Array, jraph.GraphsTuple], jraph.GraphsTuple]
"""``aug(key, graph) -> graph`` with the same shapes and dtypes in and out."""


def identity(key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
  """The augmentation that returns ``graph`` unchanged (``key`` is ignored)."""
  del key
  return graph


def _check_augmentations(augs, where: str) -> tuple:
  augs = tuple(augs)
  for i, aug in enumerate(augs):
    if not callable(aug):
      raise ValueError(f"{where}: argument {i} is a {type(aug).__name__}, not an augmentation "
                       "callable (key, graph) -> graph")
  return augs


def compose(*augs: Augmentation) -> Augmentation:
  """Chains augmentations: ``compose(a, b)(key, g) == b(k2, a(k1, g))``.

  The key is split into one independent key per augmentation (``jax.random.split(key, n)``),
  so ``compose(a)`` differs from ``a`` only through that split. ``compose()`` is
  :func:`identity`.

  Args:
    *augs: augmentations applied left to right.

  Returns:
    An :data:`Augmentation`; jittable and vmappable whenever its parts are.
  """
  augs = _check_augmentations(augs, "compose")
  if not augs:
    return identity

  def composed(key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    keys = jax.random.split(key, len(augs))
    for k, aug in zip(keys, augs):
      graph = aug(k, graph)
    return graph

  composed.augmentations = augs
  return composed


def random_choice(augs: Sequence[Augmentation], *, p: Optional[Sequence[float]] = None
                  ) -> Augmentation:
  """Applies one augmentation drawn at random per call (GraphCL's ``--aug random2/3/4``).

  The choice is made on device with :func:`jax.lax.switch`, so the result stays jittable and
  compiles once: every branch is traced, only the chosen one runs (under ``vmap`` over keys the
  index is batched and all branches run, then one result is selected per key). The key is split
  into one key for the choice and one for the chosen augmentation.

  Args:
    augs: a non-empty sequence of augmentations; all must return graphs with identical shapes
      and dtypes (checked when traced, with an error naming the branch that differs).
    p: optional probabilities, one per augmentation, non-negative and summing to 1; uniform when
      omitted.

  Returns:
    An :data:`Augmentation`.

  Raises:
    ValueError: on an empty ``augs``, a non-callable entry or invalid ``p``.
  """
  augs = _check_augmentations(augs, "random_choice")
  if not augs:
    raise ValueError("random_choice needs at least one augmentation")
  probs = None
  if p is not None:
    probs = np.asarray(p, dtype=np.float64)
    if probs.shape != (len(augs),):
      raise ValueError(f"p has shape {probs.shape}; expected one probability per augmentation "
                       f"({len(augs)},)")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
      raise ValueError(f"p must be finite and non-negative, got {probs.tolist()}")
    if abs(probs.sum() - 1.0) > 1e-6:
      raise ValueError(f"p must sum to 1, got sum {probs.sum():.6g}")
  logits = None if probs is None else jnp.log(jnp.asarray(probs, jnp.float32))

  def chosen(key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    key_choice, key_aug = jax.random.split(key)
    graph = jax.tree_util.tree_map(jnp.asarray, graph)
    expected = jax.eval_shape(lambda g: g, graph)
    for i, aug in enumerate(augs):
      got = jax.eval_shape(aug, key_aug, graph)
      if (jax.tree_util.tree_structure(got) != jax.tree_util.tree_structure(expected)
          or any(a.shape != b.shape or a.dtype != b.dtype for a, b in zip(
              jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(expected)))):
        raise ValueError(f"random_choice: augmentation {i} ({aug!r}) changes the structure, "
                         "shapes or dtypes of the graph; augmentations must keep them")
    if logits is None:
      index = jax.random.randint(key_choice, (), 0, len(augs))
    else:
      index = jax.random.categorical(key_choice, logits)
    return jax.lax.switch(index, augs, key_aug, graph)

  chosen.augmentations = augs
  chosen.p = None if probs is None else tuple(probs.tolist())
  return chosen


def per_graph_choice(augs: Sequence[Augmentation]) -> Augmentation:
  """Applies one of ``augs``, drawn uniformly and independently **per graph** of a batch.

  GraphCL's ``--aug random2/3/4`` (You et al., NeurIPS 2020) draws ``np.random.randint(k)`` in the
  dataset's ``get`` (once per graph, Shen-Lab/GraphCL ``unsupervised_TU/aug.py``), so one batch
  mixes augmentations; :func:`random_choice` draws once per call and gives every graph of a batch
  the same one. Here every augmentation runs on the whole batch (each must keep shapes and may
  only rewrite the entries of ``graph.nodes`` and ``graph.edges``) and each graph takes the node
  and edge entries of its own draw (edges by the graph ``n_edge`` accounts them to). The key is
  split into one key for the draws and one per augmentation. Jittable.

  Args:
    augs: a non-empty sequence of augmentations.

  Returns:
    An :data:`Augmentation`; padding graphs draw too, but padding entries stay padding as long as
    every augmentation keeps them so.

  Raises:
    ValueError: on an empty ``augs`` or a non-callable entry.
  """
  augs = _check_augmentations(augs, "per_graph_choice")
  if not augs:
    raise ValueError("per_graph_choice needs at least one augmentation")

  def chosen(key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    k_choice, *k_augs = jax.random.split(key, len(augs) + 1)
    views = [aug(k, graph) for aug, k in zip(augs, k_augs)]
    n_graph = graph.n_node.shape[0]
    choice = jax.random.randint(k_choice, (n_graph,), 0, len(augs))
    node_choice = choice[_util.node_graph_ids(graph)]
    edge_choice = jnp.repeat(choice, graph.n_edge, total_repeat_length=graph.senders.shape[0])

    def pick(leaves, which):
      out = leaves[0]
      for i in range(1, len(leaves)):
        sel = (which == i).reshape(which.shape + (1,) * (leaves[i].ndim - 1))
        out = jnp.where(sel, leaves[i], out)
      return out

    nodes = {k: pick([v.nodes[k] for v in views], node_choice) for k in graph.nodes}
    edges = {k: pick([v.edges[k] for v in views], edge_choice) for k in graph.edges}
    return graph._replace(nodes=nodes, edges=edges)

  chosen.augmentations = augs
  return chosen


def _view_pair(value) -> Tuple[Any, Any]:
  """``(view 1's, view 2's)`` of a step's setting: a pair as it is, anything else for both."""
  if isinstance(value, (tuple, list)):
    if len(value) != 2:
      raise ValueError(f"a per-view setting is one value for both views or a pair (view 1, "
                       f"view 2), got {value!r}")
    return tuple(value)
  return value, value


def two_views(*steps: Tuple[Callable[..., Callable], Any], side: bool = False
              ) -> Tuple[Callable, Callable]:
  """The pair of views of a two-view method: the same steps in both, each view at its own rates.

  View ``k`` applies, in order, ``factory(rate=rates_k)`` of every ``(factory, rates)`` step,
  chained as :func:`compose` chains them (the view's key is split into one key per step), so::

    two_views((DropEdges, (0.2, 0.4)), (MaskFeatureColumns, (0.3, 0.4)))
    == (compose(DropEdges(rate=0.2), MaskFeatureColumns(rate=0.3)),
        compose(DropEdges(rate=0.4), MaskFeatureColumns(rate=0.4)))

  GRACE and BGRL drop edges, then mask feature columns (CRIPAC-DIG/GRACE ``train.py``,
  nerdslab/bgrl ``bgrl/transforms.py``); G-BT and CCA-SSG mask feature columns first
  (pbielak/graph-barlow-twins ``gssl/augment.py``, hengruizhang98/CCA-SSG ``aug.py``). A two-view
  method (:class:`jgssl.methods.TwoViewContrast`, a bootstrap method) draws its two view keys
  itself and calls ``views[k](key_k, graph)``.

  Args:
    *steps: ``(factory, rates)`` pairs. ``factory(rate=r)`` returns the step's augmentation at
      ``r`` (the CamelCase factories of :mod:`jgssl.augment`, or any callable taking ``rate=``);
      ``rates`` is one value for both views or a pair ``(view 1, view 2)``.
    side: the factories return *side-aware* augmentations ``(key, graph, side) -> graph``, which
      read precomputed data of the graph (GCA's centrality weights, the side input a method's
      ``prepare`` computes), and so do the two views.

  Returns:
    ``(view_1, view_2)``, each ``(key, graph) -> graph`` (with ``side``:
    ``(key, graph, side) -> graph``); jittable and shape-keeping when the steps are.

  Raises:
    ValueError: on no steps, a step that is not a ``(factory, rates)`` pair, a non-callable
      factory, or ``rates`` that is a sequence of other than two values. The factories check
      the rates themselves.
  """
  if not steps:
    raise ValueError("two_views needs at least one (factory, rates) step")
  for i, step in enumerate(steps):
    if not isinstance(step, tuple) or len(step) != 2 or not callable(step[0]):
      raise ValueError(f"two_views: step {i} must be a (factory, rates) pair with a callable "
                       f"factory, got {step!r}")
  per_view = [_view_pair(rates) for _, rates in steps]
  views = []
  for k in range(2):
    augs = tuple(factory(rate=rates[k]) for (factory, _), rates in zip(steps, per_view))
    views.append(_side_compose(augs) if side else compose(*augs))
  return tuple(views)


def _side_compose(augs) -> Callable:
  """:func:`compose` for side-aware augmentations ``(key, graph, side) -> graph``."""
  augs = _check_augmentations(augs, "two_views")

  def composed(key: jax.Array, graph: jraph.GraphsTuple, side) -> jraph.GraphsTuple:
    for k, aug in zip(jax.random.split(key, len(augs)), augs):
      graph = aug(k, graph, side)
    return graph

  composed.augmentations = augs
  return composed

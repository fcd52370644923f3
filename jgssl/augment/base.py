"""The :data:`Augmentation` type and the combinators :func:`identity`, :func:`compose` and
:func:`random_choice`.

An *augmentation* is any callable ``aug(key, graph) -> graph`` that keeps every shape and dtype
of a padded :class:`jraph.GraphsTuple` (it changes masks, weights, features or the contents of
slack edge slots). The functions of :mod:`jgssl.augment` take their hyperparameters as keyword
arguments (``drop_edges(key, graph, rate=0.2)``); the matching CamelCase factories fix them
(``DropEdges(rate=0.2)``) and return an :data:`Augmentation`, which the combinators below chain
or choose between inside ``jit``.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import jax
import jax.numpy as jnp
import jraph
import numpy as np

__all__ = ["Augmentation", "compose", "identity", "random_choice"]

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

"""Feature augmentations: column masking (GRACE), row masking, dropout and row shuffling (DGI).

All change ``nodes['x']`` only, on rows of real graphs; masks, edges and padding rows are left
as they are. Jittable, vmappable over keys, shapes and dtypes kept.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import jraph

from jgssl.augment import _util
from jgssl import graph as graph_lib

__all__ = [
    "DropoutFeatures",
    "MaskFeatureColumns",
    "MaskFeatureRows",
    "ShuffleFeatures",
    "dropout_features",
    "mask_feature_columns",
    "mask_feature_rows",
    "shuffle_features",
]


def _replace_x(graph: jraph.GraphsTuple, x_new: jax.Array, rows: jax.Array) -> jraph.GraphsTuple:
  """Writes ``x_new`` on ``rows`` (bool ``[N]``) and keeps the old features elsewhere."""
  x = jnp.asarray(graph.nodes["x"])
  rows = rows.reshape(rows.shape + (1,) * (x.ndim - 1))
  return graph._replace(nodes={**graph.nodes, "x": jnp.where(rows, x_new.astype(x.dtype), x)})


def mask_feature_columns(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float
                         ) -> jraph.GraphsTuple:
  """Zeroes whole feature columns, each with probability ``rate`` (GRACE's ``drop_feature``).

  One Bernoulli draw per feature column, shared by every node of every graph in the batch, as in
  GRACE (Zhu et al., 2020), GCA (uniform scheme), BGRL and G-BT ("feature masking"). Changes
  ``nodes['x']`` (float ``[N, F]``) on rows of real graphs; masks and padding rows are untouched.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
    rate: column drop probability in ``[0, 1]``; ``0`` returns the graph unchanged.
  """
  _util.check_rate("rate", rate)
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"])
  drop = jax.random.uniform(key, (x.shape[1],)) < rate
  x_new = jnp.where(drop[None, :], jnp.zeros_like(x), x)
  return _replace_x(graph, x_new, _util.real_nodes(graph))


@dataclasses.dataclass(frozen=True, kw_only=True)
class MaskFeatureColumns:
  """Augmentation factory for :func:`mask_feature_columns`."""
  rate: float

  def __post_init__(self):
    _util.check_rate("rate", self.rate)

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return mask_feature_columns(key, graph, rate=self.rate)


def mask_feature_rows(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float
                      ) -> jraph.GraphsTuple:
  """Zeroes the whole feature row of each present node with probability ``rate``.

  One Bernoulli draw per node (PyGCL-style node feature masking; GraphCL's "attribute masking"
  instead overwrites exactly ``int(rate * n)`` rows with Gaussian noise, and GraphMAE uses a
  learnable token, see :func:`jgssl.augment.graphmae_mask`). The node stays present
  (``nodes['mask']`` unchanged) with a zero feature vector. Changes ``nodes['x']`` (``[N, F]``)
  on present nodes of real graphs only.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
    rate: row masking probability in ``[0, 1]``; ``0`` returns the graph unchanged.
  """
  _util.check_rate("rate", rate)
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"])
  drop = jax.random.uniform(key, (x.shape[0],)) < rate
  return _replace_x(graph, jnp.zeros_like(x), drop & _util.eligible_nodes(graph))


@dataclasses.dataclass(frozen=True, kw_only=True)
class MaskFeatureRows:
  """Augmentation factory for :func:`mask_feature_rows`."""
  rate: float

  def __post_init__(self):
    _util.check_rate("rate", self.rate)

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return mask_feature_rows(key, graph, rate=self.rate)


def dropout_features(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float,
                     scale: bool = True) -> jraph.GraphsTuple:
  """Element-wise feature dropout: each entry of ``x`` is zeroed with probability ``rate``.

  With ``scale=True`` (the default, as ``torch.nn.functional.dropout`` and PyGCL's
  ``FeatureDropout``) kept entries are divided by ``1 - rate`` so the expectation is unchanged
  ("inverted dropout"); with ``scale=False`` they are kept as they are (pure masking). For the
  column-wise masking of GRACE / CCA-SSG use :func:`mask_feature_columns`. Changes
  ``nodes['x']`` (``[N, F]``) on rows of real graphs.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
    rate: drop probability, in ``[0, 1)`` when ``scale`` else ``[0, 1]``; ``0`` returns the
      graph unchanged.
    scale: rescale kept entries by ``1 / (1 - rate)``.
  """
  _util.check_rate("rate", rate, upper_open=scale)
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"])
  keep = jax.random.uniform(key, x.shape) >= rate
  kept = x / (1.0 - rate) if scale else x
  x_new = jnp.where(keep, kept, jnp.zeros_like(x))
  return _replace_x(graph, x_new, _util.real_nodes(graph))


@dataclasses.dataclass(frozen=True, kw_only=True)
class DropoutFeatures:
  """Augmentation factory for :func:`dropout_features`."""
  rate: float
  scale: bool = True

  def __post_init__(self):
    _util.check_rate("rate", self.rate, upper_open=self.scale)

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return dropout_features(key, graph, rate=self.rate, scale=self.scale)


def shuffle_features(key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
  """Permutes feature rows among the present nodes of each graph (DGI's corruption).

  DGI (Veličković et al., 2019) builds negatives by encoding ``X[perm]`` on the unchanged graph.
  Here each graph of a batch gets its own uniformly random permutation of the rows of its present
  nodes, so features never move between graphs; rows of padding and dropped nodes stay where
  they are. Only ``nodes['x']`` (``[N, F]``) changes — and the optional sparse column index
  ``nodes['x_cols']`` (:mod:`jgssl.models.sparse`), whose rows move with the features; the
  structure and all masks are kept.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
  """
  _util.check_graph(graph, needs_x=True)
  eligible = _util.eligible_nodes(graph)
  # Position p of both orders lies in the same graph block; eligible nodes come first. The
  # index order sends position p back to a node, the random order says whose row it receives.
  src = jnp.zeros(eligible.shape[0], jnp.int32).at[_util.index_order(graph, eligible)].set(
      _util.random_order(key, graph, eligible))
  src = jnp.where(eligible, src, jnp.arange(eligible.shape[0], dtype=jnp.int32))
  x = jnp.asarray(graph.nodes["x"])
  out = _replace_x(graph, x[src], eligible)
  cols = graph.nodes.get(graph_lib.SPARSE_KEY)
  if cols is not None:  # the optional sparse column index moves with its rows
    cols = jnp.where(eligible[:, None], cols[src], cols)
    out = out._replace(nodes={**out.nodes, graph_lib.SPARSE_KEY: cols})
  return out


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShuffleFeatures:
  """Augmentation factory for :func:`shuffle_features` (no hyperparameters)."""

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return shuffle_features(key, graph)

"""Node augmentations: node dropping, random subgraphs and Gaussian node masking (GraphCL).

Node dropping and subgraphs are node masks: removed nodes get ``nodes['mask'] = False`` and every
edge touching them gets ``edges['mask'] = False``; features, senders and receivers are untouched.
Gaussian node masking overwrites the feature rows of chosen nodes and changes no mask. Jittable,
vmappable over keys, shapes and dtypes kept.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import jraph

from jgssl import graph as jgraph
from jgssl.augment import _util

__all__ = ["DropNodes", "MaskNodesGaussian", "SampleSubgraph", "drop_nodes", "mask_nodes_gaussian",
           "sample_subgraph"]


def drop_nodes(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float) -> jraph.GraphsTuple:
  """Drops exactly ``floor(rate * n_g)`` uniformly chosen present nodes of every graph ``g``.

  GraphCL's "node dropping" (You et al., 2020): ``n_g`` counts the present nodes of real graph
  ``g``; the dropped set is uniform among subsets of that size (GraphCL draws
  ``np.random.choice(n, int(n * rate), replace=False)``). Dropped nodes get
  ``nodes['mask'] = False`` and their edges ``edges['mask'] = False``; padding stays padding.
  (GraphCL's ``unsupervised_TU/aug.py`` zeroes the rows of the *kept* nodes in its adjacency,
  keeping only edges among dropped nodes; this follows the paper instead. GraphCL also removes
  nodes that become isolated, which changes shapes; here they stay present.)

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``N`` node slots.
    rate: fraction of each graph's present nodes to drop, in ``[0, 1]``; the count is an exact
      rational floor (see ``_util.floor_mul``). ``0`` returns the graph unchanged.

  Returns:
    The graph with ``nodes['mask']`` (bool ``[N]``) and ``edges['mask']`` (bool ``[E]``)
    updated.
  """
  _util.check_rate("rate", rate)
  _util.check_graph(graph)
  eligible = _util.eligible_nodes(graph)
  gid = _util.node_graph_ids(graph)
  count = _util.segment_count(eligible, gid, _util.num_graphs(graph))
  num_drop = _util.floor_mul(rate, count)
  drop = eligible & (_util.random_rank(key, graph, eligible) < num_drop[gid])
  return _util.mask_edges_of_dropped_nodes(graph, ~drop)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DropNodes:
  """Augmentation factory for :func:`drop_nodes`: ``DropNodes(rate=0.2)(key, graph)``."""
  rate: float

  def __post_init__(self):
    _util.check_rate("rate", self.rate)

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return drop_nodes(key, graph, rate=self.rate)


def sample_subgraph(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float,
                    nodes_per_step: int = 1) -> jraph.GraphsTuple:
  """Keeps a subgraph grown from a random node: ``n_g - floor(rate * n_g)`` nodes per graph.

  GraphCL's "subgraph" augmentation (You et al., 2020), described in the paper as random-walk
  sampling and implemented in the official code as random *expansion*: start at a uniformly
  random present node, then repeatedly add a uniformly random node among the out-neighbours of
  the current subgraph (over present edges), until the target size is reached. The same is done
  here for every graph of the batch at once, in a :func:`jax.lax.while_loop` that stops when all
  graphs reached their targets (so it compiles once; under ``vmap`` it runs until the slowest
  key is done). Each step adds ``nodes_per_step`` frontier nodes per graph (fewer near the
  target; a new start is always a single node). When the frontier is empty before the target is
  reached (the start's connected component is exhausted), the expansion continues from a new
  uniformly random unvisited node, so the kept count is always exact. (GraphCL instead stops
  early; its frontier is also never updated past the start node's neighbours, because
  ``set.union`` is not in place.)

  ``rate`` is the fraction of nodes *removed*, as for every augmentation here: GraphCL's "keep
  20%" is ``rate=0.8``. Cost: ``ceil(max_g kept_g / nodes_per_step)`` steps of ``O(N + E)`` (plus
  an ``O(N log N)`` sort), so it suits batches of small graphs (TU datasets); raise
  ``nodes_per_step`` for large graphs.

  Removed nodes get ``nodes['mask'] = False`` and their edges ``edges['mask'] = False``.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``N`` node slots.
    rate: fraction of each graph's present nodes to remove, in ``[0, 1]``; ``0`` keeps all.
    nodes_per_step: frontier nodes added per graph and step (``>= 1``, static).

  Returns:
    The graph with ``nodes['mask']`` (bool ``[N]``) and ``edges['mask']`` (bool ``[E]``)
    updated.
  """
  _util.check_rate("rate", rate)
  _util.check_graph(graph)
  if not isinstance(nodes_per_step, int) or nodes_per_step < 1:
    raise ValueError(f"nodes_per_step must be an int >= 1, got {nodes_per_step!r}")
  n_graph, n_nodes = _util.num_graphs(graph), _util.num_nodes(graph)
  eligible = _util.eligible_nodes(graph)
  gid = _util.node_graph_ids(graph)
  count = _util.segment_count(eligible, gid, n_graph)
  target = count - _util.floor_mul(rate, count)
  present_edge = jgraph.edge_mask(graph) & eligible[graph.senders] & eligible[graph.receivers]

  def cond(state):
    return jnp.any(state[2] < target)

  def body(state):
    key, in_sub, kept = state
    key, step_key = jax.random.split(key)
    reach = jax.ops.segment_max((present_edge & in_sub[graph.senders]).astype(jnp.int32),
                                graph.receivers, num_segments=n_nodes) > 0
    free = eligible & ~in_sub
    frontier = free & reach
    has_frontier = jax.ops.segment_max(frontier.astype(jnp.int32), gid,
                                       num_segments=n_graph) > 0
    candidates = jnp.where(has_frontier[gid], frontier, free)
    rank = _util.random_rank(step_key, graph, candidates)
    room = jnp.minimum(target - kept, jnp.where(has_frontier, nodes_per_step, 1))
    add = candidates & (rank < room[gid])
    in_sub = in_sub | add
    kept = kept + _util.segment_count(add, gid, n_graph)
    return key, in_sub, kept

  # The carry starts from values computed from the graph (not fresh constants) so that inside
  # jax.shard_map it has the same device-varying type as the body's output.
  init = (key, eligible & False, count * 0)
  _, in_sub, _ = jax.lax.while_loop(cond, body, init)
  return _util.mask_edges_of_dropped_nodes(graph, in_sub | ~eligible)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleSubgraph:
  """Augmentation factory for :func:`sample_subgraph`: ``SampleSubgraph(rate=0.8)``."""
  rate: float
  nodes_per_step: int = 1

  def __post_init__(self):
    _util.check_rate("rate", self.rate)
    if not isinstance(self.nodes_per_step, int) or self.nodes_per_step < 1:
      raise ValueError(f"nodes_per_step must be an int >= 1, got {self.nodes_per_step!r}")

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return sample_subgraph(key, graph, rate=self.rate, nodes_per_step=self.nodes_per_step)


def mask_nodes_gaussian(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float,
                        mean: float = 0.5, std: float = 0.5) -> jraph.GraphsTuple:
  """GraphCL's attribute masking: ``floor(rate * n_g)`` rows per graph become ``N(mean, std²)``.

  You et al., NeurIPS 2020; official code Shen-Lab/GraphCL ``unsupervised_TU/aug.py``
  (``mask_nodes``: ``token = np.random.normal(0.5, 0.5, ...)`` written over the chosen rows).
  The rows are chosen exactly as :func:`drop_nodes` chooses its nodes (uniform among the present
  nodes of each real graph); only ``nodes['x']`` changes: no mask, no edge, padding untouched.

  Args:
    key: a ``jax.random`` key (split into one for the rows and one for the noise).
    graph: a padded graph with ``nodes['x']`` ``[N, F]``.
    rate: fraction of each graph's present nodes to overwrite, in ``[0, 1]``.
    mean: mean of the noise.
    std: standard deviation of the noise.

  Returns:
    The graph with ``nodes['x']`` (``[N, F]``) rewritten on the chosen rows.
  """
  _util.check_graph(graph, needs_x=True)
  k_rows, k_noise = jax.random.split(key)
  chosen = graph.nodes["mask"] & ~drop_nodes(k_rows, graph, rate=rate).nodes["mask"]
  x = graph.nodes["x"]
  noise = mean + std * jax.random.normal(k_noise, x.shape, x.dtype)
  return graph._replace(nodes={**graph.nodes, "x": jnp.where(chosen[:, None], noise, x)})


@dataclasses.dataclass(frozen=True, kw_only=True)
class MaskNodesGaussian:
  """Augmentation factory for :func:`mask_nodes_gaussian`: ``MaskNodesGaussian(rate=0.1)``."""
  rate: float
  mean: float = 0.5
  std: float = 0.5

  def __post_init__(self):
    _util.check_rate("rate", self.rate)

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return mask_nodes_gaussian(key, graph, rate=self.rate, mean=self.mean, std=self.std)

"""Edge augmentations: random edge dropping and edge adding into slack slots.

Both are jittable, vmappable over keys and keep every shape and dtype. See :mod:`jgssl.graph`
for the padding layout they rely on.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import jraph

from jgssl import graph as jgraph
from jgssl.augment import _util

__all__ = ["AddEdges", "DropEdges", "add_edges", "drop_edges"]


def _pair_uniform(key: jax.Array, senders: jax.Array, receivers: jax.Array) -> jax.Array:
  """float32 ``[E]`` uniforms that depend only on ``key`` and the unordered pair of end nodes.

  Each edge draws from ``fold_in(fold_in(key, min(s, r)), max(s, r))`` (counter-based
  threefry), so ``u -> v`` and ``v -> u`` see the same value while different pairs are
  independent; no reverse-edge index and no sort are needed.
  """
  lo = jnp.minimum(senders, receivers)
  hi = jnp.maximum(senders, receivers)

  def draw(a, b):
    return jax.random.uniform(jax.random.fold_in(jax.random.fold_in(key, a), b))

  return jax.vmap(draw)(lo, hi)


def drop_edges(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float,
               undirected: bool = False) -> jraph.GraphsTuple:
  """Drops each present edge with probability ``rate`` (GRACE / PyG ``dropout_adj``).

  Changes ``edges['mask']`` only: a dropped edge gets ``False``. Padding and already masked edges
  stay masked; nodes, features, weights, senders and receivers are untouched.

  With ``undirected=False`` every directed edge entry is dropped independently, as GRACE
  (Zhu et al., 2020), GCA, BGRL and G-BT do (``dropout_adj`` / ``dropout_edge`` in PyG). With
  ``undirected=True`` both directions of an edge share one draw, so an undirected edge is kept or
  dropped as a whole (PyG ``dropout_edge(force_undirected=True)``); the pairing uses a draw keyed
  on the unordered pair of node indices (see ``_pair_uniform``), so repeated copies of an edge
  share the draw too. An edge stored in one direction only is dropped with probability ``rate``
  either way.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``E`` edge slots.
    rate: drop probability in ``[0, 1]``; ``0`` returns the graph unchanged.
    undirected: drop the two directions of an edge together.

  Returns:
    The graph with ``edges['mask']`` (bool ``[E]``) updated.
  """
  _util.check_rate("rate", rate)
  _util.check_graph(graph)
  mask = jnp.asarray(graph.edges["mask"])
  if undirected:
    u = _pair_uniform(key, graph.senders, graph.receivers)
  else:
    u = jax.random.uniform(key, mask.shape)
  keep = u >= rate
  return graph._replace(edges={**graph.edges, "mask": mask & keep})


@dataclasses.dataclass(frozen=True, kw_only=True)
class DropEdges:
  """Augmentation factory for :func:`drop_edges`: ``DropEdges(rate=0.2)(key, graph)``."""
  rate: float
  undirected: bool = False

  def __post_init__(self):
    _util.check_rate("rate", self.rate)

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return drop_edges(key, graph, rate=self.rate, undirected=self.undirected)


def add_edges(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float,
              undirected: bool = False) -> jraph.GraphsTuple:
  """Adds random edges between present nodes of the same graph, written into slack slots.

  The edge-adding half of GraphCL's "edge perturbation" and PyGCL's ``EdgeAdding``. The number
  of new directed edges is ``min(floor(rate * M), S)`` where ``M`` counts the present edges of
  the real graphs (``edges['mask']`` with both end nodes present) and ``S`` the free slack slots
  (rounded down to even with ``undirected=True``, which writes each new edge in both
  directions). Each new edge first picks a graph with probability proportional to its number of
  present edges (so every graph grows by about ``rate`` times its edges), then two distinct
  present nodes of that graph uniformly at random. Graphs with fewer than two present nodes get
  none. New edges may duplicate existing ones (as in PyGCL); they never create self-loops.

  **Slack slots.** A slack slot is an edge slot of a padding graph whose mask is False: reserve
  them with ``jgssl.graph.budget_for(graph, edge_slack=...)`` (or a larger ``n_edge`` budget)
  before padding. An added edge gets ``mask=True``, ``weight=1`` and new ``senders`` /
  ``receivers``, but its slot stays accounted to the padding graph in ``n_edge``: node-level
  encoders (which read ``senders``, ``receivers`` and the masks) see it as an ordinary edge of
  its graph, whereas anything that maps edges to graphs through ``n_edge`` (per-graph edge
  readouts, :func:`jgssl.graph.zero_out_padding`, :func:`jgssl.graph.unpad_graph`) would
  attribute it to the padding graph (zeroing or cutting it). It never connects nodes of different
  graphs or padding nodes, and padding nodes never become present. Other edge fields (e.g.
  ``'type'``) of the slot keep their padding value (zero). Without slack no edge is added.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph.
    rate: number of new directed edges as a fraction of the present edges, ``>= 0`` (may
      exceed 1); ``0`` returns the graph unchanged.
    undirected: add every new edge in both directions (two slots per edge).

  Returns:
    The graph with ``senders``, ``receivers``, ``edges['mask']`` and ``edges['weight']`` changed
    on the used slack slots only.
  """
  _util.check_rate("rate", rate, upper=float("inf"))
  _util.check_graph(graph)
  n_graph, n_edges = _util.num_graphs(graph), _util.num_edges(graph)
  edge_mask = jnp.asarray(graph.edges["mask"])
  real_edge = _util.real_edges(graph)
  slack = ~edge_mask & ~real_edge
  present = jgraph.edge_mask(graph) & real_edge
  eligible = _util.eligible_nodes(graph)
  node_gid = _util.node_graph_ids(graph)

  num_present = jnp.sum(present.astype(jnp.int32))
  num_slack = jnp.sum(slack.astype(jnp.int32))
  num_new = jnp.minimum(_util.floor_mul(rate, num_present), num_slack)
  if undirected:
    num_new = num_new - num_new % 2
  slot_rank = jnp.cumsum(slack.astype(jnp.int32)) - 1        # rank of each slack slot
  pair = slot_rank // 2 if undirected else slot_rank          # which new edge a slot holds
  pair = jnp.clip(pair, 0, n_edges - 1)

  # Draw one candidate edge per possible slot: graph ~ present edges, then two distinct nodes.
  k_graph, k_a, k_b = jax.random.split(key, 3)

  def below(k, n):
    """Uniform int32 in [0, n) per slot (0 where n <= 0)."""
    return jax.random.randint(k, (n_edges,), 0, jnp.maximum(n, 1))

  # The graph of a present edge is the graph of its receiver (present edges of real graphs
  # connect nodes of their own graph).
  edges_per_graph = _util.segment_count(present, node_gid[graph.receivers], n_graph)
  cum = jnp.cumsum(edges_per_graph)
  t = below(k_graph, num_present)
  g = jnp.clip(jnp.searchsorted(cum, t, side="right"), 0, n_graph - 1)
  nodes_per_graph = _util.segment_count(eligible, node_gid, n_graph)
  count = nodes_per_graph[g]
  a = below(k_a, count)
  b = below(k_b, count - 1)
  b = jnp.where(b >= a, b + 1, b)                               # distinct from a
  order = _util.index_order(graph, eligible)
  start = _util.node_offsets(graph)[g]
  node_a = order[jnp.clip(start + a, 0, order.shape[0] - 1)]
  node_b = order[jnp.clip(start + b, 0, order.shape[0] - 1)]
  valid = count >= 2

  use = slack & (slot_rank < num_new) & valid[pair]
  if undirected:
    first = slot_rank % 2 == 0
    new_s = jnp.where(first, node_a[pair], node_b[pair])
    new_r = jnp.where(first, node_b[pair], node_a[pair])
  else:
    new_s, new_r = node_a[pair], node_b[pair]
  # The index dtype JAX gives the graph's own senders (int64 host arrays become int32).
  index_dtype = jnp.asarray(graph.senders).dtype
  senders = jnp.where(use, new_s, graph.senders).astype(index_dtype)
  receivers = jnp.where(use, new_r, graph.receivers).astype(index_dtype)
  weight = jnp.asarray(graph.edges["weight"])
  edges = {**graph.edges,
           "mask": edge_mask | use,
           "weight": jnp.where(use, jnp.ones_like(weight), weight)}
  return graph._replace(senders=senders, receivers=receivers, edges=edges)


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddEdges:
  """Augmentation factory for :func:`add_edges`: ``AddEdges(rate=0.1)(key, graph)``."""
  rate: float
  undirected: bool = False

  def __post_init__(self):
    _util.check_rate("rate", self.rate, upper=float("inf"))

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return add_edges(key, graph, rate=self.rate, undirected=self.undirected)

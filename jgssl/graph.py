"""Helpers over :class:`jraph.GraphsTuple`: construction, degrees, normalisation, padding, masks.

The graph convention of jgssl (decided once, used everywhere):

* ``graph.nodes`` is a dict with at least

  - ``'x'``: float32 ``[N, F]`` node features;
  - ``'mask'``: bool ``[N]``, True where a node is present. Padding nodes are False;
    augmentations that drop nodes set it to False as well.

  Optional extra keys carry what later methods need, e.g. ``'type'`` (int32 ``[N]``, node type of a
  heterogeneous or bipartite graph).
* ``graph.edges`` is a dict with at least

  - ``'weight'``: float32 ``[E]`` edge weights (1 for unweighted graphs);
  - ``'mask'``: bool ``[E]``, True where an edge is present. Padding edges are False; edge dropping
    sets it to False. Encoders multiply messages by ``mask`` (and ``weight``), so a masked edge
    carries nothing.

  Optional: ``'type'`` (int32 ``[E]``, relation of a typed edge).
* ``graph.globals`` is a dict with ``'mask'``: bool ``[G]``, True for real graphs, False for
  padding graphs.
* Edges are directed ``senders[e] -> receivers[e]``; an undirected graph stores both directions.
  Self-loops are not stored unless asked for: GCN-style encoders add them themselves.
* Padding follows :func:`jraph.pad_with_graphs`: the padded graph ends with one padding graph that
  owns all padding nodes and edges (padding edges point at the first padding node) followed by
  empty graphs. At least one padding node and one padding graph are always present, so padded
  shapes never collide with real data.

Functions that run on the host (construction, padding) take and return numpy arrays; functions
marked *jittable* work on padded graphs with static shapes inside ``jax.jit``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence

import jax
import jax.numpy as jnp
import jraph
import numpy as np

__all__ = [
    "PaddingBudget",
    "SPARSE_KEY",
    "batch",
    "budget_for",
    "degree",
    "drop_sparse_features",
    "edge_mask",
    "from_edge_index",
    "graph_mask",
    "node_graph_index",
    "node_mask",
    "num_real_nodes",
    "pad_graph",
    "symmetric_norm_weights",
    "unpad_graph",
    "with_node_features",
    "zero_out_padding",
]


# ---------------------------------------------------------------------------------------------
# Construction (host side, numpy)
# ---------------------------------------------------------------------------------------------


def from_edge_index(
    edge_index: np.ndarray,
    *,
    num_nodes: int,
    node_features: Optional[np.ndarray] = None,
    edge_weight: Optional[np.ndarray] = None,
    symmetrize: bool = True,
    self_loops: str = "remove",
    extra_nodes: Optional[dict] = None,
    extra_edges: Optional[dict] = None,
) -> jraph.GraphsTuple:
  """Builds a single-graph :class:`jraph.GraphsTuple` from a ``[2, E]`` edge index (host side).

  Edges are de-duplicated (a repeated edge keeps the weight of its first occurrence) and sorted by
  ``(receiver, sender)`` so the result is deterministic.

  Args:
    edge_index: int array ``[2, E]`` of ``(sender, receiver)`` pairs, 0-based.
    num_nodes: number of nodes ``N``; every index must lie in ``[0, N)``.
    node_features: float array ``[N, F]``; ``None`` gives a ``[N, 0]`` float32 array.
    edge_weight: float array ``[E]``; ``None`` gives ones.
    symmetrize: add the reverse of every edge (as PyG's ``to_undirected``).
    self_loops: ``'remove'`` drops ``i -> i`` edges, ``'keep'`` leaves them as given, ``'add'``
      removes existing ones then adds exactly one per node with weight 1.
    extra_nodes: additional ``[N, ...]`` arrays stored in ``graph.nodes`` (e.g. ``'type'``).
    extra_edges: additional ``[E, ...]`` arrays aligned with ``edge_index`` stored in
      ``graph.edges`` (e.g. ``'type'``); they follow the symmetrisation and de-duplication.

  Returns:
    A GraphsTuple with one graph, numpy leaves, ``nodes={'x', 'mask', ...}``,
    ``edges={'weight', 'mask', ...}`` and ``globals={'mask'}``, all masks True.

  Raises:
    ValueError: on a malformed edge index, an index out of range, or mismatched lengths.
  """
  edge_index = np.asarray(edge_index)
  if edge_index.ndim != 2 or edge_index.shape[0] != 2:
    raise ValueError(f"edge_index must have shape [2, E], got {edge_index.shape}")
  if edge_index.size and not np.issubdtype(edge_index.dtype, np.integer):
    if not np.all(np.equal(np.mod(edge_index, 1), 0)):
      raise ValueError("edge_index must hold integers")
  edge_index = edge_index.astype(np.int64)
  if num_nodes < 0:
    raise ValueError(f"num_nodes must be >= 0, got {num_nodes}")
  if edge_index.size:
    lo, hi = int(edge_index.min()), int(edge_index.max())
    if lo < 0 or hi >= num_nodes:
      raise ValueError(
          f"edge_index refers to node {lo if lo < 0 else hi}, outside [0, {num_nodes})")
  if self_loops not in ("remove", "keep", "add"):
    raise ValueError(f"self_loops must be 'remove', 'keep' or 'add', got {self_loops!r}")
  num_edges = edge_index.shape[1]
  weight = (np.ones(num_edges, np.float32) if edge_weight is None
            else np.asarray(edge_weight, np.float32).reshape(-1))
  if weight.shape[0] != num_edges:
    raise ValueError(f"edge_weight has {weight.shape[0]} entries for {num_edges} edges")
  extras = {k: np.asarray(v) for k, v in (extra_edges or {}).items()}
  for k, v in extras.items():
    if v.shape[0] != num_edges:
      raise ValueError(f"extra_edges[{k!r}] has {v.shape[0]} rows for {num_edges} edges")

  senders, receivers = edge_index
  if symmetrize:
    senders, receivers = np.concatenate([senders, receivers]), np.concatenate([receivers, senders])
    weight = np.concatenate([weight, weight])
    extras = {k: np.concatenate([v, v]) for k, v in extras.items()}
  if self_loops in ("remove", "add"):
    keep = senders != receivers
    senders, receivers, weight = senders[keep], receivers[keep], weight[keep]
    extras = {k: v[keep] for k, v in extras.items()}
  # De-duplicate, keeping the first occurrence, then sort by (receiver, sender).
  # (A stable argsort plus a neighbour comparison: np.unique(return_index=True) is ~50x slower.)
  key = receivers.astype(np.int64) * max(num_nodes, 1) + senders
  order = np.argsort(key, kind="stable")
  sorted_key = key[order]
  is_first = np.ones(sorted_key.shape[0], bool)
  is_first[1:] = sorted_key[1:] != sorted_key[:-1]
  first = order[is_first]
  senders, receivers, weight = senders[first], receivers[first], weight[first]
  extras = {k: v[first] for k, v in extras.items()}
  if self_loops == "add":
    loops = np.arange(num_nodes)
    senders = np.concatenate([senders, loops])
    receivers = np.concatenate([receivers, loops])
    weight = np.concatenate([weight, np.ones(num_nodes, np.float32)])
    extras = {k: np.concatenate([v, np.zeros((num_nodes,) + v.shape[1:], v.dtype)])
              for k, v in extras.items()}
    order = np.lexsort((senders, receivers))
    senders, receivers, weight = senders[order], receivers[order], weight[order]
    extras = {k: v[order] for k, v in extras.items()}

  if node_features is None:
    x = np.zeros((num_nodes, 0), np.float32)
  else:
    x = np.asarray(node_features, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] != num_nodes:
      raise ValueError(f"node_features must have shape [{num_nodes}, F], got {x.shape}")
  nodes = {"x": x, "mask": np.ones(num_nodes, bool)}
  for k, v in (extra_nodes or {}).items():
    v = np.asarray(v)
    if v.shape[0] != num_nodes:
      raise ValueError(f"extra_nodes[{k!r}] has {v.shape[0]} rows for {num_nodes} nodes")
    nodes[k] = v
  edges = {"weight": weight.astype(np.float32), "mask": np.ones(senders.shape[0], bool), **extras}
  return jraph.GraphsTuple(
      nodes=nodes,
      edges=edges,
      senders=senders.astype(np.int32),
      receivers=receivers.astype(np.int32),
      n_node=np.array([num_nodes], np.int32),
      n_edge=np.array([senders.shape[0]], np.int32),
      globals={"mask": np.ones(1, bool)},
  )


def batch(graphs: Sequence[jraph.GraphsTuple]) -> jraph.GraphsTuple:
  """Concatenates graphs into one GraphsTuple (host side, numpy), as :func:`jraph.batch_np`."""
  if not graphs:
    raise ValueError("batch() needs at least one graph")
  return jraph.batch_np(list(graphs))


# ---------------------------------------------------------------------------------------------
# Padding (host side) and masks (jittable)
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PaddingBudget:
  """Static sizes a padded batch is padded to; one budget means one compilation.

  Attributes:
    n_node: total nodes including at least one padding node.
    n_edge: total edges including padding edges (and any slack reserved for edge adding).
    n_graph: total graphs including at least one padding graph.
  """
  n_node: int
  n_edge: int
  n_graph: int = 2

  def __post_init__(self):
    if self.n_node < 1 or self.n_edge < 0 or self.n_graph < 2:
      raise ValueError(f"invalid budget {self}: need n_node >= 1, n_edge >= 0, n_graph >= 2")

  @classmethod
  def rounded(cls, *, n_node: int, n_edge: int, n_graph: int, multiple: int = 1
              ) -> "PaddingBudget":
    """A budget with at least ``n_node`` / ``n_edge`` slots, each rounded up to ``multiple``.

    Rounding makes budgets of different datasets or batches coincide more often, so fewer
    distinct shapes are compiled. ``n_graph`` is kept as given.

    Raises:
      ValueError: if ``multiple < 1``, or the result is not a valid budget.
    """
    if multiple < 1:
      raise ValueError(f"multiple must be >= 1, got {multiple}")
    up = lambda v: int(math.ceil(int(v) / multiple) * multiple)
    return cls(n_node=up(n_node), n_edge=up(n_edge), n_graph=int(n_graph))


def budget_for(graph: jraph.GraphsTuple, *, edge_slack: int = 0, multiple: int = 1,
               extra_graphs: int = 1) -> PaddingBudget:
  """The smallest budget that fits ``graph`` plus one padding node and graph.

  Args:
    graph: an unpadded graph (or batch).
    edge_slack: extra edge slots reserved (e.g. for edge-adding augmentations).
    multiple: round node and edge counts up to a multiple of this (fewer distinct shapes).
    extra_graphs: padding graphs to add (at least 1).
  """
  return PaddingBudget.rounded(
      n_node=int(np.sum(graph.n_node)) + 1,
      n_edge=int(np.sum(graph.n_edge)) + int(edge_slack),
      n_graph=int(len(graph.n_node)) + max(1, extra_graphs),
      multiple=multiple,
  )


def pad_graph(graph: jraph.GraphsTuple, budget: PaddingBudget) -> jraph.GraphsTuple:
  """Pads ``graph`` to ``budget`` with :func:`jraph.pad_with_graphs` (host side).

  Padding nodes and edges get ``mask=False``, zero features and weights; padding edges connect
  the first padding node to itself.

  Raises:
    ValueError: when the graph does not fit the budget (the message gives the overflow).
  """
  graph = _ensure_masks(jax.device_get(graph))
  need_nodes = int(np.sum(graph.n_node)) + 1
  need_edges = int(np.sum(graph.n_edge))
  need_graphs = len(graph.n_node) + 1
  if need_nodes > budget.n_node or need_edges > budget.n_edge or need_graphs > budget.n_graph:
    raise ValueError(
        f"graph with {need_nodes - 1} nodes, {need_edges} edges, {need_graphs - 1} graphs does "
        f"not fit {budget} (one padding node and graph are always needed)")
  return jraph.pad_with_graphs(graph, budget.n_node, budget.n_edge, budget.n_graph)


def unpad_graph(graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
  """Removes the padding added by :func:`pad_graph` (host side), using the graph mask."""
  graph = jax.device_get(graph)
  g_mask = np.asarray(graph.globals["mask"])
  num_graphs = int(g_mask.sum())
  n_node = np.asarray(graph.n_node)[:num_graphs]
  n_edge = np.asarray(graph.n_edge)[:num_graphs]
  nn, ne = int(n_node.sum()), int(n_edge.sum())
  cut = lambda n: (lambda leaf: np.asarray(leaf)[:n])
  return jraph.GraphsTuple(
      nodes=jax.tree_util.tree_map(cut(nn), graph.nodes),
      edges=jax.tree_util.tree_map(cut(ne), graph.edges),
      senders=np.asarray(graph.senders)[:ne], receivers=np.asarray(graph.receivers)[:ne],
      n_node=n_node, n_edge=n_edge,
      globals=jax.tree_util.tree_map(cut(num_graphs), graph.globals),
  )


def _ensure_masks(graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
  """Adds all-True masks to a graph built without them (host side)."""
  nodes, edges, glob = graph.nodes, graph.edges, graph.globals
  if not isinstance(nodes, dict) or "mask" not in nodes:
    raise ValueError("graph.nodes must be a dict with 'x' and 'mask' (build it with "
                     "jgssl.graph.from_edge_index)")
  num_edges = int(np.asarray(graph.senders).shape[0])
  if edges is None:
    edges = {"weight": np.ones(num_edges, np.float32), "mask": np.ones(num_edges, bool)}
  if glob is None:
    glob = {"mask": np.ones(len(graph.n_node), bool)}
  return graph._replace(edges=edges, globals=glob)


def node_mask(graph: jraph.GraphsTuple) -> jnp.ndarray:
  """bool ``[N]``: nodes present (real and not dropped). Jittable."""
  return graph.nodes["mask"]


def edge_mask(graph: jraph.GraphsTuple) -> jnp.ndarray:
  """bool ``[E]``: edges present (real, not dropped) whose two end nodes are present. Jittable."""
  m = graph.nodes["mask"]
  return graph.edges["mask"] & m[graph.senders] & m[graph.receivers]


def graph_mask(graph: jraph.GraphsTuple) -> jnp.ndarray:
  """bool ``[G]``: real (non-padding) graphs. Jittable."""
  return graph.globals["mask"]


def num_real_nodes(graph: jraph.GraphsTuple) -> jnp.ndarray:
  """int32 scalar: number of nodes of real graphs (padding excluded, dropped nodes included)."""
  return jnp.sum(jnp.where(graph.globals["mask"], graph.n_node, 0))


def node_graph_index(graph: jraph.GraphsTuple) -> jnp.ndarray:
  """int32 ``[N]``: the graph each node belongs to (segment ids for readouts). Jittable."""
  num_nodes = graph.nodes["mask"].shape[0]
  return jnp.repeat(jnp.arange(graph.n_node.shape[0]), graph.n_node,
                    total_repeat_length=num_nodes)


#: Optional node key: int32 ``[N, K]`` column index of sparse features (the first layer's sparse
#: product, :mod:`jgssl.models.sparse`). It describes ``nodes['x']``: replace ``x`` with dense
#: values through :func:`with_node_features`, which drops it.
SPARSE_KEY = "x_cols"


def drop_sparse_features(graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
  """``graph`` without the optional ``nodes['x_cols']`` index (unchanged when it has none)."""
  if not isinstance(graph.nodes, dict) or SPARSE_KEY not in graph.nodes:
    return graph
  return graph._replace(nodes={k: v for k, v in graph.nodes.items() if k != SPARSE_KEY})


def with_node_features(graph: jraph.GraphsTuple, x) -> jraph.GraphsTuple:
  """``graph`` with ``nodes['x'] = x`` (``[N, F']``, e.g. hidden states or masked features) and
  without the sparse column index that described the old ``x``; other node fields are kept."""
  graph = drop_sparse_features(graph)
  return graph._replace(nodes={**graph.nodes, "x": x})


def zero_out_padding(graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
  """Zeroes every node / edge / global leaf on padding rows. Jittable.

  jgssl's replacement for :func:`jraph.zero_out_padding`, which calls the removed
  ``jax.tree_map`` on current JAX. Uses the padding structure (``n_node``, ``n_edge`` and the
  graph mask), not the augmentation masks, so dropped-but-real nodes keep their values.
  """
  g_mask = graph.globals["mask"]
  num_nodes = graph.nodes["mask"].shape[0]
  num_edges = graph.senders.shape[0]
  real_nodes = jnp.repeat(g_mask, graph.n_node, total_repeat_length=num_nodes)
  real_edges = jnp.repeat(g_mask, graph.n_edge, total_repeat_length=num_edges)

  def zero(mask):
    def f(leaf):
      m = mask.reshape(mask.shape + (1,) * (leaf.ndim - 1))
      return jnp.where(m, leaf, jnp.zeros_like(leaf))
    return f

  return graph._replace(
      nodes=jax.tree_util.tree_map(zero(real_nodes), graph.nodes),
      edges=jax.tree_util.tree_map(zero(real_edges), graph.edges),
      globals=jax.tree_util.tree_map(zero(g_mask), graph.globals),
  )


# ---------------------------------------------------------------------------------------------
# Degrees and normalisation (jittable)
# ---------------------------------------------------------------------------------------------


def degree(graph: jraph.GraphsTuple, *, direction: str = "in", weighted: bool = True) -> jnp.ndarray:
  """float32 ``[N]`` node degrees over present edges (``edge_mask``). Jittable.

  Args:
    graph: a (padded) graph.
    direction: ``'in'`` counts edges by receiver, ``'out'`` by sender.
    weighted: sum edge weights instead of counting edges.
  """
  if direction not in ("in", "out"):
    raise ValueError(f"direction must be 'in' or 'out', got {direction!r}")
  num_nodes = graph.nodes["mask"].shape[0]
  w = edge_mask(graph).astype(jnp.float32)
  if weighted:
    w = w * graph.edges["weight"]
  idx = graph.receivers if direction == "in" else graph.senders
  return jax.ops.segment_sum(w, idx, num_segments=num_nodes)


def symmetric_norm_weights(graph: jraph.GraphsTuple, *, add_self_loops: bool = True,
                           self_loop_weight: float = 1.0):
  """GCN normalisation ``D^-1/2 (A + w I) D^-1/2`` over present edges (Kipf & Welling, 2017).

  Jittable. Self-loops are not materialised as edges: their weight is returned separately so a
  GCN layer computes ``out = self_weight * h + sum_e edge_weight[e] * h[sender[e]]``.

  Args:
    graph: the (padded) graph; edge weights from ``edges['weight']``.
    add_self_loops: add the ``w I`` term (``False``: ``D^-1/2 A D^-1/2``).
    self_loop_weight: ``w`` (1; 2 is PyG's ``GCNConv(improved=True)`` and what MVGRL's official
      ``normalize_adj(adj + I)`` computes, as that function adds ``I`` once more).

  Returns:
    ``(edge_weight, self_weight)``: float32 ``[E]`` (0 on masked / padding edges) and float32
    ``[N]`` (``w / deg`` on present nodes with self-loops, else 0).
  """
  m = edge_mask(graph)
  w = jnp.where(m, graph.edges["weight"], 0.0)
  num_nodes = graph.nodes["mask"].shape[0]
  deg = jax.ops.segment_sum(w, graph.receivers, num_segments=num_nodes)
  present = graph.nodes["mask"]
  if add_self_loops:
    deg = deg + self_loop_weight * present.astype(jnp.float32)
  inv_sqrt = jnp.where(deg > 0, jax.lax.rsqrt(jnp.maximum(deg, 1e-12)), 0.0)
  edge_weight = inv_sqrt[graph.senders] * w * inv_sqrt[graph.receivers]
  self_weight = (jnp.where(present, self_loop_weight * inv_sqrt * inv_sqrt, 0.0) if add_self_loops
                 else jnp.zeros(num_nodes, jnp.float32))
  return edge_weight, self_weight

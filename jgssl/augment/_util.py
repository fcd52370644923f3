"""Internal helpers shared by the augmentation modules (not part of the public API).

Everything here is jittable unless it says otherwise and works on padded graphs in the
convention of :mod:`jgssl.graph`.
"""

from __future__ import annotations

import fractions
import numbers
from typing import Union

import jax
import jax.numpy as jnp
import jraph
import numpy as np

from jgssl import graph as jgraph

Rate = Union[float, jax.Array]


def is_static_number(value) -> bool:
  """True for Python / numpy scalars (values known at trace time)."""
  return isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, bool)


def check_rate(name: str, rate, *, upper: float = 1.0, upper_open: bool = False) -> None:
  """Raises ``ValueError`` unless a static ``rate`` lies in ``[0, upper]`` (or ``[0, upper)``).

  Traced rates (jax arrays inside ``jit``) cannot be checked and are accepted as they are.
  """
  if isinstance(rate, bool):
    raise ValueError(f"{name} must be a number, got the bool {rate!r}")
  if is_static_number(rate):
    value = float(rate)
    if not np.isfinite(value) or value < 0.0:
      raise ValueError(f"{name} must be a finite number >= 0, got {rate!r}")
    if upper_open and value >= upper:
      raise ValueError(f"{name} must be < {upper}, got {rate!r}")
    if value > upper:
      raise ValueError(f"{name} must be <= {upper}, got {rate!r}")
  elif isinstance(rate, (jax.Array, np.ndarray)):
    if np.ndim(rate) != 0:
      raise ValueError(f"{name} must be a scalar, got an array of shape {np.shape(rate)}")
  else:
    raise ValueError(f"{name} must be a number, got {type(rate).__name__}")


def check_graph(graph: jraph.GraphsTuple, *, needs_x: bool = False) -> None:
  """Raises ``ValueError`` when ``graph`` does not follow the jgssl convention."""
  if not isinstance(graph, jraph.GraphsTuple):
    raise ValueError(f"expected a jraph.GraphsTuple, got {type(graph).__name__}")
  if not isinstance(graph.nodes, dict) or "mask" not in graph.nodes:
    raise ValueError("graph.nodes must be a dict with 'mask' (and 'x'); build graphs with "
                     "jgssl.graph.from_edge_index and pad them with jgssl.graph.pad_graph")
  if needs_x and "x" not in graph.nodes:
    raise ValueError("graph.nodes has no 'x' node features")
  if not isinstance(graph.edges, dict) or "mask" not in graph.edges or "weight" not in graph.edges:
    raise ValueError("graph.edges must be a dict with 'weight' and 'mask' (pad the graph with "
                     "jgssl.graph.pad_graph, which adds them)")
  if not isinstance(graph.globals, dict) or "mask" not in graph.globals:
    raise ValueError("graph.globals must be a dict with 'mask' (pad the graph with "
                     "jgssl.graph.pad_graph, which adds it)")


def as_fraction(rate) -> fractions.Fraction:
  """A small-denominator rational equal to a static ``rate`` (exact for 0.1, 0.25, 1/3, ...).

  The denominator is bounded so that ``numerator * denominator < 2**31`` (no int32 overflow in
  :func:`floor_mul`).
  """
  if isinstance(rate, fractions.Fraction):
    frac = rate
  else:
    frac = fractions.Fraction(float(rate))
  max_den = max(1, int(2 ** 15 // max(1, int(np.ceil(float(frac))))))
  return frac.limit_denominator(max_den)


def floor_mul(rate, n: jax.Array) -> jax.Array:
  """int32 ``floor(rate * n)`` for integer arrays ``n >= 0``. Jittable.

  For a static ``rate`` (Python float or :class:`fractions.Fraction`) the product is computed in
  exact integer arithmetic on the rational closest to ``rate`` (see :func:`as_fraction`), so
  ``floor_mul(0.7, 10) == 7`` although ``0.7`` is not representable in float32 (Python's
  ``int(0.29 * 100) == 28`` is a float artefact that this avoids). A traced ``rate`` falls back to
  ``floor(rate * n)`` in float32.
  """
  n = jnp.asarray(n, jnp.int32)
  if isinstance(rate, fractions.Fraction) or is_static_number(rate):
    frac = as_fraction(rate)
    p, q = frac.numerator, frac.denominator
    return (n // q) * p + ((n % q) * p) // q
  return jnp.floor(jnp.asarray(rate, jnp.float32) * n.astype(jnp.float32)).astype(jnp.int32)


def num_graphs(graph: jraph.GraphsTuple) -> int:
  return graph.n_node.shape[0]


def num_nodes(graph: jraph.GraphsTuple) -> int:
  return graph.nodes["mask"].shape[0]


def num_edges(graph: jraph.GraphsTuple) -> int:
  return graph.senders.shape[0]


def node_graph_ids(graph: jraph.GraphsTuple) -> jax.Array:
  """int32 ``[N]``: graph of each node."""
  return jgraph.node_graph_index(graph)


def edge_graph_ids(graph: jraph.GraphsTuple) -> jax.Array:
  """int32 ``[E]``: graph each edge slot is accounted to by ``n_edge``."""
  return jnp.repeat(jnp.arange(num_graphs(graph)), graph.n_edge,
                    total_repeat_length=num_edges(graph))


def node_offsets(graph: jraph.GraphsTuple) -> jax.Array:
  """int32 ``[G]``: index of each graph's first node (exclusive cumulative sum of ``n_node``)."""
  n_node = jnp.asarray(graph.n_node, jnp.int32)
  return jnp.cumsum(n_node) - n_node


def real_nodes(graph: jraph.GraphsTuple) -> jax.Array:
  """bool ``[N]``: nodes that belong to real (non-padding) graphs, present or dropped."""
  return jnp.repeat(jnp.asarray(graph.globals["mask"]), graph.n_node,
                    total_repeat_length=num_nodes(graph))


def real_edges(graph: jraph.GraphsTuple) -> jax.Array:
  """bool ``[E]``: edge slots accounted to real graphs by ``n_edge``."""
  return jnp.repeat(jnp.asarray(graph.globals["mask"]), graph.n_edge,
                    total_repeat_length=num_edges(graph))


def eligible_nodes(graph: jraph.GraphsTuple) -> jax.Array:
  """bool ``[N]``: present nodes of real graphs (the only nodes augmentations may touch)."""
  return jnp.asarray(graph.nodes["mask"]) & real_nodes(graph)


def segment_count(mask: jax.Array, segment_ids: jax.Array, num_segments: int) -> jax.Array:
  """int32 ``[num_segments]``: number of True entries per segment."""
  return jax.ops.segment_sum(mask.astype(jnp.int32), segment_ids, num_segments=num_segments)


def random_rank(key: jax.Array, graph: jraph.GraphsTuple, eligible: jax.Array) -> jax.Array:
  """int32 ``[N]``: each eligible node's position in a uniformly random order of its graph.

  Eligible nodes of graph ``g`` get ranks ``0 .. c_g - 1`` (a uniformly random permutation,
  ``c_g`` their count); other nodes get ranks ``>= c_g``. Jittable and vmappable.
  """
  order = random_order(key, graph, eligible)
  n = num_nodes(graph)
  position = jnp.zeros(n, jnp.int32).at[order].set(jnp.arange(n, dtype=jnp.int32))
  return position - node_offsets(graph)[node_graph_ids(graph)]


def random_order(key: jax.Array, graph: jraph.GraphsTuple, eligible: jax.Array) -> jax.Array:
  """int32 ``[N]``: node indices sorted by graph, eligible nodes first in random order.

  Since each graph's nodes are contiguous, positions ``offset_g .. offset_g + c_g - 1`` of the
  result hold graph ``g``'s eligible nodes in uniformly random order.
  """
  n = num_nodes(graph)
  bits = jax.random.bits(key, (n,), jnp.uint32)
  return jnp.lexsort((bits, ~eligible, node_graph_ids(graph))).astype(jnp.int32)


def index_order(graph: jraph.GraphsTuple, eligible: jax.Array) -> jax.Array:
  """Like :func:`random_order`, but eligible nodes keep their index order (deterministic)."""
  return jnp.lexsort((~eligible, node_graph_ids(graph))).astype(jnp.int32)


def mask_edges_of_dropped_nodes(graph: jraph.GraphsTuple, keep_nodes: jax.Array
                                ) -> jraph.GraphsTuple:
  """Sets ``nodes['mask'] &= keep_nodes`` and masks every edge touching a removed node."""
  node_mask = jnp.asarray(graph.nodes["mask"]) & keep_nodes
  edge_mask = (jnp.asarray(graph.edges["mask"]) & node_mask[graph.senders]
               & node_mask[graph.receivers])
  return graph._replace(nodes={**graph.nodes, "mask": node_mask},
                        edges={**graph.edges, "mask": edge_mask})

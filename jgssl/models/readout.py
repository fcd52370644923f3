"""Graph readouts: pool node rows ``[N, D]`` into graph rows ``[G, D]`` over present nodes.

Plain jittable functions (no parameters). Each pools the rows of the nodes of each graph whose
``nodes['mask']`` is True (padding nodes and dropped nodes are left out), using
:func:`jgssl.graph.node_graph_index` as segment ids. Padding graphs (``globals['mask']`` False)
and graphs with no present node output 0; in particular :func:`max_readout` gives 0, not ``-inf``,
for them.
"""

from __future__ import annotations

from typing import Callable, Sequence, Union

import jax
import jax.numpy as jnp
import jraph

from jgssl import graph as graph_lib

__all__ = [
    "READOUTS",
    "concat_layer_readouts",
    "get_readout",
    "max_readout",
    "mean_readout",
    "sum_readout",
]

Array = jnp.ndarray
Readout = Callable[[Array, jraph.GraphsTuple], Array]


def _setup(h: Array, graph: jraph.GraphsTuple):
  h = jnp.asarray(h)
  num_nodes = graph.nodes["mask"].shape[0]
  if h.ndim != 2 or h.shape[0] != num_nodes:
    raise ValueError(f"readout expects node rows [N={num_nodes}, D], got shape {h.shape}")
  seg = graph_lib.node_graph_index(graph)
  num_graphs = graph.n_node.shape[0]
  present = graph.nodes["mask"]
  return h, seg, num_graphs, present


def _finish(out: Array, graph: jraph.GraphsTuple) -> Array:
  return jnp.where(graph.globals["mask"][:, None], out, jnp.zeros_like(out))


def sum_readout(h: Array, graph: jraph.GraphsTuple) -> Array:
  """Sum of present node rows per graph (GIN, GraphCL, InfoGraph pooling).

  Args:
    h: float ``[N, D]`` node rows of ``graph``.
    graph: the (padded) graph the rows belong to.

  Returns:
    float ``[G, D]``; 0 for padding graphs and graphs without present nodes.
  """
  h, seg, num_graphs, present = _setup(h, graph)
  h = jnp.where(present[:, None], h, jnp.zeros_like(h))
  return _finish(jax.ops.segment_sum(h, seg, num_segments=num_graphs), graph)


def mean_readout(h: Array, graph: jraph.GraphsTuple) -> Array:
  """Mean of present node rows per graph (DGI's summary before the sigmoid, GraphMAE default).

  Returns:
    float ``[G, D]``; 0 for padding graphs and graphs without present nodes.
  """
  h, seg, num_graphs, present = _setup(h, graph)
  h = jnp.where(present[:, None], h, jnp.zeros_like(h))
  total = jax.ops.segment_sum(h, seg, num_segments=num_graphs)
  count = jax.ops.segment_sum(present.astype(h.dtype), seg, num_segments=num_graphs)
  return _finish(total / jnp.maximum(count, 1.0)[:, None], graph)


def max_readout(h: Array, graph: jraph.GraphsTuple) -> Array:
  """Feature-wise maximum of present node rows per graph.

  Returns:
    float ``[G, D]``; 0 (not ``-inf``) for padding graphs and graphs without present nodes.
  """
  h, seg, num_graphs, present = _setup(h, graph)
  neg = jnp.asarray(-jnp.inf, h.dtype)
  out = jax.ops.segment_max(jnp.where(present[:, None], h, neg), seg, num_segments=num_graphs)
  count = jax.ops.segment_sum(present.astype(jnp.int32), seg, num_segments=num_graphs)
  out = jnp.where((count > 0)[:, None], out, jnp.zeros_like(out))
  return _finish(out, graph)


READOUTS = {"sum": sum_readout, "mean": mean_readout, "max": max_readout}


def get_readout(kind: Union[str, Readout]) -> Readout:
  """The readout named ``'sum'``, ``'mean'`` or ``'max'`` (a callable is returned unchanged)."""
  if callable(kind):
    return kind
  if kind not in READOUTS:
    raise ValueError(f"unknown readout {kind!r}; choose one of {sorted(READOUTS)}")
  return READOUTS[kind]


def concat_layer_readouts(layers: Sequence[Array], graph: jraph.GraphsTuple, *,
                          readout: Union[str, Readout] = "sum") -> Array:
  """Reads out every layer's node rows and concatenates them (GraphCL / InfoGraph graph vectors).

  Args:
    layers: per-layer node rows ``[N, D_l]`` (an encoder's ``return_layers=True`` output).
    graph: the graph the rows belong to.
    readout: ``'sum'`` (GraphCL, InfoGraph), ``'mean'``, ``'max'`` or a callable ``f(h, graph)``.

  Returns:
    float ``[G, sum_l D_l]``; 0 rows for padding graphs.
  """
  if hasattr(layers, "ndim") or len(layers) == 0:
    raise ValueError("layers must be a non-empty sequence of [N, D_l] arrays")
  fn = get_readout(readout)
  return jnp.concatenate([fn(h, graph) for h in layers], axis=-1)

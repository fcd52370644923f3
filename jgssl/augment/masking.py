"""GraphMAE's input masking with a learnable [MASK] token (Hou et al., KDD'22)."""

from __future__ import annotations

import fractions
from typing import Tuple

import jax
import jax.numpy as jnp
import jraph

from jgssl.augment import _util
from jgssl import graph as graph_lib

__all__ = ["graphmae_mask"]


def graphmae_mask(key: jax.Array, graph: jraph.GraphsTuple, *, rate: float,
                  mask_token: jax.Array, replace_rate: float = 0.0
                  ) -> Tuple[jraph.GraphsTuple, jax.Array]:
  """Masks node features as GraphMAE's ``encoding_mask_noise`` does, per graph.

  For every real graph with ``n`` present nodes, exactly ``M = floor(rate * n)`` uniformly chosen
  present nodes are *masked* (GraphMAE: ``int(mask_rate * num_nodes)``). Among them, in a second
  uniformly random order:

  * the first ``floor((1 - replace_rate) * M)`` rows are replaced by ``mask_token`` (GraphMAE
    zeroes them and adds ``enc_mask_token``);
  * the last ``floor(replace_rate * M)`` rows get the features of other present nodes of the same
    graph, drawn without replacement (possibly a masked node or the node itself, as GraphMAE's
    ``randperm(num_nodes)[:num_noise]`` may draw);
  * when ``replace_rate * M`` is not an integer the two floors leave one row over, which keeps
    its own features while still counting as masked — exactly as in the official code.

  With ``replace_rate = 0`` every masked row gets the token. Differences from the official code,
  all deliberate: counts are per graph (GraphMAE masks ``int(rate * total)`` nodes of the whole
  batched graph and draws replacement rows from any graph of the batch); floors are exact
  rational floors (Python's ``int(0.29 * 100) == 28``); and when ``0 < replace_rate`` but
  ``floor(replace_rate * M) == 0`` no row is replaced (GraphMAE's ``perm_mask[-0:]`` then selects
  *all* masked rows as noise rows, an upstream bug).

  ``mask_token`` is an argument so that it can be a model parameter: gradients flow into it
  through the token rows. Only ``nodes['x']`` changes (and the optional sparse column index
  ``nodes['x_cols']`` is removed: token rows are dense); structure and masks are kept.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
    rate: masking rate (GraphMAE ``mask_rate``) in ``[0, 1]``.
    mask_token: float ``[F]`` learnable [MASK] vector.
    replace_rate: fraction of masked rows that get another node's features, in ``[0, 1]``.

  Returns:
    ``(graph, masked)``: the graph with the new ``nodes['x']`` (``[N, F]``), and bool ``[N]``
    marking the masked rows (the rows GraphMAE's reconstruction loss is computed on; never
    padding or dropped nodes).

  Raises:
    ValueError: on rates outside ``[0, 1]`` or a ``mask_token`` that is not ``[F]``.
  """
  _util.check_rate("rate", rate)
  _util.check_rate("replace_rate", replace_rate)
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"])
  if x.ndim != 2:
    raise ValueError(f"graphmae_mask needs nodes['x'] of shape [N, F], got {x.shape}")
  mask_token = jnp.asarray(mask_token)
  if mask_token.shape != (x.shape[1],):
    raise ValueError(f"mask_token must have shape [F] = ({x.shape[1]},), got {mask_token.shape}")
  n_graph = _util.num_graphs(graph)
  eligible = _util.eligible_nodes(graph)
  gid = _util.node_graph_ids(graph)
  count = _util.segment_count(eligible, gid, n_graph)
  num_mask = _util.floor_mul(rate, count)
  k_mask, k_split, k_source = jax.random.split(key, 3)
  masked = eligible & (_util.random_rank(k_mask, graph, eligible) < num_mask[gid])

  replace_static = _util.is_static_number(replace_rate)
  if replace_static and float(replace_rate) == 0.0:
    token_rows = masked
    x_new = jnp.where(token_rows[:, None], mask_token[None, :].astype(x.dtype), x)
  else:
    if replace_static:
      token_frac = fractions.Fraction(1) - _util.as_fraction(replace_rate)
    else:
      token_frac = 1.0 - replace_rate
    num_token = _util.floor_mul(token_frac, num_mask)
    num_noise = _util.floor_mul(replace_rate, num_mask)
    rank = _util.random_rank(k_split, graph, masked)
    token_rows = masked & (rank < num_token[gid])
    noise_start = (num_mask - num_noise)[gid]
    noise_rows = masked & (rank >= noise_start)
    # The j-th noise row of graph g copies the j-th node of a random order of g's present nodes.
    source_order = _util.random_order(k_source, graph, eligible)
    j = jnp.clip(rank - noise_start, 0, None)
    source = source_order[jnp.clip(_util.node_offsets(graph)[gid] + j, 0, x.shape[0] - 1)]
    x_new = jnp.where(noise_rows[:, None], x[source], x)
    x_new = jnp.where(token_rows[:, None], mask_token[None, :].astype(x.dtype), x_new)
  # Token rows are dense: the sparse column index no longer covers x and is dropped.
  return graph_lib.with_node_features(graph, x_new), masked

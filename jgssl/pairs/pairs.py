"""Which rows are positives and which are negatives, kept apart from the objectives.

A contrastive objective scores *anchor* rows (e.g. nodes of view 1) against *key* rows (e.g. nodes
of view 2, or graph summaries) and needs to know, for each (anchor, key) pair, whether it is a
positive, a negative or neither. PyGCL (Zhu et al., "An Empirical Study of Graph Contrastive
Learning", NeurIPS 2021 Datasets and Benchmarks; PyGCL/PyGCL ``GCL/models/samplers.py``) showed
that keeping this *pairing* separate from the loss is the right cut, but it materialises dense
``[N, 2N]`` masks even when the structure is trivial. :class:`Pairs` describes the pairing instead:

* ``'same_row'`` — same-scale node–node or graph–graph: the positive of anchor ``i`` is key ``i``
  (GRACE, GraphCL, DCL, BGRL-style pairings); negatives are all other present keys.
* ``'segment'`` — cross-scale node–graph through segment ids (DGI, InfoGraph, MVGRL): the positive
  of node ``i`` is the summary of its own graph ``segment_ids[i]``; negatives are the other graphs'
  summaries (or, with ``other_graph_negatives=False``, none among the keys: the negatives then come
  from a corrupted view scored against :meth:`Pairs.positive_index`).
* ``'label'`` — supervised / class-aware pairings: anchor ``i`` and key ``j`` are positive when their
  integer labels agree (SupCon-style), without an ``[N, M]`` mask.
* ``'dense'`` — arbitrary pairings given as ``pos_mask`` / ``neg_mask`` ``[N, M]`` arrays.

Optionally (``intra_view=True``, GRACE) the other rows of the *anchor* view are negatives too (and,
for ``'label'``, positives when they share the label); self-pairs are never used.

Losses never need the whole mask: they ask for the masks of one tile of rows and columns
(:meth:`Pairs.tile_masks`, :meth:`Pairs.intra_tile_masks`), which for structured kinds costs
``O(tile)`` and no ``[N, M]`` array. :meth:`Pairs.dense_masks` materialises them for small problems
and for inspection.

Padding: a row whose mask is False (padding, or a node dropped by an augmentation) is never a
positive nor a negative, on either side. Row / column ids outside ``[0, N)`` / ``[0, M)`` (internal
padding of chunked losses) are treated the same way.

:class:`Pairs` is a JAX pytree (masks and codes are leaves; the kind and flags are static), so it
can be passed through ``jax.jit`` and replicated into ``jax.shard_map``.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "KINDS",
    "Pairs",
    "by_label",
    "cross_scale",
    "from_masks",
    "same_scale",
    "sample_negative_edges",
]

KINDS = ("same_row", "segment", "label", "dense")

_INT_MAX = np.iinfo(np.int32).max


def _take(values: jax.Array, ids: jax.Array, fill) -> jax.Array:
  """``values[ids]`` with ``fill`` wherever ``ids`` is outside ``[0, len(values))``."""
  n = values.shape[0]
  inside = (ids >= 0) & (ids < n)
  got = jnp.take(values, jnp.clip(ids, 0, max(n - 1, 0)), axis=0)
  return jnp.where(inside, got, jnp.asarray(fill, values.dtype))


def _codes(codes: Optional[jax.Array], ids: jax.Array) -> jax.Array:
  """The code of each id: the id itself when ``codes`` is None (identity pairing)."""
  if codes is None:
    return ids.astype(jnp.int32)
  return _take(codes, ids, -1)


def _count_matches(query: jax.Array, ref: jax.Array, ref_valid: jax.Array) -> jax.Array:
  """For each query code, how many valid refs share it. ``O((N + M) log M)``, no ``[N, M]``."""
  ref = jnp.where(ref_valid, ref.astype(jnp.int32), _INT_MAX)
  ref_sorted = jnp.sort(ref)
  query = query.astype(jnp.int32)
  count = (jnp.searchsorted(ref_sorted, query, side="right")
           - jnp.searchsorted(ref_sorted, query, side="left"))
  # Invalid refs were parked at INT_MAX: do not count them for a query that happens to be INT_MAX.
  num_parked = jnp.sum(~ref_valid)
  return jnp.where(query == _INT_MAX, count - num_parked, count)


@dataclasses.dataclass(frozen=True)
class Pairs:
  """A pairing of ``N`` anchor rows with ``M`` key rows (see the module docstring).

  Build it with :func:`same_scale`, :func:`cross_scale`, :func:`by_label` or :func:`from_masks`
  rather than directly.

  Attributes:
    kind: one of :data:`KINDS` (static).
    anchor_mask: bool ``[N]``, True for anchor rows that take part.
    key_mask: bool ``[M]``, True for key rows that take part.
    anchor_codes: int32 ``[N]`` or None. Anchor ``i`` and key ``j`` are positive when
      ``anchor_code(i) == key_code(j)``; ``None`` means the identity (code of row ``i`` is ``i``).
      Used by ``'same_row'`` (both None), ``'segment'`` (segment ids; keys identity) and
      ``'label'`` (labels).
    key_codes: int32 ``[M]`` or None, as above.
    pos_mask: bool ``[N, M]`` (``'dense'`` only).
    neg_mask: bool ``[N, M]`` (``'dense'`` only).
    intra_view: static; also pair each anchor with the other anchors of its own view (GRACE's
      intra-view negatives). Not available for ``'segment'`` and ``'dense'``.
    key_negatives: static; False when no key is a negative (all negatives come from elsewhere,
      e.g. a corrupted view).
  """
  kind: str
  anchor_mask: jax.Array
  key_mask: jax.Array
  anchor_codes: Optional[jax.Array] = None
  key_codes: Optional[jax.Array] = None
  pos_mask: Optional[jax.Array] = None
  neg_mask: Optional[jax.Array] = None
  intra_view: bool = False
  key_negatives: bool = True

  def __post_init__(self):
    if self.kind not in KINDS:
      raise ValueError(f"Pairs.kind must be one of {KINDS}, got {self.kind!r}")
    if self.intra_view and self.kind in ("segment", "dense"):
      raise ValueError(
          f"intra_view negatives are not defined for kind {self.kind!r}: for 'dense' pairings "
          "concatenate the key and anchor views and give [N, M + N] masks instead")

  # -- sizes ------------------------------------------------------------------------------------

  @property
  def num_anchors(self) -> int:
    """``N`` (static)."""
    return self.anchor_mask.shape[0]

  @property
  def num_keys(self) -> int:
    """``M`` (static)."""
    return self.key_mask.shape[0]

  # -- tiles ------------------------------------------------------------------------------------

  def tile_masks(self, row_ids: jax.Array, col_ids: jax.Array) -> Tuple[jax.Array, jax.Array]:
    """Positive and negative masks of anchors ``row_ids`` against keys ``col_ids``. Jittable.

    Args:
      row_ids: int ``[R]`` anchor indices; ids outside ``[0, N)`` are padding.
      col_ids: int ``[C]`` key indices; ids outside ``[0, M)`` are padding.

    Returns:
      ``(pos, neg)``, bool ``[R, C]`` each, disjoint, False on every padding / masked row or
      column.
    """
    row_ok = _take(self.anchor_mask, row_ids, False)
    col_ok = _take(self.key_mask, col_ids, False)
    valid = row_ok[:, None] & col_ok[None, :]
    if self.kind == "dense":
      r = jnp.clip(row_ids, 0, self.num_anchors - 1)[:, None]
      c = jnp.clip(col_ids, 0, self.num_keys - 1)[None, :]
      pos = self.pos_mask[r, c] & valid
      neg = self.neg_mask[r, c] & valid & ~pos
      return pos, neg
    a = _codes(self.anchor_codes, row_ids)
    k = _codes(self.key_codes, col_ids)
    pos = (a[:, None] == k[None, :]) & valid
    neg = (valid & ~pos) if self.key_negatives else jnp.zeros_like(pos)
    return pos, neg

  def intra_tile_masks(self, row_ids: jax.Array, col_ids: jax.Array
                       ) -> Tuple[jax.Array, jax.Array]:
    """Masks of anchors ``row_ids`` against other anchors ``col_ids`` of the same view. Jittable.

    Self-pairs (``row == col``) and padding are excluded. For ``'same_row'`` every other present
    anchor is a negative; for ``'label'`` anchors sharing the label are positives, the rest
    negatives.

    Returns:
      ``(pos, neg)``, bool ``[R, C]``.

    Raises:
      ValueError: if the pairing has no intra-view part (``intra_view=False``).
    """
    if not self.intra_view:
      raise ValueError("this pairing has intra_view=False: there are no intra-view pairs")
    row_ok = _take(self.anchor_mask, row_ids, False)
    col_ok = _take(self.anchor_mask, col_ids, False)
    valid = row_ok[:, None] & col_ok[None, :] & (row_ids[:, None] != col_ids[None, :])
    a = _codes(self.anchor_codes, row_ids)
    b = _codes(self.anchor_codes, col_ids)
    pos = (a[:, None] == b[None, :]) & valid
    return pos, valid & ~pos

  def dense_masks(self) -> Tuple[jax.Array, jax.Array]:
    """The full masks (``O(N·M)`` memory: for small problems, tests and inspection). Jittable.

    Returns:
      ``(pos_mask, neg_mask)``, bool ``[N, M]``; with ``intra_view`` ``[N, M + N]``, columns
      ``M..M+N-1`` being the anchors' own view (self-pairs False).
    """
    rows = jnp.arange(self.num_anchors)
    pos, neg = self.tile_masks(rows, jnp.arange(self.num_keys))
    if self.intra_view:
      ipos, ineg = self.intra_tile_masks(rows, rows)
      pos = jnp.concatenate([pos, ipos], axis=1)
      neg = jnp.concatenate([neg, ineg], axis=1)
    return pos, neg

  # -- per-row summaries ------------------------------------------------------------------------

  def row_mask(self, *, symmetric: bool = False) -> jax.Array:
    """bool ``[N]``: anchors that are present and have at least one positive. Jittable.

    Reduce per-row losses with ``masked_mean(rows, pairs.row_mask())``. For ``'label'`` the count
    is done by sorting (no ``[N, M]`` array).

    Args:
      symmetric: for losses averaging both directions row by row (``N == M``): rows that have a
        positive in both directions.
    """
    if symmetric:
      if self.num_anchors != self.num_keys:
        raise ValueError(f"a symmetric row mask needs N == M, got {self.num_anchors} anchors "
                         f"and {self.num_keys} keys")
      return self.row_mask() & self.transpose().row_mask()
    if self.kind == "same_row":
      return self.anchor_mask & self.key_mask
    if self.kind == "segment":
      return self.anchor_mask & _take(self.key_mask, self.anchor_codes, False)
    if self.kind == "dense":
      pos, _ = self.tile_masks(jnp.arange(self.num_anchors), jnp.arange(self.num_keys))
      return jnp.any(pos, axis=1)
    a = _codes(self.anchor_codes, jnp.arange(self.num_anchors))
    k = _codes(self.key_codes, jnp.arange(self.num_keys))
    count = _count_matches(a, k, self.key_mask)
    if self.intra_view:
      count = count + _count_matches(a, a, self.anchor_mask) - 1  # minus the anchor itself
    return self.anchor_mask & (count > 0)

  def positive_index(self) -> jax.Array:
    """int32 ``[N]``: the key index of each anchor's single positive. Jittable.

    Lets a loss score positives in ``O(N·d)`` (e.g. DGI's bilinear discriminator against the
    node's own summary). Entries of rows outside :meth:`row_mask` are meaningless.

    Raises:
      ValueError: for ``'label'`` / ``'dense'`` pairings (several positives per row).
    """
    if self.kind == "same_row":
      return jnp.arange(self.num_anchors, dtype=jnp.int32)
    if self.kind == "segment":
      return self.anchor_codes.astype(jnp.int32)
    raise ValueError(f"positive_index needs one positive per row; kind {self.kind!r} may have many")

  def transpose(self) -> "Pairs":
    """The same pairing seen from the keys: keys become anchors. Jittable.

    ``'same_row'`` and ``'label'`` swap sides (the intra-view part then refers to the key view);
    ``'segment'`` becomes a ``'label'`` pairing graph → its nodes (no intra-view part);
    ``'dense'`` transposes its masks.
    """
    if self.kind == "same_row":
      return dataclasses.replace(self, anchor_mask=self.key_mask, key_mask=self.anchor_mask)
    if self.kind == "label":
      return dataclasses.replace(self, anchor_mask=self.key_mask, key_mask=self.anchor_mask,
                                 anchor_codes=self.key_codes, key_codes=self.anchor_codes)
    if self.kind == "segment":
      return Pairs("label", anchor_mask=self.key_mask, key_mask=self.anchor_mask,
                   anchor_codes=jnp.arange(self.num_keys, dtype=jnp.int32),
                   key_codes=self.anchor_codes, intra_view=False,
                   key_negatives=self.key_negatives)
    return Pairs("dense", anchor_mask=self.key_mask, key_mask=self.anchor_mask,
                 pos_mask=self.pos_mask.T, neg_mask=self.neg_mask.T,
                 key_negatives=self.key_negatives)


jax.tree_util.register_dataclass(
    Pairs,
    data_fields=["anchor_mask", "key_mask", "anchor_codes", "key_codes", "pos_mask", "neg_mask"],
    meta_fields=["kind", "intra_view", "key_negatives"])


# ---------------------------------------------------------------------------------------------
# Constructors
# ---------------------------------------------------------------------------------------------


def _bool_vector(name: str, value) -> jax.Array:
  value = jnp.asarray(value)
  if value.ndim != 1:
    raise ValueError(f"{name} must be a 1-D bool mask, got shape {value.shape}")
  if value.dtype != jnp.bool_:
    raise ValueError(f"{name} must have dtype bool, got {value.dtype}")
  return value


def _int_vector(name: str, value, length: int) -> jax.Array:
  value = jnp.asarray(value)
  if value.ndim != 1 or value.shape[0] != length:
    raise ValueError(f"{name} must have shape [{length}], got {value.shape}")
  if not jnp.issubdtype(value.dtype, jnp.integer):
    raise ValueError(f"{name} must hold integers, got dtype {value.dtype}")
  return value.astype(jnp.int32)


def same_scale(mask, key_mask=None, *, intra_view: bool = False) -> Pairs:
  """Same-scale pairing (node–node or graph–graph): the positive of row ``i`` is row ``i``.

  Negatives of anchor ``i`` are all other present rows of the key view and, with
  ``intra_view=True``, all other present rows of the anchor's own view (GRACE, Zhu et al. 2020;
  DCL, Yeh et al. 2022). Without it the pairing is GraphCL's cross-view one (You et al. 2020).

  Args:
    mask: bool ``[N]``, rows present in the anchor view (and in the key view when ``key_mask`` is
      None).
    key_mask: bool ``[N]``, rows present in the key view; a row missing from either view has no
      positive and is nobody's negative in that view.
    intra_view: also use the anchor view's other rows as negatives.

  Returns:
    A ``'same_row'`` :class:`Pairs`.

  Raises:
    ValueError: on non-boolean masks or masks of different lengths.
  """
  mask = _bool_vector("mask", mask)
  key_mask = mask if key_mask is None else _bool_vector("key_mask", key_mask)
  if key_mask.shape != mask.shape:
    raise ValueError(f"same-scale pairing needs equally long masks, got {mask.shape[0]} anchor "
                     f"rows and {key_mask.shape[0]} key rows")
  return Pairs("same_row", anchor_mask=mask, key_mask=key_mask, intra_view=intra_view)


def cross_scale(segment_ids, *, node_mask, graph_mask,
                other_graph_negatives: bool = True) -> Pairs:
  """Cross-scale node–graph pairing through segment ids (DGI, InfoGraph, MVGRL).

  Anchors are nodes, keys are graph summaries. Node ``i``'s positive is its own graph
  ``segment_ids[i]`` (Veličković et al. 2019; Sun et al. 2020; Hassani & Khasahmadi 2020). Its
  negatives are the other present graphs of the batch (InfoGraph / MVGRL graph level). With
  ``other_graph_negatives=False`` no key is a negative: the negatives come from a corrupted view
  (DGI: shuffled features), scored against ``pairs.positive_index()``.

  Args:
    segment_ids: int ``[N]``, graph of each node (``jgssl.graph.node_graph_index``).
    node_mask: bool ``[N]``, present nodes.
    graph_mask: bool ``[G]``, present graphs (padding graphs False).
    other_graph_negatives: whether the other graphs' summaries are negatives.

  Returns:
    A ``'segment'`` :class:`Pairs` with ``N`` anchors and ``G`` keys.
  """
  node_mask = _bool_vector("node_mask", node_mask)
  graph_mask = _bool_vector("graph_mask", graph_mask)
  segment_ids = _int_vector("segment_ids", segment_ids, node_mask.shape[0])
  return Pairs("segment", anchor_mask=node_mask, key_mask=graph_mask, anchor_codes=segment_ids,
               key_negatives=other_graph_negatives)


def by_label(labels, key_labels=None, *, mask, key_mask=None,
             intra_view: bool = False) -> Pairs:
  """Supervised pairing: anchor ``i`` and key ``j`` are positive iff their labels agree.

  The pairing of supervised contrastive learning (Khosla et al. 2020), built from label vectors
  so no ``[N, M]`` mask is stored. Everything else present is a negative.

  Args:
    labels: int ``[N]`` anchor labels.
    key_labels: int ``[M]`` key labels; None reuses ``labels`` (two views of the same rows).
    mask: bool ``[N]``, present anchors.
    key_mask: bool ``[M]``, present keys; None reuses ``mask``.
    intra_view: also pair anchors with the other anchors of their own view (same label: positive).

  Returns:
    A ``'label'`` :class:`Pairs`.
  """
  mask = _bool_vector("mask", mask)
  key_mask = mask if key_mask is None else _bool_vector("key_mask", key_mask)
  labels = _int_vector("labels", labels, mask.shape[0])
  key_labels = labels if key_labels is None else _int_vector("key_labels", key_labels,
                                                             key_mask.shape[0])
  return Pairs("label", anchor_mask=mask, key_mask=key_mask, anchor_codes=labels,
               key_codes=key_labels, intra_view=intra_view)


def from_masks(pos_mask, neg_mask=None, *, anchor_mask=None, key_mask=None) -> Pairs:
  """Arbitrary pairing from dense masks (``O(N·M)`` memory).

  Args:
    pos_mask: bool ``[N, M]``, positives.
    neg_mask: bool ``[N, M]``, negatives; None means every non-positive pair. Pairs marked both
      positive and negative count as positive.
    anchor_mask: bool ``[N]``; None means all anchors present.
    key_mask: bool ``[M]``; None means all keys present.

  Returns:
    A ``'dense'`` :class:`Pairs`.
  """
  pos_mask = jnp.asarray(pos_mask)
  if pos_mask.ndim != 2 or pos_mask.dtype != jnp.bool_:
    raise ValueError(f"pos_mask must be a bool [N, M] array, got {pos_mask.dtype} "
                     f"{pos_mask.shape}")
  n, m = pos_mask.shape
  if neg_mask is None:
    neg_mask = ~pos_mask
  neg_mask = jnp.asarray(neg_mask)
  if neg_mask.shape != pos_mask.shape or neg_mask.dtype != jnp.bool_:
    raise ValueError(f"neg_mask must be a bool array of shape {pos_mask.shape}, got "
                     f"{neg_mask.dtype} {neg_mask.shape}")
  anchor_mask = (jnp.ones(n, bool) if anchor_mask is None
                 else _bool_vector("anchor_mask", anchor_mask))
  key_mask = jnp.ones(m, bool) if key_mask is None else _bool_vector("key_mask", key_mask)
  if anchor_mask.shape[0] != n or key_mask.shape[0] != m:
    raise ValueError(f"masks of length {anchor_mask.shape[0]} / {key_mask.shape[0]} do not match "
                     f"pos_mask of shape {pos_mask.shape}")
  return Pairs("dense", anchor_mask=anchor_mask, key_mask=key_mask, pos_mask=pos_mask,
               neg_mask=neg_mask)


# ---------------------------------------------------------------------------------------------
# Negative sampling for link reconstruction
# ---------------------------------------------------------------------------------------------


def _kth_valid(cum_valid: jax.Array, k: jax.Array) -> jax.Array:
  """Index of the ``k``-th (0-based) True entry, given the inclusive cumsum of the mask."""
  return jnp.searchsorted(cum_valid, k + 1, side="left").astype(jnp.int32)


def sample_negative_edges(key: jax.Array, node_mask, *, num_samples: int,
                          segment_ids=None, num_graphs: Optional[int] = None
                          ) -> Tuple[jax.Array, jax.Array, jax.Array]:
  """Uniformly sampled node pairs as negatives for link reconstruction (GAE with sampling).

  Senders are drawn uniformly among present nodes; receivers uniformly among present nodes (of
  the sender's graph when ``segment_ids`` is given, as for batched graphs). Like PyG's sampled
  GAE objective this is a different estimator from the official dense GAE loss (Kipf &
  Welling, "Variational Graph Auto-Encoders", NIPS 2016 workshop; tkipf/gae
  ``gae/optimizer.py``: weighted BCE over all N² entries); unlike PyG, existing edges are not
  rejected (with probability about the edge density a sample is a true edge). Self pairs are
  returned as invalid. Static shapes: ``O(N log N)``, no ``[N, N]`` array. Jittable.

  Args:
    key: a ``jax.random`` key.
    node_mask: bool ``[N]``, present nodes.
    num_samples: number of pairs ``S`` (static).
    segment_ids: optional int ``[N]`` graph of each node, non-decreasing (jraph's layout, as
      :func:`jgssl.graph.node_graph_index` gives).
    num_graphs: number of graphs ``G`` (static), required with ``segment_ids``.

  Returns:
    ``(senders, receivers, valid)``: int32 ``[S]``, int32 ``[S]``, bool ``[S]``; ``valid`` is False
    for self pairs and when there are no present nodes.
  """
  node_mask = _bool_vector("node_mask", node_mask)
  if num_samples < 0:
    raise ValueError(f"num_samples must be >= 0, got {num_samples}")
  cum = jnp.cumsum(node_mask.astype(jnp.int32))
  num_valid = cum[-1] if node_mask.shape[0] else jnp.int32(0)
  k_send, k_recv = jax.random.split(key)
  u_send = jax.random.uniform(k_send, (num_samples,))
  u_recv = jax.random.uniform(k_recv, (num_samples,))
  rank = jnp.minimum(jnp.floor(u_send * num_valid).astype(jnp.int32),
                     jnp.maximum(num_valid - 1, 0))
  senders = _kth_valid(cum, rank)
  if segment_ids is None:
    r_rank = jnp.minimum(jnp.floor(u_recv * num_valid).astype(jnp.int32),
                         jnp.maximum(num_valid - 1, 0))
  else:
    if num_graphs is None:
      raise ValueError("num_graphs is required together with segment_ids")
    segment_ids = _int_vector("segment_ids", segment_ids, node_mask.shape[0])
    per_graph = jax.ops.segment_sum(node_mask.astype(jnp.int32), segment_ids, num_graphs)
    offset = jnp.cumsum(per_graph) - per_graph
    g = _take(segment_ids, senders, 0)
    count = per_graph[g]
    r_rank = offset[g] + jnp.minimum(jnp.floor(u_recv * count).astype(jnp.int32),
                                     jnp.maximum(count - 1, 0))
  receivers = _kth_valid(cum, r_rank)
  valid = (num_valid > 0) & (senders != receivers)
  return senders, receivers, valid

"""Local–global discrimination: :class:`LocalGlobal`, and its recipes :func:`dgi`, :func:`mvgrl`,
:func:`infograph`.

The skeleton of the mutual-information methods that score *local* rows (node representations)
against *global* summaries (graph representations, a readout of the node rows). A discriminator
must tell a node's pairing with its own graph's summary from negative pairings, which come from
either

* a **corruption** of the graph (DGI, MVGRL node level): the same encoder on a corrupted graph
  (e.g. node features shuffled across nodes, :func:`jgssl.augment.shuffle_features`) gives
  negative rows, scored against the clean summary; the objective takes the positive and the
  negative logits (:func:`jgssl.losses.dgi_bce_loss`, :func:`jgssl.losses.jsd_mi_loss`); or
* the **other graphs of the batch** (InfoGraph): every (node, graph) pair of a padded batch is
  scored, a node and its own graph are positive, a node and any other graph negative
  (:func:`jgssl.pairs.cross_scale`); the objective takes the score matrix and the pairing
  (:func:`jgssl.losses.jsd_mi_pairs_loss`).

An encoder may return several **views** of the same nodes (MVGRL: an adjacency and a diffusion
view, :class:`MVGRLEncoder`); with ``cross_view`` each view's summary scores the *other* view's
rows. Precomputed per-graph data (MVGRL's ``N × N`` diffusion) is the method's side input
(``prepare``), never a variable; a ``sampler`` trains on sub-graphs (MVGRL's windows).
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
import operator
from typing import Any, Callable, Optional, Sequence, Tuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import jraph
import numpy as np

from jgssl import augment, losses, models, pairs
from jgssl import graph as graph_lib
from jgssl.methods.base import glorot_reinit
from jgssl.methods.fields import (NON_NEGATIVE, POSITIVE_INT, RATE, WIDTHS, Check, check_value,
                                  hyper, one_of, optional, validate)

__all__ = [
    "DiffusionSide",
    "LocalGlobal",
    "MVGRLEncoder",
    "Windows",
    "dgi",
    "infograph",
    "mvgrl",
    "ppr_view",
    "sigmoid_mean_readout",
    "window_coverage",
]


def sigmoid_mean_readout(h: jax.Array, graph: jraph.GraphsTuple) -> jax.Array:
  """DGI's summary ``σ(mean_i h_i)`` of every graph over its present nodes: ``[G, D]``."""
  return jax.nn.sigmoid(models.mean_readout(h, graph))


class _Network(nn.Module):
  """Encoder, optional heads and discriminator; the submodules are named after the fields.

  Rows are ``[V, N, D]`` (``V`` views; an encoder's ``[N, D]`` is one view, a list of layers
  ``[N, D_l]`` is one view, their concatenation), summaries ``[V, G, D]``.
  """
  encoder: nn.Module
  discriminator: Optional[nn.Module]
  local_head: Optional[nn.Module]
  global_head: Optional[nn.Module]
  readout: Callable
  cross_view: bool

  def _rows(self, graph, training):
    h = self.encoder(graph, training=training)
    if isinstance(h, (list, tuple)):
      h = jnp.concatenate(h, axis=-1)
    h = h[None] if h.ndim == 2 else h
    if self.cross_view and h.shape[0] != 2:
      raise ValueError(f"cross_view needs an encoder returning two views [2, N, D], got rows of "
                       f"shape {h.shape}")
    return h

  def _local(self, h, graph, training):
    """Local rows through the local head, in the order the summaries score them."""
    if self.local_head is not None:
      h = jnp.stack([self.local_head(v, mask=graph.nodes["mask"], training=training)
                     for v in h])
    return h[::-1] if self.cross_view else h  # summary of view v scores the other view's rows

  def _summaries(self, h, graph):
    return jnp.stack([self.readout(v, graph) for v in h])

  def _global(self, h, graph, training):
    """Summaries through the global head."""
    s = self._summaries(h, graph)
    if self.global_head is not None:
      s = jnp.stack([self.global_head(v, mask=graph.globals["mask"], training=training)
                     for v in s])
    return s

  def _own(self, h, s, graph):
    """``[V, N]``: every row against its own graph's summary."""
    gid = graph_lib.node_graph_index(graph)
    if self.discriminator is None:
      return jnp.sum(h * s[:, gid], axis=-1)
    return jnp.stack([self.discriminator(hv, sv, segment_ids=gid) for hv, sv in zip(h, s)])

  def __call__(self, graph, corrupted, *, training: bool = True):
    """Positive and negative logits ``[V, N]`` (negatives: rows of ``corrupted``)."""
    h = self._rows(graph, training)
    s = self._global(h, graph, training)
    pos = self._own(self._local(h, graph, training), s, graph)
    neg = self._own(self._local(self._rows(corrupted, training), corrupted, training), s, graph)
    return pos, neg

  def scores(self, graph, *, training: bool = True):
    """``[V, N, G]``: every row against every graph's summary."""
    h = self._rows(graph, training)
    s = self._global(h, graph, training)
    local = self._local(h, graph, training)
    if self.discriminator is None:
      return jnp.stack([hv @ sv.T for hv, sv in zip(local, s)])
    return jnp.stack([self.discriminator(hv, sv) for hv, sv in zip(local, s)])

  def embed_nodes(self, graph):
    h = functools.reduce(operator.add, self._rows(graph, False))
    return jnp.where(graph.nodes["mask"][:, None], h, 0.0)

  def embed_graphs(self, graph):
    return functools.reduce(operator.add, self._summaries(self._rows(graph, False), graph))


def _with_side(graph: jraph.GraphsTuple, side) -> jraph.GraphsTuple:
  return graph._replace(nodes={**graph.nodes, **side.get("nodes", {})},
                        edges={**graph.edges, **side.get("edges", {})})


@dataclasses.dataclass(frozen=True, kw_only=True)
class LocalGlobal:
  """Local–global discriminator (DGI, MVGRL, InfoGraph), a :class:`jgssl.methods.Method`.

  One step (module docstring): the encoder's rows ``h`` of ``graph``, their summaries
  ``s = readout(h)`` per graph (through ``global_head``), the rows (through ``local_head``)
  scored against the summaries by ``discriminator``, and ``objective`` over the scores:

  * with a ``corruption``: ``objective(pos, neg, *, pos_where, neg_where)`` on the logits of
    each present row against its own graph's summary, ``pos`` for the rows of ``graph`` and
    ``neg`` for the rows of ``corruption(key, graph)`` (flattened over views and sub-graphs);
  * without (``corruption=None``, in-batch negatives): ``objective(scores, *, pairs)`` on the
    ``[N, G]`` scores of all pairs with ``pairs.cross_scale`` (own graph positive, the other
    graphs of the batch negative), summed over views.

  The encoder runs in training mode and its mutable collections (``'batch_stats'``) are updated
  by the clean graph, then the corrupted one. Embeddings (evaluation mode): the rows summed over
  views, zero on absent nodes (``level='node'``), or the readouts (without the global head)
  summed over views, one row per graph slot (``level='graph'``).

  Padding: only present nodes' logits (``nodes['mask']``) and present graphs (``globals['mask']``,
  in-batch pairs) enter the objective, so the loss does not depend on the amount of padding;
  node embeddings are zero on absent nodes, graph embeddings are the readout's (zero) rows on
  padding graphs.

  Attributes:
    encoder: a Flax module ``(graph, *, training=False)`` returning rows ``[N, D]``, a list of
      per-layer rows ``[N, D_l]`` (``return_layers=True``; their concatenation is the local
      vector, as InfoGraph) or views ``[V, N, D]`` (:class:`MVGRLEncoder`).
    discriminator: a Flax module scoring rows against summaries: called as ``(h [N, D],
      s [G, D], segment_ids=[N])`` it returns each row's logit against ``s[segment_ids[i]]``
      ``[N]`` (:class:`jgssl.models.Bilinear`); with in-batch negatives it is called without
      ``segment_ids`` and must return ``[N, G]``. ``None``: the inner product ``h · s``.
    readout: ``(rows [N, D], graph) -> [G, D]`` summaries over present nodes
      (:func:`sigmoid_mean_readout`, :func:`jgssl.models.sum_readout`).
    corruption: an augmentation ``(key, graph) -> graph`` giving the negatives' graph
      (:func:`jgssl.augment.shuffle_features`), or ``None`` for in-batch negatives.
    objective: the loss over the scores, with the signature of the negatives' kind (above).
    local_head, global_head: optional Flax modules ``(rows, *, mask, training) -> rows`` applied to
      the local rows and to the summaries before scoring (InfoGraph's ``FF`` blocks,
      :class:`jgssl.models.Projector`).
    cross_view: the encoder returns two views and each view's summary scores the other view's
      rows (MVGRL); otherwise each view's own.
    level: ``'node'`` or ``'graph'``: what :meth:`embed` returns and what the trainer feeds.
    prepare: optional ``graph -> side``, the per-graph data the encoder reads (computed once by
      the trainer, passed as ``side=``; never in the variables or checkpoints): a dict with
      ``'nodes'`` and / or ``'edges'`` dicts of arrays that are merged into the graph's node and
      edge fields before encoding (:class:`DiffusionSide`).
    sampler: optional ``(key, graph) -> graphs`` drawing sub-graphs stacked on a leading axis
      (:class:`Windows`); each step then scores the sub-graphs one after the other
      (:func:`jax.lax.map`: memory for one sub-graph's activations; one corruption key for all),
      the objective sees all their logits together and mutable collections get the mean of the
      sub-graphs' updates. Needs a ``corruption``.
    reinit: optional ``(key, params) -> params`` re-initialisation after Flax's init
      (:func:`jgssl.methods.glorot_reinit`, InfoGraph's ``init_emb``).
  """
  encoder: nn.Module
  discriminator: Optional[nn.Module] = None
  readout: Callable = sigmoid_mean_readout
  corruption: Optional[Callable] = augment.shuffle_features
  objective: Callable = losses.dgi_bce_loss
  local_head: Optional[nn.Module] = None
  global_head: Optional[nn.Module] = None
  cross_view: bool = hyper(False, one_of(False, True))
  level: str = hyper("node", one_of("node", "graph"))
  prepare: Optional[Callable] = None
  sampler: Optional[Callable] = None
  reinit: Optional[Callable] = None

  def __post_init__(self):
    validate(self)
    for name in ("readout", "corruption", "objective", "prepare", "sampler", "reinit"):
      value = getattr(self, name)
      if value is not None and not callable(value):
        raise ValueError(f"LocalGlobal.{name} must be callable or None, got "
                         f"{type(value).__name__}")
    if self.sampler is not None and self.corruption is None:
      raise ValueError("LocalGlobal.sampler needs a corruption: in-batch negatives score the "
                       "graphs of one batch")

  def _net(self) -> _Network:
    return _Network(encoder=self.encoder, discriminator=self.discriminator,
                    local_head=self.local_head, global_head=self.global_head,
                    readout=self.readout, cross_view=self.cross_view)

  def _inputs(self, graph, side):
    if self.prepare is None:
      return graph
    if side is None:
      raise ValueError("this LocalGlobal has a prepare step: pass side=method.prepare(graph) "
                       "(jgssl.methods.contract.prepare_side) to loss and embed")
    return _with_side(graph, side)

  def init(self, key, graph):
    """Variables for graphs shaped like ``graph`` (the side input only lends its shapes)."""
    if self.prepare is not None:
      shapes = jax.eval_shape(self.prepare, graph)
      graph = _with_side(graph, jax.tree_util.tree_map(lambda a: jnp.zeros(a.shape, a.dtype),
                                                       shapes))
    k_init, k_reinit = jax.random.split(key) if self.reinit is not None else (key, None)
    if self.corruption is None:
      variables = dict(self._net().init(k_init, graph, training=False, method=_Network.scores))
    else:
      variables = dict(self._net().init(k_init, graph, graph, training=False))
    if self.reinit is not None:
      variables["params"] = self.reinit(k_reinit, variables["params"])
    return variables

  def _apply(self, variables, *args, method):
    mutable = [c for c in variables if c != "params"]
    return self._net().apply(variables, *args, training=True, method=method, mutable=mutable)

  def _logits(self, variables, key, graph):
    """``((pos, neg, where) [V, N] each, updates)`` with negatives from the corruption."""
    (pos, neg), updates = self._apply(variables, graph, self.corruption(key, graph),
                                      method=_Network.__call__)
    return (pos, neg, jnp.broadcast_to(graph.nodes["mask"], pos.shape)), updates

  def loss(self, variables, key, graph, *, side=None):
    graph = self._inputs(graph, side)
    if self.corruption is None:
      del key  # deterministic
      scores, updates = self._apply(variables, graph, method=_Network.scores)
      pairing = pairs.cross_scale(graph_lib.node_graph_index(graph),
                                  node_mask=graph.nodes["mask"], graph_mask=graph.globals["mask"])
      terms = [self.objective(s, pairs=pairing) for s in scores]
      return functools.reduce(operator.add, terms), {"updates": dict(updates)}
    if self.sampler is None:
      (pos, neg, where), updates = self._logits(variables, key, graph)
    else:
      k_sample, key = jax.random.split(key)
      (pos, neg, where), updates = jax.lax.map(lambda g: self._logits(variables, key, g),
                                               self.sampler(k_sample, graph))
      updates = jax.tree_util.tree_map(lambda a: jnp.mean(a, axis=0), updates)
    flat = lambda a: a.reshape(-1)
    loss = self.objective(flat(pos), flat(neg), pos_where=flat(where), neg_where=flat(where))
    return loss, {"updates": dict(updates)}

  def embed(self, variables, graph, *, side=None):
    """``[N, D]`` node rows (summed over views) or, at graph level, ``[G, D]`` summaries."""
    graph = self._inputs(graph, side)
    method = _Network.embed_graphs if self.level == "graph" else _Network.embed_nodes
    return self._net().apply(variables, graph, method=method)


# ---------------------------------------------------------------------------------------------
# DGI
# ---------------------------------------------------------------------------------------------


def dgi(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (512,),
        activation: str = "prelu", discriminator_init: str = "torch") -> LocalGlobal:
  """Deep Graph Infomax (Veličković et al., ICLR 2019): :class:`LocalGlobal` with DGI's parts.

  Official code PetarV-/DGI (``execute.py``, ``models/dgi.py``, ``layers/discriminator.py``):
  ``H = E(X, A)`` with a one-layer GCN (512, PReLU); negatives ``E(X[perm], A)`` encode the
  row-shuffled features on the unchanged graph (:func:`jgssl.augment.shuffle_features`, per
  graph, present nodes only); the summary ``s = σ(mean_i h_i)``; a bilinear discriminator
  ``D(h, s) = h W s + b`` (:class:`jgssl.models.Bilinear`); binary cross-entropy of real (1)
  against corrupted (0) logits (:func:`jgssl.losses.dgi_bce_loss`). Embeddings: ``H`` on the
  clean graph. ``execute.py``'s early stopping (patience 20 on the training loss, best-loss
  parameters restored) is :class:`jgssl.train.EarlyStopping`, a fit hook.

  Args:
    encoder: ``None`` builds DGI's GCN from ``features`` and ``activation``.
    features: GCN widths (``hid_units``).
    activation: the default encoder's activation (``nonlinearity``).
    discriminator_init: ``'torch'`` (``weights_init``: ``xavier_uniform_`` on
      ``nn.Bilinear``'s ``[1, D, D]`` weight) or ``'glorot'`` (:class:`jgssl.models.Bilinear`).
  """
  if encoder is None:
    encoder = models.GCN(features=check_value("dgi: features", features, WIDTHS),
                         activation=activation)
  init = check_value("dgi: discriminator_init", discriminator_init,
                     one_of(*models.BILINEAR_INITS))
  return LocalGlobal(encoder=encoder, discriminator=models.Bilinear(weight_init=init))


# ---------------------------------------------------------------------------------------------
# MVGRL (node level)
# ---------------------------------------------------------------------------------------------


def window_coverage(num_nodes: int, *, sample_size: Optional[int] = 2000) -> np.ndarray:
  """How often MVGRL's window sampler trains on each node: ``[num_nodes]`` in ``(0, 1]``.

  :class:`Windows` (and the official ``node/train.py``) draws window starts ``o`` uniformly from
  ``0 .. N − s`` and trains on nodes ``[o, o + s)``. Node ``i`` lies in a window for
  ``min(i, N − s) − max(0, i − s + 1) + 1`` of the ``N − s + 1`` starts, so the first and last
  ``N − s`` nodes are covered less often than the middle ones; the entries sum to ``s`` (the
  expected nodes per window). Exact, no sampling.

  Args:
    num_nodes: real nodes ``N`` (in the order the sampler sees them).
    sample_size: window length ``s``; ``None`` or ``s >= N`` means full-graph steps (all ones).

  Returns:
    float64 ``[num_nodes]``: per node, the fraction of windows containing it.

  Raises:
    ValueError: if ``num_nodes < 1`` or ``sample_size < 1``.
  """
  if num_nodes < 1:
    raise ValueError(f"num_nodes must be >= 1, got {num_nodes}")
  if sample_size is not None and sample_size < 1:
    raise ValueError(f"sample_size must be >= 1 or None, got {sample_size}")
  if sample_size is None or sample_size >= num_nodes:
    return np.ones(num_nodes)
  starts = num_nodes - sample_size + 1
  i = np.arange(num_nodes)
  hits = np.minimum(i, num_nodes - sample_size) - np.maximum(0, i - sample_size + 1) + 1
  return hits / starts


def ppr_view(graph, *, alpha: float = 0.2, epsilon: Optional[object] = None,
             minmax: bool = False) -> jax.Array:
  """MVGRL's dense PPR diffusion over the node slots of a (padded) graph. Jittable.

  ``S = α (I − (1 − α) D^-1/2 (A + I) D^-1/2)^-1`` over the present nodes and edges (edge weights
  included), as MVGRL's ``compute_ppr`` (kavehhassani/mvgrl ``utils.py``) and
  :func:`jgssl.augment.ppr_matrix`; rows and columns of absent nodes (padding) are 0. Dense
  ``O(N²)`` memory and an ``O(N³)`` solve.

  Args:
    graph: a graph in the jgssl convention.
    alpha: PPR teleport probability (0.2).
    epsilon: keep entries ``>= epsilon``; ``'auto'`` applies MVGRL's CiteSeer rule (the value of
      :data:`jgssl.augment.MVGRL_EPSILONS` whose kept entries per node best match the mean
      degree, as :func:`jgssl.augment.select_epsilon`); ``None`` keeps the dense matrix (Cora,
      PubMed).
    minmax: min-max scale every column over the present rows after sparsifying (MVGRL's
      ``MinMaxScaler``, CiteSeer).

  Returns:
    float32 ``[N, N]``; row ``i`` = receiver ``i``.
  """
  present = graph.nodes["mask"]
  num = present.shape[0]
  w = jnp.where(graph_lib.edge_mask(graph), graph.edges["weight"], 0.0).astype(jnp.float32)
  adj = jnp.zeros((num, num), jnp.float32).at[graph.receivers, graph.senders].add(w)
  t = adj + jnp.diag(present.astype(jnp.float32))
  deg = t.sum(axis=1)
  inv_sqrt = jnp.where(deg > 0, jax.lax.rsqrt(jnp.maximum(deg, 1e-12)), 0.0)
  norm = inv_sqrt[:, None] * t * inv_sqrt[None, :]
  eye = jnp.eye(num, dtype=jnp.float32)
  ppr = alpha * jnp.linalg.solve(eye - (1.0 - alpha) * norm, eye)
  both = present[:, None] & present[None, :]
  ppr = jnp.where(both, ppr, 0.0)
  n = jnp.maximum(jnp.sum(present), 1).astype(jnp.float32)
  if epsilon is not None:
    if epsilon == "auto":
      eps = jnp.asarray(augment.MVGRL_EPSILONS, jnp.float32)
      kept = jax.vmap(lambda e: jnp.sum(both & (ppr >= e)))(eps).astype(jnp.float32) / n
      eps = eps[jnp.argmin(jnp.abs(jnp.sum(adj) / n - kept))]
    else:
      eps = jnp.asarray(float(epsilon), jnp.float32)
    ppr = jnp.where(ppr >= eps, ppr, 0.0)
  if minmax:
    lo = jnp.min(jnp.where(present[:, None], ppr, jnp.inf), axis=0)
    hi = jnp.max(jnp.where(present[:, None], ppr, -jnp.inf), axis=0)
    scale = jnp.where(hi > lo, hi - lo, 1.0)
    ppr = jnp.where(both, (ppr - lo) / scale, 0.0)
  return ppr


def _epsilon(value):
  if value == "auto":
    return value
  if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
    raise ValueError(value)
  return value


def _above(check: Check, low, describe: str) -> Check:
  """``check`` and then ``value > low``."""
  def normalise(value):
    value = check.normalise(value)
    if not value > low:
      raise ValueError(value)
    return value
  return Check(describe, normalise)


EPSILON = optional(Check("'auto' or a number > 0", _epsilon))
ALPHA = _above(RATE, 0.0, "a probability in (0, 1]")
WINDOW = _above(POSITIVE_INT, 1, "an int >= 2")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DiffusionSide:
  """MVGRL's per-graph side input, :attr:`LocalGlobal.prepare`: ``graph -> side``. Jittable.

  ``side['nodes']``: ``'diffusion'`` — the PPR matrix ``[N, N]`` (:func:`ppr_view`; row ``i``
  is node ``i``'s diffusion row) and ``'self_weight'`` ``[N]``; ``side['edges']``:
  ``'norm_weight'`` ``[E]`` — with ``self_weight`` the adjacency view ``D^-1/2 (A + wI) D^-1/2``
  of the full graph (:func:`jgssl.graph.symmetric_norm_weights`), which windows cut blocks of
  without renormalising, as the official ``node/train.py``. Read by :class:`MVGRLEncoder`.

  Attributes:
    alpha, epsilon, minmax: of :func:`ppr_view`.
    self_loop_weight: ``w`` of the adjacency view: 1 (the GCN normalisation, DGL's port) or 2 —
      the official ``node/dataset.py`` computes ``normalize_adj(adj + I)`` with a
      ``normalize_adj`` (``utils.py``) that adds ``I`` again. The diffusion adds ``I`` once.
  """
  alpha: float = hyper(0.2, ALPHA)
  epsilon: Optional[Any] = hyper(None, EPSILON)
  minmax: bool = hyper(False, one_of(False, True))
  self_loop_weight: float = hyper(1.0, NON_NEGATIVE)

  def __post_init__(self):
    validate(self)

  def __call__(self, graph):
    edge_w, self_w = graph_lib.symmetric_norm_weights(graph,
                                                      self_loop_weight=self.self_loop_weight)
    ppr = ppr_view(graph, alpha=self.alpha, epsilon=self.epsilon, minmax=self.minmax)
    return {"nodes": {"diffusion": ppr, "self_weight": self_w}, "edges": {"norm_weight": edge_w}}


def _window_starts(key, num_real, *, size: int, batch: int) -> jax.Array:
  """``batch`` window starts, uniform in ``0 .. max(num_real − size, 0)``, as the official sampler
  (windows inside the real nodes, which come first). :func:`window_coverage` is exact for it."""
  return jax.random.randint(key, (batch,), 0, jnp.maximum(num_real - size, 0) + 1)


def _window(graph: jraph.GraphsTuple, start, size: int, square: Tuple[str, ...]):
  """Nodes ``[start, start + size)`` of ``graph`` as one graph: node fields sliced (the
  ``square`` ones on both axes), edges kept where both ends lie inside (the rest masked)."""
  def rows(name, a):
    a = jax.lax.dynamic_slice_in_dim(a, start, size)
    return jax.lax.dynamic_slice_in_dim(a, start, size, axis=1) if name in square else a

  s_loc, r_loc = graph.senders - start, graph.receivers - start
  inside = (s_loc >= 0) & (s_loc < size) & (r_loc >= 0) & (r_loc < size)
  return jraph.GraphsTuple(
      nodes={k: rows(k, v) for k, v in graph.nodes.items()},
      edges={**graph.edges, "mask": graph.edges["mask"] & inside},
      senders=jnp.clip(s_loc, 0, size - 1), receivers=jnp.clip(r_loc, 0, size - 1),
      n_node=jnp.full((1,), size, jnp.int32),
      n_edge=jnp.full((1,), graph.senders.shape[0], jnp.int32),
      globals={"mask": jnp.ones((1,), bool)})


@dataclasses.dataclass(frozen=True, kw_only=True)
class Windows:
  """MVGRL's sub-graph sampler, :attr:`LocalGlobal.sampler`: ``count`` windows of ``size``
  consecutive node indices ``[o, o + size)`` with starts ``o`` uniform over the real nodes
  (kavehhassani/mvgrl ``node/train.py``), stacked on a leading axis ``[count, ...]``.

  Each window is one graph of ``min(size, N)`` node slots: the node fields' rows (and, for the
  fields named in ``square``, the block of their columns: the diffusion) and the edges with both
  ends inside, re-indexed; edge and node weights are **not** renormalised (blocks of the
  full-graph matrices). The sampler depends on the node order, as upstream's
  (:func:`window_coverage`); the real nodes must come first (the jgssl padding convention).

  Attributes:
    size: nodes per window (``sample_size``, 2000).
    count: windows per step (``batch_size``, 4).
    square: node fields indexed by nodes on both axes.
  """
  size: int = hyper(2000, WINDOW)
  count: int = hyper(4, POSITIVE_INT)
  square: Tuple[str, ...] = ("diffusion",)

  def __post_init__(self):
    validate(self)

  def __call__(self, key, graph):
    size = min(self.size, graph.nodes["mask"].shape[0])
    starts = _window_starts(key, graph_lib.num_real_nodes(graph), size=size, batch=self.count)
    return jax.vmap(lambda o: _window(graph, o, size, tuple(self.square)))(starts)


class MVGRLEncoder(nn.Module, kw_only=True):
  """MVGRL's node encoder: a GCN per view with its own weights, views stacked ``[2, N, D]``.

  View ``a`` propagates over the adjacency, ``M = D^-1/2 (A + wI) D^-1/2`` given by
  ``edges['norm_weight']`` and ``nodes['self_weight']``; view ``b`` over the dense diffusion
  ``nodes['diffusion']`` ``[N, N]`` (both from :class:`DiffusionSide`). Layer ``l`` of a view is
  ``PReLU(M (h W_l) + b_l)`` (kavehhassani/mvgrl ``node/train.py`` ``GCN``: Glorot weights, zero
  bias, PyTorch's PReLU); the official model has one layer of 512. Rows of absent nodes are
  zero. The first layer reads the sparse feature index (:mod:`jgssl.models.sparse`) when the
  graph has one.

  Attributes:
    features: layer widths of each view.
  """
  features: Sequence[int] = (512,)

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, *, training: bool = False) -> jax.Array:
    del training
    nodes = graph.nodes
    present = nodes["mask"]
    num = present.shape[0]
    w = jnp.where(graph_lib.edge_mask(graph), graph.edges["norm_weight"], 0.0)

    def adjacency(z):
      msg = z[graph.senders] * w[:, None]
      return jax.ops.segment_sum(msg, graph.receivers, num_segments=num) + (
          nodes["self_weight"][:, None] * z)

    views = []
    for view, propagate in (("a", adjacency), ("b", lambda z: nodes["diffusion"] @ z)):
      h = jnp.asarray(nodes["x"], jnp.float32)
      for i, width in enumerate(self.features):
        cols = nodes.get(graph_lib.SPARSE_KEY) if i == 0 else None
        z = models.Linear(features=width, use_bias=False, weight_init="glorot",
                          name=f"lin_{view}_{i}")(h, cols=cols)
        bias = self.param(f"bias_{view}_{i}", nn.initializers.zeros, (width,), jnp.float32)
        h = models.PReLU(name=f"act_{view}_{i}")(propagate(z) + bias)
        h = jnp.where(present[:, None], h, 0.0)
      views.append(h)
    return jnp.stack(views)


def mvgrl(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (512,),
          alpha: float = 0.2, epsilon: Optional[object] = None, minmax: bool = False,
          sample_size: Optional[int] = 2000, batch_size: int = 4, self_loop_weight: float = 1.0,
          discriminator_init: str = "torch") -> LocalGlobal:
  """MVGRL, node level (Hassani & Khasahmadi, ICML 2020): :class:`LocalGlobal` with two views.

  Official code kavehhassani/mvgrl ``node/train.py`` (defaults: its Cora run). View ``a`` is the
  normalised adjacency, view ``b`` the PPR diffusion (α = 0.2; :func:`ppr_view`), computed once
  as the side input (:class:`DiffusionSide`); each view has its own one-layer GCN
  (:class:`MVGRLEncoder`, 512, PReLU); the summaries are ``σ(mean_i h_i)`` per view; a shared
  bilinear discriminator scores view-``b`` rows against ``s_a`` and view-``a`` rows against
  ``s_b`` (``cross_view``) as positives and the same encoders on row-shuffled features against
  the same summaries as negatives; binary cross-entropy over all four score sets
  (:func:`jgssl.losses.dgi_bce_loss`, the JSD-type node–graph objective of the paper). Each step
  trains on ``batch_size`` windows of ``sample_size`` consecutive nodes (:class:`Windows`; one
  feature shuffle key for all windows); ``sample_size=None`` trains on the full graph (DGL's
  "full" variant). Embeddings: ``h_a + h_b`` on the full graph. The official early stopping
  (patience 20 on the training loss) is :class:`jgssl.train.EarlyStopping`, a fit hook.

  Args:
    encoder: ``None`` builds :class:`MVGRLEncoder` from ``features``; any encoder must return
      the two views ``[2, N, D]``.
    features: layer widths of each view's GCN (``hid_units``).
    alpha, epsilon, minmax: the diffusion (:func:`ppr_view`; CiteSeer: ``'auto'``, ``True``).
    sample_size: nodes per window, or ``None`` for full-graph steps.
    batch_size: windows per step.
    self_loop_weight: ``w`` in the adjacency view ``D^-1/2 (A + wI) D^-1/2`` (1; the official
      runs used 2, see :class:`DiffusionSide`).
    discriminator_init: ``'torch'`` (the official ``weights_init``) or ``'glorot'``
      (:class:`jgssl.models.Bilinear`).
  """
  if encoder is None:
    encoder = MVGRLEncoder(features=check_value("mvgrl: features", features, WIDTHS))
  init = check_value("mvgrl: discriminator_init", discriminator_init,
                     one_of(*models.BILINEAR_INITS))
  sample_size = check_value("mvgrl: sample_size", sample_size, optional(WINDOW))
  batch_size = check_value("mvgrl: batch_size", batch_size, POSITIVE_INT)
  sampler = None if sample_size is None else Windows(size=sample_size, count=batch_size)
  side = DiffusionSide(alpha=alpha, epsilon=epsilon, minmax=minmax,
                       self_loop_weight=self_loop_weight)
  return LocalGlobal(encoder=encoder, discriminator=models.Bilinear(weight_init=init),
                     cross_view=True, prepare=side, sampler=sampler)


# ---------------------------------------------------------------------------------------------
# InfoGraph
# ---------------------------------------------------------------------------------------------


def infograph(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (32, 32, 32),
              hidden_features: Optional[int] = None, gin_eps: float = 0.0,
              weight_init: str = "glorot") -> LocalGlobal:
  """InfoGraph (Sun et al., ICLR 2020): :class:`LocalGlobal` over batches of graphs.

  Official code fanyun-sun/InfoGraph ``unsupervised/`` (``infograph.py``, ``gin.py``,
  ``losses.py``, ``main.py``). A GIN encoder (``bn(relu(conv(x)))``, MLP ``Linear-ReLU-Linear``)
  gives every layer's node rows; the local vector of a node is their concatenation and the
  global vector of a graph its sum-pool (the concatenation of every layer's sum-pool). Two
  ``FF`` heads (three ReLU layers plus a linear shortcut, :class:`jgssl.models.Projector`) map
  them; every (node, graph) pair of the batch is scored by an inner product and the
  Jensen–Shannon MI estimator (:func:`jgssl.losses.jsd_mi_pairs_loss` over
  :func:`jgssl.pairs.cross_scale`: a node and its own graph positive, any other graph of the
  batch negative) is the loss. The paper's optional prior discriminator (off by default
  upstream) is not implemented. Embeddings: the unprojected global vectors.

  Args:
    encoder: ``None`` builds the GIN from ``features`` and ``gin_eps`` (``return_layers=True``).
    features: GIN widths, one per layer (``hidden_dim`` × ``--num-gc-layers``).
    hidden_features: the ``FF`` heads' width; ``None``: ``sum(features)``, the local vector's
      width, as upstream.
    gin_eps: GIN ``eps`` (0: the official graphs carry no self-loops).
    weight_init: ``'glorot'``: every linear map (GIN MLPs and heads) Glorot-uniform with zero
      bias, the official ``init_emb`` (:func:`jgssl.methods.glorot_reinit`); ``'torch'``: keep
      PyTorch's ``nn.Linear`` default.
  """
  features = check_value("infograph: features", features, WIDTHS)
  if encoder is None:
    encoder = models.GIN(features=features, activation="relu", norm="batch", order="act_norm",
                         eps=gin_eps, return_layers=True)
  width = sum(features) if hidden_features is None else check_value(
      "infograph: hidden_features", hidden_features, POSITIVE_INT)
  weight_init = check_value("infograph: weight_init", weight_init, one_of("glorot", "torch"))
  ff = functools.partial(models.Projector, hidden_features=width, out_features=width,
                         num_layers=3, activation="relu", last_activation=True, shortcut=True)
  return LocalGlobal(encoder=encoder, readout=models.sum_readout, corruption=None,
                     objective=losses.jsd_mi_pairs_loss, local_head=ff(), global_head=ff(),
                     level="graph", reinit=glorot_reinit if weight_init == "glorot" else None)

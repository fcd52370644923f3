"""The two-view contrast skeleton: two augmented views, one shared network, one objective.

:class:`TwoViewContrast` is a method (:mod:`jgssl.methods.contract`) built from parts::

  method = TwoViewContrast(
      encoder=models.GCN(features=(256, 128)),                 # any (graph, *, training) -> rows
      head=models.Projector(hidden_features=128, out_features=128, activation="elu"),
      views=augment.two_views((augment.DropEdges, (0.2, 0.4)),
                              (augment.MaskFeatureColumns, (0.3, 0.4))),
      objective=InfoNCE(temperature=0.4))                        # GRACE

Per step: the key gives one key per view (and one per view for the encoder's own randomness,
the ``'dropout'`` rng of dropout / RReLU); both views go through the encoder (and the head) in
training mode, the second with the mutable collections the first updated (batch statistics are
updated view after view, as two sequential forward passes of a PyTorch model); the objective
scores the two outputs over the real rows. ``embed`` is the encoder on the clean graph in
evaluation mode (plus the readout at graph level), before the head.

Objectives are functions ``objective(z1, z2, *, where) -> loss`` or ``-> (loss, aux)`` of the two
``[N, d]`` outputs and the bool ``[N]`` mask of real rows (:func:`jgssl.losses.barlow_twins_loss`
and :func:`jgssl.losses.cca_ssg_loss` with their ``lambd`` bound already are). **Anchor-row
sharding:** an objective declares it the way a method does — the attribute
``row_sharding = True`` and the keyword ``row_axis=`` (the mesh axis; it then computes the loss
rows of its own block of anchors, :func:`jgssl.methods.sharded_row_mean`, and returns the global
loss); the skeleton then offers ``row_sharding`` to the engine at node level and passes
``row_axis`` through. :class:`InfoNCE` (GRACE's and GraphCL's losses) does.

Recipes on this skeleton: :func:`jgssl.methods.grace`, :func:`jgssl.methods.gca`,
:func:`jgssl.methods.csgcl` (its :class:`jgssl.methods.TeamUpInfoNCE` is this InfoNCE with a
key bias), :func:`jgssl.methods.gbt`, :func:`jgssl.methods.cca_ssg`,
:func:`jgssl.methods.graphcl`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Optional, Tuple

import flax.linen as nn
import jax

from jgssl import losses, pairs
from jgssl.methods import base, fields

__all__ = ["InfoNCE", "TwoViewContrast"]

Variables = Dict[str, Any]


def _pair_of_callables(value):
  views = tuple(value)
  if len(views) != 2 or not all(callable(v) for v in views):
    raise ValueError(value)
  return views


VIEW_PAIR = fields.Check("a pair of view functions (view 1, view 2)", _pair_of_callables)


# ---------------------------------------------------------------------------------------------
# Objective
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class InfoNCE:
  """Cosine InfoNCE between the rows of the two views (same row = positive), anchor-shardable.

  For anchor ``i`` with ``s_ij = cos(u_i, v_j) / τ``:
  ``ℓ_i = −s_ii + log Σ_{j ∈ D_i} e^{s_ij}`` (:func:`jgssl.losses.info_nce` on
  :func:`jgssl.pairs.same_scale`). The two published settings:

  * GRACE (Zhu et al., ICML-W 2020; CRIPAC-DIG/GRACE ``model.py`` ``GRACE.loss``): negatives from
    both views (``intra_view``), positive in the denominator, ``½(ℓ(u→v) + ℓ(v→u))`` per row
    (``symmetric``) — the defaults;
  * GraphCL (You et al., NeurIPS 2020; Shen-Lab/GraphCL ``unsupervised_TU/gsimclr.py``
    ``loss_cal``): cross-view negatives only, positive left out of the denominator, one
    direction: ``intra_view=False, positive_in_denominator=False, symmetric=False``.

  Called as ``objective(u, v, *, where, row_axis=None)`` with ``u, v`` float ``[N, d]`` and
  ``where`` bool ``[N]``; returns ``(masked mean of the rows over where, {'pos_cos': mean cosine of
  the positive pairs})``. Padding rows (``where`` False) are nobody's positive or negative. With
  ``chunk_size`` the ``N x N`` scores are computed in tiles (exact, recomputed in the backward
  pass). With ``row_axis`` (inside ``jax.shard_map``) each device computes the rows of its block
  of anchors against all keys (:func:`jgssl.losses.info_nce_rows`, keys streamed in
  ``chunk_size`` blocks) and the partial sums meet in a ``psum``.

  Attributes:
    temperature: τ > 0.
    intra_view: also the anchor view's other rows as negatives.
    positive_in_denominator: InfoNCE (True) or the decoupled form (False).
    symmetric: average both directions per row.
    chunk_size: tile size of the exact memory-bounded form (``None``: dense ``N x N``).
  """
  temperature: float = dataclasses.field(metadata={"check": fields.POSITIVE})
  intra_view: bool = True
  positive_in_denominator: bool = True
  symmetric: bool = True
  chunk_size: Optional[int] = fields.hyper(None, fields.optional(fields.POSITIVE_INT))

  row_sharding = True

  def __post_init__(self):
    fields.validate(self)

  def __call__(self, u, v, *, where, row_axis: Optional[str] = None):
    return self._contrast(u, v, where=where, row_axis=row_axis)

  def _contrast(self, u, v, *, where, row_axis: Optional[str] = None, key_bias=None):
    """The loss and aux of ``__call__``; ``key_bias`` (``[N]`` or None) is the additive logit
    bias of each row as a key (:func:`jgssl.losses.info_nce`), for objectives built on this."""
    pairing = pairs.same_scale(where, intra_view=self.intra_view)
    if row_axis is None:
      rows = losses.info_nce(u, v, pairs=pairing, temperature=self.temperature,
                             positive_in_denominator=self.positive_in_denominator,
                             symmetric=self.symmetric, chunk_size=self.chunk_size,
                             key_bias=key_bias)
      loss = losses.masked_mean(rows, where)
    else:
      loss = base.sharded_row_mean(self._block_rows(u, v, pairing, key_bias), where,
                                   row_axis=row_axis)
    cos = (losses.l2_normalize(u) * losses.l2_normalize(v)).sum(axis=-1)
    return loss, {"pos_cos": losses.masked_mean(cos, where)}

  def _block_rows(self, u, v, pairing, key_bias=None):
    """``(start, size) -> [size]`` rows of anchors ``start ..`` against all keys."""
    kw = dict(temperature=self.temperature, key_chunk_size=self.chunk_size,
              positive_in_denominator=self.positive_in_denominator, key_bias=key_bias)

    def direction(a, b, pairing_ab, start, size):
      block = jax.lax.dynamic_slice_in_dim(a, start, size)
      return losses.info_nce_rows(block, b, pairs=pairing_ab, row_offset=start,
                                  intra_keys=a if self.intra_view else None, **kw)

    def rows(start, size):
      forward = direction(u, v, pairing, start, size)
      if not self.symmetric:
        return forward
      return 0.5 * (forward + direction(v, u, pairing.transpose(), start, size))

    return rows


# ---------------------------------------------------------------------------------------------
# Skeleton
# ---------------------------------------------------------------------------------------------


class _Network(nn.Module):
  """Encoder (+ readout at graph level) and optional head, as children ``encoder`` / ``head``."""
  encoder: nn.Module
  head: Optional[nn.Module] = None
  readout: Optional[Callable] = None

  def __call__(self, graph, *, training: bool = False):
    h = self.encoder(graph, training=training)
    return h if self.readout is None else self.readout(h, graph)

  def project(self, graph, *, training: bool = True, with_rows: bool = False):
    h = self(graph, training=training)
    z = h
    if self.head is not None:
      mask = graph.nodes["mask"] if self.readout is None else graph.globals["mask"]
      z = self.head(h, mask=mask, training=training)
    return (h, z) if with_rows else z


def _declared(part, *, side, step) -> Dict[str, Any]:
  """The keywords ``side`` / ``step`` that ``part`` declares it needs."""
  kwargs = {}
  if getattr(part, "needs_side", False):
    kwargs["side"] = side
  if getattr(part, "needs_step", False):
    kwargs["step"] = step
  return kwargs


def _default_readout(h, graph):
  """Sum-pool per graph; a list of per-layer rows is pooled layer by layer and concatenated."""
  from jgssl import models  # pylint: disable=import-outside-toplevel
  if isinstance(h, (list, tuple)):
    return models.concat_layer_readouts(h, graph, readout="sum")
  return models.sum_readout(h, graph)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TwoViewContrast:
  """Two augmented views through one network, scored by one objective (module docstring).

  Attributes:
    encoder: a Flax module ``encoder(graph, *, training=False) -> [N, d]`` node rows, zero on
      rows whose ``nodes['mask']`` is False (any :mod:`jgssl.models` encoder, or your own); at
      graph level it may return a list of per-layer rows for the readout.
    views: ``(view_1, view_2)``, augmentations ``(key, graph) -> graph`` that keep shapes
      (:func:`jgssl.augment.two_views`); with ``prepare``, ``(key, graph, side) -> graph``.
    objective: ``objective(z1, z2, *, where) -> loss | (loss, aux)`` on the two outputs
      (``[N, d]`` node or ``[G, d]`` graph rows) and the bool mask of real rows; lower is
      better. Row-shardable when it has ``row_sharding = True`` and takes ``row_axis=``; an
      objective with ``needs_key = True`` (random negatives, MoCHi's mixing) also gets
      ``key=``, a key of its own for each step.
    head: optional Flax module on the encoder rows (a projection head,
      :class:`jgssl.models.Projector`), called ``head(rows, *, mask, training)``; the objective
      sees its output, ``embed`` does not.
    level: ``'node'`` (one full graph per step; rows are nodes, ``where`` is ``nodes['mask']``)
      or ``'graph'`` (padded batches; rows are graphs, ``where`` is ``globals['mask']``).
    readout: graph level: ``readout(encoder output, graph) -> [G, d]`` (default: sum-pool, a
      list of layers pooled and concatenated as :func:`jgssl.models.concat_layer_readouts`).
      Not used at node level.
    prepare: optional ``prepare(graph) -> side``: per-graph data the views read (GCA's
      centrality weights), computed once by the engine outside the train state
      (:func:`jgssl.methods.contract.prepare_side`) and passed as ``side=``.
    init_params: optional ``(key, params) -> params`` applied after initialisation (e.g.
      :func:`jgssl.methods.glorot_reinit`, GraphCL's ``init_emb``).
    regularizer: optional plug-in term on the same step (POT's bound penalty,
      :class:`jgssl.methods.POTRegularizer`): called ``regularizer(variables, *, graph, views,
      rows, where, side) -> (value, aux)`` with the clean ``graph``, the two ``views``, the
      encoder ``rows`` ``(h1, h2)`` of the views (before the head, training mode) and the
      variables; its aux scalars are logged under their own names.
    regularizer_weight: κ of the convex mixture ``(1 − κ)·objective + κ·regularizer`` (POT's
      ``kappa``); ignored without a regularizer.

  Objectives and regularizers may declare ``needs_side = True`` (they get ``side=``, the
  ``prepare`` output: CSGCL's community strengths) and ``needs_step = True`` (they get
  ``step=``, the optimizer steps taken so far: CSGCL's ramp); the skeleton then declares
  ``needs_step`` to the engine (:mod:`jgssl.methods.contract`).

  Variables: ``{'params': {'encoder': ..., 'head': ...}}`` plus the encoder's / head's mutable
  collections (``'batch_stats'``) under the same names. Initialisation: Flax's draws for a
  network with the children ``encoder`` and ``head``; without a head, the encoder's own
  ``encoder.init(key, graph)`` (so its variables are those of the bare module). With
  ``init_params`` the init key is split first into the key of those draws and the key of
  ``init_params``.
  """
  encoder: nn.Module = dataclasses.field(metadata={"check": fields.MODULE})
  views: Tuple[Callable, Callable] = dataclasses.field(metadata={"check": VIEW_PAIR})
  objective: Callable = dataclasses.field(metadata={"check": fields.CALLABLE})
  head: Optional[nn.Module] = fields.hyper(None, fields.optional(fields.MODULE))
  level: str = fields.hyper("node", fields.one_of("node", "graph"))
  readout: Optional[Callable] = fields.hyper(None, fields.optional(fields.CALLABLE))
  prepare: Optional[Callable] = fields.hyper(None, fields.optional(fields.CALLABLE))
  init_params: Optional[Callable] = fields.hyper(None, fields.optional(fields.CALLABLE))
  regularizer: Optional[Callable] = fields.hyper(None, fields.optional(fields.CALLABLE))
  regularizer_weight: float = fields.hyper(0.5, fields.RATE)

  def __post_init__(self):
    fields.validate(self)
    if self.level == "node" and self.readout is not None:
      raise ValueError("TwoViewContrast.readout is for level='graph'; a node-level method "
                       "scores node rows")
    for part in (self.objective, self.regularizer):
      if getattr(part, "needs_side", False) and self.prepare is None:
        raise ValueError(f"{type(part).__name__} needs a side input (needs_side) but "
                         "TwoViewContrast.prepare is None")

  @property
  def needs_step(self) -> bool:
    """Whether ``loss`` takes ``step=`` (the objective or the regularizer asks for it)."""
    return any(getattr(part, "needs_step", False) for part in (self.objective, self.regularizer))

  @property
  def row_sharding(self) -> bool:
    """Anchor-row sharding (``loss(..., row_axis=)``): node level with a row-shardable
    objective."""
    return self.level == "node" and bool(getattr(self.objective, "row_sharding", False))

  def _network(self) -> _Network:
    readout = None if self.level == "node" else (self.readout or _default_readout)
    return _Network(encoder=self.encoder, head=self.head, readout=readout)

  def _where(self, graph):
    return graph.nodes["mask"] if self.level == "node" else graph.globals["mask"]

  def init(self, key: jax.Array, graph) -> Variables:
    """Variables for graphs shaped like ``graph`` (class docstring)."""
    if self.init_params is not None:
      key, k_reinit = jax.random.split(key)
    if self.head is None:
      variables = {collection: {"encoder": value} for collection, value
                   in self.encoder.init(key, graph, training=False).items()}
    else:
      variables = dict(self._network().init(key, graph, training=False,
                                            method=_Network.project))
    if self.init_params is not None:
      variables["params"] = self.init_params(k_reinit, variables["params"])
    return variables

  def loss(self, variables: Variables, key: jax.Array, graph, *, side=None,
           row_axis: Optional[str] = None, step=None) -> Tuple[jax.Array, Dict[str, Any]]:
    """The objective on the two views; aux holds the objective's scalars and ``'updates'`` (the
    mutable collections after both views) when there are mutable collections.

    ``side`` is ``prepare(graph)`` (the engine passes it; ``None`` recomputes it here, inside the
    step). ``row_axis`` is passed on to the objective (strategy ``'rows'``); ``step`` to the
    parts that declare ``needs_step`` (0 when not given). With a regularizer the loss is
    ``(1 − κ)·objective + κ·regularizer`` and aux adds ``'objective'`` and the regularizer's
    scalars.
    """
    k1, k2, r1, r2 = jax.random.split(key, 4)
    if self.prepare is not None:
      side = self.prepare(graph) if side is None else side
      g1, g2 = self.views[0](k1, graph, side), self.views[1](k2, graph, side)
    else:
      g1, g2 = self.views[0](k1, graph), self.views[1](k2, graph)
    net = self._network()
    mutable = [c for c in variables if c != "params"]

    def project(current, view, rng):
      out = net.apply(current, view, training=True, rngs={"dropout": rng},
                      mutable=mutable or False, method=_Network.project, with_rows=True)
      return out if mutable else (out, {})

    (h1, z1), updates = project(variables, g1, r1)
    (h2, z2), updates = project({**variables, **updates}, g2, r2)
    step = 0 if step is None else step
    where = self._where(graph)
    kwargs = {} if row_axis is None else {"row_axis": row_axis}
    if getattr(self.objective, "needs_key", False):
      kwargs["key"] = jax.random.fold_in(key, 4)  # the split above stays GRACE's four keys
    kwargs.update(_declared(self.objective, side=side, step=step))
    out = self.objective(z1, z2, where=where, **kwargs)
    loss, aux = out if isinstance(out, tuple) else (out, {})
    aux = dict(aux)
    if self.regularizer is not None:
      out = self.regularizer(variables, graph=graph, views=(g1, g2), rows=(h1, h2),
                             where=where, **_declared(self.regularizer, side=side, step=step))
      value, reg_aux = out if isinstance(out, tuple) else (out, {})
      kappa = self.regularizer_weight
      aux = {**aux, **dict(reg_aux), "objective": loss}
      loss = (1.0 - kappa) * loss + kappa * value
    if mutable:
      aux["updates"] = dict(updates)
    return loss, aux

  def embed(self, variables: Variables, graph, *, side=None) -> jax.Array:
    """Encoder rows ``[N, d]`` (graph level: readout rows ``[G, d]``) on the clean graph in
    evaluation mode, before the head; zero on padding rows. ``side`` is not used."""
    del side
    return self._network().apply(variables, graph, training=False)

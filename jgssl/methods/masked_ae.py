"""Masked and graph autoencoders: one skeleton, :class:`MaskedAutoencoder`, and its recipes.

A step of :class:`MaskedAutoencoder` (its parts in brackets):

1. [``mask``] replace some node rows of ``x`` (e.g. by a learnable [MASK] token, :class:`TokenMask`)
   and say which (``masked``); no mask for a plain graph autoencoder;
2. drop edges of the *encoder's* graph only (``drop_edge_rate``);
3. [``encoder``] encode, any module ``(graph, *, training) -> [N, D]``; a ``variational``
   encoder returns ``(mu, log_std)`` and training decodes ``z = mu + eps * exp(log_std)``;
4. [``encoder_to_decoder``] map the latent rows, and [``remask``] set the masked rows back to 0;
5. [``decoder``, ``objective``] decode over the graph *without* dropped edges and score the
   reconstruction: :class:`FeatureReconstruction` (masked features, scaled cosine error) or
   :class:`LinkReconstruction` (edges, inner-product logits), plus VGAE's KL term when
   ``variational``.

``embed`` returns the encoder's rows in evaluation mode (``mu`` when variational), or their
per-graph ``pooling`` (then the method is graph level).

Recipes (keyword defaults are the papers' values):

* :func:`graphmae` — GraphMAE (Hou et al., KDD 2022; official code THUDM/GraphMAE
  ``graphmae/models/edcoder.py``): GAT encoder and decoder on nodes, GIN with ``pooling`` on
  graphs;
* :func:`gae`, :func:`vgae` — graph (variational) autoencoders (Kipf & Welling, NIPS BDL
  workshop 2016; official code tkipf/gae ``gae/model.py``, ``gae/optimizer.py``).

**Parameters** live under ``'enc'``, ``'enc_to_dec'``, ``'dec'`` and ``'mask_token'`` (when
there is a mask), whatever the modules are.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any, Callable, Optional, Sequence, Tuple

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment, losses, models, pairs
from jgssl import graph as graph_lib
from jgssl.augment import _util as augment_util
from jgssl.methods import fields
from jgssl.methods.fields import hyper

__all__ = [
    "DecoderLayer",
    "FeatureReconstruction",
    "GaussianEncoder",
    "LinkReconstruction",
    "MaskedAutoencoder",
    "SquareLinear",
    "TokenMask",
    "decoder_layer",
    "dense_target",
    "gae",
    "graphmae",
    "vgae",
]


def _open_rate(value):
  value = fields.RATE_BELOW_ONE.normalise(value)
  if value == 0:
    raise ValueError(value)
  return value


def _at_least_one(value):
  if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 1:
    raise ValueError(value)
  return value


def _widths(features):
  """``features`` as a tuple of widths, or a ValueError naming the argument."""
  try:
    return fields.WIDTHS.normalise(features)
  except (TypeError, ValueError):
    raise ValueError(f"features must be {fields.WIDTHS.describe}, got {features!r}") from None


MASK_RATE = fields.Check("a probability in (0, 1)", _open_rate)
ALPHA = fields.Check("a number >= 1", _at_least_one)
POOLING = fields.optional(fields.one_of(*sorted(models.READOUTS)))


# ---------------------------------------------------------------------------------------------
# Parts
# ---------------------------------------------------------------------------------------------


def _as_one_graph(graph):
  """``graph`` with all real graphs merged into graph 0 (for batch-level masking counts).

  GraphMAE masks ``int(mask_rate * num_nodes)`` nodes of the whole DGL-batched graph and draws
  replacement rows from any graph of the batch (``encoding_mask_noise``). Giving
  :func:`jgssl.augment.graphmae_mask` a graph whose ``n_node`` puts every real node in graph 0
  and every padding node in graph 1 (real graphs precede padding graphs, as
  :func:`jgssl.graph.pad_graph` / :func:`jraph.pad_with_graphs` lay them out) reproduces those
  batch-level counts. Only ``n_node`` and ``globals['mask']`` change; shapes stay static.
  """
  n_graph = graph.n_node.shape[0]
  if n_graph == 1:
    return graph
  g_mask = jnp.asarray(graph.globals["mask"])
  n_node = jnp.asarray(graph.n_node)
  real = jnp.sum(jnp.where(g_mask, n_node, 0))
  total = jnp.sum(n_node)
  merged_n = jnp.zeros_like(n_node).at[0].set(real).at[1].set(total - real)
  merged_mask = jnp.zeros_like(g_mask).at[0].set(jnp.any(g_mask))
  return graph._replace(n_node=merged_n, globals={**graph.globals, "mask": merged_mask})


@dataclasses.dataclass(frozen=True, kw_only=True)
class TokenMask:
  """GraphMAE's input masking (``encoding_mask_noise`` of THUDM/GraphMAE ``edcoder.py``).

  ``mask_rate`` of the present nodes are masked; their features become the learnable [MASK]
  token, or (fraction ``replace_rate`` of them) another node's features
  (:func:`jgssl.augment.graphmae_mask`). ``scope='batch'`` counts over all nodes of a batch of
  graphs and draws replacement rows from any graph of it, as the official code does on a
  DGL-batched graph (``floor(mask_rate * nodes in the batch)`` masked nodes); ``'graph'`` counts
  per graph, which masks fewer nodes of small graphs and, with ``replace_rate > 0``, leaves about
  one masked row per graph unchanged (the two floors). One graph: the same.

  ``__call__(key, graph, *, mask_token [F]) -> (graph, masked bool [N])``: the graph with the new
  ``nodes['x']`` (dense; a sparse column index is dropped) and the masked rows (never padding).
  """
  mask_rate: float = hyper(0.5, MASK_RATE)
  replace_rate: float = hyper(0.0, fields.RATE_BELOW_ONE)
  scope: str = hyper("batch", fields.one_of("batch", "graph"))

  def __post_init__(self):
    fields.validate(self)

  def __call__(self, key, graph, *, mask_token):
    scope_graph = _as_one_graph(graph) if self.scope == "batch" else graph
    out, masked = augment.graphmae_mask(key, scope_graph, rate=self.mask_rate,
                                        mask_token=mask_token, replace_rate=self.replace_rate)
    return graph_lib.with_node_features(graph, out.nodes["x"]), masked

  def max_masked(self, num_nodes: int) -> int:
    """A static bound on the masked count of ``num_nodes`` node slots (at least 1).

    The rational floor :func:`jgssl.augment.graphmae_mask` takes (``int(0.29 * 100)`` would be
    28, not 29).
    """
    return max(1, math.floor(augment_util.as_fraction(self.mask_rate) * num_nodes))


class SquareLinear(nn.Module):
  """Bias-free ``h W`` with a square ``W [D, D]``, ``D`` the input width.

  GraphMAE's ``encoder_to_decoder = nn.Linear(dec_in_dim, dec_in_dim, bias=False)``
  (THUDM/GraphMAE ``edcoder.py``), PyTorch's init ``U(+-1/sqrt(D))``; one parameter ``'kernel'``.
  """

  @nn.compact
  def __call__(self, h):
    width = h.shape[-1]
    kernel = self.param("kernel", models.torch_linear_init(width), (width, width), jnp.float32)
    return jnp.dot(h, kernel.astype(h.dtype))


@dataclasses.dataclass(frozen=True)
class DecoderLayer:
  """``width -> cls(features=(width,), last_norm=False, last_activation=False, **options)``.

  A one-layer decoder whose output width is the reconstruction width, known only from the data
  (GraphMAE decodes to the feature width ``F``); build it with :func:`decoder_layer`. A frozen
  value, so equal settings give equal methods (one compiled step for both).
  """
  cls: Callable[..., nn.Module]
  options: Tuple[Tuple[str, Any], ...] = ()

  def __call__(self, width: int) -> nn.Module:
    return self.cls(features=(width,), last_norm=False, last_activation=False,
                    **dict(self.options))


def decoder_layer(cls: Callable[..., nn.Module], **options) -> DecoderLayer:
  """One layer of a :mod:`jgssl.models` encoder class to the reconstruction width.

  No norm and no activation on the output (GraphMAE's ``encoding=False`` layer), e.g.
  ``decoder_layer(models.GAT, heads=1, concat=False)``; :class:`jgssl.models.MLP` is a linear
  decoder that ignores the graph.
  """
  return DecoderLayer(cls, tuple(sorted(options.items())))


class GaussianEncoder(nn.Module, kw_only=True):
  """``body`` then two heads over the graph: ``(mu [N, d], log_std [N, d])`` (VGAE).

  tkipf/gae ``GCNModelVAE`` (``gae/model.py``): a shared hidden GCN layer, then linear GCN
  layers ``z_mean`` and ``z_log_std``. Use with ``MaskedAutoencoder(variational=True)``.

  Attributes:
    body: the shared encoder ``(graph, *, training) -> [N, D]``.
    mu, log_std: heads ``(graph with x = body rows, *, training) -> [N, d]``.
  """
  body: nn.Module
  mu: nn.Module
  log_std: nn.Module

  def __call__(self, graph, *, training: bool = False):
    g = graph_lib.with_node_features(graph, self.body(graph, training=training))
    return self.mu(g, training=training), self.log_std(g, training=training)


def dense_target(graph) -> jax.Array:
  """float32 ``[N, N]``: GAE's target ``A + I`` over present edges and present nodes. Jittable."""
  n = graph.nodes["mask"].shape[0]
  present = graph_lib.edge_mask(graph).astype(jnp.float32)
  adj = jnp.zeros((n, n), jnp.float32).at[graph.senders, graph.receivers].max(present)
  return jnp.maximum(adj, jnp.diag(graph.nodes["mask"].astype(jnp.float32)))


# ---------------------------------------------------------------------------------------------
# Objectives: (decoder, latent_graph, graph, *, masked, max_masked, key, training) -> (loss, aux)
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class FeatureReconstruction:
  """GraphMAE's objective: mean over masked nodes of ``(1 - cos(x_hat_i, x_i))^alpha``.

  ``sce_loss`` of THUDM/GraphMAE ``graphmae/models/loss_func.py``
  (:func:`jgssl.losses.scaled_cosine_error`); the decoder is a graph module
  ``(latent_graph, *, training[, rows]) -> [N, F]``. Without a mask every present row counts.

  With ``masked_only`` the decoder's last layer runs at ``M`` row slots only (``rows=``, which
  :mod:`jgssl.models` encoders accept; ``M`` the mask's ``max_masked`` bound, static): the rows
  the loss reads, so the same value with fewer FLOPs (a GAT decoder that aggregates before
  projecting halves its ``[N, 512] x [512, F]`` products at ``mask_rate = 0.5``).

  Attributes:
    alpha: the exponent (GraphMAE ``alpha_l``), >= 1.
    masked_only: decode the masked rows only (a decoder without ``rows=`` needs False).
  """
  alpha: float = hyper(2.0, ALPHA)
  masked_only: bool = True

  def __post_init__(self):
    fields.validate(self)

  def __call__(self, decoder, latent_graph, graph, *, masked, max_masked, key, training):
    del key
    x = jnp.asarray(graph.nodes["x"])
    if masked is None:
      masked = jnp.asarray(graph.nodes["mask"])
    if self.masked_only:
      slots = masked.shape[0] if max_masked is None else max_masked
      index = jnp.nonzero(masked, size=slots, fill_value=0)[0].astype(jnp.int32)
      valid = jnp.arange(slots) < jnp.sum(masked)
      x_hat, x = decoder(latent_graph, training=training, rows=index), x[index]
    else:
      x_hat, valid = decoder(latent_graph, training=training), masked
    rows = losses.scaled_cosine_error(x_hat, x, alpha=self.alpha, where=valid)
    return losses.masked_mean(rows, valid), {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class LinkReconstruction:
  """GAE's objective: inner-product logits of node pairs against the graph's edges.

  ``negatives=None`` is the official dense loss (tkipf/gae ``gae/optimizer.py``
  ``OptimizerAE``): all ``n^2`` pairs of present nodes, weighted BCE against ``A + I``
  (:func:`dense_target`, :func:`jgssl.losses.gae_dense_loss`); ``O(N^2)`` memory, Cora-sized
  graphs. ``negatives=k`` is the sampled estimator (PyG ``GAE.recon_loss``, a different one):
  present edges against ``k`` uniformly sampled pairs per edge slot
  (:func:`jgssl.pairs.sample_negative_edges`, :func:`jgssl.losses.link_bce_loss`), ``O(E)``.

  The decoder is an edge decoder: ``decoder(z, pairs [2, P], *, training) -> [P]`` and
  ``decoder.dense(z, *, training) -> [N, N]`` (:class:`jgssl.models.InnerProductDecoder`).
  ``aux``: ``'recon'``.
  """
  negatives: Optional[int] = hyper(None, fields.optional(fields.POSITIVE_INT))

  def __post_init__(self):
    fields.validate(self)

  def __call__(self, decoder, latent_graph, graph, *, masked, max_masked, key, training):
    del masked, max_masked
    z = latent_graph.nodes["x"]
    present = graph.nodes["mask"]
    if self.negatives is None:
      recon = losses.gae_dense_loss(decoder.dense(z, training=training), dense_target(graph),
                                    where=present)
      return recon, {"recon": recon}
    num_edges = graph.senders.shape[0]
    n_graph = graph.n_node.shape[0]
    segments = ({} if n_graph == 1 else
                dict(segment_ids=graph_lib.node_graph_index(graph), num_graphs=n_graph))
    neg_s, neg_r, neg_valid = pairs.sample_negative_edges(
        key, present, num_samples=self.negatives * num_edges, **segments)
    index = jnp.stack([jnp.concatenate([graph.senders, neg_s]),
                       jnp.concatenate([graph.receivers, neg_r])])
    logits = decoder(z, index, training=training)
    recon = losses.link_bce_loss(logits[:num_edges], logits[num_edges:],
                                 pos_where=graph_lib.edge_mask(graph), neg_where=neg_valid)
    return recon, {"recon": recon}


# ---------------------------------------------------------------------------------------------
# The skeleton
# ---------------------------------------------------------------------------------------------


class _Network(nn.Module, kw_only=True):
  """The trained modules of a :class:`MaskedAutoencoder` for one feature width."""
  enc: nn.Module
  enc_to_dec: Optional[nn.Module]
  dec: nn.Module
  token_width: Optional[int]

  def setup(self):
    if self.token_width is not None:
      self.mask_token = self.param("mask_token", nn.initializers.zeros, (self.token_width,),
                                   jnp.float32)

  def __call__(self, graph, *, training: bool = False):
    return self.enc(graph, training=training)

  def reconstruct(self, ae, k_mask, k_edge, k_noise, graph, *, training: bool = True):
    """Steps 1-5 of the module docstring: ``(loss, aux)`` with the masked fraction and KL."""
    if ae.mask is None:
      enc_in, masked = graph, None
    else:
      enc_in, masked = ae.mask(k_mask, graph, mask_token=self.mask_token)
    enc_graph = (augment.drop_edges(k_edge, enc_in, rate=ae.drop_edge_rate)
                 if ae.drop_edge_rate > 0 else enc_in)
    h = self.enc(enc_graph, training=training)
    k_latent, k_objective = jax.random.split(k_noise)
    if ae.variational:
      mu, log_std = h
      h = mu + jax.random.normal(k_latent, mu.shape, mu.dtype) * jnp.exp(log_std)
    if self.enc_to_dec is not None:
      h = self.enc_to_dec(h)
    if ae.remask:
      h = jnp.where(masked[:, None], 0.0, h)
    max_masked = getattr(ae.mask, "max_masked", None)
    loss, aux = ae.objective(
        self.dec, graph_lib.with_node_features(enc_in, h), graph, masked=masked,
        max_masked=None if max_masked is None else max_masked(graph.nodes["mask"].shape[0]),
        key=k_objective, training=training)
    aux = dict(aux)
    present = graph.nodes["mask"]
    if masked is not None:
      aux["masked_fraction"] = jnp.sum(masked) / jnp.maximum(jnp.sum(present), 1)
    if ae.variational:
      aux["kl"] = losses.vgae_kl_loss(mu, log_std, where=present)
      loss = loss + aux["kl"]
    return loss, aux


@dataclasses.dataclass(frozen=True, kw_only=True)
class MaskedAutoencoder:
  """A (masked) graph autoencoder from its parts; implements :class:`jgssl.methods.Method`.

  See the module docstring for the step. Padding: masks never pick padding rows, the feature
  objective reads masked (or present) rows only and the link objective present node pairs and
  present edges, so the loss does not depend on the amount of padding; ``embed`` returns a row
  per node (or graph) slot, padding included. Keys: ``loss`` splits its key into dropout, mask and
  edge-dropping keys (``jax.random.split(key, 3)``, GraphMAE's order) and folds in a fourth
  stream for the latent noise and the objective; ``init`` draws the parameters from
  ``jax.random.split(key, 4)[0]``.

  Attributes:
    encoder: Flax module ``(graph, *, training=False) -> [N, D]`` (any :mod:`jgssl.models`
      encoder or a user's module); with ``variational``, ``-> (mu, log_std)``
      (:class:`GaussianEncoder`).
    decoder: a Flax module, or ``width -> module`` (:func:`decoder_layer`) built for the feature
      width ``F``; its kind is the objective's (graph module for :class:`FeatureReconstruction`,
      edge decoder for :class:`LinkReconstruction`).
    objective: ``(decoder, latent_graph, graph, *, masked, max_masked, key, training) ->
      (loss, aux)``, called inside the network: ``latent_graph`` is the decoder's input
      (``nodes['x']`` the latent rows, the edges before edge dropping), ``graph`` the original
      (the targets), ``masked`` the mask's rows or ``None``, ``max_masked`` the mask's static
      bound on their count or ``None``.
    mask: ``(key, graph, *, mask_token [F]) -> (graph, masked bool [N])`` or ``None`` (no
      masking, no token); an optional ``max_masked(num_nodes) -> int`` bounds the masked count
      (:class:`TokenMask`).
    encoder_to_decoder: module on the latent rows before decoding (GraphMAE:
      :class:`SquareLinear`), or ``None``.
    remask: set the masked rows of the latent to 0 before decoding (GraphMAE, GNN decoders);
      needs a mask.
    drop_edge_rate: edges dropped from the encoder's graph (the decoder sees them all).
    variational: the encoder returns ``(mu, log_std)``; training decodes
      ``z = mu + eps * exp(log_std)`` and adds VGAE's KL (:func:`jgssl.losses.vgae_kl_loss`);
      ``embed`` returns ``mu``.
    pooling: ``None`` (node level) or a readout name (``'mean'``, ``'sum'``, ``'max'``): graph
      level, ``embed`` pools the encoder rows per graph.
  """
  encoder: nn.Module
  decoder: Any
  objective: Callable
  mask: Optional[Callable] = None
  encoder_to_decoder: Optional[nn.Module] = None
  remask: bool = False
  drop_edge_rate: float = hyper(0.0, fields.RATE_BELOW_ONE)
  variational: bool = False
  pooling: Optional[str] = hyper(None, POOLING)

  def __post_init__(self):
    fields.validate(self)
    if self.remask and self.mask is None:
      raise ValueError("MaskedAutoencoder.remask needs a mask (it re-masks the masked rows)")

  @property
  def level(self) -> str:
    return "node" if self.pooling is None else "graph"

  def network(self, width: int) -> nn.Module:
    """The Flax module of all trained parts for graphs with ``width`` feature columns."""
    dec = self.decoder if isinstance(self.decoder, nn.Module) else self.decoder(width)
    return _Network(enc=self.encoder, enc_to_dec=self.encoder_to_decoder, dec=dec,
                    token_width=None if self.mask is None else width)

  def init(self, key, graph):
    k_params, k_drop, k_mask, k_edge = jax.random.split(key, 4)
    net = self.network(graph.nodes["x"].shape[1])

    @jax.jit  # one compiled program instead of hundreds of eager dispatches
    def init(graph):
      # (the noise key does not touch the parameters: any key will do)
      return net.init({"params": k_params, "dropout": k_drop}, self, k_mask, k_edge, k_edge,
                      graph, method=_Network.reconstruct)

    # GAT layers sow their attention into 'intermediates' during init: not model state.
    return {k: v for k, v in init(graph).items() if k != "intermediates"}

  def loss(self, variables, key, graph):
    k_drop, k_mask, k_edge = jax.random.split(key, 3)
    mutable = [c for c in variables if c != "params"]
    (loss, aux), updates = self.network(graph.nodes["x"].shape[1]).apply(
        variables, self, k_mask, k_edge, jax.random.fold_in(key, 3), graph,
        rngs={"dropout": k_drop}, mutable=mutable, method=_Network.reconstruct)
    return loss, {**aux, "updates": dict(updates)}

  def embed(self, variables, graph):
    h = self.network(graph.nodes["x"].shape[1]).apply(variables, graph, training=False)
    if self.variational:
      h = h[0]
    return h if self.pooling is None else models.get_readout(self.pooling)(h, graph)


# ---------------------------------------------------------------------------------------------
# Recipes
# ---------------------------------------------------------------------------------------------


def graphmae(*, encoder: Optional[nn.Module] = None, decoder: Any = None,
             features: Sequence[int] = (512, 512), heads: int = 4, out_heads: int = 1,
             activation: str = "prelu", norm: str = "none", residual: bool = False,
             dropout: float = 0.2, attn_dropout: float = 0.1, negative_slope: float = 0.2,
             eps: float = 0.0, mask_rate: float = 0.5, replace_rate: float = 0.0,
             drop_edge_rate: float = 0.0, alpha: float = 2.0, mask_scope: str = "batch",
             pooling: Optional[str] = None, remask: Optional[bool] = None) -> MaskedAutoencoder:
  """GraphMAE (Hou et al., KDD 2022): masked feature reconstruction with a scaled cosine error.

  Follows THUDM/GraphMAE ``graphmae/models/edcoder.py`` (``PreModel``): :class:`TokenMask`, the
  encoder with its last layer keeping norm and activation (``encoding=True``), a bias-free
  square ``encoder_to_decoder`` (:class:`SquareLinear`), re-masking before a GNN decoder, one
  decoder layer to the feature width, :class:`FeatureReconstruction`. Defaults: the widths,
  heads, rates and dropouts of ``configs.yml`` (Cora) and the argparse defaults of
  ``graphmae/utils.py`` (``alpha_l 2``, ``replace_rate 0``, ``num_out_heads 1``, ``norm None``).

  Node level (``pooling=None``) the paper's encoder is a GAT (``features`` are total widths
  over ``heads``) and its decoder a GAT layer averaging ``out_heads``; graph level (``pooling``
  set) both are GIN (batch or layer ``norm`` inside the MLPs, ``eps``: GraphMAE's TU graphs carry
  self-loops, and a GIN layer over a graph with self-loops is one with ``eps + 1``, so ``eps=1``
  reproduces them without storing loops).

  Args:
    encoder: any encoder module; ``None`` builds the paper's from ``features`` ... ``eps``.
    decoder: a decoder module or ``width -> module`` (:func:`decoder_layer`); ``None`` builds
      the paper's (GAT or GIN, with ``dropout``, ``attn_dropout``, ``negative_slope``,
      ``activation``, ``norm``, ``eps``; the GIN MLP as wide as ``features[-1]``).
    features, heads, activation, norm, residual, dropout (``in_drop``), attn_dropout
      (``attn_drop``), negative_slope, eps: the paper's encoder and decoder.
    out_heads: GAT decoder heads (averaged).
    mask_rate, replace_rate, mask_scope: :class:`TokenMask`.
    drop_edge_rate: edges dropped from the encoder's graph.
    alpha: the scaled cosine error's exponent (``alpha_l``).
    pooling: ``None`` (node level) or ``'mean'`` / ``'sum'`` / ``'max'`` (graph level).
    remask: re-mask before decoding; ``None``: unless the decoder is an MLP (GraphMAE re-masks
      for every decoder but ``mlp`` / ``linear``).
  """
  features = _widths(features)
  shared = dict(activation=activation, dropout=dropout)
  if pooling is None:
    gat = dict(negative_slope=negative_slope, attn_dropout=attn_dropout)
    if encoder is None:
      encoder = models.GAT(features=features, heads=heads, norm=norm, residual=residual, **gat,
                           **shared)
    if decoder is None:
      decoder = decoder_layer(models.GAT, heads=out_heads, concat=False, dropout=dropout, **gat)
  else:
    gin = dict(mlp_norm=norm, eps=eps, **shared)
    if encoder is None:
      encoder = models.GIN(features=features, norm=norm, residual=residual, **gin)
    if decoder is None:
      decoder = decoder_layer(models.GIN, hidden_features=features[-1], **gin)
  if remask is None:
    remask = getattr(decoder, "cls", None) is not models.MLP
  return MaskedAutoencoder(
      encoder=encoder, decoder=decoder, objective=FeatureReconstruction(alpha=alpha),
      mask=TokenMask(mask_rate=mask_rate, replace_rate=replace_rate, scope=mask_scope),
      encoder_to_decoder=SquareLinear(), remask=remask, drop_edge_rate=drop_edge_rate,
      pooling=pooling)


def _gae_layers(features, dropout):
  """tkipf/gae ``GraphConvolution`` layers (``gae/layers.py``): bias-free GCN."""
  return dict(features=tuple(features), dropout=dropout, use_bias=False)


def gae(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (32, 16),
        dropout: float = 0.0, negatives: Optional[int] = None) -> MaskedAutoencoder:
  """GAE (Kipf & Welling, NIPS BDL workshop 2016): link reconstruction from ``Z Z^T``.

  tkipf/gae ``GCNModelAE`` (``gae/model.py``, flags of ``gae/train.py``: ``hidden1 32``,
  ``hidden2 16``, ``dropout 0``): bias-free GCN layers, ReLU between them and a linear last
  layer, on the training graph (the train edges of a :func:`jgssl.evaluate.split_edges` split in
  the ``LinkPred-GAE`` protocol); no mask; :class:`jgssl.models.InnerProductDecoder`;
  :class:`LinkReconstruction` (dense official loss, or ``negatives`` sampled per edge).
  ``embed`` returns ``Z``.

  Args:
    encoder: any encoder module; ``None`` builds the GCN from ``features`` and ``dropout``
      (dropout on every layer's input).
    features: GCN widths (``hidden1``, ``hidden2``).
    dropout: the GCN's input dropout.
    negatives: ``None`` (the official dense loss) or sampled non-edges per edge slot.
  """
  if encoder is None:
    encoder = models.GCN(activation="relu", last_activation=False,
                         **_gae_layers(features, dropout))
  return MaskedAutoencoder(encoder=encoder, decoder=models.InnerProductDecoder(),
                           objective=LinkReconstruction(negatives=negatives))


def vgae(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (32, 16),
         dropout: float = 0.0, negatives: Optional[int] = None) -> MaskedAutoencoder:
  """VGAE (Kipf & Welling, NIPS BDL workshop 2016): :func:`gae` with a Gaussian latent.

  tkipf/gae ``GCNModelVAE`` (``gae/model.py``) and ``OptimizerVAE`` (``gae/optimizer.py``): a
  :class:`GaussianEncoder` whose shared body is the bias-free ReLU GCN of ``features[:-1]`` and
  whose ``mu`` and ``log_std`` heads are linear bias-free GCN layers of width ``features[-1]``;
  training decodes ``z = mu + eps * sigma`` and adds the official KL term; ``embed`` returns
  ``mu``.

  Args:
    encoder: the shared body (any encoder module); ``None`` builds the GCN of
      ``features[:-1]``. The heads are always GCN layers of width ``features[-1]``.
    features: GCN widths (``hidden1``, ``hidden2``); at least two without ``encoder``.
    dropout: input dropout of every GCN layer.
    negatives: as in :func:`gae`.
  """
  features = _widths(features)
  if encoder is None:
    if len(features) < 2:
      raise ValueError(f"vgae needs features for a body and the heads, e.g. (32, 16); got "
                       f"{features}")
    encoder = models.GCN(activation="relu", **_gae_layers(features[:-1], dropout))
  head = _gae_layers(features[-1:], dropout)
  encoder = GaussianEncoder(
      body=encoder, mu=models.GCN(last_activation=False, **head),
      log_std=models.GCN(last_activation=False, **head))
  return dataclasses.replace(gae(encoder=encoder, negatives=negatives), variational=True)

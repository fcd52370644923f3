"""GraphMAE: masked graph autoencoder with a scaled cosine error (Hou et al., KDD 2022).

Official code: THUDM/GraphMAE (``graphmae/models/edcoder.py``; REFERENCES.md §3.8). One step:

1. mask ``mask_rate`` of the present nodes of every graph (:func:`jgssl.augment.graphmae_mask`):
   their features become a learnable [MASK] token, or (fraction ``replace_rate``) another node's
   features;
2. optionally drop edges (``drop_edge_rate``) of the encoder's graph only;
3. encode (GAT for nodes, GIN for graphs; the last layer keeps norm and activation, GraphMAE's
   ``encoding=True``), map to the decoder with a bias-free linear layer, and set the rows of the
   masked nodes back to 0 ("re-mask", GNN decoders only);
4. decode with one GNN layer on the graph *without* dropped edges, to the feature width;
5. loss: mean over masked nodes of ``(1 - cos(x_hat_i, x_i))^alpha``
   (:func:`jgssl.losses.scaled_cosine_error`).

``embed`` returns the encoder's node rows in evaluation mode (node level) or their per-graph
``pooling`` (graph level, ``pooling`` set). GraphMAE's TU graphs carry self-loops; a GIN layer over
a graph with self-loops is a GIN layer with ``eps + 1``, so ``gin_eps=1`` reproduces them without
storing loops (jgssl graphs store none). Masking counts are taken over the whole batch of graphs
as in the official code (``mask_scope='batch'``: ``floor(mask_rate * nodes in the batch)`` masked
nodes, replacement rows drawn from any graph of the batch); ``mask_scope='graph'`` counts per graph
instead (see :func:`jgssl.augment.graphmae_mask`), which masks fewer nodes on small graphs and,
with ``replace_rate > 0``, leaves about one masked row per graph unchanged (the two floors).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment, losses, models
from jgssl import graph as graph_lib
from jgssl.augment import _util as augment_util
from jgssl.methods.base import Method

__all__ = ["GraphMAE", "GraphMAEModel"]

_ENCODERS = ("gat", "gin", "gcn")
_DECODERS = ("gat", "gin", "gcn", "linear")


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


class GraphMAEModel(nn.Module, kw_only=True):
  """Encoder, encoder-to-decoder map, decoder and [MASK] token of :class:`GraphMAE`.

  ``__call__(graph, *, training)`` encodes (``[N, hidden]``); :meth:`reconstruct` runs the
  masked autoencoder and returns ``(x_hat [N, F], masked [N])``. Attributes mirror
  :class:`GraphMAE`'s fields.
  """
  in_features: int
  encoder: str
  decoder: str
  hidden: int
  num_layers: int
  heads: int
  out_heads: int
  activation: str
  norm: str
  residual: bool
  in_drop: float
  attn_drop: float
  negative_slope: float
  gin_eps: float

  def setup(self):
    common = dict(features=(self.hidden,) * self.num_layers, activation=self.activation,
                  norm=self.norm, dropout=self.in_drop, residual=self.residual)
    if self.encoder == "gat":
      self.enc = models.GAT(heads=self.heads, attn_dropout=self.attn_drop,
                            negative_slope=self.negative_slope, **common)
    elif self.encoder == "gin":
      self.enc = models.GIN(mlp_norm=self.norm, eps=self.gin_eps, **common)
    else:
      self.enc = models.GCN(**common)
    self.enc_to_dec = models.Linear(features=self.hidden, use_bias=False, weight_init="torch")
    dec = dict(features=(self.in_features,), dropout=self.in_drop, last_norm=False,
               last_activation=False)
    if self.decoder == "gat":
      self.dec = models.GAT(heads=self.out_heads, concat=False, attn_dropout=self.attn_drop,
                            negative_slope=self.negative_slope, **dec)
    elif self.decoder == "gin":
      self.dec = models.GIN(hidden_features=self.hidden, activation=self.activation,
                            mlp_norm=self.norm, eps=self.gin_eps, **dec)
    elif self.decoder == "gcn":
      self.dec = models.GCN(**dec)
    else:
      self.dec = models.MLP(**dec)
    self.mask_token = self.param("mask_token", nn.initializers.zeros, (self.in_features,),
                                 jnp.float32)

  def __call__(self, graph, *, training: bool = False):
    return self.enc(graph, training=training)

  def _encode_masked(self, mask_key, edge_key, graph, *, mask_rate, replace_rate,
                     drop_edge_rate, mask_scope, training):
    """Masks (per graph or over the batch), drops edges, encodes and re-masks.

    Returns ``(masked_graph, h [N, D_dec], masked bool [N])``.
    """
    scope_graph = _as_one_graph(graph) if mask_scope == "batch" else graph
    scope_masked, masked = augment.graphmae_mask(mask_key, scope_graph, rate=mask_rate,
                                                 mask_token=self.mask_token,
                                                 replace_rate=replace_rate)
    # Token rows are dense: the sparse-column index no longer describes x.
    masked_graph = graph_lib.with_node_features(graph, scope_masked.nodes["x"])
    enc_graph = (augment.drop_edges(edge_key, masked_graph, rate=drop_edge_rate)
                 if drop_edge_rate > 0 else masked_graph)
    h = self.enc_to_dec(self.enc(enc_graph, training=training))
    if self.decoder != "linear":
      h = jnp.where(masked[:, None], 0.0, h)
    return masked_graph, h, masked

  def reconstruct(self, mask_key, edge_key, graph, *, mask_rate: float, replace_rate: float,
                  drop_edge_rate: float, mask_scope: str = "graph", training: bool = True):
    """Masks, encodes, re-masks and decodes; returns ``(x_hat [N, F], masked bool [N])``."""
    masked_graph, h, masked = self._encode_masked(
        mask_key, edge_key, graph, mask_rate=mask_rate, replace_rate=replace_rate,
        drop_edge_rate=drop_edge_rate, mask_scope=mask_scope, training=training)
    dec_graph = masked_graph._replace(nodes={**masked_graph.nodes, "x": h})
    return self.dec(dec_graph, training=training), masked

  def reconstruct_masked(self, mask_key, edge_key, graph, *, mask_rate: float,
                         replace_rate: float, drop_edge_rate: float, mask_scope: str = "graph",
                         training: bool = True):
    """:meth:`reconstruct` decoding only the masked rows (the rows the loss reads).

    Same masking, encoder, dropout and attention draws as :meth:`reconstruct`; the decoder's
    last layer is evaluated at ``M = floor(mask_rate * N)`` row slots (``N`` the padded node
    count, an upper bound on the masked count, static), which for a GAT decoder that
    aggregates before projecting halves the ``[N, 512] x [512, F]`` products at
    ``mask_rate = 0.5``.

    Returns:
      ``(x_hat [M, F], index [M], valid [M], masked [N])``: slot ``m`` holds row ``index[m]``
      when ``valid[m]``; the masked rows fill the first slots in increasing order.
    """
    masked_graph, h, masked = self._encode_masked(
        mask_key, edge_key, graph, mask_rate=mask_rate, replace_rate=replace_rate,
        drop_edge_rate=drop_edge_rate, mask_scope=mask_scope, training=training)
    dec_graph = masked_graph
    dec_graph = dec_graph._replace(nodes={**dec_graph.nodes, "x": h})
    # Exactly the rational floor graphmae_mask uses (int(0.29 * 100) would be 28, not 29).
    num_slots = max(1, math.floor(augment_util.as_fraction(mask_rate) * masked.shape[0]))
    index = jnp.nonzero(masked, size=num_slots, fill_value=0)[0].astype(jnp.int32)
    valid = jnp.arange(num_slots) < jnp.sum(masked)
    return self.dec(dec_graph, training=training, rows=index), index, valid, masked


@dataclasses.dataclass(frozen=True, kw_only=True)
class GraphMAE(Method):
  """GraphMAE (Hou et al., KDD 2022) as a :class:`jgssl.methods.Method`.

  Attributes:
    encoder: ``'gat'`` (node level), ``'gin'`` (graph level) or ``'gcn'``.
    decoder: ``'gat'``, ``'gin'``, ``'gcn'`` or ``'linear'``.
    hidden: encoder width (GAT: total over heads, GraphMAE's ``num_hidden``).
    num_layers: encoder layers.
    heads: GAT encoder heads; out_heads: GAT decoder heads (averaged).
    activation: ``'prelu'`` (GraphMAE) or any :class:`jgssl.models.Activation` name.
    norm: ``'none'``, ``'batch'`` or ``'layer'`` (also the GIN MLPs' norm).
    residual: residual connections in the encoder.
    in_drop: feature dropout on every layer input; attn_drop: GAT attention dropout.
    negative_slope: GAT LeakyReLU slope.
    gin_eps: GIN eps (1 = GraphMAE's self-loops, see the module docstring).
    mask_rate: fraction of nodes masked; replace_rate: fraction of masked nodes given another
      node's features instead of the token.
    drop_edge_rate: edge dropping on the encoder's graph.
    alpha: exponent of the scaled cosine error (``alpha_l``).
    pooling: ``None`` for node level; ``'mean'``, ``'sum'`` or ``'max'`` makes the method graph
      level (``embed`` pools per graph).
    mask_scope: ``'batch'`` (GraphMAE: masking counts over all nodes of the batch) or
      ``'graph'`` (counts per graph); the same for a single graph.
  """
  encoder: str = "gat"
  decoder: str = "gat"
  hidden: int = 512
  num_layers: int = 2
  heads: int = 4
  out_heads: int = 1
  activation: str = "prelu"
  norm: str = "none"
  residual: bool = False
  in_drop: float = 0.2
  attn_drop: float = 0.1
  negative_slope: float = 0.2
  gin_eps: float = 0.0
  mask_rate: float = 0.5
  replace_rate: float = 0.0
  drop_edge_rate: float = 0.0
  alpha: float = 2.0
  pooling: Optional[str] = None
  mask_scope: str = "batch"

  def __post_init__(self):
    if self.encoder not in _ENCODERS:
      raise ValueError(f"encoder must be one of {_ENCODERS}, got {self.encoder!r}")
    if self.decoder not in _DECODERS:
      raise ValueError(f"decoder must be one of {_DECODERS}, got {self.decoder!r}")
    if self.hidden < 1 or self.num_layers < 1:
      raise ValueError(f"hidden and num_layers must be >= 1, got {self.hidden}, "
                       f"{self.num_layers}")
    if self.encoder == "gat" and self.hidden % self.heads:
      raise ValueError(f"hidden={self.hidden} must be divisible by heads={self.heads} (GAT "
                       "hidden is the total width over heads)")
    for name in ("mask_rate", "replace_rate", "drop_edge_rate", "in_drop", "attn_drop"):
      value = getattr(self, name)
      if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value}")
    if self.mask_rate == 0.0:
      raise ValueError("mask_rate must be > 0: GraphMAE's loss is over masked nodes")
    if self.alpha < 1.0:
      raise ValueError(f"alpha must be >= 1, got {self.alpha}")
    if self.mask_scope not in ("batch", "graph"):
      raise ValueError(f"mask_scope must be 'batch' or 'graph', got {self.mask_scope!r}")
    if self.pooling is not None and self.pooling not in models.READOUTS:
      raise ValueError(f"pooling must be None or one of {sorted(models.READOUTS)}, got "
                       f"{self.pooling!r}")

  @property
  def level(self) -> str:
    return "node" if self.pooling is None else "graph"

  def model(self, in_features: int) -> GraphMAEModel:
    """The Flax module for graphs with ``in_features`` feature columns."""
    return GraphMAEModel(
        in_features=in_features, encoder=self.encoder, decoder=self.decoder, hidden=self.hidden,
        num_layers=self.num_layers, heads=self.heads, out_heads=self.out_heads,
        activation=self.activation, norm=self.norm, residual=self.residual,
        in_drop=self.in_drop, attn_drop=self.attn_drop, negative_slope=self.negative_slope,
        gin_eps=self.gin_eps)

  def _reconstruct_kwargs(self):
    return dict(mask_rate=self.mask_rate, replace_rate=self.replace_rate,
                drop_edge_rate=self.drop_edge_rate, mask_scope=self.mask_scope)

  def init(self, key, graph):
    model = self.model(graph.nodes["x"].shape[1])

    @jax.jit  # one compiled program instead of hundreds of eager dispatches
    def init(key, graph):
      k_params, k_drop, k_mask, k_edge = jax.random.split(key, 4)
      return model.init({"params": k_params, "dropout": k_drop}, k_mask, k_edge, graph,
                        method=GraphMAEModel.reconstruct, **self._reconstruct_kwargs())

    variables = init(key, graph)
    # GAT layers sow their attention into 'intermediates' during init: not model state.
    return {k: v for k, v in variables.items() if k != "intermediates"}

  def loss(self, variables, key, graph):
    k_drop, k_mask, k_edge = jax.random.split(key, 3)
    mutable = [c for c in variables if c != "params"]
    (x_hat, index, valid, masked), updates = self.model(graph.nodes["x"].shape[1]).apply(
        variables, k_mask, k_edge, graph, method=GraphMAEModel.reconstruct_masked,
        rngs={"dropout": k_drop}, mutable=mutable, **self._reconstruct_kwargs())
    # The loss reads the masked rows only: decode just those (same value, fewer FLOPs).
    rows = losses.scaled_cosine_error(x_hat, jnp.asarray(graph.nodes["x"])[index], alpha=self.alpha,
                                      where=valid)
    loss = losses.masked_mean(rows, valid)
    present = jnp.maximum(jnp.sum(graph.nodes["mask"]), 1)
    return loss, {"masked_fraction": jnp.sum(masked) / present, "updates": dict(updates)}

  def embed(self, variables, graph):
    h = self.model(graph.nodes["x"].shape[1]).apply(variables, graph, training=False)
    if self.pooling is None:
      return h
    return models.get_readout(self.pooling)(h, graph)

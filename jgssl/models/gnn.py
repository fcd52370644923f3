"""Flax Linen graph encoders over :class:`jraph.GraphsTuple`: GCN, GAT, GIN, GraphSAGE and MLP.

All encoders share one call signature and one set of options::

  encoder = GCN(features=(512, 256), activation="prelu", norm="batch")
  variables = encoder.init(key, graph)                      # {'params', 'batch_stats'?}
  h = encoder.apply(variables, graph)                       # eval: [N, 256]
  h, upd = encoder.apply(variables, graph, training=True,   # training: dropout / batch stats
                         rngs={"dropout": key}, mutable=["batch_stats"])

Graph convention (:mod:`jgssl.graph`): node features ``graph.nodes['x']`` ``[N, F]``, node mask
``graph.nodes['mask']`` ``[N]``, edge weight / mask ``graph.edges['weight' | 'mask']`` ``[E]``.

Padding and masks, for every encoder:

* Only *present* edges carry messages: :func:`jgssl.graph.edge_mask` (edge mask True and both end
  nodes present). GCN, GIN and GraphSAGE multiply messages by ``edges['weight']``; GAT uses the
  mask only (attention replaces the weight, as in PyG's ``GATConv`` without edge features).
* Nodes whose ``nodes['mask']`` is False — padding nodes **and** dropped-but-real nodes — send
  nothing, are left out of batch-norm statistics, and output **zero rows** after every layer
  (and in ``return_layers`` outputs). Readouts therefore see only present nodes.
* Self-loops are added implicitly (GCN, GAT) for present nodes only, never stored as edges; the
  input graphs should not store self-loops (the jgssl convention), or they count twice.
* Outputs on present nodes do not depend on the padding budget. Stochastic layers (dropout,
  attention dropout, RReLU) draw noise of the padded shape, so the *same key* with a different
  budget gives different noise; everything deterministic (including training-mode batch norm) is
  padding-invariant.

Layer ``l`` computes, in order: dropout on its input (``dropout``, the GraphMAE ``in_drop`` /
``feat_drop``), the convolution, ``+ residual`` (identity when widths match, else a bias-free
linear map, as GraphMAE's ``res_fc``), then norm and activation in the order given by ``order``
(``'norm_act'``: GraphMAE, BGRL; ``'act_norm'``: InfoGraph / GraphCL's ``bn(relu(conv(x)))``). The
last layer skips norm / activation when ``last_norm`` / ``last_activation`` is False.

How the papers' encoders are written with these options (each from the official repository's
encoder code and configs: PetarV-/DGI ``execute.py``, CRIPAC-DIG/GRACE ``config.yaml``,
nerdslab/bgrl ``config/*.cfg``, pbielak/graph-barlow-twins ``gssl/full_batch/encoders.py``,
THUDM/GraphMAE ``configs.yml``, Shen-Lab/GraphCL ``unsupervised_TU/gin.py``, fanyun-sun/InfoGraph
``unsupervised/gin.py``, tkipf/gae ``gae/model.py``):

* DGI: ``GCN(features=(512,), activation='prelu')``.
* GRACE (Cora): ``GCN(features=(256, 128), activation='relu')`` (first layer 2× wide).
* BGRL: ``GCN(features=(512, 256), norm='batch', activation='prelu', bn_momentum=0.99)``
  (BatchNorm + PReLU after every layer). BGRL passes ``batchnorm_mm=0.99`` straight to PyG's /
  PyTorch's ``BatchNorm(momentum=...)``, so its running averages weight the *new* batch by 0.99;
  ``bn_momentum=0.99`` reproduces that literally (0.01 would be the TF / BYOL reading).
* G-BT: ``GCN(features=(2d, d), norm='batch', activation='prelu', bn_momentum=0.01,
  last_norm=False, last_activation=False)`` (PyTorch ``momentum=0.01``).
* GraphMAE (Cora): ``GAT(features=(512, 512), heads=4, activation='prelu', dropout=0.2,
  attn_dropout=0.1)``; PPI adds ``residual=True, norm='layer'``; the decoder is
  :class:`jgssl.models.FeatureDecoder`.
* GraphMAE graphs (MUTAG): ``GIN(features=(32,) * 5, activation='prelu', norm='batch',
  mlp_norm='batch')``.
* GraphCL / InfoGraph: ``GIN(features=(32, 32, 32), activation='relu', norm='batch',
  order='act_norm', return_layers=True)`` then
  :func:`jgssl.models.concat_layer_readouts` with ``sum_readout``.
* GAE: ``GCN(features=(32, 16), last_activation=False)``.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import flax.linen as nn
import jax
import jax.numpy as jnp
import jraph

from jgssl import graph as graph_lib
from jgssl.models.layers import (Activation, ActivationLike, Linear, Norm, check_activation,
                                 check_norm, check_rate, masked_rows)

__all__ = [
    "ENCODERS",
    "GAT",
    "GATConv",
    "GCN",
    "GCNConv",
    "GIN",
    "GINConv",
    "GraphSAGE",
    "MLP",
    "SAGEConv",
    "make_encoder",
]

Array = jnp.ndarray


def _check_graph(graph: jraph.GraphsTuple, *, needs_x: bool = True) -> None:
  """Raises ``ValueError`` unless ``graph`` follows the jgssl convention."""
  nodes, edges = graph.nodes, graph.edges
  if not isinstance(nodes, dict) or "mask" not in nodes or (needs_x and "x" not in nodes):
    raise ValueError("graph.nodes must be a dict with 'x' [N, F] and 'mask' [N] (build the graph "
                     "with jgssl.graph.from_edge_index and pad it with jgssl.graph.pad_graph)")
  if not isinstance(edges, dict) or "mask" not in edges or "weight" not in edges:
    raise ValueError("graph.edges must be a dict with 'weight' [E] and 'mask' [E]")
  if needs_x and jnp.ndim(nodes["x"]) != 2:
    raise ValueError(f"graph.nodes['x'] must be [N, F], got shape {jnp.shape(nodes['x'])}")


def _message_weights(graph: jraph.GraphsTuple) -> Array:
  """float32 ``[E]``: edge weight on present edges, 0 elsewhere."""
  return jnp.where(graph_lib.edge_mask(graph), graph.edges["weight"], 0.0).astype(jnp.float32)


def _aggregate(graph: jraph.GraphsTuple, h: Array, w: Array) -> Array:
  """``out[i] = sum_{e: receiver(e) = i} w[e] * h[sender(e)]``, ``[N, D]``."""
  num_nodes = h.shape[0]
  msg = h[graph.senders] * w[:, None].astype(h.dtype)
  return jax.ops.segment_sum(msg, graph.receivers, num_segments=num_nodes)


# ---------------------------------------------------------------------------------------------
# Convolutions (one layer each): __call__(graph, h, *, training) -> [N, features]
# ---------------------------------------------------------------------------------------------


class GCNConv(nn.Module, kw_only=True):
  """Graph convolution ``D^-1/2 (A + I) D^-1/2 H W + b`` (Kipf & Welling, ICLR 2017).

  The normalisation comes from :func:`jgssl.graph.symmetric_norm_weights`, recomputed every call
  from the current (augmented) node and edge masks and edge weights; the self-loop (weight 1) is
  added for present nodes without being stored. Glorot-uniform weight, zero bias (PyG).

  Attributes:
    features: output width.
    add_self_loops: use ``A + I`` (True, the paper) or ``A`` with ``D`` its degree.
    use_bias: add a bias after aggregation.

  Input ``h`` ``[N, F]``, output ``[N, features]``; non-present rows are not zeroed here (the
  encoder does it), but they receive and send nothing.
  """
  features: int
  add_self_loops: bool = True
  use_bias: bool = True

  accepts_cols = True

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, h: Array, *, training: bool = False,
               cols: Optional[Array] = None) -> Array:
    del training
    hw = Linear(features=self.features, use_bias=False, weight_init="glorot", name="linear")(
        h, cols=cols)
    edge_w, self_w = graph_lib.symmetric_norm_weights(graph, add_self_loops=self.add_self_loops)
    out = _aggregate(graph, hw, edge_w) + self_w[:, None].astype(hw.dtype) * hw
    if self.use_bias:
      out = out + self.param("bias", nn.initializers.zeros, (self.features,), jnp.float32)
    return out


def _gat_attention_init(heads: int, per_head: int):
  """DGL / GraphMAE init of the attention vectors: Xavier-normal, gain sqrt(2), on ``[1, H, C]``."""
  std = (2.0 ** 0.5) * (2.0 / (heads * per_head + per_head)) ** 0.5

  def init(key, shape, dtype=jnp.float32):
    return std * jax.random.normal(key, shape, dtype)

  return init


def _resolve_heads(heads, concat, num_layers: int):
  """Per-layer tuples of heads and concat flags."""
  heads_t = (tuple(int(h) for h in heads) if isinstance(heads, (tuple, list))
             else (int(heads),) * num_layers)
  concat_t = (tuple(bool(c) for c in concat) if isinstance(concat, (tuple, list))
              else (bool(concat),) * num_layers)
  if len(heads_t) != num_layers or len(concat_t) != num_layers:
    raise ValueError(f"heads {heads!r} and concat {concat!r} must be one value or one per layer "
                     f"({num_layers} layers)")
  return heads_t, concat_t


def _per_head_width(features: int, heads: int, concat: bool) -> int:
  if heads < 1:
    raise ValueError(f"heads must be >= 1, got {heads}")
  if concat:
    if features % heads:
      raise ValueError(f"GAT with concat=True needs features divisible by heads: "
                       f"{features} is not divisible by {heads}")
    return features // heads
  return features


class GATConv(nn.Module, kw_only=True):
  """Graph attention layer (Veličković et al., ICLR 2018), multi-head.

  For receiver ``i`` and each head: ``e_ij = LeakyReLU(a_src · W h_j + a_dst · W h_i)`` over present
  in-edges ``j -> i`` plus, with ``add_self_loops``, the self pair ``i -> i`` (computed on the fly,
  never stored as an edge, present nodes only); ``alpha_i = softmax_j(e_ij)`` over exactly those
  pairs (masked edges get no attention); attention dropout on ``alpha``; output
  ``sum_j alpha_ij W h_j``, heads concatenated or averaged, then ``+ b``. Edge weights are not used
  (mask only). A node with no present in-edge and no self-loop outputs the bias.

  ``features`` is the layer's **total** output width: with ``concat=True`` each head has
  ``features // heads`` channels (GraphMAE's ``num_hidden`` convention), with ``concat=False``
  each head has ``features`` channels and the heads are averaged (GAT's output layer). Weights use
  DGL / GraphMAE's init (Xavier-normal, gain sqrt(2)), zero bias.

  The attention coefficients are sown as ``intermediates['attention']`` =
  ``(alpha_edges [E, heads], alpha_self [N, heads])`` (before attention dropout); apply with
  ``mutable=['intermediates']`` to read them.

  Attributes:
    features: total output width (see above).
    heads: number of attention heads.
    concat: concatenate (True) or average (False) the heads.
    negative_slope: LeakyReLU slope of the attention logits (0.2).
    attn_dropout: dropout rate on the attention coefficients (``'dropout'`` rng, training only).
    add_self_loops: attend to the node itself as GAT / PyG / DGL-with-self-loops do.
    use_bias: add a bias.
  """
  features: int
  heads: int = 1
  concat: bool = True
  negative_slope: float = 0.2
  attn_dropout: float = 0.0
  add_self_loops: bool = True
  use_bias: bool = True

  def __post_init__(self):
    _per_head_width(self.features, self.heads, self.concat)
    check_rate(self.attn_dropout, "attn_dropout")
    super().__post_init__()

  accepts_cols = True
  accepts_rows = True

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, h: Array, *, training: bool = False,
               cols: Optional[Array] = None, rows: Optional[Array] = None) -> Array:
    """``[N, features]`` outputs (``[M, features]`` for int ``rows`` ``[M]``: ``out[rows]``)."""
    num_nodes, f_in = h.shape
    heads = self.heads
    per_head = _per_head_width(self.features, heads, self.concat)
    linear = Linear(features=heads * per_head, use_bias=False, weight_init="glorot_relu",
                    name="linear")
    a_init = _gat_attention_init(heads, per_head)
    a_src = self.param("att_src", a_init, (heads, per_head), jnp.float32)
    a_dst = self.param("att_dst", a_init, (heads, per_head), jnp.float32)
    # Narrow input, wide heads (GraphMAE's decoder: 512 -> 1433): aggregate the inputs and
    # project afterwards, sum_j a_ij (h_j W) = (sum_j a_ij h_j) W, and score with W a — the
    # same numbers with per-edge work over F_in instead of per_head channels.
    project_last = f_in < per_head
    if project_last:
      kernel, _ = linear(h, return_params=True)
      kernel = kernel.reshape(f_in, heads, per_head).astype(h.dtype)
      s_src = h @ jnp.einsum("fhc,hc->fh", kernel, a_src)                  # [N, H]
      s_dst = h @ jnp.einsum("fhc,hc->fh", kernel, a_dst)                  # [N, H]
      values = jnp.broadcast_to(h[:, None, :], (num_nodes, heads, f_in))   # [N, H, F_in]
    else:
      hw = linear(h, cols=cols).reshape(num_nodes, heads, per_head)
      s_src = jnp.sum(hw * a_src, axis=-1)                                  # [N, H]
      s_dst = jnp.sum(hw * a_dst, axis=-1)                                  # [N, H]
      values = hw

    present_e = graph_lib.edge_mask(graph)[:, None]                         # [E, 1]
    present_n = graph.nodes["mask"][:, None]                                # [N, 1]
    leaky = lambda z: jax.nn.leaky_relu(z, self.negative_slope)
    e_edge = leaky(s_src[graph.senders] + s_dst[graph.receivers])           # [E, H]
    e_self = leaky(s_src + s_dst)                                           # [N, H]
    neg = jnp.asarray(-jnp.inf, e_edge.dtype)
    e_edge_m = jnp.where(present_e, e_edge, neg)
    mx = jax.ops.segment_max(e_edge_m, graph.receivers, num_segments=num_nodes)
    has_self = present_n if self.add_self_loops else jnp.zeros_like(present_n)
    mx = jnp.maximum(mx, jnp.where(has_self, e_self, neg))
    mx = jax.lax.stop_gradient(jnp.where(jnp.isfinite(mx), mx, 0.0))
    ex_edge = jnp.where(present_e, jnp.exp(jnp.where(present_e, e_edge - mx[graph.receivers],
                                                     0.0)), 0.0)
    ex_self = jnp.where(has_self, jnp.exp(jnp.where(has_self, e_self - mx, 0.0)), 0.0)
    denom = jax.ops.segment_sum(ex_edge, graph.receivers, num_segments=num_nodes) + ex_self
    denom = jnp.where(denom > 0, denom, 1.0)
    alpha_edge = ex_edge / denom[graph.receivers]                           # [E, H]
    alpha_self = ex_self / denom                                            # [N, H]
    self.sow("intermediates", "attention", (alpha_edge, alpha_self))

    if self.attn_dropout > 0.0:
      drop = nn.Dropout(self.attn_dropout, deterministic=not training)
      alpha_edge = drop(alpha_edge)
      alpha_self = drop(alpha_self)
    msg = values[graph.senders] * alpha_edge[:, :, None]                   # [E, H, C]
    out = jax.ops.segment_sum(msg, graph.receivers, num_segments=num_nodes)
    out = out + alpha_self[:, :, None] * values                             # [N, H, C]
    if rows is not None:
      out = out[rows]                                      # before the projection: M rows only
    if project_last and heads == 1:
      out = (out[:, 0, :] @ kernel[:, 0, :])[:, None, :]                   # [N, 1, C]
    elif project_last:
      out = jnp.einsum("nhf,fhc->nhc", out, kernel)                         # [N, H, C]
    out = out.reshape(out.shape[0], heads * per_head) if self.concat else jnp.mean(out, axis=1)
    if self.use_bias:
      out = out + self.param("bias", nn.initializers.zeros, (self.features,), jnp.float32)
    return out


class GINConv(nn.Module, kw_only=True):
  """Graph isomorphism layer ``MLP((1 + eps) h_i + sum_j w_ij h_j)`` (Xu et al., ICLR 2019).

  Sum aggregation over present in-edges, messages scaled by ``edges['weight']``. The MLP is
  ``mlp_layers`` PyTorch-initialised linear maps with ``mlp_norm`` then ``activation`` between
  them (not after the last one): InfoGraph / GraphCL use ``Linear-ReLU-Linear``
  (``mlp_norm='none'``), the GIN paper and GraphMAE ``Linear-BN-act-Linear``
  (``mlp_norm='batch'``, statistics over present nodes).

  Attributes:
    features: output width.
    hidden_features: width of the MLP's hidden layers (default ``features``).
    mlp_layers: number of linear maps in the MLP (>= 1).
    activation: activation between MLP layers (see :class:`jgssl.models.Activation`).
    mlp_norm: ``'batch'``, ``'layer'`` or ``'none'`` between MLP layers.
    eps: the (initial) ``eps``.
    learn_eps: learn ``eps`` (param ``'eps'``) or keep it fixed.
    bn_momentum: batch-norm momentum, PyTorch convention.
  """
  features: int
  hidden_features: Optional[int] = None
  mlp_layers: int = 2
  activation: ActivationLike = "relu"
  mlp_norm: str = "none"
  eps: float = 0.0
  learn_eps: bool = False
  bn_momentum: float = 0.1

  def __post_init__(self):
    if self.mlp_layers < 1:
      raise ValueError(f"mlp_layers must be >= 1, got {self.mlp_layers}")
    check_activation(self.activation)
    check_norm(self.mlp_norm, "mlp_norm")
    super().__post_init__()

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, h: Array, *, training: bool = False) -> Array:
    present = graph.nodes["mask"]
    eps = (self.param("eps", nn.initializers.constant(self.eps), (), jnp.float32)
           if self.learn_eps else jnp.asarray(self.eps, jnp.float32))
    z = (1.0 + eps) * h + _aggregate(graph, h, _message_weights(graph))
    z = masked_rows(z, present)
    hidden = self.hidden_features or self.features
    for l in range(self.mlp_layers):
      last = l == self.mlp_layers - 1
      z = Linear(features=self.features if last else hidden, weight_init="torch",
                 name=f"mlp_{l}")(z)
      if not last:
        z = Norm(kind=self.mlp_norm, momentum=self.bn_momentum, name=f"mlp_norm_{l}")(
            z, present, training=training)
        z = Activation(kind=self.activation, name=f"mlp_act_{l}")(z, training=training)
    return z


class SAGEConv(nn.Module, kw_only=True):
  """GraphSAGE layer with mean aggregation (Hamilton et al., NeurIPS 2017), as PyG's ``SAGEConv``.

  ``out_i = W_neigh mean_j h_j + b + W_root h_i`` where the mean runs over present in-edges,
  weighted by ``edges['weight']`` (``sum_j w_ij h_j / sum_j w_ij``; the plain mean for unweighted
  graphs); a node without present in-edges gets a zero mean. PyTorch ``Linear`` init.

  Attributes:
    features: output width.
    root_weight: add the ``W_root h_i`` term (PyG ``root_weight=True``).
    use_bias: bias on the neighbour term.
  """
  features: int
  root_weight: bool = True
  use_bias: bool = True

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, h: Array, *, training: bool = False) -> Array:
    del training
    w = _message_weights(graph)
    total = _aggregate(graph, h, w)
    count = jax.ops.segment_sum(w, graph.receivers, num_segments=h.shape[0])
    mean = total / jnp.where(count > 0, count, 1.0)[:, None].astype(h.dtype)
    out = Linear(features=self.features, use_bias=self.use_bias, weight_init="torch",
                 name="lin_neigh")(mean)
    if self.root_weight:
      out = out + Linear(features=self.features, use_bias=False, weight_init="torch",
                         name="lin_root")(h)
    return out


class _NodeLinear(nn.Module, kw_only=True):
  """Graph-agnostic layer ``h W + b`` with the convolution signature (for :class:`MLP`)."""
  features: int
  use_bias: bool = True

  accepts_cols = True

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, h: Array, *, training: bool = False,
               cols: Optional[Array] = None) -> Array:
    del graph, training
    return Linear(features=self.features, use_bias=self.use_bias, weight_init="torch",
                  name="linear")(h, cols=cols)


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


class _GraphEncoder(nn.Module, kw_only=True):
  """Shared layer loop of every encoder; subclasses provide :meth:`_conv`.

  Attributes:
    features: output width of each layer, e.g. ``(256, 128)``; ``len(features)`` layers.
    activation: activation name or callable (see :class:`jgssl.models.Activation`); each layer
      gets its own instance (own PReLU slope).
    norm: ``'batch'`` (masked :class:`MaskedBatchNorm`), ``'layer'`` or ``'none'``.
    dropout: dropout rate on each layer's input (``'dropout'`` rng, training only).
    residual: add a skip connection around each convolution (identity or bias-free linear).
    last_activation: apply the activation after the last layer.
    last_norm: apply the norm after the last layer.
    order: ``'norm_act'`` or ``'act_norm'``.
    bn_momentum: batch-norm momentum, PyTorch convention (0.1 = ``BatchNorm1d`` default).
    return_layers: return the list of every layer's output instead of the last one.
  """
  features: Sequence[int]
  activation: ActivationLike = "relu"
  norm: str = "none"
  dropout: float = 0.0
  residual: bool = False
  last_activation: bool = True
  last_norm: bool = True
  order: str = "norm_act"
  bn_momentum: float = 0.1
  return_layers: bool = False

  def __post_init__(self):
    feats = self.features
    if isinstance(feats, int) or not hasattr(feats, "__len__"):
      raise ValueError(f"features must be a sequence of layer widths, got {feats!r}")
    if len(feats) == 0 or any(int(f) != f or int(f) < 1 for f in feats):
      raise ValueError(f"features must be a non-empty sequence of positive ints, got {feats!r}")
    object.__setattr__(self, "features", tuple(int(f) for f in feats))
    check_activation(self.activation)
    check_norm(self.norm)
    check_rate(self.dropout, "dropout")
    if self.order not in ("norm_act", "act_norm"):
      raise ValueError(f"order must be 'norm_act' or 'act_norm', got {self.order!r}")
    self._validate()
    super().__post_init__()

  def _validate(self) -> None:
    """Extra checks of a subclass (raise ``ValueError``)."""

  def _conv(self, index: int, width: int) -> nn.Module:
    raise NotImplementedError

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, *, training: bool = False,
               rows: Optional[Array] = None) -> Union[Array, List[Array]]:
    """Encodes the nodes of ``graph``.

    Args:
      graph: padded or unpadded GraphsTuple in the jgssl convention.
      training: enables dropout / RReLU noise (``'dropout'`` rng) and batch statistics (apply
        with ``mutable=['batch_stats']`` to update the running averages).
      rows: optional int ``[M]`` node indices: the last layer's output is computed for these
        rows only (``out[rows]``, the same values; GAT layers that aggregate before projecting
        then project only ``M`` rows). Earlier layers run on all nodes, and all randomness is
        drawn as without ``rows``. Not with ``return_layers`` or a norm on the last layer
        (batch statistics would change).

    Returns:
      float ``[N, features[-1]]`` node embeddings (``[M, features[-1]]`` with ``rows``), zero on
      rows whose ``nodes['mask']`` is False; or, with ``return_layers``, a list of
      ``len(features)`` arrays ``[N, features[l]]``.
    """
    if rows is not None and (self.return_layers or (self.norm != "none" and self.last_norm)):
      raise ValueError("rows= needs return_layers=False and no norm on the last layer")
    _check_graph(graph)
    present = graph.nodes["mask"]
    h = masked_rows(jnp.asarray(graph.nodes["x"], jnp.float32), present)
    # Optional sparse column index of x (jgssl.models.sparse): masking rows and dropout keep
    # zeros zero, so it stays valid for the first layer's input.
    cols = graph.nodes.get(graph_lib.SPARSE_KEY)
    outputs = []
    num_layers = len(self.features)
    for i, width in enumerate(self.features):
      last = i == num_layers - 1
      if self.dropout > 0.0:
        h = nn.Dropout(self.dropout, deterministic=not training, name=f"dropout_{i}")(h)
      conv = self._conv(i, width)
      kw = {}
      if i == 0 and cols is not None and getattr(conv, "accepts_cols", False):
        kw["cols"] = cols
      select = last and rows is not None
      if select and getattr(conv, "accepts_rows", False):
        out = conv(graph, h, training=training, rows=rows, **kw)
      else:
        out = conv(graph, h, training=training, **kw)
        out = out[rows] if select else out
      if self.residual:
        res = h if h.shape[-1] == width else Linear(
            features=width, use_bias=False, weight_init="glorot_relu", name=f"residual_{i}")(h)
        out = out + (res[rows] if select else res)
      use_norm = self.norm != "none" and (not last or self.last_norm)
      use_act = not last or self.last_activation

      def norm(z):
        return Norm(kind=self.norm, momentum=self.bn_momentum, name=f"norm_{i}")(
            z, present, training=training) if use_norm else z

      def act(z):
        return Activation(kind=self.activation, name=f"act_{i}")(
            z, training=training) if use_act else z

      out = act(norm(out)) if self.order == "norm_act" else norm(act(out))
      out = masked_rows(out, jnp.asarray(present)[rows] if select else present)
      outputs.append(out)
      h = out
    return outputs if self.return_layers else h


class GCN(_GraphEncoder, kw_only=True):
  """Stack of :class:`GCNConv` layers (Kipf & Welling 2017); DGI, GRACE, GCA, BGRL, GAE encoders.

  Extra attributes:
    add_self_loops: ``A + I`` normalisation (True) or ``A``.
    use_bias: bias in every convolution.

  See :class:`_GraphEncoder` for the shared options and the module docstring for padding.
  """
  add_self_loops: bool = True
  use_bias: bool = True

  def _conv(self, index, width):
    return GCNConv(features=width, add_self_loops=self.add_self_loops, use_bias=self.use_bias,
                   name=f"conv_{index}")


class GAT(_GraphEncoder, kw_only=True):
  """Stack of :class:`GATConv` layers (Veličković et al. 2018); GraphMAE's encoder and decoder.

  ``features[l]`` is layer ``l``'s total width (``heads[l] * per_head`` when concatenating).

  Extra attributes:
    heads: heads per layer (one int for all layers or one per layer).
    concat: concatenate (True) or average heads, one bool or one per layer.
    negative_slope: LeakyReLU slope of the attention logits (0.2).
    attn_dropout: attention dropout (GraphMAE ``attn_drop``).
    add_self_loops: attend to the node itself.
  """
  heads: Union[int, Sequence[int]] = 1
  concat: Union[bool, Sequence[bool]] = True
  negative_slope: float = 0.2
  attn_dropout: float = 0.0
  add_self_loops: bool = True

  def _validate(self):
    heads, concat = _resolve_heads(self.heads, self.concat, len(self.features))
    for f, h, c in zip(self.features, heads, concat):
      _per_head_width(f, h, c)
    check_rate(self.attn_dropout, "attn_dropout")

  def _conv(self, index, width):
    heads, concat = _resolve_heads(self.heads, self.concat, len(self.features))
    return GATConv(features=width, heads=heads[index], concat=concat[index],
                   negative_slope=self.negative_slope, attn_dropout=self.attn_dropout,
                   add_self_loops=self.add_self_loops, name=f"conv_{index}")


class GIN(_GraphEncoder, kw_only=True):
  """Stack of :class:`GINConv` layers (Xu et al. 2019); GraphCL, InfoGraph, GraphMAE (graphs).

  Extra attributes:
    hidden_features: hidden width of each layer's MLP (default: the layer's width).
    mlp_layers: linear maps per MLP (2).
    mlp_norm: norm between MLP layers (``'none'``: InfoGraph / GraphCL; ``'batch'``: GIN paper,
      GraphMAE).
    eps: (initial) eps; 0 is GIN-0 / InfoGraph's default.
    learn_eps: learn eps per layer.

  The MLP's hidden activation is ``activation`` (own instance per layer).
  """
  hidden_features: Optional[int] = None
  mlp_layers: int = 2
  mlp_norm: str = "none"
  eps: float = 0.0
  learn_eps: bool = False

  def _validate(self):
    if self.mlp_layers < 1:
      raise ValueError(f"mlp_layers must be >= 1, got {self.mlp_layers}")
    check_norm(self.mlp_norm, "mlp_norm")

  def _conv(self, index, width):
    return GINConv(features=width, hidden_features=self.hidden_features,
                   mlp_layers=self.mlp_layers, activation=self.activation,
                   mlp_norm=self.mlp_norm, eps=self.eps, learn_eps=self.learn_eps,
                   bn_momentum=self.bn_momentum, name=f"conv_{index}")


class GraphSAGE(_GraphEncoder, kw_only=True):
  """Stack of mean-aggregation :class:`SAGEConv` layers (Hamilton et al. 2017); BGRL's PPI model.

  Extra attributes:
    root_weight: add ``W_root h_i`` in every layer.
  """
  root_weight: bool = True

  def _conv(self, index, width):
    return SAGEConv(features=width, root_weight=self.root_weight, name=f"conv_{index}")


class MLP(_GraphEncoder, kw_only=True):
  """Graph-agnostic encoder: linear layers with the shared options, edges ignored.

  Same call signature as the GNN encoders (CCA-SSG's ``--use_mlp``, baselines); node masks are
  still honoured (batch statistics, zero rows).
  """
  use_bias: bool = True

  def _conv(self, index, width):
    return _NodeLinear(features=width, use_bias=self.use_bias, name=f"conv_{index}")


ENCODERS = {"gcn": GCN, "gat": GAT, "gin": GIN, "sage": GraphSAGE, "graphsage": GraphSAGE,
            "mlp": MLP}


def make_encoder(kind: str, **kwargs) -> nn.Module:
  """Builds an encoder by name (``'gcn'``, ``'gat'``, ``'gin'``, ``'sage'``, ``'mlp'``).

  Keyword arguments are the encoder's attributes, e.g.
  ``make_encoder('gcn', features=(512,), activation='prelu')``.
  """
  key = str(kind).lower()
  if key not in ENCODERS:
    raise ValueError(f"unknown encoder {kind!r}; choose one of {sorted(ENCODERS)}")
  return ENCODERS[key](**kwargs)

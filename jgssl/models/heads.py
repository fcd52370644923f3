"""Heads on top of encoders: projector / predictor MLPs, GraphMAE feature decoders, GAE's
inner-product decoder and DGI's bilinear discriminator.

Row heads (:class:`Projector`, :class:`Predictor`, :class:`Bilinear`) act on ``[N, D]`` rows (nodes
or graphs) and take an optional bool row mask ``[N]``: masked rows are left out of batch-norm
statistics and output 0. :class:`FeatureDecoder` is a one-layer graph encoder and follows the
encoder padding rules of :mod:`jgssl.models.gnn`.
"""

from __future__ import annotations

from typing import Optional

import flax.linen as nn
import jax
import jax.numpy as jnp
import jraph

from jgssl import graph as graph_lib

from jgssl.models.gnn import make_encoder
from jgssl.models.layers import (Activation, ActivationLike, Linear, Norm, check_activation,
                                 check_norm, check_rate, masked_rows)

__all__ = [
    "BILINEAR_INITS",
    "Bilinear",
    "FeatureDecoder",
    "InnerProductDecoder",
    "Predictor",
    "Projector",
    "dense_inner_product_logits",
    "inner_product_logits",
]

Array = jnp.ndarray

# The weight inits :class:`Bilinear` offers (see its ``weight_init``).
BILINEAR_INITS = ("glorot", "torch")


class Projector(nn.Module, kw_only=True):
  """MLP head ``Linear -> [norm] -> act -> ... -> Linear`` on rows ``[N, D]``.

  Layers ``0 .. num_layers-2`` map to ``hidden_features`` and are followed by norm (``norm``) and
  activation; the last maps to ``out_features`` and is followed by them only when ``last_norm`` /
  ``last_activation``. Dropout (``'dropout'`` rng, training only) acts on the input of every layer
  after the first. With ``shortcut`` a linear map of the input is added to the output (InfoGraph /
  MVGRL ``FF`` blocks). PyTorch ``nn.Linear`` initialisation.

  Paper heads:

  * GRACE: ``Projector(hidden_features=proj, out_features=hidden, activation='elu')``.
  * GraphCL: ``Projector(hidden_features=d, out_features=d, activation='relu')``.
  * InfoGraph / MVGRL ``FF``: ``Projector(hidden_features=d, out_features=d, num_layers=3,
    activation='relu' (MVGRL 'prelu'), last_activation=True, shortcut=True)``.

  Attributes:
    hidden_features: width of the hidden layers.
    out_features: output width.
    num_layers: number of linear maps (>= 1; 1 is a single linear map).
    activation: activation name or callable (own instance per layer).
    norm: ``'batch'`` (masked), ``'layer'`` or ``'none'`` after hidden layers.
    dropout: dropout rate between layers.
    last_activation: activation after the last layer too.
    last_norm: norm after the last layer too.
    shortcut: add ``Linear(out_features)(x)`` to the output.
    bn_momentum: batch-norm momentum, PyTorch convention.
    use_bias: biases in the linear maps.

  ``__call__(x [N, D], *, mask=None, training=False)`` returns ``[N, out_features]``, zero on rows
  where ``mask`` is False.
  """
  hidden_features: int
  out_features: int
  num_layers: int = 2
  activation: ActivationLike = "relu"
  norm: str = "none"
  dropout: float = 0.0
  last_activation: bool = False
  last_norm: bool = False
  shortcut: bool = False
  bn_momentum: float = 0.1
  use_bias: bool = True

  def __post_init__(self):
    if self.num_layers < 1:
      raise ValueError(f"num_layers must be >= 1, got {self.num_layers}")
    if int(self.hidden_features) < 1 or int(self.out_features) < 1:
      raise ValueError(f"widths must be positive, got hidden_features={self.hidden_features}, "
                       f"out_features={self.out_features}")
    check_activation(self.activation)
    check_norm(self.norm)
    check_rate(self.dropout, "dropout")
    super().__post_init__()

  @nn.compact
  def __call__(self, x: Array, *, mask: Optional[Array] = None, training: bool = False) -> Array:
    x = jnp.asarray(x, jnp.float32)
    if x.ndim != 2:
      raise ValueError(f"{type(self).__name__} expects rows [N, D], got shape {x.shape}")
    if mask is not None and mask.shape != x.shape[:1]:
      raise ValueError(f"mask must have shape [{x.shape[0]}], got {mask.shape}")
    h = masked_rows(x, mask)
    for l in range(self.num_layers):
      last = l == self.num_layers - 1
      if l > 0 and self.dropout > 0.0:
        h = nn.Dropout(self.dropout, deterministic=not training, name=f"dropout_{l}")(h)
      h = Linear(features=self.out_features if last else self.hidden_features,
                 use_bias=self.use_bias, weight_init="torch", name=f"linear_{l}")(h)
      if not last or self.last_norm:
        h = Norm(kind=self.norm, momentum=self.bn_momentum, name=f"norm_{l}")(
            h, mask, training=training)
      if not last or self.last_activation:
        h = Activation(kind=self.activation, name=f"act_{l}")(h, training=training)
    if self.shortcut:
      h = h + Linear(features=self.out_features, use_bias=self.use_bias, weight_init="torch",
                     name="shortcut")(masked_rows(x, mask))
    return masked_rows(h, mask)


class Predictor(Projector, kw_only=True):
  """BGRL-style predictor: a :class:`Projector` whose activation defaults to PReLU.

  BGRL: ``Predictor(hidden_features=512, out_features=d)`` = ``Linear-PReLU-Linear``; add
  ``norm='batch'`` for a batch-normalised hidden layer (BYOL style).
  """
  activation: ActivationLike = "prelu"


class FeatureDecoder(nn.Module, kw_only=True):
  """GraphMAE feature decoder: one GAT / GIN / GCN layer or a linear map to the feature width.

  A one-layer encoder with no residual, no norm and no activation on its output (GraphMAE's
  ``encoding=False`` layer), applied to latent rows ``h`` over the structure of ``graph``. The
  encoder-to-decoder bias-free linear map and the re-masking of masked rows (GraphMAE sets them to
  0 before a GNN decoder) are the method's job; :class:`jgssl.models.Linear` with
  ``use_bias=False`` is that map.

  * ``'gat'``: :class:`jgssl.models.GATConv` with ``heads`` heads averaged to ``out_features``
    (GraphMAE: 1 head, ``in_drop`` as ``dropout``, ``attn_drop`` as ``attn_dropout``).
  * ``'gin'``: :class:`jgssl.models.GINConv` whose 2-layer MLP has hidden width
    ``hidden_features`` (GraphMAE: the latent width), ``mlp_norm`` and ``activation`` inside.
  * ``'gcn'``: :class:`jgssl.models.GCNConv`.
  * ``'linear'`` / ``'mlp'``: ``h W + b`` (graph ignored).

  Attributes:
    kind: ``'gat'``, ``'gin'``, ``'gcn'``, ``'linear'`` (alias ``'mlp'``).
    out_features: output width (the input feature width ``F``).
    heads: GAT heads (averaged).
    hidden_features: GIN MLP hidden width (default: ``out_features``).
    activation: GIN MLP hidden activation.
    mlp_norm: GIN MLP hidden norm.
    dropout: dropout on the decoder input.
    attn_dropout: GAT attention dropout.
    negative_slope: GAT LeakyReLU slope.

  ``__call__(graph, h [N, D], *, training=False)`` returns ``[N, out_features]``, zero on rows
  whose ``nodes['mask']`` is False.
  """
  kind: str
  out_features: int
  heads: int = 1
  hidden_features: Optional[int] = None
  activation: ActivationLike = "prelu"
  mlp_norm: str = "none"
  dropout: float = 0.0
  attn_dropout: float = 0.0
  negative_slope: float = 0.2

  def __post_init__(self):
    if self.kind not in ("gat", "gin", "gcn", "linear", "mlp"):
      raise ValueError(f"kind must be 'gat', 'gin', 'gcn' or 'linear', got {self.kind!r}")
    check_rate(self.dropout, "dropout")
    super().__post_init__()

  @nn.compact
  def __call__(self, graph: jraph.GraphsTuple, h: Array, *, training: bool = False) -> Array:
    if h.ndim != 2 or h.shape[0] != graph.nodes["mask"].shape[0]:
      raise ValueError(f"h must be [N={graph.nodes['mask'].shape[0]}, D], got shape {h.shape}")
    common = dict(features=(self.out_features,), residual=False, last_norm=False,
                  last_activation=False, dropout=self.dropout, name="layer")
    kind = "mlp" if self.kind == "linear" else self.kind
    if kind == "gat":
      enc = make_encoder("gat", heads=self.heads, concat=False, attn_dropout=self.attn_dropout,
                         negative_slope=self.negative_slope, **common)
    elif kind == "gin":
      enc = make_encoder("gin", hidden_features=self.hidden_features or self.out_features,
                         activation=self.activation, mlp_norm=self.mlp_norm, **common)
    else:
      enc = make_encoder(kind, **common)
    return enc(graph_lib.with_node_features(graph, h), training=training)


def inner_product_logits(z: Array, pairs: Array) -> Array:
  """GAE edge logits ``z_i . z_j`` for index pairs (Kipf & Welling 2016); ``sigmoid`` gives p.

  Args:
    z: float ``[N, D]`` node embeddings.
    pairs: int ``[2, P]`` ``(i, j)`` index pairs (positive edges or sampled negatives).

  Returns:
    float ``[P]`` logits.
  """
  pairs = jnp.asarray(pairs)
  if pairs.ndim != 2 or pairs.shape[0] != 2:
    raise ValueError(f"pairs must have shape [2, P], got {pairs.shape}")
  if z.ndim != 2:
    raise ValueError(f"z must be [N, D], got shape {z.shape}")
  return jnp.sum(z[pairs[0]] * z[pairs[1]], axis=-1)


def dense_inner_product_logits(z: Array) -> Array:
  """All-pairs logits ``Z Z^T`` ``[N, N]`` (GAE's dense decoder; small graphs only)."""
  if z.ndim != 2:
    raise ValueError(f"z must be [N, D], got shape {z.shape}")
  return z @ z.T


class InnerProductDecoder(nn.Module, kw_only=True):
  """GAE / VGAE decoder: logits ``z_i . z_j`` (no parameters), optional dropout on ``z``.

  ``__call__(z [N, D], pairs [2, P], *, training=False)`` returns logits ``[P]``;
  ``dense(z, *, training=False)`` returns all ``[N, N]`` logits (apply with
  ``method='dense'``). Returns logits, not probabilities: use a sigmoid cross-entropy loss.

  Attributes:
    dropout: dropout rate on ``z`` in training (GAE's default 0), ``'dropout'`` rng.
  """
  dropout: float = 0.0

  def __post_init__(self):
    check_rate(self.dropout, "dropout")
    super().__post_init__()

  def _drop(self, z: Array, training: bool) -> Array:
    if not training or self.dropout == 0.0:
      return z
    keep = jax.random.bernoulli(self.make_rng("dropout"), 1.0 - self.dropout, z.shape)
    return jnp.where(keep, z / (1.0 - self.dropout), 0.0)

  def __call__(self, z: Array, pairs: Array, *, training: bool = False) -> Array:
    return inner_product_logits(self._drop(z, training), pairs)

  def dense(self, z: Array, *, training: bool = False) -> Array:
    return dense_inner_product_logits(self._drop(z, training))


class Bilinear(nn.Module, kw_only=True):
  """Bilinear discriminator ``D(h, s) = h W s + b`` (DGI, MVGRL; ``torch.nn.Bilinear(D1, D2, 1)``).

  Zero ``b``; ``W`` uniform in ``±sqrt(6 / (fan_in + fan_out))`` with the fans chosen by
  ``weight_init``.

  Attributes:
    use_bias: add the scalar bias ``b``.
    weight_init: ``'glorot'`` (fans ``D1`` and ``D2`` of the ``[D1, D2]`` matrix) or ``'torch'``
      (what DGI's and MVGRL's ``weights_init`` compute: ``xavier_uniform_`` on
      ``torch.nn.Bilinear``'s ``[1, D1, D2]`` weight, whose fans are ``D1·D2`` and ``D2``; at
      ``D1 = D2 = 512`` its bound is about 16 times smaller).

  ``__call__(h [N, D1], s, *, segment_ids=None)`` with ``s`` a summary ``[D2]`` (broadcast to
  every row, DGI), one summary per row ``[N, D2]``, or — with ``segment_ids`` (int ``[N]``) — one
  summary per graph ``[G, D2]`` that row ``i`` reads at ``segment_ids[i]``; returns logits ``[N]``.
  Params ``{'kernel': [D1, D2], 'bias': []}``.

  Cost: the product is taken on the summary side, ``h · (W s)``: ``O(G D1 D2 + N D1)`` for one
  summary per graph instead of the ``O(N D1 D2)`` of ``(h W) · s`` (same value).
  """
  use_bias: bool = True
  weight_init: str = "glorot"

  def __post_init__(self):
    if self.weight_init not in BILINEAR_INITS:
      raise ValueError(f"weight_init must be one of {BILINEAR_INITS}, got {self.weight_init!r}")
    super().__post_init__()

  @nn.compact
  def __call__(self, h: Array, s: Array, *, segment_ids: Optional[Array] = None) -> Array:
    if h.ndim != 2:
      raise ValueError(f"h must be [N, D1], got shape {h.shape}")
    if segment_ids is not None:
      if s.ndim != 2 or jnp.shape(segment_ids) != (h.shape[0],):
        raise ValueError(f"with segment_ids [N={h.shape[0]}], s must be [G, D2]; got s "
                         f"{s.shape} and segment_ids {jnp.shape(segment_ids)}")
    elif s.ndim not in (1, 2) or (s.ndim == 2 and s.shape[0] != h.shape[0]):
      raise ValueError(f"s must be [D2] or [N={h.shape[0]}, D2], got shape {s.shape}")
    d1, d2 = h.shape[-1], s.shape[-1]
    if self.weight_init == "glorot":
      init = nn.initializers.glorot_uniform()
    else:
      bound = (6.0 / (d1 * d2 + d2)) ** 0.5
      init = lambda key, shape, dtype: jax.random.uniform(key, shape, dtype, -bound, bound)
    kernel = self.param("kernel", init, (d1, d2), jnp.float32)
    if s.ndim == 1:
      logits = h @ (kernel @ s)                                              # [N]
    elif segment_ids is not None:
      ws = s @ kernel.T                                                      # [G, D1]
      logits = jnp.sum(h * ws[segment_ids], axis=-1)
    else:
      logits = jnp.sum((h @ kernel) * s, axis=-1)
    if self.use_bias:
      logits = logits + self.param("bias", nn.initializers.zeros, (), jnp.float32)
    return logits

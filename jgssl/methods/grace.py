"""GRACE: deep graph contrastive representation learning (Zhu et al., ICML-W 2020).

Recipe (REFERENCES.md §3.2; official code CRIPAC-DIG/GRACE):

* two views of the full graph, each by independent edge dropping (``drop_edge_1`` /
  ``drop_edge_2``, every directed edge entry on its own, PyG ``dropout_adj``) and feature-column
  masking (``drop_feature_1`` / ``drop_feature_2``, the same columns zeroed for all nodes);
* a shared GCN encoder whose first layer is 2 × ``hidden`` wide, the activation after every layer
  (``GCN(features=(2h, ..., 2h, h))``);
* a projection head fc–ELU–fc (``hidden → proj_hidden → hidden``);
* GRACE's InfoNCE: for node ``i`` with projections ``u_i, v_i``,
  ``ℓ(u_i, v_i) = −log e^{θ(u_i,v_i)} / (Σ_k e^{θ(u_i,v_k)} + Σ_{k≠i} e^{θ(u_i,u_k)})``,
  ``θ = cos / τ``, and the loss ``½ mean_i [ℓ(u_i, v_i) + ℓ(v_i, u_i)]`` over present nodes.

Exact memory-bounded form: with ``chunk_size`` the ``N × N`` similarities are computed in
``[chunk_size, chunk_size]`` tiles (streaming log-sum-exp, recomputed in the backward pass) —
the same value as the dense form. Anchor sharding: under ``strategy='rows'`` of
:func:`jgssl.train.make_train_step` each device computes the loss rows of ``N / D`` anchors
against the full projections (:func:`jgssl.losses.info_nce_rows`) and the partial sums meet in
a ``psum``; the encoder runs replicated.

Evaluation uses the encoder output (before the projection head), as the official code does.

Differences from the official code, all deliberate: GRACE's ``prelu`` is one ``nn.PReLU()``
instance shared by all encoder layers; here each layer has its own slope (the jgssl encoders'
convention). Parameter initialisation follows :mod:`jgssl.models` (Glorot for GCN weights as PyG's
``GCNConv``, PyTorch's default for the head's linear maps).
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment, losses, pairs, models
from jgssl.methods import base

__all__ = ["GRACE"]


class _GRACENet(nn.Module, kw_only=True):
  """GCN encoder + projection head; ``__call__`` returns ``(h, z)``."""
  hidden: int
  proj_hidden: int
  num_layers: int
  activation: str

  def setup(self):
    widths = (2 * self.hidden,) * (self.num_layers - 1) + (self.hidden,)
    self.encoder = models.GCN(features=widths, activation=self.activation)
    self.projector = models.Projector(hidden_features=self.proj_hidden, out_features=self.hidden,
                                      activation="elu")

  def __call__(self, graph):
    h = self.encoder(graph)
    return h, self.projector(h, mask=graph.nodes["mask"])

  def embed(self, graph):
    return self.encoder(graph)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GRACE(base.Method):
  """GRACE (Zhu et al. 2020), a node-level contrastive method.

  Attributes:
    hidden: encoder output width ``num_hidden`` (first layer is twice as wide).
    proj_hidden: hidden width of the projection head ``num_proj_hidden``.
    num_layers: GCN layers (>= 2 in the official code; 1 is allowed: a single ``hidden`` layer).
    activation: encoder activation (``'relu'`` or ``'prelu'`` in the official configs; any of
      :data:`jgssl.models.ACTIVATIONS`).
    drop_edge_1, drop_edge_2: edge drop rates of the two views, in ``[0, 1]``.
    drop_feature_1, drop_feature_2: feature-column mask rates, in ``[0, 1]``.
    temperature: τ > 0.
    chunk_size: tile size of the exact memory-bounded loss (``None``: dense ``N × N``).
    row_axis: see :class:`jgssl.methods.Method` (set by the trainer).
  """
  hidden: int = 128
  proj_hidden: int = 128
  num_layers: int = 2
  activation: str = "relu"
  drop_edge_1: float = 0.2
  drop_edge_2: float = 0.4
  drop_feature_1: float = 0.3
  drop_feature_2: float = 0.4
  temperature: float = 0.4
  chunk_size: Optional[int] = None

  supports_row_sharding = True
  level = "node"

  def __post_init__(self):
    for name in ("hidden", "proj_hidden", "num_layers"):
      value = getattr(self, name)
      if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"GRACE.{name} must be a positive int, got {value!r}")
    for name in ("drop_edge_1", "drop_edge_2", "drop_feature_1", "drop_feature_2"):
      value = getattr(self, name)
      if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"GRACE.{name} is a drop probability and must lie in [0, 1], "
                         f"got {value!r}")
    if not isinstance(self.temperature, (int, float)) or not self.temperature > 0:
      raise ValueError(f"GRACE.temperature must be > 0, got {self.temperature!r}")
    if self.activation not in models.ACTIVATIONS:
      raise ValueError(f"GRACE.activation must be one of {models.ACTIVATIONS}, "
                       f"got {self.activation!r}")
    if self.chunk_size is not None and (not isinstance(self.chunk_size, int)
                                        or self.chunk_size < 1):
      raise ValueError(f"GRACE.chunk_size must be a positive int or None, got {self.chunk_size!r}")

  def _net(self) -> _GRACENet:
    return _GRACENet(hidden=self.hidden, proj_hidden=self.proj_hidden,
                     num_layers=self.num_layers, activation=self.activation)

  def init(self, key, graph):
    """``{'params': {'encoder': ..., 'projector': ...}}`` for ``graph``'s feature width."""
    return {"params": self._net().init(key, graph)["params"]}

  def embed(self, variables, graph):
    """Encoder output ``[N, hidden]`` (zero rows on padding), no augmentation."""
    return self._net().apply(variables, graph, method=_GRACENet.embed)

  def views(self, key, graph):
    """The two augmented views (edge dropping, then feature-column masking)."""
    k1, k2, k3, k4 = jax.random.split(key, 4)
    g1 = augment.mask_feature_columns(
        k2, augment.drop_edges(k1, graph, rate=self.drop_edge_1), rate=self.drop_feature_1)
    g2 = augment.mask_feature_columns(
        k4, augment.drop_edges(k3, graph, rate=self.drop_edge_2), rate=self.drop_feature_2)
    return g1, g2

  def loss(self, variables, key, graph):
    """GRACE's loss over present nodes; aux has ``'pos_cos'`` (mean cosine of positive pairs)."""
    g1, g2 = self.views(key, graph)
    net = self._net()
    _, z1 = net.apply(variables, g1)
    _, z2 = net.apply(variables, g2)
    where = graph.nodes["mask"]
    if self.row_axis is None:
      rows = losses.grace_loss(z1, z2, temperature=self.temperature, where=where,
                               chunk_size=self.chunk_size)
      loss = losses.masked_mean(rows, where)
    else:
      pairing = pairs.same_scale(where, intra_view=True)
      back = pairing.transpose()

      def block_rows(start, size):
        ub = jax.lax.dynamic_slice_in_dim(z1, start, size)
        vb = jax.lax.dynamic_slice_in_dim(z2, start, size)
        kw = dict(temperature=self.temperature, row_offset=start,
                  key_chunk_size=self.chunk_size)
        a = losses.info_nce_rows(ub, z2, pairs=pairing, intra_keys=z1, **kw)
        b = losses.info_nce_rows(vb, z1, pairs=back, intra_keys=z2, **kw)
        return 0.5 * (a + b)

      loss = base.sharded_row_mean(block_rows, where, row_axis=self.row_axis)
    cos = jnp.sum(losses.l2_normalize(z1) * losses.l2_normalize(z2), axis=-1)
    return loss, {"pos_cos": losses.masked_mean(cos, where)}

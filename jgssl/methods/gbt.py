"""Graph Barlow Twins (Bielak, Kajdanowicz & Chawla, Knowledge-Based Systems 2022).

Official code pbielak/graph-barlow-twins (``gssl/full_batch/model.py``, ``gssl/loss.py``,
``gssl/augment.py``, ``experiments/configs/full_batch/train.yaml``; REFERENCES.md §3.7).
Recipe: two views with the same rates — feature-column masking (``p_x``) and independent
dropping of every directed edge (``p_e``); a 2-layer GCN ``in → 2d → d`` with batch norm
(PyTorch momentum 0.01) and PReLU after the first layer only; no projector; the Barlow Twins
loss on the two outputs (:func:`jgssl.losses.barlow_twins_loss`: column-standardised
cross-correlation, ``Σ(1 − C_ii)² + λ Σ_{i≠j} C_ij²``, ``λ = 1/d``, eps 1e-15). Batch statistics
come from the present nodes; the running statistics are updated by both views in turn (as the
two sequential forward passes upstream). Embeddings: the encoder in evaluation mode on the clean
graph.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import jax

from jgssl import augment, losses, models
from jgssl.methods import base

__all__ = ["GBT"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GBT(base.Method):
  """G-BT hyperparameters (defaults: Amazon-Computers, ``train.yaml`` / augmentation search).

  Attributes:
    emb_dim: output width ``d`` (first layer ``2d``).
    drop_feature: feature mask rate ``p_x`` (both views).
    drop_edge: edge drop rate ``p_e`` (both views).
    lambd: off-diagonal weight; ``None`` is ``1/d``.
    bn_momentum: batch-norm momentum, PyTorch convention (0.01).
  """
  emb_dim: int = 128
  drop_feature: float = 0.1
  drop_edge: float = 0.4
  lambd: Optional[float] = None
  bn_momentum: float = 0.01

  def __post_init__(self):
    if self.emb_dim < 1:
      raise ValueError(f"GBT.emb_dim must be >= 1, got {self.emb_dim}")
    for name in ("drop_feature", "drop_edge", "bn_momentum"):
      if not 0.0 <= getattr(self, name) <= 1.0:
        raise ValueError(f"GBT.{name} must lie in [0, 1], got {getattr(self, name)}")
    if self.lambd is not None and self.lambd < 0:
      raise ValueError(f"GBT.lambd must be >= 0 or None, got {self.lambd}")

  def _net(self):
    return models.GCN(features=(2 * self.emb_dim, self.emb_dim), activation="prelu",
                      norm="batch", bn_momentum=self.bn_momentum, last_norm=False,
                      last_activation=False)

  def init(self, key, graph):
    return dict(self._net().init(key, graph))

  def views(self, key, graph):
    out = []
    for k in jax.random.split(key, 2):
      kf, ke = jax.random.split(k)
      g = augment.mask_feature_columns(kf, graph, rate=self.drop_feature)
      out.append(augment.drop_edges(ke, g, rate=self.drop_edge))
    return tuple(out)

  def loss(self, variables, key, graph):
    g1, g2 = self.views(key, graph)
    net = self._net()
    z1, upd = net.apply(variables, g1, training=True, mutable=["batch_stats"])
    z2, upd = net.apply({**variables, **upd}, g2, training=True, mutable=["batch_stats"])
    loss = losses.barlow_twins_loss(z1, z2, lambd=self.lambd, where=graph.nodes["mask"])
    return loss, {"updates": dict(upd)}

  def embed(self, variables, graph):
    return self._net().apply(variables, graph, training=False)

"""CCA-SSG: canonical-correlation self-supervision on graphs (Zhang et al., NeurIPS 2021).

Official code hengruizhang98/CCA-SSG (``main.py``, ``model.py``, ``aug.py``; REFERENCES.md §3.6).
Recipe: two views of the graph, each with the same rates — feature-column masking
(``dfr``) and independent dropping of every directed edge (``der``); a shared encoder, DGL
``GraphConv`` layers (``norm='both'``, self-loops added) with ReLU between layers and none after
the last (``GCN(features=(hid, ..., out), last_activation=False)``), or a 2-layer MLP
(``--use_mlp``, Coauthor-CS); no projector. Both outputs are column-standardised and scored by
:func:`jgssl.losses.cca_ssg_loss`: ``−tr(C) + λ(‖I − C₁‖² + ‖I − C₂‖²)``, lower is better.
Embeddings are the (unstandardised) encoder output on the clean graph. Padding and dropped nodes
are left out of the column statistics.
"""

from __future__ import annotations

import dataclasses
from typing import Tuple

import jax

from jgssl import augment, losses, models
from jgssl.methods import base

__all__ = ["CCASSG"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CCASSG(base.Method):
  """CCA-SSG hyperparameters (defaults: the README's Cora command).

  Attributes:
    features: layer widths ``(hid_dim, ..., out_dim)`` (Cora ``(512, 512)``, CiteSeer ``(512,)``).
    encoder: ``'gcn'`` or ``'mlp'`` (``--use_mlp``).
    lambd: decorrelation weight λ.
    drop_feature: feature-column mask rate ``dfr`` (both views).
    drop_edge: edge drop rate ``der`` (both views).
  """
  features: Tuple[int, ...] = (512, 512)
  encoder: str = "gcn"
  lambd: float = 1e-3
  drop_feature: float = 0.1
  drop_edge: float = 0.4

  def __post_init__(self):
    object.__setattr__(self, "features", tuple(int(f) for f in self.features))
    if not self.features or min(self.features) < 1:
      raise ValueError(f"CCASSG.features must be positive layer widths, got {self.features}")
    if self.encoder not in ("gcn", "mlp"):
      raise ValueError(f"CCASSG.encoder must be 'gcn' or 'mlp', got {self.encoder!r}")
    if not self.lambd >= 0:
      raise ValueError(f"CCASSG.lambd must be >= 0, got {self.lambd}")
    for name in ("drop_feature", "drop_edge"):
      if not 0.0 <= getattr(self, name) <= 1.0:
        raise ValueError(f"CCASSG.{name} must lie in [0, 1], got {getattr(self, name)}")

  def _net(self):
    return models.make_encoder(self.encoder, features=self.features, activation="relu",
                               last_activation=False)

  def init(self, key, graph):
    return {"params": self._net().init(key, graph)["params"]}

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
    h1 = net.apply(variables, g1)
    h2 = net.apply(variables, g2)
    return losses.cca_ssg_loss(h1, h2, lambd=self.lambd, where=graph.nodes["mask"]), {}

  def embed(self, variables, graph):
    return self._net().apply(variables, graph)

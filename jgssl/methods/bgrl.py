"""Bootstrapped Graph Latents (Thakoor et al., ICLR 2022; official code nerdslab/bgrl).

Recipe (REFERENCES.md §3.5): two views by independent edge dropping and feature-column masking
(:func:`jgssl.augment.drop_edges`, :func:`jgssl.augment.mask_feature_columns`); an online GCN
encoder with batch norm + PReLU after every layer and a predictor ``Linear-PReLU-Linear``
(hidden 512); a target encoder, initialised independently of the online one as upstream, whose
parameters are an EMA of the online encoder (``'target'`` collection, moved by
:meth:`BGRL.post_update` with a momentum cosine-annealed from ``momentum`` to 1 over
``total_steps``). The loss per node is
``2 − cos(p₁, sg(y₂)) − cos(p₂, sg(y₁))`` = the mean of two
:func:`jgssl.losses.bootstrap_cosine_loss` calls: it is 0 when the views align and **falls**
during training (PyGCL's example returns the similarity, a loss with the wrong sign). ``O(N·d)``.

As the official code: both encoders run in training mode (batch statistics of the present
nodes); the online encoder's running statistics are updated by the two views in turn, the
target keeps none of its own (they are never used); embeddings come from the online encoder on
the clean graph in evaluation mode (running statistics). The optimizer (AdamW, warm-up +
cosine) is the trainer's (see the config).
"""

from __future__ import annotations

import dataclasses
from typing import Tuple

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment, losses, models
from jgssl.methods import base

__all__ = ["BGRL"]


class _Online(nn.Module):
  """Online encoder + predictor; ``__call__`` returns ``(y, p)``, ``encode`` only ``y``."""
  features: Tuple[int, ...]
  pred_hidden: int
  bn_momentum: float

  def setup(self):
    self.encoder = models.GCN(features=self.features, activation="prelu", norm="batch",
                              bn_momentum=self.bn_momentum)
    self.predictor = models.Predictor(hidden_features=self.pred_hidden,
                                      out_features=self.features[-1])

  def encode(self, graph, training: bool = False):
    return self.encoder(graph, training=training)

  def __call__(self, graph, training: bool = True):
    y = self.encoder(graph, training=training)
    return y, self.predictor(y, mask=graph.nodes["mask"])


@dataclasses.dataclass(frozen=True, kw_only=True)
class BGRL(base.Method):
  """BGRL hyperparameters (defaults: ``config/amazon-computers.cfg``).

  Attributes:
    features: encoder layer widths (``graph_encoder_layer``), e.g. ``(256, 128)``.
    pred_hidden: predictor hidden width (512).
    drop_edge_1, drop_edge_2: edge drop rates of the two views.
    drop_feature_1, drop_feature_2: feature-column mask rates of the two views.
    momentum: initial EMA decay of the target (``mm`` = 0.99), annealed to 1.
    total_steps: steps of the momentum schedule (the number of epochs; 10000 upstream).
    bn_momentum: batch-norm momentum, PyTorch convention (BGRL passes 0.99).
  """
  features: Tuple[int, ...] = (256, 128)
  pred_hidden: int = 512
  drop_edge_1: float = 0.5
  drop_edge_2: float = 0.4
  drop_feature_1: float = 0.2
  drop_feature_2: float = 0.1
  momentum: float = 0.99
  total_steps: int = 10000
  bn_momentum: float = 0.99

  def __post_init__(self):
    object.__setattr__(self, "features", tuple(int(f) for f in self.features))
    if not self.features or min(self.features) < 1:
      raise ValueError(f"features must be positive layer widths, got {self.features}")
    for name in ("drop_edge_1", "drop_edge_2", "drop_feature_1", "drop_feature_2", "momentum",
                 "bn_momentum"):
      if not 0.0 <= getattr(self, name) <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
    if self.total_steps < 1 or self.pred_hidden < 1:
      raise ValueError(f"total_steps and pred_hidden must be >= 1, got {self.total_steps}, "
                       f"{self.pred_hidden}")

  def _net(self):
    return _Online(features=self.features, pred_hidden=self.pred_hidden,
                   bn_momentum=self.bn_momentum)

  def init(self, key, graph):
    """Online encoder + predictor (``'params'``, ``'batch_stats'``) and the target encoder
    (``'target'``), which starts from its **own** random draw: upstream deep-copies the online
    encoder and then calls ``reset_parameters()`` on the copy (``bgrl/bgrl.py``)."""
    k_online, k_target = jax.random.split(key)
    variables = dict(self._net().init(k_online, graph, training=False))
    variables["target"] = self._net().init(k_target, graph, training=False)["params"]["encoder"]
    return variables

  def _view(self, key, graph, edge_rate, feature_rate):
    ke, kf = jax.random.split(key)
    graph = augment.drop_edges(ke, graph, rate=edge_rate)
    return augment.mask_feature_columns(kf, graph, rate=feature_rate)

  def loss(self, variables, key, graph):
    k1, k2 = jax.random.split(key)
    g1 = self._view(k1, graph, self.drop_edge_1, self.drop_feature_1)
    g2 = self._view(k2, graph, self.drop_edge_2, self.drop_feature_2)
    net = self._net()
    online = {"params": variables["params"], "batch_stats": variables["batch_stats"]}
    (y1, p1), upd = net.apply(online, g1, mutable=["batch_stats"])
    (y2, p2), upd = net.apply({**online, **upd}, g2, mutable=["batch_stats"])
    target = {"params": {**variables["params"], "encoder": variables["target"]},
              "batch_stats": variables["batch_stats"]}
    t1, _ = net.apply(target, g1, training=True, method=_Online.encode, mutable=["batch_stats"])
    t2, _ = net.apply(target, g2, training=True, method=_Online.encode, mutable=["batch_stats"])
    mask = graph.nodes["mask"]
    rows = 0.5 * (losses.bootstrap_cosine_loss(p1, t2, where=mask)
                  + losses.bootstrap_cosine_loss(p2, t1, where=mask))
    loss = losses.masked_mean(rows, mask)
    del y1, y2
    return loss, {"updates": dict(upd)}

  def post_update(self, variables, *, step):
    # Upstream computes the momentum from the 0-based step of the update just taken.
    decay = base.cosine_ema_decay(step - 1, base=self.momentum, total_steps=self.total_steps)
    target = base.ema_update(variables["target"], variables["params"]["encoder"], decay=decay)
    return {**variables, "target": target}

  def embed(self, variables, graph):
    online = {"params": variables["params"], "batch_stats": variables["batch_stats"]}
    return self._net().apply(online, graph, training=False, method=_Online.encode)

"""Graph Barlow Twins (Bielak, Kajdanowicz & Chawla, Knowledge-Based Systems 2022).

Official code pbielak/graph-barlow-twins (``gssl/full_batch/model.py``, ``gssl/loss.py``,
``gssl/augment.py``, ``experiments/configs/full_batch/train.yaml``). A
:class:`jgssl.methods.TwoViewContrast` with two views at the same rates — feature-column masking
(``p_x``), then independent dropping of every directed edge (``p_e``); a 2-layer GCN
``in → 2d → d`` with batch norm (PyTorch momentum 0.01) and PReLU after the first layer only; no
projector; the Barlow Twins loss on the two outputs (:func:`jgssl.losses.barlow_twins_loss`:
column-standardised cross-correlation, ``Σ(1 − C_ii)² + λ Σ_{i≠j} C_ij²``, ``λ = 1/d``, eps
1e-15). Batch statistics come from the present nodes; the running statistics are updated by
both views in turn (as the two sequential forward passes upstream). Embeddings: the encoder in
evaluation mode on the clean graph.
"""

from __future__ import annotations

import functools
from typing import Optional, Sequence

import flax.linen as nn

from jgssl import augment, losses, models
from jgssl.methods import fields
from jgssl.methods.two_view import TwoViewContrast

__all__ = ["gbt"]


def gbt(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (256, 128),
        drop_feature_rate=0.1, drop_edge_rate=0.4, lambd: Optional[float] = None,
        bn_momentum: float = 0.01) -> TwoViewContrast:
  """G-BT (module docstring). Defaults: Amazon-Computers (``train.yaml`` ``emb_dim`` 128; ``p_x``,
  ``p_e`` from ``train_transductive.yaml``).

  Args:
    encoder: the encoder module; ``None`` builds G-BT's ``GCN(features, activation='prelu',
      norm='batch', bn_momentum, last_norm=False, last_activation=False)``
      (``gssl/full_batch/model.py``).
    features: GCN layer widths ``(2d, d)``.
    drop_feature_rate: feature mask rate ``p_x`` (one value for both views, or a pair).
    drop_edge_rate: edge drop rate ``p_e``.
    lambd: off-diagonal weight λ; ``None`` is ``1/d``.
    bn_momentum: batch-norm momentum, PyTorch convention.

  Returns:
    A node-level :class:`jgssl.methods.TwoViewContrast` (variables with ``'batch_stats'``).
  """
  h = fields.check_args("gbt", features=(features, fields.WIDTHS),
                   drop_feature_rate=(drop_feature_rate, fields.RATE_PAIR),
                   drop_edge_rate=(drop_edge_rate, fields.RATE_PAIR),
                   lambd=(lambd, fields.optional(fields.NON_NEGATIVE)),
                   bn_momentum=(bn_momentum, fields.RATE))
  if encoder is None:
    encoder = models.GCN(features=h["features"], activation="prelu", norm="batch",
                         bn_momentum=h["bn_momentum"], last_norm=False, last_activation=False)
  views = augment.two_views((augment.MaskFeatureColumns, h["drop_feature_rate"]),
                            (augment.DropEdges, h["drop_edge_rate"]))
  return TwoViewContrast(encoder=encoder, views=views,
                         objective=functools.partial(losses.barlow_twins_loss, lambd=lambd))

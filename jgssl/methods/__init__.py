"""Self-supervised methods as thin recipes (``init`` / ``loss`` / ``embed``); see :mod:`.base`.

* :class:`GRACE` — two views by edge dropping + feature-column masking, GCN encoder, InfoNCE with
  intra-view negatives (Zhu et al. 2020).
"""

from jgssl.methods.base import Method, cosine_ema_decay, ema_update, row_block, sharded_row_mean
from jgssl.methods.grace import GRACE

__all__ = [
    "GRACE",
    "Method",
    "cosine_ema_decay",
    "ema_update",
    "row_block",
    "sharded_row_mean",
]

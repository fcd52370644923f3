"""Self-supervised methods as thin recipes (``init`` / ``loss`` / ``embed``); see :mod:`.base`."""

from jgssl.methods.base import Method, cosine_ema_decay, ema_update, row_block, sharded_row_mean

__all__ = [
    "Method",
    "cosine_ema_decay",
    "ema_update",
    "row_block",
    "sharded_row_mean",
]

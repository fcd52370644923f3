"""Self-supervised methods as thin recipes (``init`` / ``loss`` / ``embed``); see :mod:`.base`.

Node level (one full-graph step per epoch):

* :class:`GRACE` — edge dropping + feature-column masking, GCN, InfoNCE with intra-view negatives
  (Zhu et al. 2020); supports anchor-row sharding.
* :class:`GCA` — GRACE with centrality-adaptive augmentations (Zhu et al. 2021).
* :class:`DGI` — row-shuffle corruption, bilinear discriminator (Veličković et al. 2019).
* :class:`MVGRL` — adjacency and diffusion views, cross-view JSD (Hassani & Khasahmadi 2020).
* :class:`BGRL` — online / EMA-target bootstrap (Thakoor et al. 2022).
* :class:`CCASSG` — canonical-correlation objective (Zhang et al. 2021).
* :class:`GBT` — Barlow Twins on graphs (Bielak et al. 2022).
* :func:`gae`, :func:`vgae` — graph (variational) auto-encoders, link reconstruction (Kipf &
  Welling 2016), on the :class:`MaskedAutoencoder` skeleton.

Graph level (padded mini-batches of many graphs):

* :class:`GraphCL` — graph augmentations, NT-Xent (You et al. 2020).
* :class:`InfoGraph` — local-global mutual information (Sun et al. 2020).
* :func:`graphmae` — masked feature reconstruction, node or graph level (Hou et al. 2022), on the
  :class:`MaskedAutoencoder` skeleton.
"""

from jgssl.methods import fields
from jgssl.methods.contract import Method
from jgssl.methods.base import (cosine_ema_decay, ema_update, glorot_reinit, row_block,
                                sharded_row_mean)
from jgssl.methods.bgrl import BGRL
from jgssl.methods.cca_ssg import CCASSG
from jgssl.methods.dgi import DGI
from jgssl.methods.gbt import GBT
from jgssl.methods.gca import GCA
from jgssl.methods.grace import GRACE
from jgssl.methods.graphcl import GraphCL
from jgssl.methods.infograph import InfoGraph
from jgssl.methods.masked_ae import MaskedAutoencoder, gae, graphmae, vgae
from jgssl.methods.mvgrl import MVGRL

__all__ = [
    "BGRL",
    "CCASSG",
    "DGI",
    "GBT",
    "GCA",
    "GRACE",
    "GraphCL",
    "InfoGraph",
    "MaskedAutoencoder",
    "MVGRL",
    "Method",
    "cosine_ema_decay",
    "fields",
    "gae",
    "graphmae",
    "ema_update",
    "glorot_reinit",
    "row_block",
    "sharded_row_mean",
    "vgae",
]

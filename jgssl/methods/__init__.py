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
* :class:`GAE` — graph (variational) auto-encoder, link reconstruction (Kipf & Welling 2016).

Graph level (padded mini-batches of many graphs):

* :class:`GraphCL` — graph augmentations, NT-Xent (You et al. 2020).
* :class:`InfoGraph` — local-global mutual information (Sun et al. 2020).
* :class:`GraphMAE` — masked feature reconstruction, node or graph level (Hou et al. 2022).
"""

from jgssl.methods import fields
from jgssl.methods.contract import Method
from jgssl.methods.base import (cosine_ema_decay, ema_update, glorot_reinit, row_block,
                                sharded_row_mean)
from jgssl.methods.bgrl import BGRL
from jgssl.methods.cca_ssg import CCASSG
from jgssl.methods.dgi import DGI
from jgssl.methods.gae import GAE
from jgssl.methods.gbt import GBT
from jgssl.methods.gca import GCA
from jgssl.methods.grace import GRACE
from jgssl.methods.graphcl import GraphCL
from jgssl.methods.graphmae import GraphMAE
from jgssl.methods.infograph import InfoGraph
from jgssl.methods.mvgrl import MVGRL

__all__ = [
    "BGRL",
    "CCASSG",
    "DGI",
    "GAE",
    "GBT",
    "GCA",
    "GRACE",
    "GraphCL",
    "GraphMAE",
    "InfoGraph",
    "MVGRL",
    "Method",
    "cosine_ema_decay",
    "fields",
    "ema_update",
    "glorot_reinit",
    "row_block",
    "sharded_row_mean",
]

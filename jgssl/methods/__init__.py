"""Self-supervised methods as thin recipes (``init`` / ``loss`` / ``embed``); see :mod:`.base`.

Node level (one full-graph step per epoch):

* :class:`GRACE` — edge dropping + feature-column masking, GCN, InfoNCE with intra-view negatives
  (Zhu et al. 2020); supports anchor-row sharding.
* :class:`GCA` — GRACE with centrality-adaptive augmentations (Zhu et al. 2021).
* :func:`dgi` — :class:`LocalGlobal`: row-shuffle corruption, bilinear discriminator
  (Veličković et al. 2019).
* :func:`mvgrl` — :class:`LocalGlobal`: adjacency and diffusion views (the diffusion a side
  input), cross-view discrimination on node windows (Hassani & Khasahmadi 2020).
* :func:`bgrl` — :class:`Bootstrap`: online / EMA-target bootstrap (Thakoor et al. 2022).
* :class:`CCASSG` — canonical-correlation objective (Zhang et al. 2021).
* :class:`GBT` — Barlow Twins on graphs (Bielak et al. 2022).
* :class:`GAE` — graph (variational) auto-encoder, link reconstruction (Kipf & Welling 2016).

Graph level (padded mini-batches of many graphs):

* :class:`GraphCL` — graph augmentations, NT-Xent (You et al. 2020).
* :func:`infograph` — :class:`LocalGlobal`: local-global mutual information, in-batch
  negatives (Sun et al. 2020).
* :class:`GraphMAE` — masked feature reconstruction, node or graph level (Hou et al. 2022).
"""

from jgssl.methods import fields
from jgssl.methods.contract import Method
from jgssl.methods.base import (cosine_ema_decay, ema_update, glorot_reinit, row_block,
                                sharded_row_mean)
from jgssl.methods.bootstrap import Bootstrap, bgrl
from jgssl.methods.cca_ssg import CCASSG
from jgssl.methods.gae import GAE
from jgssl.methods.gbt import GBT
from jgssl.methods.gca import GCA
from jgssl.methods.grace import GRACE
from jgssl.methods.graphcl import GraphCL
from jgssl.methods.graphmae import GraphMAE
from jgssl.methods.local_global import LocalGlobal, dgi, infograph, mvgrl

__all__ = [
    "Bootstrap",
    "CCASSG",
    "GAE",
    "GBT",
    "GCA",
    "GRACE",
    "GraphCL",
    "GraphMAE",
    "LocalGlobal",
    "Method",
    "bgrl",
    "cosine_ema_decay",
    "dgi",
    "fields",
    "ema_update",
    "glorot_reinit",
    "infograph",
    "mvgrl",
    "row_block",
    "sharded_row_mean",
]

"""Self-supervised methods: the contract, four skeletons, and each paper's recipe on one of them.

A method is any object with ``init`` / ``loss`` / ``embed`` (:class:`Method`, the contract in
:mod:`jgssl.methods.contract`). Hyperparameter checks and the shared vocabulary:
:mod:`jgssl.methods.fields`.

Node level (one full-graph step per epoch):

* :func:`grace` — edge dropping + feature-column masking, GCN, InfoNCE with intra-view negatives
  (Zhu et al. 2020); supports anchor-row sharding.
* :func:`gca` — GRACE with centrality-adaptive augmentations (Zhu et al. 2021).
* :func:`csgcl` — GRACE with community-strength views (Leiden communities as a side input) and
  the team-up objective :class:`TeamUpInfoNCE` on a γ schedule (Chen et al. 2023).
* :func:`dgi` — row-shuffle corruption, bilinear discriminator (Veličković et al. 2019), on the
  :class:`LocalGlobal` skeleton.
* :func:`mvgrl` — adjacency and diffusion views (the diffusion a side input), cross-view
  discrimination on node windows (Hassani & Khasahmadi 2020), on the :class:`LocalGlobal`
  skeleton.
* :func:`bgrl` — online / EMA-target bootstrap (Thakoor et al. 2022), on the :class:`Bootstrap`
  skeleton.
* :func:`cca_ssg` — canonical-correlation objective (Zhang et al. 2021).
* :func:`gbt` — Barlow Twins on graphs (Bielak et al. 2022).
* :func:`gae`, :func:`vgae` — graph (variational) auto-encoders, link reconstruction (Kipf &
  Welling 2016), on the :class:`MaskedAutoencoder` skeleton.

Graph level (padded mini-batches of many graphs):

* :func:`graphcl` — graph augmentations, NT-Xent (You et al. 2020).
* :func:`infograph` — local-global mutual information with in-batch negatives (Sun et al.
  2020), on the :class:`LocalGlobal` skeleton.
* :func:`graphmae` — masked feature reconstruction, node or graph level (Hou et al. 2022), on the
  :class:`MaskedAutoencoder` skeleton.

Skeletons (values taking their parts): :class:`TwoViewContrast` — two augmented views, one
encoder (any Flax module), an optional head and an objective such as :class:`InfoNCE`; GRACE,
GCA, CSGCL, G-BT, CCA-SSG and GraphCL are recipes on it. :class:`Bootstrap` — an online encoder and
predictor regressing an EMA target's view of the other augmented view. :class:`LocalGlobal` —
node rows scored against graph summaries by a discriminator, negatives from a corrupted graph or
the other graphs of the batch. :class:`MaskedAutoencoder` — masking, encoder, re-mask, decoder
and a reconstruction objective (features or links).

Plug-in regularisers: :func:`with_pot` adds POT's bound penalty (Yu et al. 2023,
:class:`POTRegularizer`) to a two-view method with a 2-layer GCN encoder (GRACE, GCA).
"""

from jgssl.methods import fields
from jgssl.methods.contract import Method
from jgssl.methods.base import (cosine_ema_decay, ema_update, glorot_reinit, row_block,
                                sharded_row_mean)
from jgssl.methods.bootstrap import Bootstrap, bgrl
from jgssl.methods.cca_ssg import cca_ssg
from jgssl.methods.csgcl import TeamUpInfoNCE, csgcl
from jgssl.methods.gbt import gbt
from jgssl.methods.gca import gca
from jgssl.methods.grace import grace
from jgssl.methods.graphcl import graphcl
from jgssl.methods.local_global import LocalGlobal, dgi, infograph, mvgrl
from jgssl.methods.masked_ae import MaskedAutoencoder, gae, graphmae, vgae
from jgssl.methods.pot import (AdjacencyBounds, POTRegularizer, activation_slopes,
                               check_pot_encoder, compactness_weights, deletion_budget,
                               gcn_preactivation_bounds, normalized_adjacency_bounds, pot_score,
                               relaxation, with_pot)
from jgssl.methods.two_view import InfoNCE, TwoViewContrast

__all__ = [
    "AdjacencyBounds",
    "Bootstrap",
    "LocalGlobal",
    "MaskedAutoencoder",
    "InfoNCE",
    "POTRegularizer",
    "Method",
    "TeamUpInfoNCE",
    "TwoViewContrast",
    "activation_slopes",
    "bgrl",
    "cca_ssg",
    "check_pot_encoder",
    "compactness_weights",
    "cosine_ema_decay",
    "csgcl",
    "deletion_budget",
    "dgi",
    "fields",
    "gae",
    "graphmae",
    "ema_update",
    "gbt",
    "gca",
    "gcn_preactivation_bounds",
    "glorot_reinit",
    "grace",
    "graphcl",
    "infograph",
    "mvgrl",
    "normalized_adjacency_bounds",
    "pot_score",
    "relaxation",
    "row_block",
    "sharded_row_mean",
    "vgae",
    "with_pot",
]

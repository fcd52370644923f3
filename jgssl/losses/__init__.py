"""Self-supervised objectives as pure functions of arrays.

Conventions (DESIGN.md §3): arrays in, arrays out; hyperparameters keyword-only; per-row losses
return unreduced ``[N]`` values that are exactly 0 on rows outside ``where`` (padding contributes
nothing, not even NaN or gradient) and are reduced with the one reducer :func:`masked_mean`;
batch-level losses (Barlow Twins, VICReg, CCA-SSG, JSD, BCE) take the same masks and return a
scalar. Every loss is a loss: lower is better.

* InfoNCE family (:mod:`jgssl.losses.infonce`): :func:`info_nce` (general, over a
  :class:`jgssl.pairs.Pairs`), :func:`grace_loss`, :func:`graphcl_loss`, :func:`dcl_loss`,
  :func:`weighted_dcl_loss`, :func:`debiased_info_nce`, :func:`hard_info_nce`, all with an exact
  memory-bounded chunked form, and the block-of-rows primitives :func:`info_nce_rows` /
  :func:`debiased_info_nce_rows` for sharded steps; :func:`mochi_info_nce` (hard negative mixing).
* Mutual information: :func:`jsd_mi_loss`, :func:`jsd_mi_pairs_loss`, :func:`dgi_bce_loss`.
* Bootstrap: :func:`bootstrap_cosine_loss`.
* Redundancy reduction: :func:`barlow_twins_loss`, :func:`vicreg_loss`, :func:`cca_ssg_loss`.
* Reconstruction: :func:`scaled_cosine_error`, :func:`link_bce_loss`, :func:`gae_dense_loss`,
  :func:`vgae_kl_loss`.
"""

from jgssl.losses._common import l2_normalize
from jgssl.losses._common import masked_mean
from jgssl.losses.bootstrap import bootstrap_cosine_loss
from jgssl.losses.decorrelation import barlow_twins_loss
from jgssl.losses.decorrelation import cca_ssg_loss
from jgssl.losses.decorrelation import cross_correlation
from jgssl.losses.decorrelation import vicreg_loss
from jgssl.losses.decorrelation import vicreg_terms
from jgssl.losses.infonce import dcl_loss
from jgssl.losses.infonce import dcl_weights
from jgssl.losses.infonce import debiased_info_nce
from jgssl.losses.infonce import debiased_info_nce_rows
from jgssl.losses.infonce import grace_loss
from jgssl.losses.infonce import graphcl_loss
from jgssl.losses.infonce import hard_info_nce
from jgssl.losses.infonce import info_nce
from jgssl.losses.infonce import info_nce_rows
from jgssl.losses.infonce import weighted_dcl_loss
from jgssl.losses.mochi import mochi_info_nce
from jgssl.losses.mutual_info import dgi_bce_loss
from jgssl.losses.mutual_info import jsd_mi_loss
from jgssl.losses.mutual_info import jsd_mi_pairs_loss
from jgssl.losses.reconstruction import edge_logits
from jgssl.losses.reconstruction import gae_dense_loss
from jgssl.losses.reconstruction import gaussian_kl
from jgssl.losses.reconstruction import link_bce_loss
from jgssl.losses.reconstruction import scaled_cosine_error
from jgssl.losses.reconstruction import vgae_kl_loss

__all__ = [
    "barlow_twins_loss",
    "bootstrap_cosine_loss",
    "cca_ssg_loss",
    "cross_correlation",
    "dcl_loss",
    "dcl_weights",
    "debiased_info_nce",
    "debiased_info_nce_rows",
    "dgi_bce_loss",
    "edge_logits",
    "gae_dense_loss",
    "gaussian_kl",
    "grace_loss",
    "graphcl_loss",
    "hard_info_nce",
    "info_nce",
    "info_nce_rows",
    "jsd_mi_loss",
    "jsd_mi_pairs_loss",
    "l2_normalize",
    "link_bce_loss",
    "masked_mean",
    "mochi_info_nce",
    "scaled_cosine_error",
    "vgae_kl_loss",
    "vicreg_loss",
    "vicreg_terms",
    "weighted_dcl_loss",
]

"""Self-supervised objectives as pure functions of arrays.

Arrays in, arrays out; hyperparameters keyword-only; every loss is a loss (lower is better).

**Masks and reduction: one rule for every loss.** Every loss takes the keyword ``where``: a bool
``[N]`` mask of the rows that count, selecting along the leading (row) axis of the loss's array
inputs; ``None`` means all rows. Rows outside ``where`` may hold anything (even NaN or inf): they
are selected away (``jnp.where``, never multiplied by zero) before any arithmetic, take part in
nothing (no anchor, positive, negative, column statistic or averaged term) and get exactly zero
gradient. ``where`` is AND-ed with a loss's other masks (``pos_where`` / ``neg_where``, or the
masks of a :class:`jgssl.pairs.Pairs`). So appending rows with ``where=False`` never changes a
result. Then, by what the loss's value is:

* **A mean over anchor rows -> per-row values.** The InfoNCE family (:func:`info_nce`,
  :func:`info_nce_rows`, :func:`grace_loss`, :func:`graphcl_loss`, :func:`dcl_loss`,
  :func:`weighted_dcl_loss`, :func:`debiased_info_nce`, :func:`debiased_info_nce_rows`,
  :func:`hard_info_nce`, :func:`mochi_info_nce`), the bootstrap cosine
  (:func:`bootstrap_cosine_loss`), GraphMAE's scaled cosine error (:func:`scaled_cosine_error`)
  and the per-row KL (:func:`gaussian_kl`) return float32 ``[N]``, exactly 0 on rows outside
  ``where``, and the caller reduces with the one reducer, ``masked_mean(rows, where)``. A
  pairing-based row is also 0 when its anchor has no positive; with an explicit ``pairs`` reduce
  with ``masked_mean(rows, where & pairs.row_mask(symmetric=...))``.
* **A statistic of the whole batch -> a scalar over the ``where`` rows only.** Redundancy
  reduction (:func:`barlow_twins_loss`, :func:`vicreg_loss`, :func:`cca_ssg_loss`; column means,
  stds and correlations use the present rows and their count ``n``), means over a set of scored
  pairs (:func:`jsd_mi_loss`, :func:`jsd_mi_pairs_loss`, :func:`dgi_bce_loss`,
  :func:`link_bce_loss`) and the official GAE / VGAE normalisations (:func:`gae_dense_loss`,
  :func:`vgae_kl_loss`, with ``n`` the number of present nodes) return a float32 scalar computed
  from the selected rows alone.

For the pairing-based losses (:func:`info_nce`, :func:`info_nce_rows`,
:func:`debiased_info_nce_rows`, :func:`jsd_mi_pairs_loss`, and :func:`debiased_info_nce` /
:func:`hard_info_nce` given ``pairs``) row ``i`` is removed both as anchor ``i`` and as key
``i`` when the pairing relates two views of the same ``N`` rows; in a cross-scale (``'segment'``)
pairing the keys are graphs, so ``where`` removes node anchors only (graphs are masked by
``cross_scale(graph_mask=...)``). The helpers :func:`cross_correlation`, :func:`vicreg_terms` and
:func:`dcl_weights` take ``where`` with the same meaning; :func:`edge_logits` and
:func:`l2_normalize` are not losses and take no mask.

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

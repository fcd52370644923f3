"""Mutual-information objectives over discriminator scores: JSD estimator and DGI's BCE."""

from __future__ import annotations

import math
from typing import Optional

import jax
import jax.numpy as jnp

from jgssl.losses._common import _float, _restrict_pairs, _score_mask, masked_mean
from jgssl.pairs import Pairs

__all__ = ["dgi_bce_loss", "jsd_mi_loss", "jsd_mi_pairs_loss"]

_LOG2 = math.log(2.0)


def _scores(name: str, x, own_where, where):
  x = _float(x)
  own_where = _score_mask(name, x, own_where, where)
  return jnp.where(own_where, x, 0.0), own_where


def jsd_mi_loss(pos_scores: jax.Array, neg_scores: jax.Array, *,
                pos_where: Optional[jax.Array] = None,
                neg_where: Optional[jax.Array] = None,
                where: Optional[jax.Array] = None) -> jax.Array:
  """Jensen–Shannon MI estimator as a loss (DGI / InfoGraph / MVGRL; Hjelm et al. 2019).

  The f-GAN JSD bound of Nowozin et al. 2016 in its softplus form, as InfoGraph's
  ``local_global_loss_`` (Sun et al., ICLR 2020; official code fanyun-sun/InfoGraph
  ``unsupervised/losses.py``, expectations from
  ``unsupervised/cortex_DIM/functions/gan_losses.py``): positive term
  ``E_P[log 2 − softplus(−T)]``, negative term ``E_N[softplus(−T) + T − log 2] =
  E_N[softplus(T) − log 2]``, loss ``E_N − E_P = mean_P softplus(−T) + mean_N softplus(T) −
  2 log 2``. Lower is better; the minimum ``−2 log 2`` is reached as positive scores → +∞ and
  negative scores → −∞.

  Args:
    pos_scores: float array (any shape) of discriminator scores ``T`` of positive pairs.
    neg_scores: float array (any shape) of scores of negative pairs.
    pos_where: bool mask shaped like ``pos_scores`` (None: all).
    neg_where: bool mask shaped like ``neg_scores`` (None: all).
    where: bool ``[N]`` rows that count, applied to the leading axis of both score arrays (both
      must have ``N`` entries there, e.g. DGI's real and corrupted node scores) and AND-ed with
      ``pos_where`` / ``neg_where``; None: all rows.

  Returns:
    float32 scalar over the selected scores only: each expectation is a masked mean over its
    own pairs.
  """
  pos, pos_where = _scores("pos", pos_scores, pos_where, where)
  neg, neg_where = _scores("neg", neg_scores, neg_where, where)
  return (masked_mean(jax.nn.softplus(-pos), pos_where)
          + masked_mean(jax.nn.softplus(neg), neg_where) - 2.0 * _LOG2)


def jsd_mi_pairs_loss(scores: jax.Array, *, pairs: Pairs,
                      corrupted_scores: Optional[jax.Array] = None,
                      where: Optional[jax.Array] = None) -> jax.Array:
  """JSD estimator over a score matrix and a pairing (InfoGraph / MVGRL graph level; DGI).

  ``scores[i, g] = T(h_i, s_g)`` for every anchor (node) and key (graph summary); positives and
  negatives come from ``pairs.dense_masks()`` (for ``cross_scale``: the node's own graph, and the
  other graphs unless ``other_graph_negatives=False``). Negatives from a corrupted view (DGI,
  MVGRL node level) are given as ``corrupted_scores``: ``[N, M]`` (only the positions of the real
  positives are used: corrupted node ``i`` against its own graph) or ``[N]`` (already scored
  against ``pairs.positive_index()``, for anchors in ``pairs.row_mask()``). All negative terms are
  averaged together; see :func:`jsd_mi_loss`.

  Args:
    scores: float ``[N, M]``.
    pairs: a pairing without intra-view part, ``N`` anchors × ``M`` keys.
    corrupted_scores: optional float ``[N, M]`` or ``[N]``.
    where: bool ``[N]`` rows (anchors) that count, AND-ed with the pairing's masks: a row outside
      it is no anchor, and its corrupted score is not used. For a cross-scale pairing the keys
      (graphs) are masked by ``graph_mask`` only; for a pairing of two views of the same rows
      (``M == N``) row ``i`` is removed as key ``i`` too. None: the pairing alone decides.

  Returns:
    float32 scalar over the selected pairs only.
  """
  scores = _float(scores)
  if scores.shape != (pairs.num_anchors, pairs.num_keys):
    raise ValueError(f"scores must have shape [{pairs.num_anchors}, {pairs.num_keys}], got "
                     f"{scores.shape}")
  if pairs.intra_view:
    raise ValueError("jsd_mi_pairs_loss scores anchors against keys only: intra_view pairs "
                     "are not supported")
  pairs = _restrict_pairs(pairs, where)
  pos, neg = pairs.dense_masks()
  pos_terms = jnp.where(pos, jax.nn.softplus(-jnp.where(pos, scores, 0.0)), 0.0)
  neg_terms = jnp.where(neg, jax.nn.softplus(jnp.where(neg, scores, 0.0)), 0.0)
  neg_sum, neg_cnt = jnp.sum(neg_terms), jnp.sum(neg)
  if corrupted_scores is not None:
    corrupted_scores = _float(corrupted_scores)
    if corrupted_scores.shape == scores.shape:
      cmask = pos
    elif corrupted_scores.shape == (pairs.num_anchors,):
      cmask = pairs.row_mask()
    else:
      raise ValueError(f"corrupted_scores must have shape {scores.shape} or "
                       f"[{pairs.num_anchors}], got {corrupted_scores.shape}")
    c = jnp.where(cmask, jax.nn.softplus(jnp.where(cmask, corrupted_scores, 0.0)), 0.0)
    neg_sum, neg_cnt = neg_sum + jnp.sum(c), neg_cnt + jnp.sum(cmask)
  pos_mean = jnp.sum(pos_terms) / jnp.maximum(jnp.sum(pos), 1)
  neg_mean = neg_sum / jnp.maximum(neg_cnt, 1)
  return pos_mean + neg_mean - 2.0 * _LOG2


def dgi_bce_loss(pos_logits: jax.Array, neg_logits: jax.Array, *,
                 pos_where: Optional[jax.Array] = None,
                 neg_where: Optional[jax.Array] = None,
                 where: Optional[jax.Array] = None) -> jax.Array:
  """DGI's binary cross-entropy (Veličković et al., "Deep Graph Infomax", ICLR 2019).

  Official code PetarV-/DGI: ``nn.BCEWithLogitsLoss`` in ``execute.py`` over the bilinear logits
  of ``models/dgi.py``.

  Real (node, summary) logits are labelled 1 and corrupted ones 0;
  ``BCEWithLogits`` averaged over all present logits together:
  ``(Σ_P softplus(−x) + Σ_N softplus(x)) / (|P| + |N|)``. (For equal counts this is
  ``½(jsd_mi_loss + 2 log 2)``.) Lower is better.

  Args:
    pos_logits: float array of real-pair logits (e.g. ``[N]``).
    neg_logits: float array of corrupted-pair logits.
    pos_where, neg_where: bool masks shaped like the logits (None: all).
    where: bool ``[N]`` rows that count (e.g. present nodes), applied to the leading axis of both
      logit arrays and AND-ed with ``pos_where`` / ``neg_where``; None: all rows.

  Returns:
    float32 scalar over the selected logits only.
  """
  pos, pos_where = _scores("pos", pos_logits, pos_where, where)
  neg, neg_where = _scores("neg", neg_logits, neg_where, where)
  total = (jnp.sum(jnp.where(pos_where, jax.nn.softplus(-pos), 0.0))
           + jnp.sum(jnp.where(neg_where, jax.nn.softplus(neg), 0.0)))
  return total / jnp.maximum(jnp.sum(pos_where) + jnp.sum(neg_where), 1)

"""Generative objectives: GraphMAE's scaled cosine error, GAE link reconstruction, VGAE's KL."""

from __future__ import annotations

from typing import Optional

import jax
import jax.numpy as jnp

from jgssl.losses._common import (_float, _matrix, _row_mask, _same_shape, _score_mask,
                                  _zero_rows, l2_normalize)

__all__ = [
    "edge_logits",
    "gae_dense_loss",
    "gaussian_kl",
    "link_bce_loss",
    "scaled_cosine_error",
    "vgae_kl_loss",
]


def scaled_cosine_error(prediction: jax.Array, target: jax.Array, *, alpha: float = 2.0,
                        where: Optional[jax.Array] = None) -> jax.Array:
  """GraphMAE's scaled cosine error ``(1 − cos(x̂_i, x_i))^α`` per row (Hou et al., KDD 2022).

  GraphMAE's loss is the mean over the *masked* nodes (official code THUDM/GraphMAE
  ``graphmae/models/loss_func.py`` ``sce_loss``, applied to the masked nodes in
  ``graphmae/models/edcoder.py``):
  ``masked_mean(scaled_cosine_error(x_hat, x, alpha=a, where=m), m)`` with ``m`` the mask of
  masked (and present) nodes.

  Args:
    prediction: float ``[N, F]`` reconstructed features.
    target: float ``[N, F]`` original features.
    alpha: α ≥ 1 (``alpha_l``; 2 is GraphMAE's argparse default, configs use 1–3).
    where: bool ``[N]`` rows to score.

  Returns:
    float32 ``[N]`` in ``[0, 2^α]`` (0 outside ``where``).
  """
  x = _matrix("prediction", prediction)
  y = _matrix("target", target)
  _same_shape("prediction", x, "target", y)
  alpha = float(alpha)
  if not alpha >= 1.0:
    raise ValueError(f"alpha must be >= 1 (the gradient is infinite at cos = 1 below 1), got "
                     f"{alpha}")
  where = _row_mask(where, x.shape[0])
  x = l2_normalize(_zero_rows(x, where))
  y = l2_normalize(_zero_rows(y, where))
  base = jnp.maximum(1.0 - jnp.sum(x * y, axis=1), 0.0)
  return jnp.where(where, jnp.power(base, alpha), 0.0)


def edge_logits(z: jax.Array, senders: jax.Array, receivers: jax.Array) -> jax.Array:
  """Inner-product decoder logits ``z_sᵀ z_r`` of the given pairs (GAE; Kipf & Welling 2016).

  Args:
    z: float ``[N, d]`` node embeddings.
    senders, receivers: int ``[E]`` node indices.

  Returns:
    float32 ``[E]`` logits (``σ`` of them is the edge probability).
  """
  z = _matrix("z", z)
  senders = jnp.asarray(senders)
  receivers = jnp.asarray(receivers)
  if senders.shape != receivers.shape or senders.ndim != 1:
    raise ValueError(f"senders and receivers must be 1-D of equal length, got {senders.shape} "
                     f"and {receivers.shape}")
  return jnp.sum(z[senders] * z[receivers], axis=1)


def _logits(name, x, own_where, where):
  x = _float(x)
  own_where = _score_mask(name, x, own_where, where)
  return jnp.where(own_where, x, 0.0), own_where


def link_bce_loss(pos_logits: jax.Array, neg_logits: jax.Array, *,
                  pos_where: Optional[jax.Array] = None,
                  neg_where: Optional[jax.Array] = None,
                  where: Optional[jax.Array] = None) -> jax.Array:
  """Link reconstruction BCE with sampled negatives (GAE with negative sampling).

  ``mean_P −log σ(x) + mean_N −log(1 − σ(x)) = mean_P softplus(−x) + mean_N softplus(x)``, the
  sampled estimator of PyG's ``GAE.recon_loss``. It is *not* the official dense GAE objective
  (weighted BCE over all N² entries, :func:`gae_dense_loss`): the two are different estimators
  and are kept apart. Negatives come e.g. from :func:`jgssl.pairs.sample_negative_edges`.

  Args:
    pos_logits: float ``[E]`` logits of observed edges (:func:`edge_logits`).
    neg_logits: float ``[S]`` logits of sampled non-edges.
    pos_where: bool ``[E]`` present edges (padding edges False).
    neg_where: bool ``[S]`` valid samples.
    where: bool ``[E]`` rows that count in both arrays (for one sampled non-edge per edge,
      ``S == E``), AND-ed with ``pos_where`` / ``neg_where``; None: all. With ``S != E`` use the
      two masks above.

  Returns:
    float32 scalar over the selected logits only.
  """
  pos, pos_where = _logits("pos", pos_logits, pos_where, where)
  neg, neg_where = _logits("neg", neg_logits, neg_where, where)
  pos_term = jnp.sum(jnp.where(pos_where, jax.nn.softplus(-pos), 0.0))
  neg_term = jnp.sum(jnp.where(neg_where, jax.nn.softplus(neg), 0.0))
  return (pos_term / jnp.maximum(jnp.sum(pos_where), 1)
          + neg_term / jnp.maximum(jnp.sum(neg_where), 1))


def gae_dense_loss(logits: jax.Array, target: jax.Array, *,
                   where: Optional[jax.Array] = None) -> jax.Array:
  """The official dense GAE reconstruction loss (Kipf & Welling, "Variational Graph
  Auto-Encoders", NIPS 2016 workshop; official code tkipf/gae ``gae/optimizer.py``,
  ``OptimizerAE``).

  Weighted BCE over all ``n²`` entries among the ``n`` present nodes, averaged, times
  ``norm = n² / (2(n² − E))``, with ``pos_weight = (n² − E)/E`` on the positives and ``E`` the
  number of nonzero targets. ``O(N²)``: for small graphs only.

  Args:
    logits: float ``[N, N]``, ``z zᵀ``.
    target: ``[N, N]`` 0/1 training adjacency **with self-loops** (GAE's ``adj + I``).
    where: bool ``[N]`` present nodes.

  Returns:
    float32 scalar.
  """
  logits = _matrix("logits", logits)
  n_all = logits.shape[0]
  if logits.shape != (n_all, n_all):
    raise ValueError(f"logits must be square, got {logits.shape}")
  target = jnp.asarray(target, jnp.float32)
  if target.shape != logits.shape:
    raise ValueError(f"target must have shape {logits.shape}, got {target.shape}")
  where = _row_mask(where, n_all)
  pair = where[:, None] & where[None, :]
  n2 = jnp.sum(pair).astype(jnp.float32)
  t = jnp.where(pair, target, 0.0)
  x = jnp.where(pair, logits, 0.0)
  num_pos = jnp.sum(t)
  pos_weight = (n2 - num_pos) / jnp.maximum(num_pos, 1.0)
  norm = n2 / jnp.maximum(2.0 * (n2 - num_pos), 1.0)
  bce = pos_weight * t * jax.nn.softplus(-x) + (1.0 - t) * jax.nn.softplus(x)
  return norm * jnp.sum(jnp.where(pair, bce, 0.0)) / jnp.maximum(n2, 1.0)


def gaussian_kl(mu: jax.Array, log_std: jax.Array, *,
                where: Optional[jax.Array] = None) -> jax.Array:
  """``KL(N(μ_i, diag σ_i²) ‖ N(0, I)) = −½ Σ_k (1 + 2 log σ_ik − μ_ik² − σ_ik²)`` per row.

  Args:
    mu: float ``[N, d]``.
    log_std: float ``[N, d]``, ``log σ`` (VGAE's ``z_log_std``).
    where: bool ``[N]`` present rows.

  Returns:
    float32 ``[N]``, ≥ 0 (0 outside ``where``).
  """
  mu = _matrix("mu", mu)
  log_std = _matrix("log_std", log_std)
  _same_shape("mu", mu, "log_std", log_std)
  where = _row_mask(where, mu.shape[0])
  mu = _zero_rows(mu, where)
  log_std = _zero_rows(log_std, where)
  kl = -0.5 * jnp.sum(1.0 + 2.0 * log_std - jnp.square(mu) - jnp.exp(2.0 * log_std), axis=1)
  return jnp.where(where, kl, 0.0)


def vgae_kl_loss(mu: jax.Array, log_std: jax.Array, *,
                 where: Optional[jax.Array] = None) -> jax.Array:
  """VGAE's KL term with the official normalisation (Kipf & Welling 2016; tkipf/gae
  ``gae/optimizer.py``, ``OptimizerVAE``).

  tkipf/gae computes ``kl = (0.5 / N) · mean_i Σ_k (1 + 2 log σ_ik − μ_ik² − σ_ik²)`` and
  subtracts it from the cost; the term added to the loss is therefore
  ``−kl = (1/n) · mean_i KL_i`` with ``KL_i`` from :func:`gaussian_kl` and ``n`` the number of
  present nodes. Non-negative; lower is better.

  Returns:
    float32 scalar.
  """
  mu = _matrix("mu", mu)
  where = _row_mask(where, mu.shape[0])
  kl = gaussian_kl(mu, log_std, where=where)
  n = jnp.maximum(jnp.sum(where), 1).astype(jnp.float32)
  return jnp.sum(kl) / (n * n)

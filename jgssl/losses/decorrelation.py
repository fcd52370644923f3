"""Redundancy-reduction objectives: Barlow Twins (G-BT), VICReg, CCA-SSG.

These are batch-level losses (they need column statistics over the rows), so they return a
scalar. ``where`` selects the rows that form the batch: column means, standard deviations and
(cross-)correlations are computed over the present rows only, with ``n`` their count, so a padded
batch gives exactly the loss of its real rows.
"""

from __future__ import annotations

from typing import Dict, Optional

import jax
import jax.numpy as jnp

from jgssl.losses._common import _matrix, _row_mask, _same_shape, _zero_rows

__all__ = ["barlow_twins_loss", "cca_ssg_loss", "cross_correlation", "vicreg_loss",
           "vicreg_terms"]


def _safe_sqrt(x: jax.Array) -> jax.Array:
  """``sqrt`` with a zero (not infinite) gradient at 0, so constant columns give no NaN.

  Only an exact 0 is special-cased: a NaN or infinite variance (a non-finite real row)
  propagates.
  """
  zero = x == 0
  return jnp.where(zero, 0.0, jnp.sqrt(jnp.where(zero, 1.0, x)))


def _centered(z: jax.Array, where: jax.Array):
  """Column-centred rows (absent rows 0), the row count and the unbiased column variance."""
  n = jnp.sum(where).astype(z.dtype)
  z = _zero_rows(z, where)
  mean = jnp.sum(z, axis=0) / jnp.maximum(n, 1.0)
  c = _zero_rows(z - mean, where)
  var = jnp.sum(jnp.square(c), axis=0) / jnp.maximum(n - 1.0, 1.0)
  return c, n, var


def _standardize(z: jax.Array, where: jax.Array, eps: float):
  """``(z − mean) / (std + eps)`` per column, std unbiased (as ``torch.std``); constant columns
  with ``eps = 0`` give 0 instead of NaN."""
  c, n, var = _centered(z, where)
  den = _safe_sqrt(var) + eps
  zero = den == 0  # a constant column without eps; a NaN std is not 0 and propagates
  return jnp.where(zero, 0.0, c / jnp.where(zero, 1.0, den)), n


def _pair(z1, z2, where):
  z1 = _matrix("z1", z1)
  z2 = _matrix("z2", z2)
  _same_shape("z1", z1, "z2", z2)
  return z1, z2, _row_mask(where, z1.shape[0])


def cross_correlation(z1: jax.Array, z2: jax.Array, *, where: Optional[jax.Array] = None,
                      eps: float = 1e-15) -> jax.Array:
  """Batch cross-correlation ``C = col-std(z1)ᵀ col-std(z2) / n`` (``[d, d]``).

  ``col-std`` centres each column and divides by its unbiased std plus ``eps`` over the ``n``
  present rows (G-BT: Bielak, Kajdanowicz & Chawla, "Graph Barlow Twins", Knowledge-Based
  Systems 2022; official code pbielak/graph-barlow-twins ``gssl/loss.py``). Note the ``1/n``
  after an unbiased std: a perfectly correlated column gives ``C_kk = (n − 1)/n``, as in the
  official code.
  """
  z1, z2, where = _pair(z1, z2, where)
  a, n = _standardize(z1, where, eps)
  b, _ = _standardize(z2, where, eps)
  return (a.T @ b) / jnp.maximum(n, 1.0)


def barlow_twins_loss(z1: jax.Array, z2: jax.Array, *, lambd: Optional[float] = None,
                      where: Optional[jax.Array] = None, eps: float = 1e-15) -> jax.Array:
  """Graph Barlow Twins loss (Bielak et al., Knowledge-Based Systems 2022; Zbontar et al. 2021).

  Official code: pbielak/graph-barlow-twins ``gssl/loss.py``.

  ``L = Σ_k (1 − C_kk)² + λ Σ_{k≠l} C_kl²`` with ``C`` from :func:`cross_correlation`
  (``eps = 1e-15`` as the official ``gssl/loss.py``) and ``λ = 1/d`` by default.

  Args:
    z1, z2: float ``[N, d]`` embeddings of the two views (G-BT uses no projector).
    lambd: off-diagonal weight λ ≥ 0; None gives ``1/d``.
    where: bool ``[N]`` present rows.
    eps: added to the column std.

  Returns:
    float32 scalar.
  """
  z1, z2, where = _pair(z1, z2, where)
  d = z1.shape[1]
  lambd = 1.0 / d if lambd is None else float(lambd)
  if lambd < 0:
    raise ValueError(f"lambd must be >= 0, got {lambd}")
  c = cross_correlation(z1, z2, where=where, eps=eps)
  diag = jnp.diagonal(c)
  off = jnp.sum(jnp.square(c)) - jnp.sum(jnp.square(diag))
  return jnp.sum(jnp.square(1.0 - diag)) + lambd * off


def vicreg_terms(z1: jax.Array, z2: jax.Array, *, where: Optional[jax.Array] = None,
                 eps: float = 1e-4) -> Dict[str, jax.Array]:
  """The three unweighted VICReg terms (Bardes et al., ICLR 2022).

  * ``invariance``: mean squared error ``mean_{i,k} (z1_ik − z2_ik)²`` over present rows;
  * ``variance``: ``½ mean_k relu(1 − sqrt(Var(z1_k) + eps)) + ½ (same for z2)``, unbiased Var;
  * ``covariance``: ``Σ_{k≠l} Cov(z1)_kl² / d + Σ_{k≠l} Cov(z2)_kl² / d``, ``Cov = cᵀc/(n − 1)``.

  Returns:
    dict of float32 scalars ``{'invariance', 'variance', 'covariance'}``.
  """
  z1, z2, where = _pair(z1, z2, where)
  d = z1.shape[1]
  diff = _zero_rows(z1 - z2, where)
  n = jnp.sum(where)
  invariance = jnp.sum(jnp.square(diff)) / jnp.maximum(n * d, 1).astype(jnp.float32)

  def var_cov(z):
    c, n, var = _centered(z, where)
    std = jnp.sqrt(var + eps)
    cov = (c.T @ c) / jnp.maximum(n - 1.0, 1.0)
    off = jnp.sum(jnp.square(cov)) - jnp.sum(jnp.square(jnp.diagonal(cov)))
    return jnp.mean(jax.nn.relu(1.0 - std)), off / d

  v1, c1 = var_cov(z1)
  v2, c2 = var_cov(z2)
  return {"invariance": invariance, "variance": 0.5 * (v1 + v2), "covariance": c1 + c2}


def vicreg_loss(z1: jax.Array, z2: jax.Array, *, sim_weight: float = 25.0,
                var_weight: float = 25.0, cov_weight: float = 1.0,
                where: Optional[jax.Array] = None, eps: float = 1e-4) -> jax.Array:
  """VICReg (Bardes, Ponce & LeCun, ICLR 2022): weighted sum of :func:`vicreg_terms`.

  ``L = 25 · invariance + 25 · variance + 1 · covariance`` with the paper's default weights.

  Args:
    z1, z2: float ``[N, d]`` embeddings (expander outputs) of the two views.
    sim_weight, var_weight, cov_weight: λ, μ, ν.
    where: bool ``[N]`` present rows.
    eps: added to the variance before the square root.

  Returns:
    float32 scalar.
  """
  t = vicreg_terms(z1, z2, where=where, eps=eps)
  return (sim_weight * t["invariance"] + var_weight * t["variance"]
          + cov_weight * t["covariance"])


def cca_ssg_loss(z1: jax.Array, z2: jax.Array, *, lambd: float = 1e-3,
                 where: Optional[jax.Array] = None) -> jax.Array:
  """CCA-SSG (Zhang et al., "From Canonical Correlation Analysis to Self-supervised Graph
  Neural Networks", NeurIPS 2021).

  Official code hengruizhang98/CCA-SSG: the standardisation in ``model.py`` (``CCA_SSG.forward``),
  the loss in ``main.py``.

  ``z_k = col-std(h_k)`` (unbiased std, no eps, as the official code), ``C = z₁ᵀz₂/n``,
  ``C_k = z_kᵀz_k/n``; ``L = −tr(C) + λ(‖I − C₁‖²_F + ‖I − C₂‖²_F)``. Lower is better; with
  aligned views ``−tr(C)`` reaches ``−d(n−1)/n``. A constant column standardises to 0 here
  instead of the official NaN.

  Args:
    z1, z2: float ``[N, d]`` encoder outputs of the two views (no projector).
    lambd: decorrelation weight λ (1e-3: the official default and Cora/PubMed value; CiteSeer and
      Amazon-Computers use 5e-4).
    where: bool ``[N]`` present rows.

  Returns:
    float32 scalar.
  """
  z1, z2, where = _pair(z1, z2, where)
  a, n = _standardize(z1, where, 0.0)
  b, _ = _standardize(z2, where, 0.0)
  n = jnp.maximum(n, 1.0)
  eye = jnp.eye(z1.shape[1], dtype=a.dtype)
  c = (a.T @ b) / n
  c1 = (a.T @ a) / n
  c2 = (b.T @ b) / n
  return -jnp.trace(c) + lambd * (jnp.sum(jnp.square(eye - c1)) + jnp.sum(jnp.square(eye - c2)))

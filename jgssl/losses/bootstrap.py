"""Bootstrap (BYOL / BGRL) regression loss."""

from __future__ import annotations

from typing import Optional

import jax
import jax.numpy as jnp

from jgssl.losses._common import _matrix, _row_mask, _same_shape, _zero_rows, l2_normalize

__all__ = ["bootstrap_cosine_loss"]


def bootstrap_cosine_loss(prediction: jax.Array, target: jax.Array, *,
                          where: Optional[jax.Array] = None) -> jax.Array:
  """``2 − 2 cos(p_i, sg(z_i))`` per row (BGRL, Thakoor et al., ICLR 2022; BYOL).

  BGRL's loss is ``2 − cos(p₁, sg(y₂)) − cos(p₂, sg(y₁))`` per node (Thakoor et al.,
  "Large-Scale Representation Learning on Graphs via Bootstrapping", ICLR 2022; official code
  nerdslab/bgrl ``train_transductive.py``), i.e. the average of this function over the two
  (prediction, target) pairings. The target gets no
  gradient. It is a loss: 0 when prediction and target align, 4 when opposite (PyGCL's
  ``BootstrapLatent`` returns the similarity instead; tested here). ``O(N · d)``: only the N
  matching pairs are scored.

  Args:
    prediction: float ``[N, d]``, online predictor outputs ``p``.
    target: float ``[N, d]``, target encoder outputs ``z`` (stop-gradient applied here).
    where: bool ``[N]`` present rows.

  Returns:
    float32 ``[N]`` in ``[0, 4]`` (0 on absent rows); reduce with ``masked_mean(rows, where)``.
  """
  p = _matrix("prediction", prediction)
  z = _matrix("target", target)
  _same_shape("prediction", p, "target", z)
  where = _row_mask(where, p.shape[0])
  p = l2_normalize(_zero_rows(p, where))
  z = l2_normalize(_zero_rows(jax.lax.stop_gradient(z), where))
  return jnp.where(where, 2.0 - 2.0 * jnp.sum(p * z, axis=1), 0.0)

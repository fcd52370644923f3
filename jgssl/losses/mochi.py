"""Hard negative mixing (MoCHi; Kalantidis et al., NeurIPS 2020) for in-batch graph contrast."""

from __future__ import annotations

from typing import Optional

import jax
import jax.numpy as jnp

from jgssl.losses._common import _matrix, _positive, _row_mask, _same_shape, _zero_rows
from jgssl.losses._common import l2_normalize

__all__ = ["mochi_info_nce"]


def _one_direction(key: jax.Array, q: jax.Array, k: jax.Array, where: jax.Array, *,
                   inv_temp: float, num_hard: int, num_mix: int, num_query_mix: int,
                   stop_gradient_synthetic: bool) -> jax.Array:
  n = q.shape[0]
  sims = q @ k.T  # cosines [N, N]
  eye = jnp.eye(n, dtype=bool)
  valid = where[:, None] & where[None, :]
  neg = valid & ~eye
  s_pos = jnp.sum(q * k, axis=1) * inv_temp
  neg_logits = jnp.where(neg, sims * inv_temp, -jnp.inf)

  # The hardest negatives: highest cosine, ranked on detached scores; padding sorts last.
  hard_vals, hard_idx = jax.lax.top_k(jax.lax.stop_gradient(jnp.where(neg, sims, -jnp.inf)),
                                      num_hard)
  hard_ok = jnp.isfinite(hard_vals)  # fewer present negatives than num_hard
  hard = k[hard_idx]  # [N, num_hard, d]

  # Per-row keys folded from the row index: a row's draws do not depend on the padding size.
  row_keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, jnp.arange(n))

  def draws(rk):
    ka, kb, kal, kc, kbe = jax.random.split(rk, 5)
    return (jax.random.randint(ka, (num_mix,), 0, num_hard),
            jax.random.randint(kb, (num_mix,), 0, num_hard),
            jax.random.uniform(kal, (num_mix,)),
            jax.random.randint(kc, (num_query_mix,), 0, num_hard),
            jax.random.uniform(kbe, (num_query_mix,), maxval=0.5))

  ia, ib, alpha, ic, beta = jax.vmap(draws)(row_keys)
  take = lambda idx: jnp.take_along_axis(hard, idx[..., None], axis=1)
  take_ok = lambda idx: jnp.take_along_axis(hard_ok, idx, axis=1)
  # s points: normalise(α n_a + (1 − α) n_b); s' points: normalise(β q + (1 − β) n_c).
  mix = l2_normalize(alpha[..., None] * take(ia) + (1 - alpha[..., None]) * take(ib))
  mix_ok = take_ok(ia) & take_ok(ib)
  qmix = l2_normalize(beta[..., None] * q[:, None, :] + (1 - beta[..., None]) * take(ic))
  qmix_ok = take_ok(ic)
  synthetic = jnp.concatenate([mix, qmix], axis=1)
  synthetic_ok = jnp.concatenate([mix_ok, qmix_ok], axis=1) & where[:, None]
  if stop_gradient_synthetic:
    synthetic = jax.lax.stop_gradient(synthetic)
  syn_logits = jnp.where(synthetic_ok, jnp.einsum("nd,nsd->ns", q, synthetic) * inv_temp,
                         -jnp.inf)

  logits = jnp.concatenate([s_pos[:, None], neg_logits, syn_logits], axis=1)
  row = jax.nn.logsumexp(logits, axis=1) - s_pos
  return jnp.where(where, row, 0.0)


def mochi_info_nce(key: jax.Array, u: jax.Array, v: jax.Array, *, temperature: float,
                   num_hard: int = 64, num_mix: int = 64, num_query_mix: int = 16,
                   where: Optional[jax.Array] = None, stop_gradient_synthetic: bool = True,
                   symmetric: bool = False) -> jax.Array:
  """InfoNCE with synthetic hard negatives mixed from the hardest ones (MoCHi), per row.

  Kalantidis et al., "Hard Negative Mixing for Contrastive Learning", NeurIPS 2020, adapted from
  MoCo's queue to in-batch cross-view negatives. For query ``q_i = u_i`` (L2-normalised) with
  positive ``v_i`` and negatives ``{v_j, j ≠ i}``, take the ``num_hard`` negatives with the highest
  cosine; synthesise ``num_mix`` points ``normalise(α n_a + (1 − α) n_b)``, ``α ~ U(0, 1)``, ``a, b``
  uniform among the hardest, and ``num_query_mix`` points ``normalise(β q + (1 − β) n_c)``,
  ``β ~ U(0, 0.5)``; append their logits ``q·h/τ`` to the denominator:
  ``ℓ_i = −s_ii + log(e^{s_ii} + Σ_{j≠i} e^{s_ij} + Σ_h e^{q_i·h/τ})``.

  Choices (the paper's defaults and whether gradient flows into the synthetic points are not
  confirmed against a primary source; the mixing follows the paper and the unofficial
  davidsvy/hard-negative-mixing README): the synthetic points carry **no gradient** by default
  (``stop_gradient_synthetic``), as MoCo's queue negatives carry none; the hardest negatives are
  ranked on detached scores; ``a`` and ``b`` are drawn independently (they may coincide); only
  cross-view negatives, one direction (MoCo-style) unless ``symmetric``. The defaults
  (64 / 64 / 16) are jgssl's choice for graph batches, not the paper's ImageNet values. Random
  draws are folded from the row index, so a row's synthetic points do not depend on how much
  padding follows it. Dense: ``O(N² + N · (num_mix + num_query_mix) · d)`` memory.

  Args:
    key: ``jax.random`` key for the mixing coefficients and indices.
    u: float ``[N, d]`` queries (view 1).
    v: float ``[N, d]`` keys (view 2).
    temperature: τ > 0.
    num_hard: how many hardest negatives to mix from (≤ N − 1, static). Anchors with fewer
      present negatives mix only among those.
    num_mix: number of negative–negative mixes per anchor (static, ≥ 0).
    num_query_mix: number of query–negative mixes per anchor (static, ≥ 0).
    where: bool ``[N]`` rows present in both views.
    stop_gradient_synthetic: detach the synthetic points.
    symmetric: average with the ``v → u`` direction (using an independent key).

  Returns:
    float32 ``[N]``; reduce with ``masked_mean(rows, where)``. With ``num_mix = num_query_mix = 0``
    this is InfoNCE with cross-view negatives only.
  """
  u = _matrix("u", u)
  v = _matrix("v", v)
  _same_shape("u", u, "v", v)
  n = u.shape[0]
  where = _row_mask(where, n)
  inv_temp = 1.0 / _positive("temperature", temperature)
  for name, value in (("num_mix", num_mix), ("num_query_mix", num_query_mix)):
    if not isinstance(value, int) or value < 0:
      raise ValueError(f"{name} must be an int >= 0, got {value!r}")
  if not isinstance(num_hard, int) or not 1 <= num_hard <= max(n - 1, 1):
    raise ValueError(f"num_hard must be an int in [1, N - 1] = [1, {n - 1}], got {num_hard!r}")
  q = l2_normalize(_zero_rows(u, where))
  k = l2_normalize(_zero_rows(v, where))
  kw = dict(inv_temp=inv_temp, num_hard=num_hard, num_mix=num_mix, num_query_mix=num_query_mix,
            stop_gradient_synthetic=stop_gradient_synthetic)
  if not symmetric:
    return _one_direction(key, q, k, where, **kw)
  k1, k2 = jax.random.split(key)
  return 0.5 * (_one_direction(k1, q, k, where, **kw) + _one_direction(k2, k, q, where, **kw))

"""``TopK-rec``: all-item ranking Recall@K and NDCG@K for implicit-feedback recommendation.

The protocol of LightGCL (Cai et al., ICLR 2023; HKUDS/LightGCL ``main.py`` / ``utils.metrics``)
and DCCF (Ren et al., SIGIR 2023; HKUDS/DCCF), K = 20 and 40:

* every user is scored against ALL items, ``s_ui = e_u . e_i``; the user's training items are
  removed from the ranking (LightGCL sets their score to ``-1e8``; here ``-inf``);
* users without test items are skipped; the metrics are means over the remaining users;
* ``Recall@K = |top-K ∩ test| / |test|`` (not ``min(K, |test|)``);
* ``NDCG@K = DCG / IDCG`` with ``DCG = sum_{hits at rank r (0-based)} 1 / log2(r + 2)`` and the
  ideal DCG over ``min(K, |test|)`` positions, as LightGCL computes it.

DCCF reports the same metric names at the same K; its evaluation code was not compared line by
line here. Scoring runs in jitted blocks of users with :func:`jax.lax.top_k`, so a
42k-user x 27k-item catalogue needs one ``[block, items]`` score matrix at a time. Scores are
fractions in ``[0, 1]``.
"""

from __future__ import annotations

import functools
from typing import Sequence, Tuple

import jax
import jax.numpy as jnp
import numpy as np

from jgssl.evaluate import _common
from jgssl.evaluate._common import EvalResult

__all__ = ["topk_recommendation"]


def _check_pairs(pairs, name: str, num_users: int, num_items: int) -> np.ndarray:
  p = np.asarray(pairs)
  if p.ndim != 2 or p.shape[0] != 2:
    raise ValueError(f"{name} must be [2, T] (user, item) pairs, got shape {p.shape}")
  if p.size and not np.issubdtype(p.dtype, np.integer):
    raise ValueError(f"{name} must hold integer ids, got dtype {p.dtype}")
  p = p.astype(np.int64)
  if p.size:
    if p[0].min() < 0 or p[0].max() >= num_users:
      raise ValueError(f"{name} has a user id outside [0, {num_users})")
    if p[1].min() < 0 or p[1].max() >= num_items:
      raise ValueError(f"{name} has an item id outside [0, {num_items})")
  # Unique pairs, sorted by user: every block of users is then a contiguous slice.
  keys = np.unique(p[0] * num_items + p[1])
  return np.stack([keys // num_items, keys % num_items])


def _bucket(n: int) -> int:
  """Next power of two >= max(n, 64), so blocks reuse a handful of compiled shapes."""
  return 1 << max(int(n) - 1, 63).bit_length()


@functools.partial(jax.jit, static_argnames=("ks",))
def _block_metrics(user_block, item_emb, train_rows, train_cols, test_rows, test_cols, n_test, *,
                   ks: Tuple[int, ...]):
  """Recall / NDCG ``[B, len(ks)]`` for one block of users (padding rows / pairs are dropped)."""
  block, num_items = user_block.shape[0], item_emb.shape[0]
  kmax = min(max(ks), num_items)
  scores = user_block @ item_emb.T
  train = jnp.zeros((block, num_items), bool).at[train_rows, train_cols].set(True, mode="drop")
  test = jnp.zeros((block, num_items), bool).at[test_rows, test_cols].set(True, mode="drop")
  scores = jnp.where(train, -jnp.inf, scores)
  _, top = jax.lax.top_k(scores, kmax)                                   # [B, kmax]
  hits = jnp.take_along_axis(test & ~train, top, axis=1).astype(jnp.float32)
  discount = 1.0 / jnp.log2(jnp.arange(kmax, dtype=jnp.float32) + 2.0)    # [kmax]
  ideal = jnp.cumsum(discount)                                           # IDCG of n hits
  n = n_test.astype(jnp.float32)
  recalls, ndcgs = [], []
  for k in ks:
    kk = min(k, num_items)
    h = hits[:, :kk]
    recalls.append(jnp.sum(h, axis=1) / jnp.maximum(n, 1.0))
    n_ideal = jnp.clip(jnp.minimum(n_test, k), 1, kmax) - 1
    ndcgs.append(jnp.sum(h * discount[:kk], axis=1) / ideal[n_ideal])
  return jnp.stack(recalls, axis=1), jnp.stack(ndcgs, axis=1)


def topk_recommendation(user_embeddings, item_embeddings, train, test, *,
                        ks: Sequence[int] = (20, 40), block_size: int = 1024) -> EvalResult:
  """``TopK-rec`` (LightGCL / DCCF): Recall@K and NDCG@K over all items, training items excluded.

  Args:
    user_embeddings: float ``[U, d]`` final user embeddings.
    item_embeddings: float ``[I, d]`` final item embeddings.
    train: int ``[2, T]`` (user, item) training interactions (excluded from the ranking), as in
      :class:`jgssl.data.types.InteractionDataset`.
    test: int ``[2, S]`` (user, item) test interactions (duplicates count once).
    ks: cut-offs; ``K`` larger than the item count ranks every item.
    block_size: users scored per jitted step (memory ``block_size x I`` floats).

  Returns:
    :class:`EvalResult` ``'TopK-rec'`` with ``recall@K`` and ``ndcg@K`` for each ``K`` (means over
    users with at least one test item; headline ``recall@<first K>``); ``settings`` holds the
    number of evaluated users.

  Raises:
    ValueError: on mismatched widths, NaN embeddings, ids out of range, bad ``ks``, or no user
      with a test item.
  """
  users = _common.check_embeddings(user_embeddings, "user_embeddings")
  items = _common.check_embeddings(item_embeddings, "item_embeddings")
  if users.shape[1] != items.shape[1]:
    raise ValueError(f"user ({users.shape[1]}) and item ({items.shape[1]}) embedding widths "
                     "differ")
  ks = tuple(int(k) for k in ks)
  if not ks or min(ks) < 1:
    raise ValueError(f"ks must be positive cut-offs, got {ks}")
  if block_size < 1:
    raise ValueError(f"block_size must be >= 1, got {block_size}")
  num_users, num_items = users.shape[0], items.shape[0]
  train = _check_pairs(train, "train", num_users, num_items)
  test = _check_pairs(test, "test", num_users, num_items)
  n_test = np.bincount(test[0], minlength=num_users)
  if not np.any(n_test > 0):
    raise ValueError("no user has a test item")

  block = min(int(block_size), num_users)
  num_blocks = -(-num_users // block)
  user_pad = np.zeros((num_blocks * block, users.shape[1]), np.float32)
  user_pad[:num_users] = users
  n_test_pad = np.zeros(num_blocks * block, np.int32)
  n_test_pad[:num_users] = n_test
  train_ptr = np.searchsorted(train[0], np.arange(num_blocks + 1) * block)
  test_ptr = np.searchsorted(test[0], np.arange(num_blocks + 1) * block)
  item_dev = jnp.asarray(items, jnp.float32)

  def block_pairs(pairs, ptr, b):
    lo, hi = ptr[b], ptr[b + 1]
    size = _bucket(hi - lo)
    rows = np.full(size, block, np.int32)  # out of range: dropped by the scatter
    cols = np.zeros(size, np.int32)
    rows[:hi - lo] = pairs[0, lo:hi] - b * block
    cols[:hi - lo] = pairs[1, lo:hi]
    return rows, cols

  sums = np.zeros((2, len(ks)), np.float64)
  for b in range(num_blocks):
    sl = slice(b * block, (b + 1) * block)
    if not np.any(n_test_pad[sl] > 0):
      continue
    tr_rows, tr_cols = block_pairs(train, train_ptr, b)
    te_rows, te_cols = block_pairs(test, test_ptr, b)
    recall, ndcg = _block_metrics(jnp.asarray(user_pad[sl]), item_dev, tr_rows, tr_cols,
                                  te_rows, te_cols, jnp.asarray(n_test_pad[sl]), ks=ks)
    valid = n_test_pad[sl] > 0
    sums[0] += np.asarray(recall, np.float64)[valid].sum(axis=0)
    sums[1] += np.asarray(ndcg, np.float64)[valid].sum(axis=0)
  num_eval = int(np.sum(n_test > 0))
  metrics = {}
  for i, k in enumerate(ks):
    metrics[f"recall@{k}"] = float(sums[0, i] / num_eval)
    metrics[f"ndcg@{k}"] = float(sums[1, i] / num_eval)
  return EvalResult(protocol="TopK-rec", metrics=metrics, main=f"recall@{ks[0]}",
                    settings=dict(ks=ks, num_users_evaluated=num_eval, num_users=num_users,
                                  num_items=num_items, block_size=block))

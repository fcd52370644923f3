"""Sparse node features for the first layer: a per-row column index that keeps static shapes.

Bag-of-words features (Cora 1.3 % non-zero, CiteSeer 0.85 %) make the first layer's ``X W`` a
dense ``[N, F] @ [F, D]`` product of mostly zeros. jgssl keeps ``nodes['x']`` dense (the graph
convention, every augmentation and loss reads it) and adds an **optional** node key:

* ``nodes['x_cols']``: int32 ``[N, K]``, for each row the columns where ``x`` *may* be non-zero,
  in increasing order, padded with ``F`` (an out-of-range column that reads as 0). ``K`` is the largest number of
  non-zeros of a row (rounded up to a multiple of 8), a static shape.

It is an index, not a copy of the values: the values are always read from the current
``nodes['x']``, so every augmentation that only zeroes or scales entries (feature-column
masking, row masking, dropout, DGI's row shuffle when it permutes ``x_cols`` too, node dropping)
keeps it valid without knowing about it. Padding rows added later by
:func:`jgssl.graph.pad_graph` get index 0 and zero features, so they contribute nothing.

:func:`sparse_matmul` computes ``x @ kernel`` from the index as ``K`` fused row gathers of the
kernel (``O(N K D)`` instead of ``O(N F D)``) and **checks** the index on every call: it counts
the non-zeros of each row of ``x`` and of its gathered values (one pass over ``x``), and when
they differ anywhere (the index is stale, e.g. a dense mask token or embeddings replaced
``x`` without dropping the key) it takes the dense product instead, under :func:`jax.lax.cond`. Only strictly increasing in-range columns of a row
count (so the check is exact: equal counts mean every non-zero of ``x`` is listed once). A stale
index therefore costs speed, never correctness. The backward pass is the dense ``xᵀ g`` (and ``g kernelᵀ`` for ``x``, removed by XLA
when ``x`` needs no gradient): XLA's CPU scatter is slower than the dense product, so only the
forward product is sparse.

Use :func:`with_sparse_features` on the host (numpy) after loading a dataset; encoders
(:class:`jgssl.models.GCN`, :class:`~jgssl.models.GAT`, :class:`~jgssl.models.MLP`) pick the
key up for their first layer automatically. Node-level single graphs only: jraph batching of
several graphs concatenates rows and keeps the index valid, but graph-level pipelines gain
nothing from it.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterator, Optional

import jax
import jax.numpy as jnp
import jraph
import numpy as np

from jgssl.graph import SPARSE_KEY, drop_sparse_features  # the key is part of the graph convention

__all__ = [
    "SPARSE_KEY",
    "assume_valid_index",
    "drop_sparse_features",
    "sparse_columns",
    "sparse_matmul",
    "with_sparse_features",
]

def sparse_columns(x: np.ndarray, *, max_fill: float = 0.125, multiple: int = 8
                   ) -> Optional[np.ndarray]:
  """The per-row column index of a feature matrix, or ``None`` when it is not sparse enough.

  Args:
    x: float ``[N, F]`` features (host numpy).
    max_fill: use the index only when ``K <= max_fill * F`` (``K`` the padded row width); above
      that the gathers cost about as much as the dense product.
    multiple: round ``K`` up to a multiple of this.

  Returns:
    int32 ``[N, K]``: row ``i`` lists the columns of its non-zeros in increasing order, then
    ``F`` (padding); or ``None``.

  Raises:
    ValueError: if ``x`` is not a 2-D array.
  """
  x = np.asarray(x)
  if x.ndim != 2:
    raise ValueError(f"features must be [N, F], got shape {x.shape}")
  n, f = x.shape
  nz = x != 0
  per_row = nz.sum(axis=1)
  k = int(per_row.max()) if n else 0
  k = max(multiple, -(-k // multiple) * multiple)
  if f == 0 or k > max_fill * f:
    return None
  cols = np.full((n, k), f, np.int32)
  rows, cs = np.nonzero(nz)
  slot = np.arange(rows.shape[0]) - np.repeat(np.cumsum(per_row) - per_row, per_row)
  cols[rows, slot] = cs
  return cols


def with_sparse_features(graph: jraph.GraphsTuple, *, max_fill: float = 0.125
                         ) -> jraph.GraphsTuple:
  """Adds ``nodes['x_cols']`` when ``nodes['x']`` is sparse enough; else returns ``graph``.

  Host side (numpy), before or after :func:`jgssl.graph.pad_graph`. Exactness does not depend on
  it (see the module docstring); only speed does.
  """
  x = np.asarray(graph.nodes["x"])
  cols = sparse_columns(x, max_fill=max_fill)
  if cols is None:
    return graph
  return graph._replace(nodes={**graph.nodes, SPARSE_KEY: cols})


_ASSUME_VALID = contextvars.ContextVar("jgssl_sparse_assume_valid", default=False)


@contextlib.contextmanager
def assume_valid_index() -> Iterator[None]:
  """Within this block, :func:`sparse_matmul` *traces* only the sparse product (no check, no
  dense fallback).

  For FLOP accounting: XLA's cost analysis of a :func:`jax.lax.cond` counts the dense branch,
  so benchmarks lower the program under this context to count what the sparse branch executes.
  Programs traced here are wrong for a stale index; do not train with them. JAX caches traces
  per function: lower a freshly built function (e.g. a new ``make_train_step``) inside the
  block, or an earlier trace is reused.
  """
  token = _ASSUME_VALID.set(True)
  try:
    yield
  finally:
    _ASSUME_VALID.reset(token)


def _gathered(x, cols):
  f = x.shape[1]
  # A slot counts only if its column is in range and larger than the previous slot's: rows
  # padded later by pad_graph hold index 0 in every slot, and with no repeated column the
  # non-zero count check below is exact for any index.
  increasing = jnp.concatenate([jnp.ones_like(cols[:, :1], bool), cols[:, 1:] > cols[:, :-1]],
                               axis=1)
  inside = (cols < f) & increasing
  vals = jnp.take_along_axis(x, jnp.where(inside, cols, 0), axis=1)
  return jnp.where(inside, vals, jnp.zeros_like(vals)), jnp.where(inside, cols, 0)


def _sparse_product(x, cols, kernel):
  vals, safe = _gathered(x, cols)
  out = jnp.zeros((x.shape[0], kernel.shape[1]), jnp.result_type(x, kernel))
  # K row gathers of the kernel, each fused with its multiply-add: XLA's CPU gather of [N, D]
  # rows by an [N] index is fast, a single [N, K, D] gather is not.
  for k in range(cols.shape[1]):
    out = out + vals[:, k:k + 1] * jnp.take(kernel, safe[:, k], axis=0)
  return out


@jax.custom_vjp
def sparse_matmul(x: jax.Array, cols: jax.Array, kernel: jax.Array) -> jax.Array:
  """``x @ kernel`` using the column index ``cols`` when it covers every non-zero of ``x``.

  Args:
    x: float ``[N, F]``.
    cols: int32 ``[N, K]`` column index (module docstring); entries ``>= F`` are padding.
    kernel: float ``[F, D]``.

  Returns:
    float ``[N, D]``, equal to ``x @ kernel`` up to float summation order whether or not the
    index is valid (an invalid one falls back to the dense product).
  """
  return _sparse_matmul_fwd(x, cols, kernel)[0]


def _sparse_matmul_fwd(x, cols, kernel):
  if _ASSUME_VALID.get():
    return _sparse_product(x, cols, kernel), (x, cols, kernel)
  vals, _ = _gathered(x, cols)
  # Row-wise float32 counts: exact (at most F per row) and cheaper on CPU than an int reduction.
  count = lambda a: jnp.sum((a != 0).astype(jnp.float32), axis=1)
  covered = jnp.all(count(x) == count(vals))
  out = jax.lax.cond(covered, _sparse_product, lambda x, c, w: jnp.dot(x, w), x, cols, kernel)
  return out, (x, cols, kernel)


def _sparse_matmul_bwd(res, g):
  x, cols, kernel = res
  dcols = np.zeros(cols.shape, jax.dtypes.float0)
  return jnp.dot(g, kernel.T).astype(x.dtype), dcols, jnp.dot(x.T, g).astype(kernel.dtype)


sparse_matmul.defvjp(_sparse_matmul_fwd, _sparse_matmul_bwd)

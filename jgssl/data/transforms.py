"""Host-side feature transforms applied once, before padding and training.

These mirror the preprocessing the reference implementations run on their inputs, so that a
recipe gets the numbers it was tuned for:

* :func:`row_normalize` — every row divided by its sum (PyG ``T.NormalizeFeatures``, DGI's
  ``process.preprocess_features``, GRACE / GCA / MVGRL / CCA-SSG on Planetoid); all-zero rows
  stay zero (CiteSeer has 48 of them in the PyG assembly).
* :func:`normalize_node_features` — the same on a graph's ``nodes['x']``, by name, as the
  experiment configs' ``features`` field does (``'none'`` or ``'row'``).
"""

from __future__ import annotations

import jraph
import numpy as np

__all__ = ["FEATURE_NORMS", "normalize_node_features", "row_normalize"]

#: Names :func:`normalize_node_features` accepts.
FEATURE_NORMS = ("none", "row")


def row_normalize(x) -> np.ndarray:
  """Divides each row of ``x`` by its sum (L1 for non-negative features).

  Args:
    x: ``[N, F]`` features (NumPy or JAX, any real dtype).

  Returns:
    ``[N, F]`` float32 NumPy array whose non-zero rows sum to 1; rows summing to 0 are returned
    as zeros (never NaN). Padding rows, which are zero, stay zero.

  Raises:
    ValueError: when ``x`` is not two-dimensional.
  """
  x = np.asarray(x, np.float32)
  if x.ndim != 2:
    raise ValueError(f"row_normalize expects [N, F] features, got shape {x.shape}")
  s = x.sum(axis=1, keepdims=True)
  return np.where(s != 0, x / np.where(s == 0, 1.0, s), 0.0).astype(np.float32)


def normalize_node_features(graph: jraph.GraphsTuple, kind: str) -> jraph.GraphsTuple:
  """``graph`` with ``nodes['x']`` normalised by ``kind`` (``'none'`` or ``'row'``).

  Works on single graphs and on batches of many graphs (rows are nodes either way); the other
  node fields (``mask``, labels) are kept.

  Raises:
    ValueError: on an unknown ``kind`` or a graph without ``nodes['x']``.
  """
  if kind not in FEATURE_NORMS:
    raise ValueError(f"unknown feature normalisation {kind!r}; choose one of {FEATURE_NORMS}")
  if not isinstance(graph.nodes, dict) or "x" not in graph.nodes:
    raise ValueError("normalize_node_features needs graph.nodes['x']")
  x = graph.nodes["x"]
  x = np.asarray(x, np.float32) if kind == "none" else row_normalize(x)
  return graph._replace(nodes={**graph.nodes, "x": x})

"""MVGRL's diffusion views: personalised PageRank and heat kernel graphs (host side).

Hassani & Khasahmadi, "Contrastive Multi-View Representation Learning on Graphs" (ICML'20),
official code kavehhassani/mvgrl (``utils.py``: ``compute_ppr``, ``compute_heat``;
``node/dataset.py``: the epsilon rule). A diffusion view is a second graph on the same nodes
whose edges carry diffusion weights. It is computed once per graph, before training, with dense
numpy / scipy linear algebra (memory ``O(n^2)`` per graph, so a ``max_nodes`` guard), and cached
by content so repeated calls are free.

With ``T = A + I`` (``self_loops=True``, MVGRL's default) and ``D = diag(T 1)``:

* PPR: ``S = alpha (I - (1 - alpha) D^-1/2 T D^-1/2)^-1`` (``alpha = 0.2``);
* heat: ``S = expm(t (T D^-1 - I))`` (``t = 5``). MVGRL's ``compute_heat`` writes
  ``np.exp(t * (A @ inv(D) - 1))``, an element-wise exponential; this is the matrix exponential
  of the paper's formula.

Convention: ``A[i, j]`` is the weight of the present edge ``j -> i`` (row = receiver), so
``S @ X`` aggregates into row ``i``; each kept entry ``S[i, j]`` becomes an edge ``j -> i`` with
weight ``S[i, j]``. The diagonal is kept (as self-loop edges): MVGRL feeds ``S`` to its GCN
layer as is, so an encoder should use these weights without adding self-loops or
renormalising. Sparsify by ``top_k`` entries per row or by a threshold ``epsilon`` (MVGRL keeps
``S >= epsilon``; ``epsilon='auto'`` applies its CiteSeer rule); MVGRL keeps the dense matrix for
Cora, PubMed and graph-level data (``top_k=None, epsilon=None``). MVGRL additionally min-max
scales the columns of the sparsified CiteSeer matrix (``sklearn.preprocessing.MinMaxScaler``);
that step is left to the caller.
"""

from __future__ import annotations

import collections
import hashlib
from typing import Optional, Union

import jax
import jraph
import numpy as np
import scipy.linalg

from jgssl import graph as jgraph

__all__ = [
    "MVGRL_EPSILONS",
    "clear_diffusion_cache",
    "heat_diffusion",
    "heat_matrix",
    "ppr_diffusion",
    "ppr_matrix",
    "select_epsilon",
    "sparsify",
]

MVGRL_EPSILONS = (1e-5, 1e-4, 1e-3, 1e-2)
"""The thresholds MVGRL's ``node/dataset.py`` chooses from (CiteSeer)."""

_CACHE_SIZE = 8
_cache: "collections.OrderedDict[str, jraph.GraphsTuple]" = collections.OrderedDict()


def clear_diffusion_cache() -> None:
  """Empties the cache of :func:`ppr_diffusion` / :func:`heat_diffusion` results."""
  _cache.clear()


# ---------------------------------------------------------------------------------------------
# Dense matrices
# ---------------------------------------------------------------------------------------------


def _check_adjacency(adjacency) -> np.ndarray:
  a = np.asarray(adjacency, dtype=np.float64)
  if a.ndim != 2 or a.shape[0] != a.shape[1]:
    raise ValueError(f"adjacency must be a square [n, n] matrix, got shape {a.shape}")
  if not np.all(np.isfinite(a)):
    raise ValueError("adjacency contains NaN or infinite entries")
  if np.any(a < 0):
    raise ValueError("adjacency must have non-negative weights")
  return a


def _with_loops(a: np.ndarray, self_loops: bool) -> np.ndarray:
  return a + np.eye(a.shape[0]) if self_loops else a


def ppr_matrix(adjacency: np.ndarray, *, alpha: float = 0.2, self_loops: bool = True
               ) -> np.ndarray:
  """Dense PPR diffusion ``alpha (I - (1 - alpha) D^-1/2 T D^-1/2)^-1`` (MVGRL ``compute_ppr``).

  Args:
    adjacency: float ``[n, n]`` non-negative adjacency (row = receiver).
    alpha: teleport probability in ``(0, 1]``.
    self_loops: use ``T = A + I`` (MVGRL) instead of ``T = A``.

  Returns:
    float64 ``[n, n]``. Rows / columns of nodes with zero degree (only possible without
    self-loops) use ``D^-1/2 = 0``, giving ``S[i, i] = alpha`` there.
  """
  if not 0.0 < alpha <= 1.0:
    raise ValueError(f"alpha must lie in (0, 1], got {alpha}")
  t = _with_loops(_check_adjacency(adjacency), self_loops)
  n = t.shape[0]
  if n == 0:
    return np.zeros((0, 0))
  deg = t.sum(axis=1)
  inv_sqrt = np.where(deg > 0, 1.0 / np.sqrt(np.where(deg > 0, deg, 1.0)), 0.0)
  norm = inv_sqrt[:, None] * t * inv_sqrt[None, :]
  m = np.eye(n) - (1.0 - alpha) * norm
  symmetric = np.allclose(t, t.T)
  return alpha * scipy.linalg.solve(m, np.eye(n), assume_a="pos" if symmetric else "gen")


def heat_matrix(adjacency: np.ndarray, *, t: float = 5.0, self_loops: bool = True) -> np.ndarray:
  """Dense heat-kernel diffusion ``expm(t (T D^-1 - I))`` (MVGRL's heat view, as in the paper).

  Args:
    adjacency: float ``[n, n]`` non-negative adjacency (row = receiver).
    t: diffusion time, ``> 0``.
    self_loops: use ``T = A + I`` (MVGRL) instead of ``T = A``.

  Returns:
    float64 ``[n, n]``; ``D = diag(T 1)`` (row sums, as MVGRL), with ``D^-1 = 0`` for zero
    degree.
  """
  if not t > 0:
    raise ValueError(f"t must be > 0, got {t}")
  tr = _with_loops(_check_adjacency(adjacency), self_loops)
  n = tr.shape[0]
  if n == 0:
    return np.zeros((0, 0))
  deg = tr.sum(axis=1)
  inv = np.where(deg > 0, 1.0 / np.where(deg > 0, deg, 1.0), 0.0)
  return scipy.linalg.expm(t * (tr * inv[None, :] - np.eye(n)))


# ---------------------------------------------------------------------------------------------
# Sparsification
# ---------------------------------------------------------------------------------------------


def select_epsilon(matrix: np.ndarray, adjacency: np.ndarray,
                   epsilons=MVGRL_EPSILONS) -> float:
  """MVGRL's threshold rule: the epsilon whose kept entries per row best match the mean degree.

  Picks ``argmin_eps |sum(A) / n - #{S >= eps} / n|`` over ``epsilons`` (first on ties), as
  ``node/dataset.py`` does for CiteSeer.
  """
  s = np.asarray(matrix)
  a = np.asarray(adjacency)
  n = max(s.shape[0], 1)
  avg_degree = a.sum() / n
  gaps = [abs(avg_degree - np.count_nonzero(s >= e) / n) for e in epsilons]
  return float(epsilons[int(np.argmin(gaps))])


def sparsify(matrix: np.ndarray, *, top_k: Optional[int] = None,
             epsilon: Optional[float] = None) -> np.ndarray:
  """bool ``[n, n]``: entries to keep — the ``top_k`` largest per row, or ``S >= epsilon``.

  With neither, all non-zero entries are kept. Ties at the ``top_k`` boundary are broken by
  column index (lower first).
  """
  s = np.asarray(matrix)
  if top_k is not None and epsilon is not None:
    raise ValueError("give top_k or epsilon, not both")
  if top_k is not None:
    if not isinstance(top_k, (int, np.integer)) or top_k < 1:
      raise ValueError(f"top_k must be an int >= 1, got {top_k!r}")
    n = s.shape[1]
    if top_k >= n:
      return s != 0
    idx = np.argsort(-s, axis=1, kind="stable")[:, :top_k]
    keep = np.zeros(s.shape, bool)
    np.put_along_axis(keep, idx, True, axis=1)
    return keep & (s != 0)
  if epsilon is not None:
    if not epsilon > 0:
      raise ValueError(f"epsilon must be > 0, got {epsilon}")
    return s >= epsilon
  return s != 0


# ---------------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------------


def _content_hash(graph: jraph.GraphsTuple, params: tuple) -> str:
  """SHA-256 over the arguments and every leaf (with its path, dtype and shape) of ``graph``."""
  h = hashlib.sha256(repr(params).encode())
  for path, leaf in jax.tree_util.tree_leaves_with_path(graph):
    arr = np.ascontiguousarray(np.asarray(leaf))
    h.update(f"{jax.tree_util.keystr(path)}:{arr.dtype}{arr.shape};".encode())
    h.update(arr.tobytes())
  return h.hexdigest()


def _read_only(tree):
  def freeze(leaf):
    leaf = np.array(leaf, copy=True)
    leaf.flags.writeable = False
    return leaf
  return jax.tree_util.tree_map(freeze, tree)


def _diffusion_graph(graph: jraph.GraphsTuple, kind: str, coeff: float, *, self_loops: bool,
                     top_k: Optional[int], epsilon: Union[None, float, str], max_nodes: int,
                     cache: bool) -> jraph.GraphsTuple:
  if epsilon is not None and not (epsilon == "auto" or isinstance(epsilon, (int, float))):
    raise ValueError(f"epsilon must be a positive float, 'auto' or None, got {epsilon!r}")
  if top_k is not None and epsilon is not None:
    raise ValueError("give top_k or epsilon, not both")
  graph = jax.device_get(graph)
  if not isinstance(graph.nodes, dict) or "mask" not in graph.nodes or "x" not in graph.nodes:
    raise ValueError("graph.nodes must be a dict with 'x' and 'mask' (jgssl convention)")
  if graph.edges is None or graph.globals is None:
    raise ValueError("graph needs edges={'weight','mask'} and globals={'mask'} (build it with "
                     "jgssl.graph.from_edge_index)")
  if not np.all(np.asarray(graph.globals["mask"])):
    graph = jgraph.unpad_graph(graph)
  params = (kind, float(coeff), bool(self_loops), top_k, epsilon, int(max_nodes))
  digest = _content_hash(graph, params) if cache else None
  if digest is not None and digest in _cache:
    _cache.move_to_end(digest)
    return _cache[digest]

  n_node = np.asarray(graph.n_node, np.int64)
  offsets = np.concatenate([[0], np.cumsum(n_node)[:-1]]).astype(np.int64)
  node_mask = np.asarray(graph.nodes["mask"], bool)
  senders = np.asarray(graph.senders, np.int64)
  receivers = np.asarray(graph.receivers, np.int64)
  present = (np.asarray(graph.edges["mask"], bool) & node_mask[senders] & node_mask[receivers])
  weight = np.asarray(graph.edges["weight"], np.float64)
  node_gid = np.repeat(np.arange(len(n_node)), n_node)

  out_s, out_r, out_w, out_n_edge = [], [], [], []
  for g, (start, size) in enumerate(zip(offsets, n_node)):
    idx = start + np.flatnonzero(node_mask[start:start + size])
    n = idx.shape[0]
    if n > max_nodes:
      raise ValueError(
          f"graph {g} has {n} present nodes, above max_nodes={max_nodes}: dense diffusion "
          f"needs several {n}x{n} float64 matrices ({3 * 8 * n * n / 2**30:.1f} GiB); raise "
          "max_nodes if the memory is there, or use a sparse / sampled diffusion")
    local = -np.ones(int(size), np.int64)
    local[idx - start] = np.arange(n)
    sel = present & (node_gid[receivers] == g)
    a = np.zeros((n, n))
    np.add.at(a, (local[receivers[sel] - start], local[senders[sel] - start]), weight[sel])
    s = (ppr_matrix(a, alpha=coeff, self_loops=self_loops) if kind == "ppr"
         else heat_matrix(a, t=coeff, self_loops=self_loops))
    eps = select_epsilon(s, a) if epsilon == "auto" else epsilon
    keep = sparsify(s, top_k=top_k, epsilon=eps)
    rows, cols = np.nonzero(keep)              # sorted by (receiver, sender)
    out_r.append(idx[rows])
    out_s.append(idx[cols])
    out_w.append(s[rows, cols])
    out_n_edge.append(rows.shape[0])

  cat = lambda parts, dtype: (np.concatenate(parts).astype(dtype) if parts
                              else np.zeros(0, dtype))
  new_senders = cat(out_s, np.int32)
  result = graph._replace(
      senders=new_senders,
      receivers=cat(out_r, np.int32),
      edges={"weight": cat(out_w, np.float32), "mask": np.ones(new_senders.shape[0], bool)},
      n_edge=np.asarray(out_n_edge, np.int32).reshape(-1),
  )
  result = _read_only(result)
  if digest is not None:
    _cache[digest] = result
    while len(_cache) > _CACHE_SIZE:
      _cache.popitem(last=False)
  return result


def ppr_diffusion(graph: jraph.GraphsTuple, *, alpha: float = 0.2, self_loops: bool = True,
                  top_k: Optional[int] = None, epsilon: Union[None, float, str] = None,
                  max_nodes: int = 20_000, cache: bool = True) -> jraph.GraphsTuple:
  """MVGRL's PPR diffusion view of every graph in ``graph`` (host side, numpy / scipy).

  Each real graph's present nodes and present edges (``A[i, j]`` = weight of ``j -> i``) give
  ``S = ppr_matrix(A, alpha=alpha)``; the kept entries become the new graph's edges (see the
  module docstring for the convention, the self-loop diagonal and sparsification).

  Args:
    graph: an unpadded host graph or batch (a padded one is unpadded first).
    alpha: teleport probability (MVGRL: 0.2).
    self_loops: diffuse over ``A + I`` (MVGRL) instead of ``A``.
    top_k: keep the ``top_k`` largest entries of each row.
    epsilon: keep entries ``>= epsilon``; ``'auto'`` picks one of :data:`MVGRL_EPSILONS` per
      graph by MVGRL's mean-degree rule. At most one of ``top_k`` / ``epsilon``; with neither the
      dense matrix is kept (MVGRL's Cora / PubMed / graph-level setting).
    max_nodes: refuse graphs with more present nodes (dense ``n x n`` memory).
    cache: return a cached result for a graph with identical content and arguments (a small
      LRU of 8 entries, keyed on a SHA-256 of the arrays; results are read-only numpy arrays).

  Returns:
    An unpadded numpy GraphsTuple with the same nodes, ``n_node`` and globals, and new
    ``senders``, ``receivers``, ``n_edge`` and ``edges={'weight': float32 S[i, j], 'mask': True}``
    (other edge fields are dropped). Pad it with its own budget (its edge count differs).

  Raises:
    ValueError: above ``max_nodes``, on bad arguments, or a graph outside the jgssl convention.
  """
  return _diffusion_graph(graph, "ppr", alpha, self_loops=self_loops, top_k=top_k,
                          epsilon=epsilon, max_nodes=max_nodes, cache=cache)


def heat_diffusion(graph: jraph.GraphsTuple, *, t: float = 5.0, self_loops: bool = True,
                   top_k: Optional[int] = None, epsilon: Union[None, float, str] = None,
                   max_nodes: int = 20_000, cache: bool = True) -> jraph.GraphsTuple:
  """MVGRL's heat-kernel diffusion view ``expm(t (T D^-1 - I))``, as :func:`ppr_diffusion`.

  Args:
    graph: an unpadded host graph or batch (a padded one is unpadded first).
    t: diffusion time (MVGRL: 5).
    self_loops, top_k, epsilon, max_nodes, cache: as :func:`ppr_diffusion`.
  """
  return _diffusion_graph(graph, "heat", t, self_loops=self_loops, top_k=top_k,
                          epsilon=epsilon, max_nodes=max_nodes, cache=cache)

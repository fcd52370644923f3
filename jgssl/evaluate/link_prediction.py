"""``LinkPred-GAE``: link prediction by inner-product scores (Kipf & Welling, GAE / VGAE, 2016).

tkipf/gae ``preprocessing.mask_test_edges`` splits the undirected edges at random into
85 % train / 5 % validation / 10 % test (``floor(E/20)`` validation and ``floor(E/10)`` test edges,
``E`` counted once per undirected edge) and draws as many non-edges as there are validation and
test edges; the model is trained on the training edges only, and ``sigma(z_i^T z_j)`` scores each
pair for ROC-AUC and average precision (scikit-learn).

Differences from the upstream code, all on purpose: the split is seeded
(``numpy.random.default_rng(seed)``; upstream uses the global NumPy RNG); every sampled non-edge
is checked against *all* edges of the graph (upstream checks validation non-edges against train
and validation edges only), negatives never repeat within or across validation and test, and
never are self-loops. The split is pure NumPy; scores are fractions in ``[0, 1]``.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np
from scipy import special
from sklearn import metrics as sk_metrics

from jgssl.evaluate import _common
from jgssl.evaluate._common import EvalResult

__all__ = [
    "EdgeSplit",
    "link_scores",
    "linkpred_gae",
    "roc_auc_ap",
    "split_edges",
]


@dataclasses.dataclass(frozen=True)
class EdgeSplit:
  """A seeded split of an undirected graph's edges (every pair stored once, ``i < j``).

  Attributes:
    num_nodes: number of nodes ``N``.
    train_pos: int64 ``[2, E_train]`` training edges (the graph the encoder may see).
    val_pos: int64 ``[2, E_val]`` validation edges.
    val_neg: int64 ``[2, E_val]`` validation non-edges.
    test_pos: int64 ``[2, E_test]`` test edges.
    test_neg: int64 ``[2, E_test]`` test non-edges.
    seed: the seed of the split.
  """
  num_nodes: int
  train_pos: np.ndarray
  val_pos: np.ndarray
  val_neg: np.ndarray
  test_pos: np.ndarray
  test_neg: np.ndarray
  seed: int

  def train_edge_index(self) -> np.ndarray:
    """int64 ``[2, 2 E_train]``: the training edges in both directions (jgssl's convention)."""
    return np.concatenate([self.train_pos, self.train_pos[::-1]], axis=1)


def _canonical_edges(edge_index, num_nodes: int) -> np.ndarray:
  ei = np.asarray(edge_index)
  if ei.ndim != 2 or ei.shape[0] != 2:
    raise ValueError(f"edge_index must have shape [2, E], got {ei.shape}")
  if ei.size and not np.issubdtype(ei.dtype, np.integer):
    raise ValueError(f"edge_index must hold integers, got dtype {ei.dtype}")
  ei = ei.astype(np.int64)
  if num_nodes < 2:
    raise ValueError(f"num_nodes must be >= 2, got {num_nodes}")
  if ei.size and (ei.min() < 0 or ei.max() >= num_nodes):
    bad = int(ei.min()) if ei.min() < 0 else int(ei.max())
    raise ValueError(f"edge_index refers to node {bad}, outside [0, {num_nodes})")
  lo, hi = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
  keep = lo != hi  # self-loops are not links to predict
  keys = np.unique(lo[keep] * num_nodes + hi[keep])
  return keys


def _sample_non_edges(rng, num: int, num_nodes: int, edge_keys: np.ndarray) -> np.ndarray:
  """``num`` distinct canonical keys ``i * N + j`` (``i < j``) that are not in ``edge_keys``."""
  num_pairs = num_nodes * (num_nodes - 1) // 2
  if num_pairs <= 4_000_000 and num_pairs - edge_keys.size < 4 * num:
    # Dense graph: rejection sampling would mostly hit edges; enumerate the non-edges instead.
    i, j = np.triu_indices(num_nodes, k=1)
    all_keys = i.astype(np.int64) * num_nodes + j
    candidates = all_keys[~np.isin(all_keys, edge_keys)]
    return rng.permutation(candidates)[:num]
  found = np.zeros(0, np.int64)
  while found.size < num:
    want = num - found.size
    batch = max(2 * want + 64, 1024)
    i = rng.integers(0, num_nodes, batch)
    j = rng.integers(0, num_nodes, batch)
    ok = i != j
    keys = np.minimum(i, j)[ok] * num_nodes + np.maximum(i, j)[ok]
    keys = keys[~np.isin(keys, edge_keys)]
    # Keep first occurrences in draw order so the sample stays uniform and seeded.
    _, first = np.unique(keys, return_index=True)
    keys = keys[np.sort(first)]
    keys = keys[~np.isin(keys, found)]
    found = np.concatenate([found, keys[:want]])
  return found


def split_edges(seed: int, edge_index, *, num_nodes: int, val: float = 0.05,
                test: float = 0.10) -> EdgeSplit:
  """Seeded ``LinkPred-GAE`` split of undirected edges with sampled non-edges (pure NumPy).

  Edges are made undirected and unique (``(i, j)`` and ``(j, i)`` count once) and self-loops are
  dropped. After a seeded shuffle, the first ``floor(test * E)`` edges are test edges, the next
  ``floor(val * E)`` validation edges, the rest training edges (GAE's 85 / 5 / 10 by default).
  Test then validation non-edges are drawn uniformly from node pairs ``i != j`` that are not
  edges of the full graph, without repetition.

  Args:
    seed: integer seed of ``numpy.random.default_rng``.
    edge_index: int ``[2, E]`` edges, either or both directions.
    num_nodes: ``N``.
    val: fraction of validation edges.
    test: fraction of test edges.

  Returns:
    An :class:`EdgeSplit`.

  Raises:
    ValueError: on a malformed edge index, fractions outside ``[0, 1)``, an empty test split, or
      a graph with too few non-edges to sample from.
  """
  if not (0.0 <= val < 1.0 and 0.0 < test < 1.0 and val + test < 1.0):
    raise ValueError(f"need 0 <= val < 1, 0 < test < 1 and val + test < 1; got {val}, {test}")
  keys = _canonical_edges(edge_index, num_nodes)
  num_edges = keys.size
  n_test, n_val = int(np.floor(num_edges * test)), int(np.floor(num_edges * val))
  if n_test == 0:
    raise ValueError(f"{num_edges} undirected edges give an empty test split at test={test}")
  num_pairs = num_nodes * (num_nodes - 1) // 2
  if num_pairs - num_edges < n_test + n_val:
    raise ValueError(f"the graph has {num_pairs - num_edges} non-edges, fewer than the "
                     f"{n_test + n_val} negatives needed")
  rng = np.random.default_rng(seed)
  perm = rng.permutation(keys)
  test_keys, val_keys, train_keys = (perm[:n_test], perm[n_test:n_test + n_val],
                                     perm[n_test + n_val:])
  neg = _sample_non_edges(rng, n_test + n_val, num_nodes, keys)

  def pairs(k):
    return np.stack([k // num_nodes, k % num_nodes]).astype(np.int64)

  return EdgeSplit(num_nodes=int(num_nodes), train_pos=pairs(np.sort(train_keys)),
                   val_pos=pairs(val_keys), val_neg=pairs(neg[n_test:]),
                   test_pos=pairs(test_keys), test_neg=pairs(neg[:n_test]), seed=int(seed))


def _logits(embeddings, pairs) -> np.ndarray:
  z = _common.check_embeddings(embeddings).astype(np.float64)
  p = np.asarray(pairs)
  if p.ndim != 2 or p.shape[0] != 2:
    raise ValueError(f"pairs must have shape [2, P], got {p.shape}")
  if p.size and (p.min() < 0 or p.max() >= z.shape[0]):
    raise ValueError(f"pairs refer to a node outside [0, {z.shape[0]})")
  return np.einsum("pd,pd->p", z[p[0]], z[p[1]])


def link_scores(embeddings, pairs) -> np.ndarray:
  """float64 ``[P]``: ``sigmoid(z_i . z_j)`` for the ``[2, P]`` node pairs (GAE's decoder)."""
  return special.expit(_logits(embeddings, pairs))


def roc_auc_ap(pos_scores, neg_scores):
  """``(roc_auc, average_precision)`` of positives against negatives (scikit-learn)."""
  pos = np.asarray(pos_scores, np.float64).reshape(-1)
  neg = np.asarray(neg_scores, np.float64).reshape(-1)
  if pos.size == 0 or neg.size == 0:
    raise ValueError(f"need positives and negatives, got {pos.size} and {neg.size}")
  if not (np.all(np.isfinite(pos)) and np.all(np.isfinite(neg))):
    raise ValueError("scores hold NaN or inf")
  y = np.concatenate([np.ones(pos.size), np.zeros(neg.size)])
  s = np.concatenate([pos, neg])
  return (float(sk_metrics.roc_auc_score(y, s)), float(sk_metrics.average_precision_score(y, s)))


def linkpred_gae(embeddings, split: EdgeSplit, *,
                 val_embeddings: Optional[np.ndarray] = None) -> EvalResult:
  """``LinkPred-GAE`` (Kipf & Welling 2016, tkipf/gae): test (and validation) ROC-AUC and AP.

  Scores pairs with ``sigmoid(z_i . z_j)`` (:func:`link_scores`) on embeddings from an encoder
  that saw only ``split.train_pos`` (GAE: ``Z``; VGAE: the mean ``mu``). The ranking metrics are
  computed from the inner products themselves, which rank the pairs exactly as the sigmoid does
  without float saturation (upstream ties pairs whose sigmoid rounds to 1).

  Args:
    embeddings: float ``[N, d]`` node embeddings.
    split: the :class:`EdgeSplit` the encoder was trained on.
    val_embeddings: optional other embeddings for the validation pairs (GAE scores validation
      every epoch and test once); defaults to ``embeddings``.

  Returns:
    :class:`EvalResult` ``'LinkPred-GAE'`` with ``test_auc`` (headline), ``test_ap`` and, when
    the split has validation edges, ``val_auc`` and ``val_ap``.
  """
  z = _common.check_embeddings(embeddings)
  if z.shape[0] != split.num_nodes:
    raise ValueError(f"embeddings have {z.shape[0]} rows but the split has {split.num_nodes} "
                     "nodes")
  # AUC and AP depend only on the order of the scores: rank by the logits z_i . z_j, which order
  # the pairs exactly as sigmoid(z_i . z_j) does, without its saturation into ties at 0 or 1.
  metrics = {}
  metrics["test_auc"], metrics["test_ap"] = roc_auc_ap(_logits(z, split.test_pos),
                                                       _logits(z, split.test_neg))
  if split.val_pos.shape[1]:
    zv = z if val_embeddings is None else _common.check_embeddings(val_embeddings,
                                                                    "val_embeddings")
    metrics["val_auc"], metrics["val_ap"] = roc_auc_ap(_logits(zv, split.val_pos),
                                                       _logits(zv, split.val_neg))
  return EvalResult(protocol="LinkPred-GAE", metrics=metrics, main="test_auc",
                    seeds=(split.seed,),
                    settings=dict(num_train=int(split.train_pos.shape[1]),
                                  num_val=int(split.val_pos.shape[1]),
                                  num_test=int(split.test_pos.shape[1])))

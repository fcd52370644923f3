"""Node clustering: k-means on embeddings, Hungarian-matched ACC / F1, NMI, ARI, Clustering-max.

Metric definitions follow SDCN's ``evaluation.py`` as reused by SCGC (gayanku/SCGC) and PamC
(gayanku/PAMC): ACC is the accuracy after the best one-to-one matching of clusters to classes
(Hungarian algorithm, :func:`scipy.optimize.linear_sum_assignment`), F1 is the macro-F1 of the
matched prediction, NMI is :func:`sklearn.metrics.normalized_mutual_info_score` (arithmetic
mean normalisation) and ARI :func:`sklearn.metrics.adjusted_rand_score`. All are fractions
(ACC, F1, NMI in ``[0, 1]``; ARI in ``[-1, 1]``).

When the prediction has more clusters than there are classes, the unmatched clusters count as
errors (SDCN instead relabels a few nodes by hand to force equal counts).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from scipy import optimize
from sklearn import cluster as sk_cluster
from sklearn import metrics as sk_metrics

from jgssl.evaluate import _common
from jgssl.evaluate._common import EvalResult

__all__ = [
    "CLUSTER_METRICS",
    "cluster_accuracy",
    "clustering_max",
    "clustering_scores",
    "kmeans_clustering",
]

CLUSTER_METRICS = ("acc", "nmi", "ari", "f1")


def _check_assignment(labels, pred) -> Tuple[np.ndarray, np.ndarray]:
  y = np.asarray(labels)
  p = np.asarray(pred)
  if y.ndim != 1 or p.ndim != 1:
    raise ValueError(f"labels and predictions must be 1-D, got shapes {y.shape} and {p.shape}")
  if y.shape != p.shape:
    raise ValueError(f"labels ({y.shape[0]}) and predictions ({p.shape[0]}) differ in length")
  if y.size == 0:
    raise ValueError("labels and predictions are empty")
  for name, a in (("labels", y), ("predictions", p)):
    if not np.issubdtype(a.dtype, np.integer):
      raise ValueError(f"{name} must be integer ids, got dtype {a.dtype}")
  return y.astype(np.int64), p.astype(np.int64)


def cluster_accuracy(labels, pred) -> Tuple[float, float, Dict[int, int]]:
  """Clustering accuracy and macro-F1 after Hungarian matching of clusters to classes.

  Args:
    labels: int ``[N]`` true classes (any integer ids).
    pred: int ``[N]`` cluster ids (any integer ids; their number may differ from the classes').

  Returns:
    ``(acc, f1, mapping)``: the accuracy of the matched prediction, its macro-F1 over the true
    classes, and ``{cluster_id: class_id}`` for the matched clusters (unmatched ones are absent
    and count as wrong).
  """
  y, p = _check_assignment(labels, pred)
  classes, y_idx = np.unique(y, return_inverse=True)
  clusters, p_idx = np.unique(p, return_inverse=True)
  counts = np.zeros((clusters.size, classes.size), np.int64)
  np.add.at(counts, (p_idx, y_idx), 1)
  rows, cols = optimize.linear_sum_assignment(counts, maximize=True)
  mapping = {int(clusters[r]): int(classes[c]) for r, c in zip(rows, cols)}
  lookup = np.full(clusters.size, -1, np.int64)
  lookup[rows] = cols
  matched = lookup[p_idx]  # class index, -1 for unmatched clusters
  acc = float(np.mean(matched == y_idx))
  f1 = float(sk_metrics.f1_score(y_idx, matched, labels=np.arange(classes.size),
                                 average="macro", zero_division=0))
  return acc, f1, mapping


def clustering_scores(labels, pred) -> Dict[str, float]:
  """``{'acc', 'nmi', 'ari', 'f1'}`` of a clustering (SDCN / SCGC / PamC ``eva``)."""
  y, p = _check_assignment(labels, pred)
  acc, f1, _ = cluster_accuracy(y, p)
  return {
      "acc": acc,
      "nmi": float(sk_metrics.normalized_mutual_info_score(y, p, average_method="arithmetic")),
      "ari": float(sk_metrics.adjusted_rand_score(y, p)),
      "f1": f1,
  }


def kmeans_clustering(embeddings, labels, *, num_clusters: Optional[int] = None,
                      seeds: Union[int, Sequence[int]] = (0,), n_init: int = 20,
                      ddof: int = 0) -> EvalResult:
  """k-means on frozen embeddings, scored with :func:`clustering_scores` (protocol ``KMeans``).

  ``sklearn.cluster.KMeans(n_clusters, n_init=20, random_state=seed)`` as SDCN / SCGC / PamC
  initialise their cluster centres, one fit per seed; mean and std over seeds. Labels are used
  only for scoring, never for choosing among fits.

  Args:
    embeddings: float ``[N, d]``.
    labels: int ``[N]`` true classes (``-1`` rows are not allowed: drop them first).
    num_clusters: ``k``; defaults to the number of classes.
    seeds: one k-means fit per seed.
    n_init: k-means restarts per fit (the best inertia is kept, without labels).
    ddof: of the std over seeds.

  Returns:
    :class:`EvalResult` ``'KMeans'`` with ``acc`` (headline), ``nmi``, ``ari``, ``f1``.
  """
  x = _common.check_embeddings(embeddings)
  y, num_classes = _common.check_labels(labels, x.shape[0])
  k = num_classes if num_clusters is None else int(num_clusters)
  if not 1 <= k <= x.shape[0]:
    raise ValueError(f"num_clusters must be in [1, {x.shape[0]}], got {k}")
  seeds = _common.check_seeds(seeds)
  per_run = {m: [] for m in CLUSTER_METRICS}
  for seed in seeds:
    pred = sk_cluster.KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(x)
    for m, v in clustering_scores(y, pred).items():
      per_run[m].append(v)
  return EvalResult(protocol="KMeans", metrics=_common.summarize(per_run, ddof=ddof),
                    main="acc", runs=_common.as_runs(per_run), seeds=seeds,
                    settings=dict(num_clusters=k, n_init=int(n_init), ddof=int(ddof)))


def clustering_max(history: Union[Mapping[str, Sequence], Sequence[Sequence[Mapping]]], *,
                   ddof: int = 0) -> EvalResult:
  """``Clustering-max`` bookkeeping of SCGC and PamC: per run, the best epoch of each metric.

  SCGC (gayanku/SCGC ``train.py``) and PamC score the clustering after every training epoch with
  the labels and keep, per run, ``np.max`` of each metric *separately* (ACC, NMI, ARI and F1 may
  come from different epochs); over runs they print max, min, mean and ``np.std``. This is a
  selection with test labels, and the result says so in ``note``.

  Args:
    history: either ``{metric: [runs, epochs] array}`` or a list over runs of lists over epochs
      of ``{metric: value}`` dicts (e.g. :func:`clustering_scores` outputs).
    ddof: of the std over runs.

  Returns:
    :class:`EvalResult` ``'Clustering-max'`` with, per metric ``m``, ``m`` (mean over runs of the
    per-run max), ``m_std``, ``m_max`` and ``m_min`` over runs; ``runs[m]`` the per-run maxima.
  """
  if isinstance(history, Mapping):
    table = {}
    for m, values in history.items():
      arr = np.asarray(values, np.float64)
      if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"history[{m!r}] must be a non-empty [runs, epochs] array, got shape "
                         f"{arr.shape}")
      table[m] = list(arr)
  else:
    runs = list(history)
    if not runs or any(len(r) == 0 for r in runs):
      raise ValueError("history needs at least one run with at least one epoch")
    names = set(runs[0][0].keys())
    for r, run in enumerate(runs):
      for e, row in enumerate(run):
        if set(row.keys()) != names:
          raise ValueError(f"run {r}, epoch {e} has metrics {sorted(row)}, expected "
                           f"{sorted(names)}")
    table = {m: [np.array([row[m] for row in run], np.float64) for run in runs]
             for m in runs[0][0]}
  if not table:
    raise ValueError("history holds no metrics")
  per_run = {}
  for m, rows in table.items():
    if any(np.any(~np.isfinite(r)) for r in rows):
      raise ValueError(f"history[{m!r}] holds NaN or inf")
    per_run[m] = np.array([np.max(r) for r in rows])
  metrics = _common.summarize(per_run, ddof=ddof)
  for m, v in per_run.items():
    metrics[m + "_max"] = float(np.max(v))
    metrics[m + "_min"] = float(np.min(v))
  main = "acc" if "acc" in per_run else next(iter(per_run))
  return EvalResult(
      protocol="Clustering-max", metrics=metrics, main=main, runs=_common.as_runs(per_run),
      settings=dict(ddof=int(ddof), num_runs=len(next(iter(per_run.values())))),
      note="selection with labels: per run, each metric is its best epoch chosen with the "
           "test labels (metrics may come from different epochs)")

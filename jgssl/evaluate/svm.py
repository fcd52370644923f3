"""``SVM-10fold``: graph classification with an SVM on frozen, pooled graph embeddings.

The protocol of InfoGraph (Sun et al., ICLR 2020), GraphCL (You et al., NeurIPS 2020), MVGRL's
graph level (Hassani & Khasahmadi, ICML 2020) and GraphMAE (Hou et al., KDD 2022): stratified,
shuffled 10-fold cross-validation; inside each training fold, ``GridSearchCV`` picks ``C``; the
refitted classifier is scored on the held-out fold.

**Std semantics** (GraphMAE, official code THUDM/GraphMAE ``main_graph.py``: mean over the 10
folds per seed, then mean and std over 5 seeds; GraphCL also averages 5 seeds, and
Shen-Lab/GraphCL issue #22 discusses the fold-level spread). A *run* is one set of embeddings (one
pretraining seed) scored with one fold seed. Every result reports

* ``acc``: mean over runs of the per-run mean over folds (the papers' number);
* ``acc_std``: std over runs of those per-run means (GraphMAE's and GraphCL's "±": small);
* ``acc_fold_std``: std over all ``runs x folds`` fold accuracies pooled (the spread of single
  folds, about ten times larger per Shen-Lab/GraphCL issue #22);
* ``acc_fold_std_within``: mean over runs of the within-run std over folds (what GraphMAE's
  ``evaluate_graph_embeddings_using_svm`` returns next to its mean, and MVGRL prints).

Accuracies are fractions in ``[0, 1]``; GraphMAE's "micro-F1" equals accuracy here.
"""

from __future__ import annotations

import warnings
from typing import Optional, Sequence, Union

import numpy as np
from sklearn import exceptions as sk_exceptions
from sklearn import model_selection
from sklearn import svm as sk_svm

from jgssl.evaluate import _common
from jgssl.evaluate._common import EvalResult

__all__ = [
    "GRAPHCL_C_GRID",
    "GRAPHMAE_C_GRID",
    "svm_kfold",
    "svm_10fold_graphcl",
    "svm_10fold_graphmae",
    "svm_10fold_mvgrl",
]

GRAPHMAE_C_GRID = (1e-3, 1e-2, 1e-1, 1.0, 10.0)
GRAPHCL_C_GRID = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)
_CLASSIFIERS = ("svc", "linear_svc")


def _as_runs(embeddings) -> list:
  if isinstance(embeddings, (list, tuple)):
    runs = [_common.check_embeddings(e, f"embeddings[{i}]") for i, e in enumerate(embeddings)]
  else:
    arr = np.asarray(embeddings)
    if arr.ndim == 3:
      runs = [_common.check_embeddings(e, f"embeddings[{i}]") for i, e in enumerate(arr)]
    else:
      runs = [_common.check_embeddings(arr)]
  if not runs:
    raise ValueError("embeddings must hold at least one [G, d] array")
  shapes = {r.shape[0] for r in runs}
  if len(shapes) != 1:
    raise ValueError(f"every run must embed the same graphs; got row counts {sorted(shapes)}")
  return runs


def svm_kfold(embeddings, labels, *, fold_seeds: Union[int, Sequence[int]] = 0,
              n_folds: int = 10, c_grid: Sequence[float] = GRAPHMAE_C_GRID,
              inner_folds: int = 5, classifier: str = "svc",
              svc_random_state: Optional[int] = 42, ddof: int = 0,
              n_jobs: Optional[int] = None, protocol: str = "SVM-10fold") -> EvalResult:
  """Stratified shuffled k-fold SVM accuracy with an inner grid search over ``C`` (engine).

  Args:
    embeddings: float ``[G, d]`` pooled graph embeddings, or ``R`` of them (``[R, G, d]`` or a
      list): one per pretraining run, all for the same graphs in the same order.
    labels: int ``[G]`` graph classes.
    fold_seeds: ``random_state`` of ``StratifiedKFold(shuffle=True)``: one int for every run, or
      one per run; with a single embedding and several seeds, each seed is a run on it.
    n_folds: outer folds (10).
    c_grid: the grid over ``C``.
    inner_folds: folds of the inner ``GridSearchCV`` (stratified, unshuffled; 5 as sklearn's
      default and GraphCL's ``cv=5``).
    classifier: ``'svc'`` (RBF ``SVC``) or ``'linear_svc'`` (``LinearSVC``).
    svc_random_state: ``SVC(random_state=...)`` (GraphMAE: 42; only matters for probabilities).
    ddof: of the std over runs and over folds.
    n_jobs: passed to ``GridSearchCV``.
    protocol: tag stored in the result.

  Returns:
    :class:`EvalResult` with ``acc``, ``acc_std``, ``acc_fold_std``, ``acc_fold_std_within``
    (module docstring); ``runs['acc']`` per run and ``runs['fold_acc']`` run-major.

  Raises:
    ValueError: on mismatched shapes, NaN embeddings, bad labels, or fewer graphs of every class
      than ``n_folds``.
  """
  runs = _as_runs(embeddings)
  y, num_classes = _common.check_labels(labels, runs[0].shape[0])
  seeds = _common.check_seeds(fold_seeds, "fold_seeds")
  if len(runs) == 1 and len(seeds) > 1:
    runs = runs * len(seeds)
  elif len(seeds) == 1:
    seeds = seeds * len(runs)
  elif len(seeds) != len(runs):
    raise ValueError(f"got {len(runs)} embedding runs but {len(seeds)} fold seeds; pass one seed "
                     "or one per run")
  if classifier not in _CLASSIFIERS:
    raise ValueError(f"classifier must be one of {_CLASSIFIERS}, got {classifier!r}")
  grid = np.asarray(c_grid, np.float64).reshape(-1)
  if grid.size == 0 or np.any(grid <= 0):
    raise ValueError(f"c_grid must be non-empty and positive, got {c_grid}")
  counts = np.bincount(y, minlength=num_classes)
  if counts.max() < n_folds:
    raise ValueError(f"no class has {n_folds} graphs (largest has {counts.max()}): cannot make "
                     f"{n_folds} stratified folds")

  def make():
    if classifier == "svc":
      return sk_svm.SVC(random_state=svc_random_state)
    return sk_svm.LinearSVC()

  fold_acc = np.zeros((len(runs), n_folds))
  for r, (x, seed) in enumerate(zip(runs, seeds)):
    kf = model_selection.StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for f, (tr, te) in enumerate(kf.split(x, y)):
      search = model_selection.GridSearchCV(make(), {"C": grid.tolist()}, cv=inner_folds,
                                            scoring="accuracy", n_jobs=n_jobs)
      with warnings.catch_warnings():
        warnings.simplefilter("ignore", sk_exceptions.ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # inner folds smaller than a class
        search.fit(x[tr], y[tr])
      fold_acc[r, f] = np.mean(search.predict(x[te]) == y[te])

  per_run = fold_acc.mean(axis=1)
  acc, acc_std = _common.mean_std(per_run, ddof=ddof)
  _, fold_std = _common.mean_std(fold_acc, ddof=ddof)
  within = float(np.mean([_common.mean_std(row, ddof=ddof)[1] for row in fold_acc]))
  metrics = {"acc": acc, "acc_std": acc_std, "acc_fold_std": fold_std,
             "acc_fold_std_within": within}
  return EvalResult(
      protocol=protocol, metrics=metrics, main="acc",
      runs=_common.as_runs({"acc": per_run, "fold_acc": fold_acc}), seeds=tuple(seeds),
      settings=dict(n_folds=int(n_folds), c_grid=tuple(grid.tolist()),
                    inner_folds=int(inner_folds), classifier=classifier,
                    svc_random_state=svc_random_state, ddof=int(ddof), num_runs=len(runs),
                    num_classes=num_classes))


def svm_10fold_graphmae(embeddings, labels, *, fold_seed: int = 0,
                        c_grid: Sequence[float] = GRAPHMAE_C_GRID,
                        n_jobs: Optional[int] = None) -> EvalResult:
  """``SVM-10fold`` as in GraphMAE (``evaluate_graph_embeddings_using_svm``, THUDM/GraphMAE).

  ``StratifiedKFold(10, shuffle=True, random_state=0)`` (the same folds for every pretraining
  seed), ``GridSearchCV(SVC(random_state=42), {'C': [1e-3, 1e-2, 1e-1, 1, 10]})`` with sklearn's
  default inner 5-fold stratified CV, micro-F1 (= accuracy) on each fold. GraphMAE reports the
  mean over folds per seed, then mean and ``np.std`` over seeds 0-4: pass the 5 embeddings
  (``[5, G, d]``); ``acc_std`` is that std, ``acc_fold_std`` the fold-level spread.

  Returns:
    :class:`EvalResult` ``'SVM-10fold/GraphMAE'``; headline ``acc``.
  """
  return svm_kfold(embeddings, labels, fold_seeds=fold_seed, c_grid=c_grid, inner_folds=5,
                   classifier="svc", svc_random_state=42, ddof=0, n_jobs=n_jobs,
                   protocol="SVM-10fold/GraphMAE")


def svm_10fold_graphcl(embeddings, labels, *,
                       fold_seeds: Union[int, Sequence[int]] = (0, 1, 2, 3, 4),
                       c_grid: Sequence[float] = GRAPHCL_C_GRID,
                       n_jobs: Optional[int] = None) -> EvalResult:
  """``SVM-10fold`` as in GraphCL and InfoGraph (``svc_classify`` in ``evaluate_embedding.py``).

  ``StratifiedKFold(10, shuffle=True)`` (unseeded upstream; seeded here, one seed per run),
  ``GridSearchCV(SVC(), {'C': [1e-3, ..., 1e3]}, cv=5, scoring='accuracy')``, accuracy per fold,
  mean over folds; GraphCL averages 5 pretraining seeds (pass ``[5, G, d]`` with 5 fold seeds, or
  one embedding to see the fold-seed variance alone).

  Returns:
    :class:`EvalResult` ``'SVM-10fold/GraphCL'``; headline ``acc``.
  """
  return svm_kfold(embeddings, labels, fold_seeds=fold_seeds, c_grid=c_grid, inner_folds=5,
                   classifier="svc", svc_random_state=None, ddof=0, n_jobs=n_jobs,
                   protocol="SVM-10fold/GraphCL")


def svm_10fold_mvgrl(embeddings, labels, *, fold_seeds: Union[int, Sequence[int]] = 0,
                     c_grid: Sequence[float] = GRAPHCL_C_GRID,
                     n_jobs: Optional[int] = None) -> EvalResult:
  """``SVM-10fold`` as in MVGRL graph classification (kavehhassani/mvgrl ``graph/``).

  As :func:`svm_10fold_graphcl` but with ``LinearSVC``; the embedding is ``g_a + g_b``. MVGRL
  prints mean and std over the folds of one run (``acc_fold_std_within``) and its paper reports
  the best configuration of a grid over layers, batch sizes and epochs, chosen on these test
  numbers (maintainer, issue #1): that selection is not done here.

  Returns:
    :class:`EvalResult` ``'SVM-10fold/MVGRL'``; headline ``acc``.
  """
  return svm_kfold(embeddings, labels, fold_seeds=fold_seeds, c_grid=c_grid, inner_folds=5,
                   classifier="linear_svc", svc_random_state=None, ddof=0, n_jobs=n_jobs,
                   protocol="SVM-10fold/MVGRL")

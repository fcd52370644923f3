"""``LR-rand-sklearn`` / ``LR-public-sklearn``: scikit-learn logistic regression on L2-normalised
embeddings.

The probe of GRACE (Zhu et al., ICML-W 2020; CRIPAC-DIG/GRACE ``eval.py``; its public-split form
is DGL's GRACE example, ``examples/pytorch/grace/eval.py`` with ``split='public'``) and, with a
different split and grid, BGRL (Thakoor et al., ICLR 2022; nerdslab/bgrl
``bgrl/logistic_regression_eval.py``). All L2-normalise the embedding rows, one-hot encode the
labels and fit ``GridSearchCV(OneVsRestClassifier(LogisticRegression(solver='liblinear')),
{'estimator__C': grid})`` on the one-hot targets (so the inner selection scores *subset accuracy*
of the thresholded one-vs-rest outputs, as upstream), then predict the arg-max of
``predict_proba``. BGRL's preset-split form (:func:`lr_public_sklearn_bgrl`) chooses ``C`` on the
split's validation rows instead of an inner cross-validation.

The upstream splits are unseeded (GRACE) or seeded once per run (BGRL); here every split draws
from ``numpy.random.RandomState(seed)``. Scores are fractions in ``[0, 1]``.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Optional, Sequence

import numpy as np
from sklearn import exceptions as sk_exceptions
from sklearn import metrics as sk_metrics
from sklearn import model_selection
from sklearn import preprocessing
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from jgssl.evaluate import _common
from jgssl.evaluate._common import EvalResult

__all__ = [
    "GRACE_C_GRID",
    "BGRL_C_GRID",
    "lr_public_sklearn_bgrl",
    "lr_public_sklearn_grace",
    "lr_rand_sklearn_bgrl",
    "lr_rand_sklearn_grace",
]

GRACE_C_GRID = tuple(float(c) for c in 2.0 ** np.arange(-10, 10))  # 2^-10 .. 2^9
BGRL_C_GRID = tuple(float(c) for c in 2.0 ** np.arange(-10, 11))   # 2^-10 .. 2^10


def _prepare(embeddings, labels):
  x = _common.check_embeddings(embeddings).astype(np.float64)
  y, num_classes = _common.check_labels(labels, x.shape[0])
  x = preprocessing.normalize(x, norm="l2")
  onehot = np.eye(num_classes, dtype=bool)[y]
  return x, y, onehot, num_classes


def _check_grid(c_grid) -> np.ndarray:
  grid = np.asarray(c_grid, np.float64).reshape(-1)
  if grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid <= 0):
    raise ValueError(f"c_grid must be a non-empty sequence of positive numbers, got {c_grid}")
  return grid


@contextlib.contextmanager
def _quiet_liblinear():
  """Silences what one-vs-rest liblinear fits on few rows warn about: a class absent from an
  inner training fold ("Label k is present in all training examples" / "not present"), expected
  with 10 % training rows, and convergence."""
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    warnings.simplefilter("ignore", sk_exceptions.ConvergenceWarning)
    yield


def _fit_predict(x_train, y_train_onehot, x_test, *, c_grid, cv, n_jobs,
                 random_state: int) -> np.ndarray:
  """Grid-searched one-vs-rest liblinear LR on one-hot targets; returns arg-max class ids.

  ``random_state`` seeds liblinear's coordinate order (upstream leaves it to NumPy's global RNG;
  here every caller derives it from its ``seed``, so a probe never reads global state).
  """
  search = model_selection.GridSearchCV(
      estimator=OneVsRestClassifier(LogisticRegression(solver="liblinear",
                                                       random_state=random_state)),
      param_grid={"estimator__C": list(c_grid)}, cv=cv, n_jobs=n_jobs)
  with _quiet_liblinear():
    search.fit(x_train, y_train_onehot)
    return np.argmax(search.predict_proba(x_test), axis=1)


def _grace_scores(x, y, onehot, num_classes, train_idx, test_idx, *, grid, inner_folds, n_jobs,
                  random_state: int):
  """GRACE's probe on one split: ``(micro-F1, macro-F1)`` on the test rows."""
  if train_idx.size < inner_folds:
    raise ValueError(f"{train_idx.size} training rows cannot be split into {inner_folds} "
                     "inner folds; use more training rows")
  pred = _fit_predict(x[train_idx], onehot[train_idx], x[test_idx], c_grid=grid, cv=inner_folds,
                      n_jobs=n_jobs, random_state=random_state)
  return (sk_metrics.f1_score(y[test_idx], pred, average="micro"),
          sk_metrics.f1_score(y[test_idx], pred, average="macro", labels=np.arange(num_classes),
                              zero_division=0))


def _grace_result(protocol: str, scores, *, seed: int, ddof: int, **settings) -> EvalResult:
  per_run = {"micro_f1": [m for m, _ in scores], "macro_f1": [m for _, m in scores]}
  return EvalResult(protocol=protocol, metrics=_common.summarize(per_run, ddof=ddof),
                    main="micro_f1", runs=_common.as_runs(per_run), seeds=(int(seed),),
                    settings=dict(settings, ddof=int(ddof)))


def lr_rand_sklearn_grace(embeddings, labels, *, seed: int = 0, train_ratio: float = 0.1,
                          repeats: int = 3, c_grid: Sequence[float] = GRACE_C_GRID,
                          inner_folds: int = 5, n_jobs: Optional[int] = None,
                          ddof: int = 0) -> EvalResult:
  """``LR-rand-sklearn`` as in GRACE (``label_classification`` in CRIPAC-DIG/GRACE ``eval.py``).

  Per repeat: a random split with ``train_ratio`` = 10 % training rows and 90 % test rows
  (``train_test_split``, not stratified), L2-normalised rows, one-vs-rest liblinear logistic
  regression with ``C`` chosen from 2^-10 .. 2^9 by ``GridSearchCV(cv=5)`` on the training rows
  (one-hot targets, so the inner folds are plain ``KFold``), prediction = arg-max probability.
  Reports micro-F1 (= accuracy for single-label data) and macro-F1 on the test rows, mean and
  ``np.std`` over ``repeats`` = 3 splits of one set of embeddings (GRACE's ``@repeat(3)``).

  Args:
    embeddings: float ``[N, d]`` frozen embeddings (the encoder output before the projection).
    labels: int ``[N]`` classes.
    seed: seeds ``numpy.random.RandomState``, which draws the successive splits and liblinear's
      ``random_state`` for each (GRACE: both unseeded).
    train_ratio: fraction of rows for training.
    repeats: number of random splits.
    c_grid: the grid over ``C`` (shrink it in tests).
    inner_folds: folds of the inner grid search.
    n_jobs: passed to ``GridSearchCV`` (GRACE: 8).
    ddof: of the std over repeats.

  Returns:
    :class:`EvalResult` ``'LR-rand-sklearn/GRACE'`` with ``micro_f1`` (headline) and
    ``macro_f1``, each with ``_std``; ``runs`` per repeat.
  """
  x, y, onehot, num_classes = _prepare(embeddings, labels)
  grid = _check_grid(c_grid)
  if not 0.0 < train_ratio < 1.0:
    raise ValueError(f"train_ratio must be in (0, 1), got {train_ratio}")
  if repeats < 1:
    raise ValueError(f"repeats must be >= 1, got {repeats}")
  rng = np.random.RandomState(seed)
  scores = []
  for _ in range(repeats):
    train_idx, test_idx = model_selection.train_test_split(
        np.arange(x.shape[0]), test_size=1.0 - train_ratio, random_state=rng)
    scores.append(_grace_scores(x, y, onehot, num_classes, train_idx, test_idx, grid=grid,
                                inner_folds=inner_folds, n_jobs=n_jobs,
                                random_state=rng.randint(2**31 - 1)))
  return _grace_result("LR-rand-sklearn/GRACE", scores, seed=seed, ddof=ddof,
                       train_ratio=float(train_ratio), repeats=int(repeats),
                       c_grid=tuple(grid.tolist()), inner_folds=int(inner_folds),
                       num_classes=num_classes)


def lr_rand_sklearn_bgrl(embeddings, labels, *, seed: int = 1, repeats: int = 1,
                         test_size: float = 0.8, c_grid: Sequence[float] = BGRL_C_GRID,
                         inner_splits: int = 5, inner_test_size: float = 0.5,
                         n_jobs: Optional[int] = None, ddof: int = 0) -> EvalResult:
  """``LR-rand-sklearn`` as in BGRL (``fit_logistic_regression`` in nerdslab/bgrl).

  Per repeat: a random split with ``test_size`` = 80 % test rows; the remaining 20 % are split
  ``inner_splits`` = 5 times at random into halves (``ShuffleSplit(5, test_size=0.5)``: ≈ 10 %
  train / 10 % validation) to choose ``C`` from 2^-10 .. 2^10; the one-vs-rest liblinear model
  refitted on the whole 20 % predicts the test rows (arg-max probability); reports accuracy. The
  split RNG is ``RandomState(seed)`` (BGRL's ``data_random_seed``, default 1) and successive repeats
  draw new splits from it. BGRL reports mean and std over 20 runs of (model init, split): call
  once per trained encoder with ``repeats=1`` and aggregate, or use ``repeats`` for several splits
  of one set of embeddings.

  Args:
    embeddings: float ``[N, d]`` (online encoder on the unaugmented graph).
    labels: int ``[N]`` classes.
    seed: split seed.
    repeats: number of random splits.
    test_size: fraction of test rows.
    c_grid: the grid over ``C``.
    inner_splits, inner_test_size: the inner ``ShuffleSplit`` (seeded from ``seed``, as is
      liblinear's ``random_state``; both unseeded upstream).
    n_jobs: passed to ``GridSearchCV`` (BGRL: 5).
    ddof: of the std over repeats.

  Returns:
    :class:`EvalResult` ``'LR-rand-sklearn/BGRL'`` with ``acc`` (headline) and ``macro_f1``.
  """
  x, y, onehot, num_classes = _prepare(embeddings, labels)
  grid = _check_grid(c_grid)
  if not 0.0 < test_size < 1.0 or not 0.0 < inner_test_size < 1.0:
    raise ValueError(f"test_size and inner_test_size must be in (0, 1), got {test_size} and "
                     f"{inner_test_size}")
  if repeats < 1 or inner_splits < 1:
    raise ValueError(f"repeats and inner_splits must be >= 1, got {repeats} and {inner_splits}")
  rng = np.random.RandomState(seed)
  acc, macro = [], []
  for _ in range(repeats):
    train_idx, test_idx = model_selection.train_test_split(
        np.arange(x.shape[0]), test_size=test_size, random_state=rng)
    if train_idx.size < 2:
      raise ValueError(f"only {train_idx.size} non-test rows; lower test_size or add rows")
    cv = model_selection.ShuffleSplit(n_splits=inner_splits, test_size=inner_test_size,
                                      random_state=rng.randint(2**31 - 1))
    pred = _fit_predict(x[train_idx], onehot[train_idx], x[test_idx], c_grid=grid, cv=cv,
                        n_jobs=n_jobs, random_state=rng.randint(2**31 - 1))
    acc.append(sk_metrics.accuracy_score(y[test_idx], pred))
    macro.append(sk_metrics.f1_score(y[test_idx], pred, average="macro",
                                     labels=np.arange(num_classes), zero_division=0))
  per_run = {"acc": acc, "macro_f1": macro}
  return EvalResult(
      protocol="LR-rand-sklearn/BGRL", metrics=_common.summarize(per_run, ddof=ddof),
      main="acc", runs=_common.as_runs(per_run), seeds=(int(seed),),
      settings=dict(test_size=float(test_size), repeats=int(repeats),
                    c_grid=tuple(grid.tolist()), inner_splits=int(inner_splits),
                    inner_test_size=float(inner_test_size), ddof=int(ddof),
                    num_classes=num_classes))


def lr_public_sklearn_grace(embeddings, labels, split, *, seed: int = 0, repeats: int = 3,
                            c_grid: Sequence[float] = GRACE_C_GRID, inner_folds: int = 5,
                            n_jobs: Optional[int] = None, ddof: int = 0) -> EvalResult:
  """GRACE's probe on a fixed (public) split, as DGL's GRACE example runs it with ``--split public``.

  The same classifier as :func:`lr_rand_sklearn_grace` (L2-normalised rows, one-vs-rest liblinear
  logistic regression, ``C`` from 2^-10 .. 2^9 by ``GridSearchCV(cv=5)`` on one-hot targets,
  arg-max of ``predict_proba``), trained on ``split['train']`` (Cora: 140 rows) and scored on
  ``split['test']`` (1000 rows); ``split['val']`` is not used. DGL's ``@repeat(3)`` repeats the
  fit on the same split, so the repeats differ only in liblinear's coordinate order (seeded here
  from ``seed``). The GRACE author-code numbers on the public split (Cora 81.9, CiteSeer 71.2)
  come from this protocol with DGL's tuned public-split hyperparameters.

  Args:
    embeddings: float ``[N, d]`` frozen embeddings (the encoder output before the projection).
    labels: int ``[N]`` classes.
    split: ``{'train', 'test'}`` index arrays (``'val'`` is ignored).
    seed: seeds liblinear's ``random_state`` for the successive repeats.
    repeats: fits on the same split.
    c_grid: the grid over ``C``.
    inner_folds: folds of the inner grid search.
    n_jobs: passed to ``GridSearchCV`` (DGL: 8).
    ddof: of the std over repeats.

  Returns:
    :class:`EvalResult` ``'LR-public-sklearn/GRACE'`` with ``micro_f1`` (headline) and
    ``macro_f1``, each with ``_std``; ``runs`` per repeat.
  """
  x, y, onehot, num_classes = _prepare(embeddings, labels)
  grid = _check_grid(c_grid)
  train_idx = _common.check_index(split["train"], x.shape[0], "split['train']")
  test_idx = _common.check_index(split["test"], x.shape[0], "split['test']")
  if repeats < 1:
    raise ValueError(f"repeats must be >= 1, got {repeats}")
  rng = np.random.RandomState(seed)
  scores = [_grace_scores(x, y, onehot, num_classes, train_idx, test_idx, grid=grid,
                          inner_folds=inner_folds, n_jobs=n_jobs,
                          random_state=rng.randint(2**31 - 1)) for _ in range(repeats)]
  return _grace_result("LR-public-sklearn/GRACE", scores, seed=seed, ddof=ddof,
                       num_train=int(train_idx.size), num_test=int(test_idx.size),
                       repeats=int(repeats), c_grid=tuple(grid.tolist()),
                       inner_folds=int(inner_folds), num_classes=num_classes)


def lr_public_sklearn_bgrl(embeddings, labels, split, *, seed: int = 0,
                           c_grid: Sequence[float] = BGRL_C_GRID) -> EvalResult:
  """BGRL's probe on a fixed split (``fit_logistic_regression_preset_splits`` in nerdslab/bgrl
  ``bgrl/logistic_regression_eval.py``, the path its WikiCS runs take).

  L2-normalised rows; for each ``C`` in 2^-10 .. 2^10 (in order) a one-vs-rest liblinear logistic
  regression is fitted on ``split['train']`` (one-hot targets) and scored on ``split['val']`` by
  the arg-max of ``predict_proba``; the test accuracy reported is that of the first ``C`` with the
  highest validation accuracy (upstream keeps a ``C`` only on a strict improvement). One fit per
  ``C``, no restarts: the result depends on ``seed`` only through liblinear's coordinate order.
  On Planetoid's public split this is how BGRL's own code scores a preset split (Cora: 140
  training, 500 validation, 1000 test rows).

  Args:
    embeddings: float ``[N, d]`` (online encoder on the unaugmented graph).
    labels: int ``[N]`` classes.
    split: ``{'train', 'val', 'test'}`` index arrays.
    seed: liblinear's ``random_state`` (unseeded upstream).
    c_grid: the grid over ``C``, tried in order.

  Returns:
    :class:`EvalResult` ``'LR-public-sklearn/BGRL'`` with ``acc`` (headline, test rows),
    ``val_acc`` (the best validation accuracy) and ``macro_f1`` (test rows); ``settings['c']`` is
    the chosen ``C``.
  """
  x, y, onehot, num_classes = _prepare(embeddings, labels)
  grid = _check_grid(c_grid)
  idx = {name: _common.check_index(split[name], x.shape[0], f"split[{name!r}]")
         for name in ("train", "val", "test")}
  if idx["val"].size == 0:
    raise ValueError("split['val'] is empty; BGRL's preset-split probe chooses C on it")
  best_val, best_c, best_pred = -1.0, None, None
  for c in grid:
    clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=float(c),
                                                 random_state=int(seed)))
    with _quiet_liblinear():
      clf.fit(x[idx["train"]], onehot[idx["train"]])
      val_acc = sk_metrics.accuracy_score(
          y[idx["val"]], np.argmax(clf.predict_proba(x[idx["val"]]), axis=1))
      if val_acc > best_val:
        best_val, best_c = val_acc, float(c)
        best_pred = np.argmax(clf.predict_proba(x[idx["test"]]), axis=1)
  y_test = y[idx["test"]]
  per_run = {"acc": [sk_metrics.accuracy_score(y_test, best_pred)], "val_acc": [best_val],
             "macro_f1": [sk_metrics.f1_score(y_test, best_pred, average="macro",
                                              labels=np.arange(num_classes), zero_division=0)]}
  return EvalResult(
      protocol="LR-public-sklearn/BGRL", metrics=_common.summarize(per_run, ddof=0),
      main="acc", runs=_common.as_runs(per_run), seeds=(int(seed),),
      settings=dict(c=best_c, c_grid=tuple(grid.tolist()), num_train=int(idx["train"].size),
                    num_val=int(idx["val"].size), num_test=int(idx["test"].size),
                    num_classes=num_classes))

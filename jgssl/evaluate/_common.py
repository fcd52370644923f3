"""Shared pieces of the evaluation protocols: the result record and input checks.

Every protocol in :mod:`jgssl.evaluate` returns an :class:`EvalResult`. Scores are fractions in
``[0, 1]`` everywhere (accuracy, F1, NMI, ARI, ROC-AUC, AP, Recall@K, NDCG@K); multiply by 100 for
the percent tables of the papers (:meth:`EvalResult.summary` does it for printing).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

__all__ = ["EvalResult", "mean_std"]


def _library_version() -> str:
  # Imported lazily so that `jgssl/__init__.py` may import this package without a cycle.
  try:
    import jgssl  # pylint: disable=import-outside-toplevel
    return str(getattr(jgssl, "__version__", "unknown"))
  except ImportError:  # pragma: no cover - only outside the package
    return "unknown"


@dataclasses.dataclass(frozen=True)
class EvalResult:
  """Outcome of one evaluation protocol.

  Attributes:
    protocol: the protocol tag (the table of :mod:`jgssl.evaluate`) and the paper whose variant
      ran, e.g.
      ``'LP-public/DGI'``, ``'SVM-10fold/GraphMAE'``, ``'TopK-rec/LightGCL'``.
    metrics: summary numbers. For a metric ``m``, ``metrics[m]`` is the mean over runs and
      ``metrics[m + '_std']`` the standard deviation (with the ``ddof`` in ``settings``). Scores are
      fractions in ``[0, 1]``. Protocol-specific extras are documented by each protocol.
    main: the name of the headline metric, the number the paper's tables quote
      (:attr:`value`).
    runs: per-run values ``m -> (v_1, ..., v_R)`` behind the summary (restarts, splits, seeds,
      folds: each protocol says which).
    seeds: the integer seeds (or the raw key data of a ``jax.random`` key) the protocol used.
    settings: the settings the protocol ran with (keyword arguments after defaults).
    note: a warning a reader of the number needs, e.g. ``'selection on test labels'``; empty when
      there is none.
    version: the jgssl version that produced the result.
  """
  protocol: str
  metrics: Mapping[str, float]
  main: str = ""
  runs: Mapping[str, Tuple[float, ...]] = dataclasses.field(default_factory=dict)
  seeds: Tuple[int, ...] = ()
  settings: Mapping[str, Any] = dataclasses.field(default_factory=dict)
  note: str = ""
  version: str = dataclasses.field(default_factory=_library_version)

  def __getitem__(self, name: str) -> float:
    return self.metrics[name]

  @property
  def value(self) -> float:
    """The headline metric ``metrics[main]``."""
    return self.metrics[self.main]

  @property
  def std(self) -> float:
    """The std that goes with :attr:`value` (``metrics[main + '_std']``), NaN when absent."""
    return self.metrics.get(self.main + "_std", float("nan"))

  def summary(self, *, percent: bool = True) -> str:
    """One line ``'<protocol>: m 84.20 ± 0.40, ...'`` (percent by default) for logs and tables."""
    scale = 100.0 if percent else 1.0
    parts = []
    for name, value in self.metrics.items():
      if name.endswith("_std") and name[:-4] in self.metrics:
        continue
      std = self.metrics.get(name + "_std")
      if std is None:
        parts.append(f"{name} {scale * value:.2f}")
      else:
        parts.append(f"{name} {scale * value:.2f} ± {scale * std:.2f}")
    text = f"{self.protocol}: " + ", ".join(parts)
    return text + (f" [{self.note}]" if self.note else "")


def mean_std(values: Sequence[float], *, ddof: int = 0) -> Tuple[float, float]:
  """Mean and standard deviation of ``values``; the std is 0 for a single value.

  Args:
    values: one number per run.
    ddof: delta degrees of freedom (0 = ``np.std`` as GRACE / GraphMAE; 1 = ``torch.std`` as DGI,
      sample std as G-BT).
  """
  arr = np.asarray(values, np.float64).reshape(-1)
  if arr.size == 0:
    raise ValueError("mean_std needs at least one value")
  std = float(np.std(arr, ddof=ddof)) if arr.size > ddof else 0.0
  return float(np.mean(arr)), std


def summarize(per_run: Mapping[str, Sequence[float]], *, ddof: int) -> Dict[str, float]:
  """``{m: mean, m_std: std}`` for every metric of ``per_run``."""
  out: Dict[str, float] = {}
  for name, values in per_run.items():
    out[name], out[name + "_std"] = mean_std(values, ddof=ddof)
  return out


def as_runs(per_run: Mapping[str, Sequence[float]]) -> Dict[str, Tuple[float, ...]]:
  return {k: tuple(float(v) for v in np.asarray(vals).reshape(-1)) for k, vals in per_run.items()}


# ---------------------------------------------------------------------------------------------
# Input checks (host side)
# ---------------------------------------------------------------------------------------------


def check_embeddings(x, name: str = "embeddings", *, ndim: int = 2) -> np.ndarray:
  """float ``[N, d]`` numpy copy of ``x``; raises on a wrong rank, emptiness, NaN or inf."""
  arr = np.asarray(x)
  if arr.ndim != ndim:
    raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
  if arr.size == 0 or arr.shape[0] == 0:
    raise ValueError(f"{name} is empty (shape {arr.shape})")
  if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
    raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
  arr = arr.astype(np.float32 if arr.dtype != np.float64 else np.float64)
  bad = ~np.isfinite(arr)
  if bad.any():
    rows = np.flatnonzero(bad.reshape(arr.shape[0], -1).any(axis=1))
    raise ValueError(
        f"{name} has NaN or inf in {rows.size} row(s) (first: row {int(rows[0])}); "
        "check the encoder output before evaluating")
  return arr


def check_labels(labels, num_rows: int, *, name: str = "labels",
                 num_classes: Optional[int] = None,
                 allow_unlabelled: bool = False) -> Tuple[np.ndarray, int]:
  """int64 ``[num_rows]`` labels in ``[0, num_classes)`` and the class count.

  ``num_classes`` defaults to ``max(labels) + 1``. With ``allow_unlabelled``, ``-1`` marks an
  unlabelled row (the caller checks that no evaluated row is unlabelled).
  """
  arr = np.asarray(labels)
  if arr.ndim != 1:
    raise ValueError(f"{name} must be one-dimensional [N], got shape {arr.shape}")
  if arr.shape[0] != num_rows:
    raise ValueError(f"{name} has {arr.shape[0]} entries but the embeddings have {num_rows} rows")
  if arr.size and not np.issubdtype(arr.dtype, np.integer):
    if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)) or np.any(
        np.mod(arr, 1) != 0):
      raise ValueError(f"{name} must hold integer class ids, got dtype {arr.dtype}")
  arr = arr.astype(np.int64)
  if allow_unlabelled and arr.size and arr.min() < -1:
    raise ValueError(f"{name} has id {int(arr.min())}; only -1 may mark an unlabelled row")
  if not allow_unlabelled and arr.size and arr.min() < 0:
    raise ValueError(f"{name} has a negative class id {int(arr.min())}; drop unlabelled rows "
                     "(label -1) before evaluating")
  inferred = int(arr.max()) + 1 if arr.size else 0
  if num_classes is None:
    num_classes = inferred
  elif inferred > num_classes:
    raise ValueError(f"{name} has class id {inferred - 1}, outside [0, {num_classes})")
  if num_classes < 2:
    raise ValueError(f"{name} must contain at least 2 classes, got {num_classes}")
  return arr, int(num_classes)


def check_index(idx, num_rows: int, name: str, *, allow_empty: bool = False) -> np.ndarray:
  """int64 index array ``[n]`` into ``range(num_rows)``; raises when empty or out of range."""
  arr = np.asarray(idx)
  if arr.dtype == bool:
    if arr.shape != (num_rows,):
      raise ValueError(f"boolean {name} mask has shape {arr.shape}, expected ({num_rows},)")
    arr = np.flatnonzero(arr)
  arr = arr.reshape(-1)
  if arr.size and not np.issubdtype(arr.dtype, np.integer):
    raise ValueError(f"{name} indices must be integers, got dtype {arr.dtype}")
  arr = arr.astype(np.int64)
  if arr.size == 0 and not allow_empty:
    raise ValueError(f"the {name} split is empty")
  if arr.size and (arr.min() < 0 or arr.max() >= num_rows):
    bad = int(arr.min()) if arr.min() < 0 else int(arr.max())
    raise ValueError(f"{name} index {bad} is outside [0, {num_rows})")
  return arr


def check_seeds(seeds, name: str = "seeds") -> Tuple[int, ...]:
  """A non-empty tuple of Python ints from an int or a sequence of ints."""
  if isinstance(seeds, (int, np.integer)):
    return (int(seeds),)
  out = tuple(int(s) for s in seeds)
  if not out:
    raise ValueError(f"{name} must not be empty")
  return out

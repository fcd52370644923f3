"""Orbax checkpoints of a :class:`TrainState`, with fallback past damaged checkpoints."""

from __future__ import annotations

import logging
import os
import pathlib
import shutil
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import jax
import orbax.checkpoint as ocp

import numpy as np

from jgssl.train.state import tree_checksum

__all__ = ["Checkpointer", "NonFiniteError"]

#: Key of the state's :func:`~jgssl.train.tree_checksum` in each step's Orbax custom metadata.
CHECKSUM_KEY = "jgssl_tree_checksum"

log = logging.getLogger(__name__)


class NonFiniteError(RuntimeError):
  """Training produced a non-finite loss or parameters.

  Attributes:
    epoch: the epoch (1-based) in which it happened.
    step: the optimizer step (1-based, counted over the whole run).
    value: the offending loss value.
    last_checkpoint: epoch of the newest checkpoint kept on disk, or ``None``.
  """

  def __init__(self, message: str, *, epoch: int, step: int, value: float,
               last_checkpoint: Optional[int] = None):
    super().__init__(message)
    self.epoch, self.step, self.value, self.last_checkpoint = epoch, step, value, last_checkpoint


class Checkpointer:
  """An Orbax :class:`~orbax.checkpoint.CheckpointManager` keyed by epoch.

  Saves with ``StandardSave`` and restores with ``StandardRestore`` against the structure (and
  shardings) of a template state. :meth:`restore_latest` walks the steps newest first: a step
  that fails to restore (Orbax raises ``ValueError`` — sometimes with a misleading message such
  as "Must provide args of type Composite" for an empty step folder — or ``KeyError`` /
  ``OSError`` / a JSON error) or restores non-finite values is logged with the reason, moved
  aside to ``<directory>.damaged/<step>`` so later saves can reuse the step number, and the next
  older one is tried.

  Every save records the sha256 of the saved state (:func:`jgssl.train.tree_checksum`) in the
  step's Orbax metadata (``custom_metadata['jgssl_tree_checksum']``, in ``_CHECKPOINT_METADATA``);
  :meth:`restore` recomputes it and raises ``ValueError`` on a mismatch, so a checkpoint whose
  bytes changed on disk (a bit flip Orbax itself does not notice) counts as damaged. Checkpoints
  written before the checksum existed restore unchecked.

  Args:
    directory: checkpoint folder (created on first save).
    max_to_keep: newest checkpoints kept (older ones are deleted by Orbax).
    async_save: write in a background thread (``close`` waits for it).
  """

  def __init__(self, directory, *, max_to_keep: Optional[int] = 3, async_save: bool = False):
    self.directory = pathlib.Path(directory).absolute()
    self.max_to_keep = max_to_keep
    self.async_save = async_save
    self.skipped: List[Tuple[int, str]] = []
    self._manager = None

  # -- manager -----------------------------------------------------------------------------------
  def _mgr(self) -> ocp.CheckpointManager:
    if self._manager is None:
      options = ocp.CheckpointManagerOptions(
          max_to_keep=self.max_to_keep, create=True, cleanup_tmp_directories=True,
          enable_async_checkpointing=self.async_save)
      # Declaring the item handler keeps Orbax in single-item mode even when the newest step
      # folder is empty (otherwise every restore fails with the Composite message).
      self._manager = ocp.CheckpointManager(
          self.directory, item_handlers=ocp.StandardCheckpointHandler(), options=options)
    return self._manager

  def _reset(self):
    if self._manager is not None:
      self._manager.wait_until_finished()
      self._manager.close()
    self._manager = None

  def all_steps(self) -> List[int]:
    """Checkpointed epochs, oldest first (damaged ones included until a restore skips them)."""
    if not self.directory.exists():
      return []
    return sorted(self._mgr().all_steps())

  def latest_step(self) -> Optional[int]:
    steps = self.all_steps()
    return steps[-1] if steps else None

  # -- save / restore ------------------------------------------------------------------------------
  def save(self, step: int, state) -> None:
    """Saves ``state`` as ``step`` (an epoch number).

    Raises:
      NonFiniteError: when a parameter or optimizer value is not finite (nothing is written).
    """
    host = jax.device_get(state)  # one transfer for the check and the checksum
    bad = non_finite_parts(host)
    if bad:
      last = self.latest_step()
      raise NonFiniteError(f"refusing to checkpoint epoch {step}: non-finite {' and '.join(bad)}; "
                           f"last good checkpoint: {'none' if last is None else f'epoch {last}'}",
                           epoch=step, step=int(state.step), value=float("nan"),
                           last_checkpoint=last)
    checksum = tree_checksum(host)
    mgr = self._mgr()
    if step in mgr.all_steps():
      mgr.delete(step)
    mgr.save(step, args=ocp.args.StandardSave(state), force=True,
             custom_metadata={CHECKSUM_KEY: checksum})
    if not self.async_save:
      mgr.wait_until_finished()

  def restore(self, step: int, template) -> Any:
    """Restores ``step`` into the structure, dtypes and shardings of ``template``.

    Raises:
      ValueError: Orbax cannot read the step, or the restored state's checksum differs from the
        one saved with it.
    """
    abstract = jax.tree_util.tree_map(ocp.utils.to_shape_dtype_struct, template)
    mgr = self._mgr()
    try:
      state = mgr.restore(step, args=ocp.args.StandardRestore(abstract))
    except BaseException:
      # Tensorstore reads still in flight complete on Orbax's closed event loop; silence that.
      _silence_closed_loop_callbacks()
      raise
    saved = self._saved_checksum(step)
    if saved is not None:
      actual = tree_checksum(state)
      if actual != saved:
        raise ValueError(f"checksum mismatch: saved sha256 {saved[:16]}..., restored "
                         f"{actual[:16]}... (the files changed after the save)")
    return state

  def _saved_checksum(self, step: int) -> Optional[str]:
    try:
      custom = self._mgr().metadata(step).custom_metadata or {}
    except Exception:  # pylint: disable=broad-except
      return None  # no readable step metadata: nothing to compare with
    value = custom.get(CHECKSUM_KEY)
    return value if isinstance(value, str) else None

  def restore_variables(self, step: Optional[int] = None) -> Tuple[Dict[str, Any], int]:
    """The method's variables ``{'params': ..., **model_state}`` of a checkpoint, no template.

    For embedding or fine-tuning from a finished run without rebuilding its optimizer (the
    optimizer state, step counter and key are read but dropped). Arrays come back as saved
    (host-local, unsharded); pass them to :meth:`jgssl.methods.Method.embed` as they are.

    Args:
      step: the epoch to read; ``None`` reads the newest.

    Returns:
      ``(variables, step)``.

    Raises:
      FileNotFoundError: when the folder holds no checkpoint (or not ``step``).
    """
    steps = self.all_steps()
    if not steps or (step is not None and step not in steps):
      raise FileNotFoundError(f"no checkpoint {'' if step is None else f'of epoch {step} '}in "
                              f"{self.directory} (found epochs {steps})")
    step = steps[-1] if step is None else step
    raw = self._mgr().restore(step, args=ocp.args.StandardRestore())
    return {"params": raw["params"], **dict(raw.get("model_state") or {})}, step

  def restore_latest(self, template) -> Tuple[Any, Optional[int]]:
    """The newest checkpoint that restores cleanly: ``(state, step)``, or ``(template, None)``.

    Damaged steps are logged (``logging.WARNING`` on ``jgssl.train.checkpoint``), recorded in
    :attr:`skipped` as ``(step, reason)`` and moved to ``<directory>.damaged/``.
    """
    for step in reversed(self.all_steps()):
      try:
        state = self.restore(step, template)
        if not _host_all_finite((state.params, state.opt_state, state.model_state)):
          raise ValueError("restored values are not finite")
      except Exception as e:  # Orbax raises ValueError, KeyError, OSError, JSONDecodeError, ...
        reason = f"{type(e).__name__}: {_first_line(e)}"
        self.skipped.append((step, reason))
        moved = self._quarantine(step)
        log.warning("checkpoint of epoch %d in %s is damaged and was skipped (%s); moved to %s",
                    step, self.directory, reason, moved)
        continue
      if self.skipped:
        log.warning("resuming from checkpoint of epoch %d after skipping %s", step,
                    ", ".join(str(s) for s, _ in self.skipped))
      return state, step
    return template, None

  def _quarantine(self, step: int) -> pathlib.Path:
    self._reset()
    src = self.directory / str(step)
    dst_root = self.directory.parent / (self.directory.name + ".damaged")
    dst_root.mkdir(parents=True, exist_ok=True)
    dst = dst_root / f"{step}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    if src.exists():
      shutil.move(str(src), str(dst))
    return dst

  def wait(self) -> None:
    if self._manager is not None:
      self._manager.wait_until_finished()

  def close(self) -> None:
    self._reset()

  def __enter__(self):
    return self

  def __exit__(self, *exc):
    self.close()


def non_finite_parts(state) -> List[str]:
  """Which of ``state``'s parts hold a non-finite value: a sublist of ``['parameters',
  'optimizer state', 'model state']`` (checked on the host)."""
  parts = (("parameters", state.params), ("optimizer state", state.opt_state),
           ("model state", state.model_state))
  return [name for name, tree in parts if not _host_all_finite(tree)]


def _host_all_finite(tree) -> bool:
  """Every floating leaf finite, checked on the host (no per-shape device compilations)."""
  for leaf in jax.tree_util.tree_leaves(jax.device_get(tree)):
    arr = np.asarray(leaf)
    if np.issubdtype(arr.dtype, np.inexact) and not np.isfinite(arr).all():
      return False
  return True


_FILTER_LOCK = threading.Lock()


def _is_closed_loop_callback(unraisable) -> bool:
  """An asyncio ``call_soon_threadsafe`` on a closed loop (a tensorstore read finishing after a
  failed Orbax restore closed its event loop): noise, the failure itself was raised."""
  exc = unraisable.exc_value
  if not isinstance(exc, RuntimeError) or str(exc) != "Event loop is closed":
    return False
  tb = unraisable.exc_traceback
  while tb is not None:
    if tb.tb_frame.f_code.co_name == "call_soon_threadsafe":
      return True
    tb = tb.tb_next
  return False


def _silence_closed_loop_callbacks() -> None:
  """Installs (once per process) a ``sys.unraisablehook`` that drops the "Event loop is closed"
  tracebacks a failed restore leaves behind and passes everything else on."""
  with _FILTER_LOCK:
    previous = sys.unraisablehook
    if getattr(previous, "jgssl_closed_loop_filter", False):
      return

    def hook(unraisable):
      if not _is_closed_loop_callback(unraisable):
        previous(unraisable)

    hook.jgssl_closed_loop_filter = True
    sys.unraisablehook = hook


def _first_line(e: BaseException) -> str:
  text = str(e).strip().splitlines()
  line = text[0] if text else repr(e)
  return line if len(line) <= 300 else line[:297] + "..."

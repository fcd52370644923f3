"""The fit loop: epochs of jitted steps, guards, checkpoints and resumption."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

import jax
import numpy as np

from jgssl.train.checkpoint import Checkpointer, NonFiniteError, non_finite_parts
from jgssl.train.state import TrainState

__all__ = ["EpochLog", "FitResult", "fit"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class EpochLog:
  """What one epoch reports to callbacks.

  Attributes:
    epoch: 1-based epoch number.
    step: optimizer steps taken after the epoch.
    loss: mean training loss over the epoch's steps.
    seconds: wall-clock seconds of the epoch (device work included).
    metrics: mean of every other scalar the step returned.
  """
  epoch: int
  step: int
  loss: float
  seconds: float
  metrics: Dict[str, float]


@dataclasses.dataclass(frozen=True)
class FitResult:
  """Outcome of :func:`fit`.

  Attributes:
    state: the final state.
    start_epoch: the epoch training resumed after (0 for a fresh start).
    history: logs of the epochs run by this call (empty when the run was already finished).
    train_seconds: wall-clock seconds spent in this call's epochs.
    stopped_epoch: the epoch after which a hook stopped the run (e.g.
      :class:`jgssl.train.EarlyStopping`), or ``None`` when all epochs ran.
  """
  state: TrainState
  start_epoch: int
  history: List[EpochLog]
  train_seconds: float
  stopped_epoch: Optional[int] = None


Batches = Union[Any, Callable[[int], Iterable[Any]]]


def fit(state: TrainState, step_fn: Callable, batches: Batches, *, epochs: int,
        checkpointer: Optional[Checkpointer] = None, checkpoint_every: int = 1,
        callbacks: Sequence[Callable[[EpochLog, TrainState], None]] = (),
        hooks: Sequence[Any] = (), side: Any = None, resume: bool = True) -> FitResult:
  """Trains for ``epochs`` epochs, resuming from and writing to ``checkpointer``.

  Each epoch runs ``step_fn`` over its batches without reading anything back; the losses and
  finiteness flags come to the host once, at the end of the epoch. A non-finite loss (or
  parameters, optimizer state or mutable collections that became non-finite: the step's
  ``finite`` flag covers the whole updated state) stops training with :class:`NonFiniteError`
  naming the epoch, the step, what went non-finite and the last good checkpoint; nothing is saved
  for that epoch, so the last good checkpoint stays the newest.

  Hooks (:mod:`jgssl.train.hooks`, e.g. :class:`jgssl.train.EarlyStopping`) control the run:
  each adds its state to ``state.extras`` before a checkpoint is restored, sees every epoch
  (before its checkpoint, so the checkpoint holds the hook's state of that epoch) and may stop
  the run; the epoch that stops it is checkpointed, the callbacks run, and every hook's
  ``finish`` gives the returned state (early stopping puts its best parameters back). A run
  resumed after a hook had stopped it trains no further.

  Args:
    state: a fresh state (also the template a checkpoint is restored into).
    step_fn: from :func:`jgssl.train.make_train_step`.
    batches: either a callable ``epoch -> iterable of device-ready graphs`` (graph-level, e.g.
      :class:`jgssl.train.GraphLoader`), or one graph used for a single full-graph step per epoch
      (node-level).
    epochs: total number of epochs of the run (not of this call).
    checkpointer: where to save every ``checkpoint_every`` epochs and after the last; with
      ``resume`` the newest restorable checkpoint is loaded first and training continues at the
      next epoch.
    checkpoint_every: epochs between checkpoints (>= 1).
    callbacks: called as ``callback(epoch_log, state)`` after every epoch (after its checkpoint).
    hooks: run-control hooks (see above).
    side: the method's side input (``method.prepare(graph)``), passed to every step; ``None``
      for methods without ``prepare``.
    resume: restore from ``checkpointer`` when it has checkpoints.

  Returns:
    A :class:`FitResult`.

  Raises:
    NonFiniteError: on a non-finite loss or state.
    ValueError: on bad arguments.
  """
  if epochs < 1:
    raise ValueError(f"epochs must be >= 1, got {epochs}")
  if checkpoint_every < 1:
    raise ValueError(f"checkpoint_every must be >= 1, got {checkpoint_every}")
  names = [h.name for h in hooks]
  if len(set(names)) != len(names):
    raise ValueError(f"hooks need distinct names, got {names}")
  for hook in hooks:
    state = hook.init(state)
  start = 0
  if checkpointer is not None and resume:
    state, restored = checkpointer.restore_latest(state)
    if restored is not None:
      start = restored
      log.info("resumed from checkpoint of epoch %d (step %d)", start, int(state.step))
  if start > epochs:
    raise ValueError(f"the checkpoint is at epoch {start}, beyond the requested {epochs} epochs")

  epoch_batches = batches if callable(batches) else (lambda epoch: (batches,))
  history: List[EpochLog] = []
  total = 0.0
  stopped_epoch = None
  already = [h.name for h in hooks if h.stopped(state)]
  if already:
    log.info("the run was stopped after epoch %d by %s; nothing more to train", start,
             ", ".join(already))
  for epoch in range(start + 1, epochs + 1 if not already else start + 1):
    t0 = time.perf_counter()
    step_before = int(state.step)
    metrics = []
    for graph in epoch_batches(epoch):
      state, m = step_fn(state, graph) if side is None else step_fn(state, graph, side)
      metrics.append(m)
    if not metrics:
      raise ValueError(f"epoch {epoch} produced no batches")
    host = jax.device_get(metrics)  # the one device -> host transfer of the epoch
    stacked = {k: np.stack([np.asarray(m[k]) for m in host]) for k in host[0]}
    seconds = time.perf_counter() - t0
    total += seconds
    finite = np.asarray(stacked.pop("finite"))
    losses = np.asarray(stacked["loss"])
    bad = np.flatnonzero(~finite | ~np.isfinite(losses))
    if bad.size:
      i = int(bad[0])
      last = checkpointer.latest_step() if checkpointer is not None else None
      if not np.isfinite(losses[i]):
        what = "loss"
      else:
        parts = non_finite_parts(state) or ["state"]
        what = f"{' and '.join(parts)} after the update (loss {losses[i]:.4g} was finite)"
      raise NonFiniteError(
          f"non-finite {what} at epoch {epoch}, step {step_before + i + 1}; training stopped, "
          f"nothing saved for this epoch; last good checkpoint: "
          f"{'none' if last is None else f'epoch {last}'}",
          epoch=epoch, step=step_before + i + 1, value=float(losses[i]), last_checkpoint=last)
    record = EpochLog(epoch=epoch, step=int(state.step), loss=float(losses.mean()),
                      seconds=seconds,
                      metrics={k: float(np.mean(v)) for k, v in stacked.items() if k != "loss"})
    history.append(record)
    stop = False
    for hook in hooks:
      state, hook_stop = hook.after_epoch(record, state)
      stop = stop or bool(hook_stop)
    if checkpointer is not None and (epoch % checkpoint_every == 0 or epoch == epochs or stop):
      checkpointer.save(epoch, state)
    for cb in callbacks:
      cb(record, state)
    if stop:
      stopped_epoch = epoch
      log.info("stopped early after epoch %d", epoch)
      break
  if checkpointer is not None:
    checkpointer.wait()
  for hook in hooks:
    state = hook.finish(state)
  return FitResult(state=state, start_epoch=start, history=history, train_seconds=total,
                   stopped_epoch=stopped_epoch)

"""Run control for :func:`jgssl.train.fit`: hooks that see every epoch and may stop the run.

A hook is any object with

* ``name``: a string, the key of its state in :attr:`jgssl.train.TrainState.extras`;
* ``init(state) -> state``: adds its initial state to ``state.extras`` (called on the fresh
  state before a checkpoint is restored into it, so checkpoints carry the hook's state and a
  resumed run continues where it was);
* ``after_epoch(log, state) -> (state, stop)``: called after every epoch (before its checkpoint)
  with the epoch's :class:`jgssl.train.EpochLog`;
* ``stopped(state) -> bool``: whether the hook has ended the run (read after a restore, so a
  run resumed after it stopped trains no further);
* ``finish(state) -> state``: called once when training ends (stopped or not).

Hook state is ordinary device arrays; the hook runs on the host between epochs, after the
epoch's one device-to-host read of the metrics.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp

__all__ = ["EarlyStopping"]


def _copy(tree):
  # The step donates the state: a kept reference must own its buffers.
  return jax.tree_util.tree_map(lambda a: jnp.array(a, copy=True), tree)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EarlyStopping:
  """Stops when the epoch's mean ``monitor`` has not improved for ``patience`` epochs and
  restores the parameters that reached the best value.

  The value of epoch ``t`` is computed with the parameters *before* that epoch's updates, so the
  parameters kept on an improvement are the ones the epoch started from — the bookkeeping of
  DGI's ``execute.py`` and MVGRL's ``node/train.py`` (Veličković et al., ICLR 2019; Hassani &
  Khasahmadi, ICML 2020): they compare the loss of step ``t`` with the best so far, save the
  model on improvement, count the steps without one, stop after ``patience`` of them and load the
  saved model for evaluation. With one full-graph step per epoch (node level) epoch and step
  coincide.

  State in ``state.extras['early_stopping']``: ``best_params``, ``last_params`` (the parameters
  the current epoch started from), ``best`` (float32) and ``wait`` (int32).

  Attributes:
    patience: epochs without improvement before stopping (>= 1).
    monitor: the :class:`jgssl.train.EpochLog` value compared: ``'loss'`` or a metric name.
  """
  patience: int
  monitor: str = "loss"
  name: str = "early_stopping"

  def __post_init__(self):
    if not isinstance(self.patience, int) or isinstance(self.patience, bool) or self.patience < 1:
      raise ValueError(f"EarlyStopping.patience must be an int >= 1, got {self.patience!r}")

  def init(self, state):
    entry = {"best_params": _copy(state.params), "last_params": _copy(state.params),
             "best": jnp.asarray(jnp.inf, jnp.float32), "wait": jnp.zeros((), jnp.int32)}
    return state.replace(extras={**state.extras, self.name: entry})

  def _value(self, log) -> float:
    if self.monitor == "loss":
      return log.loss
    if self.monitor not in log.metrics:
      raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which the step does not "
                       f"report; it reports loss and {sorted(log.metrics)}")
    return log.metrics[self.monitor]

  def after_epoch(self, log, state):
    entry = state.extras[self.name]
    value = self._value(log)
    best = float(entry["best"])
    wait = int(entry["wait"])
    if math.isfinite(value) and value < best:
      entry = {**entry, "best_params": entry["last_params"],
               "best": jnp.asarray(value, jnp.float32), "wait": jnp.zeros((), jnp.int32)}
    else:
      wait += 1
      entry = {**entry, "wait": jnp.asarray(wait, jnp.int32)}
    entry["last_params"] = _copy(state.params)
    state = state.replace(extras={**state.extras, self.name: entry})
    return state, self.stopped(state)

  def stopped(self, state) -> bool:
    return int(state.extras[self.name]["wait"]) >= self.patience

  def finish(self, state):
    """The state with the best parameters (the last ones if no epoch improved)."""
    entry = state.extras[self.name]
    if not math.isfinite(float(entry["best"])):
      return state
    return state.replace(params=_copy(entry["best_params"]))

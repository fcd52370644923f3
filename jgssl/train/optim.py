"""Optimizers and learning-rate schedules as the papers use them (optax)."""

from __future__ import annotations

from typing import Optional

import optax

__all__ = ["make_optimizer", "make_schedule"]

_SCHEDULES = ("constant", "cosine", "warmup_cosine")
_OPTIMIZERS = ("adam", "adamw", "sgd")


def make_schedule(*, learning_rate: float, schedule: str = "constant",
                  total_steps: Optional[int] = None, warmup_steps: int = 0,
                  end_value: float = 0.0) -> optax.Schedule:
  """A learning-rate schedule.

  Args:
    learning_rate: peak learning rate (> 0).
    schedule: ``'constant'``; ``'cosine'``: ``lr * (1 + cos(pi * t / total_steps)) / 2`` down to
      ``end_value`` (GraphMAE's ``scheduler``, a LambdaLR over epochs); ``'warmup_cosine'``: linear
      warm-up from 0 over ``warmup_steps`` then cosine decay to ``end_value`` at ``total_steps``
      (BGRL: 1000 warm-up steps, then cosine).
    total_steps: length of the decay (required by the cosine schedules).
    warmup_steps: warm-up length (``'warmup_cosine'`` only).
    end_value: final learning rate of the cosine schedules.

  Raises:
    ValueError: on an unknown schedule or inconsistent lengths.
  """
  if not learning_rate > 0:
    raise ValueError(f"learning_rate must be positive, got {learning_rate}")
  if schedule == "constant":
    return optax.constant_schedule(learning_rate)
  if schedule not in _SCHEDULES:
    raise ValueError(f"unknown schedule {schedule!r}; choose one of {_SCHEDULES}")
  if total_steps is None or total_steps <= 0:
    raise ValueError(f"schedule {schedule!r} needs total_steps > 0, got {total_steps}")
  if schedule == "cosine":
    return optax.cosine_decay_schedule(learning_rate, total_steps,
                                       alpha=end_value / learning_rate)
  if not 0 <= warmup_steps < total_steps:
    raise ValueError(f"need 0 <= warmup_steps < total_steps, got {warmup_steps}, {total_steps}")
  return optax.warmup_cosine_decay_schedule(0.0, learning_rate, warmup_steps, total_steps,
                                            end_value=end_value)


def make_optimizer(*, name: str = "adam", learning_rate: float, weight_decay: float = 0.0,
                   schedule: str = "constant", total_steps: Optional[int] = None,
                   warmup_steps: int = 0, end_value: float = 0.0, momentum: float = 0.9,
                   clip_norm: Optional[float] = None) -> optax.GradientTransformation:
  """An optax optimizer matching the PyTorch ones the reference implementations use.

  Args:
    name: ``'adam'`` — ``torch.optim.Adam`` with L2 ``weight_decay`` added to the gradient before
      the Adam moments (coupled; GRACE, GCA, DGI, GraphMAE, MVGRL); ``'adamw'`` — decoupled weight
      decay (``torch.optim.AdamW``; BGRL); ``'sgd'`` — SGD with ``momentum`` and coupled L2.
    learning_rate: peak learning rate.
    weight_decay: L2 / decoupled decay coefficient (>= 0).
    schedule, total_steps, warmup_steps, end_value: see :func:`make_schedule`.
    momentum: SGD momentum.
    clip_norm: clip the global gradient norm to this value first, if given.

  Raises:
    ValueError: on an unknown name or a negative coefficient.
  """
  if name not in _OPTIMIZERS:
    raise ValueError(f"unknown optimizer {name!r}; choose one of {_OPTIMIZERS}")
  if weight_decay < 0:
    raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
  if clip_norm is not None and not clip_norm > 0:
    raise ValueError(f"clip_norm must be positive, got {clip_norm}")
  lr = make_schedule(learning_rate=learning_rate, schedule=schedule, total_steps=total_steps,
                     warmup_steps=warmup_steps, end_value=end_value)
  parts = [optax.clip_by_global_norm(clip_norm)] if clip_norm is not None else []
  if name == "adam":
    if weight_decay:
      parts.append(optax.add_decayed_weights(weight_decay))
    parts += [optax.scale_by_adam(b1=0.9, b2=0.999, eps=1e-8), optax.scale_by_learning_rate(lr)]
  elif name == "adamw":
    parts += [optax.scale_by_adam(b1=0.9, b2=0.999, eps=1e-8)]
    if weight_decay:
      parts.append(optax.add_decayed_weights(weight_decay))
    parts.append(optax.scale_by_learning_rate(lr))
  else:
    if weight_decay:
      parts.append(optax.add_decayed_weights(weight_decay))
    if momentum:
      parts.append(optax.trace(decay=momentum))
    parts.append(optax.scale_by_learning_rate(lr))
  return optax.chain(*parts)

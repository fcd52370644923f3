"""Hyperparameter fields declared once, with their check: ``rate = hyper(0.2, RATE)``.

Methods are frozen dataclasses of keyword-only hyperparameters. Each field states its check
beside its default; :func:`validate` (called from ``__post_init__``) runs them all, normalises
values (lists of widths become tuples, a single rate for two views becomes a pair) and raises one
:class:`ValueError` naming the class, the field, what it must be and the value given::

  @dataclasses.dataclass(frozen=True, kw_only=True)
  class MyMethod:
    temperature: float = hyper(0.5, POSITIVE)
    drop_edge_rate: tuple = hyper((0.2, 0.4), RATE_PAIR)

    def __post_init__(self):
      validate(self)

The vocabulary every jgssl method uses for the same things:

* ``features`` — layer widths of an encoder (a tuple, one entry per layer);
  ``hidden_features`` / ``out_features`` — inner and output width of a head (projector,
  predictor, decoder);
* ``<action>_<object>_rate`` — a probability: ``drop_edge_rate``, ``drop_feature_rate`` (feature
  columns), ``drop_node_rate``, ``mask_rate``, ``replace_rate``; a two-view method takes a pair
  ``(view 1, view 2)`` or one number for both;
* ``temperature`` (τ of a softmax over similarities), ``momentum`` (EMA decay of a target),
  ``lambd`` (weight of a decorrelation term), ``alpha`` (exponent or teleport probability, as
  the paper names it).
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any, Callable, Optional

import flax.linen as nn

__all__ = [
    "NON_NEGATIVE",
    "POSITIVE",
    "POSITIVE_INT",
    "RATE",
    "RATE_BELOW_ONE",
    "RATE_PAIR",
    "CALLABLE",
    "MODULE",
    "WIDTHS",
    "Check",
    "check_args",
    "check_value",
    "hyper",
    "one_of",
    "optional",
    "predicate",
    "validate",
]


@dataclasses.dataclass(frozen=True)
class Check:
  """A field check: ``normalise(value)`` returns the (normalised) value or raises ``ValueError``.

  Attributes:
    describe: what a valid value is, completing "must be ...".
    normalise: ``value -> value``; raises ``ValueError`` / ``TypeError`` on a bad value.
  """
  describe: str
  normalise: Callable[[Any], Any]


def _number(value) -> float:
  if isinstance(value, bool) or not isinstance(value, numbers.Real):
    raise TypeError(value)
  return value


def predicate(describe: str, ok: Callable[[Any], bool], convert=lambda v: v) -> Check:
  """A check that passes ``convert(value)`` when ``ok`` of it is true (``describe``: what a good
  value is, completing "must be ...")."""
  def normalise(value):
    value = convert(value)
    if not ok(value):
      raise ValueError(value)
    return value
  return Check(describe, normalise)


def _int(value):
  if isinstance(value, bool) or not isinstance(value, numbers.Integral):
    raise TypeError(value)
  return int(value)


POSITIVE_INT = predicate("an int >= 1", lambda v: v >= 1, _int)
POSITIVE = predicate("a number > 0", lambda v: v > 0, _number)
NON_NEGATIVE = predicate("a number >= 0", lambda v: v >= 0, _number)
RATE = predicate("a probability in [0, 1]", lambda v: 0.0 <= v <= 1.0, _number)
RATE_BELOW_ONE = predicate("a probability in [0, 1)", lambda v: 0.0 <= v < 1.0, _number)


def _rate_pair(value):
  pair = (value, value) if isinstance(value, numbers.Real) else tuple(value)
  if len(pair) != 2:
    raise ValueError(value)
  return tuple(RATE.normalise(v) for v in pair)


RATE_PAIR = Check("a probability in [0, 1] or a pair of them (view 1, view 2)", _rate_pair)


def _widths(value):
  widths = tuple(_int(v) for v in value)
  if not widths or min(widths) < 1:
    raise ValueError(value)
  return widths


WIDTHS = Check("a non-empty sequence of layer widths >= 1", _widths)


def one_of(*choices) -> Check:
  """The value must equal one of ``choices``."""
  return predicate(f"one of {list(choices)}", lambda v: v in choices)


def optional(check: Check) -> Check:
  """``None`` or a value passing ``check``."""
  return Check(f"None or {check.describe}",
               lambda v: None if v is None else check.normalise(v))


def hyper(default, check: Optional[Check] = None):
  """A dataclass field with ``default`` whose value :func:`validate` checks with ``check``."""
  kwargs = {"metadata": {"check": check}}
  if isinstance(default, (list, dict, set)):
    kwargs["default_factory"] = lambda: type(default)(default)
  else:
    kwargs["default"] = default
  return dataclasses.field(**kwargs)


def validate(obj) -> None:
  """Runs every field's check on the frozen dataclass ``obj``, storing normalised values.

  Raises:
    ValueError: ``"<Class>.<field> must be <describe>, got <value>"`` for the first bad field.
  """
  for f in dataclasses.fields(obj):
    check = f.metadata.get("check")
    if check is None:
      continue
    value = getattr(obj, f.name)
    normalised = check_value(f"{type(obj).__name__}.{f.name}", value, check)
    if normalised is not value:
      object.__setattr__(obj, f.name, normalised)


def check_value(label: str, value, check: Check):
  """``check.normalise(value)``; a bad value raises one :class:`ValueError`
  ``"<label> must be <describe>, got <value>"``. For the keyword arguments of recipe functions
  (``check_value("bgrl: drop_edge_rate", rate, RATE_PAIR)``); dataclass fields use
  :func:`validate`, which calls it."""
  try:
    return check.normalise(value)
  except (TypeError, ValueError):
    raise ValueError(f"{label} must be {check.describe}, got {value!r}") from None


def check_args(recipe: str, **specs) -> dict:
  """Checks a recipe function's keyword arguments, ``name=(value, check)``; returns the
  normalised values by name. A bad one raises ``"<recipe>: <name> must be ..., got ..."``."""
  return {name: check_value(f"{recipe}: {name}", value, check)
          for name, (value, check) in specs.items()}


MODULE = predicate("a flax.linen.Module", lambda v: isinstance(v, nn.Module))
CALLABLE = predicate("callable", callable)

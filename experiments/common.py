"""What the experiment tools share: errors and exit statuses, config validation, JSON helpers.

The method and protocol tables and config loading are :mod:`experiments.registry`'s; the
evaluation protocols are :mod:`experiments.protocols`'. Everything here runs on the host without
touching JAX arrays, so a bad config fails before any compilation.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import traceback
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple

import ml_collections
import numpy as np


class ConfigError(ValueError):
  """A config that cannot run: unknown key, bad value, unknown dataset or method."""


class WorkdirError(OSError):
  """A workdir the launcher cannot use: not a folder, not writable, or a damaged run file."""


class WorkdirLockedError(WorkdirError):
  """Another launcher holds the workdir's lock."""


class EvaluationError(RuntimeError):
  """The evaluation protocol failed after training; the trained run stays in its workdir."""


#: Exit statuses of the launchers (``experiments.train`` documents them for users).
EXIT_OK = 0
EXIT_NON_FINITE = 1
EXIT_CONFIG = 2
EXIT_DATASET = 3
EXIT_WORKDIR = 4
EXIT_LOCKED = 5
EXIT_EVALUATION = 6
EXIT_INTERNAL = 7


def _instance_of(e: BaseException, module: str, name: str) -> bool:
  """``isinstance(e, module.name)`` without importing ``module`` (an exception of a class whose
  module was never imported cannot be an instance of it)."""
  cls = getattr(sys.modules.get(module), name, None)
  return isinstance(cls, type) and isinstance(e, cls)


def _one_line(e: BaseException, hint: str = "") -> str:
  """The message's first line (+ ``hint``), saying how many more lines ``--debug`` shows."""
  lines = [line for line in str(e).strip().splitlines() if line.strip()]
  head = lines[0].rstrip(":").rstrip() if lines else type(e).__name__
  more = (f" (--debug prints the rest of the message, {len(lines) - 1} more lines)"
          if len(lines) > 1 else "")
  return head + hint + more


def error_line(e: BaseException) -> Tuple[int, str]:
  """``(exit status, one line for stderr)`` of a launcher failure (see :func:`exit_status`)."""
  if isinstance(e, ConfigError):
    return EXIT_CONFIG, f"config error: {_one_line(e)}"
  if isinstance(e, WorkdirLockedError):
    return EXIT_LOCKED, f"workdir locked: {_one_line(e)}"
  if isinstance(e, EvaluationError):
    return EXIT_EVALUATION, f"evaluation failed: {_one_line(e)}"
  if _instance_of(e, "jgssl.train.checkpoint", "NonFiniteError"):
    return EXIT_NON_FINITE, f"training stopped: {_one_line(e)}"
  if _instance_of(e, "jgssl.data.validate", "DatasetError"):
    offline = os.environ.get("JGSSL_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    hint = ("; unset JGSSL_OFFLINE to download the files, or put them there by hand"
            if offline and "missing" in str(e).split("\n", 1)[0] else "")
    return EXIT_DATASET, f"dataset error: {_one_line(e, hint)}"
  if isinstance(e, WorkdirError):
    return EXIT_WORKDIR, f"workdir error: {_one_line(e)}"
  if isinstance(e, OSError):
    return EXIT_WORKDIR, f"file-system error: {_one_line(e)}"
  return EXIT_INTERNAL, (f"internal error: {type(e).__name__}: {_one_line(e)} (a bug: please "
                         "report it with the traceback above)")


def exit_status(command: Callable[[], Any], *, debug: bool = False) -> int:
  """Runs a launcher's ``command()`` and returns its exit status.

  0 when it returns; otherwise one line on stderr and the status of the failure:
  1 non-finite training (:class:`jgssl.train.NonFiniteError`), 2 :class:`ConfigError`,
  3 dataset error (:class:`jgssl.data.validate.DatasetError`), 4 workdir or file-system error
  (:class:`WorkdirError`, ``OSError``), 5 :class:`WorkdirLockedError`, 6
  :class:`EvaluationError`, 7 anything else (a bug: its traceback is always printed). With
  ``debug`` the traceback precedes the line for every failure.
  """
  try:
    command()
  except Exception as e:  # pylint: disable=broad-except
    status, line = error_line(e)
    if debug or status == EXIT_INTERNAL:
      traceback.print_exc()
    print(line, file=sys.stderr, flush=True)
    return status
  return EXIT_OK


# ---------------------------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------------------------


def config_to_dict(config: ml_collections.ConfigDict) -> Dict[str, Any]:
  """A JSON-ready nested dict (tuples become lists)."""
  return json.loads(json.dumps(config.to_dict(), default=list))


def diff_configs(a: Mapping, b: Mapping, prefix: str = "") -> List[str]:
  """Dotted keys whose values differ between two nested dicts."""
  out = []
  for k in sorted(set(a) | set(b)):
    va, vb = a.get(k), b.get(k)
    if isinstance(va, Mapping) and isinstance(vb, Mapping):
      out += diff_configs(va, vb, prefix + k + ".")
    elif va != vb:
      out.append(f"{prefix}{k}: {va!r} -> {vb!r}")
  return out


def jsonable(obj):
  """``obj`` through JSON: arrays become lists, anything else unknown its ``str``."""
  return json.loads(json.dumps(obj, default=lambda o: o.tolist() if hasattr(o, "tolist")
                               else str(o)))


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


#: The keys every config has.
REQUIRED_KEYS = ("method", "dataset", "seed", "epochs", "checkpoint_every")


@dataclasses.dataclass(frozen=True)
class Plan:
  """A validated config, ready to run.

  Attributes:
    config: the config.
    method: the method built from ``config.model``.
    entry: the method's :class:`experiments.registry.MethodEntry`.
    dataset_kind: ``'node'`` or ``'graph'``.
    level: the level the method trains at (``'node'`` or ``'graph'``).
  """
  config: ml_collections.ConfigDict
  method: Any
  entry: Any  # experiments.registry.MethodEntry
  dataset_kind: str
  level: str = "node"


def is_int(v) -> bool:
  """Whether ``v`` is an integer (a numpy one included), not a bool."""
  return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def validate(config: ml_collections.ConfigDict) -> Plan:
  """Checks a config completely, on the host, before anything compiles.

  Raises:
    ConfigError: a missing required key, an unknown method / dataset / strategy / protocol, a
      dataset of the wrong kind, a rate outside ``[0, 1]``, non-positive ``epochs`` or
      ``checkpoint_every``, anything the method or optimizer constructor rejects, or an
      ``eval`` value the protocol's ``check`` rejects (so a bad probe setting
      fails now, not after training).
  """
  from experiments import registry  # pylint: disable=import-outside-toplevel
  for k in REQUIRED_KEYS:
    if k not in config:
      raise ConfigError(f"config has no {k!r}; every config needs {', '.join(REQUIRED_KEYS)}")
  method = config.method
  entry = registry.get_method(method)
  from jgssl import data  # pylint: disable=import-outside-toplevel
  try:
    spec = data.get_spec(config.dataset)
  except ValueError as e:
    raise ConfigError(f"config.dataset: {e}") from None
  for k in ("epochs", "checkpoint_every"):
    if not is_int(config[k]) or config[k] < 1:
      raise ConfigError(f"config.{k} must be an integer >= 1, got {config[k]!r}")
  if not is_int(config.seed) or config.seed < 0:
    raise ConfigError(f"config.seed must be an integer >= 0, got {config.seed!r}")
  from jgssl.data.transforms import FEATURE_NORMS  # pylint: disable=import-outside-toplevel
  if config.get("features", "none") not in FEATURE_NORMS:
    raise ConfigError(f"config.features must be one of {FEATURE_NORMS}, got {config.features!r}")
  if "max_to_keep" in config and (not is_int(config.max_to_keep) or config.max_to_keep < 1):
    raise ConfigError(f"config.max_to_keep must be an integer >= 1, got {config.max_to_keep!r}")
  if "model" not in config:
    raise ConfigError("config has no 'model' section")
  try:
    built = registry.build_method(config)
  except TypeError as e:
    raise ConfigError(f"config.model does not fit {method!r}: {e}") from None
  except ValueError as e:
    raise ConfigError(f"config.model: {e}") from None
  except ImportError as e:
    raise ConfigError(f"method {method!r} is registered but cannot be imported: {e}") from None
  level = registry.method_level(entry, built)
  if spec.kind != level:
    raise ConfigError(f"method {method!r} (as configured) trains on {level}-level datasets; "
                      f"{config.dataset!r} is a {spec.kind}-level dataset")
  strategy = config.get("strategy", "single")
  allowed = registry.method_strategies(entry, built)
  if strategy not in allowed:
    raise ConfigError(f"config.strategy {strategy!r} is not available for {method!r}; choose one "
                      f"of {allowed}")
  if level == "graph":
    batch = config.get("batch_size")
    if not is_int(batch) or batch < 1:
      raise ConfigError(f"graph-level training needs config.batch_size, an integer >= 1; got "
                        f"{batch!r}")
  try:
    optimizer_factory(config)(total_steps=config.epochs)
  except (TypeError, ValueError) as e:
    raise ConfigError(f"config.optimizer: {e}") from None
  protocol = config.eval.protocol if "eval" in config else None
  if protocol is not None:
    check = registry.get_protocol(protocol).check
    if check is not None:
      try:
        check(protocol, config.eval)
      except ConfigError:
        raise
      except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise ConfigError(f"config.eval ({protocol}): {e}") from None
  return Plan(config=config, method=built, entry=entry, dataset_kind=spec.kind, level=level)


def optimizer_factory(config) -> Callable[..., Any]:
  """``total_steps -> optax optimizer`` from ``config.optimizer``."""
  from jgssl import train  # pylint: disable=import-outside-toplevel
  opt = config.optimizer.to_dict()

  def make(*, total_steps: int):
    return train.make_optimizer(total_steps=total_steps, **opt)

  return make


# ---------------------------------------------------------------------------------------------
# Shorthands of the registry's config loading
# ---------------------------------------------------------------------------------------------


def load_config(spec: str, overrides: Sequence[str] = ()):
  """:func:`experiments.registry.load_config`."""
  from experiments import registry  # pylint: disable=import-outside-toplevel
  return registry.load_config(spec, overrides)


def find_config_file(method: str):
  """:func:`experiments.registry.config_file`."""
  from experiments import registry  # pylint: disable=import-outside-toplevel
  return registry.config_file(method)

"""Config loading, command-line overrides, validation and the method / protocol registries.

Everything here runs on the host without touching JAX arrays, so a bad config fails before any
compilation.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import importlib.util
import json
import pathlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import ml_collections
import numpy as np

CONFIG_DIR = pathlib.Path(__file__).resolve().parent / "configs"
REQUIRED_KEYS = ("method", "dataset", "seed", "epochs", "checkpoint_every")


class ConfigError(ValueError):
  """A config that cannot run: unknown key, bad value, unknown dataset or method."""


# ---------------------------------------------------------------------------------------------
# Loading and overrides
# ---------------------------------------------------------------------------------------------


def load_config(spec: str, overrides: Sequence[str] = ()) -> ml_collections.ConfigDict:
  """Loads ``path/to/config.py[:variant]`` and applies ``key=value`` overrides.

  Args:
    spec: a config file and an optional variant passed to its ``get_config``.
    overrides: ``'model.hidden=64'`` (or ``'--config.model.hidden=64'``) strings.

  Raises:
    ConfigError: missing file, no ``get_config``, unknown variant, unknown key or a value of the
      wrong type.
  """
  path, _, variant = str(spec).partition(":")
  file = pathlib.Path(path)
  if not file.is_file():
    raise ConfigError(f"config file {path!r} not found")
  module_spec = importlib.util.spec_from_file_location(f"_jgssl_config_{file.stem}", file)
  module = importlib.util.module_from_spec(module_spec)
  module_spec.loader.exec_module(module)
  if not hasattr(module, "get_config"):
    raise ConfigError(f"{path} defines no get_config()")
  try:
    config = module.get_config(variant) if variant else module.get_config()
  except ValueError as e:
    raise ConfigError(f"{path}: {e}") from None
  if not isinstance(config, ml_collections.ConfigDict):
    raise ConfigError(f"{path}: get_config() must return an ml_collections.ConfigDict")
  config.lock()
  apply_overrides(config, overrides)
  return config


def _all_keys(config: ml_collections.ConfigDict, prefix: str = "") -> List[str]:
  keys = []
  for k in config.keys():
    v = config[k]
    keys.append(prefix + k)
    if isinstance(v, ml_collections.ConfigDict):
      keys += _all_keys(v, prefix + k + ".")
  return keys


def _field_type(parent: ml_collections.ConfigDict, leaf: str):
  value = parent[leaf]
  if value is not None:
    return type(value)
  ref = parent._fields.get(leaf)  # pylint: disable=protected-access
  if isinstance(ref, ml_collections.FieldReference):
    return ref.get_type()
  return None


def _parse_value(text: str, kind, key: str):
  if kind is str:
    return text
  if text.lower() in ("none", "null"):
    return None
  if kind is bool:
    if text.lower() in ("true", "1", "yes"):
      return True
    if text.lower() in ("false", "0", "no"):
      return False
    raise ConfigError(f"config.{key} expects true/false, got {text!r}")
  try:
    value = ast.literal_eval(text)
  except (ValueError, SyntaxError):
    raise ConfigError(f"config.{key} expects a {getattr(kind, '__name__', 'value')}, got "
                      f"{text!r}") from None
  if kind is float and isinstance(value, int) and not isinstance(value, bool):
    value = float(value)
  if kind is tuple and isinstance(value, list):
    value = tuple(value)
  return value


def apply_overrides(config: ml_collections.ConfigDict, overrides: Sequence[str]) -> None:
  """Applies ``key.path=value`` strings in place; unknown keys are an error (locked configs)."""
  known = _all_keys(config)
  for item in overrides:
    text = item[len("--config."):] if item.startswith("--config.") else item
    if "=" not in text:
      raise ConfigError(f"override {item!r} must look like --config.<key>=<value>")
    key, value = text.split("=", 1)
    parent = config
    parts = key.split(".")
    ok = True
    for p in parts[:-1]:
      if p not in parent or not isinstance(parent[p], ml_collections.ConfigDict):
        ok = False
        break
      parent = parent[p]
    if not ok or parts[-1] not in parent or isinstance(parent[parts[-1]],
                                                         ml_collections.ConfigDict):
      close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
      hint = f" Did you mean {close[0]!r}?" if close else ""
      raise ConfigError(f"unknown config key {key!r}.{hint} The config is locked; known keys: "
                        f"{', '.join(k for k in known)}")
    kind = _field_type(parent, parts[-1])
    new = _parse_value(value, kind, key)
    try:
      parent[parts[-1]] = new
    except (TypeError, ValueError) as e:
      raise ConfigError(f"config.{key}: {e}") from None


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


# ---------------------------------------------------------------------------------------------
# Registries
# ---------------------------------------------------------------------------------------------


def _build_grace(model: ml_collections.ConfigDict):
  from jgssl.methods import GRACE  # pylint: disable=import-outside-toplevel
  return GRACE(**model.to_dict())


@dataclasses.dataclass(frozen=True)
class MethodEntry:
  """How the launcher builds a method from ``config.model``.

  Attributes:
    build: ``config.model -> jgssl.methods.Method`` (validates its fields).
    level: ``'node'`` or ``'graph'``: the dataset kind it trains on.
    strategies: the step strategies it supports.
  """
  build: Callable[[ml_collections.ConfigDict], Any]
  level: str
  strategies: Tuple[str, ...]


METHODS: Dict[str, MethodEntry] = {
    "grace": MethodEntry(build=_build_grace, level="node", strategies=("single", "rows")),
}


def _lr_sklearn_grace(embeddings, labels, *, seed: int, cfg) -> Tuple[str, Dict[str, float], Dict]:
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  grid = tuple(float(2.0 ** k) for k in range(int(cfg.c_log2_min), int(cfg.c_log2_max) + 1))
  r = evaluate.lr_rand_sklearn_grace(embeddings, labels, seed=seed, train_ratio=cfg.train_ratio,
                                     repeats=cfg.repeats, c_grid=grid,
                                     inner_folds=cfg.inner_folds)
  metrics = {"test_acc": 100.0 * r["micro_f1"], "test_acc_std": 100.0 * r["micro_f1_std"],
             "macro_f1": 100.0 * r["macro_f1"], "macro_f1_std": 100.0 * r["macro_f1_std"]}
  runs = {k: [100.0 * v for v in vs] for k, vs in r.runs.items()}
  return r.protocol, metrics, {"runs_percent": runs, "settings": _jsonable(r.settings)}


def _jsonable(obj):
  return json.loads(json.dumps(obj, default=lambda o: o.tolist() if hasattr(o, "tolist")
                               else str(o)))


#: protocol name -> ``(embeddings, labels, *, seed, cfg) -> (protocol, metrics, extra)``;
#: metrics in percent, ``test_acc`` first for classification.
PROTOCOLS: Dict[str, Callable] = {
    "LR-rand-sklearn/GRACE": _lr_sklearn_grace,
}

STRATEGIES = ("single", "data", "rows")
FEATURE_NORMS = ("none", "row")


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
  """A validated config, ready to run."""
  config: ml_collections.ConfigDict
  method: Any
  entry: MethodEntry
  dataset_kind: str


def _is_int(v) -> bool:
  return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _check_rates(section: ml_collections.ConfigDict, prefix: str) -> None:
  for k in section.keys():
    v = section[k]
    if isinstance(v, ml_collections.ConfigDict):
      _check_rates(v, f"{prefix}{k}.")
      continue
    name = k.lower()
    if ("drop" in name or "rate" in name or name.startswith("p_")) and "learning" not in name:
      if v is None:
        continue
      if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ConfigError(f"config.{prefix}{k} must be a number in [0, 1], got {v!r}")
      if not 0.0 <= float(v) <= 1.0:
        raise ConfigError(f"config.{prefix}{k} = {v} is a rate and must lie in [0, 1]")


def validate(config: ml_collections.ConfigDict) -> Plan:
  """Checks a config completely, on the host, before anything compiles.

  Raises:
    ConfigError: a missing required key, an unknown method / dataset / strategy / protocol, a
      dataset of the wrong kind, a rate outside ``[0, 1]``, non-positive ``epochs`` or
      ``checkpoint_every``, or anything the method or optimizer constructor rejects.
  """
  for k in REQUIRED_KEYS:
    if k not in config:
      raise ConfigError(f"config has no {k!r}; every config needs {', '.join(REQUIRED_KEYS)}")
  method = config.method
  if method not in METHODS:
    close = difflib.get_close_matches(str(method), list(METHODS), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown method {method!r}.{hint} Known methods: {', '.join(METHODS)}")
  entry = METHODS[method]
  from jgssl import data  # pylint: disable=import-outside-toplevel
  try:
    spec = data.get_spec(config.dataset)
  except ValueError as e:
    raise ConfigError(f"config.dataset: {e}") from None
  if spec.kind != entry.level:
    raise ConfigError(f"method {method!r} trains on {entry.level}-level datasets; "
                      f"{config.dataset!r} is a {spec.kind}-level dataset")
  for k in ("epochs", "checkpoint_every"):
    if not _is_int(config[k]) or config[k] < 1:
      raise ConfigError(f"config.{k} must be an integer >= 1, got {config[k]!r}")
  if not _is_int(config.seed) or config.seed < 0:
    raise ConfigError(f"config.seed must be an integer >= 0, got {config.seed!r}")
  strategy = config.get("strategy", "single")
  if strategy not in entry.strategies:
    raise ConfigError(f"config.strategy {strategy!r} is not available for {method!r}; choose one "
                      f"of {entry.strategies}")
  if config.get("features", "none") not in FEATURE_NORMS:
    raise ConfigError(f"config.features must be one of {FEATURE_NORMS}, got {config.features!r}")
  if "max_to_keep" in config and (not _is_int(config.max_to_keep) or config.max_to_keep < 1):
    raise ConfigError(f"config.max_to_keep must be an integer >= 1, got {config.max_to_keep!r}")
  if "model" not in config:
    raise ConfigError("config has no 'model' section")
  _check_rates(config.model, "model.")
  try:
    built = entry.build(config.model)
  except TypeError as e:
    raise ConfigError(f"config.model does not fit {method!r}: {e}") from None
  except ValueError as e:
    raise ConfigError(f"config.model: {e}") from None
  try:
    optimizer_factory(config)(total_steps=config.epochs)
  except (TypeError, ValueError) as e:
    raise ConfigError(f"config.optimizer: {e}") from None
  protocol = config.eval.protocol if "eval" in config else None
  if protocol is not None and protocol not in PROTOCOLS:
    raise ConfigError(f"unknown evaluation protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
  return Plan(config=config, method=built, entry=entry, dataset_kind=spec.kind)


def optimizer_factory(config) -> Callable[..., Any]:
  """``total_steps -> optax optimizer`` from ``config.optimizer``."""
  from jgssl import train  # pylint: disable=import-outside-toplevel
  opt = config.optimizer.to_dict()

  def make(*, total_steps: int):
    return train.make_optimizer(total_steps=total_steps, **opt)

  return make


def normalize_features(x: np.ndarray, kind: str) -> np.ndarray:
  """``'row'``: rows divided by their sum (PyG ``T.NormalizeFeatures``; zero rows stay zero)."""
  x = np.asarray(x, np.float32)
  if kind == "none":
    return x
  s = x.sum(axis=1, keepdims=True)
  return np.where(s != 0, x / np.where(s == 0, 1.0, s), 0.0).astype(np.float32)


def find_config_file(method: str) -> pathlib.Path:
  path = CONFIG_DIR / f"{method}.py"
  if not path.is_file():
    known = sorted(p.stem for p in CONFIG_DIR.glob("*.py") if not p.stem.startswith("_"))
    raise ConfigError(f"no config file for method {method!r} in {CONFIG_DIR}; known: {known}")
  return path

"""Config loading, command-line overrides, validation and the method / protocol registries.

Everything here runs on the host without touching JAX arrays, so a bad config fails before any
compilation.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import functools
import importlib
import importlib.util
import json
import os
import pathlib
import sys
import traceback
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import ml_collections
import numpy as np

CONFIG_DIR = pathlib.Path(__file__).resolve().parent / "configs"
REQUIRED_KEYS = ("method", "dataset", "seed", "epochs", "checkpoint_every")


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


def _build_class(module: str, class_name: str, model: ml_collections.ConfigDict):
  """``jgssl.methods.<module>.<class_name>(**config.model)`` (lists become tuples)."""
  mod = importlib.import_module(f"jgssl.methods.{module}")
  kwargs = model.to_dict()
  for k, v in kwargs.items():
    if isinstance(v, list):
      kwargs[k] = tuple(v)
  return getattr(mod, class_name)(**kwargs)


@dataclasses.dataclass(frozen=True)
class MethodEntry:
  """How the launcher builds a method from ``config.model``.

  Attributes:
    build: ``config.model -> jgssl.methods.Method`` (validates its fields).
    level: ``'node'`` or ``'graph'`` (the dataset kind it trains on), or ``None`` to read the
      built method's ``level`` (GraphMAE is either, depending on ``pooling``).
    strategies: the step strategies it supports, or ``None`` for the default of its level:
      node ``('single',)`` plus ``'rows'`` when the method supports anchor-row sharding, graph
      ``('single', 'data')``.
  """
  build: Callable[[ml_collections.ConfigDict], Any]
  level: Optional[str] = None
  strategies: Optional[Tuple[str, ...]] = None


def _entry(module: str, class_name: str) -> MethodEntry:
  return MethodEntry(build=functools.partial(_build_class, module, class_name))


#: method name in configs -> how to build it. Config modules may add entries (``setdefault``).
METHODS: Dict[str, MethodEntry] = {
    "grace": _entry("grace", "GRACE"),
    "gca": _entry("gca", "GCA"),
    "dgi": _entry("dgi", "DGI"),
    "mvgrl": _entry("mvgrl", "MVGRL"),
    "bgrl": _entry("bgrl", "BGRL"),
    "cca_ssg": _entry("cca_ssg", "CCASSG"),
    "gbt": _entry("gbt", "GBT"),
    "graphmae": _entry("graphmae", "GraphMAE"),
    "graphcl": _entry("graphcl", "GraphCL"),
    "infograph": _entry("infograph", "InfoGraph"),
    "gae": _entry("gae", "GAE"),
    "vgae": _entry("gae", "GAE"),
}


def method_level(entry: MethodEntry, method) -> str:
  return entry.level or getattr(method, "level", "node")


def method_strategies(entry: MethodEntry, method) -> Tuple[str, ...]:
  if entry.strategies is not None:
    return entry.strategies
  if method_level(entry, method) == "graph":
    return ("single", "data")
  rows = getattr(method, "row_sharding", False) or getattr(method, "supports_row_sharding", False)
  return ("single", "rows") if rows else ("single",)


# ---------------------------------------------------------------------------------------------
# Evaluation protocols
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Protocol:
  """An evaluation protocol as the launcher runs it.

  Attributes:
    evaluate: ``(embeddings, labels, *, seed, cfg, dataset, context) -> (protocol, metrics,
      extra)``: ``metrics`` in percent (``test_acc`` first for classification), ``extra`` any
      JSON-ready details. ``cfg`` is ``config.eval``; ``dataset`` the loaded dataset; ``context``
      what :attr:`prepare` returned (else ``None``).
    prepare: optional ``(seed, graph, cfg) -> (training graph, context)`` run before training on
      the unpadded node-level graph (e.g. ``LinkPred-GAE`` hides its validation / test edges).
    public_split: whether it scores the dataset's public split through :func:`public_split`
      (so ``cfg.scored_split`` can swap in the validation nodes, as
      ``experiments.score_validation`` does); ``False`` for protocols that draw their own splits.
    check: ``(protocol name, cfg) -> None``, run by :func:`validate` before anything compiles:
      raises :class:`ConfigError` on an ``eval`` value the protocol would reject after training
      (a missing field, a count below its minimum, a ratio outside its range, an empty C grid).
      Values only the data can refute (more folds than training rows) are left to
      :attr:`evaluate`.
  """
  evaluate: Callable
  prepare: Optional[Callable] = None
  public_split: bool = False
  check: Optional[Callable[[str, ml_collections.ConfigDict], None]] = None


def protocol_from_function(fn: Callable, *, public_split: bool = False,
                           check: Optional[Callable] = None) -> Protocol:
  """A :class:`Protocol` around a plain ``(embeddings, labels, *, seed, cfg) -> (protocol,
  metrics, extra)`` function, the form config modules register (``check`` as in
  :class:`Protocol`)."""

  def evaluate(embeddings, labels, *, seed, cfg, dataset, context):
    del dataset, context
    return fn(embeddings, labels, seed=seed, cfg=cfg)

  return Protocol(evaluate=evaluate, public_split=public_split, check=check)


def get_protocol(name: str) -> Protocol:
  """The :class:`Protocol` of ``name``; plain functions ``(embeddings, labels, *, seed, cfg)``
  registered by config modules are wrapped."""
  entry = PROTOCOLS[name]
  return entry if isinstance(entry, Protocol) else protocol_from_function(entry)


def _jsonable(obj):
  return json.loads(json.dumps(obj, default=lambda o: o.tolist() if hasattr(o, "tolist")
                               else str(o)))


def _details(r) -> Dict[str, Any]:
  runs = {k: [100.0 * float(v) for v in vs] for k, vs in r.runs.items()}
  return {"runs_percent": runs, "settings": _jsonable(r.settings), "note": r.note}


def _percent(r, rename: Mapping[str, str]) -> Dict[str, float]:
  """Metrics of an EvalResult in percent, renamed (headline first)."""
  out = {}
  for old, new in rename.items():
    if old in r.metrics:
      out[new] = 100.0 * float(r.metrics[old])
  for k, v in r.metrics.items():
    if k not in rename:
      out[k] = 100.0 * float(v)
  return out


# -- checks of eval sections (run by validate, before training) --------------------------------


def _eval_value(cfg, key: str, protocol: str, optional: bool):
  if key not in cfg or cfg[key] is None:
    if optional:
      return None
    raise ConfigError(f"{protocol} needs config.eval.{key}, which this config does not have; "
                      f"use a config whose eval section is {protocol}'s")
  return cfg[key]


def check_eval_present(cfg, key: str, protocol: str) -> None:
  """``config.eval.<key>`` exists and is not ``None``."""
  _eval_value(cfg, key, protocol, optional=False)


def check_eval_int(cfg, key: str, protocol: str, *, minimum: int,
                   optional: bool = False) -> None:
  """``config.eval.<key>`` is an integer ``>= minimum`` (or absent, with ``optional``)."""
  v = _eval_value(cfg, key, protocol, optional)
  if v is not None and (not _is_int(v) or v < minimum):
    raise ConfigError(f"config.eval.{key} must be an integer >= {minimum} for {protocol}, got "
                      f"{v!r}")


def check_eval_number(cfg, key: str, protocol: str, *, above: Optional[float] = None,
                      at_least: Optional[float] = None, below: Optional[float] = None,
                      optional: bool = False) -> None:
  """``config.eval.<key>`` is a real number in the given bounds (``above`` / ``below`` strict,
  ``at_least`` inclusive)."""
  v = _eval_value(cfg, key, protocol, optional)
  if v is None:
    return
  if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
    raise ConfigError(f"config.eval.{key} must be a number for {protocol}, got {v!r}")
  v = float(v)
  if not np.isfinite(v):
    raise ConfigError(f"config.eval.{key} must be finite for {protocol}, got {v!r}")
  if above is not None and below is not None and not above < v < below:
    raise ConfigError(f"config.eval.{key} must lie in ({above:g}, {below:g}) for {protocol}, "
                      f"got {v!r}")
  if above is not None and not v > above:
    raise ConfigError(f"config.eval.{key} must be > {above:g} for {protocol}, got {v!r}")
  if at_least is not None and not v >= at_least:
    raise ConfigError(f"config.eval.{key} must be >= {at_least:g} for {protocol}, got {v!r}")
  if below is not None and not v < below:
    raise ConfigError(f"config.eval.{key} must be < {below:g} for {protocol}, got {v!r}")


def check_c_grid(cfg, protocol: str, *,
                 default_log2: Optional[Tuple[int, int]] = None) -> None:
  """The section's :func:`c_grid` exists: integer bounds with ``c_log2_min <= c_log2_max``."""
  lo, hi = cfg.get("c_log2_min"), cfg.get("c_log2_max")
  if lo is None and hi is None and default_log2 is not None:
    return
  for key, v in (("c_log2_min", lo), ("c_log2_max", hi)):
    if v is None:
      raise ConfigError(f"{protocol} needs config.eval.{key} (its C grid is 2^c_log2_min .. "
                        f"2^c_log2_max)")
    if not _is_int(v):
      raise ConfigError(f"config.eval.{key} must be an integer, got {v!r}")
  if lo > hi:
    raise ConfigError(f"config.eval.c_log2_min ({lo}) must be <= config.eval.c_log2_max ({hi}): "
                      f"{protocol}'s C grid would be empty")


def check_linear_probe_training(protocol: str, cfg) -> None:
  """The fields of a torch-style linear probe: ``epochs >= 1``, ``lr > 0``,
  ``weight_decay >= 0`` (and ``restarts`` / ``splits`` / ``eval_every >= 1`` where present)."""
  check_eval_int(cfg, "epochs", protocol, minimum=1)
  check_eval_number(cfg, "lr", protocol, above=0.0)
  check_eval_number(cfg, "weight_decay", protocol, at_least=0.0)
  for key in ("restarts", "splits", "eval_every"):
    check_eval_int(cfg, key, protocol, minimum=1, optional=True)


def c_grid(cfg, *, default_log2: Optional[Tuple[int, int]] = None) -> Tuple[float, ...]:
  """The logistic-regression ``C`` grid ``2^c_log2_min .. 2^c_log2_max`` of an ``eval`` config.

  Args:
    cfg: the ``eval`` section.
    default_log2: ``(min, max)`` used where the section names neither bound (a protocol set by
      ``--config.eval.protocol`` over another probe's section); without it both are required.

  Raises:
    ValueError: a bound is missing and no default is given.
  """
  lo, hi = cfg.get("c_log2_min"), cfg.get("c_log2_max")
  if lo is None and hi is None and default_log2 is not None:
    lo, hi = default_log2
  if lo is None or hi is None:
    raise ValueError("the eval config needs c_log2_min and c_log2_max for this probe's C grid, "
                     f"got {lo!r} and {hi!r}")
  return tuple(float(2.0 ** k) for k in range(int(lo), int(hi) + 1))


def public_split(dataset, cfg, protocol: str) -> Dict[str, np.ndarray]:
  """The public split a public-split protocol scores.

  ``dataset.splits``; when ``cfg`` carries ``scored_split`` (set by
  ``experiments.score_validation``, never by a config file), the split of that name stands in
  for ``'test'``: the same probe, fitted the same way, scored on e.g. the validation nodes.

  Raises:
    ConfigError: if the dataset has no public split, or ``scored_split`` names no split.
  """
  if dataset.splits is None:
    raise ConfigError(f"{dataset.name} has no public split for {protocol}")
  splits = dict(dataset.splits)
  scored = cfg.get("scored_split", "test")
  if scored not in splits:
    raise ConfigError(f"scored_split must be one of {sorted(splits)}, got {scored!r}")
  splits["test"] = splits[scored]
  return splits


def _lr_sklearn_grace(embeddings, labels, *, seed, cfg, dataset, context):
  del dataset, context
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  labelled = np.asarray(labels) >= 0  # -1 marks unlabelled nodes (jgssl.data convention)
  embeddings, labels = np.asarray(embeddings)[labelled], np.asarray(labels)[labelled]
  r = evaluate.lr_rand_sklearn_grace(embeddings, labels, seed=seed, train_ratio=cfg.train_ratio,
                                     repeats=cfg.repeats, c_grid=c_grid(cfg),
                                     inner_folds=cfg.inner_folds)
  metrics = _percent(r, {"micro_f1": "test_acc", "micro_f1_std": "test_acc_std"})
  return r.protocol, metrics, _details(r)


def _lr_public_sklearn_grace(embeddings, labels, *, seed, cfg, dataset, context):
  del context
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  split = public_split(dataset, cfg, "LR-public-sklearn/GRACE")
  r = evaluate.lr_public_sklearn_grace(embeddings, labels, split, seed=seed,
                                       repeats=cfg.repeats, c_grid=c_grid(cfg),
                                       inner_folds=cfg.inner_folds)
  metrics = _percent(r, {"micro_f1": "test_acc", "micro_f1_std": "test_acc_std"})
  return r.protocol, metrics, _details(r)


def _lp_public_graphmae(embeddings, labels, *, seed, cfg, dataset, context):
  del context
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  split = public_split(dataset, cfg, "LP-public/GraphMAE")
  r = evaluate.lp_public_graphmae(jax.random.PRNGKey(seed), embeddings, labels, split,
                                  lr=cfg.lr, weight_decay=cfg.weight_decay, epochs=cfg.epochs)
  metrics = _percent(r, {"test_acc_best_val": "test_acc",
                         "test_acc_best_val_std": "test_acc_std"})
  return r.protocol, metrics, _details(r)


def _svm(fn_name: str, seeded_folds: bool):
  def run(embeddings, labels, *, seed, cfg, dataset, context):
    del dataset, context
    from jgssl import evaluate  # pylint: disable=import-outside-toplevel
    fn = getattr(evaluate, fn_name)
    if seeded_folds:  # GraphCL / InfoGraph / MVGRL: unseeded upstream, one fold seed per run
      r = fn(embeddings, labels, fold_seeds=(int(seed),))
    else:  # GraphMAE: the same folds (random_state 0) for every pretraining seed
      r = fn(embeddings, labels, fold_seed=int(cfg.get("fold_seed", 0)))
    metrics = _percent(r, {"acc": "test_acc", "acc_std": "test_acc_std"})
    return r.protocol, metrics, _details(r)
  return run


def _linkpred_prepare(seed, graph, cfg):
  from jgssl import evaluate, graph as graph_lib  # pylint: disable=import-outside-toplevel
  n = int(np.sum(graph.n_node))
  split = evaluate.split_edges(seed, np.stack([graph.senders, graph.receivers]), num_nodes=n,
                               val=cfg.get("val", 0.05), test=cfg.get("test", 0.10))
  train_graph = graph_lib.from_edge_index(split.train_edge_index(), num_nodes=n,
                                          node_features=graph.nodes["x"], symmetrize=False)
  return train_graph, split


def _linkpred_evaluate(embeddings, labels, *, seed, cfg, dataset, context):
  del labels, seed, cfg, dataset
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.linkpred_gae(embeddings, context)
  return r.protocol, _percent(r, {"test_auc": "test_auc"}), _details(r)


def _check_lr_sklearn_grace(protocol, cfg):
  check_eval_number(cfg, "train_ratio", protocol, above=0.0, below=1.0)
  _check_sklearn_grace_common(protocol, cfg)


def _check_sklearn_grace_common(protocol, cfg):
  check_eval_int(cfg, "repeats", protocol, minimum=1)
  check_eval_int(cfg, "inner_folds", protocol, minimum=2)  # k-fold needs k >= 2
  check_c_grid(cfg, protocol)


def _check_svm(protocol, cfg):
  check_eval_int(cfg, "fold_seed", protocol, minimum=0, optional=True)


def _check_linkpred(protocol, cfg):
  check_eval_number(cfg, "val", protocol, at_least=0.0, below=1.0, optional=True)
  check_eval_number(cfg, "test", protocol, above=0.0, below=1.0, optional=True)
  if cfg.get("val", 0.05) + cfg.get("test", 0.10) >= 1.0:
    raise ConfigError(f"config.eval.val + config.eval.test must be < 1 for {protocol} (the rest "
                      f"are the training edges), got {cfg.get('val', 0.05)} + "
                      f"{cfg.get('test', 0.10)}")


#: protocol name -> :class:`Protocol` (or a plain ``(embeddings, labels, *, seed, cfg)``
#: function, as config modules register them).
PROTOCOLS: Dict[str, Any] = {
    "LR-rand-sklearn/GRACE": Protocol(evaluate=_lr_sklearn_grace, check=_check_lr_sklearn_grace),
    "LR-public-sklearn/GRACE": Protocol(evaluate=_lr_public_sklearn_grace, public_split=True,
                                        check=_check_sklearn_grace_common),
    "LP-public/GraphMAE": Protocol(evaluate=_lp_public_graphmae, public_split=True,
                                   check=check_linear_probe_training),
    "SVM-10fold/GraphMAE": Protocol(evaluate=_svm("svm_10fold_graphmae", seeded_folds=False),
                                    check=_check_svm),
    "SVM-10fold/GraphCL": Protocol(evaluate=_svm("svm_10fold_graphcl", seeded_folds=True),
                                   check=_check_svm),
    "SVM-10fold/MVGRL": Protocol(evaluate=_svm("svm_10fold_mvgrl", seeded_folds=True),
                                 check=_check_svm),
    "LinkPred-GAE": Protocol(evaluate=_linkpred_evaluate, prepare=_linkpred_prepare,
                             check=_check_linkpred),
}

STRATEGIES = ("single", "data", "rows")


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
  level: str = "node"


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
      # Only numbers are rates; names and switches (``drop_scheme='degree'``,
      # ``drop_last=True``) are checked by the method that reads them.
      if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        continue
      if not 0.0 <= float(v) <= 1.0:
        raise ConfigError(f"config.{prefix}{k} = {v} is a rate and must lie in [0, 1]")


def validate(config: ml_collections.ConfigDict) -> Plan:
  """Checks a config completely, on the host, before anything compiles.

  Raises:
    ConfigError: a missing required key, an unknown method / dataset / strategy / protocol, a
      dataset of the wrong kind, a rate outside ``[0, 1]``, non-positive ``epochs`` or
      ``checkpoint_every``, anything the method or optimizer constructor rejects, or an
      ``eval`` value the protocol's :attr:`Protocol.check` rejects (so a bad probe setting
      fails now, not after training).
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
  for k in ("epochs", "checkpoint_every"):
    if not _is_int(config[k]) or config[k] < 1:
      raise ConfigError(f"config.{k} must be an integer >= 1, got {config[k]!r}")
  if not _is_int(config.seed) or config.seed < 0:
    raise ConfigError(f"config.seed must be an integer >= 0, got {config.seed!r}")
  from jgssl.data.transforms import FEATURE_NORMS  # pylint: disable=import-outside-toplevel
  if config.get("features", "none") not in FEATURE_NORMS:
    raise ConfigError(f"config.features must be one of {FEATURE_NORMS}, got {config.features!r}")
  if "max_to_keep" in config and (not _is_int(config.max_to_keep) or config.max_to_keep < 1):
    raise ConfigError(f"config.max_to_keep must be an integer >= 1, got {config.max_to_keep!r}")
  if "model" not in config:
    raise ConfigError("config has no 'model' section")
  _check_rates(config.model, "model.")
  try:
    # Transition (issue 32): a config module's own build(model) wins over the entry's class.
    config_module = importlib.import_module(f"experiments.configs.{method}")
    build = getattr(config_module, "build", entry.build)
    built = build(config.model)
  except TypeError as e:
    raise ConfigError(f"config.model does not fit {method!r}: {e}") from None
  except ValueError as e:
    raise ConfigError(f"config.model: {e}") from None
  except ImportError as e:
    raise ConfigError(f"method {method!r} is registered but cannot be imported: {e}") from None
  level = method_level(entry, built)
  if spec.kind != level:
    raise ConfigError(f"method {method!r} (as configured) trains on {level}-level datasets; "
                      f"{config.dataset!r} is a {spec.kind}-level dataset")
  strategy = config.get("strategy", "single")
  allowed = method_strategies(entry, built)
  if strategy not in allowed:
    raise ConfigError(f"config.strategy {strategy!r} is not available for {method!r}; choose one "
                      f"of {allowed}")
  if level == "graph":
    batch = config.get("batch_size")
    if not _is_int(batch) or batch < 1:
      raise ConfigError(f"graph-level training needs config.batch_size, an integer >= 1; got "
                        f"{batch!r}")
  try:
    optimizer_factory(config)(total_steps=config.epochs)
  except (TypeError, ValueError) as e:
    raise ConfigError(f"config.optimizer: {e}") from None
  protocol = config.eval.protocol if "eval" in config else None
  if protocol is not None and protocol not in PROTOCOLS:
    raise ConfigError(f"unknown evaluation protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
  if protocol is not None:
    check = get_protocol(protocol).check
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


def parse_known_with_overrides(parser, argv: Sequence[str]):
  """``(args, overrides)``: ``parser``'s arguments plus ``--config.<key>=<value>`` (or
  ``--config.<key> <value>``) overrides; anything else is a usage error."""
  args, rest = parser.parse_known_args(list(argv))
  overrides = []
  i = 0
  while i < len(rest):
    item = rest[i]
    if not item.startswith("--config."):
      parser.error(f"unrecognised argument {item!r}")
    if "=" not in item and i + 1 < len(rest):  # --config.key value
      item = f"{item}={rest[i + 1]}"
      i += 1
    overrides.append(item)
    i += 1
  return args, overrides


def find_config_file(method: str) -> pathlib.Path:
  path = CONFIG_DIR / f"{method}.py"
  if not path.is_file():
    known = sorted(p.stem for p in CONFIG_DIR.glob("*.py") if not p.stem.startswith("_"))
    raise ConfigError(f"no config file for method {method!r} in {CONFIG_DIR}; known: {known}")
  return path

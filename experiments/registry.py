"""The one registry of the experiments: methods, evaluation protocols and how configs load.

Both tables are written out below, in full, and nothing adds to them as a side effect of an
import: a fresh interpreter resolves every method and protocol without loading a config file
first.

* :data:`METHODS`: the ``config.method`` name -> :class:`MethodEntry`, the config module that
  defines the method (``'experiments.configs.grace'``) and how its steps may be sharded.
  :func:`build_method` builds the method of a config: the config module's
  ``build(model: ml_collections.ConfigDict) -> method`` when it defines one, else (until the
  config modules define theirs) ``jgssl.methods.<module>.<Class>(**config.model)``.
* :data:`PROTOCOLS`: the protocol name a config's ``eval.protocol`` names ->
  :class:`experiments.protocols.Protocol`.
* :func:`load_config` / :func:`parse_config_flags`: a config spec, ``<method>[:<variant>]`` (the
  config module of :data:`METHODS`, found wherever the package is installed) or
  ``path/to/config.py[:<variant>]``, loaded with ``ml_collections.config_flags`` and its
  ``--config.<key>=<value>`` overrides. The configs are locked: an unknown key, a section given
  a value or a value of the wrong type is a :class:`~experiments.common.ConfigError` with a
  one-line message.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import importlib.util
import pathlib
import re
import sys
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple

from absl import flags
import ml_collections
from ml_collections import config_flags
from ml_collections.config_flags import config_path

from experiments import protocols
from experiments.common import ConfigError
from experiments.protocols import Protocol

# ---------------------------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MethodEntry:
  """Where a method's configs live and how the launcher builds and shards it.

  Attributes:
    config_module: the module whose ``get_config(variant)`` gives the method's configs and
      whose ``build(model: ml_collections.ConfigDict) -> method`` builds the method from
      ``config.model`` (:func:`build_method`).
    level: ``'node'`` or ``'graph'`` (the dataset kind it trains on), or ``None`` to read the
      built method's ``level`` (GraphMAE is either, depending on ``pooling``).
    strategies: the step strategies it supports, or ``None`` for the default of its level:
      node ``('single',)`` plus ``'rows'`` when the built method shards anchor rows (a true
      ``row_sharding`` attribute), graph ``('single', 'data')``.
  """
  config_module: str
  level: Optional[str] = None
  strategies: Optional[Tuple[str, ...]] = None


#: ``config.method`` -> its :class:`MethodEntry`.
METHODS: Dict[str, MethodEntry] = {
    "grace": MethodEntry("experiments.configs.grace"),
    "gca": MethodEntry("experiments.configs.gca"),
    "grace_pot": MethodEntry("experiments.configs.grace_pot"),
    "gca_pot": MethodEntry("experiments.configs.gca_pot"),
    "csgcl": MethodEntry("experiments.configs.csgcl"),
    "dgi": MethodEntry("experiments.configs.dgi"),
    "mvgrl": MethodEntry("experiments.configs.mvgrl"),
    "bgrl": MethodEntry("experiments.configs.bgrl"),
    "cca_ssg": MethodEntry("experiments.configs.cca_ssg"),
    "gbt": MethodEntry("experiments.configs.gbt"),
    "graphmae": MethodEntry("experiments.configs.graphmae"),
    "graphcl": MethodEntry("experiments.configs.graphcl"),
    "infograph": MethodEntry("experiments.configs.infograph"),
    "gae": MethodEntry("experiments.configs.gae"),
    "vgae": MethodEntry("experiments.configs.vgae"),
}


def _unknown(kind: str, name: Any, known: Sequence[str]) -> ConfigError:
  close = difflib.get_close_matches(str(name), list(known), n=1)
  hint = f" Did you mean {close[0]!r}?" if close else ""
  return ConfigError(f"unknown {kind} {name!r}.{hint} Known {kind}s: {', '.join(known)}")


def _lookup(kind: str, table: Dict[str, Any], name: str):
  """``table[name]``; a :class:`ConfigError` suggesting the closest name when it is missing."""
  if name not in table:
    raise _unknown(kind, name, list(table))
  return table[name]


def get_method(name: str) -> MethodEntry:
  """The :class:`MethodEntry` of ``name`` (a :class:`ConfigError` when it is not in
  :data:`METHODS`)."""
  return _lookup("method", METHODS, name)


def build_method(config: ml_collections.ConfigDict):
  """The method of ``config``, built from ``config.model``.

  Imports the config module registered for ``config.method`` and calls its
  ``build(config.model)``.

  Raises:
    ConfigError: ``config.method`` is not registered.
    TypeError, ValueError: the method rejects ``config.model`` (as its constructor raises).
    ImportError: the config module or the method cannot be imported.
  """
  entry = get_method(config.method)
  build = getattr(importlib.import_module(entry.config_module), "build", None)
  if not callable(build):
    raise ConfigError(f"{entry.config_module} defines no build(model) for method "
                      f"{config.method!r}")
  return build(config.model)


def method_level(entry: MethodEntry, method) -> str:
  """``'node'`` or ``'graph'``: the entry's level, else the built method's ``level``."""
  from jgssl.methods import contract  # pylint: disable=import-outside-toplevel
  return entry.level or contract.method_level(method)


def method_strategies(entry: MethodEntry, method) -> Tuple[str, ...]:
  """The step strategies ``method`` (built from ``entry``) supports (see
  :attr:`MethodEntry.strategies`)."""
  if entry.strategies is not None:
    return entry.strategies
  if method_level(entry, method) == "graph":
    return ("single", "data")
  rows = getattr(method, "row_sharding", False)
  return ("single", "rows") if rows else ("single",)


# ---------------------------------------------------------------------------------------------
# Evaluation protocols
# ---------------------------------------------------------------------------------------------

#: ``config.eval.protocol`` -> its :class:`~experiments.protocols.Protocol`.
PROTOCOLS: Dict[str, Protocol] = {
    # GRACE's sklearn probes (CRIPAC-DIG/GRACE eval.py; DGL's public-split variant).
    "LR-rand-sklearn/GRACE": Protocol(evaluate=protocols.lr_rand_sklearn_grace,
                                      check=protocols.check_lr_rand_sklearn_grace),
    "LR-public-sklearn/GRACE": Protocol(evaluate=protocols.lr_public_sklearn_grace,
                                        public_split=True, check=protocols.check_sklearn_grace),
    # GraphMAE's node-level probe.
    "LP-public/GraphMAE": Protocol(evaluate=protocols.lp_public_graphmae, public_split=True,
                                   check=protocols.check_linear_probe_training),
    # Graph level: kernel SVMs with 10-fold CV.
    "SVM-10fold/GraphMAE": Protocol(
        evaluate=protocols.svm("svm_10fold_graphmae", seeded_folds=False),
        check=protocols.check_svm),
    "SVM-10fold/GraphCL": Protocol(
        evaluate=protocols.svm("svm_10fold_graphcl", seeded_folds=True),
        check=protocols.check_svm),
    "SVM-10fold/MVGRL": Protocol(
        evaluate=protocols.svm("svm_10fold_mvgrl", seeded_folds=True),
        check=protocols.check_svm),
    # GAE / VGAE: hidden edges, AUC / AP.
    "LinkPred-GAE": Protocol(evaluate=protocols.linkpred_evaluate,
                             prepare=protocols.linkpred_prepare, check=protocols.check_linkpred),
    # The linear probes of DGI, MVGRL, CCA-SSG (public split), CCA-SSG and GCA (random splits).
    "LP-public/DGI": protocols.from_function(
        protocols.lp_public("lp_public_dgi"), public_split=True,
        check=protocols.check_lp_public),
    "LP-public/DGI-l2": protocols.from_function(
        protocols.lp_public("lp_public_dgi", l2_rows=True), public_split=True,
        check=protocols.check_lp_public),
    "LP-public/MVGRL": protocols.from_function(
        protocols.lp_public("lp_public_mvgrl"), public_split=True,
        check=protocols.check_lp_public),
    "LP-public/CCA-SSG": protocols.from_function(
        protocols.lp_public("lp_public_ccassg"), public_split=True,
        check=protocols.check_lp_public),
    "LP-rand/CCA-SSG": protocols.from_function(protocols.lp_random,
                                               check=protocols.check_lp_random),
    "LR-rand-torch/GCA": protocols.from_function(protocols.lr_rand_torch,
                                                 check=protocols.check_lr_rand_torch),
    # GCA's probe on the public split (POT on Planetoid), and as POT's code scores it.
    "LR-public-torch": protocols.from_function(
        protocols.lr_public_torch(swap_val_test=False), public_split=True,
        check=protocols.check_lr_public_torch),
    "LR-public-torch/POT-swapped": protocols.from_function(
        protocols.lr_public_torch(swap_val_test=True), check=protocols.check_lr_public_torch),
    # CSGCL's probe as its code runs it: a split from an unseeded generator (flagged).
    "LR-rand-torch/CSGCL-unseeded": protocols.from_function(
        protocols.lr_rand_torch_unseeded, check=protocols.check_lr_rand_torch_unseeded),
    # BGRL's sklearn probes (nerdslab/bgrl logistic_regression_eval.py).
    "LR-rand-sklearn/BGRL": protocols.from_function(
        protocols.lr_rand_sklearn_bgrl, check=protocols.check_lr_rand_sklearn_bgrl),
    "LR-public-sklearn/BGRL": protocols.from_function(
        protocols.lr_public_sklearn_bgrl, public_split=True,
        check=protocols.check_lr_public_sklearn_bgrl),
}


def get_protocol(name: str) -> Protocol:
  """The :class:`~experiments.protocols.Protocol` of ``name`` (a :class:`ConfigError` when it
  is not in :data:`PROTOCOLS`)."""
  return _lookup("evaluation protocol", PROTOCOLS, name)


# ---------------------------------------------------------------------------------------------
# Configs: specs, loading, overrides
# ---------------------------------------------------------------------------------------------

#: The name of the config flag: ``--config <spec>`` and ``--config.<key>=<value>``.
FLAG = "config"
_SPEC_ARG = re.compile(rf"^--?{FLAG}(=|$)")
_OVERRIDE_ARG = re.compile(rf"^--?(?:no)?{FLAG}\.([^=]+)")


def config_file(method: str) -> pathlib.Path:
  """The file of the config module registered for ``method`` (inside the installed package or
  the clone it runs from).

  Raises:
    ConfigError: ``method`` is not registered, or its config module cannot be found.
  """
  module = get_method(method).config_module
  spec = importlib.util.find_spec(module)
  if spec is None or spec.origin is None:
    raise ConfigError(f"the config module {module} of method {method!r} cannot be found")
  return pathlib.Path(spec.origin)


def resolve_spec(spec: str) -> str:
  """``path/to/config.py[:variant]`` of a config spec.

  A spec whose part before the first ``:`` ends in ``.py`` is a path and stays as it is;
  otherwise that part is a method name of :data:`METHODS` and becomes its config file
  (``'grace:cora'`` -> ``'.../experiments/configs/grace.py:cora'``).

  Raises:
    ConfigError: the file does not exist, or the name is not a registered method.
  """
  path, colon, variant = str(spec).partition(":")
  if not path.endswith(".py"):
    path = str(config_file(path))
  elif not pathlib.Path(path).is_file():
    raise ConfigError(f"config file {path!r} not found")
  return path + colon + variant


def split_overrides(args: Sequence[str]) -> Tuple[List[str], List[str]]:
  """``(overrides, others)``: the ``--config.<key>=<value>`` arguments of ``args`` (a
  ``--config.<key> <value>`` pair joined into that form) and everything else, each in order.

  Only splits the command line; the values are parsed by :func:`load_config`.
  """
  overrides, others = [], []
  i = 0
  while i < len(args):
    arg = args[i]
    if _OVERRIDE_ARG.match(arg):
      if "=" not in arg and i + 1 < len(args) and not args[i + 1].startswith("--"):
        arg = f"{arg}={args[i + 1]}"
        i += 1
      overrides.append(arg)
    else:
      others.append(arg)
    i += 1
  return overrides, others


def _take_spec(args: List[str]) -> Tuple[str, List[str]]:
  """``(the --config value, the other arguments)``."""
  at = [i for i, a in enumerate(args) if _SPEC_ARG.match(a)]
  if not at:
    raise ConfigError(f"no --{FLAG} given: pass --{FLAG} <method>[:<variant>] (e.g. grace:cora) "
                      f"or --{FLAG} path/to/config.py[:<variant>]")
  if len(at) > 1:
    raise ConfigError(f"--{FLAG} is given {len(at)} times; give it once")
  i = at[0]
  if "=" in args[i]:
    return args[i].split("=", 1)[1], args[:i] + args[i + 1:]
  if i + 1 == len(args) or args[i + 1].startswith("-"):
    raise ConfigError(f"--{FLAG} needs a value: <method>[:<variant>] or path/to/config.py"
                      f"[:<variant>]")
  return args[i + 1], args[:i] + args[i + 2:]


def _all_keys(config: ml_collections.ConfigDict, prefix: str = "") -> List[str]:
  keys = []
  for k in config.keys():
    keys.append(prefix + k)
    if isinstance(config[k], ml_collections.ConfigDict):
      keys += _all_keys(config[k], prefix + k + ".")
  return keys


def _key_problem(config: ml_collections.ConfigDict, key: str) -> Optional[str]:
  """Why ``--config.<key>`` cannot be set in ``config`` (``None`` when it can)."""
  node = config
  for part in key.split("."):
    if not isinstance(node, ml_collections.ConfigDict) or part not in node:
      known = _all_keys(config)
      close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
      hint = f" Did you mean {close[0]!r}?" if close else ""
      return (f"unknown config key {key!r}.{hint} The config is locked; known keys: "
              f"{', '.join(known)}")
    node = node[part]
  if isinstance(node, ml_collections.ConfigDict):
    return (f"config.{key} is a section, not a value; override its fields one by one "
            f"(--{FLAG}.{key}.<field>=<value>)")
  return None


def _innermost(e: BaseException) -> BaseException:
  """The first exception of the chain that led to ``e`` (config_flags wraps a config file's
  own error twice)."""
  while (e.__cause__ or e.__context__) is not None:
    e = e.__cause__ or e.__context__
  return e


def _explain(e: Exception, spec: str, args: Sequence[str]) -> ConfigError:
  """The :class:`ConfigError` of a failed parse of ``--config=<spec> *args``."""
  path = spec.partition(":")[0]
  text = str(e)
  if isinstance(e, flags.IllegalFlagValueError) and text.startswith(f"flag --{FLAG}="):
    return ConfigError(f"{path}: {_innermost(e)}")  # get_config raised (e.g. unknown variant)
  if isinstance(e, AttributeError) and "get_config" in text:
    return ConfigError(f"{path} defines no get_config()")
  base = load_config(spec)  # no overrides: the spec itself loads (its errors are above)
  for arg in args:
    m = _OVERRIDE_ARG.match(arg)
    problem = m and _key_problem(base, m.group(1))
    if problem:
      return ConfigError(problem)
  m = re.match(rf"flag --{FLAG}\.([^=]+)=(.*?): (.*)", text, re.S)
  if isinstance(e, flags.IllegalFlagValueError) and m:
    key, value, reason = m.groups()
    name = getattr(config_path.get_type(key, base), "__name__", "value")
    article = "an" if name[:1] in "aeiou" else "a"
    return ConfigError(f"config.{key} expects {article} {name}, got {value!r} "
                       f"({reason.splitlines()[0]})")
  m = re.search(rf"field {FLAG}\.(\S+) is not supported", text)
  if type(e).__name__ == "UnsupportedOperationError" and m:  # config_flags' own error class
    return ConfigError(f"config.{m.group(1)} cannot be set from the command line: it is None "
                       "in this config and its config file gives it no type (a field that "
                       "can be set is declared as ml_collections.config_dict.placeholder(type))")
  return ConfigError(text.strip().splitlines()[0] if text.strip() else type(e).__name__)


def parse_config_flags(argv: Sequence[str], flag_values: Optional[flags.FlagValues] = None
                       ) -> Tuple[ml_collections.ConfigDict, List[str]]:
  """Parses a command line holding ``--config <spec>`` and its ``--config.<key>=<value>``
  overrides with ``ml_collections.config_flags``.

  ``--config`` is defined in ``flag_values`` (a fresh ``absl.flags.FlagValues`` by default, so
  the process-wide ``absl.flags.FLAGS`` is never touched) with
  ``config_flags.DEFINE_config_file``, after its spec is resolved by :func:`resolve_spec`; the
  caller may have defined its own flags there (the launcher's ``--workdir``), which are parsed
  in the same pass. The overrides may come before or after ``--config``.

  Args:
    argv: the program name, then the arguments.
    flag_values: where to define and parse the flags.

  Returns:
    ``(config, rest)``: the locked config with the overrides applied, and the arguments no flag
    took (the program name first).

  Raises:
    ConfigError: no or a bad ``--config``, a file without ``get_config`` or an unknown variant,
      an unknown key, a section given a value, a value of the wrong type, an unknown flag.
  """
  prog, args = list(argv[:1]) or ["jgssl-train"], list(argv[1:])
  spec, args = _take_spec(args)
  spec = resolve_spec(spec)
  argv = prog + [f"--{FLAG}={spec}"] + args
  fv = flags.FlagValues() if flag_values is None else flag_values
  holder = config_flags.DEFINE_config_file(
      FLAG, flag_values=fv, sys_argv=argv, lock_config=True,
      help_string="<method>[:<variant>] or path/to/config.py[:<variant>]")
  # config_flags loads every file as the module '<flag>_config' into an existing module of that
  # name when there is one: a file without get_config would use the previous file's.
  sys.modules.pop(f"{FLAG}_config", None)
  try:
    with warnings.catch_warnings():
      warnings.filterwarnings("ignore", message=".*load_module", category=DeprecationWarning)
      rest = fv(argv)
  except (flags.Error, KeyError, AttributeError, TypeError, ValueError) as e:
    raise _explain(e, spec, args) from e
  config = holder.value
  if not isinstance(config, ml_collections.ConfigDict):
    raise ConfigError(f"{spec}: get_config() must return an ml_collections.ConfigDict")
  for key, value in fv[FLAG].override_values.items():
    if isinstance(value, ml_collections.ConfigDict):  # would replace a locked section whole
      raise ConfigError(_key_problem(config, key) or f"config.{key} is a section")
  return config, rest


def load_config(spec: str, overrides: Sequence[str] = ()) -> ml_collections.ConfigDict:
  """Loads a config spec and applies overrides, as the launcher's command line does.

  Args:
    spec: ``<method>[:<variant>]`` or ``path/to/config.py[:<variant>]``.
    overrides: ``'--config.model.hidden=64'`` (or ``'model.hidden=64'``) strings, parsed by
      ``ml_collections.config_flags`` by the type of the field they set.

  Raises:
    ConfigError: as :func:`parse_config_flags`, or an override that is not one.
  """
  args = [o if o.startswith("-") else f"--{FLAG}.{o}" for o in overrides]
  config, rest = parse_config_flags(["load_config", f"--{FLAG}={spec}", *args])
  if rest[1:]:
    raise ConfigError(f"unrecognised argument {rest[1]!r}; overrides look like "
                      f"--{FLAG}.<key>=<value>")
  return config

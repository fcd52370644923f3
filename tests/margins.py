"""Thresholds of trained checks, set from measured distributions.

A *trained check* compares something a short training run produced with a threshold: the probe
on trained embeddings beats the random-init encoder, the loss falls by some amount. XLA:CPU picks
instructions and blocking per CPU, so float results (and with them training trajectories) differ
between machines; a threshold tuned on one CPU can fail on the next. So every trained check here
is written as

* a ``measure(seed) -> {quantity: value}`` function, where each quantity is defined so that
  larger is better and a value above 0 is the claim itself ("trained minus random-init accuracy",
  "first losses minus last losses");
* a ``MARGINS = {check_name: (measure, {quantity: threshold})}`` table in the test module; the
  test calls :func:`assert_margins` on ``measure(0)``.

``tests/measure_margins.py`` runs every ``measure`` over seeds 0-9 under three XLA numeric
settings (the machine's default ISA, ``--xla_cpu_max_isa=AVX2`` and ``=SSE4_2``: each perturbs the
float path the way another CPU does) and writes the values to ``tests/margins.json``, with the
command, the machine and a hash of each ``measure`` function's source.
``tests/test_margins.py`` then checks, for every registered check, that the data are there and
current (same source hash) and that each threshold sits at least :data:`NUM_STD` standard
deviations below the measured mean while staying at or above 0, so the check still says what
its name claims. A configuration whose distribution cannot satisfy both gets a configuration
that does, not a looser threshold.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import json
import os
import pathlib
import sys
from typing import Callable, Dict, Mapping, Tuple

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "datasets"
MARGINS_FILE = HERE / "margins.json"
NUM_STD = 3.0
MIN_SEEDS = 10
SETTINGS = {
    "default": "",
    "avx2": "--xla_cpu_max_isa=AVX2",
    "sse4_2": "--xla_cpu_max_isa=SSE4_2",
}
# Test modules that register trained checks (relative to tests/); the measuring script and the
# meta-test read this list, so a module with a MARGINS table must be named here.
MODULES = (
    "methods/test_bgrl.py",
    "methods/test_cca_ssg.py",
    "methods/test_csgcl.py",
    "methods/test_dgi.py",
    "methods/test_gae.py",
    "methods/test_gbt.py",
    "methods/test_gca.py",
    "methods/test_graphcl.py",
    "methods/test_graphmae.py",
    "methods/test_infograph.py",
    "methods/test_mvgrl.py",
    "methods/test_pot.py",
    "train/test_grace.py",
    "train/test_engine.py",
)

Measure = Callable[[int], Mapping[str, float]]
Registry = Dict[str, Tuple[Measure, Mapping[str, float]]]


def assert_margins(values: Mapping[str, float], thresholds: Mapping[str, float]) -> None:
  """Every ``values[q] > thresholds[q]``; the message lists each quantity and its threshold."""
  missing = sorted(set(thresholds) - set(values))
  assert not missing, f"measure returned no value for {missing}"
  failed = {q: (float(values[q]), t) for q, t in thresholds.items() if not values[q] > t}
  assert not failed, "trained check below threshold (value, threshold): " + ", ".join(
      f"{q}={v:.4f} <= {t}" for q, (v, t) in failed.items())


def data_root() -> pathlib.Path:
  """Folder holding ``<dataset>/raw/``: ``$JGSSL_DATA_DIR``, else ``../shared/datasets``."""
  return pathlib.Path(os.environ.get("JGSSL_DATA_DIR", DEFAULT_DATA))


@functools.lru_cache(maxsize=None)
def load_dataset(name: str):
  """``jgssl.data.load(name)`` from :func:`data_root`, once per process (measure functions take
  no fixtures)."""
  from jgssl import data  # pylint: disable=import-outside-toplevel
  return data.load(name, root=data_root())


def source_hash(fn: Callable) -> str:
  """sha256 (first 16 hex digits) of ``fn``'s source: measured data go stale when it changes."""
  return hashlib.sha256(inspect.getsource(fn).encode()).hexdigest()[:16]


def load_module(relpath: str):
  """Imports a test module by its path under ``tests/`` (its folder and ``tests/`` on the path)."""
  path = HERE / relpath
  for folder in (str(HERE), str(path.parent)):
    if folder not in sys.path:
      sys.path.insert(0, folder)
  name = "margins_" + relpath.replace("/", "_").removesuffix(".py")
  if name in sys.modules:
    return sys.modules[name]
  spec = importlib.util.spec_from_file_location(name, path)
  module = importlib.util.module_from_spec(spec)
  sys.modules[name] = module
  spec.loader.exec_module(module)
  return module


def registry(relpath: str) -> Registry:
  """The ``MARGINS`` table of one test module."""
  return load_module(relpath).MARGINS


def check_id(relpath: str, name: str) -> str:
  return f"{relpath}::{name}"


def read_measurements(path: pathlib.Path = MARGINS_FILE) -> dict:
  """The measured values (``{"checks": {check_id: ...}}``; empty when the file is missing)."""
  return json.loads(path.read_text()) if path.exists() else {"checks": {}}

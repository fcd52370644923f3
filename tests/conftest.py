"""Shared pytest setup: the data root and small graph factories."""

import inspect
import os
import pathlib

import numpy as np
import pytest

import margins



@pytest.fixture(scope="session")
def data_root() -> pathlib.Path:
  """Folder holding ``<dataset>/raw/`` (``$JGSSL_DATA_DIR`` or ``../shared/datasets``)."""
  root = margins.data_root()
  if not root.is_dir():
    pytest.skip(f"benchmark datasets not found at {root}")
  return root


@pytest.fixture
def rng() -> np.random.Generator:
  return np.random.default_rng(0)


def pytest_collection_modifyitems(config, items):
  """Marks every test that calls ``assert_margins`` (a trained threshold) ``trained``.

  ``.ci/run`` runs ``-m trained`` a second time under another ``--xla_cpu_max_isa``, so a
  threshold tuned to one CPU's float path fails in CI (see ``tests/margins.py``).
  """
  del config
  for item in items:
    fn = getattr(item, "function", None)
    if fn is not None and "assert_margins(" in inspect.getsource(fn):
      item.add_marker(pytest.mark.trained)

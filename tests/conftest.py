"""Shared pytest setup: the data root and small graph factories."""

import os
import pathlib

import numpy as np
import pytest

_DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "datasets"


@pytest.fixture(scope="session")
def data_root() -> pathlib.Path:
  """Folder holding ``<dataset>/raw/`` (``$JGSSL_DATA_DIR`` or ``../shared/datasets``)."""
  root = pathlib.Path(os.environ.get("JGSSL_DATA_DIR", _DEFAULT_DATA))
  if not root.is_dir():
    pytest.skip(f"benchmark datasets not found at {root}")
  return root


@pytest.fixture
def rng() -> np.random.Generator:
  return np.random.default_rng(0)

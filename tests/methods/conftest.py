"""Fixtures of the graph-level method tests."""

import pytest

from graph_method_testing import load_mutag


@pytest.fixture(scope="module")
def mutag(data_root):
  """The MUTAG dataset (188 graphs), loaded once per test module."""
  del data_root  # skips without the datasets
  return load_mutag()

"""Fixtures of the graph-level method tests."""

import pytest

from jgssl import data


@pytest.fixture(scope="module")
def mutag(data_root):
  """The MUTAG dataset (188 graphs), loaded once per test module."""
  return data.load("mutag", root=data_root)

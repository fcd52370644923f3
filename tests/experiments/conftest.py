"""Shared fixtures of the experiments tests: the launchers read the shared datasets, offline."""

import pytest


@pytest.fixture(autouse=True)
def _offline_data_dir(data_root, monkeypatch):
  monkeypatch.setenv("JGSSL_DATA_DIR", str(data_root))
  monkeypatch.setenv("JGSSL_OFFLINE", "1")

"""Tests of the shared result record, statistics and input checks of jgssl.evaluate."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import jgssl
from jgssl import evaluate as ev
from jgssl.evaluate import _common


def test_mean_std_ddof():
  assert ev.mean_std([1.0, 2.0, 3.0]) == pytest.approx((2.0, np.std([1, 2, 3])))
  assert ev.mean_std([1.0, 2.0, 3.0], ddof=1) == pytest.approx((2.0, 1.0))
  assert ev.mean_std([5.0], ddof=1) == (5.0, 0.0)
  with pytest.raises(ValueError, match="at least one"):
    ev.mean_std([])


def test_result_record_carries_protocol_main_and_version():
  res = ev.EvalResult(protocol="X/Y", metrics={"acc": 0.8421, "acc_std": 0.004,
                                               "acc_fold_std": 0.03}, main="acc", seeds=(1,))
  assert res.value == 0.8421 and res.std == 0.004 and res["acc_fold_std"] == 0.03
  assert res.version == jgssl.__version__
  text = res.summary()
  assert text.startswith("X/Y: ") and "acc 84.21 ± 0.40" in text
  assert "acc_fold_std 3.00" in text  # a std without its own mean is still shown
  with pytest.raises(Exception):
    res.protocol = "other"  # frozen


def test_input_checks_say_what_is_wrong():
  with pytest.raises(ValueError, match="2 dimensions"):
    _common.check_embeddings(np.zeros(3))
  with pytest.raises(ValueError, match="empty"):
    _common.check_embeddings(np.zeros((0, 3)))
  with pytest.raises(ValueError, match="row 1"):
    _common.check_embeddings(np.array([[0.0], [np.nan]]))
  with pytest.raises(ValueError, match="integer class ids"):
    _common.check_labels(np.array([0.5, 1.0]), 2)
  with pytest.raises(ValueError, match="one-dimensional"):
    _common.check_labels(np.zeros((2, 1), int), 2)
  labels, c = _common.check_labels(np.array([0.0, 2.0, 1.0]), 3)
  assert labels.dtype == np.int64 and c == 3
  assert _common.check_index(np.array([True, False, True]), 3, "x").tolist() == [0, 2]
  with pytest.raises(ValueError, match="mask has shape"):
    _common.check_index(np.array([True, False]), 3, "x")
  assert _common.check_seeds(4) == (4,)
  with pytest.raises(ValueError, match="must not be empty"):
    _common.check_seeds([])


def test_pure_layer_imports_no_flax():
  code = ("import sys, jgssl.evaluate; "
          "bad = [m for m in sys.modules if m.split('.')[0] in ('flax', 'orbax', 'ml_collections')]; "
          "print(bad); sys.exit(1 if bad else 0)")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"}, timeout=120,
                       cwd=pathlib.Path(jgssl.__file__).resolve().parents[1])
  assert out.returncode == 0, out.stdout + out.stderr


def test_public_names_are_exported():
  for name in ev.__all__:
    assert hasattr(ev, name), name

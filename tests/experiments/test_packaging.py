"""``pip install .`` ships the launcher and its configs: the wheel holds ``experiments`` and
``experiments.configs`` (never the committed results) and the ``jgssl-train`` console script,
which trains from a short config spec outside the clone.

The wheel is built offline from a copy of the source tree (``pip wheel --no-deps
--no-build-isolation --no-index``), so nothing is written into the checkout. That needs a build
backend able to make wheels in this environment: the ``wheel`` package (``pip install -e
'.[test]'`` installs it) or setuptools >= 70.1; without either the tests are skipped.
"""

import importlib.metadata
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
#: What a build reads: setup.cfg and pyproject.toml, the long description, the packages (and the
#: folders a package search must skip, so a wrong include would show).
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "requirements.txt", "jgssl",
           "experiments", "benchmarks", "tests")


def _can_build_wheels() -> bool:
  if importlib.util.find_spec("wheel") is not None:
    return True
  try:
    version = importlib.metadata.version("setuptools")
  except importlib.metadata.PackageNotFoundError:
    return False
  return tuple(int(p) for p in version.split(".")[:2] if p.isdigit()) >= (70, 1)


pytestmark = pytest.mark.skipif(
    not _can_build_wheels(), reason="no offline wheel build here: needs the 'wheel' package "
    "(in the test extras) or setuptools >= 70.1")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> pathlib.Path:
  """The wheel of a copy of the source tree."""
  root = tmp_path_factory.mktemp("wheel")
  src = root / "src"
  src.mkdir()
  ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
  for name in SOURCES:
    path = REPO / name
    if path.is_dir():
      shutil.copytree(path, src / name, ignore=ignore)
    else:
      shutil.copy2(path, src / name)
  out = root / "dist"
  subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--no-index", "--quiet", "-w", str(out), str(src)], check=True, timeout=300)
  (found,) = out.glob("jgssl-*.whl")
  return found


def test_the_wheel_ships_the_launcher_and_configs_but_no_results(wheel):
  with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    entry_points = next(z.read(n).decode() for n in names if n.endswith("/entry_points.txt"))
  for name in ("experiments/train.py", "experiments/registry.py", "experiments/protocols.py",
               "experiments/common.py", "experiments/configs/__init__.py",
               "experiments/configs/_base.py", "experiments/configs/_node_protocols.py",
               "experiments/configs/grace.py", "experiments/configs/vgae.py",
               "jgssl/__init__.py"):
    assert name in names, name
  assert not [n for n in names if n.startswith("experiments/results")]
  assert not [n for n in names if n.endswith((".json", ".md"))]
  assert not [n for n in names if n.split("/")[0] in ("tests", "benchmarks", "notebooks")]
  assert "[console_scripts]" in entry_points
  assert "jgssl-train = experiments.train:main" in entry_points


@pytest.mark.slow
def test_the_installed_console_script_trains_from_a_short_spec(wheel, tmp_path):
  """``jgssl-train --config grace:test`` from outside the clone, with only the installed copy
  of ``jgssl`` and ``experiments`` importable (the dependencies come from this environment)."""
  target = tmp_path / "site"
  subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                  "--target", str(target), str(wheel)], check=True, timeout=300)
  assert (target / "experiments" / "configs" / "grace.py").is_file()
  assert not (target / "experiments" / "results").exists()
  env = {**os.environ, "PYTHONPATH": str(target)}
  where = subprocess.run(
      [sys.executable, "-c", "import experiments, jgssl; from experiments import registry; "
       "print(experiments.__file__, jgssl.__file__, registry.config_file('grace'))"],
      cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
  assert all(pathlib.Path(p).is_relative_to(target) for p in where), where
  script = target / "bin" / "jgssl-train"
  run = subprocess.run([sys.executable, str(script), "--config", "grace:test", "--workdir",
                        str(tmp_path / "run"), "--no_progress"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=600)
  assert run.returncode == 0, run.stderr[-2000:]
  assert (tmp_path / "run" / "result.json").is_file()
  bad = subprocess.run([sys.executable, str(script), "--config", "grace:test", "--workdir",
                        str(tmp_path / "bad"), "--config.model.hiden=3"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=600)
  assert bad.returncode == 2
  assert bad.stderr.strip().startswith("config error: unknown config key 'model.hiden'")

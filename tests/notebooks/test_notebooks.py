"""The Colab notebooks: committed without outputs, in sync with their generator, and each one runs
top to bottom (nbclient, a fresh ``python3`` kernel of this interpreter) on tiny settings,
writes its plots and reaches sensible numbers.

How a notebook is run: the code cell tagged ``parameters`` is followed by an injected cell with
small settings (papermill's convention), ``out_dir`` points at a temporary folder and
``data_root`` at the test datasets; the kernel gets ``JAX_PLATFORMS=cpu`` (and, for
``multi_device``, ``XLA_FLAGS=--xla_force_host_platform_device_count=8``). Any cell error fails
the test (:class:`nbclient.exceptions.CellExecutionError`).
"""

import importlib.util
import json
import math
import os
import pathlib
import resource
import sys
import time

import nbformat
import pytest
from nbclient import NotebookClient

REPO = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NAMES = ("quickstart", "compose_your_own", "multi_device", "checkpoints")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Small settings per notebook: a few seconds of training each on CPU.
OVERRIDES = {
    "quickstart": dict(epochs=10, hidden=16, proj_hidden=16, learning_rate=5e-3,
                       probe_repeats=1, tsne_points=300, tsne_iter=250),
    "compose_your_own": dict(epochs=6, hidden=16, proj_hidden=16, learning_rate=5e-3,
                             num_hard=8, num_mix=8, num_query_mix=2, probe_seeds=(0,)),
    "multi_device": dict(epochs=3, batch_size=4, hidden=16, num_layers=2, compare_steps=2,
                         tsne_iter=250),
    "checkpoints": dict(epochs=6, checkpoint_every=2, interrupt_after=5, batch_size=64,
                        hidden=16, num_layers=2),
}
PLOTS = {
    "quickstart": ("loss.png", "tsne.png"),
    "compose_your_own": ("compose.png",),
    "multi_device": ("loss.png", "tsne.png"),
    "checkpoints": ("resume.png", "new_graph.png"),
}


def _load_generator():
  spec = importlib.util.spec_from_file_location("make_notebooks",
                                                NOTEBOOK_DIR / "make_notebooks.py")
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def _read(name):
  return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)


# ---------------------------------------------------------------------------------------------
# Static checks (fast)
# ---------------------------------------------------------------------------------------------


def test_every_notebook_is_listed_in_the_readme():
  readme = (NOTEBOOK_DIR / "README.md").read_text()
  on_disk = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
  assert on_disk == sorted(NAMES)
  for name in NAMES:
    assert f"({name}.ipynb)" in readme, f"notebooks/README.md does not link {name}.ipynb"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_valid_and_stripped(name):
  nb = _read(name)
  nbformat.validate(nb)
  code = [c for c in nb.cells if c.cell_type == "code"]
  assert code, f"{name} has no code cells"
  for i, cell in enumerate(code):
    assert cell.outputs == [], f"{name}: code cell {i} has outputs"
    assert cell.execution_count is None, f"{name}: code cell {i} has an execution count"
  assert "widgets" not in nb.metadata
  assert nb.metadata["kernelspec"]["name"] == "python3"
  tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
  assert len(tagged) == 1, f"{name} needs exactly one cell tagged 'parameters'"
  # Every override names a variable the parameters cell defines (no silent typos).
  defined = {line.split("=")[0].strip() for line in tagged[0].source.splitlines()
             if "=" in line and not line.startswith("#")}
  assert set(OVERRIDES[name]) | {"data_root", "out_dir"} <= defined
  # The notebooks use the public API only (DESIGN.md: a notebook needing private imports is an
  # API bug).
  for cell in code:
    for line in cell.source.splitlines():
      s = line.strip()
      if s.startswith(("import jgssl", "from jgssl")):
        assert "._" not in s and " _" not in s.split("import", 1)[1], f"{name}: private {s!r}"


def test_notebooks_match_their_generator():
  gen = _load_generator()
  assert tuple(gen.NOTEBOOKS) == NAMES
  for name in NAMES:
    expected = gen.render(gen.build(name))
    assert (NOTEBOOK_DIR / f"{name}.ipynb").read_text() == expected, (
        f"{name}.ipynb differs from notebooks/make_notebooks.py: regenerate it with "
        f"`python notebooks/make_notebooks.py`")


def test_strip_removes_outputs_and_counts():
  gen = _load_generator()
  nb = gen.build("quickstart")
  cell = next(c for c in nb.cells if c.cell_type == "code")
  cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
  cell.execution_count = 3
  cell.metadata["execution"] = {"iopub.status.busy": "now"}
  nb.metadata["widgets"] = {}
  gen.strip(nb)
  assert cell.outputs == [] and cell.execution_count is None
  assert "execution" not in cell.metadata and "widgets" not in nb.metadata
  assert gen.render(nb) == gen.render(gen.build("quickstart"))


def test_unknown_notebook_is_rejected():
  gen = _load_generator()
  with pytest.raises(ValueError, match="unknown notebook 'nope'"):
    gen.build("nope")


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------


def _inject(nb, values):
  """Inserts a cell overriding ``values`` right after the ``parameters`` cell (papermill style)."""
  index = next(i for i, c in enumerate(nb.cells)
               if "parameters" in c.metadata.get("tags", []))
  source = "# Injected by tests/notebooks/test_notebooks.py\n" + "\n".join(
      f"{k} = {v!r}" for k, v in values.items())
  cell = nbformat.v4.new_code_cell(source)
  cell.metadata["tags"] = ["injected-parameters"]
  nb.cells.insert(index + 1, cell)
  return nb


def _execute(name, tmp_path, data_root):
  nb = _read(name)
  out_dir = tmp_path / "out"
  _inject(nb, dict(OVERRIDES[name], data_root=str(data_root), out_dir=str(out_dir)))
  env = dict(os.environ, JAX_PLATFORMS="cpu", JGSSL_DATA_DIR=str(data_root),
             PYTHONPATH=os.pathsep.join([str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")]
                                                       if p]))
  env.pop("MPLBACKEND", None)  # the kernel's inline backend, as in Colab
  if name == "multi_device":
    env["XLA_FLAGS"] = " ".join(
        [f for f in env.get("XLA_FLAGS", "").split() if "device_count" not in f]
        + ["--xla_force_host_platform_device_count=8"])
  client = NotebookClient(nb, kernel_name="python3", timeout=600,
                          resources={"metadata": {"path": str(tmp_path)}})
  start = time.perf_counter()
  cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
  client.execute(env=env)  # the kernel is shut down (and reaped) when this returns
  cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
  cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
  print(f"{name}: executed in {time.perf_counter() - start:.1f} s wall, kernel CPU {cpu:.1f} s")
  return nb, out_dir, json.loads((out_dir / "summary.json").read_text())


def _check_plots(name, nb, out_dir):
  for plot in PLOTS[name]:
    path = out_dir / plot
    assert path.is_file(), f"{name} did not write {plot}"
    head = path.read_bytes()
    assert head.startswith(PNG_MAGIC) and len(head) > 5000, f"{plot} is not a real PNG"
  images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]
  assert len(images) >= len(PLOTS[name]), f"{name} displayed {len(images)} figures"


def test_kernel_runs_this_interpreter(tmp_path):
  """``python3`` resolves to the interpreter running the tests (no kernel spec install needed)."""
  nb = nbformat.v4.new_notebook()
  nb.cells = [nbformat.v4.new_code_cell("import sys; print(sys.prefix)")]
  NotebookClient(nb, kernel_name="python3", timeout=120,
                 resources={"metadata": {"path": str(tmp_path)}}).execute()
  assert nb.cells[0].outputs[0]["text"].strip() == sys.prefix


@pytest.mark.slow
def test_quickstart_runs(tmp_path, data_root):
  nb, out_dir, s = _execute("quickstart", tmp_path, data_root)
  _check_plots("quickstart", nb, out_dir)
  # Only exact checks here: the notebooks train a few tiny steps, whose outcome varies with the
  # CPU's float path; training quality is checked by the method tests against measured margins
  # (tests/margins.py).
  assert math.isfinite(s["loss_first"]) and math.isfinite(s["loss_last"])
  assert s["protocol"] == "LR-rand-sklearn/GRACE"
  assert 0.0 < s["test_acc"] <= 1.0 and 0.0 < s["raw_test_acc"] <= 1.0


@pytest.mark.slow
def test_compose_your_own_runs(tmp_path, data_root):
  nb, out_dir, s = _execute("compose_your_own", tmp_path, data_root)
  _check_plots("compose_your_own", nb, out_dir)
  assert s["protocol"] == "LR-rand-torch/GCA"
  for name in ("DCL", "MoCHi"):  # exact checks only (see test_quickstart_runs)
    assert math.isfinite(s[name]["loss_first"]) and math.isfinite(s[name]["loss_last"]), name
    assert 0.0 < s[name]["test_acc"] <= 1.0, name
  assert 0.0 < s["untrained"]["test_acc"] <= 1.0


@pytest.mark.slow
def test_multi_device_runs_on_8_host_devices(tmp_path, data_root):
  nb, out_dir, s = _execute("multi_device", tmp_path, data_root)
  _check_plots("multi_device", nb, out_dir)
  assert s["devices"] == 8 and s["param_devices"] == 8 and s["backend"] == "cpu"
  one, many = s["compare_losses"].values()
  assert len(one) == len(many) == OVERRIDES["multi_device"]["compare_steps"]
  assert s["compare_max_diff"] < 1e-4 * max(abs(v) for v in one)
  assert math.isfinite(s["loss_first"]) and math.isfinite(s["loss_last"])
  assert s["num_embeddings"] == 188  # every MUTAG graph, once
  assert 0.0 < s["svm_acc"] <= 1.0  # exact checks only (see test_quickstart_runs)


@pytest.mark.slow
def test_checkpoints_runs(tmp_path, data_root):
  nb, out_dir, s = _execute("checkpoints", tmp_path, data_root)
  _check_plots("checkpoints", nb, out_dir)
  o = OVERRIDES["checkpoints"]
  # Interrupted after epoch 5: checkpoints of epochs 2 and 4 exist, epoch 5 was lost.
  assert s["checkpoints_after_interrupt"] == [2, 4]
  assert s["resumed_from"] == 4 and s["bit_identical"]
  assert s["restored_epoch"] == o["epochs"]
  assert s["embedding_dim"] == o["hidden"] * o["num_layers"] and s["padding_independent"]
  assert s["damaged"] == o["epochs"] and s["skipped"] == [o["epochs"]]
  assert s["fallback_epoch"] == 4
  assert (out_dir / "run" / "checkpoints.damaged").is_dir()

"""Every ``python -m`` command shown in README.md runs, on tiny settings.

The commands are read from README.md itself (fenced shell blocks and inline code spans), so a
command added to or renamed in the README fails :func:`test_every_readme_module_has_a_smoke`
until it has an entry in :data:`SMOKES` (or :data:`EXTERNAL`), and an entry whose command left
the README fails it too. Each README command is then run in this process as ``python -m`` runs it
(:func:`runpy.run_module` with ``__name__ == '__main__'``; ``main()`` itself where a smoke must
patch the module, as the smoke says), with the README's own flags and values that shrink it: the
``test`` config variant, one seed, one or two epochs, outputs under ``tmp_path`` (nothing is
written into the repository). The PyTorch peers of ``benchmarks.peers`` are a stub interpreter
(:data:`_STUB_PYTHON`) that answers the harness's probe and the peer scripts' command lines in the
formats the real scripts print, so no torch environment is built.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import pathlib
import re
import runpy
import shlex
import subprocess
import sys
import warnings
from typing import Callable, Dict, List, Optional, Sequence

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
README = REPO / "README.md"

_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)
_SHELL_LANGS = ("", "bash", "sh", "shell", "console")
_COMMAND = re.compile(r"(?:^|\s)(python3? -m \S+.*)$")


def readme_commands(text: str) -> List[str]:
  """The ``python -m <module> ...`` commands of a README, whitespace-normalised, in order.

  Fenced shell blocks (``\\``-continued lines joined, split at ``&&``, ``||``, ``;`` and ``|``) and
  inline code spans (which may wrap across lines) are searched; ``python`` blocks are library
  code, not commands.
  """
  found = []

  def scan(snippet):
    snippet = " ".join(snippet.split())
    for part in re.split(r"&&|\|\||;|\|", snippet):
      m = _COMMAND.search(part.strip())
      if m:
        found.append(m.group(1).strip())

  for block in _FENCE.finditer(text):
    if block.group(1) in _SHELL_LANGS:
      for line in block.group(2).replace("\\\n", " ").splitlines():
        scan(line)
  for span in re.finditer(r"`([^`]+)`", _FENCE.sub("", text)):
    scan(span.group(1))
  return found


def module_of(command: str) -> str:
  return shlex.split(command)[2]


def args_of(command: str) -> List[str]:
  return shlex.split(command)[3:]


COMMANDS = list(dict.fromkeys(readme_commands(README.read_text())))  # each once


# ------------------------------------------------------------------------------------------------
# Helpers.


@dataclasses.dataclass
class Ctx:
  """What a smoke gets besides the README's arguments."""
  tmp: pathlib.Path
  data_root: pathlib.Path
  monkeypatch: pytest.MonkeyPatch
  capsys: pytest.CaptureFixture
  shared: "_Shared"


def rewrite(args: Sequence[str], replace: Optional[Dict[str, object]] = None,
            add: Sequence[str] = (), positional: Optional[Callable[[str], str]] = None
            ) -> List[str]:
  """The README's arguments with flag values replaced and flags added.

  Args:
    args: the README command's arguments (after ``python -m <module>``).
    replace: ``{flag: new}`` for ``--flag value`` and ``--flag=value``; ``new`` is a value or a
      function of the README's value. A flag the README lacks is appended with its value, unless
      the value is a function (a change of a README value only).
    add: arguments appended as they are.
    positional: maps every other argument that is not a flag (e.g. a ``DIR`` placeholder).
  """
  replace = dict(replace or {})
  value = lambda flag, old: str(replace[flag](old) if callable(replace[flag]) else replace[flag])
  out, seen, i = [], set(), 0
  while i < len(args):
    tok = args[i]
    name = tok.split("=", 1)[0]
    if name in replace and "=" in tok:
      out.append(f"{name}={value(name, tok.split('=', 1)[1])}")
      seen.add(name)
    elif tok in replace and i + 1 < len(args):
      out += [tok, value(tok, args[i + 1])]
      seen.add(tok)
      i += 1
    elif not tok.startswith("-") and positional is not None:
      out.append(positional(tok))
    else:
      out.append(tok)
    i += 1
  for flag in replace:
    if flag not in seen and not callable(replace[flag]):
      out += [flag, value(flag, None)]
  return out + list(add)


def run_module(module: str, argv: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> int:
  """``python -m module *argv`` in this process; returns the exit status."""
  monkeypatch.setattr(sys, "argv", [module, *map(str, argv)])
  with warnings.catch_warnings():
    # runpy warns when the module was already imported (by another test): harmless here, the
    # module's code runs again as __main__.
    warnings.filterwarnings("ignore", message=".*found in sys.modules", category=RuntimeWarning)
    try:
      runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as e:
      return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
  return 0


def _variant_test(spec: str) -> str:
  """``experiments/configs/<m>.py:<variant>`` -> the same config file's ``test`` variant."""
  return spec.rsplit(":", 1)[0] + ":test"


class _Shared:
  """Runs shared between smokes, done once per module (a finished DGI run for score_validation
  is the reproduce smoke's own output)."""

  def __init__(self, base: pathlib.Path):
    self.base = base
    self._done: Dict[tuple, pathlib.Path] = {}

  def reproduce(self, argv: Sequence[str], monkeypatch) -> pathlib.Path:
    """``python -m experiments.reproduce *argv --out <dir>`` once per ``argv``; the ``--out``."""
    key = tuple(argv)
    if key not in self._done:
      out = self.base / f"reproduce_{len(self._done)}"
      assert run_module("experiments.reproduce", [*argv, "--out", out], monkeypatch) == 0
      self._done[key] = out
    return self._done[key]


@pytest.fixture(scope="module", autouse=True)
def _fast_compiles():
  """XLA without most optimisations while this module runs: the smokes check that commands run,
  not how fast their steps are, and compilation is most of their time (about a third less)."""
  import jax  # pylint: disable=import-outside-toplevel
  before = jax.config.read("jax_disable_most_optimizations")
  jax.config.update("jax_disable_most_optimizations", True)
  yield
  jax.config.update("jax_disable_most_optimizations", before)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
  return _Shared(tmp_path_factory.mktemp("shared"))


@pytest.fixture
def ctx(tmp_path, data_root, monkeypatch, capsys, shared):
  monkeypatch.setenv("JGSSL_DATA_DIR", str(data_root))
  monkeypatch.setenv("JGSSL_OFFLINE", "1")
  monkeypatch.setenv("JAX_PLATFORMS", "cpu")
  monkeypatch.chdir(REPO)  # the README's relative paths (experiments/configs/...) start here
  return Ctx(tmp_path, data_root, monkeypatch, capsys, shared)


# ------------------------------------------------------------------------------------------------
# The stub peer interpreter.

_STUB_PYTHON = '''"""Stands in for benchmarks/peers/.venv/bin/python (no torch): the harness's
probe and the peer scripts' command lines, answered in the formats the real scripts print."""
import json, pathlib, sys

argv = sys.argv[1:]
if argv[:1] == ["-c"]:  # benchmarks.peers.run._PROBE
  assert "import _common" in argv[1] and "torch_geometric" in argv[1]
  print(json.dumps({"torch": "2.13.0+cpu", "cuda": None, "torch_geometric": "2.8.1",
                    "PyGCL": "0.1.2", "numpy": "stub", "scipy": "stub", "stubbed": [],
                    "python": "stub"}))
  sys.exit(0)
script = pathlib.Path(argv[0])
assert script.is_file(), f"no peer script {script}"
opts, key = {}, None
for tok in argv[1:]:
  if tok.startswith("--"):
    key = tok[2:]
    opts[key] = []
  else:
    opts[key].append(tok)
one = lambda k: opts[k][0]
raw = pathlib.Path(one("raw"))
name = one("dataset").lower() if "dataset" in opts else "cora"
assert (raw / f"ind.{name}.x").is_file(), f"no Planetoid files in {raw}"
with open(pathlib.Path(__file__).parent / "calls.jsonl", "a") as f:
  f.write(json.dumps({"script": script.name, **opts}) + "\\n")
if script.name == "grace_official_embeddings.py":
  import numpy as np
  rng = np.random.default_rng(int(one("seed")))
  y = np.arange(300) % 3
  z = np.eye(3)[y] @ rng.normal(size=(3, 8)) + 0.5 * rng.normal(size=(300, 8))
  out = one("out")
  np.save(out, z.astype(np.float32))
  np.save(out + ".labels.npy", y)
  np.savez(out + ".split.npz", train=np.arange(0, 60), test=np.arange(150, 300))
  sys.exit(0)
# A timing peer: its command line goes through the scripts' own parser (torch-free).
sys.path.insert(0, str(script.parent))
import _common
sys.argv = [str(script), *argv[1:]]
args = _common.parse_args(script.name)
print(_common.RESULT_PREFIX + json.dumps({
    "peer": script.stem, "epoch_times_s": [0.01] * args.epochs, "median_epoch_s": 0.01,
    "first_epoch_s": 0.05, "final_loss": 1.0, "cpu_per_wall": 1.0, "peak_rss_mb": 100.0,
    "threads": args.threads, "cores": [0], "torch": "stub", "torch_geometric": "stub",
    "epochs": args.epochs, "warmup": args.warmup}))
'''


def stub_peer_venv(root: pathlib.Path) -> pathlib.Path:
  """A peers venv at ``root`` whose stamp records the current spec (so nothing is installed)
  and whose ``bin/python`` runs :data:`_STUB_PYTHON`; its calls are logged to ``calls.jsonl``."""
  from benchmarks.peers import run as peers_run  # pylint: disable=import-outside-toplevel
  python = peers_run.venv_python(root)
  python.parent.mkdir(parents=True)
  (root / "stub.py").write_text(_STUB_PYTHON)
  python.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} "
                    f"{shlex.quote(str(root / 'stub.py'))} \"$@\"\n")
  python.chmod(0o755)
  spec = peers_run._spec()  # pylint: disable=protected-access
  (root / peers_run.STAMP).write_text(json.dumps({"spec": spec}))
  return root


def _stub_calls(venv: pathlib.Path) -> List[dict]:
  path = venv / "calls.jsonl"
  return [json.loads(l) for l in path.read_text().splitlines()] if path.exists() else []


# ------------------------------------------------------------------------------------------------
# One smoke per README module: smoke(readme_args, ctx) runs it and checks what it wrote.


def smoke_train(args, ctx):
  workdir = ctx.tmp / "run"
  argv = rewrite(args, {"--config": _variant_test, "--workdir": workdir,
                        "--config.epochs": lambda e: 2}, ["--no_progress"])
  assert run_module("experiments.train", argv, ctx.monkeypatch) == 0
  result = json.loads((workdir / "result.json").read_text())
  if any(a.startswith("--config.epochs") for a in args):
    assert result["epochs"] == 2
  assert "test_acc" in result["metrics"] or "test_auc" in result["metrics"]


def smoke_reproduce(args, ctx):
  # M (a method placeholder) -> DGI, whose finished seed the score_validation smoke reuses.
  argv = rewrite(args, {"--method": lambda m: "dgi" if m == "M" else m, "--dataset": "test",
                        "--seeds": 1})
  out_at = argv.index("--out")
  del argv[out_at:out_at + 2]
  out = ctx.shared.reproduce(argv, ctx.monkeypatch)
  summary = json.loads((out / "summary.json").read_text())
  assert len(summary["seeds"]) == 1 and (out / "table.md").is_file()
  for override in (a for a in args if a.startswith("--config.")):
    assert override in summary["command"]


def smoke_collect(args, ctx):
  from experiments import collect  # pylint: disable=import-outside-toplevel
  roots = ctx.tmp / "results"
  (roots / "grace-cora").mkdir(parents=True)
  committed = REPO / "experiments" / "results" / "grace-cora" / "summary.json"
  (roots / "grace-cora" / "summary.json").write_text(committed.read_text())
  readme, before = ctx.tmp / "README.md", README.read_text()
  readme.write_text(before)
  ctx.monkeypatch.setattr(collect, "write_readme",
                          functools.partial(collect.write_readme, readme=readme))
  argv = rewrite(args, {"--roots": roots, "--output": ctx.tmp / "RESULTS.md"})
  # In-process main() (its __main__ block is sys.exit(main())): runpy would run a fresh copy of
  # the module, whose write_readme writes the repository's README.md.
  assert collect.main(argv) == 0
  assert "| grace | cora | LR-rand-sklearn/GRACE |" in (ctx.tmp / "RESULTS.md").read_text()
  assert README.read_text() == before
  if "--readme" in args:
    text = readme.read_text()
    head, rest = before.split(collect.BEGIN, 1)
    tail = rest.split(collect.END, 1)[1]
    assert text.startswith(head) and text.endswith(tail)
    rows = [l for l in text[len(head):len(text) - len(tail)].splitlines() if l.startswith("| ")]
    assert len(rows) == 2 and rows[1].startswith("| grace | cora | LR-rand-sklearn/GRACE |")


def smoke_score_validation(args, ctx):
  # DIR: a finished run with a public-split probe (random-split protocols are refused).
  workdir = ctx.shared.reproduce(["--method", "dgi", "--dataset", "test", "--seeds", "1"],
                                 ctx.monkeypatch) / "seed_0"
  argv = rewrite(args, positional=lambda d: str(workdir) if d == "DIR" else d, add=["--json"])
  assert run_module("experiments.score_validation", argv, ctx.monkeypatch) == 0
  row = json.loads(ctx.capsys.readouterr().out.strip().splitlines()[-1])
  assert row["method"] == "dgi" and 0 <= row["val_acc"] <= 100


def smoke_paired(args, ctx):
  # BASE_DIR / PLUGIN_DIR: GRACE+POT's test config without (kappa 0) and with the plug-in.
  base = ctx.shared.reproduce(["--method", "grace_pot", "--dataset", "test", "--seeds", "1",
                               "--config.model.pot_kappa=0.0"], ctx.monkeypatch)
  plugin = ctx.shared.reproduce(["--method", "grace_pot", "--dataset", "test", "--seeds", "1"],
                                ctx.monkeypatch)
  dirs = iter([str(base), str(plugin)])
  argv = rewrite(args, positional=lambda d: next(dirs))
  argv += list(dirs)  # a README mention without its two folders
  assert run_module("experiments.paired", [*argv, "--json"], ctx.monkeypatch) == 0
  row = json.loads(ctx.capsys.readouterr().out.strip().splitlines()[-1])
  assert row["seeds"] == [0] and row["other_protocol"] == "LR-public-torch/POT-swapped"


def smoke_epoch_sweep(args, ctx):
  out = ctx.tmp / "sweep"
  # --every 2: the test variant's 2 epochs, scored once (the last epoch is always scored).
  argv = rewrite(args, {"--dataset": "test", "--seeds": 1, "--every": 2, "--out": out})
  assert run_module("experiments.epoch_sweep", argv, ctx.monkeypatch) == 0
  sweep = json.loads((out / "sweep.json").read_text())
  assert sweep["best_epoch"]["mean"] >= sweep["last"]["mean"]


def smoke_window_coverage(args, ctx):
  assert run_module("experiments.window_coverage", args, ctx.monkeypatch) == 0
  assert "| train |" in ctx.capsys.readouterr().out


def smoke_benchmarks_run(args, ctx):
  from benchmarks import run as harness  # pylint: disable=import-outside-toplevel
  from benchmarks import suites  # pylint: disable=import-outside-toplevel
  calls = []

  # Each suite would run in a fresh process (about 15 s of start-up and compilation each here):
  # the same suite functions run in this one instead, not pinned to cores. The subprocess runner
  # is tested in tests/benchmarks/test_harness.py (test_subprocess_call_returns_json_and_...).
  def in_process(fn, kwargs, *, timeout_s=None, rss_cap_mb=None, env=None):
    del timeout_s, rss_cap_mb, env
    calls.append(fn)
    return getattr(suites, fn)(**{**kwargs, **({"threads": None} if "threads" in kwargs else {})})

  ctx.monkeypatch.setattr(harness, "call_in_subprocess", in_process)
  out = ctx.tmp / "bench.json"
  extra = {"--epochs": 1, "--warmup": 0, "--out": out}
  suite = args[args.index("--suite") + 1] if "--suite" in args else "cora"
  if suite == "cora":
    extra.update({"--methods": "dgi", "--variant": "test", "--matmul-sizes": "16x16x16"})
  # main() in this process (its __main__ block is main()): runpy would run a fresh copy of the
  # module, whose suites would call the real subprocess runner.
  harness.main(rewrite(args, extra))
  result = json.loads(out.read_text())
  assert result["suite"] == suite and calls
  for row in result["results"]:
    assert "error" not in row, row.get("error")
    assert row["median_epoch_s"] > 0 and row["loss_finite"]


def smoke_peers_run(args, ctx):
  from benchmarks import run as harness  # pylint: disable=import-outside-toplevel
  from benchmarks.peers import run as peers_run  # pylint: disable=import-outside-toplevel
  venv = stub_peer_venv(ctx.tmp / "venv")
  jgssl_calls = []

  # The jgssl side would compile each method's Cora config in a fresh process (about 20 s each
  # here). What it runs, suites.run_jgssl_cora, runs in the benchmarks.run smoke, and the
  # subprocess runner in tests/benchmarks/test_harness.py; here the runner is replaced by one
  # that checks what the harness asks of it (method, epochs, the data root).
  def fake_call(fn, kwargs, *, timeout_s=None, rss_cap_mb=None, env=None):
    del timeout_s, rss_cap_mb
    jgssl_calls.append((fn, kwargs, env))
    return {"method": kwargs["method"], "median_epoch_s": 0.004, "first_call_s": 1.0,
            "peak_rss_mb": 500.0, "final_loss": 1.0, "epoch_times_s": [0.004]}

  ctx.monkeypatch.setattr(harness, "call_in_subprocess", fake_call)
  out = ctx.tmp / "peers"
  argv = rewrite(args, {"--pairs": 1, "--epochs": 1, "--warmup": 0, "--venv": venv,
                        "--data-root": ctx.data_root, "--out": out, "--cache": ctx.tmp / "cache"})
  assert run_module("benchmarks.peers.run", argv, ctx.monkeypatch) == 0
  results = json.loads((out / "results.json").read_text())
  methods = (args[args.index("--methods") + 1] if "--methods" in args
             else ",".join(peers_run.DEFAULT_METHODS))
  keys = list(peers_run.PEERS) if methods == "all" else methods.split(",")
  assert list(results["summary"]) == keys
  assert sorted(c["script"] for c in _stub_calls(venv)) == sorted(
      peers_run.PEERS[k].script for k in keys)
  assert sorted(k["method"] for _, k, _ in jgssl_calls) == sorted(
      {peers_run.PEERS[k].jgssl_method for k in keys})
  for fn, kwargs, env in jgssl_calls:
    assert fn == "run_jgssl_cora" and kwargs["epochs"] == 1
    assert pathlib.Path(env["JGSSL_DATA_DIR"]) == ctx.data_root.resolve()
  assert "median ratio" in (out / "RESULTS.md").read_text()


def smoke_peers_accuracy(args, ctx):
  from benchmarks.peers import accuracy  # pylint: disable=import-outside-toplevel
  venv = stub_peer_venv(ctx.tmp / "venv")
  out = ctx.tmp / "accuracy.json"
  argv = rewrite(args, {"--seeds": 1, "--epochs": 1, "--venv": venv,
                        "--data-root": ctx.data_root, "--out": out})
  assert run_module("benchmarks.peers.accuracy", argv, ctx.monkeypatch) == 0
  result = json.loads(out.read_text())
  setting = accuracy.SETTINGS[result["setting"]]
  assert result["seeds_done"] == 1 and result["per_seed"][0]["seed"] == setting.first_seed
  assert result["probe"].startswith({"random": "LR-rand-sklearn/GRACE",
                                     "public": "LR-public-sklearn/GRACE"}[setting.split])
  (call,) = _stub_calls(venv)
  assert call["script"] == "grace_official_embeddings.py" and call["epochs"] == ["1"]
  assert call["dataset"] == [setting.dataset] and call["tau"] == [str(setting.tau)]


def smoke_chunked_infonce(args, ctx):
  out = ctx.tmp / "infonce.json"
  argv = rewrite(args, {"--n": 128, "--d": 4, "--chunk": 64, "--key-chunk": 64,
                        "--check-n": 96, "--check-chunk": 32, "--out": out})
  assert run_module("benchmarks.chunked_infonce", argv, ctx.monkeypatch) == 0
  result = json.loads(out.read_text())
  assert result["large"]["gradients_finite"]
  assert result["check"]["max_abs_value_diff"] < 1e-4


def smoke_graph_padding(args, ctx):
  out = ctx.tmp / "padding.json"
  # InfoGraph's test variant (the cheapest graph-level step to compile twice); GraphMAE's runs
  # in tests/benchmarks/test_harness.py.
  argv = rewrite(args, {"--configs": "infograph.py:test", "--steps": 1, "--warmup": 0,
                        "--out": out})
  assert run_module("benchmarks.graph_padding", argv, ctx.monkeypatch) == 0
  (row,) = json.loads(out.read_text())
  assert row["fitted"]["n_node"] <= row["worst"]["n_node"]


def smoke_data(args, ctx):
  # All registered datasets would load yelp and the TU sets (minutes): Cora alone.
  argv = rewrite(args, {"--root": ctx.data_root}, ["--no-download", "--quiet", "--json", "cora"])
  assert run_module("jgssl.data", argv, ctx.monkeypatch) == 0
  (row,) = json.loads(ctx.capsys.readouterr().out)
  assert (row["name"], row["num_nodes"]) == ("cora", 2708)


def smoke_verify(args, ctx):
  # --check as written (seconds, no training); a re-training command with --plan added (the
  # choice and its cost, no training: tests/experiments/test_verify.py re-trains tiny rows).
  argv = list(args) if "--check" in args else rewrite(args, {"--seed": 0}, ["--plan"])
  assert run_module("experiments.verify", argv, ctx.monkeypatch) == 0
  out = ctx.capsys.readouterr().out
  assert out.strip(), "experiments.verify printed nothing"


SMOKES: Dict[str, Callable[[List[str], Ctx], None]] = {
    "experiments.train": smoke_train,
    "experiments.reproduce": smoke_reproduce,
    "experiments.collect": smoke_collect,
    "experiments.score_validation": smoke_score_validation,
    "experiments.paired": smoke_paired,
    "experiments.epoch_sweep": smoke_epoch_sweep,
    "experiments.window_coverage": smoke_window_coverage,
    "experiments.verify": smoke_verify,
    "benchmarks.run": smoke_benchmarks_run,
    "benchmarks.peers.run": smoke_peers_run,
    "benchmarks.peers.accuracy": smoke_peers_accuracy,
    "benchmarks.chunked_infonce": smoke_chunked_infonce,
    "benchmarks.graph_padding": smoke_graph_padding,
    "jgssl.data": smoke_data,
}

#: Modules the README runs that are not this project's: what is checked instead, and why.
EXTERNAL = {
    "venv": "the standard library's venv (creating one here would install packages)",
    "pytest": "the test runner itself (this file runs under it)",
}


# ------------------------------------------------------------------------------------------------
# Tests.


def test_readme_commands_are_found():
  # The parser finds both kinds of place a command is written: fenced blocks and inline spans,
  # including a span that wraps across lines.
  text = ("```bash\npython -m venv .venv && . .venv/bin/activate && \\\n"
          "  python -m a.b --x 1\n```\n"
          "Run `python -m c.d\n  --y=2 --z DIR` or `python -m e`.\n"
          "```python\nimport os  # python -m not.this\n```\n`pip install x`")
  assert readme_commands(text) == ["python -m venv .venv", "python -m a.b --x 1",
                                   "python -m c.d --y=2 --z DIR", "python -m e"]
  assert {"experiments.train", "benchmarks.peers.run", "jgssl.data"} <= {
      module_of(c) for c in COMMANDS}


def test_every_readme_module_has_a_smoke():
  modules = {module_of(c) for c in COMMANDS}
  missing = sorted(modules - set(SMOKES) - set(EXTERNAL))
  assert not missing, (f"README.md runs {missing} with no smoke in {__file__}: add one to SMOKES "
                       "(tiny settings, outputs under tmp_path)")
  stale = sorted((set(SMOKES) | set(EXTERNAL)) - modules)
  assert not stale, f"SMOKES / EXTERNAL entries {stale} match no README command: remove them"


def test_rewrite_replaces_adds_and_maps_positionals():
  args = ["--config", "g.py:cora", "--config.epochs=8", "--workdir", "/tmp/x", "DIR"]
  assert rewrite(args, {"--config": _variant_test, "--config.epochs": 2, "--workdir": "w",
                        "--seeds": 1}, ["--no_progress"], positional=str.lower) == [
                            "--config", "g.py:test", "--config.epochs=2", "--workdir", "w",
                            "dir", "--seeds", "1", "--no_progress"]


@pytest.mark.parametrize("command", COMMANDS, ids=[
    f"{i}-{module_of(c)}" for i, c in enumerate(COMMANDS)])
def test_readme_command_runs(command, request):
  module, args = module_of(command), args_of(command)
  if module in EXTERNAL:
    import importlib.util  # pylint: disable=import-outside-toplevel
    assert importlib.util.find_spec(module) is not None, EXTERNAL[module]
    if module == "pytest" and "-n" in args:  # `-n` is pytest-xdist's, from the test extras
      assert importlib.util.find_spec("xdist") is not None
      assert "pytest-xdist" in (REPO / "setup.cfg").read_text()
    return
  SMOKES[module](args, request.getfixturevalue("ctx"))


def test_readme_shell_scripts_exist_and_parse(monkeypatch, tmp_path):
  """Shell scripts the README names (``benchmarks/gpu_check.sh``: needs a GPU for its purpose
  and minutes of CPU otherwise) are not run: each is valid bash and each ``-m benchmarks.run``
  command in it passes that module's argument parser (the suites themselves are stubbed)."""
  from benchmarks import run as harness  # pylint: disable=import-outside-toplevel
  scripts = sorted(set(re.findall(r"`([\w./-]+\.sh)`", README.read_text())))
  assert scripts, "README.md names no shell script any more: drop this test"
  calls = []
  monkeypatch.setattr(harness, "SUITES", {
      k: (lambda a, k=k: calls.append((k, a)) or {"suite": k}) for k in harness.SUITES})
  for script in scripts:
    path = REPO / script
    assert path.is_file(), f"README.md names {script}, which does not exist"
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    text = path.read_text().replace("\\\n", " ").replace("$OUT", str(tmp_path))
    for line in text.splitlines():
      m = re.search(r"-m benchmarks\.run (.*?)(?:2>&1|\||$)", line)
      if not m or line.lstrip().startswith("#"):
        continue
      argv = shlex.split(m.group(1))
      before = len(calls)
      harness.main(argv)
      assert len(calls) == before + 1

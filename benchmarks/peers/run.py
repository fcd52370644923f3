"""jgssl side by side with its PyTorch peers on Cora: per-epoch time ratios from the same run.

Usage (from the repository root, with the project's interpreter)::

  python -m benchmarks.peers.run [--pairs 3] [--epochs 20] [--warmup 2] [--threads 2]
                                 [--methods grace,dgi,bgrl]

What is compared
----------------
Each *peer* is a small PyTorch training script in ``benchmarks/peers/scripts/`` written with the
public APIs of PyTorch Geometric and PyGCL, on the same raw Planetoid Cora files jgssl reads
(row-normalised features, full graph, one optimizer step per epoch) and with the hyperparameters
of jgssl's ``experiments/configs/<method>.py:cora``:

=================  ==================  =========================================================
``--methods`` key  jgssl config        peer
=================  ==================  =========================================================
``grace``          ``grace.py:cora``   ``grace_official.py``: CRIPAC-DIG/GRACE's model and train
                                       step (PyG ``GCNConv``, ``dropout_adj``, dense loss)
``grace-pygcl``    ``grace.py:cora``   ``grace_pygcl.py``: PyGCL augmentors + ``DualBranchContrast
                                       (InfoNCE, intraview_negs=True)``
``dgi``            ``dgi.py:cora``     ``dgi_pygcl.py``: PyGCL's DGI example (``SingleBranch
                                       Contrast(JSD, 'G2L')``), 1 x 512 GCN, lr 1e-3
``bgrl``           ``bgrl.py:cora``    ``bgrl_pygcl.py``: PyGCL augmentors + ``BootstrapContrast
                                       (BootstrapLatent)`` on nerdslab/bgrl's network
``bgrl-official``  ``bgrl.py:cora``    ``bgrl_official.py``: nerdslab/bgrl's train step (per-node
                                       cosine loss, ``O(N d)``), no PyGCL
=================  ==================  =========================================================

The jgssl side is :func:`benchmarks.suites.run_jgssl_cora` (the launcher's jitted step, donated
state, ``jax.block_until_ready`` each epoch) in a fresh subprocess. An epoch on either side is
augmentation + forward + backward + optimizer step (+ EMA update); the first call (jgssl: the
compiling call) and ``--warmup`` more epochs are untimed, then ``--epochs`` epochs are timed and
their median is that run's per-epoch time.

Runs alternate: in pair ``i`` of ``--pairs``, each jgssl config's peers and its jgssl run follow
one another (peers first in even pairs, jgssl first in odd ones) and ``ratio_i = jgssl median /
peer median``. The machine's speed drifts (shared cores), so only these same-pair ratios are
meaningful; the report gives every ratio, their median, both raw timings, the load average
around every run, each run's CPU seconds per wall second and peak RSS. Targets (issue 7):
jgssl / peer <= 0.5 for GRACE (vs the official code), DGI and BGRL (vs PyGCL).

Threads: both sides are pinned to the same first ``--threads`` allowed cores
(``os.sched_setaffinity``), the peers also run ``torch.set_num_threads(threads)``. XLA's CPU
thread pools are sized from the schedulable cores, so the affinity is what limits jgssl; XLA has
no ``intra_op_parallelism_threads`` flag (``--intra_op_parallelism_threads`` in ``XLA_FLAGS`` is
a fatal "unknown flag") and ``--xla_cpu_multi_thread_eigen=false`` would make jgssl's matrix
products single-threaded against torch's two threads, so neither is set.

The peer environment
--------------------
On first use (or when its recorded spec changes) a virtual environment is built at
``benchmarks/peers/.venv`` (git-ignored), printing each step:

1. ``python -m venv benchmarks/peers/.venv``
2. ``pip install --retries 1 --timeout 30 --index-url https://download.pytorch.org/whl/cpu
   torch==2.13.0`` — the CPU wheel. ``--index-url`` replaces PyPI, so the multi-GB CUDA build
   can never be pulled; pip's configured find-links and extra indexes still apply, so a machine
   that cannot reach the CPU index but has the ``2.13.0+cpu`` wheel locally uses that (the same
   wheel). The installed torch is checked to be a CPU build.
3. ``pip install -c <torch pin> torch_geometric==2.8.1 numpy scipy tqdm networkx scikit-learn``
   (PyGCL's declared dependencies besides torch).
4. ``pip install --no-deps PyGCL==0.1.2``. PyGCL imports ``dgl``, ``torch_scatter`` and
   ``torch_sparse`` without declaring them (no wheels for a current torch); the scripts register
   raising stand-ins for them at import time (``scripts/_common.import_pygcl``): none is on the
   timed paths.

Later runs find the stamp ``.venv/jgssl-peers.json`` and skip the installs. Cora is copied from
``$JGSSL_DATA_DIR/cora/raw`` (default: ``../shared/datasets`` beside the checkout) into
``benchmarks/peers/.cache/Cora/raw`` (``--cache``) for ``torch_geometric.datasets.Planetoid``: no
downloads.

Caveats
-------
* Not part of CI and not a test: it needs the package registry once and minutes of CPU time.
* On a shared machine absolute times swing by 2x between runs; read the same-pair ratios.
* ``bgrl`` (PyGCL) pays PyGCL's ``O(N^2 d)`` ``BootstrapLatent``; ``bgrl-official`` is the fair
  ``O(N d)`` form of the same network. PyGCL's BGRL example back-propagates the similarity (wrong
  sign); the peer uses ``2 - 2 * similarity`` (same cost).
* Neither ``dgi`` side early-stops inside the timed window: PyGCL's example has no
  early-stopping bookkeeping, and jgssl's is a fit hook (:class:`jgssl.train.EarlyStopping`),
  outside the timed step.
* The peers run in eager PyTorch; no ``torch.compile``.

Outputs: ``benchmarks/peers/results.json`` (every run) and ``benchmarks/peers/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time
from typing import Dict, List, NamedTuple, Optional, Sequence

__all__ = [
    "PEERS",
    "Peer",
    "cora_raw_dir",
    "planetoid_raw_dir",
    "ensure_venv",
    "main",
    "pair_order",
    "pair_ratio",
    "parse_marked_json",
    "render_markdown",
    "summarize",
    "venv_python",
]

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCRIPTS = HERE / "scripts"
DEFAULT_VENV = HERE / ".venv"
DEFAULT_CACHE = HERE / ".cache"

TORCH_VERSION = "2.13.0"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PYG_SPEC = "torch_geometric==2.8.1"
PYGCL_SPEC = "PyGCL==0.1.2"
#: PyGCL's declared requirements other than torch / torch-geometric (its METADATA).
PYGCL_DEPS = ("numpy", "scipy", "tqdm", "networkx", "scikit-learn")
STAMP = "jgssl-peers.json"

PEER_PREFIX = "@@PEER@@"


class Peer(NamedTuple):
  """One peer: its script, the jgssl config it is compared with, and the issue's target."""
  key: str
  script: str
  jgssl_method: str
  description: str
  target: Optional[float]


PEERS: Dict[str, Peer] = {
    p.key: p for p in (
        Peer("grace", "grace_official.py", "grace",
             "official CRIPAC-DIG/GRACE model + train step (PyG)", 0.5),
        Peer("grace-pygcl", "grace_pygcl.py", "grace",
             "GRACE with PyGCL (DualBranchContrast + InfoNCE, intra-view negatives)", None),
        Peer("dgi", "dgi_pygcl.py", "dgi", "DGI with PyGCL (SingleBranchContrast + JSD, G2L)",
             0.5),
        Peer("bgrl", "bgrl_pygcl.py", "bgrl",
             "BGRL with PyGCL (BootstrapContrast + BootstrapLatent) on nerdslab's network", 0.5),
        Peer("bgrl-official", "bgrl_official.py", "bgrl",
             "nerdslab/bgrl train step (per-node cosine), no PyGCL", None),
    )
}
DEFAULT_METHODS = ("grace", "dgi", "bgrl")


# ----------------------------------------------------------------------------------------------
# Pure helpers (tested without torch or JAX).


def pair_ratio(jgssl_s: float, peer_s: float) -> float:
  """``jgssl_s / peer_s`` for two per-epoch times in seconds (both must be finite and > 0)."""
  for name, value in (("jgssl_s", jgssl_s), ("peer_s", peer_s)):
    if not isinstance(value, (int, float)) or not value > 0 or value == float("inf"):
      raise ValueError(f"{name} must be a finite positive time in seconds, got {value!r}")
  return float(jgssl_s) / float(peer_s)


def pair_order(peer_keys: Sequence[str], pair_index: int) -> List[str]:
  """Run order within one pair: peers then ``'jgssl'`` for even pairs, the reverse for odd ones."""
  if pair_index < 0:
    raise ValueError(f"pair_index must be >= 0, got {pair_index}")
  if not peer_keys:
    raise ValueError("a pair needs at least one peer")
  keys = list(peer_keys)
  return keys + ["jgssl"] if pair_index % 2 == 0 else ["jgssl"] + keys


def summarize(pairs: Sequence[dict], *, target: Optional[float] = None) -> dict:
  """Summary of one peer's pairs.

  Args:
    pairs: one dict per pair with ``peer_median_s`` and ``jgssl_median_s``.
    target: the issue's bound on jgssl / peer (``None``: no target).

  Returns:
    ``ratios`` (per pair, jgssl / peer), ``median_ratio``, ``min_ratio``, ``max_ratio``,
    ``peer_medians_s``, ``jgssl_medians_s``, ``target`` and ``meets_target`` (the median ratio is
    at most the target; ``None`` without a target).
  """
  if not pairs:
    raise ValueError("summarize needs at least one pair")
  ratios = [pair_ratio(p["jgssl_median_s"], p["peer_median_s"]) for p in pairs]
  median = statistics.median(ratios)
  return {
      "ratios": ratios,
      "median_ratio": median,
      "min_ratio": min(ratios),
      "max_ratio": max(ratios),
      "peer_medians_s": [p["peer_median_s"] for p in pairs],
      "jgssl_medians_s": [p["jgssl_median_s"] for p in pairs],
      "target": target,
      "meets_target": None if target is None else median <= target,
  }


def parse_marked_json(text: str, prefix: str) -> dict:
  """The JSON object on the last line of ``text`` that starts with ``prefix``."""
  lines = [ln for ln in text.splitlines() if ln.startswith(prefix)]
  if not lines:
    raise ValueError(f"no line starting with {prefix!r} in the output")
  return json.loads(lines[-1][len(prefix):])


def _fmt_list(values, fmt):
  return ", ".join(fmt.format(v) for v in values)


def _git_line(git: Optional[dict]) -> str:
  if not git:
    return "an unrecorded commit"

  def describe(state):
    text = f"commit {state['head']}"
    if state.get("jgssl_tree_dirty"):
      sha = state.get("jgssl_diff_sha1")
      text += " + uncommitted changes" + (f" (diff sha1 {sha})" if sha else "")
    return text

  start, end = git["start"], git["end"]
  if end == start:
    return describe(start)
  return f"{describe(start)}, CHANGED during the run to {describe(end)}"


def render_markdown(results: dict) -> str:
  """``RESULTS.md`` from a ``results.json`` dict."""
  cfg = results["settings"]
  lines = [
      "# jgssl vs PyTorch peers on Cora (per-epoch time, same-run ratios)",
      "",
      "Generated by `benchmarks/peers/run.py`; regenerate with:",
      "",
      "```",
      results["command"],
      "```",
      "",
      f"{results['date']} on {results['machine']['cpus']} CPU(s) ({results['machine']['cpu']}), "
      f"{cfg['threads']} threads per side (same cores, `sched_setaffinity`; torch "
      f"`set_num_threads`), {cfg['epochs']} timed epochs after {cfg['warmup']} warm-up epochs "
      f"and the first (compiling) call, {cfg['pairs']} alternating pairs. Peer venv: torch "
      f"{results['venv'].get('torch')}, torch_geometric {results['venv'].get('torch_geometric')}, "
      f"PyGCL {results['venv'].get('PyGCL')}. jgssl at {_git_line(results.get('git'))}. "
      f"Load average (1 min) from "
      f"{results['load_avg_start'][0]:.2f} at the start to {results['load_avg_end'][0]:.2f} at "
      "the end.",
      "",
      "Ratio = jgssl median s/epoch / peer median s/epoch of the same pair (lower is better for "
      "jgssl; the target is the issue's bound).",
      "",
      "| peer | jgssl config | ratios per pair | median ratio | target | peer s/epoch per pair "
      "| jgssl s/epoch per pair |",
      "| --- | --- | --- | --- | --- | --- | --- |",
  ]
  for key, s in results["summary"].items():
    peer = results["peers"][key]
    target = "—" if s["target"] is None else (
        f"≤ {s['target']:g} ({'met' if s['meets_target'] else 'not met'})")
    lines.append(
        f"| `{key}`: {peer['description']} | `{peer['jgssl_config']}` | "
        f"{_fmt_list(s['ratios'], '{:.3f}')} | **{s['median_ratio']:.3f}** | {target} | "
        f"{_fmt_list(s['peer_medians_s'], '{:.4f}')} | {_fmt_list(s['jgssl_medians_s'], '{:.4f}')} |")
  lines += [
      "",
      "## Every run",
      "",
      "| pair | side | median s/epoch | first call s | peak RSS MB | CPU s / wall s | "
      "load avg 1 min (before → after) |",
      "| --- | --- | --- | --- | --- | --- | --- |",
  ]
  for run in results["runs"]:
    cpu = run.get("cpu_per_wall")
    lines.append(
        f"| {run['pair']} | {run['side']} | {run['median_epoch_s']:.4f} | "
        f"{run.get('first_call_s', float('nan')):.2f} | {run.get('peak_rss_mb', float('nan')):.0f} | "
        f"{'—' if cpu is None else f'{cpu:.2f}'} | "
        f"{run['load_before'][0]:.2f} → {run['load_after'][0]:.2f} |")
  notes = results.get("notes") or []
  if notes:
    lines += ["", "## Notes", ""] + [f"* {n}" for n in notes]
  lines += [
      "",
      "CPU s / wall s is the whole subprocess (start-up and compilation included) for jgssl and "
      "the timed epochs for the peers; at most the thread count when the limit holds, well "
      "below it when other work shares the cores. See the docstring of "
      "`benchmarks/peers/run.py` for what each peer computes and the caveats.",
      "",
  ]
  return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# The peer virtual environment.


def _log(msg: str) -> None:
  print(f"[peers] {msg}", flush=True)


def _run_checked(cmd: Sequence[str], **kw) -> subprocess.CompletedProcess:
  _log("$ " + " ".join(str(c) for c in cmd))
  proc = subprocess.run([str(c) for c in cmd], text=True, capture_output=True, **kw)
  if proc.returncode != 0:
    tail = (proc.stdout + proc.stderr)[-4000:]
    raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{tail}")
  return proc


def venv_python(venv: pathlib.Path) -> pathlib.Path:
  return venv / "bin" / "python"


_PROBE = (
    "import json, sys; sys.path.insert(0, {scripts!r}); import _common; "
    "gcl = _common.import_pygcl(); import torch, torch_geometric, numpy, scipy; "
    "from importlib.metadata import version; "
    "print(json.dumps({{'torch': torch.__version__, 'cuda': torch.version.cuda, "
    "'torch_geometric': torch_geometric.__version__, 'PyGCL': version('PyGCL'), "
    "'numpy': numpy.__version__, 'scipy': scipy.__version__, "
    "'stubbed': list(gcl.stubbed_dependencies), 'python': sys.version.split()[0]}}))")


def _probe(venv: pathlib.Path) -> Optional[dict]:
  python = venv_python(venv)
  if not python.exists():
    return None
  proc = subprocess.run([str(python), "-c", _PROBE.format(scripts=str(SCRIPTS))], text=True,
                        capture_output=True)
  if proc.returncode != 0:
    return None
  try:
    return json.loads(proc.stdout.strip().splitlines()[-1])
  except (ValueError, IndexError):
    return None


def _spec() -> dict:
  return {"torch": TORCH_VERSION, "torch_index": TORCH_CPU_INDEX, "pyg": PYG_SPEC,
          "pygcl": PYGCL_SPEC, "deps": list(PYGCL_DEPS)}


def ensure_venv(venv: pathlib.Path = DEFAULT_VENV, *, python: str = sys.executable) -> dict:
  """Creates (if missing) and fills the peer venv; returns the probed versions.

  Idempotent: when ``<venv>/jgssl-peers.json`` records the current spec and the probe imports
  torch (a CPU build), torch_geometric and PyGCL, nothing is installed.
  """
  venv = pathlib.Path(venv)
  stamp = venv / STAMP
  if stamp.exists():
    try:
      recorded = json.loads(stamp.read_text())
    except ValueError:
      recorded = {}
    if recorded.get("spec") == _spec():
      versions = _probe(venv)
      if versions is not None and versions["cuda"] is None:
        _log(f"peer venv ready at {venv} (torch {versions['torch']}, torch_geometric "
             f"{versions['torch_geometric']}, PyGCL {versions['PyGCL']})")
        return versions
  _log(f"building the peer venv at {venv}")
  if not venv_python(venv).exists():
    _run_checked([python, "-m", "venv", str(venv)])
  pip = [str(venv_python(venv)), "-m", "pip"]
  t0 = time.perf_counter()
  _run_checked(pip + ["install", "--retries", "1", "--timeout", "30", "--index-url",
                      TORCH_CPU_INDEX, f"torch=={TORCH_VERSION}"])
  info = _run_checked([str(venv_python(venv)), "-c",
                       "import json, torch; print(json.dumps([torch.__version__, "
                       "torch.version.cuda]))"])
  torch_version, cuda = json.loads(info.stdout.strip().splitlines()[-1])
  if cuda is not None or not torch_version.startswith(TORCH_VERSION):
    raise RuntimeError(f"expected a CPU build of torch {TORCH_VERSION}, got {torch_version} "
                       f"(CUDA {cuda}); remove {venv} and check the CPU wheel route")
  _log(f"torch {torch_version} (CPU build) installed in {time.perf_counter() - t0:.0f} s")
  pin = venv / "torch-pin.txt"
  pin.write_text(f"torch=={torch_version}\n")
  _run_checked(pip + ["install", "-c", str(pin), PYG_SPEC, *PYGCL_DEPS])
  _run_checked(pip + ["install", "--no-deps", PYGCL_SPEC])
  versions = _probe(venv)
  if versions is None:
    raise RuntimeError(f"the peer venv at {venv} cannot import torch / torch_geometric / PyGCL "
                       "after the installs")
  stamp.write_text(json.dumps({"spec": _spec(), "versions": versions}, indent=2) + "\n")
  _log(f"peer venv ready in {time.perf_counter() - t0:.0f} s: {versions}")
  return versions


# ----------------------------------------------------------------------------------------------
# Running the two sides.


def _children_cpu_s() -> float:
  r = resource.getrusage(resource.RUSAGE_CHILDREN)
  return r.ru_utime + r.ru_stime


def _subprocess(cmd, *, env=None, timeout) -> dict:
  load_before = os.getloadavg()
  c0, t0 = _children_cpu_s(), time.perf_counter()
  proc = subprocess.run([str(c) for c in cmd], text=True, capture_output=True, env=env,
                        cwd=str(REPO), timeout=timeout)
  wall = time.perf_counter() - t0
  return {"proc": proc, "wall_s": wall, "cpu_s": _children_cpu_s() - c0,
          "load_before": list(load_before), "load_after": list(os.getloadavg())}


def run_peer(peer: Peer, *, venv, raw, cache, epochs, warmup, threads, seed, timeout) -> dict:
  """Runs one peer script in the venv; returns its result line plus load averages."""
  cmd = [venv_python(venv), SCRIPTS / peer.script, "--raw", raw, "--cache", cache,
         "--epochs", epochs, "--warmup", warmup, "--threads", threads, "--seed", seed]
  out = _subprocess(cmd, env={**os.environ, "PYTHONWARNINGS": "ignore::UserWarning"},
                    timeout=timeout)
  proc = out["proc"]
  if proc.returncode != 0:
    raise RuntimeError(f"peer {peer.key} failed ({proc.returncode}):\n"
                       f"{(proc.stdout + proc.stderr)[-4000:]}")
  result = parse_marked_json(proc.stdout, PEER_PREFIX)
  result.update(side=peer.key, first_call_s=result.pop("first_epoch_s"),
                process_wall_s=out["wall_s"], load_before=out["load_before"],
                load_after=out["load_after"])
  return result


def run_jgssl(method: str, *, data_root, epochs, warmup, threads, timeout) -> dict:
  """``benchmarks.suites.run_jgssl_cora`` in a fresh process (:func:`benchmarks.run.
  call_in_subprocess`, the harness's own runner), plus CPU / wall and load averages."""
  from benchmarks import run as harness  # pylint: disable=import-outside-toplevel
  env = {"JAX_PLATFORMS": "cpu", "JGSSL_DATA_DIR": str(data_root), "JGSSL_OFFLINE": "1"}
  load_before = os.getloadavg()
  c0, t0 = _children_cpu_s(), time.perf_counter()
  result = harness.call_in_subprocess(
      "run_jgssl_cora", {"method": method, "epochs": epochs, "warmup": warmup,
                         "threads": threads}, timeout_s=timeout, env=env)
  wall, cpu = time.perf_counter() - t0, _children_cpu_s() - c0
  if "error" in result:
    raise RuntimeError(f"jgssl {method} failed ({result.get('status')}):\n{result['error']}")
  result.update(side=f"jgssl {method}", process_wall_s=wall,
                cpu_per_wall=cpu / wall if wall > 0 else None,
                load_before=list(load_before), load_after=list(os.getloadavg()))
  return result


def _default_data_root() -> pathlib.Path:
  env = os.environ.get("JGSSL_DATA_DIR")
  if env:
    return pathlib.Path(env).expanduser()
  return (REPO.parent / "shared" / "datasets").resolve()


def cpu_model() -> str:
  """The CPU's model name from /proc/cpuinfo (else platform.processor())."""
  try:
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
      if line.startswith("model name"):
        return line.split(":", 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or "unknown CPU"


def _git_state() -> dict:
  """HEAD, and whether (and how) jgssl's sources differ from it: the jgssl side runs the working
  tree, so a sha1 of ``git diff HEAD`` over jgssl/, experiments/ and benchmarks/suites.py is kept
  at the start and at the end of the run (equal hashes: the code did not change under the run).
  """
  def git(*a):
    proc = subprocess.run(["git", *a], cwd=str(REPO), text=True, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None
  paths = ["--", "jgssl", "experiments", "benchmarks/suites.py"]
  head, diff = git("rev-parse", "--short", "HEAD"), git("diff", "HEAD", *paths)
  return {"head": None if head is None else head.strip(),
          "jgssl_tree_dirty": None if diff is None else bool(diff),
          "jgssl_diff_sha1": (hashlib.sha1(diff.encode()).hexdigest()[:12] if diff else None)}


def _parse_args(argv):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--pairs", type=int, default=3, help="alternating pairs per peer (default 3)")
  p.add_argument("--epochs", type=int, default=20, help="timed epochs per run (default 20)")
  p.add_argument("--warmup", type=int, default=2,
                 help="untimed epochs after the first (compiling) call (default 2)")
  p.add_argument("--threads", type=int, default=2, help="threads / cores per side (default 2)")
  p.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                 help=f"comma-separated peers among {sorted(PEERS)}, or 'all' "
                      f"(default {','.join(DEFAULT_METHODS)})")
  p.add_argument("--seed", type=int, default=0, help="torch seed of the peers")
  p.add_argument("--venv", type=pathlib.Path, default=DEFAULT_VENV)
  p.add_argument("--data-root", type=pathlib.Path, default=None,
                 help="jgssl data root holding cora/raw (default $JGSSL_DATA_DIR or "
                      "../shared/datasets beside the checkout)")
  p.add_argument("--out", type=pathlib.Path, default=HERE,
                 help="folder for results.json and RESULTS.md (default benchmarks/peers)")
  p.add_argument("--cache", type=pathlib.Path, default=DEFAULT_CACHE,
                 help="folder the peers copy Cora into for torch_geometric (default "
                      "benchmarks/peers/.cache, git-ignored)")
  p.add_argument("--timeout", type=int, default=1800, help="seconds per subprocess")
  p.add_argument("--setup-only", action="store_true", help="build the venv and stop")
  p.add_argument("--render-only", action="store_true",
                 help="only rewrite RESULTS.md from the results.json in --out")
  args = p.parse_args(argv)
  if args.pairs < 1 or args.epochs < 1 or args.warmup < 0 or args.threads < 1:
    p.error("need --pairs >= 1, --epochs >= 1, --warmup >= 0, --threads >= 1")
  keys = list(PEERS) if args.methods.strip() == "all" else [
      k.strip() for k in args.methods.split(",") if k.strip()]
  unknown = [k for k in keys if k not in PEERS]
  if unknown or not keys:
    p.error(f"unknown --methods {unknown or args.methods!r}; choose from {sorted(PEERS)} or 'all'")
  args.keys = list(dict.fromkeys(keys))
  return args


def cora_raw_dir(data_root: Optional[pathlib.Path] = None) -> pathlib.Path:
  """``<data_root>/cora/raw`` (default root: ``$JGSSL_DATA_DIR`` or ``../shared/datasets``)."""
  return planetoid_raw_dir("cora", data_root)


def planetoid_raw_dir(name: str, data_root: Optional[pathlib.Path] = None) -> pathlib.Path:
  """``<data_root>/<name>/raw`` of a Planetoid graph (``name``: ``cora`` / ``citeseer``)."""
  raw = pathlib.Path(data_root or _default_data_root()) / name / "raw"
  if not (raw / f"ind.{name}.x").exists():
    raise SystemExit(f"{name} raw files not found under {raw} (set --data-root or "
                     "$JGSSL_DATA_DIR)")
  return raw


def main(argv=None) -> int:
  args = _parse_args(argv)
  if args.render_only:
    results = json.loads((args.out / "results.json").read_text())
    (args.out / "RESULTS.md").write_text(render_markdown(results))
    _log(f"wrote {args.out / 'RESULTS.md'} from {args.out / 'results.json'}")
    return 0
  command = "python -m benchmarks.peers.run " + " ".join(
      argv if argv is not None else sys.argv[1:])
  versions = ensure_venv(args.venv)
  if args.setup_only:
    return 0
  # The jgssl side reads the same root as the peers (its subprocess gets it as $JGSSL_DATA_DIR).
  data_root = pathlib.Path(args.data_root or _default_data_root()).resolve()
  raw = cora_raw_dir(data_root)
  args.cache = args.cache.resolve()
  args.cache.mkdir(parents=True, exist_ok=True)

  groups: Dict[str, List[str]] = {}
  for key in args.keys:
    groups.setdefault(PEERS[key].jgssl_method, []).append(key)
  common = dict(epochs=args.epochs, warmup=args.warmup, threads=args.threads)
  load_start = os.getloadavg()
  git_start = _git_state()
  runs, per_peer = [], {k: [] for k in args.keys}
  notes = []
  t_start = time.perf_counter()
  for i in range(args.pairs):
    for method, keys in groups.items():
      pair_results = {}
      for who in pair_order(keys, i):
        _log(f"pair {i + 1}/{args.pairs}: {who if who != 'jgssl' else 'jgssl ' + method} "
             f"(load {os.getloadavg()[0]:.2f}, {time.perf_counter() - t_start:.0f} s elapsed)")
        if who == "jgssl":
          r = run_jgssl(method, data_root=data_root, timeout=args.timeout, **common)
        else:
          r = run_peer(PEERS[who], venv=args.venv, raw=raw, cache=args.cache,
                       seed=args.seed, timeout=args.timeout, **common)
        r["pair"] = i
        runs.append(r)
        pair_results[who] = r
        _log(f"  median {r['median_epoch_s']:.4f} s/epoch, peak RSS {r['peak_rss_mb']:.0f} MB")
      for key in keys:
        ratio = pair_ratio(pair_results["jgssl"]["median_epoch_s"],
                           pair_results[key]["median_epoch_s"])
        per_peer[key].append({"pair": i, "peer_median_s": pair_results[key]["median_epoch_s"],
                              "jgssl_median_s": pair_results["jgssl"]["median_epoch_s"],
                              "ratio": ratio})
        _log(f"  {key}: jgssl / peer = {ratio:.3f}")

  summary = {k: summarize(per_peer[k], target=PEERS[k].target) for k in args.keys}
  results = {
      "command": command,
      "date": datetime.datetime.now().isoformat(timespec="seconds"),
      "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(),
                  "affinity": sorted(os.sched_getaffinity(0))},
      "settings": {"pairs": args.pairs, "epochs": args.epochs, "warmup": args.warmup,
                   "threads": args.threads, "seed": args.seed, "methods": args.keys},
      "venv": versions,
      "peers": {k: {"script": f"benchmarks/peers/scripts/{PEERS[k].script}",
                    "jgssl_config": f"experiments/configs/{PEERS[k].jgssl_method}.py:cora",
                    "description": PEERS[k].description} for k in args.keys},
      "git": {"start": git_start, "end": _git_state()},
      "load_avg_start": list(load_start),
      "load_avg_end": list(os.getloadavg()),
      "elapsed_s": time.perf_counter() - t_start,
      "summary": summary,
      "pairs": per_peer,
      "runs": runs,
      "notes": notes,
  }
  args.out.mkdir(parents=True, exist_ok=True)
  (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
  (args.out / "RESULTS.md").write_text(render_markdown(results))
  _log(f"wrote {args.out / 'results.json'} and {args.out / 'RESULTS.md'}")
  for key, s in summary.items():
    target = "" if s["target"] is None else f" (target <= {s['target']:g}: " \
        f"{'met' if s['meets_target'] else 'not met'})"
    _log(f"{key}: ratios {_fmt_list(s['ratios'], '{:.3f}')}, median {s['median_ratio']:.3f}"
         f"{target}")
  return 0


if __name__ == "__main__":
  sys.exit(main())

"""The jgssl benchmark harness: ``python -m benchmarks.run --suite {cora,scaling,roofline}``.

Every measurement runs in a fresh subprocess (``python -m benchmarks.suites '<call>'``), so each
peak resident set size is that suite's own, a crash or a memory cap kills only that suite, and
each process compiles from scratch (compile time is honest).

Suites:

* ``cora`` — GRACE, DGI, BGRL and GraphMAE with their official Cora configs
  (``experiments/configs/<method>.py:cora``): median seconds per training epoch after
  compilation, compile seconds, counted compilations, peak RSS, XLA's FLOPs per epoch; plus this
  machine's matmul GFLOP/s (the ``roofline`` suite) and, per method, the FLOP floor
  ``flops / GFLOP/s`` and the ratio of the measured epoch time to it. ``--methods`` takes any
  node-level config with the variant ``--variant`` (default ``cora``), e.g. ``--methods mvgrl
  --variant citeseer``, each optionally with ``[key=value;...]`` config overrides (a plug-in
  against its base: ``grace_pot[model.pot_kappa=0.0]`` is GRACE without POT).
* ``scaling`` — GRACE (exact chunked InfoNCE), BGRL and GraphMAE on contextual SBMs of 10k to
  200k nodes (each size in its own process, with a wall-clock cap and a resident-memory cap
  enforced by a watchdog), the dense similarity's memory at each size (computed, not run), a
  table and a PNG plot (seconds per epoch and peak memory against nodes).
* ``roofline`` — matmul GFLOP/s only.
* ``infonce`` — the exact chunked GRACE InfoNCE alone (value and gradient) at ``--sizes`` rows,
  its peak memory and its agreement with the dense form (:mod:`benchmarks.chunked_infonce`).

Every run prints a table and writes JSON (``--out``) with the load average before and after:
the machine may be shared, so compare medians of runs made side by side.

Examples::

  python -m benchmarks.run --suite cora --epochs 20 --out benchmarks/results/cora.json
  python -m benchmarks.run --suite cora --methods grace,dgi --epochs 5
  python -m benchmarks.run --suite cora --methods mvgrl --variant citeseer --epochs 5
  python -m benchmarks.run --suite cora --methods "grace_pot[model.pot_kappa=0.0],grace_pot"
  python -m benchmarks.run --suite scaling --sizes 10000,20000 --out benchmarks/results/scaling.json
  python -m benchmarks.run --suite roofline
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks import suites

ROOT = pathlib.Path(__file__).resolve().parent.parent
_MARK = "@@RESULT@@"


def _rss_mb(pid: int) -> float:
  """Current resident set size of ``pid`` and its children in MiB (0 when gone)."""
  total = 0.0
  pids = [pid]
  try:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
      pids += [int(p) for p in f.read().split()]
  except OSError:
    pass
  for p in pids:
    try:
      with open(f"/proc/{p}/status") as f:
        for line in f:
          if line.startswith("VmRSS:"):
            total += float(line.split()[1]) / 1024.0
    except OSError:
      continue
  return total


def call_in_subprocess(fn: str, kwargs: Dict[str, Any], *, timeout_s: Optional[float] = None,
                       rss_cap_mb: Optional[float] = None,
                       env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
  """Runs ``benchmarks.suites.<fn>(**kwargs)`` in a fresh Python process.

  Args:
    fn: a name in ``benchmarks.suites._CALLABLE``.
    kwargs: JSON-ready keyword arguments.
    timeout_s: wall-clock cap; the process is killed when it runs longer.
    rss_cap_mb: resident-memory cap, checked every 0.2 s by a watchdog that kills the process.
    env: extra environment variables.

  Returns:
    The function's result dict, or ``{'error': ..., 'status': 'timeout' | 'rss_cap' |
    'failed', 'max_rss_seen_mb': ...}``.
  """
  call = json.dumps({"fn": fn, "kwargs": kwargs})
  full_env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH",
                                                                                  "")}
  full_env.update(env or {})
  proc = subprocess.Popen([sys.executable, "-m", "benchmarks.suites", call], cwd=str(ROOT),
                          env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
  state = {"max_rss": 0.0, "killed": None}

  def watchdog():
    start = time.monotonic()
    while proc.poll() is None:
      rss = _rss_mb(proc.pid)
      state["max_rss"] = max(state["max_rss"], rss)
      if rss_cap_mb is not None and rss > rss_cap_mb:
        state["killed"] = "rss_cap"
        proc.kill()
        return
      if timeout_s is not None and time.monotonic() - start > timeout_s:
        state["killed"] = "timeout"
        proc.kill()
        return
      time.sleep(0.2)

  thread = threading.Thread(target=watchdog, daemon=True)
  thread.start()
  output, _ = proc.communicate()
  thread.join()
  for line in reversed(output.splitlines()):
    if line.startswith(_MARK):
      result = json.loads(line[len(_MARK):])
      result["max_rss_seen_mb"] = state["max_rss"]
      return result
  tail = "\n".join(output.splitlines()[-15:])
  return {"error": tail, "status": state["killed"] or "failed",
          "max_rss_seen_mb": state["max_rss"], "returncode": proc.returncode}


def _machine() -> Dict[str, Any]:
  return {"platform": platform.platform(), "python": platform.python_version(),
          "cpus": os.cpu_count(), "load_avg_start": list(os.getloadavg())}


def _fmt(value, spec: str, missing: str = "-") -> str:
  return missing if value is None else format(value, spec)


# ---------------------------------------------------------------------------------------------
# Suites
# ---------------------------------------------------------------------------------------------


def _matmul_kwargs(args) -> Dict[str, Any]:
  if not args.matmul_sizes:
    return {}
  return {"sizes": [[int(v) for v in s.split("x")] for s in args.matmul_sizes.split(",")]}


def suite_roofline(args) -> Dict[str, Any]:
  roof = call_in_subprocess("matmul_gflops", _matmul_kwargs(args))
  print(f"{'matmul (m x k x n)':<22} {'best GFLOP/s':>13} {'median GFLOP/s':>15} "
        f"{'GFLOP/CPU-s':>12}")
  for shape, v in roof.get("shapes", {}).items():
    print(f"{shape:<22} {v['best_gflops']:>13.1f} {v['median_gflops']:>15.1f} "
          f"{_fmt(v.get('median_cpu_gflops'), '12.1f')}")
  print(f"peak (best median): {roof.get('peak_gflops', float('nan')):.1f} GFLOP/s wall, "
        f"{_fmt(roof.get('peak_cpu_gflops'), '.1f')} GFLOP per CPU second")
  return {"suite": "roofline", **roof}


def method_token(token: str) -> Tuple[str, List[str]]:
  """``'grace_pot[model.pot_kappa=0.0;epochs=5]'`` -> ``('grace_pot', ['model.pot_kappa=0.0',
  'epochs=5'])``: a config name and its ``--config.`` overrides (a plug-in and its base)."""
  match = re.fullmatch(r"([\w-]+)(?:\[(.*)\])?", token.strip())
  if match is None:
    raise ValueError(f"bad --methods entry {token!r}: use name or name[key=value;key=value]")
  overrides = [o.strip() for o in (match.group(2) or "").split(";") if o.strip()]
  return match.group(1), overrides


def suite_cora(args) -> Dict[str, Any]:
  methods = [m.strip() for m in re.split(r",(?![^\[]*\])", args.methods) if m.strip()]
  roof = call_in_subprocess("matmul_gflops", _matmul_kwargs(args))
  peak = roof.get("peak_gflops")
  rows: List[Dict[str, Any]] = []
  for m in methods:
    name, overrides = method_token(m)
    r = call_in_subprocess("run_jgssl_cora", {"method": name, "variant": args.variant,
                                              "epochs": args.epochs, "warmup": args.warmup,
                                              "threads": args.threads, "overrides": overrides},
                           timeout_s=args.timeout)
    r.setdefault("method", m)
    if "error" not in r and peak and r.get("flops_per_epoch"):
      r["floor_s"] = r["flops_per_epoch"] / (peak * 1e9)
      r["floor_ratio"] = r["median_epoch_s"] / r["floor_s"]
      peak_cpu = roof.get("peak_cpu_gflops")
      if peak_cpu and r.get("median_epoch_cpu_s"):
        # The same ratio in CPU seconds: robust when other processes share the cores.
        r["floor_cpu_s"] = r["flops_per_epoch"] / (peak_cpu * 1e9)
        r["floor_ratio_cpu"] = r["median_epoch_cpu_s"] / r["floor_cpu_s"]
    rows.append(r)
  print(f"matmul roofline: {_fmt(peak, '.1f')} GFLOP/s wall, "
        f"{_fmt(roof.get('peak_cpu_gflops'), '.1f')} GFLOP per CPU second")
  head = (f"{'method':<9} {'s/epoch':>8} {'cpu s/ep':>8} {'compile s':>9} {'cpu':>6} "
          f"{'compiles':>8} {'peak MB':>8} {'dev MB':>7} {'GFLOP/ep':>9} {'floor s':>8} "
          f"{'ratio':>6} {'cpu ratio':>9}")
  print(head)
  for r, m in zip(rows, methods):
    r["method"] = m
    if "error" in r:
      print(f"{r['method']:<9} FAILED ({r['status']}): {r['error'].splitlines()[-1][:80]}")
      continue
    print(f"{r['method']:<9} {r['median_epoch_s']:>8.4f} "
          f"{_fmt(r.get('median_epoch_cpu_s'), '8.4f')} {r['compile_s']:>9.2f} "
          f"{_fmt(r.get('compile_cpu_s'), '6.1f')} {r['compilations']:>8d} "
          f"{r['peak_rss_mb']:>8.0f} {_fmt(r.get('device_peak_mb'), '7.0f')} "
          f"{_fmt(r['flops_per_epoch'] and r['flops_per_epoch'] / 1e9, '9.2f')} "
          f"{_fmt(r.get('floor_s'), '8.4f')} {_fmt(r.get('floor_ratio'), '6.2f')} "
          f"{_fmt(r.get('floor_ratio_cpu'), '9.2f')}")
  return {"suite": "cora", "variant": args.variant, "epochs": args.epochs, "warmup": args.warmup,
          "roofline": roof, "results": rows}


def suite_scaling(args) -> Dict[str, Any]:
  methods = [m.strip() for m in args.methods.split(",") if m.strip()]
  methods = [m for m in methods if m in suites.SCALING_METHODS] or list(suites.SCALING_METHODS)
  sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(suites.SCALING_SIZES)
  rows = []
  for n in sizes:
    dense = call_in_subprocess("dense_similarity_bytes", {"num_nodes": n}, timeout_s=600)
    for m in methods:
      epochs = args.epochs if n <= 20_000 else 1  # one epoch of exact GRACE at 200k: ~20 min
      r = call_in_subprocess("run_scaling", {"method": m, "num_nodes": n, "epochs": epochs,
                                             "warmup": 0},
                             timeout_s=args.timeout, rss_cap_mb=args.rss_cap_gb * 1024)
      r.update(method=m, num_real_nodes=n)
      if m == "grace":
        r["dense_similarity"] = dense
      rows.append(r)
      _print_scaling_row(r)
      if args.out:  # partial results survive an interrupted run
        _write(args.out, {"suite": "scaling", "partial": True, "results": rows})
  result = {"suite": "scaling", "rss_cap_gb": args.rss_cap_gb, "timeout_s": args.timeout,
            "results": rows}
  if args.plot:
    plot_scaling(rows, args.plot)
    result["plot"] = args.plot
  return result


def _print_scaling_row(r) -> None:
  if "error" in r:
    print(f"{r['method']:<9} {r['num_real_nodes']:>8d}  {r['status']} "
          f"(max RSS seen {r['max_rss_seen_mb']:.0f} MB)", flush=True)
    return
  dense = r.get("dense_similarity") or {}
  print(f"{r['method']:<9} {r['num_real_nodes']:>8d} {r['median_epoch_s']:>10.3f} s/epoch "
        f"{r['compile_s']:>7.1f} s compile {r['peak_rss_mb']:>8.0f} MB peak "
        f"{r['compilations']} compile(s)"
        + (f" {r['device_peak_mb']:.0f} MB device peak" if r.get("device_peak_mb") else "")
        + (f"  dense N x N matrix {dense['per_matrix_gb']:.1f} GB" if dense else ""), flush=True)


def plot_scaling(rows: Sequence[Dict[str, Any]], path: str) -> None:
  """PNG: seconds per epoch and peak RSS against nodes, one line per method (log-log)."""
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
  for m in sorted({r["method"] for r in rows}):
    ok = sorted((r for r in rows if r["method"] == m and "error" not in r),
                key=lambda r: r["num_real_nodes"])
    if not ok:
      continue
    ns = [r["num_real_nodes"] for r in ok]
    ax1.plot(ns, [r["median_epoch_s"] for r in ok], "o-", label=m)
    ax2.plot(ns, [r["peak_rss_mb"] / 1024 for r in ok], "o-", label=m)
  dense = sorted(((r["num_real_nodes"], r["dense_similarity"])
                  for r in rows if r.get("dense_similarity")), key=lambda t: t[0])
  if dense:
    # XLA's plan for jgssl's dense InfoNCE (value + gradient) when available, else 3 N x N.
    planned = all(d.get("xla_temp_gb") for _, d in dense)
    gib = [(d["xla_temp_gb"] if planned else 3 * d["per_matrix_gb"]) / 1.073741824
           for _, d in dense]
    ax2.plot([n for n, _ in dense], gib, "k--",
             label=("dense GRACE InfoNCE, XLA plan (not run)" if planned
                    else "dense GRACE: 3 N×N float32 (computed)"))
    ax2.axhline(24, color="r", lw=0.8, ls=":", label="24 GiB")
  for ax, title, unit in ((ax1, "seconds per epoch", "s"), (ax2, "peak resident memory", "GiB")):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("nodes (contextual SBM, avg degree 10, 128 features)")
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


def _write(path: str, obj) -> None:
  pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
  tmp = pathlib.Path(str(path) + ".tmp")
  tmp.write_text(json.dumps(obj, indent=1) + "\n")
  os.replace(tmp, path)


def suite_infonce(args) -> Dict[str, Any]:
  """Exact chunked GRACE InfoNCE alone (value + gradient) at ``--sizes`` rows, vs dense."""
  sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [50_000]
  rows = []
  for n in sizes:
    r = call_in_subprocess("chunked_infonce", {"n": n}, timeout_s=args.timeout,
                           rss_cap_mb=args.rss_cap_gb * 1024)
    rows.append(r)
    if "error" in r:
      print(f"N={n}: {r['status']}")
  return {"suite": "infonce", "results": rows}


SUITES = {"cora": suite_cora, "scaling": suite_scaling, "roofline": suite_roofline,
          "infonce": suite_infonce}


def main(argv=None) -> Dict[str, Any]:
  parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--suite", choices=sorted(SUITES), default="cora")
  parser.add_argument("--methods", default=",".join(suites.CORA_METHODS),
                      help="comma-separated methods (cora: grace,dgi,bgrl,graphmae; scaling: "
                           "grace,bgrl,graphmae)")
  parser.add_argument("--variant", default="cora",
                      help="cora suite: the config variant to time (e.g. citeseer)")
  parser.add_argument("--epochs", type=int, default=20, help="timed epochs per suite")
  parser.add_argument("--warmup", type=int, default=2, help="untimed epochs after compiling")
  parser.add_argument("--threads", type=int, default=None, help="pin each run to N cores")
  parser.add_argument("--sizes", default=None, help="scaling: comma-separated node counts")
  parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per subprocess")
  parser.add_argument("--rss-cap-gb", type=float, default=24.0, help="scaling: memory cap")
  parser.add_argument("--plot", default=None, help="scaling: PNG path")
  parser.add_argument("--matmul-sizes", default=None,
                      help="roofline shapes 'MxKxN,...' (default: 2048 cube and the two Cora "
                           "shapes)")
  parser.add_argument("--out", default=None, help="JSON path")
  args = parser.parse_args(argv)
  if args.suite == "scaling" and args.methods == ",".join(suites.CORA_METHODS):
    args.methods = ",".join(suites.SCALING_METHODS)
  machine = _machine()
  t0 = time.time()
  result = SUITES[args.suite](args)
  result.update(machine=machine, wall_s=time.time() - t0,
                load_avg_end=list(os.getloadavg()), argv=list(argv or sys.argv[1:]))
  if args.out:
    _write(args.out, result)
    print(f"wrote {args.out}")
  return result


if __name__ == "__main__":
  main()

"""Measures every trained check over seeds and XLA numeric settings; writes tests/margins.json.

  python tests/measure_margins.py                         # all checks, seeds 0-9, 3 settings
  python tests/measure_margins.py --only methods/test_mvgrl.py --jobs 2

Each (module, setting) runs in its own process with ``XLA_FLAGS`` set before JAX starts, all its
checks over all seeds in that one process (one compilation per check). Results are merged into
``tests/margins.json`` (a check measured again replaces its old data). See ``tests/margins.py``
for what the data are for; ``tests/test_margins.py`` reads them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

_TESTS = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(_TESTS), str(_TESTS.parent)]
import margins  # pylint: disable=wrong-import-position
from benchmarks.peers.run import cpu_model  # pylint: disable=wrong-import-position


def worker(relpath: str, seeds: int, names: list[str] | None) -> dict:
  """In this process: every check of ``relpath`` (or ``names``) over seeds ``0..seeds-1``."""
  out = {}
  for name, (measure, _) in margins.registry(relpath).items():
    if names and name not in names:
      continue
    values = []
    for seed in range(seeds):
      t = time.perf_counter()
      v = {q: float(x) for q, x in measure(seed).items()}
      values.append(v)
      print(f"{relpath}::{name} seed {seed}: "
            + ", ".join(f"{q}={x:.4f}" for q, x in v.items())
            + f" ({time.perf_counter() - t:.1f} s)", file=sys.stderr, flush=True)
    out[name] = {"values": values, "source_hash": margins.source_hash(measure)}
  return out


def _run(relpath: str, setting: str, seeds: int, names) -> tuple[str, str, dict]:
  env = dict(os.environ, XLA_FLAGS=margins.SETTINGS[setting])
  with tempfile.TemporaryDirectory() as tmp:
    out = pathlib.Path(tmp) / "out.json"
    cmd = [sys.executable, __file__, "--worker", relpath, "--out", str(out),
           "--seeds", str(seeds)]
    for n in names or ():
      cmd += ["--name", n]
    log = pathlib.Path(tmp) / "log.txt"
    with open(log, "w") as f:
      code = subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT,
                            check=False).returncode
    sys.stderr.write(log.read_text())
    if code != 0:
      raise RuntimeError(f"{relpath} [{setting}] failed with exit status {code}")
    return relpath, setting, json.loads(out.read_text())


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--only", action="append", help="a module under tests/ (repeatable)")
  p.add_argument("--name", action="append", help="only this check name (repeatable)")
  p.add_argument("--settings", default=",".join(margins.SETTINGS))
  p.add_argument("--seeds", type=int, default=margins.MIN_SEEDS)
  p.add_argument("--jobs", type=int, default=2)
  p.add_argument("--file", type=pathlib.Path, default=margins.MARGINS_FILE,
                 help="the JSON file the values are merged into")
  p.add_argument("--worker", help=argparse.SUPPRESS)
  p.add_argument("--out", help=argparse.SUPPRESS)
  args = p.parse_args(argv)
  if args.worker:
    result = worker(args.worker, args.seeds, args.name)
    pathlib.Path(args.out).write_text(json.dumps(result))
    return 0
  modules = args.only or list(margins.MODULES)
  settings = args.settings.split(",")
  data = margins.read_measurements(args.file)
  started = time.time()
  jobs = [(m, s) for m in modules for s in settings]
  with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
    futures = [pool.submit(_run, m, s, args.seeds, args.name) for m, s in jobs]
    failed = []
    for f in concurrent.futures.as_completed(futures):
      try:
        relpath, setting, result = f.result()
      except RuntimeError as e:  # keep what the other jobs measured
        failed.append(str(e))
        print(e, file=sys.stderr, flush=True)
        continue
      for name, rec in result.items():
        entry = data["checks"].setdefault(margins.check_id(relpath, name), {})
        if entry.get("source_hash") not in (None, rec["source_hash"]):
          entry.clear()  # the check changed: its old settings' values are stale
        entry["source_hash"] = rec["source_hash"]
        entry.setdefault("values", {})[setting] = rec["values"]
        entry.setdefault("measured", {})[setting] = {
            "cpu": cpu_model(), "xla_flags": margins.SETTINGS[setting],
            "date": datetime.date.today().isoformat(),
        }
      _write(args.file, data)  # after every job: a crash later loses nothing
      print(f"done {relpath} [{setting}] ({time.time() - started:.0f} s)", flush=True)
  return 1 if failed else 0


def _write(path: pathlib.Path, data: dict) -> None:
  data["command"] = "python tests/measure_margins.py  (see its docstring for --only / --jobs)"
  data["checks"] = dict(sorted(data["checks"].items()))
  tmp = path.with_suffix(".tmp")
  tmp.write_text(json.dumps(data, indent=1) + "\n")
  os.replace(tmp, path)


if __name__ == "__main__":
  sys.exit(main())

"""Accuracy cross-check: the official GRACE code over several seeds, scored by jgssl's probe.

Usage (from the repository root, with the project's interpreter)::

  python -m benchmarks.peers.accuracy --seeds 10 --out benchmarks/peers/grace_official_cora.json

For each seed ``39788 + i`` (the Cora ``config.yaml`` seed first, as jgssl's reproduction uses
them), ``scripts/grace_official_embeddings.py`` trains CRIPAC-DIG/GRACE's model with its train
step for 200 epochs in the peers' venv (built by :func:`benchmarks.peers.run.ensure_venv`) and
saves the embeddings; jgssl then scores them with :func:`jgssl.evaluate.lr_rand_sklearn_grace`
(GRACE's ``label_classification``: 10 % / 90 % random splits, 3 repeats), the probe
``experiments/configs/grace.py:cora`` uses. The table answers whether a gap between jgssl's
10-seed mean and the paper's number is jgssl's or the seed spread of the method itself.
Not part of CI (it trains PyTorch models for minutes per seed).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List, Optional, Sequence

from benchmarks.peers import run as peers_run

SCRIPT = peers_run.HERE / "scripts" / "grace_official_embeddings.py"
FIRST_SEED = 39788  # CRIPAC-DIG/GRACE config.yaml, Cora


def official_grace_accuracy(seeds: Sequence[int], *, threads: int = 1, epochs: int = 200,
                            venv: pathlib.Path = peers_run.DEFAULT_VENV,
                            data_root: Optional[pathlib.Path] = None,
                            out: Optional[pathlib.Path] = None) -> dict:
  """Trains the official GRACE once per seed and scores each run with jgssl's GRACE probe.

  Args:
    out: JSON path, rewritten after every seed (a stopped run keeps its finished seeds).

  Returns:
    ``{'per_seed': [{'seed', 'test_acc', 'test_acc_std', 'train_s'}], 'mean', 'std' (ddof 0,
    over seeds, percent), 'venv': versions}``.
  """
  import numpy as np  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  versions = peers_run.ensure_venv(venv)
  raw = peers_run.cora_raw_dir(data_root)
  rows: List[dict] = []
  with tempfile.TemporaryDirectory() as tmp:
    for seed in seeds:
      out = pathlib.Path(tmp) / f"z_{seed}.npy"
      t0 = time.perf_counter()
      subprocess.run([str(peers_run.venv_python(venv)), str(SCRIPT), "--raw", str(raw),
                      "--cache", str(pathlib.Path(tmp) / "cache"), "--seed", str(seed),
                      "--epochs", str(epochs), "--threads", str(threads), "--out", str(out)],
                     check=True)
      train_s = time.perf_counter() - t0
      z, y = np.load(out), np.load(str(out) + ".labels.npy")
      r = evaluate.lr_rand_sklearn_grace(z, y, seed=seed)
      rows.append({"seed": int(seed), "test_acc": 100.0 * r["micro_f1"],
                   "test_acc_std": 100.0 * r["micro_f1_std"], "train_s": train_s})
      print(f"official GRACE seed {seed}: {rows[-1]['test_acc']:.2f} "
            f"({train_s:.0f} s)", flush=True)
      accs = [r["test_acc"] for r in rows]
      result = {"per_seed": rows, "mean": statistics.fmean(accs),
                "std": statistics.pstdev(accs), "seeds_done": len(rows),
                "seeds": len(seeds), "epochs": epochs, "threads": threads, "venv": versions,
                "probe": "LR-rand-sklearn/GRACE (jgssl.evaluate.lr_rand_sklearn_grace, "
                         "seed = run seed)"}
      if out is not None:
        tmp_out = pathlib.Path(str(out) + ".tmp")
        tmp_out.write_text(json.dumps(result, indent=1) + "\n")
        tmp_out.replace(out)
  return result


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog="python -m benchmarks.peers.accuracy", description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--seeds", type=int, default=10)
  p.add_argument("--threads", type=int, default=1)
  p.add_argument("--epochs", type=int, default=200)
  p.add_argument("--venv", type=pathlib.Path, default=peers_run.DEFAULT_VENV)
  p.add_argument("--data-root", type=pathlib.Path, default=None,
                 help="jgssl data root holding cora/raw (default as benchmarks.peers.run)")
  p.add_argument("--out", default=None, help="JSON path")
  args = p.parse_args(argv)
  if args.seeds < 1 or args.epochs < 1:
    p.error("--seeds and --epochs must be >= 1")
  result = official_grace_accuracy([FIRST_SEED + i for i in range(args.seeds)],
                                   threads=args.threads, epochs=args.epochs, venv=args.venv,
                                   data_root=args.data_root,
                                   out=pathlib.Path(args.out) if args.out else None)
  print(f"official GRACE, Cora, {args.seeds} seeds: {result['mean']:.2f} ± {result['std']:.2f}")
  return 0


if __name__ == "__main__":
  sys.exit(main())

"""Accuracy cross-check: the official GRACE code over several seeds, scored by jgssl's probe.

Usage (from the repository root, with the project's interpreter)::

  python -m benchmarks.peers.accuracy --setting cora --seeds 10 \\
      --out benchmarks/peers/grace_official_cora.json
  python -m benchmarks.peers.accuracy --setting citeseer-public --seeds 5 \\
      --out benchmarks/peers/grace_official_citeseer_public.json

Each setting names a jgssl config (``experiments/configs/grace.py:<setting>``) and holds the same
hyperparameters (:data:`SETTINGS`; a test checks that they agree). For each seed
``first_seed + i`` (the config's seed first, as jgssl's reproduction numbers them),
``scripts/grace_official_embeddings.py`` trains CRIPAC-DIG/GRACE's model with its train step in
the peers' venv (built by :func:`benchmarks.peers.run.ensure_venv`) and saves the embeddings;
jgssl then scores them with the config's probe: :func:`jgssl.evaluate.lr_rand_sklearn_grace`
(random 10 % / 90 % splits, 3 repeats) or :func:`jgssl.evaluate.lr_public_sklearn_grace` (the
public Planetoid split, as DGL's GRACE example). The table answers whether a gap between
jgssl's mean and the published number is jgssl's or the seed spread of the method itself.
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
from typing import List, NamedTuple, Optional, Sequence, Tuple

from benchmarks.peers import run as peers_run

SCRIPT = peers_run.HERE / "scripts" / "grace_official_embeddings.py"


class Setting(NamedTuple):
  """One official-GRACE run, mirroring ``experiments/configs/grace.py:<name>``."""
  dataset: str          # Planetoid name, as PyG spells it
  split: str            # 'random' (LR-rand-sklearn/GRACE) or 'public' (LR-public-sklearn/GRACE)
  first_seed: int
  epochs: int
  lr: float
  weight_decay: float
  hidden: int
  proj_hidden: int
  activation: str
  drop_edge: Tuple[float, float]
  drop_feature: Tuple[float, float]
  tau: float


SETTINGS = {
    # CRIPAC-DIG/GRACE config.yaml, Cora.
    "cora": Setting("Cora", "random", 39788, 200, 5e-4, 1e-5, 128, 128, "relu", (0.2, 0.4),
                    (0.3, 0.4), 0.4),
    # dmlc/dgl examples/pytorch/grace README, the CiteSeer public-split command.
    "citeseer-public": Setting("CiteSeer", "public", 38108, 100, 1e-3, 1e-5, 512, 512, "prelu",
                               (0.3, 0.3), (0.3, 0.3), 0.4),
}


def official_grace_accuracy(seeds: Sequence[int], *, setting: str = "cora", threads: int = 1,
                            epochs: Optional[int] = None,
                            venv: pathlib.Path = peers_run.DEFAULT_VENV,
                            data_root: Optional[pathlib.Path] = None,
                            out: Optional[pathlib.Path] = None) -> dict:
  """Trains the official GRACE once per seed and scores each run with jgssl's GRACE probe.

  Args:
    seeds: torch seeds, one run each.
    setting: a key of :data:`SETTINGS`.
    threads: torch threads (and cores) of each run.
    epochs: overrides the setting's epochs (for a quick look; the table uses the setting's).
    venv: the peers' venv.
    data_root: jgssl data root holding ``<dataset>/raw``.
    out: JSON path, rewritten after every seed (a stopped run keeps its finished seeds).

  Returns:
    ``{'per_seed': [{'seed', 'test_acc', 'test_acc_std', 'train_s'}], 'mean', 'std' (ddof 0,
    over seeds, percent), 'setting', 'hyperparameters', 'venv': versions}``.
  """
  import numpy as np  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  if setting not in SETTINGS:
    raise ValueError(f"unknown setting {setting!r}; known: {sorted(SETTINGS)}")
  s = SETTINGS[setting]._replace(**({"epochs": epochs} if epochs else {}))
  versions = peers_run.ensure_venv(venv)
  raw = peers_run.planetoid_raw_dir(s.dataset.lower(), data_root)
  flags = ["--dataset", s.dataset, "--epochs", str(s.epochs), "--lr", str(s.lr),
           "--weight-decay", str(s.weight_decay), "--hidden", str(s.hidden),
           "--proj-hidden", str(s.proj_hidden), "--activation", s.activation,
           "--drop-edge", *map(str, s.drop_edge), "--drop-feature", *map(str, s.drop_feature),
           "--tau", str(s.tau)]
  rows: List[dict] = []
  result: dict = {}
  with tempfile.TemporaryDirectory() as tmp:
    for seed in seeds:
      emb = pathlib.Path(tmp) / f"z_{seed}.npy"
      t0 = time.perf_counter()
      subprocess.run([str(peers_run.venv_python(venv)), str(SCRIPT), "--raw", str(raw),
                      "--cache", str(pathlib.Path(tmp) / "cache"), "--seed", str(seed),
                      "--threads", str(threads), "--out", str(emb), *flags], check=True)
      train_s = time.perf_counter() - t0
      z, y = np.load(emb), np.load(str(emb) + ".labels.npy")
      if s.split == "public":
        split = dict(np.load(str(emb) + ".split.npz"))
        r = evaluate.lr_public_sklearn_grace(z, y, split, seed=seed)
      else:
        r = evaluate.lr_rand_sklearn_grace(z, y, seed=seed)
      rows.append({"seed": int(seed), "test_acc": 100.0 * r["micro_f1"],
                   "test_acc_std": 100.0 * r["micro_f1_std"], "train_s": train_s})
      print(f"official GRACE {setting} seed {seed}: {rows[-1]['test_acc']:.2f} "
            f"({train_s:.0f} s)", flush=True)
      accs = [row["test_acc"] for row in rows]
      result = {"setting": setting, "hyperparameters": s._asdict(), "per_seed": rows,
                "mean": statistics.fmean(accs), "std": statistics.pstdev(accs),
                "seeds_done": len(rows), "seeds": len(seeds), "epochs": s.epochs,
                "threads": threads, "venv": versions,
                "probe": f"{r.protocol} (jgssl.evaluate, seed = run seed)"}
      if out is not None:
        tmp_out = pathlib.Path(str(out) + ".tmp")
        tmp_out.write_text(json.dumps(result, indent=1) + "\n")
        tmp_out.replace(out)
  return result


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog="python -m benchmarks.peers.accuracy", description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--setting", default="cora", choices=sorted(SETTINGS))
  p.add_argument("--seeds", type=int, default=10)
  p.add_argument("--threads", type=int, default=1)
  p.add_argument("--epochs", type=int, default=None, help="default: the setting's")
  p.add_argument("--venv", type=pathlib.Path, default=peers_run.DEFAULT_VENV)
  p.add_argument("--data-root", type=pathlib.Path, default=None,
                 help="jgssl data root holding <dataset>/raw (default as benchmarks.peers.run)")
  p.add_argument("--out", default=None, help="JSON path")
  args = p.parse_args(argv)
  if args.seeds < 1 or (args.epochs is not None and args.epochs < 1):
    p.error("--seeds and --epochs must be >= 1")
  first = SETTINGS[args.setting].first_seed
  result = official_grace_accuracy([first + i for i in range(args.seeds)], setting=args.setting,
                                   threads=args.threads, epochs=args.epochs, venv=args.venv,
                                   data_root=args.data_root,
                                   out=pathlib.Path(args.out) if args.out else None)
  print(f"official GRACE, {args.setting}, {args.seeds} seeds: "
        f"{result['mean']:.2f} ± {result['std']:.2f}")
  return 0


if __name__ == "__main__":
  sys.exit(main())

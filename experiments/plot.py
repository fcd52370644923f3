"""``python -m experiments.plot --workdir DIR``: loss curve and t-SNE of the final embeddings.

Reads ``DIR/metrics.jsonl`` and ``DIR/embeddings.npy`` / ``DIR/labels.npy`` (written by
:mod:`experiments.train`) and saves ``DIR/loss.png`` and ``DIR/tsne.png`` (matplotlib, Agg
backend, no display needed). The t-SNE uses at most ``--max_points`` rows, drawn with a seeded
NumPy generator.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Dict, Optional, Sequence

import numpy as np


def plot_loss(workdir: pathlib.Path) -> pathlib.Path:
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  path = workdir / "metrics.jsonl"
  if not path.exists():
    raise FileNotFoundError(f"{path} not found: train first (python -m experiments.train)")
  recs = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
  if not recs:
    raise ValueError(f"{path} holds no epochs")
  fig, ax = plt.subplots(figsize=(6, 4))
  ax.plot([r["epoch"] for r in recs], [r["loss"] for r in recs], lw=1.5)
  ax.set_xlabel("epoch")
  ax.set_ylabel("training loss")
  ax.set_title(_title(workdir))
  ax.grid(alpha=0.3)
  out = workdir / "loss.png"
  fig.tight_layout()
  fig.savefig(out, dpi=120)
  plt.close(fig)
  return out


def plot_tsne(workdir: pathlib.Path, *, max_points: int = 3000, seed: int = 0,
              max_iter: int = 1000) -> pathlib.Path:
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  from sklearn.manifold import TSNE  # pylint: disable=import-outside-toplevel
  emb_path, lab_path = workdir / "embeddings.npy", workdir / "labels.npy"
  if not emb_path.exists():
    raise FileNotFoundError(f"{emb_path} not found: the run has not finished")
  emb = np.load(emb_path)
  labels = np.load(lab_path) if lab_path.exists() else np.zeros(len(emb), np.int64)
  if emb.ndim != 2 or len(labels) != len(emb):
    raise ValueError(f"embeddings {emb.shape} and labels {labels.shape} do not match")
  rng = np.random.default_rng(seed)
  idx = np.sort(rng.choice(len(emb), size=min(max_points, len(emb)), replace=False))
  x, y = emb[idx], labels[idx]
  perplexity = float(min(30.0, max(2.0, (len(x) - 1) / 3.0)))
  xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
            max_iter=max_iter).fit_transform(x)
  fig, ax = plt.subplots(figsize=(6, 6))
  sc = ax.scatter(xy[:, 0], xy[:, 1], c=y, s=4, cmap="tab10")
  ax.set_xticks([])
  ax.set_yticks([])
  ax.set_title(f"t-SNE of embeddings ({len(x)} of {len(emb)} rows) — {_title(workdir)}")
  if len(np.unique(y)) <= 20:
    ax.legend(*sc.legend_elements(), title="label", loc="best", fontsize=7, markerscale=0.8)
  out = workdir / "tsne.png"
  fig.tight_layout()
  fig.savefig(out, dpi=120)
  plt.close(fig)
  return out


def _title(workdir: pathlib.Path) -> str:
  for name in ("result.json", "config.json"):
    p = workdir / name
    if p.exists():
      d = json.loads(p.read_text())
      d = d.get("config", d)
      return f"{d.get('method', '?')} / {d.get('dataset', '?')} seed {d.get('seed', '?')}"
  return workdir.name


def main(argv: Optional[Sequence[str]] = None) -> int:
  parser = argparse.ArgumentParser(prog="python -m experiments.plot", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--workdir", required=True)
  parser.add_argument("--max_points", type=int, default=3000)
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--max_iter", type=int, default=1000, help="t-SNE iterations (>= 250)")
  args = parser.parse_args(sys.argv[1:] if argv is None else argv)
  workdir = pathlib.Path(args.workdir)
  for out in (plot_loss(workdir), plot_tsne(workdir, max_points=args.max_points, seed=args.seed,
                                                     max_iter=args.max_iter)):
    print(f"wrote {out}")
  return 0


if __name__ == "__main__":
  sys.exit(main())

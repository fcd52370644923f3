"""Trains the official GRACE on Cora for a whole run and saves the encoder's embeddings.

The accuracy cross-check of ``benchmarks/peers/accuracy.py``: the model and train step of
``grace_official.py`` (CRIPAC-DIG/GRACE ``model.py`` / ``train.py`` @ 700be33, ``config.yaml``
Cora: 200 epochs), seeded with ``torch.manual_seed(--seed)`` as ``train.py`` seeds it, then
``model(x, edge_index)`` on the whole graph (the embeddings ``train.py`` passes to
``label_classification``) written to ``--out`` as float32 ``.npy`` with the labels beside it.
Runs in the peers' venv; jgssl evaluates the files with its own copy of the probe.
"""

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.utils import dropout_adj

import _common
import grace_official as g


def main():
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--raw", required=True)
  p.add_argument("--cache", required=True)
  p.add_argument("--seed", type=int, required=True)
  p.add_argument("--epochs", type=int, default=200)
  p.add_argument("--threads", type=int, default=1)
  p.add_argument("--out", required=True, help="embeddings .npy path (labels: <out>.labels.npy)")
  args = p.parse_args()
  _common.limit_threads(args.threads)
  torch.manual_seed(args.seed)
  data = _common.load_cora(args.raw, args.cache)
  model = g.Model(g.Encoder(data.num_features, g.NUM_HIDDEN, F.relu, k=g.NUM_LAYERS),
                  g.NUM_HIDDEN, g.NUM_PROJ_HIDDEN, g.TAU)
  optimizer = torch.optim.Adam(model.parameters(), lr=g.LR, weight_decay=g.WEIGHT_DECAY)
  x, edge_index = data.x, data.edge_index
  for _ in range(args.epochs):
    model.train()
    optimizer.zero_grad()
    z1 = model(_common.drop_feature(x, g.DROP_FEATURE_1),
               dropout_adj(edge_index, p=g.DROP_EDGE_1)[0])
    z2 = model(_common.drop_feature(x, g.DROP_FEATURE_2),
               dropout_adj(edge_index, p=g.DROP_EDGE_2)[0])
    loss = model.loss(z1, z2)
    loss.backward()
    optimizer.step()
  model.eval()
  with torch.no_grad():
    z = model(x, edge_index)
  np.save(args.out, z.numpy().astype(np.float32))
  np.save(args.out + ".labels.npy", data.y.numpy())
  print(f"seed {args.seed}: final loss {loss.item():.4f}, embeddings {tuple(z.shape)}", flush=True)


if __name__ == "__main__":
  main()

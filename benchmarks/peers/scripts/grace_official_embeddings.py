"""Trains the official GRACE for a whole run and saves the encoder's embeddings.

The accuracy cross-check of ``benchmarks/peers/accuracy.py``: the model and train step of
``grace_official.py`` (CRIPAC-DIG/GRACE ``model.py`` / ``train.py`` @ 700be33), with the
hyperparameters given on the command line (``accuracy.SETTINGS`` passes a jgssl config's values),
seeded with ``torch.manual_seed(--seed)`` as ``train.py`` seeds it. ``--activation prelu`` is ONE
``nn.PReLU()`` shared by every layer, as ``train.py`` builds it. After the last epoch,
``model(x, edge_index)`` on the whole graph (the embeddings ``train.py`` passes to
``label_classification``) is written to ``--out`` as float32 ``.npy``, with the labels in
``<out>.labels.npy`` and the public split in ``<out>.split.npz`` (``train`` / ``test`` indices).
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
  p.add_argument("--dataset", default="Cora", choices=("Cora", "CiteSeer"))
  p.add_argument("--seed", type=int, required=True)
  p.add_argument("--epochs", type=int, default=200)
  p.add_argument("--lr", type=float, default=g.LR)
  p.add_argument("--weight-decay", type=float, default=g.WEIGHT_DECAY)
  p.add_argument("--hidden", type=int, default=g.NUM_HIDDEN)
  p.add_argument("--proj-hidden", type=int, default=g.NUM_PROJ_HIDDEN)
  p.add_argument("--activation", default="relu", choices=("relu", "prelu"))
  p.add_argument("--drop-edge", type=float, nargs=2, default=(g.DROP_EDGE_1, g.DROP_EDGE_2))
  p.add_argument("--drop-feature", type=float, nargs=2,
                 default=(g.DROP_FEATURE_1, g.DROP_FEATURE_2))
  p.add_argument("--tau", type=float, default=g.TAU)
  p.add_argument("--threads", type=int, default=1)
  p.add_argument("--out", required=True, help="embeddings .npy path (labels: <out>.labels.npy)")
  args = p.parse_args()
  _common.limit_threads(args.threads)
  torch.manual_seed(args.seed)
  data = _common.load_planetoid(args.raw, args.cache, args.dataset)
  activation = {"relu": F.relu, "prelu": torch.nn.PReLU()}[args.activation]
  model = g.Model(g.Encoder(data.num_features, args.hidden, activation, k=g.NUM_LAYERS),
                  args.hidden, args.proj_hidden, args.tau)
  optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
  x, edge_index = data.x, data.edge_index
  (pe1, pe2), (pf1, pf2) = args.drop_edge, args.drop_feature
  for _ in range(args.epochs):
    model.train()
    optimizer.zero_grad()
    z1 = model(_common.drop_feature(x, pf1), dropout_adj(edge_index, p=pe1)[0])
    z2 = model(_common.drop_feature(x, pf2), dropout_adj(edge_index, p=pe2)[0])
    loss = model.loss(z1, z2)
    loss.backward()
    optimizer.step()
  model.eval()
  with torch.no_grad():
    z = model(x, edge_index)
  np.save(args.out, z.numpy().astype(np.float32))
  np.save(args.out + ".labels.npy", data.y.numpy())
  np.savez(args.out + ".split.npz", train=data.train_mask.nonzero().view(-1).numpy(),
           test=data.test_mask.nonzero().view(-1).numpy())
  print(f"seed {args.seed}: final loss {loss.item():.4f}, embeddings {tuple(z.shape)}", flush=True)


if __name__ == "__main__":
  main()

"""GRACE on Cora with PyGCL (its ``examples/GRACE.py`` recipe, jgssl's Cora hyperparameters).

PyGCL parts: ``GCL.augmentors`` (``Compose([EdgeRemoving(pe), FeatureMasking(pf)])`` per view)
and ``GCL.models.DualBranchContrast(loss=GCL.losses.InfoNCE(tau), mode='L2L',
intraview_negs=True)`` (both directions, intra-view negatives, masks built per call).

The encoder and head are GRACE's (first GCN layer 2 x 128, ReLU, fc-ELU-fc 128), as in jgssl, and
the hyperparameters are ``experiments/configs/grace.py:cora`` (lr 5e-4, weight decay 1e-5,
drop_edge 0.2 / 0.4, drop_feature 0.3 / 0.4, tau 0.4). Unlike PyGCL's example, the step does not
also encode the clean graph (GRACE never uses it during training).
"""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv

import _common

LR, WEIGHT_DECAY = 5e-4, 1e-5
NUM_HIDDEN, NUM_PROJ_HIDDEN = 128, 128
DROP_EDGE_1, DROP_EDGE_2 = 0.2, 0.4
DROP_FEATURE_1, DROP_FEATURE_2 = 0.3, 0.4
TAU = 0.4


class GConv(torch.nn.Module):
  """Two GCN layers (2h, h) with ReLU after each."""

  def __init__(self, input_dim, hidden_dim):
    super().__init__()
    self.layers = torch.nn.ModuleList([GCNConv(input_dim, 2 * hidden_dim),
                                       GCNConv(2 * hidden_dim, hidden_dim)])

  def forward(self, x, edge_index, edge_weight=None):
    z = x
    for conv in self.layers:
      z = F.relu(conv(z, edge_index, edge_weight))
    return z


class Encoder(torch.nn.Module):
  """Augments twice, encodes both views; ``project`` is the fc-ELU-fc head."""

  def __init__(self, encoder, augmentor, hidden_dim, proj_dim):
    super().__init__()
    self.encoder = encoder
    self.augmentor = augmentor
    self.fc1 = torch.nn.Linear(hidden_dim, proj_dim)
    self.fc2 = torch.nn.Linear(proj_dim, hidden_dim)

  def forward(self, x, edge_index, edge_weight=None):
    aug1, aug2 = self.augmentor
    x1, edge_index1, edge_weight1 = aug1(x, edge_index, edge_weight)
    x2, edge_index2, edge_weight2 = aug2(x, edge_index, edge_weight)
    return (self.encoder(x1, edge_index1, edge_weight1),
            self.encoder(x2, edge_index2, edge_weight2))

  def project(self, z):
    return self.fc2(F.elu(self.fc1(z)))


def main():
  args, cores, data, GCL = _common.start(__doc__, pygcl=True)
  A, L = GCL.augmentors, GCL.losses

  aug1 = A.Compose([A.EdgeRemoving(pe=DROP_EDGE_1), A.FeatureMasking(pf=DROP_FEATURE_1)])
  aug2 = A.Compose([A.EdgeRemoving(pe=DROP_EDGE_2), A.FeatureMasking(pf=DROP_FEATURE_2)])
  gconv = GConv(data.num_features, NUM_HIDDEN)
  encoder_model = Encoder(gconv, (aug1, aug2), NUM_HIDDEN, NUM_PROJ_HIDDEN)
  contrast_model = GCL.models.DualBranchContrast(loss=L.InfoNCE(tau=TAU), mode="L2L",
                                                 intraview_negs=True)
  optimizer = torch.optim.Adam(encoder_model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)

  def train_step():
    encoder_model.train()
    optimizer.zero_grad()
    z1, z2 = encoder_model(data.x, data.edge_index, data.edge_attr)
    h1, h2 = encoder_model.project(z1), encoder_model.project(z2)
    loss = contrast_model(h1, h2)
    loss.backward()
    optimizer.step()
    return loss.item()

  _common.finish("grace-pygcl", args, cores, train_step, num_nodes=data.num_nodes,
                 num_edges=data.edge_index.size(1),
                 pygcl_stubbed_dependencies=list(GCL.stubbed_dependencies))


if __name__ == "__main__":
  main()

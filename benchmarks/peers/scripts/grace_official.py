"""GRACE on Cora as the official CRIPAC-DIG/GRACE code trains it (model.py + train.py @ 700be33).

Written for benchmarks/peers with PyTorch Geometric's public API; one epoch is the official
``train()``: two ``dropout_adj`` edge drops, two column-wise ``drop_feature`` masks, the shared
encoder on both views, the projection head, ``Model.loss`` (both directions, intra-view
negatives, dense ``N x N``: ``batch_size=0``), backward, Adam step, ``loss.item()``.

Hyperparameters: ``config.yaml`` Cora, which equal ``experiments/configs/grace.py:cora``:
lr 5e-4, weight decay 1e-5, num_hidden 128 (first GCN layer 2 x 128), num_proj_hidden 128,
ReLU, 2 layers, drop_edge 0.2 / 0.4, drop_feature 0.3 / 0.4, tau 0.4; features row-normalised.
"""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv
from torch_geometric.utils import dropout_adj

import _common

LR, WEIGHT_DECAY = 5e-4, 1e-5
NUM_HIDDEN, NUM_PROJ_HIDDEN, NUM_LAYERS = 128, 128, 2
DROP_EDGE_1, DROP_EDGE_2 = 0.2, 0.4
DROP_FEATURE_1, DROP_FEATURE_2 = 0.3, 0.4
TAU = 0.4


class Encoder(torch.nn.Module):
  """``k`` GCN layers, the first ``k - 1`` twice as wide, the activation after each."""

  def __init__(self, in_channels, out_channels, activation, k=2):
    super().__init__()
    assert k >= 2
    self.k = k
    conv = [GCNConv(in_channels, 2 * out_channels)]
    for _ in range(1, k - 1):
      conv.append(GCNConv(2 * out_channels, 2 * out_channels))
    conv.append(GCNConv(2 * out_channels, out_channels))
    self.conv = torch.nn.ModuleList(conv)
    self.activation = activation

  def forward(self, x, edge_index):
    for i in range(self.k):
      x = self.activation(self.conv[i](x, edge_index))
    return x


class Model(torch.nn.Module):
  """Encoder + fc-ELU-fc projection head + GRACE's loss."""

  def __init__(self, encoder, num_hidden, num_proj_hidden, tau):
    super().__init__()
    self.encoder = encoder
    self.tau = tau
    self.fc1 = torch.nn.Linear(num_hidden, num_proj_hidden)
    self.fc2 = torch.nn.Linear(num_proj_hidden, num_hidden)

  def forward(self, x, edge_index):
    return self.encoder(x, edge_index)

  def projection(self, z):
    return self.fc2(F.elu(self.fc1(z)))

  @staticmethod
  def sim(z1, z2):
    return torch.mm(F.normalize(z1), F.normalize(z2).t())

  def semi_loss(self, z1, z2):
    f = lambda x: torch.exp(x / self.tau)
    refl_sim = f(self.sim(z1, z1))
    between_sim = f(self.sim(z1, z2))
    return -torch.log(between_sim.diag()
                      / (refl_sim.sum(1) + between_sim.sum(1) - refl_sim.diag()))

  def loss(self, z1, z2):
    h1, h2 = self.projection(z1), self.projection(z2)
    return (0.5 * (self.semi_loss(h1, h2) + self.semi_loss(h2, h1))).mean()


def main():
  args, cores, data, _ = _common.start(__doc__)
  encoder = Encoder(data.num_features, NUM_HIDDEN, F.relu, k=NUM_LAYERS)
  model = Model(encoder, NUM_HIDDEN, NUM_PROJ_HIDDEN, TAU)
  optimizer = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
  x, edge_index = data.x, data.edge_index

  def train_step():
    model.train()
    optimizer.zero_grad()
    edge_index_1 = dropout_adj(edge_index, p=DROP_EDGE_1)[0]
    edge_index_2 = dropout_adj(edge_index, p=DROP_EDGE_2)[0]
    x_1 = _common.drop_feature(x, DROP_FEATURE_1)
    x_2 = _common.drop_feature(x, DROP_FEATURE_2)
    z1 = model(x_1, edge_index_1)
    z2 = model(x_2, edge_index_2)
    loss = model.loss(z1, z2)
    loss.backward()
    optimizer.step()
    return loss.item()

  _common.finish("grace-official", args, cores, train_step, num_nodes=data.num_nodes,
                 num_edges=edge_index.size(1))


if __name__ == "__main__":
  main()

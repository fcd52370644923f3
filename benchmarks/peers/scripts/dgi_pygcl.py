"""DGI on Cora with PyGCL (its ``examples/DGI_transductive.py``, jgssl's Cora hyperparameters).

PyGCL parts: ``GCL.models.SingleBranchContrast(loss=GCL.losses.JSD(), mode='G2L')`` scoring the
summary against the real and the row-shuffled (corrupted) node embeddings; the summary
``sigmoid(mean(H))`` goes through a linear map first, as in the example, which makes the score
``h^T W s + b`` DGI's bilinear discriminator. The JSD loss equals DGI's binary cross-entropy up
to a constant.

Hyperparameters ``experiments/configs/dgi.py:cora`` (= the official PetarV-/DGI execute.py):
ONE GCN layer of 512 with PReLU (PyGCL's example stacks two), Adam lr 1e-3 (the example: 0.01),
no weight decay, row-normalised features. Not included: the official loop's per-epoch
early-stopping bookkeeping (jgssl's is a fit hook outside the timed step).
"""

import torch
from torch import nn
from torch_geometric.nn import GCNConv
from torch_geometric.nn.inits import uniform

import _common

LR, WEIGHT_DECAY, HIDDEN, NUM_LAYERS = 1e-3, 0.0, 512, 1


class GConv(nn.Module):
  """``num_layers`` GCN layers, each followed by its own PReLU (one slope per channel)."""

  def __init__(self, input_dim, hidden_dim, num_layers):
    super().__init__()
    self.layers = nn.ModuleList()
    self.activations = nn.ModuleList()
    for i in range(num_layers):
      self.layers.append(GCNConv(input_dim if i == 0 else hidden_dim, hidden_dim))
      self.activations.append(nn.PReLU(hidden_dim))

  def forward(self, x, edge_index, edge_weight=None):
    z = x
    for conv, act in zip(self.layers, self.activations):
      z = act(conv(z, edge_index, edge_weight))
    return z


class Encoder(nn.Module):
  """Real embeddings, projected summary, corrupted embeddings."""

  def __init__(self, encoder, hidden_dim):
    super().__init__()
    self.encoder = encoder
    self.project = nn.Linear(hidden_dim, hidden_dim)
    uniform(hidden_dim, self.project.weight)

  @staticmethod
  def corruption(x, edge_index):
    return x[torch.randperm(x.size(0))], edge_index

  def forward(self, x, edge_index):
    z = self.encoder(x, edge_index)
    g = self.project(torch.sigmoid(z.mean(dim=0, keepdim=True)))
    zn = self.encoder(*self.corruption(x, edge_index))
    return z, g, zn


def main():
  args, cores, data, GCL = _common.start(__doc__, pygcl=True)

  encoder_model = Encoder(GConv(data.num_features, HIDDEN, NUM_LAYERS), HIDDEN)
  contrast_model = GCL.models.SingleBranchContrast(loss=GCL.losses.JSD(), mode="G2L")
  optimizer = torch.optim.Adam(encoder_model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)

  def train_step():
    encoder_model.train()
    optimizer.zero_grad()
    z, g, zn = encoder_model(data.x, data.edge_index)
    loss = contrast_model(h=z, g=g, hn=zn)
    loss.backward()
    optimizer.step()
    return loss.item()

  _common.finish("dgi-pygcl", args, cores, train_step, num_nodes=data.num_nodes,
                 num_edges=data.edge_index.size(1),
                 pygcl_stubbed_dependencies=list(GCL.stubbed_dependencies))


if __name__ == "__main__":
  main()

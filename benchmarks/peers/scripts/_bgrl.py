"""BGRL model pieces shared by ``bgrl_pygcl.py`` and ``bgrl_official.py``.

As nerdslab/bgrl (``bgrl/models.py``, ``bgrl/scheduler.py``, ``train_transductive.py``) and as
jgssl's :func:`jgssl.methods.bgrl`: a GCN encoder with ``GCNConv -> BatchNorm(momentum 0.99,
PyTorch convention) -> PReLU`` per layer, a predictor ``Linear -> PReLU -> Linear``, a target
encoder (a copy of the online one with its parameters reset, no gradients) moved by an EMA whose
momentum is
cosine-annealed from 0.99 to 1, AdamW with linear warm-up then cosine decay of the learning rate.
Both encoders run in training mode (batch statistics), as upstream.

Hyperparameters ``experiments/configs/bgrl.py:cora`` (the WikiCS .cfg width and lr, the rates and
length chosen on Cora's validation nodes): layers (512, 256), predictor hidden 512, drop_edge and
drop_feature 0.7 in both views, lr 5e-4, weight decay 1e-5, warm-up 50 of 500 epochs, momentum
0.99.
"""

import copy
import math

import torch
from torch_geometric.nn import BatchNorm, GCNConv

LAYERS = (512, 256)
PRED_HIDDEN = 512
DROP_EDGE_1, DROP_EDGE_2 = 0.7, 0.7
DROP_FEATURE_1, DROP_FEATURE_2 = 0.7, 0.7
LR, WEIGHT_DECAY = 5e-4, 1e-5
EPOCHS, WARMUP_EPOCHS = 500, 50
MOMENTUM, BN_MOMENTUM = 0.99, 0.99


class GCN(torch.nn.Module):
  """``GCNConv -> BatchNorm -> PReLU`` for every layer width."""

  def __init__(self, in_dim, layer_sizes, bn_momentum):
    super().__init__()
    layers = []
    for d_in, d_out in zip((in_dim,) + tuple(layer_sizes[:-1]), layer_sizes):
      layers += [GCNConv(d_in, d_out), BatchNorm(d_out, momentum=bn_momentum), torch.nn.PReLU()]
    self.layers = torch.nn.ModuleList(layers)

  def forward(self, x, edge_index, edge_weight=None):
    for layer in self.layers:
      x = layer(x, edge_index, edge_weight) if isinstance(layer, GCNConv) else layer(x)
    return x


class Predictor(torch.nn.Module):
  """``Linear(d, hidden) -> PReLU -> Linear(hidden, d)``."""

  def __init__(self, dim, hidden):
    super().__init__()
    self.net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.PReLU(1),
                                   torch.nn.Linear(hidden, dim))

  def forward(self, x):
    return self.net(x)


class BGRL(torch.nn.Module):
  """Online encoder + predictor, EMA target encoder."""

  def __init__(self, in_dim):
    super().__init__()
    self.online_encoder = GCN(in_dim, LAYERS, BN_MOMENTUM)
    self.predictor = Predictor(LAYERS[-1], PRED_HIDDEN)
    self.target_encoder = copy.deepcopy(self.online_encoder)
    for layer in self.target_encoder.layers:  # its own draw, as upstream's reset_parameters()
      if hasattr(layer, "reset_parameters"):
        layer.reset_parameters()
    for p in self.target_encoder.parameters():
      p.requires_grad = False

  def trainable_parameters(self):
    return list(self.online_encoder.parameters()) + list(self.predictor.parameters())

  @torch.no_grad()
  def update_target(self, mm):
    for p_t, p_o in zip(self.target_encoder.parameters(), self.online_encoder.parameters()):
      p_t.data.mul_(mm).add_(p_o.data, alpha=1.0 - mm)


def cosine_decay(max_val, warmup, total, step):
  """nerdslab/bgrl ``CosineDecayScheduler.get``."""
  if step < warmup:
    return max_val * step / warmup
  if step <= total:
    return max_val * (1 + math.cos((step - warmup) * math.pi / (total - warmup))) / 2
  raise ValueError(f"step {step} > total {total}")


def make_optimizer(model):
  return torch.optim.AdamW(model.trainable_parameters(), lr=LR, weight_decay=WEIGHT_DECAY)


def schedule(optimizer, step):
  """Sets this step's learning rate; returns the target's EMA momentum for this step."""
  lr = cosine_decay(LR, WARMUP_EPOCHS, EPOCHS, step)
  for group in optimizer.param_groups:
    group["lr"] = lr
  return 1.0 - cosine_decay(1.0 - MOMENTUM, 0, EPOCHS, step)

"""InfoGraph: local-global mutual information maximisation for graphs (Sun et al., ICLR 2020).

Official code: fanyun-sun/InfoGraph ``unsupervised/`` (``infograph.py``, ``gin.py``,
``losses.py``; REFERENCES.md §3.10). A GIN encoder (``bn(relu(conv(x)))``, MLP
``Linear-ReLU-Linear``) gives every layer's node rows; the local vector of a node is their
concatenation ``[N, hidden * L]`` and the global vector of a graph the concatenation of their
sum-pools ``[G, hidden * L]``. Two ``FF`` heads (three ReLU layers plus a linear shortcut,
:class:`jgssl.models.Projector` with ``shortcut=True``) map them, every (node, graph) pair of the
batch is scored by an inner product, and the Jensen-Shannon MI estimator
(:func:`jgssl.losses.jsd_mi_pairs_loss` over :func:`jgssl.pairs.cross_scale`: a node and its own
graph are positive, a node and any other graph of the batch negative) is the loss. The optional
prior discriminator of the paper is off by default upstream and not implemented. ``embed``
returns the unprojected global vectors. Every linear map starts Glorot-uniform with a zero bias
(the official ``init_emb``; ``weight_init='torch'`` keeps PyTorch's default instead).
"""

from __future__ import annotations

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import graph as graph_lib
from jgssl import losses, models, pairs
from jgssl.methods.base import Method, glorot_reinit

__all__ = ["InfoGraph", "InfoGraphModel"]


class InfoGraphModel(nn.Module, kw_only=True):
  """GIN encoder, local and global ``FF`` heads.

  ``__call__(graph, *, training)`` returns global vectors ``[G, hidden * num_layers]``;
  :meth:`scores` returns the ``[N, G]`` local-global scores.
  """
  hidden: int
  num_layers: int
  gin_eps: float

  def setup(self):
    self.encoder = models.GIN(features=(self.hidden,) * self.num_layers, activation="relu",
                              norm="batch", order="act_norm", eps=self.gin_eps,
                              return_layers=True)
    width = self.hidden * self.num_layers
    ff = dict(hidden_features=width, out_features=width, num_layers=3, activation="relu",
              last_activation=True, shortcut=True)
    self.local_d = models.Projector(**ff)
    self.global_d = models.Projector(**ff)

  def __call__(self, graph, *, training: bool = False):
    layers = self.encoder(graph, training=training)
    return models.concat_layer_readouts(layers, graph, readout="sum")

  def scores(self, graph, *, training: bool = True):
    layers = self.encoder(graph, training=training)
    y = models.concat_layer_readouts(layers, graph, readout="sum")
    local = self.local_d(jnp.concatenate(layers, axis=-1), mask=graph.nodes["mask"],
                         training=training)
    glob = self.global_d(y, mask=graph.globals["mask"], training=training)
    return local @ glob.T


@dataclasses.dataclass(frozen=True, kw_only=True)
class InfoGraph(Method):
  """InfoGraph as a :class:`jgssl.methods.Method` (graph level).

  Attributes:
    hidden: GIN width per layer (32).
    num_layers: GIN layers (``--num-gc-layers``).
    gin_eps: GIN eps (0: the official graphs carry no self-loops).
    weight_init: ``'glorot'`` — every linear map (GIN MLPs and both heads) Glorot-uniform with
      zero bias, the official ``init_emb`` (:func:`jgssl.methods.glorot_reinit`) — or
      ``'torch'`` (PyTorch's ``nn.Linear`` default).
  """
  hidden: int = 32
  num_layers: int = 3
  gin_eps: float = 0.0
  weight_init: str = "glorot"

  level = "graph"

  def __post_init__(self):
    if self.hidden < 1 or self.num_layers < 1:
      raise ValueError(f"hidden and num_layers must be >= 1, got {self.hidden}, "
                       f"{self.num_layers}")
    if self.weight_init not in ("glorot", "torch"):
      raise ValueError(f"weight_init must be 'glorot' or 'torch', got {self.weight_init!r}")

  @property
  def module(self) -> InfoGraphModel:
    return InfoGraphModel(hidden=self.hidden, num_layers=self.num_layers, gin_eps=self.gin_eps)

  def init(self, key, graph):
    k_init, k_glorot = jax.random.split(key)
    init = jax.jit(lambda k, g: self.module.init(k, g, training=False,
                                                 method=InfoGraphModel.scores))
    variables = dict(init(k_init, graph))
    if self.weight_init == "glorot":
      variables["params"] = glorot_reinit(k_glorot, variables["params"])
    return variables

  def loss(self, variables, key, graph):
    del key  # deterministic: no augmentation, no dropout
    mutable = [c for c in variables if c != "params"]
    scores, upd = self.module.apply(variables, graph, method=InfoGraphModel.scores,
                                    mutable=mutable)
    pairing = pairs.cross_scale(graph_lib.node_graph_index(graph),
                                node_mask=graph.nodes["mask"], graph_mask=graph.globals["mask"])
    return losses.jsd_mi_pairs_loss(scores, pairs=pairing), {"updates": dict(upd)}

  def embed(self, variables, graph):
    return self.module.apply(variables, graph, training=False)

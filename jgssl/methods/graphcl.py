"""GraphCL: graph contrastive learning with augmentations (You et al., NeurIPS 2020).

Official code: Shen-Lab/GraphCL ``unsupervised_TU`` (``gsimclr.py``, ``aug.py``, ``gin.py``;
REFERENCES.md §3.9). Per batch of graphs: view 1 is the graph itself and view 2 an augmented copy
(the official loader returns ``(data, data_aug)`` with ``data`` unaugmented); a GIN encoder
(``bn(relu(conv(x)))``, MLP ``Linear-ReLU-Linear``) gives every layer's node rows, the graph
vector is the concatenation of their sum-pools, a ``Linear-ReLU-Linear`` projection head maps it,
and :func:`jgssl.losses.graphcl_loss` (``T = 0.2``, positive left out of the denominator, one
direction) is averaged over the real graphs. ``embed`` returns the unprojected graph vectors.

Augmentations (``aug``), each at the official ratios and as jittable masks (DESIGN.md §3):

* ``'dnodes'`` — drop 10 % of each graph's nodes (:func:`jgssl.augment.drop_nodes`);
* ``'pedges'`` — drop 10 % of the directed edge entries (:func:`jgssl.augment.drop_edges`; the
  official ``permute_edges`` only removes edges, its adding line is commented out);
* ``'subgraph'`` — keep 20 % of each graph grown from a random node
  (:func:`jgssl.augment.sample_subgraph`);
* ``'mask_nodes'`` — 10 % of each graph's rows overwritten with ``N(0.5, 0.5)`` noise;
* ``'random2'`` / ``'random3'`` / ``'random4'`` — one of {dnodes, subgraph}, + pedges,
  + mask_nodes drawn per graph as in the official code (:func:`per_graph_choice`),
  ``'none'`` — identity.

Every linear map starts Glorot-uniform with a zero bias (the official ``init_emb``;
``weight_init='torch'`` keeps PyTorch's default). The official loader adds a self-loop to every
node, so its GIN layers sum ``h_i`` once more: ``gin_eps=1`` reproduces that (with PyTorch
Geometric >= 1.6; older ``GINConv`` dropped stored self-loops, see the GraphCL config). Nodes
isolated by an augmentation stay present here (the official code removes them, which changes
shapes).
"""

from __future__ import annotations

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment, losses, models
from jgssl import graph as graph_lib
from jgssl.methods.base import Method, glorot_reinit

__all__ = ["AUGMENTATIONS", "GraphCL", "GraphCLModel", "graphcl_augmentation",
           "mask_nodes_gaussian", "per_graph_choice"]

AUGMENTATIONS = ("dnodes", "pedges", "subgraph", "mask_nodes", "random2", "random3", "random4",
                 "none")


def mask_nodes_gaussian(key, graph, *, rate: float, mean: float = 0.5, std: float = 0.5):
  """GraphCL's attribute masking: ``floor(rate * n_g)`` rows per graph become ``N(mean, std²)``.

  The rows are chosen exactly as :func:`jgssl.augment.drop_nodes` chooses its nodes (uniform,
  per graph); only ``nodes['x']`` changes. Jittable; shapes kept.
  """
  k_rows, k_noise = jax.random.split(key)
  chosen = graph.nodes["mask"] & ~augment.drop_nodes(k_rows, graph, rate=rate).nodes["mask"]
  x = graph.nodes["x"]
  noise = mean + std * jax.random.normal(k_noise, x.shape, x.dtype)
  return graph._replace(nodes={**graph.nodes, "x": jnp.where(chosen[:, None], noise, x)})


def graphcl_augmentation(name: str, *, ratio: float = 0.1, subgraph_keep: float = 0.2):
  """The augmentation ``(key, graph) -> graph`` GraphCL's ``--aug name`` selects."""
  if name not in AUGMENTATIONS:
    raise ValueError(f"aug must be one of {AUGMENTATIONS}, got {name!r}")
  dnodes = augment.DropNodes(rate=ratio)
  pedges = augment.DropEdges(rate=ratio)
  subgraph = augment.SampleSubgraph(rate=1.0 - subgraph_keep)

  def masknodes(key, graph):
    return mask_nodes_gaussian(key, graph, rate=ratio)

  table = {"dnodes": dnodes, "pedges": pedges, "subgraph": subgraph, "mask_nodes": masknodes,
           "none": augment.identity}
  if name in table:
    return table[name]
  return per_graph_choice([dnodes, subgraph, pedges, masknodes][:int(name[-1])])


def per_graph_choice(augs):
  """An augmentation that applies one of ``augs``, drawn uniformly **per graph**.

  GraphCL's ``--aug random2/3/4`` draws ``np.random.randint(k)`` in the dataset's ``get`` (once
  per graph, ``unsupervised_TU/aug.py``), so one batch mixes augmentations; drawing once per batch
  (:func:`jgssl.augment.random_choice`) gives every graph of a step the same one. Here every
  augmentation is computed on the whole batch (each keeps shapes and only rewrites
  ``nodes['x']``, ``nodes['mask']`` and ``edges['mask']``) and each graph takes the node and edge
  entries of its own draw (edges by the graph ``n_edge`` accounts them to). Jittable.
  """
  augs = list(augs)
  if not augs:
    raise ValueError("per_graph_choice needs at least one augmentation")

  def chosen(key, graph):
    k_choice, *k_augs = jax.random.split(key, len(augs) + 1)
    views = [aug(k, graph) for aug, k in zip(augs, k_augs)]
    n_graph = graph.n_node.shape[0]
    choice = jax.random.randint(k_choice, (n_graph,), 0, len(augs))
    node_choice = choice[graph_lib.node_graph_index(graph)]
    edge_choice = jnp.repeat(choice, graph.n_edge, total_repeat_length=graph.senders.shape[0])

    def pick(leaves, which):
      out = leaves[0]
      for i in range(1, len(leaves)):
        sel = (which == i).reshape(which.shape + (1,) * (leaves[i].ndim - 1))
        out = jnp.where(sel, leaves[i], out)
      return out

    nodes = {k: pick([v.nodes[k] for v in views], node_choice) for k in graph.nodes}
    edges = {k: pick([v.edges[k] for v in views], edge_choice) for k in graph.edges}
    return graph._replace(nodes=nodes, edges=edges)

  chosen.augmentations = tuple(augs)
  return chosen


class GraphCLModel(nn.Module, kw_only=True):
  """GIN encoder with concatenated per-layer sum readouts, plus the projection head.

  ``__call__(graph, *, training)`` returns graph vectors ``[G, hidden * num_layers]``;
  :meth:`project` returns projected vectors of the same width.
  """
  hidden: int
  num_layers: int
  gin_eps: float

  def setup(self):
    self.encoder = models.GIN(features=(self.hidden,) * self.num_layers, activation="relu",
                              norm="batch", order="act_norm", eps=self.gin_eps,
                              return_layers=True)
    width = self.hidden * self.num_layers
    self.head = models.Projector(hidden_features=width, out_features=width, activation="relu")

  def __call__(self, graph, *, training: bool = False):
    layers = self.encoder(graph, training=training)
    return models.concat_layer_readouts(layers, graph, readout="sum")

  def project(self, graph, *, training: bool = True):
    return self.head(self(graph, training=training), mask=graph.globals["mask"],
                     training=training)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GraphCL(Method):
  """GraphCL (unsupervised TU setting) as a :class:`jgssl.methods.Method` (graph level).

  Attributes:
    hidden: GIN width per layer (32).
    num_layers: GIN layers (3, ``go.sh``).
    aug: augmentation of view 2 (see the module docstring).
    aug_ratio: node / edge / attribute ratio (0.1); subgraph_keep: kept fraction (0.2).
    temperature: NT-Xent temperature (0.2).
    gin_eps: GIN eps (1 = the official self-loops).
    weight_init: ``'glorot'`` — every linear map (GIN MLPs and the projection head)
      Glorot-uniform with zero bias, the official ``init_emb`` (:func:`jgssl.methods.glorot_reinit`)
      — or ``'torch'`` (PyTorch's ``nn.Linear`` default).
  """
  hidden: int = 32
  num_layers: int = 3
  aug: str = "random2"
  aug_ratio: float = 0.1
  subgraph_keep: float = 0.2
  temperature: float = 0.2
  gin_eps: float = 1.0
  weight_init: str = "glorot"

  level = "graph"

  def __post_init__(self):
    if self.hidden < 1 or self.num_layers < 1:
      raise ValueError(f"hidden and num_layers must be >= 1, got {self.hidden}, "
                       f"{self.num_layers}")
    if self.aug not in AUGMENTATIONS:
      raise ValueError(f"aug must be one of {AUGMENTATIONS}, got {self.aug!r}")
    if not 0.0 <= self.aug_ratio < 1.0 or not 0.0 < self.subgraph_keep <= 1.0:
      raise ValueError(f"need 0 <= aug_ratio < 1 and 0 < subgraph_keep <= 1, got "
                       f"{self.aug_ratio}, {self.subgraph_keep}")
    if not self.temperature > 0:
      raise ValueError(f"temperature must be positive, got {self.temperature}")
    if self.weight_init not in ("glorot", "torch"):
      raise ValueError(f"weight_init must be 'glorot' or 'torch', got {self.weight_init!r}")

  @property
  def module(self) -> GraphCLModel:
    return GraphCLModel(hidden=self.hidden, num_layers=self.num_layers, gin_eps=self.gin_eps)

  def init(self, key, graph):
    k_init, k_glorot = jax.random.split(key)
    init = jax.jit(lambda k, g: self.module.init(k, g, training=False, method=GraphCLModel.project))
    variables = dict(init(k_init, graph))
    if self.weight_init == "glorot":
      variables["params"] = glorot_reinit(k_glorot, variables["params"])
    return variables

  def loss(self, variables, key, graph):
    mutable = [c for c in variables if c != "params"]
    augmentation = graphcl_augmentation(self.aug, ratio=self.aug_ratio,
                                        subgraph_keep=self.subgraph_keep)
    view = augmentation(key, graph)
    u, upd = self.module.apply(variables, graph, method=GraphCLModel.project, mutable=mutable)
    v, upd = self.module.apply({**variables, **upd}, view, method=GraphCLModel.project,
                               mutable=mutable)
    where = graph.globals["mask"]
    rows = losses.graphcl_loss(u, v, temperature=self.temperature, where=where)
    return losses.masked_mean(rows, where), {"updates": dict(upd)}

  def embed(self, variables, graph):
    return self.module.apply(variables, graph, training=False)

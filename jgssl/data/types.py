"""Typed dataset containers returned by :func:`jgssl.data.load`.

Four shapes of data cover the seed list:

* :class:`NodeDataset` — one graph, one label per node (Planetoid, Amazon, Coauthor; text-attributed
  graphs add ``texts``).
* :class:`GraphDataset` — many small graphs, one label per graph (TU, GIN-format).
* :class:`HeteroDataset` — typed nodes and relations plus meta-path graphs over a target type
  (HeCo ACM / DBLP; MEOW, HeCo, multiplex methods).
* :class:`InteractionDataset` — a user–item bipartite graph with train / valid / test interactions
  (LightGCL, DCCF).

All arrays are numpy on the host; graphs are unpadded :class:`jraph.GraphsTuple` in the convention
of :mod:`jgssl.graph` (``nodes={'x', 'mask'}``, ``edges={'weight', 'mask'}``, ``globals={'mask'}``).
Padding and device transfer happen in the training code.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Mapping, Optional, Sequence, Tuple

import jraph
import numpy as np

__all__ = [
    "DatasetInfo",
    "GraphDataset",
    "HeteroDataset",
    "InteractionDataset",
    "NodeDataset",
    "random_split",
]


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
  """Where a dataset comes from.

  Attributes:
    name: canonical lower-case registry name (e.g. ``'cora'``, ``'mutag'``).
    source: repository / page the raw files come from.
    license: license statement of the source.
    citation: the paper to cite.
    description: one line on what the dataset is and any preprocessing choice jgssl makes.
  """
  name: str
  source: str = ""
  license: str = ""
  citation: str = ""
  description: str = ""


def random_split(seed: int, num_items: int, *, train: float = 0.1, val: float = 0.1,
                 labels: Optional[np.ndarray] = None, stratify: bool = False
                 ) -> Dict[str, np.ndarray]:
  """Seeded random split of ``range(num_items)`` into sorted train / val / test index arrays.

  The default 10 / 10 / 80 is the split of GCA, BGRL, CCA-SSG and PyGCL's ``get_split`` (with the
  test set the 80 % block — PyGCL's main branch swaps val and test). Randomness comes from
  ``numpy.random.default_rng(seed)`` only; no global RNG is touched.

  Args:
    seed: integer seed.
    num_items: number of nodes (or graphs) to split.
    train: fraction of items for training, in (0, 1).
    val: fraction for validation, in [0, 1); ``train + val < 1``.
    labels: int ``[num_items]``, required when ``stratify``.
    stratify: split every class with the same fractions.
  """
  if not 0.0 < train < 1.0 or not 0.0 <= val < 1.0 or train + val >= 1.0:
    raise ValueError(f"need 0 < train < 1, 0 <= val < 1 and train + val < 1; got {train}, {val}")
  rng = np.random.default_rng(seed)
  if stratify:
    if labels is None:
      raise ValueError("stratify=True needs labels")
    parts = {"train": [], "val": [], "test": []}
    for c in np.unique(labels):
      idx = rng.permutation(np.flatnonzero(labels == c))
      n_tr, n_va = int(round(train * len(idx))), int(round(val * len(idx)))
      parts["train"].append(idx[:n_tr])
      parts["val"].append(idx[n_tr:n_tr + n_va])
      parts["test"].append(idx[n_tr + n_va:])
    return {k: np.sort(np.concatenate(v)).astype(np.int64) for k, v in parts.items()}
  perm = rng.permutation(num_items)
  n_tr, n_va = int(train * num_items), int(val * num_items)
  return {
      "train": np.sort(perm[:n_tr]).astype(np.int64),
      "val": np.sort(perm[n_tr:n_tr + n_va]).astype(np.int64),
      "test": np.sort(perm[n_tr + n_va:]).astype(np.int64),
  }


@dataclasses.dataclass(frozen=True)
class NodeDataset:
  """One graph with a label per node.

  Attributes:
    info: provenance.
    graph: unpadded single-graph GraphsTuple; ``graph.nodes['x']`` is float32 ``[N, F]``.
    labels: int64 ``[N]`` class ids in ``[0, num_classes)``; ``-1`` where a node has no label
      (e.g. CiteSeer's isolated test-range nodes, as PyG gives them label 0 we keep PyG's value and
      document it in ``info.description``).
    num_classes: number of classes.
    splits: the standard split as sorted index arrays ``{'train', 'val', 'test'}``, or ``None``
      when the dataset has none (use :meth:`random_split`).
    texts: optional per-node raw texts (text-attributed graphs), ``None`` otherwise.
  """
  info: DatasetInfo
  graph: jraph.GraphsTuple
  labels: np.ndarray
  num_classes: int
  splits: Optional[Mapping[str, np.ndarray]] = None
  texts: Optional[Sequence[str]] = None

  @property
  def name(self) -> str:
    return self.info.name

  @property
  def num_nodes(self) -> int:
    return int(self.graph.n_node.sum())

  @property
  def num_edges(self) -> int:
    return int(self.graph.n_edge.sum())

  @property
  def num_features(self) -> int:
    return int(self.graph.nodes["x"].shape[1])

  @property
  def num_graphs(self) -> int:
    return 1

  def random_split(self, seed: int, *, train: float = 0.1, val: float = 0.1
                   ) -> Dict[str, np.ndarray]:
    """Seeded random node split (default 10 / 10 / 80); see :func:`random_split`."""
    return random_split(seed, self.num_nodes, train=train, val=val)


@dataclasses.dataclass(frozen=True)
class GraphDataset:
  """Many graphs with one label each.

  Attributes:
    info: provenance.
    graphs: all graphs batched into one unpadded GraphsTuple (``n_node`` has one entry per graph);
      use :meth:`graph` for one graph or :func:`jraph.unbatch_np` for all.
    labels: int64 ``[G]`` graph classes in ``[0, num_classes)``.
    num_classes: number of classes.
    folds: optional predefined cross-validation folds, a list of ``(train_idx, test_idx)`` pairs
      (the 10 folds shipped with the GIN / DGCNN copies), else ``None``.
  """
  info: DatasetInfo
  graphs: jraph.GraphsTuple
  labels: np.ndarray
  num_classes: int
  folds: Optional[Sequence[Tuple[np.ndarray, np.ndarray]]] = None

  @property
  def name(self) -> str:
    return self.info.name

  @property
  def num_graphs(self) -> int:
    return int(len(self.graphs.n_node))

  @property
  def num_nodes(self) -> int:
    return int(self.graphs.n_node.sum())

  @property
  def num_edges(self) -> int:
    return int(self.graphs.n_edge.sum())

  @property
  def num_features(self) -> int:
    return int(self.graphs.nodes["x"].shape[1])

  @property
  def splits(self):
    return None

  def graph(self, index: int) -> jraph.GraphsTuple:
    """Graph ``index`` as its own single-graph GraphsTuple."""
    if not 0 <= index < self.num_graphs:
      raise IndexError(f"graph index {index} out of range [0, {self.num_graphs})")
    node_off = np.concatenate([[0], np.cumsum(self.graphs.n_node)])
    edge_off = np.concatenate([[0], np.cumsum(self.graphs.n_edge)])
    n0, n1 = int(node_off[index]), int(node_off[index + 1])
    e0, e1 = int(edge_off[index]), int(edge_off[index + 1])
    take_n = lambda a: np.asarray(a)[n0:n1]
    take_e = lambda a: np.asarray(a)[e0:e1]
    import jax  # local: keep module import light
    return jraph.GraphsTuple(
        nodes=jax.tree_util.tree_map(take_n, self.graphs.nodes),
        edges=jax.tree_util.tree_map(take_e, self.graphs.edges),
        senders=np.asarray(self.graphs.senders)[e0:e1] - n0,
        receivers=np.asarray(self.graphs.receivers)[e0:e1] - n0,
        n_node=np.asarray(self.graphs.n_node)[index:index + 1],
        n_edge=np.asarray(self.graphs.n_edge)[index:index + 1],
        globals={"mask": np.ones(1, bool)},
    )


@dataclasses.dataclass(frozen=True)
class HeteroDataset:
  """A heterogeneous graph with a labelled target node type.

  Attributes:
    info: provenance.
    target: name of the labelled node type (``'paper'`` for ACM, ``'author'`` for DBLP).
    num_nodes: node count per type, e.g. ``{'paper': 4019, 'author': 7167, 'subject': 60}``.
    features: per-type float32 feature matrices ``[num_nodes[t], F_t]`` (types without features
      are absent).
    relations: typed edge lists ``{(src_type, dst_type): int64 [2, E]}`` as stored (one direction).
    metapaths: homogeneous graphs over the target type, one per meta-path name (``'pap'``, ...),
      each an unpadded GraphsTuple whose ``nodes['x']`` are the target features. Stored meta-path
      matrices include self-pairs; the graphs drop them (encoders add self-loops themselves).
    labels: int64 ``[num_nodes[target]]``.
    num_classes: number of classes.
    splits: ``{'train_20', 'val_20', 'test_20', 'train_40', ...}`` as provided by HeCo.
    positives: optional sparse positive-pair matrix (HeCo's ``pos.npz``) as int64 ``[2, P]``.
    neighbors: optional per-target neighbour lists by type (HeCo's ``nei_<type>.npy``).
  """
  info: DatasetInfo
  target: str
  num_nodes: Mapping[str, int]
  features: Mapping[str, np.ndarray]
  relations: Mapping[Tuple[str, str], np.ndarray]
  metapaths: Mapping[str, jraph.GraphsTuple]
  labels: np.ndarray
  num_classes: int
  splits: Mapping[str, np.ndarray]
  positives: Optional[np.ndarray] = None
  neighbors: Optional[Mapping[str, Sequence[np.ndarray]]] = None

  @property
  def name(self) -> str:
    return self.info.name

  @property
  def num_graphs(self) -> int:
    return 1

  @property
  def num_features(self) -> int:
    return int(self.features[self.target].shape[1])


@dataclasses.dataclass(frozen=True)
class InteractionDataset:
  """A user–item bipartite interaction graph (implicit feedback).

  Attributes:
    info: provenance.
    num_users: number of users ``U``.
    num_items: number of items ``I``.
    train: int64 ``[2, T]`` (user, item) pairs used for training.
    valid: int64 ``[2, V]`` validation pairs.
    test: int64 ``[2, S]`` test pairs.
  """
  info: DatasetInfo
  num_users: int
  num_items: int
  train: np.ndarray
  valid: np.ndarray
  test: np.ndarray

  @property
  def name(self) -> str:
    return self.info.name

  @property
  def num_graphs(self) -> int:
    return 1

  def train_graph(self) -> jraph.GraphsTuple:
    """The training interactions as one undirected homogeneous graph of ``U + I`` nodes.

    Users are nodes ``0..U-1``, items ``U..U+I-1``; ``nodes['type']`` is 0 for users and 1 for
    items; node features are empty (``[U + I, 0]``): recommendation models learn ID embeddings.
    """
    from jgssl import graph as graph_lib
    n = self.num_users + self.num_items
    edge_index = np.stack([self.train[0], self.train[1] + self.num_users])
    node_type = np.concatenate([np.zeros(self.num_users, np.int32),
                                np.ones(self.num_items, np.int32)])
    return graph_lib.from_edge_index(edge_index, num_nodes=n, symmetrize=True,
                                     extra_nodes={"type": node_type})

"""Reader for the Planetoid citation graphs (Cora, CiteSeer, PubMed).

Raw format (Yang, Cohen & Salakhutdinov, "Revisiting Semi-Supervised Learning with Graph
Embeddings", ICML 2016; files of ``kimiyoung/planetoid``): ``ind.<name>.{x,tx,allx}`` are
Python-2 pickles of ``scipy.sparse.csr_matrix`` features, ``ind.<name>.{y,ty,ally}`` pickled
one-hot label arrays, ``ind.<name>.graph`` a pickled ``{node: [neighbours]}`` dict and
``ind.<name>.test.index`` the node index of every ``tx`` row, one per line.

Assembly follows PyG's ``read_planetoid_data`` (and Kipf's ``gcn/utils.py``):

1. ``features = vstack(allx, tx)``, ``labels = vstack(ally, ty)``; when the test indices do not
   fill the range ``min..max`` (CiteSeer: 1000 indices over 1015 slots; the 15 other nodes are
   in the graph, 16 edges touch them, but have no feature row — often called "isolated"), the
   missing test-range rows get **zero features and an all-zero label row, i.e. label 0** after
   the argmax, as in PyG;
2. the rows of the test block are moved to their ``test.index`` positions;
3. edges: the union of the adjacency lists, symmetrised, de-duplicated, self-loops removed
   (Cora 10556 directed edges, CiteSeer 9104, PubMed 88648);
4. the public split: train ``range(len(y))``, val the next 500 nodes, test ``test.index``
   (Cora 140 / 500 / 1000, CiteSeer 120 / 500 / 1000, PubMed 60 / 500 / 1000).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional, Union

import numpy as np
import scipy.sparse as sp

from jgssl import graph as graph_lib
from jgssl.data import types
from jgssl.data import validate as V

__all__ = ["read_planetoid", "PLANETOID_NAMES"]

PLANETOID_NAMES = ("cora", "citeseer", "pubmed")
_NUM_VAL = 500

PathLike = Union[str, os.PathLike]


def _labels_matrix(obj, path, what):
  if sp.issparse(obj):
    obj = obj.toarray()
  if not isinstance(obj, np.ndarray):
    V.fail(path, f"{what} is a {type(obj).__name__}, expected a numpy array of one-hot rows")
  V.check_shape(obj, (None, None), path, what)
  values = V.check_integral(obj, path, what)
  if values.size and (values.min() < 0 or values.max() > 1):
    V.fail(path, f"{what} must hold 0/1 one-hot rows, found values in "
                 f"[{int(values.min())}, {int(values.max())}]")
  if np.any(values.sum(axis=1) > 1):
    row = int(np.flatnonzero(values.sum(axis=1) > 1)[0])
    V.fail(path, f"{what} row {row} marks more than one class (labels out of range of one-hot)")
  return values


def _edges_from_dict(obj, num_nodes: int, path) -> np.ndarray:
  if not isinstance(obj, dict):
    V.fail(path, f"the graph is a {type(obj).__name__}, expected a dict of adjacency lists")
  keys, lengths, neighbours = [], [], []
  for key, value in obj.items():
    if not isinstance(value, (list, tuple, np.ndarray)):
      V.fail(path, f"adjacency list of node {key!r} is a {type(value).__name__}")
    keys.append(key)
    lengths.append(len(value))
    neighbours.extend(value)
  try:
    keys = np.asarray(keys, dtype=np.int64)
    neighbours = np.asarray(neighbours, dtype=np.int64)
  except (TypeError, ValueError, OverflowError) as e:
    V.fail(path, f"the graph holds a node id that is not an integer ({e})")
  V.check_index_range(keys, 0, num_nodes, path, "graph node ids")
  V.check_index_range(neighbours, 0, num_nodes, path, "graph neighbour ids")
  senders = np.repeat(keys, np.asarray(lengths, dtype=np.int64))
  return np.stack([senders, neighbours])


def read_planetoid(raw_dir: PathLike, name: str, *,
                   info: Optional[types.DatasetInfo] = None) -> types.NodeDataset:
  """Reads ``ind.<name>.*`` from ``raw_dir`` into a :class:`~jgssl.data.types.NodeDataset`.

  Args:
    raw_dir: folder holding the eight ``ind.<name>.*`` files.
    name: ``'cora'``, ``'citeseer'`` or ``'pubmed'`` (the file prefix).
    info: provenance to attach (the description is extended with the assembly choices).

  Returns:
    A NodeDataset with float32 features ``[N, F]`` (stored values, not row-normalised), int64
    labels ``[N]``, the undirected de-duplicated graph without self-loops, and the public split
    ``{'train', 'val', 'test'}``.

  Raises:
    DatasetError: a missing, truncated or corrupted file, inconsistent row counts or widths,
      label rows that are not one-hot, test indices that collide with the ``allx`` block, or
      neighbour ids out of range. A missing ``ind.pubmed.allx`` (absent from the shared
      collection) is reported as such.
  """
  name = name.lower()
  raw_dir = os.fspath(raw_dir)
  path = lambda k: os.path.join(raw_dir, f"ind.{name}.{k}")

  # Load everything first so a missing file is reported before any other problem.
  objs = {}
  for key in ("x", "tx", "allx", "y", "ty", "ally", "graph"):
    objs[key] = V.load_pickle(path(key), encoding="latin1", what=f"Planetoid '{key}' pickle")
  test_path = path("test.index")
  test_index = V.read_int_table(test_path, 1, what="test indices").reshape(-1)

  feats = {}
  for key in ("x", "tx", "allx"):
    feats[key] = V.check_sparse(objs[key], path(key), f"feature matrix '{key}'")
  labs = {key: _labels_matrix(objs[key], path(key), f"label matrix '{key}'")
          for key in ("y", "ty", "ally")}
  width = feats["allx"].shape[1]
  for key in ("x", "tx"):
    if feats[key].shape[1] != width:
      V.fail(path(key), f"feature matrix '{key}' has {feats[key].shape[1]} columns but 'allx' has "
                        f"{width} (wrong feature width)")
  num_classes = labs["ally"].shape[1]
  for key in ("y", "ty"):
    if labs[key].shape[1] != num_classes:
      V.fail(path(key), f"label matrix '{key}' has {labs[key].shape[1]} columns but 'ally' has "
                        f"{num_classes}")
  for fkey, lkey in (("x", "y"), ("tx", "ty"), ("allx", "ally")):
    if feats[fkey].shape[0] != labs[lkey].shape[0]:
      V.fail(path(fkey), f"'{fkey}' has {feats[fkey].shape[0]} rows but '{lkey}' has "
                         f"{labs[lkey].shape[0]} (wrong row count)")
  n_train, n_all = labs["y"].shape[0], labs["ally"].shape[0]
  if n_train + _NUM_VAL > n_all:
    V.fail(path("y"), f"{n_train} training rows leave no room for {_NUM_VAL} validation rows in "
                      f"the {n_all} rows of 'allx'")
  if not np.array_equal(labs["y"], labs["ally"][:n_train]) or (
      feats["x"] != feats["allx"][:n_train]).nnz:
    V.fail(path("x"), "'x'/'y' are not the first rows of 'allx'/'ally' (inconsistent files)")
  if test_index.shape[0] != feats["tx"].shape[0]:
    V.fail(test_path, f"{test_index.shape[0]} test indices for {feats['tx'].shape[0]} rows of 'tx'")
  if test_index.size == 0:
    V.fail(test_path, "no test indices")
  if np.unique(test_index).shape[0] != test_index.shape[0]:
    V.fail(test_path, "a test index is repeated")
  lo, hi = int(test_index.min()), int(test_index.max())
  if lo != n_all:
    V.fail(test_path, f"test indices start at {lo}, expected {n_all} (right after the 'allx' "
                      "rows)")

  # PyG assembly: pad the test block to the full index range (CiteSeer), then reorder.
  span = hi - lo + 1
  order = np.sort(test_index)
  n_test = test_index.shape[0]
  place = sp.csr_matrix((np.ones(n_test, np.float32), (order - lo, np.arange(n_test))),
                        shape=(span, n_test))
  tx = place @ feats["tx"].astype(np.float32)  # tx row i -> slot sorted(test_index)[i] - lo
  ty = np.zeros((span, num_classes), np.int64)
  ty[order - lo] = labs["ty"]
  features = sp.vstack([feats["allx"].astype(np.float32), tx]).toarray()
  onehot = np.concatenate([labs["ally"], ty])
  features[test_index] = features[order]
  onehot[test_index] = onehot[order]
  labels = onehot.argmax(axis=1).astype(np.int64)  # all-zero rows -> class 0, as PyG
  num_nodes = features.shape[0]
  num_missing = span - test_index.shape[0]

  edge_index = _edges_from_dict(objs["graph"], num_nodes, path("graph"))
  g = graph_lib.from_edge_index(edge_index, num_nodes=num_nodes, node_features=features,
                                symmetrize=True, self_loops="remove")
  splits = {
      "train": np.arange(n_train, dtype=np.int64),
      "val": np.arange(n_train, n_train + _NUM_VAL, dtype=np.int64),
      "test": np.sort(test_index).astype(np.int64),
  }
  desc = (f"Planetoid {name}: PyG assembly (vstack allx/tx, test rows reordered), stored binary "
          f"/ TF-IDF features (not row-normalised), edges symmetrised, de-duplicated, self-loops "
          f"removed; public split {n_train}/{_NUM_VAL}/{test_index.shape[0]}.")
  if num_missing:
    desc += (f" {num_missing} test-range nodes without a tx row get zero features and label 0, "
             "as in PyG.")
  info = dataclasses.replace(info or types.DatasetInfo(name=name), description=desc)
  return types.NodeDataset(info=info, graph=g, labels=labels, num_classes=int(num_classes),
                           splits=splits)

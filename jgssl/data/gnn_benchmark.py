"""Reader for the gnn-benchmark ``.npz`` graphs (Amazon Computers / Photo, Coauthor CS / Physics).

Shchur, Mumme, Bojchevski & Günnemann, "Pitfalls of Graph Neural Network Evaluation" (2018),
``shchur/gnn-benchmark``. The files are CSR matrices split into ``adj_{data,indices,indptr,shape}``
and ``attr_{data,indices,indptr,shape}`` plus ``labels``; :func:`numpy.load` reads the stored and
the zip-deflated copies alike. ``class_names`` (a pickled object array in CS / Physics) is never
unpickled: nothing here needs it.

As in PyG's ``read_npz``: the adjacency is symmetrised and self-loops are dropped (the Amazon
adjacencies are not symmetric as stored and Photo has one self-loop), giving Photo 238162,
Computers 491722, CS 163788 and Physics 495924 directed edges. Features are the stored values
as dense float32 (Coauthor Physics: 34493 × 8415, about 1.2 GB). There is no standard split; use
:meth:`~jgssl.data.types.NodeDataset.random_split`.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional, Union

import numpy as np

from jgssl import graph as graph_lib
from jgssl.data import types
from jgssl.data import validate as V

__all__ = ["read_gnn_benchmark"]

PathLike = Union[str, os.PathLike]

_KEYS = ("adj_data", "adj_indices", "adj_indptr", "adj_shape", "attr_data", "attr_indices",
         "attr_indptr", "attr_shape", "labels")


def read_gnn_benchmark(path: PathLike, *, name: Optional[str] = None,
                       info: Optional[types.DatasetInfo] = None) -> types.NodeDataset:
  """Reads one gnn-benchmark ``.npz`` into a :class:`~jgssl.data.types.NodeDataset`.

  Args:
    path: the ``.npz`` file, or a folder holding exactly one ``.npz``.
    name: dataset name for the container (default: the file stem).
    info: provenance to attach (the description is extended with the preprocessing).

  Returns:
    A NodeDataset: float32 features ``[N, F]``, int64 labels ``[N]`` in ``[0, C)`` with
    ``C = max(label) + 1``, the symmetrised graph without self-loops, ``splits=None``.

  Raises:
    DatasetError: missing / corrupted file, a missing member, CSR arrays that disagree (lengths,
      ``indptr``, indices out of range), a non-square adjacency, feature rows or labels that do
      not match the number of nodes, negative labels, NaN / Inf features.
  """
  path = os.fspath(path)
  if os.path.isdir(path):
    found = sorted(f for f in os.listdir(path) if f.endswith(".npz"))
    if len(found) != 1:
      V.fail(path, f"expected exactly one .npz file in the folder, found {found}")
    path = os.path.join(path, found[0])
  name = name or os.path.splitext(os.path.basename(path))[0]
  arrays = V.load_npz_arrays(path, _KEYS, what="gnn-benchmark npz")

  adj = V.check_csr(arrays["adj_indptr"], arrays["adj_indices"], arrays["adj_data"],
                    arrays["adj_shape"], path, "adjacency (adj_*)")
  num_nodes = adj.shape[0]
  if adj.shape[1] != num_nodes:
    V.fail(path, f"adjacency is {adj.shape[0]} x {adj.shape[1]}, expected a square matrix")
  attr = V.check_csr(arrays["attr_indptr"], arrays["attr_indices"], arrays["attr_data"],
                     arrays["attr_shape"], path, "features (attr_*)")
  if attr.shape[0] != num_nodes:
    V.fail(path, f"features have {attr.shape[0]} rows for {num_nodes} nodes (wrong row count)")
  labels = V.check_integral(np.asarray(arrays["labels"]).reshape(-1), path, "labels")
  if labels.shape[0] != num_nodes:
    V.fail(path, f"{labels.shape[0]} labels for {num_nodes} nodes")
  if labels.size and labels.min() < 0:
    V.fail(path, f"labels hold {int(labels.min())}: labels out of range (must be >= 0)")
  num_classes = int(labels.max()) + 1 if labels.size else 0
  missing = np.setdiff1d(np.arange(num_classes), labels)
  if missing.size:
    V.fail(path, f"labels skip class(es) {missing.tolist()} of 0..{num_classes - 1}")

  coo = adj.tocoo()
  edge_index = np.stack([coo.row, coo.col]).astype(np.int64)
  features = attr.astype(np.float32).toarray()
  g = graph_lib.from_edge_index(edge_index, num_nodes=num_nodes, node_features=features,
                                symmetrize=True, self_loops="remove")
  desc = (f"gnn-benchmark {name}: adjacency symmetrised, de-duplicated, self-loops removed (as "
          "PyG read_npz); stored feature values as dense float32; no standard split.")
  info = dataclasses.replace(info or types.DatasetInfo(name=name), description=desc)
  return types.NodeDataset(info=info, graph=g, labels=labels, num_classes=num_classes,
                           splits=None)

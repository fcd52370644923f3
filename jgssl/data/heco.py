"""Reader for the heterogeneous graphs of HeCo (ACM, DBLP).

Wang, Liu, Han & Shi, "Self-supervised Heterogeneous Graph Neural Network with Co-contrastive
Learning", KDD 2021 (``liun-online/HeCo``, ``data/{acm,dblp}``), also used by MEOW. Files, as read
by HeCo's ``code/utils/load_data.py``:

* ``labels.npy`` (target-node classes; ACM stores them as float64),
  ``{train,val,test}_{20,40,60}.npy`` (20 / 40 / 60 labelled nodes per class; val and test hold
  1000 nodes);
* ``<x>_feat.npz`` features (``scipy.sparse.save_npz``; DBLP's ``t_feat.npz`` is really a dense
  ``.npy``), ``<x><y>.txt`` typed edge lists (two 0-based columns);
* ``<metapath>.npz`` boolean adjacencies over the target type, ``(R Rᵀ) > 0`` including self-pairs;
* ``pos.npz`` the positive-pair matrix of the co-contrastive loss, ``nei_<x>.npy`` per-target
  neighbour lists (object arrays, unpickled with a restricted unpickler).

DBLP's ``aptpa.npz`` (≥ 4 MiB) is absent from the shared collection; it is rebuilt exactly as the
stored meta-paths are, ``((PAᵀ·PT)·(PTᵀ·PA)) > 0`` from ``pa.txt`` / ``pt.txt`` (7043571 nonzeros
with self-pairs), when the file is missing.

The meta-path graphs drop the self-pairs (encoders add self-loops themselves) and are
symmetrised and de-duplicated; their ``nodes['x']`` are the target features. Features are the stored
values as dense float32 (ACM's paper features are already row-normalised; HeCo row-normalises
the others at load time — do that in the model pipeline if wanted). Types without a features file
(ACM subject, DBLP conference; HeCo uses identity features for them) are absent from
``features``. Node counts per type are HeCo's ``type_num``.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import scipy.sparse as sp

from jgssl import graph as graph_lib
from jgssl.data import types
from jgssl.data import validate as V

__all__ = ["read_heco", "HECO_SCHEMAS"]

PathLike = Union[str, os.PathLike]


@dataclasses.dataclass(frozen=True)
class _Schema:
  target: str
  prefixes: Dict[str, str]                 # file letter -> node type
  num_nodes: Dict[str, int]                # HeCo's type_num
  relations: Tuple[str, ...]               # '<x><y>' txt files
  features: Tuple[str, ...]                # letters with a '<x>_feat.npz'
  metapaths: Tuple[str, ...]
  neighbors: Tuple[str, ...]               # letters with a 'nei_<x>.npy'
  num_classes: int
  rebuild: Dict[str, Tuple[str, ...]] = dataclasses.field(default_factory=dict)


HECO_SCHEMAS = {
    "acm": _Schema(
        target="paper", prefixes={"p": "paper", "a": "author", "s": "subject"},
        num_nodes={"paper": 4019, "author": 7167, "subject": 60},
        relations=("pa", "ps"), features=("p", "a"), metapaths=("pap", "psp"),
        neighbors=("a", "s"), num_classes=3),
    "dblp": _Schema(
        target="author", prefixes={"a": "author", "p": "paper", "t": "term", "c": "conference"},
        num_nodes={"author": 4057, "paper": 14328, "term": 7723, "conference": 20},
        relations=("pa", "pc", "pt"), features=("a", "p", "t"),
        metapaths=("apa", "apcpa", "aptpa"), neighbors=("p",), num_classes=4,
        rebuild={"aptpa": ("pa", "pt")}),
}


def _read_relation(path: str, src: str, dst: str, num_nodes: Dict[str, int]) -> np.ndarray:
  pairs = V.read_int_table(path, 2, what=f"{src}-{dst} edge list")
  V.check_index_range(pairs[:, 0], 0, num_nodes[src], path, f"{src} ids")
  V.check_index_range(pairs[:, 1], 0, num_nodes[dst], path, f"{dst} ids")
  return pairs.T.copy()


def _incidence(rel: np.ndarray, shape: Tuple[int, int]) -> sp.csr_matrix:
  m = sp.csr_matrix((np.ones(rel.shape[1], np.float32), (rel[0], rel[1])), shape=shape)
  m.data[:] = 1.0
  return m


def rebuild_metapath(first: sp.spmatrix, second: sp.spmatrix) -> sp.csr_matrix:
  """``((Fᵀ·S)·(Sᵀ·F)) > 0`` for incidence matrices ``F`` [mid, target] and ``S`` [mid, other].

  For DBLP's APTPA, ``F = PA`` (paper × author) and ``S = PT`` (paper × term). Returns a boolean
  CSR matrix over the targets, self-pairs included (as HeCo stores meta-paths).
  """
  left = (first.T.tocsr() @ second).tocsr()     # target x other
  left.data[:] = 1.0
  out = (left @ left.T).tocsr()
  out.data = np.ones_like(out.data, dtype=bool)
  out.eliminate_zeros()
  return out.astype(bool)


def _metapath_graph(adj: sp.spmatrix, features: np.ndarray) -> "graph_lib.jraph.GraphsTuple":
  n = adj.shape[0]
  # Each unordered pair once (strict upper triangle of A + Aᵀ); from_edge_index adds both
  # directions back. Much cheaper than a unique over millions of keys.
  adj = adj.astype(bool)
  upper = sp.triu((adj + adj.T).tocsr(), k=1).tocoo()
  pairs = np.stack([upper.row, upper.col]).astype(np.int64)
  del upper
  return graph_lib.from_edge_index(pairs, num_nodes=n, node_features=features, symmetrize=True,
                                   self_loops="remove")


def read_heco(raw_dir: PathLike, name: str, *, metapaths: Optional[Sequence[str]] = None,
              info: Optional[types.DatasetInfo] = None) -> types.HeteroDataset:
  """Reads a HeCo folder (``'acm'`` or ``'dblp'``) into a :class:`~jgssl.data.types.HeteroDataset`.

  Args:
    raw_dir: folder with the HeCo files of one dataset.
    name: ``'acm'`` or ``'dblp'`` (selects the schema: node types, relations, meta-paths).
    metapaths: meta-paths to build (default: all of HeCo's for the dataset).
    info: provenance to attach.

  Returns:
    A HeteroDataset: ``num_nodes`` per type, dense float32 ``features`` per featured type,
    ``relations[(src, dst)]`` int64 ``[2, E]`` as stored, ``metapaths[name]`` homogeneous graphs
    over the target type (self-pairs dropped), int64 labels, the 20 / 40 / 60 splits, positive
    pairs int64 ``[2, P]`` and the neighbour lists by type.

  Raises:
    DatasetError: missing / corrupted files, features or labels of the wrong size, ids out of
      range, a meta-path matrix that is not square over the target type, overlapping splits.
  """
  name = name.lower()
  if name not in HECO_SCHEMAS:
    raise ValueError(f"unknown HeCo dataset {name!r}; known: {sorted(HECO_SCHEMAS)}")
  schema = HECO_SCHEMAS[name]
  raw_dir = os.fspath(raw_dir)
  p = lambda f: os.path.join(raw_dir, f)
  num_nodes = dict(schema.num_nodes)
  n_target = num_nodes[schema.target]
  wanted = tuple(schema.metapaths if metapaths is None else metapaths)
  unknown = [m for m in wanted if m not in schema.metapaths]
  if unknown:
    raise ValueError(f"unknown meta-path(s) {unknown} for {name}; known: {schema.metapaths}")

  labels = V.check_integral(V.load_array(p("labels.npy"), what="labels"), p("labels.npy"),
                            "labels").reshape(-1)
  if labels.shape[0] != n_target:
    V.fail(p("labels.npy"), f"{labels.shape[0]} labels for {n_target} {schema.target} nodes")
  V.check_index_range(labels, 0, schema.num_classes, p("labels.npy"),
                      f"labels (labels out of range; {name} has {schema.num_classes} classes)")

  features = {}
  for letter in schema.features:
    t = schema.prefixes[letter]
    path = p(f"{letter}_feat.npz")
    m = V.load_matrix(path, what=f"{t} features")
    dense = (m.toarray() if sp.issparse(m) else np.asarray(m)).astype(np.float32)
    V.check_shape(dense, (num_nodes[t], None), path, f"{t} features (rows = {t} nodes)")
    V.check_finite(dense, path, f"{t} features")
    features[t] = dense

  relations = {}
  for rel in schema.relations:
    src, dst = schema.prefixes[rel[0]], schema.prefixes[rel[1]]
    relations[(src, dst)] = _read_relation(p(f"{rel}.txt"), src, dst, num_nodes)

  graphs = {}
  x_target = features.get(schema.target, np.zeros((n_target, 0), np.float32))
  rebuilt = []
  for mp in wanted:
    path = p(f"{mp}.npz")
    if not os.path.exists(path) and mp in schema.rebuild:
      f_rel, s_rel = schema.rebuild[mp]
      first = relations[(schema.prefixes[f_rel[0]], schema.prefixes[f_rel[1]])]
      second = relations[(schema.prefixes[s_rel[0]], schema.prefixes[s_rel[1]])]
      mid = schema.prefixes[f_rel[0]]
      adj = rebuild_metapath(
          _incidence(first, (num_nodes[mid], n_target)),
          _incidence(second, (num_nodes[mid], num_nodes[schema.prefixes[s_rel[1]]])))
      rebuilt.append(mp)
    else:
      adj = V.load_sparse_npz(path, what=f"meta-path {mp} adjacency")
    if adj.shape != (n_target, n_target):
      V.fail(path, f"meta-path {mp} is {adj.shape[0]} x {adj.shape[1]}, expected "
                   f"{n_target} x {n_target} ({schema.target} nodes)")
    graphs[mp] = _metapath_graph(adj, x_target)
    del adj

  splits = {}
  for kind in ("train", "val", "test"):
    for k in (20, 40, 60):
      path = p(f"{kind}_{k}.npy")
      idx = V.check_integral(V.load_array(path, what=f"{kind} split"), path,
                             f"{kind} split").reshape(-1)
      V.check_index_range(idx, 0, n_target, path, f"{kind}_{k} node ids")
      splits[f"{kind}_{k}"] = idx
  for k in (20, 40, 60):
    per_class = np.bincount(labels[splits[f"train_{k}"]], minlength=schema.num_classes)
    if np.any(per_class != k):
      V.fail(p(f"train_{k}.npy"), f"expected {k} nodes per class, found {per_class.tolist()}")

  pos = V.load_sparse_npz(p("pos.npz"), what="positive pairs").tocoo()
  if pos.shape != (n_target, n_target):
    V.fail(p("pos.npz"), f"positive-pair matrix is {pos.shape[0]} x {pos.shape[1]}, expected "
                         f"{n_target} x {n_target}")
  positives = np.stack([pos.row, pos.col]).astype(np.int64)

  neighbors = {}
  for letter in schema.neighbors:
    t = schema.prefixes[letter]
    path = p(f"nei_{letter}.npy")
    arr = V.load_array(path, allow_object=True, what=f"{t} neighbour lists")
    if arr.shape[0] != n_target:
      V.fail(path, f"{arr.shape[0]} neighbour lists for {n_target} {schema.target} nodes")
    lists = []
    for i, row in enumerate(arr):
      row = V.check_integral(np.asarray(row).reshape(-1), path, f"neighbour list {i}")
      V.check_index_range(row, 0, num_nodes[t], path, f"{t} ids of neighbour list {i}")
      lists.append(row)
    neighbors[t] = lists

  desc = (f"HeCo {name}: target {schema.target}; meta-paths {', '.join(wanted)} as homogeneous "
          "graphs over the target (self-pairs dropped, symmetrised); stored feature values as "
          f"dense float32; types without features: "
          f"{[t for t in num_nodes if t not in features] or 'none'}.")
  if rebuilt:
    desc += (f" {', '.join(rebuilt)} rebuilt from the relation files as "
             "((PA^T PT)(PT^T PA)) > 0 (the .npz is not in the collection).")
  info = dataclasses.replace(info or types.DatasetInfo(name=name), description=desc)
  return types.HeteroDataset(
      info=info, target=schema.target, num_nodes=num_nodes, features=features,
      relations=relations, metapaths=graphs, labels=labels, num_classes=schema.num_classes,
      splits=splits, positives=positives, neighbors=neighbors)

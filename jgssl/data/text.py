"""Reader for text-attributed CiteSeer (raw paper texts + citation graph), the TAG-native variant.

Files (``<root>/citeseer-tag/raw/``):

* ``citeseer_texts.txt`` — from ``XiaoxinHe/TAPE`` (He et al., "Harnessing Explanations:
  LLM-to-LM Interpreter for Enhanced Text-Attributed Graph Representation Learning", ICLR 2024),
  the file GraphCLIP's ``load_citeseer.py`` reads: records of three lines each (LINQS paper id,
  title + abstract, class name), 3186 papers;
* ``citeseer.cites`` — the LINQS citation list, ``<cited id>\\t<citing id>`` per line;
* ``citeseer.npz`` — LINQS CiteSeer in gnn-benchmark layout (``shchur/gnn-benchmark``) with the
  paper ids in ``node_names``; its binary bag-of-words rows (3703 columns, the Planetoid
  CiteSeer vocabulary order) become the node features.

The graph is built as GraphCLIP intends it (its loader appends ``(head, head)`` / ``(tail, tail)``
instead of ``(head, tail)``, a bug not reproduced here): node order = text-file order, edges = the
citation lines whose two ends both have a text, self-citations dropped, symmetrised and
de-duplicated (4225 undirected pairs, 8450 directed edges, 86 isolated papers). Labels use the
Planetoid CiteSeer class order ``AI, ML, IR, DB, Agents, HCI`` so that class ids agree with
``jgssl.data.load('citeseer')``. There is no standard split.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional, Union

import numpy as np

from jgssl import graph as graph_lib
from jgssl.data import types
from jgssl.data import validate as V

__all__ = ["read_citeseer_tag", "CITESEER_CLASSES"]

PathLike = Union[str, os.PathLike]

# Planetoid CiteSeer class order (verified against the labels of every labelled paper).
CITESEER_CLASSES = ("AI", "ML", "IR", "DB", "Agents", "HCI")


def _read_texts(path: str):
  path = V.require_file(path, "paper texts")
  with V.reading(path, "paper texts"):
    with open(path, "rb") as f:
      raw = f.read().decode("utf-8")
  lines = raw.split("\n")
  if lines and lines[-1] == "" and len(lines) % 3 == 1:
    lines = lines[:-1]  # tolerate one trailing newline
  if len(lines) % 3:
    V.fail(path, f"{len(lines)} lines is not a multiple of 3 (records are id / text / class); "
                 "truncated?")
  ids = [s.strip() for s in lines[0::3]]
  texts = [s.strip() for s in lines[1::3]]
  classes = [s.strip() for s in lines[2::3]]
  if len(set(ids)) != len(ids):
    V.fail(path, "a paper id appears twice")
  unknown = sorted(set(classes) - set(CITESEER_CLASSES))
  if unknown:
    V.fail(path, f"unknown class name(s) {unknown[:5]}; expected {list(CITESEER_CLASSES)}")
  if any(not i for i in ids) or any(not t for t in texts):
    V.fail(path, "an empty paper id or text")
  return ids, texts, classes


def read_citeseer_tag(raw_dir: PathLike, *, name: str = "citeseer-tag",
                      info: Optional[types.DatasetInfo] = None) -> types.NodeDataset:
  """Reads text-attributed CiteSeer into a :class:`~jgssl.data.types.NodeDataset` with ``texts``.

  Args:
    raw_dir: folder holding ``citeseer_texts.txt``, ``citeseer.cites`` and ``citeseer.npz``.
    name: dataset name for the container.
    info: provenance to attach.

  Returns:
    A NodeDataset of 3186 papers: float32 bag-of-words features ``[3186, 3703]``, int64 labels in
    Planetoid order, ``texts`` (title + abstract per node), ``splits=None``.

  Raises:
    DatasetError: missing / malformed files, a text id absent from ``citeseer.npz``, or a class
      name in the text file that disagrees with the npz label of the same paper.
  """
  raw_dir = os.fspath(raw_dir)
  texts_path = os.path.join(raw_dir, "citeseer_texts.txt")
  cites_path = os.path.join(raw_dir, "citeseer.cites")
  npz_path = os.path.join(raw_dir, "citeseer.npz")
  ids, texts, classes = _read_texts(texts_path)

  arrays = V.load_npz_arrays(npz_path, ["attr_data", "attr_indices", "attr_indptr", "attr_shape",
                                        "labels", "node_names", "class_names"],
                             what="LINQS CiteSeer npz")
  attr = V.check_csr(arrays["attr_indptr"], arrays["attr_indices"], arrays["attr_data"],
                     arrays["attr_shape"], npz_path, "features (attr_*)")
  names = [str(n) for n in arrays["node_names"]]
  class_names = [str(c) for c in arrays["class_names"]]
  npz_labels = V.check_integral(arrays["labels"], npz_path, "labels").reshape(-1)
  if len(names) != attr.shape[0] or npz_labels.shape[0] != attr.shape[0]:
    V.fail(npz_path, f"{len(names)} node names / {npz_labels.shape[0]} labels for "
                     f"{attr.shape[0]} feature rows")
  V.check_index_range(npz_labels, 0, len(class_names), npz_path, "labels")
  row_of = {n: i for i, n in enumerate(names)}
  missing = [i for i in ids if i not in row_of]
  if missing:
    V.fail(texts_path, f"{len(missing)} paper id(s) absent from citeseer.npz, e.g. {missing[0]!r}")
  rows = np.array([row_of[i] for i in ids], np.int64)
  disagree = [i for i, r, c in zip(ids, rows, classes) if class_names[npz_labels[r]] != c]
  if disagree:
    V.fail(texts_path, f"class of {len(disagree)} paper(s) disagrees with citeseer.npz, e.g. "
                       f"{disagree[0]!r}")

  node_of = {paper: k for k, paper in enumerate(ids)}
  path = V.require_file(cites_path, "citation list")
  with V.reading(path, "citation list"):
    with open(path, "rb") as f:
      cite_lines = f.read().decode("utf-8").splitlines()
  pairs = []
  for number, line in enumerate(cite_lines, start=1):
    if not line.strip():
      continue
    parts = line.split()
    if len(parts) != 2:
      V.fail(cites_path, f"line {number} has {len(parts)} field(s), expected '<cited> <citing>'")
    cited, citing = parts
    if cited in node_of and citing in node_of and cited != citing:
      pairs.append((node_of[citing], node_of[cited]))
  edge_index = np.array(pairs, np.int64).reshape(-1, 2).T
  features = attr[rows].astype(np.float32).toarray()
  g = graph_lib.from_edge_index(edge_index, num_nodes=len(ids), node_features=features,
                                symmetrize=True, self_loops="remove")
  labels = np.array([CITESEER_CLASSES.index(c) for c in classes], np.int64)
  desc = (f"{name}: {len(ids)} CiteSeer papers with title + abstract texts (TAPE file read by "
          "GraphCLIP), node order = text file; citations with both ends in the text set, "
          "self-citations dropped, symmetrised; LINQS bag-of-words features; labels in Planetoid "
          f"order {list(CITESEER_CLASSES)}; no standard split.")
  info = dataclasses.replace(info or types.DatasetInfo(name=name), description=desc)
  return types.NodeDataset(info=info, graph=g, labels=labels, num_classes=len(CITESEER_CLASSES),
                           splits=None, texts=tuple(texts))

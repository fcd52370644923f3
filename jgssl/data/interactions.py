"""Reader for user–item interaction data in the HKUDS pickled-scipy format (SSLRec / LightGCL).

``HKUDS/SSLRec`` ``datasets/general_cf/sparse_yelp/{train_mat,valid_mat,test_mat}.pkl``: each a
Python-3 pickle of a ``scipy.sparse.coo_matrix`` ``[num_users, num_items]`` whose entries (1.0)
are observed interactions; LightGCL's ``trnMat.pkl`` / ``tstMat.pkl`` use the same object type.
The pickles are read with a restricted unpickler that only rebuilds numpy / scipy.sparse objects.

Checks: the three matrices have the same shape, all values are positive and finite, no pair is
repeated inside a file, and train is disjoint from valid and test. The Yelp copy has 42712 users,
26822 items and 182357 / 13025 / 65128 train / valid / test interactions.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional, Sequence, Union

import numpy as np
import scipy.sparse as sp

from jgssl.data import types
from jgssl.data import validate as V

__all__ = ["read_sslrec"]

PathLike = Union[str, os.PathLike]


def _pairs(path: str, what: str):
  obj = V.load_pickle(path, what=f"{what} interaction matrix")
  if not sp.issparse(obj):
    V.fail(path, f"holds a {type(obj).__name__}, expected a scipy sparse interaction matrix")
  coo = obj.tocoo() if getattr(obj, "format", "") != "coo" else obj
  V.check_sparse(coo, path, f"{what} interaction matrix")
  data = np.asarray(coo.data)
  if data.size and data.min() <= 0:
    V.fail(path, f"{what} interactions hold non-positive value {data.min()} (expected 1.0)")
  pairs = np.stack([np.asarray(coo.row), np.asarray(coo.col)]).astype(np.int64)
  key = pairs[0] * max(coo.shape[1], 1) + pairs[1]
  order = np.argsort(key, kind="stable")
  if np.any(key[order][1:] == key[order][:-1]):
    V.fail(path, f"{what} interactions repeat a (user, item) pair")
  # Sort by (user, item): deterministic, independent of the stored order.
  return pairs[:, order], coo.shape, key[order]


def read_sslrec(raw_dir: PathLike, *, name: str = "yelp",
                files: Sequence[str] = ("train_mat.pkl", "valid_mat.pkl", "test_mat.pkl"),
                info: Optional[types.DatasetInfo] = None) -> types.InteractionDataset:
  """Reads the train / valid / test pickles into a :class:`~jgssl.data.types.InteractionDataset`.

  Args:
    raw_dir: folder holding the three pickles.
    name: dataset name for the container.
    files: file names of the train, valid and test matrices.
    info: provenance to attach.

  Returns:
    An InteractionDataset with int64 ``[2, E]`` (user, item) pairs sorted by user then item.

  Raises:
    DatasetError: missing / truncated / corrupted pickle, a pickle holding anything but a sparse
      matrix, shapes that disagree between the files, repeated pairs, or train pairs that also
      appear in valid or test.
  """
  raw_dir = os.fspath(raw_dir)
  if len(files) != 3:
    raise ValueError(f"files must name the train, valid and test pickles, got {files}")
  paths = [os.path.join(raw_dir, f) for f in files]
  (train, shape, k_tr), (valid, shape_v, k_va), (test, shape_t, k_te) = (
      _pairs(p, w) for p, w in zip(paths, ("train", "valid", "test")))
  for path, s in ((paths[1], shape_v), (paths[2], shape_t)):
    if s != shape:
      V.fail(path, f"matrix is {s[0]} x {s[1]} but the train matrix is {shape[0]} x {shape[1]} "
                   "(users x items must agree)")
  for path, k, what in ((paths[1], k_va, "valid"), (paths[2], k_te, "test")):
    common = np.intersect1d(k_tr, k, assume_unique=True)
    if common.size:
      V.fail(path, f"{common.size} {what} interaction(s) also appear in the train matrix")
  num_users, num_items = int(shape[0]), int(shape[1])
  desc = (f"{name}: user-item implicit feedback ({num_users} users x {num_items} items), "
          f"{train.shape[1]} / {valid.shape[1]} / {test.shape[1]} train / valid / test "
          "interactions; train disjoint from valid and test.")
  info = dataclasses.replace(info or types.DatasetInfo(name=name), description=desc)
  return types.InteractionDataset(info=info, num_users=num_users, num_items=num_items,
                                  train=train, valid=valid, test=test)

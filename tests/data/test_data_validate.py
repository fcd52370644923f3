"""Validation helpers and container checks, on small hand-made inputs."""

import dataclasses
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import jgssl.data as jdata
from jgssl import graph as graph_lib
from jgssl.data import DatasetError
from jgssl.data import validate as V


def test_dataset_error_is_a_value_error():
  assert issubclass(DatasetError, ValueError)
  assert issubclass(jdata.DownloadError, DatasetError)


def test_read_int_table(tmp_path):
  path = tmp_path / "t.txt"
  path.write_text("1, 2\n3,4\n\n  5 ,\t6\n")
  np.testing.assert_array_equal(V.read_int_table(path, 2), [[1, 2], [3, 4], [5, 6]])
  assert V.read_int_table(path, 2).dtype == np.int64
  path.write_text("1, 2\n3\n")
  with pytest.raises(DatasetError, match=r"t\.txt: integer table: line 2 has 1 column\(s\), "
                                         r"expected 2"):
    V.read_int_table(path, 2)
  path.write_text("1, 2\n3, 4.5\n")
  with pytest.raises(DatasetError, match=r"line 2 holds a token that is not an integer"):
    V.read_int_table(path, 2)
  path.write_text("\n \n")
  with pytest.raises(DatasetError, match=r"t\.txt: empty file"):
    V.read_int_table(path, 2)
  with pytest.raises(DatasetError, match=r"nope\.txt: missing file"):
    V.read_int_table(tmp_path / "nope.txt", 2)


def test_read_float_table(tmp_path):
  path = tmp_path / "f.txt"
  path.write_text(" 1.5, -2\n3e2, nan\n")
  out = V.read_float_table(path)
  assert out.shape == (2, 2) and out[1, 0] == 300.0 and np.isnan(out[1, 1])
  with pytest.raises(DatasetError, match=r"f\.txt: values holds 1 non-finite value\(s\) \(1 NaN\)"):
    V.check_finite(out, path, "values")


def test_check_integral_and_range():
  np.testing.assert_array_equal(V.check_integral(np.array([1.0, 2.0]), "p", "ids"), [1, 2])
  with pytest.raises(DatasetError, match=r"p: ids holds non-integer values \(e\.g\. 1\.5\)"):
    V.check_integral(np.array([1.0, 1.5]), "p", "ids")
  with pytest.raises(DatasetError, match=r"p: ids has dtype <U1, expected integers"):
    V.check_integral(np.array(["a"]), "p", "ids")
  V.check_index_range(np.array([0, 4]), 0, 5, "p", "ids")
  with pytest.raises(DatasetError, match=r"p: ids holds index -1, outside \[0, 5\)"):
    V.check_index_range(np.array([-1, 4]), 0, 5, "p", "ids")


def test_check_csr():
  m = V.check_csr([0, 1, 3], [2, 0, 1], [1.0, 2.0, 3.0], [2, 3], "p", "m")
  np.testing.assert_array_equal(m.toarray(), [[0, 0, 1], [2, 3, 0]])
  with pytest.raises(DatasetError, match=r"indptr has 2 entries for 2 rows \(expected 3\)"):
    V.check_csr([0, 1], [2], [1.0], [2, 3], "p", "m")
  with pytest.raises(DatasetError, match=r"indptr must start at 0 and never decrease"):
    V.check_csr([0, 2, 1], [0, 1], [1.0, 1.0], [2, 3], "p", "m")
  with pytest.raises(DatasetError, match=r"indptr ends at 3 but there are 2 column indices"):
    V.check_csr([0, 1, 3], [0, 1], [1.0, 1.0], [2, 3], "p", "m")
  with pytest.raises(DatasetError, match=r"m column indices holds index 3, outside \[0, 3\)"):
    V.check_csr([0, 1, 2], [0, 3], [1.0, 1.0], [2, 3], "p", "m")
  with pytest.raises(DatasetError, match=r"m values holds 1 non-finite"):
    V.check_csr([0, 1, 2], [0, 1], [1.0, np.inf], [2, 3], "p", "m")


def test_load_pickle_allows_data_and_refuses_code(tmp_path):
  good = tmp_path / "good.pkl"
  with open(good, "wb") as f:
    pickle.dump({"m": sp.csr_matrix(np.eye(3)), "a": np.arange(4), "l": [1, 2]}, f, protocol=2)
  obj = V.load_pickle(good)
  assert (obj["m"] != sp.csr_matrix(np.eye(3))).nnz == 0 and obj["l"] == [1, 2]

  class Evil:

    def __reduce__(self):
      import os
      return (os.getcwd, ())

  bad = tmp_path / "bad.pkl"
  with open(bad, "wb") as f:
    pickle.dump(Evil(), f)
  with pytest.raises(DatasetError, match=r"bad\.pkl: .*refusing to load posix\.getcwd"):
    V.load_pickle(bad)
  trailing = tmp_path / "trailing.pkl"
  trailing.write_bytes(good.read_bytes() + b"extra")
  with pytest.raises(DatasetError, match=r"trailing bytes after the pickled"):
    V.load_pickle(trailing)


def test_load_array_and_matrix(tmp_path):
  np.save(tmp_path / "a.npy", np.arange(6).reshape(2, 3))
  np.testing.assert_array_equal(V.load_array(tmp_path / "a.npy"), [[0, 1, 2], [3, 4, 5]])
  np.save(tmp_path / "f.npy", np.asfortranarray(np.arange(6).reshape(2, 3)))
  np.testing.assert_array_equal(V.load_array(tmp_path / "f.npy"), [[0, 1, 2], [3, 4, 5]])
  obj = np.empty(2, dtype=object)
  obj[0], obj[1] = np.array([1, 2]), np.array([3])
  np.save(tmp_path / "o.npy", obj, allow_pickle=True)
  with pytest.raises(DatasetError, match=r"o\.npy: .*object array \(needs pickle\)"):
    V.load_array(tmp_path / "o.npy")
  loaded = V.load_array(tmp_path / "o.npy", allow_object=True)
  assert [x.tolist() for x in loaded] == [[1, 2], [3]]
  data = (tmp_path / "a.npy").read_bytes()
  (tmp_path / "t.npy").write_bytes(data[:-8])
  with pytest.raises(DatasetError, match=r"t\.npy: array is truncated"):
    V.load_array(tmp_path / "t.npy")
  # A .npy saved under a .npz name (HeCo's dblp t_feat.npz) is told apart by its magic bytes.
  (tmp_path / "disguised.npz").write_bytes(data)
  assert isinstance(V.load_matrix(tmp_path / "disguised.npz"), np.ndarray)
  sp.save_npz(tmp_path / "s.npz", sp.coo_matrix(np.eye(3)))
  assert (V.load_matrix(tmp_path / "s.npz") != sp.eye(3)).nnz == 0
  sp.save_npz(tmp_path / "c.npz", sp.csc_matrix(np.array([[0, 2.0], [3.0, 0]])))
  np.testing.assert_array_equal(V.load_sparse_npz(tmp_path / "c.npz").toarray(), [[0, 2], [3, 0]])


def _tiny_node_dataset():
  g = graph_lib.from_edge_index(np.array([[0, 1], [1, 2]]), num_nodes=3,
                                node_features=np.eye(3, dtype=np.float32))
  return jdata.NodeDataset(info=jdata.DatasetInfo(name="tiny"), graph=g,
                           labels=np.array([0, 1, 1]), num_classes=2,
                           splits={"train": np.array([0]), "val": np.array([1]),
                                   "test": np.array([2])})


def test_validate_dataset_accepts_and_rejects():
  ds = _tiny_node_dataset()
  assert V.validate_dataset(ds) is ds
  bad = dataclasses.replace(ds, labels=np.array([0, 2, 1]))
  with pytest.raises(DatasetError, match=r"dataset 'tiny': labels holds index 2, outside \[0, 2\)"):
    V.validate_dataset(bad)
  bad = dataclasses.replace(ds, splits={"train": np.array([0, 1]), "val": np.array([1]),
                                        "test": np.array([2])})
  with pytest.raises(DatasetError, match=r"splits 'train' and 'val' share 1 index"):
    V.validate_dataset(bad)
  x = ds.graph.nodes["x"].copy()
  x[0, 0] = np.nan
  bad = dataclasses.replace(ds, graph=ds.graph._replace(nodes={**ds.graph.nodes, "x": x}))
  with pytest.raises(DatasetError, match=r"node features holds 1 non-finite"):
    V.validate_dataset(bad)
  with pytest.raises(TypeError, match="expected a jgssl.data dataset"):
    V.validate_dataset(object())


def test_validate_graph_dataset_edge_across_graphs():
  g0 = graph_lib.from_edge_index(np.array([[0], [1]]), num_nodes=2,
                                 node_features=np.ones((2, 1), np.float32))
  batch = graph_lib.batch([g0, g0])
  ds = jdata.GraphDataset(info=jdata.DatasetInfo(name="pair"), graphs=batch,
                          labels=np.array([0, 1]), num_classes=2)
  assert V.validate_dataset(ds) is ds
  senders = np.asarray(batch.senders).copy()
  senders[0] = 3  # node of graph 1, edge of graph 0
  bad = dataclasses.replace(ds, graphs=batch._replace(senders=senders))
  with pytest.raises(DatasetError, match="an edge connects nodes of two different graphs"):
    V.validate_dataset(bad)


def test_validate_interactions():
  ok = jdata.InteractionDataset(info=jdata.DatasetInfo(name="rec"), num_users=2, num_items=3,
                                train=np.array([[0, 1], [0, 2]]), valid=np.array([[0], [1]]),
                                test=np.array([[1], [0]]))
  assert V.validate_dataset(ok) is ok
  leak = dataclasses.replace(ok, test=np.array([[1], [2]]))
  with pytest.raises(DatasetError, match=r"train and test interactions share 1"):
    V.validate_dataset(leak)
  out = dataclasses.replace(ok, valid=np.array([[0], [3]]))
  with pytest.raises(DatasetError, match=r"valid item ids holds index 3, outside \[0, 3\)"):
    V.validate_dataset(out)

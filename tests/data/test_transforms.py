"""Feature transforms: row normalisation as PyG's NormalizeFeatures, on real Planetoid data."""

import numpy as np
import pytest

from jgssl import data
from jgssl import graph as graph_lib


def test_row_normalize_rows_sum_to_one_and_zero_rows_stay_zero():
  x = np.array([[1.0, 3.0, 0.0], [0.0, 0.0, 0.0], [2.0, 2.0, 4.0]])
  y = data.row_normalize(x)
  np.testing.assert_allclose(y.sum(1), [1.0, 0.0, 1.0], rtol=1e-6)
  np.testing.assert_allclose(y[0], [0.25, 0.75, 0.0])
  assert y.dtype == np.float32 and np.isfinite(y).all()


def test_row_normalize_on_citeseer_keeps_its_empty_rows(data_root):
  ds = data.load("citeseer", root=data_root)
  x = np.asarray(ds.graph.nodes["x"])
  y = data.row_normalize(x)
  empty = x.sum(1) == 0
  assert empty.sum() > 0  # the PyG assembly has feature-less test-range nodes
  np.testing.assert_allclose(y[~empty].sum(1), 1.0, rtol=1e-5)
  assert (y[empty] == 0).all()
  assert ((y > 0) == (x > 0)).all()  # the sparsity pattern is kept


def test_normalize_node_features_on_a_graph():
  g = graph_lib.from_edge_index(np.array([[0, 1], [1, 2]]), num_nodes=3,
                                node_features=np.array([[1.0, 1.0], [0.0, 2.0], [0.0, 0.0]]))
  out = data.normalize_node_features(g, "row")
  np.testing.assert_allclose(out.nodes["x"], [[0.5, 0.5], [0.0, 1.0], [0.0, 0.0]])
  assert out.nodes.keys() == g.nodes.keys()
  np.testing.assert_array_equal(data.normalize_node_features(g, "none").nodes["x"], g.nodes["x"])
  with pytest.raises(ValueError, match="unknown feature normalisation 'l2'"):
    data.normalize_node_features(g, "l2")
  with pytest.raises(ValueError, match=r"expects \[N, F\]"):
    data.row_normalize(np.ones(3))

"""Tests for jgssl.data.tfds_builders: array_record export, read back without TensorFlow."""

import importlib.util
import os
import sys

import jraph
import numpy as np
import pytest
import tensorflow_datasets as tfds

from jgssl import graph as graph_lib
from jgssl.data import synthetic
from jgssl.data import tfds_builders as tb
from jgssl.data import types


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
  return tmp_path_factory.mktemp("tfds")


def _assert_same_graph(a, b):
  for k in ("x", "mask"):
    np.testing.assert_array_equal(np.asarray(a.nodes[k]), np.asarray(b.nodes[k]))
  for k in ("weight", "mask"):
    np.testing.assert_array_equal(np.asarray(a.edges[k]), np.asarray(b.edges[k]))
  for k in ("senders", "receivers", "n_node", "n_edge"):
    np.testing.assert_array_equal(np.asarray(getattr(a, k)), np.asarray(getattr(b, k)))


def _files(path):
  return [f for _, _, fs in os.walk(path) for f in fs]


def test_tensorflow_is_absent():
  # The point of array_record + data_source: everything here runs without TensorFlow.
  assert importlib.util.find_spec("tensorflow") is None
  assert "tensorflow" not in sys.modules


def test_node_dataset_round_trip(data_dir):
  d = synthetic.contextual_sbm(0, num_nodes=400, num_blocks=3, avg_degree=5.0, homophily=0.8,
                               num_features=6, feature_signal=2.0)
  d = types.NodeDataset(info=d.info, graph=d.graph, labels=d.labels, num_classes=3,
                        splits=d.random_split(1), texts=[f"nœud {i}" for i in range(400)])
  d.graph.nodes["x"][:, 0] = 0.0                       # some exact zeros, kept through COO
  builder = tb.build("csbm", data_dir=data_dir, dataset=d)
  assert builder.info.splits["full"].num_examples == 1
  assert builder.info.metadata["num_classes"] == 3 and builder.info.metadata["kind"] == "node"
  files = _files(data_dir / "jgssl_csbm")
  assert any(".array_record-" in f for f in files) and not any("tfrecord" in f for f in files)

  src = tb.load_tfds("csbm", data_dir=data_dir, split="full")
  assert len(src) == 1
  ex = src[0]
  assert ex["x_values"].shape[0] == np.count_nonzero(d.graph.nodes["x"])
  np.testing.assert_array_equal(np.flatnonzero(ex["train_mask"]), d.splits["train"])

  back = tb.from_tfds("csbm", data_dir=data_dir)
  assert isinstance(back, types.NodeDataset)
  _assert_same_graph(back.graph, d.graph)
  np.testing.assert_array_equal(back.labels, d.labels)
  for k in ("train", "val", "test"):
    np.testing.assert_array_equal(back.splits[k], d.splits[k])
  assert list(back.texts) == list(d.texts) and back.info == d.info and back.num_classes == 3
  assert "tensorflow" not in sys.modules


def test_node_dataset_without_splits_or_texts(data_dir):
  d = synthetic.sbm(2, num_nodes=50, num_blocks=2, avg_degree=3.0, homophily=0.9)
  tb.build("plain_sbm", data_dir=data_dir, dataset=d)
  back = tb.from_tfds("plain_sbm", data_dir=data_dir)
  assert back.splits is None and back.texts is None and back.num_features == 0
  _assert_same_graph(back.graph, d.graph)


def _toy_graph_dataset(seed=0, num_graphs=7):
  rng = np.random.default_rng(seed)
  graphs = []
  for i in range(num_graphs):
    n = 3 + i
    edges = np.stack([np.arange(n - 1), np.arange(1, n)])
    graphs.append(graph_lib.from_edge_index(
        edges, num_nodes=n, node_features=rng.standard_normal((n, 4)),
        edge_weight=rng.uniform(0.5, 2.0, n - 1)))
  folds = [(np.array([0, 1, 2, 3]), np.array([4, 5, 6])), (np.array([4, 5, 6]), np.array([0]))]
  return types.GraphDataset(info=types.DatasetInfo(name="toy_graphs", source="test"),
                            graphs=jraph.batch_np(graphs), labels=np.arange(num_graphs) % 3,
                            num_classes=3, folds=folds)


def test_graph_dataset_round_trip_keeps_order(data_dir):
  d = _toy_graph_dataset()
  builder = tb.build("toy_graphs", data_dir=data_dir, dataset=d)
  assert builder.info.splits["full"].num_examples == 7
  src = tb.load_tfds("toy_graphs", data_dir=data_dir, split="full")
  assert [int(src[i]["index"]) for i in range(len(src))] == list(range(7))   # dataset order
  ex = src[5]
  g5 = d.graph(5)
  np.testing.assert_array_equal(ex["x"], g5.nodes["x"])
  np.testing.assert_array_equal(ex["senders"], g5.senders)            # local node ids
  assert int(ex["label"]) == 2
  back = tb.from_tfds("toy_graphs", data_dir=data_dir)
  _assert_same_graph(back.graphs, d.graphs)
  np.testing.assert_array_equal(back.labels, d.labels)
  assert len(back.folds) == 2
  np.testing.assert_array_equal(back.folds[1][0], [4, 5, 6])


def test_interaction_dataset_round_trip_with_empty_split(data_dir):
  train = np.array([[0, 0, 1, 3, 3, 3], [1, 2, 4, 0, 2, 1]])
  d = types.InteractionDataset(info=types.DatasetInfo(name="toy_cf"), num_users=4, num_items=5,
                               train=train, valid=np.array([[2], [3]]),
                               test=np.zeros((2, 0), np.int64))
  builder = tb.build("toy_cf", data_dir=data_dir, dataset=d)
  assert set(builder.info.splits.keys()) == {"train", "valid"}
  src = tb.load_tfds("toy_cf", data_dir=data_dir, split="train")
  assert len(src) == 3                                   # users 0, 1, 3
  np.testing.assert_array_equal(src[2]["items"], [0, 1, 2])
  back = tb.from_tfds("toy_cf", data_dir=data_dir)
  key = lambda p: sorted(map(tuple, np.asarray(p).T.tolist()))
  assert key(back.train) == key(train) and key(back.valid) == [(2, 3)]
  assert back.test.shape == (2, 0) and (back.num_users, back.num_items) == (4, 5)


def test_build_reuses_prepared_records_unless_overwrite(data_dir):
  a = _toy_graph_dataset(seed=0, num_graphs=3)
  b = _toy_graph_dataset(seed=1, num_graphs=4)
  tb.build("reuse", data_dir=data_dir, dataset=a)
  assert tb.build("reuse", data_dir=data_dir, dataset=b).info.splits["full"].num_examples == 3
  assert tb.build("reuse", data_dir=data_dir, dataset=b,
                  overwrite=True).info.splits["full"].num_examples == 4
  np.testing.assert_array_equal(tb.from_tfds("reuse", data_dir=data_dir).graphs.nodes["x"],
                                b.graphs.nodes["x"])


def test_names_errors_and_builder_cache(data_dir, tmp_path):
  assert tb.builder_name("IMDB-BINARY") == "jgssl_imdb_binary"
  assert tb.builder_name("MUTAG") == tb.builder_name("mutag") == "jgssl_mutag"
  assert tb.builder_name("photo") == "jgssl_amazon_photo"        # registry alias
  assert tb.builder_name("My Graphs") == "jgssl_my_graphs"        # unregistered: as given
  with pytest.raises(ValueError, match="non-empty"):
    tb.builder_name("--")
  assert tb.make_builder("Mutag").JGSSL_KIND == "graph"          # kind from the registry
  assert tb.make_builder("cora").JGSSL_KIND == "node"
  assert tb.make_builder("yelp").JGSSL_KIND == "interaction"
  with pytest.raises(NotImplementedError, match="node, graph, interaction"):
    tb.make_builder("acm")
  with pytest.raises(NotImplementedError, match="heterogeneous"):
    tb.build("dblp", data_dir=tmp_path)
  with pytest.raises(ValueError, match="kind="):
    tb.make_builder("not_registered")
  with pytest.raises(ValueError, match="registry"):
    tb.make_builder("cora", kind="graph")
  with pytest.raises(ValueError, match="not a registered dataset"):
    tb.build("not_registered", data_dir=tmp_path)
  cls = tb.make_builder("toy_graphs", kind="graph")
  assert tb.make_builder("toy_graphs", kind="graph") is cls and cls.name == "jgssl_toy_graphs"
  with pytest.raises(ValueError, match="kind"):
    tb.make_builder("x", kind="edges")
  with pytest.raises(ValueError, match="array_record"):
    cls(data_dir=tmp_path, dataset=_toy_graph_dataset(), file_format="tfrecord")
  with pytest.raises(ValueError, match="graph datasets"):
    cls(data_dir=tmp_path, dataset=synthetic.sbm(0, num_nodes=10, num_blocks=2, avg_degree=2.0,
                                                 homophily=0.5))
  with pytest.raises(FileNotFoundError, match="build"):
    tb.load_tfds("never_built", data_dir=tmp_path)
  hetero = types.HeteroDataset(
      info=types.DatasetInfo(name="heco-acm"), target="paper", num_nodes={"paper": 2},
      features={"paper": np.zeros((2, 1), np.float32)}, relations={}, metapaths={},
      labels=np.zeros(2, np.int64), num_classes=1, splits={})
  with pytest.raises(NotImplementedError, match="node, graph, interaction"):
    tb.build("heco-acm", data_dir=tmp_path, dataset=hetero)


# ---------------------------------------------------------------------------------------------
# Real datasets, read offline from the local raw files through jgssl.data.load.
# ---------------------------------------------------------------------------------------------


def test_mutag_offline_round_trip(data_root, tmp_path):
  from jgssl import data as data_lib
  ref = data_lib.load("mutag", root=str(data_root))
  # The builder class itself, with the raw root passed as TFDS's manual_dir.
  builder = tb.make_builder("MUTAG")(data_dir=str(tmp_path))
  builder.download_and_prepare(
      download_config=tfds.download.DownloadConfig(manual_dir=str(data_root)))
  assert not (tmp_path / "downloads" / "extracted").exists() or not any(
      (tmp_path / "downloads" / "extracted").iterdir())      # nothing was downloaded
  src = tfds.data_source("jgssl_mutag", data_dir=str(tmp_path), split="full", download=False)
  assert len(src) == ref.num_graphs == 188
  for i in (0, 1, 57, 187):
    ex, g = src[i], ref.graph(i)
    assert int(ex["index"]) == i and int(ex["label"]) == int(ref.labels[i])
    np.testing.assert_array_equal(ex["x"], g.nodes["x"])
    np.testing.assert_array_equal(ex["senders"], g.senders)
    np.testing.assert_array_equal(ex["receivers"], g.receivers)
  back = tb.from_tfds("mutag", data_dir=tmp_path)
  _assert_same_graph(back.graphs, ref.graphs)
  np.testing.assert_array_equal(back.labels, ref.labels)
  assert back.num_classes == ref.num_classes == 2
  assert builder.info.metadata["num_graphs"] == 188
  assert "tensorflow" not in sys.modules


def test_cora_offline_round_trip(data_root, tmp_path):
  from jgssl import data as data_lib
  ref = data_lib.load("cora", root=str(data_root))
  tb.build("cora", data_dir=tmp_path, root=data_root)
  src = tb.load_tfds("cora", data_dir=tmp_path, split="full")
  assert len(src) == 1
  back = tb.from_tfds("cora", data_dir=tmp_path)
  assert back.num_nodes == 2708 and back.num_features == 1433 and back.num_classes == 7
  _assert_same_graph(back.graph, ref.graph)
  np.testing.assert_array_equal(back.labels, ref.labels)
  for k in ("train", "val", "test"):
    np.testing.assert_array_equal(back.splits[k], ref.splits[k])
  size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(tmp_path) for f in fs
             if ".array_record-" in f)
  # COO features: far below the 15.5 MB a dense 2708 x 1433 float32 matrix would take.
  assert size < 2_000_000

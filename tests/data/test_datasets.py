"""Every registered dataset against the statistics in ``shared/datasets/MANIFEST.md``.

Edge counts are directed edges after symmetrisation, de-duplication and self-loop removal (PyG's
convention: Cora 10556 = 2 x 5278 undirected edges).
"""

import numpy as np
import pytest

import jgssl.data as jdata
from jgssl.data import DatasetError


def _load(name, root, **options):
  return jdata.load(name, root=root, download=False, progress=False, **options)


def _check_graph_invariants(graph):
  """Undirected (every edge has its reverse), no self-loops, no duplicate edges, masks True."""
  s, r = np.asarray(graph.senders, np.int64), np.asarray(graph.receivers, np.int64)
  n = int(np.sum(graph.n_node))
  assert not np.any(s == r)
  key = np.sort(s * n + r)
  assert np.all(key[1:] != key[:-1])  # no duplicates (sort-based: np.unique hashes slowly)
  assert np.array_equal(key, np.sort(r * n + s))
  assert graph.nodes["mask"].all() and graph.edges["mask"].all() and graph.globals["mask"].all()
  assert graph.nodes["x"].dtype == np.float32


# --------------------------------------------------------------------------------------------
# Node datasets
# --------------------------------------------------------------------------------------------

NODE = {
    # name: (nodes, directed edges, features, class counts, split sizes, feature nnz or None)
    "cora": (2708, 10556, 1433, [351, 217, 418, 818, 426, 298, 180], (140, 500, 1000), None),
    # CiteSeer: MANIFEST's 3312 labelled nodes plus the 15 isolated test-range nodes, which get
    # label 0 as in PyG (249 + 15 = 264).
    "citeseer": (3327, 9104, 3703, [264, 590, 668, 701, 596, 508], (120, 500, 1000), None),
    "amazon-photo": (7650, 238162, 745, [369, 1686, 703, 915, 882, 823, 1941, 331], None,
                     1979909),
    "amazon-computers": (13752, 491722, 767,
                         [436, 2142, 1414, 542, 5158, 308, 487, 818, 2156, 291], None, 3675081),
    "coauthor-cs": (18333, 163788, 6805, [708, 462, 2050, 429, 1394, 2193, 371, 924, 775, 118,
                                          1444, 2033, 420, 4136, 876], None, 1092079),
    "coauthor-physics": (34493, 495924, 8415, [5750, 5045, 17426, 2753, 3519], None, 1137311),
}


@pytest.mark.parametrize("name", list(NODE))
def test_node_dataset_statistics(name, data_root):
  nodes, edges, feats, counts, split, nnz = NODE[name]
  ds = _load(name, data_root)
  assert isinstance(ds, jdata.NodeDataset)
  assert (ds.num_nodes, ds.num_edges, ds.num_features) == (nodes, edges, feats)
  assert ds.num_classes == len(counts)
  assert np.bincount(ds.labels, minlength=ds.num_classes).tolist() == counts
  assert ds.labels.dtype == np.int64
  _check_graph_invariants(ds.graph)
  if split is None:
    assert ds.splits is None
  else:
    assert tuple(len(ds.splits[k]) for k in ("train", "val", "test")) == split
  if nnz is not None:
    assert int(np.count_nonzero(ds.graph.nodes["x"])) == nnz
  assert ds.info.name == name and ds.info.source and ds.info.license and ds.info.citation


def test_planetoid_features_are_binary(data_root):
  for name in ("cora", "citeseer"):
    x = _load(name, data_root).graph.nodes["x"]
    assert set(np.unique(x).tolist()) == {0.0, 1.0}


def test_pubmed_reports_missing_allx(data_root):
  with pytest.raises(DatasetError) as info:
    _load("pubmed", data_root)
  message = str(info.value)
  assert "ind.pubmed.allx" in message
  assert "7578385" in message
  assert "508e538e2abdccdd54c4d3e9f49d638b4af7107d85845f66ddea5a5152658b7e" in message
  assert str(data_root / "pubmed" / "raw" / "ind.pubmed.allx") in message
  assert "raw.githubusercontent.com/kimiyoung/planetoid" in message


# --------------------------------------------------------------------------------------------
# Graph datasets
# --------------------------------------------------------------------------------------------

GRAPH = {
    # name: (graphs, class counts after sorted remap, nodes, directed edges, features or None)
    "mutag": (188, [63, 125], 3371, 7442, 7),
    "proteins": (1113, [663, 450], 43471, 162088, 3),
    "nci1": (4110, [2053, 2057], 122747, 265506, 37),
    "imdb-binary": (1000, [500, 500], 19773, 193062, None),
    "imdb-multi": (1500, [500, 500, 500], 19502, 197806, None),
}


@pytest.mark.parametrize("name", list(GRAPH))
def test_tu_dataset_statistics(name, data_root):
  graphs, counts, nodes, edges, feats = GRAPH[name]
  ds = _load(name, data_root)
  assert isinstance(ds, jdata.GraphDataset)
  assert (ds.num_graphs, ds.num_nodes, ds.num_edges) == (graphs, nodes, edges)
  assert np.bincount(ds.labels).tolist() == counts and ds.num_classes == len(counts)
  assert ds.folds is None
  _check_graph_invariants(ds.graphs)
  x = ds.graphs.nodes["x"]
  assert np.all(x.sum(axis=1) == 1.0)  # one-hot rows (labels or degree)
  if feats is not None:
    assert ds.num_features == feats
  else:  # no node labels: one-hot degree, width min(max degree, 400) + 1
    degree = np.bincount(ds.graphs.receivers, minlength=nodes)
    assert ds.num_features == min(int(degree.max()), 400) + 1
    assert np.array_equal(x.argmax(axis=1), np.minimum(degree, 400))


def test_reddit_binary_statistics(data_root):
  ds = _load("reddit-binary", data_root, node_features="constant")
  assert (ds.num_graphs, ds.num_nodes, ds.num_edges) == (2000, 859254, 2 * 995508)
  assert np.bincount(ds.labels).tolist() == [1000, 1000]
  assert ds.num_features == 1
  assert len(ds.folds) == 10
  _check_graph_invariants(ds.graphs)


@pytest.mark.slow
def test_collab_statistics(data_root):
  ds = _load("collab", data_root, node_features="constant")
  assert (ds.num_graphs, ds.num_nodes) == (5000, 372474)
  assert ds.num_edges == 2 * 12286079  # 2837 stored self-loops removed
  assert np.bincount(ds.labels).tolist() == [2600, 775, 1625]
  assert len(ds.folds) == 10
  assert ds.graphs.n_node.shape == (5000,) and ds.graphs.n_edge.shape == (5000,)
  assert ds.num_nodes / ds.num_graphs == pytest.approx(74.49, abs=0.01)  # MANIFEST avg nodes


# --------------------------------------------------------------------------------------------
# Heterogeneous and interaction datasets
# --------------------------------------------------------------------------------------------


def test_acm_statistics(data_root):
  ds = _load("acm", data_root)
  assert isinstance(ds, jdata.HeteroDataset) and ds.target == "paper"
  assert dict(ds.num_nodes) == {"paper": 4019, "author": 7167, "subject": 60}
  assert {k: v.shape[1] for k, v in ds.relations.items()} == {
      ("paper", "author"): 13407, ("paper", "subject"): 4019}
  assert np.bincount(ds.labels).tolist() == [1993, 965, 1061]
  assert ds.features["paper"].shape == (4019, 1902)
  assert ds.features["author"].shape == (7167, 1902)
  np.testing.assert_allclose(ds.features["paper"].sum(axis=1), 1.0, rtol=1e-5)  # row-normalised
  # Stored meta-path nnz minus the 4019 self-pairs, each remaining pair in both directions.
  assert int(ds.metapaths["pap"].n_edge[0]) == 57853 - 4019
  assert int(ds.metapaths["psp"].n_edge[0]) == 4338213 - 4019
  assert ds.positives.shape == (2, 20053)
  assert [len(ds.splits[f"train_{k}"]) for k in (20, 40, 60)] == [60, 120, 180]
  assert all(len(ds.splits[f"{s}_{k}"]) == 1000 for s in ("val", "test") for k in (20, 40, 60))
  assert len(ds.neighbors["author"]) == 4019 and len(ds.neighbors["subject"]) == 4019
  for g in ds.metapaths.values():
    _check_graph_invariants(g)


def test_dblp_statistics(data_root):
  ds = _load("dblp", data_root)
  assert ds.target == "author"
  assert dict(ds.num_nodes) == {"author": 4057, "paper": 14328, "term": 7723, "conference": 20}
  assert {k: v.shape[1] for k, v in ds.relations.items()} == {
      ("paper", "author"): 19645, ("paper", "conference"): 14328, ("paper", "term"): 85810}
  assert np.bincount(ds.labels).tolist() == [1197, 745, 1109, 1006]
  assert {k: v.shape for k, v in ds.features.items()} == {
      "author": (4057, 334), "paper": (14328, 4231), "term": (7723, 50)}
  assert int(ds.metapaths["apa"].n_edge[0]) == 11113 - 4057
  assert int(ds.metapaths["apcpa"].n_edge[0]) == 5000495 - 4057
  # aptpa is rebuilt: MANIFEST computed 7043571 nonzeros including the 4057 self-pairs.
  assert int(ds.metapaths["aptpa"].n_edge[0]) == 7043571 - 4057
  assert "rebuilt" in ds.info.description
  assert ds.positives.shape == (2, 4046685)
  assert [len(ds.splits[f"train_{k}"]) for k in (20, 40, 60)] == [80, 160, 240]


def test_yelp_statistics(data_root):
  ds = _load("yelp", data_root)
  assert isinstance(ds, jdata.InteractionDataset)
  assert (ds.num_users, ds.num_items) == (42712, 26822)
  assert (ds.train.shape[1], ds.valid.shape[1], ds.test.shape[1]) == (182357, 13025, 65128)
  assert [np.unique(p[0]).shape[0] for p in (ds.train, ds.valid, ds.test)] == [42174, 10358,
                                                                              30627]
  key = lambda p: p[0] * ds.num_items + p[1]
  assert np.intersect1d(key(ds.train), key(ds.test)).size == 0
  assert np.intersect1d(key(ds.train), key(ds.valid)).size == 0
  g = ds.train_graph()
  assert int(g.n_node[0]) == 42712 + 26822 and int(g.n_edge[0]) == 2 * 182357


def test_citeseer_tag_statistics(data_root):
  ds = _load("citeseer-tag", data_root)
  assert (ds.num_nodes, ds.num_edges, ds.num_features, ds.num_classes) == (3186, 2 * 4225, 3703, 6)
  # MANIFEST section 7 per-class text counts, in Planetoid order AI, ML, IR, DB, Agents, HCI.
  assert np.bincount(ds.labels).tolist() == [239, 569, 641, 685, 562, 490]
  assert int(np.sum(np.bincount(ds.graph.receivers, minlength=3186) == 0)) == 86  # isolated
  assert len(ds.texts) == 3186 and all(t == t.strip() and t for t in ds.texts)
  assert ds.texts[0].startswith("Argument in Multi-Agent Systems")
  assert ds.splits is None
  _check_graph_invariants(ds.graph)


def test_every_registered_dataset_is_covered():
  covered = set(NODE) | set(GRAPH) | {"pubmed", "reddit-binary", "collab", "acm", "dblp", "yelp",
                                      "citeseer-tag"}
  assert covered == set(jdata.list_datasets())

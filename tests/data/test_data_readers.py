"""Reader behaviour checked against independent, straightforward recomputations from raw files."""

import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

import jgssl.data as jdata
from jgssl.data import heco, tu
from jgssl.data.validate import load_pickle


def _load(name, root, **options):
  return jdata.load(name, root=root, download=False, progress=False, **options)


def _edge_set(graph):
  return set(zip(np.asarray(graph.senders).tolist(), np.asarray(graph.receivers).tolist()))


# --------------------------------------------------------------------------------------------
# Planetoid
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cora", "citeseer"])
def test_planetoid_assembly(name, data_root):
  ds = _load(name, data_root)
  raw = data_root / name / "raw"
  read = lambda k: load_pickle(raw / f"ind.{name}.{k}", encoding="latin1")
  allx, tx, ally, ty, graph = read("allx"), read("tx"), read("ally"), read("ty"), read("graph")
  test_index = [int(v) for v in (raw / f"ind.{name}.test.index").read_text().split()]
  x, labels = ds.graph.nodes["x"], ds.labels
  # tx row i is node test_index[i]; allx row j is node j.
  np.testing.assert_array_equal(x[test_index], tx.toarray())
  np.testing.assert_array_equal(labels[test_index], ty.argmax(axis=1))
  np.testing.assert_array_equal(x[:allx.shape[0]], allx.toarray())
  np.testing.assert_array_equal(labels[:ally.shape[0]], ally.argmax(axis=1))
  # Edges: the adjacency lists, both directions, without self-loops (plain Python sets).
  expected = set()
  for u, nbrs in graph.items():
    for v in nbrs:
      if u != v:
        expected.add((u, v))
        expected.add((v, u))
  assert _edge_set(ds.graph) == expected
  assert ds.splits["test"].tolist() == sorted(test_index)
  assert ds.splits["val"].tolist() == list(range(len(read("y")), len(read("y")) + 500))


def test_citeseer_isolated_test_range_nodes(data_root):
  ds = _load("citeseer", data_root)
  # MANIFEST section 7: the 15 test-range indices absent from test.index.
  missing = [2407, 2489, 2553, 2682, 2781, 2953, 3042, 3063, 3212, 3214, 3250, 3292, 3305, 3306,
             3309]
  in_test = set(ds.splits["test"].tolist())
  gap = [i for i in range(2312, 3327) if i not in in_test]
  assert gap == missing
  assert not ds.graph.nodes["x"][missing].any()
  assert ds.labels[missing].tolist() == [0] * 15  # PyG's argmax of an all-zero row
  # They have no feature row but do sit in the graph: MANIFEST counts 16 undirected edges
  # touching them.
  touching = {tuple(sorted(e)) for e in _edge_set(ds.graph) if set(e) & set(missing)}
  assert len(touching) == 16
  assert "15 test-range nodes" in ds.info.description


# --------------------------------------------------------------------------------------------
# gnn-benchmark
# --------------------------------------------------------------------------------------------


def test_amazon_photo_symmetrised_without_self_loop(data_root):
  ds = _load("amazon-photo", data_root)
  with np.load(data_root / "amazon-photo" / "raw" / "amazon_photo.npz") as z:
    adj = sp.csr_matrix((z["adj_data"], z["adj_indices"], z["adj_indptr"]),
                        shape=tuple(z["adj_shape"]))
    attr = sp.csr_matrix((z["attr_data"], z["attr_indices"], z["attr_indptr"]),
                         shape=tuple(z["attr_shape"]))
    labels = z["labels"]
  assert adj.diagonal().sum() == 1  # MANIFEST: one self-loop stored
  sym = ((adj + adj.T) > 0).astype(np.int8).tolil()
  sym.setdiag(0)
  coo = sym.tocsr().tocoo()
  coo.eliminate_zeros()
  assert _edge_set(ds.graph) == set(zip(coo.row.tolist(), coo.col.tolist()))
  np.testing.assert_array_equal(ds.graph.nodes["x"], attr.toarray())
  np.testing.assert_array_equal(ds.labels, labels)
  assert ds.random_split(0)["train"].shape[0] == 765  # 10 % of 7650


# --------------------------------------------------------------------------------------------
# TU and GIN
# --------------------------------------------------------------------------------------------


def test_mutag_against_a_naive_parse(data_root):
  ds = _load("mutag", data_root)
  raw = data_root / "MUTAG" / "raw"
  indicator = [int(l) for l in (raw / "MUTAG_graph_indicator.txt").read_text().split()]
  node_labels = [int(l) for l in (raw / "MUTAG_node_labels.txt").read_text().split()]
  graph_labels = [int(l) for l in (raw / "MUTAG_graph_labels.txt").read_text().split()]
  edges = [tuple(int(t) for t in l.split(",")) for l in
           (raw / "MUTAG_A.txt").read_text().splitlines() if l.strip()]
  for g in (0, 1, 100, 187):
    nodes = [i for i, gi in enumerate(indicator, start=1) if gi == g + 1]
    first = nodes[0]
    expected = {(u - first, v - first) for u, v in edges if u in nodes}
    one = ds.graph(g)
    assert int(one.n_node[0]) == len(nodes)
    assert _edge_set(one) == expected
    np.testing.assert_array_equal(one.nodes["x"].argmax(axis=1),
                                  [node_labels[i - 1] for i in nodes])
    assert ds.labels[g] == (0 if graph_labels[g] == -1 else 1)


def test_node_feature_options(data_root):
  const = _load("imdb-binary", data_root, node_features="constant")
  assert const.num_features == 1 and np.all(const.graphs.nodes["x"] == 1.0)
  capped = _load("imdb-binary", data_root, node_features="degree", max_degree=5)
  degree = np.bincount(capped.graphs.receivers, minlength=capped.num_nodes)
  assert capped.num_features == 6
  np.testing.assert_array_equal(capped.graphs.nodes["x"].argmax(axis=1), np.minimum(degree, 5))
  assert "min(deg, 5)" in capped.info.description
  mutag_degree = _load("mutag", data_root, node_features="degree")
  assert mutag_degree.num_features == 5  # MUTAG degrees are 1..4
  with pytest.raises(ValueError, match="IMDB-BINARY has no node labels"):
    _load("imdb-binary", data_root, node_features="labels")
  with pytest.raises(ValueError, match="node_features must be one of"):
    _load("mutag", data_root, node_features="onehot")
  with pytest.raises(ValueError, match="max_degree must be an integer >= 0"):
    _load("mutag", data_root, node_features="degree", max_degree=-1)


def test_proteins_node_attributes_follow_pyg(data_root):
  plain = _load("proteins", data_root)
  with_attr = _load("proteins", data_root, use_node_attr=True)
  assert plain.num_features == 3 and with_attr.num_features == 4
  attr = np.loadtxt(data_root / "PROTEINS" / "raw" / "PROTEINS_node_attributes.txt")
  np.testing.assert_allclose(with_attr.graphs.nodes["x"][:, 0], attr.astype(np.float32))
  np.testing.assert_array_equal(with_attr.graphs.nodes["x"][:, 1:], plain.graphs.nodes["x"])
  assert "not used" in plain.info.description
  with pytest.raises(ValueError, match="no node attributes"):
    _load("mutag", data_root, use_node_attr=True)


def test_gin_parse_by_hand():
  # Graph 0: 3 nodes, tag 1 on node 1, a self-loop on node 2, edge 0-1 listed once only.
  text = b"2\n3 4\n0 1 1\n1 1 2\n0 2 2 1\n2 7\n0 1 1\n0 1 0\n"
  n_node, labels, tags, edges, feats = tu.parse_gin_text(text, "toy")
  assert n_node.tolist() == [3, 2] and labels.tolist() == [4, 7] and tags.tolist() == [0, 1, 0,
                                                                                       0, 0]
  assert edges.T.tolist() == [[0, 1], [1, 2], [2, 2], [2, 1], [3, 4], [4, 3]]
  assert feats is None
  with_feats = b"1\n2 0\n0 1 1 0.5 -1\n0 1 0 2 3e-1\n"
  *_, feats = tu.parse_gin_text(with_feats, "toy")
  np.testing.assert_allclose(feats, [[0.5, -1.0], [2.0, 0.3]])


def test_gin_reader_builds_undirected_graphs(tmp_path):
  text = "2\n3 4\n0 1 1\n1 1 2\n0 2 2 1\n2 7\n0 1 1\n0 1 0\n"
  path = tmp_path / "TOY.zip"
  with zipfile.ZipFile(path, "w") as zf:
    zf.writestr("TOY/TOY.txt", text)
  ds = tu.read_gin(path)
  # 0-1 listed one way only -> symmetrised; the self-loop 2-2 dropped; 1-2 listed twice.
  assert _edge_set(ds.graphs) == {(0, 1), (1, 0), (1, 2), (2, 1), (3, 4), (4, 3)}
  assert ds.graphs.n_edge.tolist() == [4, 2]
  assert ds.labels.tolist() == [0, 1] and ds.folds is None
  # 'auto' uses the tags since they vary: one-hot of tag - min.
  np.testing.assert_array_equal(ds.graphs.nodes["x"].argmax(axis=1), [0, 1, 0, 0, 0])


def test_reddit_folds_partition_the_graphs(data_root):
  ds = _load("reddit-binary", data_root, node_features="constant")
  tests = np.concatenate([te for _, te in ds.folds])
  assert np.array_equal(np.sort(tests), np.arange(2000))  # test folds partition the dataset
  for tr, te in ds.folds:
    assert np.intersect1d(tr, te).size == 0 and tr.size + te.size == 2000
  assert "[0, 2] -> 0..1" in ds.info.description


# --------------------------------------------------------------------------------------------
# HeCo
# --------------------------------------------------------------------------------------------


def _incidence(path, shape):
  pairs = np.loadtxt(path, dtype=np.int64)
  return sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=shape)


def test_metapath_rebuild_reproduces_stored_apcpa(data_root):
  raw = data_root / "HeCo-dblp" / "raw"
  pa = _incidence(raw / "pa.txt", (14328, 4057))
  pc = _incidence(raw / "pc.txt", (14328, 20))
  rebuilt = heco.rebuild_metapath(pa, pc)
  stored = sp.load_npz(raw / "apcpa.npz").tocsr().astype(bool)
  assert rebuilt.nnz == stored.nnz == 5000495
  assert (rebuilt != stored).nnz == 0


def test_acm_metapath_graph_matches_relations(data_root):
  ds = _load("acm", data_root, metapaths=["pap"])
  assert list(ds.metapaths) == ["pap"]
  pa = _incidence(data_root / "HeCo-acm" / "raw" / "pa.txt", (4019, 7167))
  pap = ((pa @ pa.T) > 0).tolil()
  pap.setdiag(False)
  coo = pap.tocsr().tocoo()
  coo.eliminate_zeros()
  assert _edge_set(ds.metapaths["pap"]) == set(zip(coo.row.tolist(), coo.col.tolist()))
  np.testing.assert_array_equal(ds.metapaths["pap"].nodes["x"], ds.features["paper"])
  # nei_s: each paper's subject equals ps.txt (one subject per paper).
  ps = np.loadtxt(data_root / "HeCo-acm" / "raw" / "ps.txt", dtype=np.int64)
  subjects = np.array([s[0] for s in ds.neighbors["subject"]])
  np.testing.assert_array_equal(subjects[ps[:, 0]], ps[:, 1])
  # Labels were stored as floats; the HeCo split has 20 papers per class.
  assert ds.labels.dtype == np.int64
  assert np.bincount(ds.labels[ds.splits["train_20"]]).tolist() == [20, 20, 20]
  with pytest.raises(ValueError, match=r"unknown meta-path\(s\) \['apa'\] for acm"):
    _load("acm", data_root, metapaths=["apa"])


# --------------------------------------------------------------------------------------------
# Interactions
# --------------------------------------------------------------------------------------------


def test_yelp_pairs_equal_the_pickled_matrices(data_root):
  ds = _load("yelp", data_root)
  for pairs, fname in ((ds.train, "train_mat.pkl"), (ds.test, "test_mat.pkl")):
    m = load_pickle(data_root / "SSLRec-sparse_yelp" / "raw" / fname).tocsr()
    rebuilt = sp.csr_matrix((np.ones(pairs.shape[1]), (pairs[0], pairs[1])), shape=m.shape)
    assert (rebuilt != (m > 0)).nnz == 0
    key = pairs[0] * ds.num_items + pairs[1]
    assert np.all(np.diff(key) > 0)  # sorted by (user, item), no repeats


# --------------------------------------------------------------------------------------------
# Text-attributed CiteSeer
# --------------------------------------------------------------------------------------------


def test_citeseer_tag_against_raw_files(data_root):
  ds = _load("citeseer-tag", data_root)
  raw = data_root / "citeseer-tag" / "raw"
  lines = (raw / "citeseer_texts.txt").read_text(encoding="utf-8").split("\n")
  ids = [l.strip() for l in lines[0::3]]
  with np.load(raw / "citeseer.npz") as z:
    attr = sp.csr_matrix((z["attr_data"], z["attr_indices"], z["attr_indptr"]),
                         shape=tuple(z["attr_shape"]))
    names = z["node_names"].tolist()
  for k in (0, 1, 1000, 3185):
    np.testing.assert_array_equal(ds.graph.nodes["x"][k], attr[names.index(ids[k])].toarray()[0])
    assert ds.texts[k] == lines[3 * k + 1].strip()
  node = {p: k for k, p in enumerate(ids)}
  expected = set()
  for line in (raw / "citeseer.cites").read_text().splitlines():
    a, b = line.split()
    if a in node and b in node and a != b:
      expected |= {(node[a], node[b]), (node[b], node[a])}
  assert _edge_set(ds.graph) == expected
  # Same class ids as Planetoid CiteSeer: the text-file names map onto its order.
  names_of = ("AI", "ML", "IR", "DB", "Agents", "HCI")
  assert [names_of[c] for c in ds.labels[:5]] == [l.strip() for l in lines[2:15:3]]

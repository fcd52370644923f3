"""Broken raw files give a DatasetError naming the file and the problem.

Each test copies a dataset's raw files to a tmp folder, breaks one, and reads it with the reader
(or through ``jgssl.data.load``, whose size check runs first).
"""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

import jgssl.data as jdata
from jgssl.data import DatasetError
from jgssl.data import gnn_benchmark, heco, interactions, planetoid, tu
from jgssl.data.validate import load_pickle


def _write_py2_style_pickle(path, obj):
  with open(path, "wb") as f:
    pickle.dump(obj, f, protocol=2)


# --------------------------------------------------------------------------------------------
# Planetoid
# --------------------------------------------------------------------------------------------


def test_truncated_pickle_names_file(copy_raw):
  raw = copy_raw("cora")
  path = raw / "ind.cora.tx"
  data = path.read_bytes()
  path.write_bytes(data[: len(data) // 2])
  with pytest.raises(DatasetError, match=r"ind\.cora\.tx: cannot read .*truncated or corrupted"):
    planetoid.read_planetoid(raw, "cora")


def test_truncated_file_caught_by_size_check_in_load(copy_raw):
  raw = copy_raw("cora")
  path = raw / "ind.cora.graph"
  path.write_bytes(path.read_bytes()[:1000])
  with pytest.raises(DatasetError, match=r"ind\.cora\.graph: .*size 1000 bytes, expected 59847"):
    jdata.load("cora", root=raw.parent.parent, download=False)


def test_garbage_pickle(copy_raw):
  raw = copy_raw("cora")
  (raw / "ind.cora.y").write_bytes(b"this is not a pickle at all")
  with pytest.raises(DatasetError, match=r"ind\.cora\.y: cannot read"):
    planetoid.read_planetoid(raw, "cora")


def test_pickle_with_foreign_class_is_refused(copy_raw):
  raw = copy_raw("cora")
  # A pickle that would call os.system when unpickled with the plain pickle module.
  payload = b"cos\nsystem\n(S'echo pwned'\ntR."
  (raw / "ind.cora.graph").write_bytes(payload)
  with pytest.raises(DatasetError, match=r"ind\.cora\.graph: .*refusing to load os\.system"):
    planetoid.read_planetoid(raw, "cora")


def test_wrong_feature_width_planetoid(copy_raw):
  raw = copy_raw("cora")
  tx = load_pickle(raw / "ind.cora.tx", encoding="latin1")
  _write_py2_style_pickle(raw / "ind.cora.tx", sp.csr_matrix(tx.toarray()[:, :-1]))
  with pytest.raises(DatasetError, match=r"ind\.cora\.tx: .*1432 columns but 'allx' has 1433 "
                                         r"\(wrong feature width\)"):
    planetoid.read_planetoid(raw, "cora")


def test_wrong_row_count_planetoid(copy_raw):
  raw = copy_raw("cora")
  ty = load_pickle(raw / "ind.cora.ty", encoding="latin1")
  _write_py2_style_pickle(raw / "ind.cora.ty", ty[:-3])
  with pytest.raises(DatasetError, match=r"ind\.cora\.tx: 'tx' has 1000 rows but 'ty' has 997"):
    planetoid.read_planetoid(raw, "cora")


def test_planetoid_label_row_with_two_classes(copy_raw):
  raw = copy_raw("cora")
  ally = load_pickle(raw / "ind.cora.ally", encoding="latin1")
  ally = ally.copy()
  ally[700, :2] = 1
  _write_py2_style_pickle(raw / "ind.cora.ally", ally)
  with pytest.raises(DatasetError, match=r"ind\.cora\.ally: .*row 700 marks more than one class"):
    planetoid.read_planetoid(raw, "cora")


def test_planetoid_neighbour_out_of_range(copy_raw):
  raw = copy_raw("cora")
  graph = load_pickle(raw / "ind.cora.graph", encoding="latin1")
  graph[5] = list(graph[5]) + [5000]
  _write_py2_style_pickle(raw / "ind.cora.graph", graph)
  with pytest.raises(DatasetError, match=r"ind\.cora\.graph: graph neighbour ids holds index "
                                         r"5000, outside \[0, 2708\)"):
    planetoid.read_planetoid(raw, "cora")


def test_planetoid_test_index_mismatch(copy_raw):
  raw = copy_raw("cora")
  lines = (raw / "ind.cora.test.index").read_text().split()
  (raw / "ind.cora.test.index").write_text("\n".join(lines[:-1]) + "\n")
  with pytest.raises(DatasetError, match=r"ind\.cora\.test\.index: 999 test indices for 1000 rows"):
    planetoid.read_planetoid(raw, "cora")


def test_missing_file_named(copy_raw):
  raw = copy_raw("cora")
  os.remove(raw / "ind.cora.ally")
  with pytest.raises(DatasetError, match=r"ind\.cora\.ally: missing file"):
    planetoid.read_planetoid(raw, "cora")
  with pytest.raises(DatasetError, match=r"(?s)missing ind\.cora\.ally .*47959 bytes, sha256 "
                                         r"2b998f5c.*put it at .*cora/raw/ind\.cora\.ally"):
    jdata.load("cora", root=raw.parent.parent, download=False)


# --------------------------------------------------------------------------------------------
# TU format
# --------------------------------------------------------------------------------------------


def test_tu_edge_out_of_range(copy_raw):
  raw = copy_raw("MUTAG")
  with open(raw / "MUTAG_A.txt", "a") as f:
    f.write("3372, 1\n")
  with pytest.raises(DatasetError, match=r"MUTAG_A\.txt: node ids .* holds index 3372, outside "
                                         r"\[1, 3372\)"):
    tu.read_tu(raw, "MUTAG")


def test_tu_edge_between_graphs(copy_raw):
  raw = copy_raw("MUTAG")
  with open(raw / "MUTAG_A.txt", "a") as f:
    f.write("1, 3371\n")
  with pytest.raises(DatasetError, match=r"MUTAG_A\.txt: line 7443 joins node 1 of graph 1 to "
                                         r"node 3371 of graph 188"):
    tu.read_tu(raw, "MUTAG")


def test_tu_malformed_line(copy_raw):
  raw = copy_raw("MUTAG")
  with open(raw / "MUTAG_A.txt", "a") as f:
    f.write("4, 5, 6\n")
  with pytest.raises(DatasetError, match=r"MUTAG_A\.txt: edge list: line 7443 has 3 column\(s\), "
                                         r"expected 2"):
    tu.read_tu(raw, "MUTAG")


def test_tu_non_integer_token(copy_raw):
  raw = copy_raw("MUTAG")
  text = (raw / "MUTAG_graph_labels.txt").read_text().splitlines()
  text[10] = "x1"
  (raw / "MUTAG_graph_labels.txt").write_text("\n".join(text) + "\n")
  with pytest.raises(DatasetError, match=r"MUTAG_graph_labels\.txt: graph labels: line 11 holds "
                                         r"a token that is not an integer"):
    tu.read_tu(raw, "MUTAG")


def test_tu_empty_file(copy_raw):
  raw = copy_raw("MUTAG")
  (raw / "MUTAG_A.txt").write_text("")
  with pytest.raises(DatasetError, match=r"MUTAG_A\.txt: empty file"):
    tu.read_tu(raw, "MUTAG")


def test_tu_empty_graph(copy_raw):
  raw = copy_raw("MUTAG")
  ind = np.loadtxt(raw / "MUTAG_graph_indicator.txt", dtype=int)
  ind[ind == 5] = 4  # graph 5 loses all its nodes
  np.savetxt(raw / "MUTAG_graph_indicator.txt", ind, fmt="%d")
  with pytest.raises(DatasetError, match=r"MUTAG_graph_indicator\.txt: graph\(s\) \[5\] have no "
                                         r"nodes"):
    tu.read_tu(raw, "MUTAG")


def test_tu_unsorted_graph_indicator(copy_raw):
  raw = copy_raw("MUTAG")
  ind = np.loadtxt(raw / "MUTAG_graph_indicator.txt", dtype=int)
  ind[[0, -1]] = ind[[-1, 0]]
  np.savetxt(raw / "MUTAG_graph_indicator.txt", ind, fmt="%d")
  with pytest.raises(DatasetError, match=r"MUTAG_graph_indicator\.txt: graph ids must be sorted"):
    tu.read_tu(raw, "MUTAG")


def test_tu_indicator_inconsistent_with_labels(copy_raw):
  raw = copy_raw("MUTAG")
  lines = (raw / "MUTAG_graph_labels.txt").read_text().splitlines()
  (raw / "MUTAG_graph_labels.txt").write_text("\n".join(lines[:-1]) + "\n")  # 187 labels
  with pytest.raises(DatasetError, match=r"MUTAG_graph_indicator\.txt: graph ids \(there are 187 "
                                         r"graph labels\) holds index 188"):
    tu.read_tu(raw, "MUTAG")


def test_tu_node_label_count_mismatch(copy_raw):
  raw = copy_raw("MUTAG")
  lines = (raw / "MUTAG_node_labels.txt").read_text().splitlines()
  (raw / "MUTAG_node_labels.txt").write_text("\n".join(lines[:-2]) + "\n")
  with pytest.raises(DatasetError, match=r"MUTAG_node_labels\.txt: 3369 node labels for 3371 "
                                         r"nodes"):
    tu.read_tu(raw, "MUTAG")


def test_tu_missing_file(copy_raw):
  raw = copy_raw("MUTAG")
  os.remove(raw / "MUTAG_graph_labels.txt")
  with pytest.raises(DatasetError, match=r"MUTAG_graph_labels\.txt: missing file"):
    tu.read_tu(raw, "MUTAG")


def test_proteins_nan_attribute(copy_raw):
  raw = copy_raw("PROTEINS")
  lines = (raw / "PROTEINS_node_attributes.txt").read_text().splitlines()
  lines[41] = " nan"
  (raw / "PROTEINS_node_attributes.txt").write_text("\n".join(lines) + "\n")
  with pytest.raises(DatasetError, match=r"PROTEINS_node_attributes\.txt: node attributes holds 1 "
                                         r"non-finite value\(s\) \(1 NaN\)"):
    tu.read_tu(raw, "PROTEINS", use_node_attr=True)
  # PyG's default ignores the attribute file, and so does the reader.
  assert tu.read_tu(raw, "PROTEINS").num_features == 3


# --------------------------------------------------------------------------------------------
# GIN format (small synthetic zips)
# --------------------------------------------------------------------------------------------


def _gin_zip(path, text, folds=None, name="TOY"):
  with zipfile.ZipFile(path, "w") as zf:
    zf.writestr(f"{name}/{name}.txt", text)
    zf.writestr(f"__MACOSX/{name}/._{name}.txt", "junk")
    for k, (tr, te) in enumerate(folds or [], start=1):
      zf.writestr(f"{name}/10fold_idx/train_idx-{k}.txt", "\n".join(map(str, tr)) + "\n")
      zf.writestr(f"{name}/10fold_idx/test_idx-{k}.txt", "\n".join(map(str, te)) + "\n")
  return path


_TOY = "2\n3 0\n0 1 1\n0 2 0 2\n0 1 1\n2 1\n0 1 1\n0 1 0\n"


def test_gin_toy_reads(tmp_path):
  ds = tu.read_gin(_gin_zip(tmp_path / "TOY.zip", _TOY, folds=[([0], [1]), ([1], [0])]))
  assert ds.num_graphs == 2 and ds.num_nodes == 5 and ds.num_edges == 6
  assert ds.labels.tolist() == [0, 1] and len(ds.folds) == 2


@pytest.mark.parametrize("text, problem", [
    ("2\n3 0\n0 1 1\n0 2 0 2\n0 1 1\n2 1\n0 1 1\n", r"file ends inside graph 1"),
    ("3\n3 0\n0 1 1\n0 2 0 2\n0 1 1\n2 1\n0 1 1\n0 1 0\n", r"file ends after 2 of 3 graphs"),
    ("2\n3 0\n0 1 1\n0 2 0 5\n0 1 1\n2 1\n0 1 1\n0 1 0\n",
     r"graph 0 has 3 nodes but lists neighbour 5 \(edge index out of range\)"),
    ("2\n0 0\n2 1\n0 1 1\n0 1 0\n", r"graph 0 \(line 2\) has 0 nodes \(empty graph\)"),
    ("2\n3 0\n0 1 1\n0 3 0 2\n0 1 1\n2 1\n0 1 1\n0 1 0\n",
     r"line 4 lists fewer neighbours than its count says"),
    ("2\n3 0\n0 1 1\n0 2 0 2\n0 1 1\n2 1\n0 1 1\n0 1 0\n7 7\n", r"1 extra line\(s\)"),
    ("2\n3 0\n0 1 1\n0 2 0 x\n0 1 1\n2 1\n0 1 1\n0 1 0\n", r"line 4 holds a token that is not a "
                                                          r"number"),
    ("", r"empty file"),
])
def test_gin_broken_text(tmp_path, text, problem):
  path = _gin_zip(tmp_path / "TOY.zip", text)
  with pytest.raises(DatasetError, match=r"TOY\.zip:TOY/TOY\.txt: " + problem):
    tu.read_gin(path)


def test_gin_bad_folds(tmp_path):
  path = _gin_zip(tmp_path / "TOY.zip", _TOY, folds=[([0, 1], [1])])
  with pytest.raises(DatasetError, match=r"test_idx-1\.txt: fold 1: train and test share graphs"):
    tu.read_gin(path)
  path = _gin_zip(tmp_path / "TOY.zip", _TOY, folds=[([0], [7])])
  with pytest.raises(DatasetError, match=r"test_idx-1\.txt: fold graph indices holds index 7"):
    tu.read_gin(path)


def test_gin_corrupted_zip(copy_raw):
  raw = copy_raw("REDDIT-BINARY")
  path = raw / "REDDIT-BINARY.zip"
  data = bytearray(path.read_bytes())
  data[len(data) // 2: len(data) // 2 + 4096] = b"\0" * 4096
  path.write_bytes(bytes(data))
  with pytest.raises(DatasetError, match=r"REDDIT-BINARY\.zip: cannot read GIN-format zip"):
    tu.read_gin(path, node_features="constant")


def test_gin_not_a_zip(tmp_path):
  path = tmp_path / "TOY.zip"
  path.write_bytes(b"plain text, not a zip archive")
  with pytest.raises(DatasetError, match=r"TOY\.zip: cannot read GIN-format zip .*BadZipFile"):
    tu.read_gin(path)


# --------------------------------------------------------------------------------------------
# gnn-benchmark npz
# --------------------------------------------------------------------------------------------


def _rewrite_npz(path, **changes):
  with np.load(path) as z:
    arrays = {k: z[k] for k in z.files if k != "class_names"}
  arrays.update(changes)
  for k in [k for k, v in changes.items() if v is None]:
    del arrays[k]
  np.savez(path, **arrays)


def test_npz_nan_features(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  with np.load(path) as z:
    data = z["attr_data"].copy()
  data[123] = np.nan
  _rewrite_npz(path, attr_data=data)
  with pytest.raises(DatasetError, match=r"amazon_photo\.npz: features \(attr_\*\) values holds 1 "
                                         r"non-finite value\(s\) \(1 NaN\)"):
    gnn_benchmark.read_gnn_benchmark(path)


def test_npz_wrong_feature_row_count(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  with np.load(path) as z:
    indptr, indices, data, shape = (z["attr_indptr"], z["attr_indices"], z["attr_data"],
                                    z["attr_shape"])
  end = indptr[-2]  # drop the last feature row, consistently
  _rewrite_npz(path, attr_indptr=indptr[:-1], attr_indices=indices[:end], attr_data=data[:end],
               attr_shape=np.array([shape[0] - 1, shape[1]]))
  with pytest.raises(DatasetError, match=r"amazon_photo\.npz: features have 7649 rows for 7650 "
                                         r"nodes \(wrong row count\)"):
    gnn_benchmark.read_gnn_benchmark(path)


def test_npz_inconsistent_csr(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  with np.load(path) as z:
    indices = z["adj_indices"].copy()
  indices[0] = 7650
  _rewrite_npz(path, adj_indices=indices)
  with pytest.raises(DatasetError, match=r"adjacency \(adj_\*\) column indices holds index 7650, "
                                         r"outside \[0, 7650\)"):
    gnn_benchmark.read_gnn_benchmark(path)


def test_npz_labels_out_of_range(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  with np.load(path) as z:
    labels = z["labels"].copy()
  labels[3] = -1
  _rewrite_npz(path, labels=labels)
  with pytest.raises(DatasetError, match=r"amazon_photo\.npz: labels hold -1: labels out of range"):
    gnn_benchmark.read_gnn_benchmark(path)


def test_npz_missing_member(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  _rewrite_npz(path, labels=None)
  with pytest.raises(DatasetError, match=r"amazon_photo\.npz: gnn-benchmark npz lacks member\(s\) "
                                         r"\['labels'\]"):
    gnn_benchmark.read_gnn_benchmark(path)


def test_npz_truncated(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  path.write_bytes(path.read_bytes()[:50000])
  with pytest.raises(DatasetError, match=r"amazon_photo\.npz: cannot read gnn-benchmark npz"):
    gnn_benchmark.read_gnn_benchmark(path)


# --------------------------------------------------------------------------------------------
# HeCo
# --------------------------------------------------------------------------------------------


def test_heco_labels_out_of_range(copy_raw):
  raw = copy_raw("HeCo-acm")
  labels = np.load(raw / "labels.npy")
  labels[0] = 3.0
  np.save(raw / "labels.npy", labels)
  with pytest.raises(DatasetError, match=r"labels\.npy: labels \(labels out of range; acm has 3 "
                                         r"classes\) holds index 3"):
    heco.read_heco(raw, "acm")


def test_heco_non_integer_labels(copy_raw):
  raw = copy_raw("HeCo-acm")
  labels = np.load(raw / "labels.npy")
  labels[0] = 0.5
  np.save(raw / "labels.npy", labels)
  with pytest.raises(DatasetError, match=r"labels\.npy: labels holds non-integer values"):
    heco.read_heco(raw, "acm")


def test_heco_relation_out_of_range(copy_raw):
  raw = copy_raw("HeCo-acm")
  with open(raw / "ps.txt", "a") as f:
    f.write("0\t60\n")
  with pytest.raises(DatasetError, match=r"ps\.txt: subject ids holds index 60, outside \[0, 60\)"):
    heco.read_heco(raw, "acm")


def test_heco_malicious_neighbour_pickle(copy_raw):
  raw = copy_raw("HeCo-acm")
  header = np.lib.format.header_data_from_array_1_0(np.empty(4019, dtype=object))
  buf = io.BytesIO()
  np.lib.format.write_array_header_1_0(buf, header)
  buf.write(b"cos\nsystem\n(S'echo pwned'\ntR.")
  (raw / "nei_a.npy").write_bytes(buf.getvalue())
  with pytest.raises(DatasetError, match=r"nei_a\.npy: .*refusing to load os\.system"):
    heco.read_heco(raw, "acm")


def test_heco_feature_rows(copy_raw):
  raw = copy_raw("HeCo-acm")
  feat = sp.load_npz(raw / "p_feat.npz")
  sp.save_npz(raw / "p_feat.npz", feat[:-1])
  with pytest.raises(DatasetError, match=r"p_feat\.npz: paper features \(rows = paper nodes\) has "
                                         r"shape \[4018, 1902\], expected \[4019, \?\]"):
    heco.read_heco(raw, "acm")


def test_heco_overlapping_split(copy_raw):
  raw = copy_raw("HeCo-acm")
  train = np.load(raw / "train_20.npy")
  test = np.load(raw / "test_20.npy")
  test[0] = train[0]
  np.save(raw / "test_20.npy", test)
  with pytest.raises(DatasetError, match=r"dataset 'acm': splits 'test_20' and 'train_20' share 1"):
    jdata.validate_dataset(heco.read_heco(raw, "acm", metapaths=["pap"]))


# --------------------------------------------------------------------------------------------
# Interactions
# --------------------------------------------------------------------------------------------


def _yelp_toy(raw, train, valid, test, shape=(4, 5)):
  raw.mkdir(parents=True, exist_ok=True)
  for name, pairs in (("train_mat.pkl", train), ("valid_mat.pkl", valid), ("test_mat.pkl", test)):
    rows, cols = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    m = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    with open(raw / name, "wb") as f:
      pickle.dump(m, f)
  return raw


def test_interactions_train_test_overlap(tmp_path):
  raw = _yelp_toy(tmp_path / "y", [(0, 1), (1, 2)], [(2, 3)], [(1, 2), (3, 4)])
  with pytest.raises(DatasetError, match=r"test_mat\.pkl: 1 test interaction\(s\) also appear in "
                                         r"the train matrix"):
    interactions.read_sslrec(raw)


def test_interactions_shape_mismatch(tmp_path):
  raw = _yelp_toy(tmp_path / "y", [(0, 1)], [(2, 3)], [(3, 4)])
  m = sp.coo_matrix((np.ones(1), ([0], [0])), shape=(4, 6))
  with open(raw / "valid_mat.pkl", "wb") as f:
    pickle.dump(m, f)
  with pytest.raises(DatasetError, match=r"valid_mat\.pkl: matrix is 4 x 6 but the train matrix "
                                         r"is 4 x 5"):
    interactions.read_sslrec(raw)


def test_interactions_truncated_pickle(copy_raw):
  raw = copy_raw("SSLRec-sparse_yelp")
  path = raw / "test_mat.pkl"
  path.write_bytes(path.read_bytes()[:-100])
  with pytest.raises(DatasetError, match=r"test_mat\.pkl: cannot read test interaction matrix"):
    interactions.read_sslrec(raw)


def test_interactions_wrong_object(tmp_path):
  raw = _yelp_toy(tmp_path / "y", [(0, 1)], [(2, 3)], [(3, 4)])
  with open(raw / "train_mat.pkl", "wb") as f:
    pickle.dump({"not": "a matrix"}, f)
  with pytest.raises(DatasetError, match=r"train_mat\.pkl: holds a dict, expected a scipy sparse"):
    interactions.read_sslrec(raw)


# --------------------------------------------------------------------------------------------
# Checksums of present files
# --------------------------------------------------------------------------------------------


def test_verify_detects_same_size_corruption(copy_raw):
  raw = copy_raw("MUTAG")
  path = raw / "MUTAG_node_labels.txt"
  data = bytearray(path.read_bytes())
  data[0:1] = b"1" if data[0:1] != b"1" else b"2"  # same size, different content
  path.write_bytes(bytes(data))
  root = raw.parent.parent
  # Caught by default and with verify=True, naming expected and actual digests ...
  for verify in (None, True):
    with pytest.raises(DatasetError, match=r"MUTAG_node_labels\.txt: .*checksum mismatch: "
                                           r"expected sha256 678f4299\w+, got [0-9a-f]{64}"):
      jdata.load("mutag", root=root, download=False, verify=verify)
  # ... and trusted by size with the opt-out.
  assert jdata.load("mutag", root=root, download=False, verify=False).num_graphs == 188


# --------------------------------------------------------------------------------------------
# Text-attributed CiteSeer
# --------------------------------------------------------------------------------------------


def test_citeseer_tag_truncated_texts(copy_raw):
  from jgssl.data import text
  raw = copy_raw("citeseer-tag")
  lines = (raw / "citeseer_texts.txt").read_text(encoding="utf-8").split("\n")
  (raw / "citeseer_texts.txt").write_text("\n".join(lines[:-1]), encoding="utf-8")
  with pytest.raises(DatasetError, match=r"citeseer_texts\.txt: 9557 lines is not a multiple of "
                                         r"3 .*truncated\?"):
    text.read_citeseer_tag(raw)


def test_citeseer_tag_class_disagrees_with_npz(copy_raw):
  from jgssl.data import text
  raw = copy_raw("citeseer-tag")
  lines = (raw / "citeseer_texts.txt").read_text(encoding="utf-8").split("\n")
  lines[2] = "ML" if lines[2].strip() != "ML" else "DB"
  (raw / "citeseer_texts.txt").write_text("\n".join(lines), encoding="utf-8")
  with pytest.raises(DatasetError, match=r"citeseer_texts\.txt: class of 1 paper\(s\) disagrees "
                                         r"with citeseer\.npz, e\.g\. 'norman00argument'"):
    text.read_citeseer_tag(raw)

"""Tests for jgssl.augment.features: column / row masking, dropout, shuffling."""

import jax
import numpy as np
import pytest

import jgssl.augment as A

RATE = 0.4


def _real_rows(aug, graph):
  return np.asarray(graph.globals["mask"])[aug.node_gid(graph)]


def _eligible(aug, graph):
  return _real_rows(aug, graph) & np.asarray(graph.nodes["mask"])


@pytest.fixture(scope="module")
def columns(aug, keys, graph):
  return aug.run(A.MaskFeatureColumns(rate=RATE), keys, graph)


@pytest.fixture(scope="module")
def rows(aug, keys, graph):
  return aug.run(A.MaskFeatureRows(rate=RATE), keys, graph)


@pytest.fixture(scope="module")
def dropout(aug, keys, graph):
  return aug.run(A.DropoutFeatures(rate=RATE), keys, graph)


@pytest.fixture(scope="module")
def shuffled(aug, keys, graph):
  return aug.run(A.ShuffleFeatures(), keys, graph)


@pytest.mark.parametrize("name", ["columns", "rows", "dropout", "shuffled"])
def test_contract_and_determinism(request, aug, graph, name):
  out = request.getfixturevalue(name)
  for i in range(0, 64, 9):
    one = aug.unbatch(out, i)
    aug.check(graph, one, nodes_may_drop=False)
    np.testing.assert_array_equal(one.edges["mask"], np.asarray(graph.edges["mask"]))
  aug.equal(aug.unbatch(out, 0), aug.unbatch(out, 1))
  xs = np.asarray(out.nodes["x"])
  # Column masks have only 2**6 patterns, so repeats among 63 keys are expected there.
  assert len({x.tobytes() for x in xs[1:]}) >= (25 if name == "columns" else 63)


def test_mask_feature_columns_whole_columns_shared_by_nodes(aug, graph, columns):
  x = np.asarray(graph.nodes["x"])
  real = _real_rows(aug, graph)
  xs = np.asarray(columns.nodes["x"])
  zero_cols = np.all(xs[:, real] == 0, axis=1)             # [K, F]
  # A column is either untouched or zero on every real row.
  for k in range(xs.shape[0]):
    np.testing.assert_array_equal(xs[k][:, ~zero_cols[k]][real], x[:, ~zero_cols[k]][real])
  assert abs(zero_cols.mean() - RATE) < 0.08               # 64 x 6 column draws


def test_mask_feature_rows_zeroes_whole_rows(aug, graph, rows):
  x = np.asarray(graph.nodes["x"])
  elig = _eligible(aug, graph)
  xs = np.asarray(rows.nodes["x"])
  zero = np.all(xs == 0, axis=2)
  same = np.all(xs == x[None], axis=2)
  assert np.all(zero | same)
  assert not np.any(zero[:, ~elig] & ~same[:, ~elig])     # dropped / padding rows untouched
  assert abs(zero[:, elig].mean() - RATE) < 0.04


def test_dropout_features_scales_kept_entries(aug, graph, dropout):
  x = np.asarray(graph.nodes["x"])
  real = _real_rows(aug, graph)
  xs = np.asarray(dropout.nodes["x"])[:, real]
  kept = xs != 0
  np.testing.assert_allclose(xs[kept], np.broadcast_to(x[real] / (1 - RATE), xs.shape)[kept],
                             rtol=1e-6)
  assert abs(1 - kept.mean() - RATE) < 0.02
  # Inverted dropout keeps the mean over keys.
  np.testing.assert_allclose(xs.mean(0), x[real], atol=0.6)


def test_dropout_features_unscaled_and_rate_limits(aug, graph):
  key = jax.random.key(1)
  x = np.asarray(graph.nodes["x"])
  out = np.asarray(A.dropout_features(key, graph, rate=0.5, scale=False).nodes["x"])
  assert np.all((out == 0) | (out == x))
  assert np.all(A.dropout_features(key, graph, rate=1.0, scale=False).nodes["x"] == 0)
  with pytest.raises(ValueError, match="< 1"):
    A.dropout_features(key, graph, rate=1.0)


def test_shuffle_is_a_permutation_within_each_graph(aug, graph, shuffled):
  x = np.asarray(graph.nodes["x"])
  gid = aug.node_gid(graph)
  elig = _eligible(aug, graph)
  xs = np.asarray(shuffled.nodes["x"])
  moved = 0
  for k in range(xs.shape[0]):
    np.testing.assert_array_equal(xs[k][~elig], x[~elig])
    for g in range(5):
      sel = elig & (gid == g)
      got = sorted(map(tuple, xs[k][sel].tolist()))
      assert got == sorted(map(tuple, x[sel].tolist()))
    moved += np.mean(np.any(xs[k][elig] != x[elig], axis=1))
  # A uniform permutation fixes about 1 row per graph: most rows move.
  assert moved / xs.shape[0] > 0.6


@pytest.mark.parametrize("fn", [A.mask_feature_columns, A.mask_feature_rows,
                                A.dropout_features])
def test_rate_zero_is_identity(aug, graph, fn):
  aug.equal(fn(jax.random.key(0), graph, rate=0.0), graph)


def test_bad_inputs(graph):
  with pytest.raises(ValueError, match="rate"):
    A.MaskFeatureColumns(rate=2.0)
  bad = graph._replace(nodes={"mask": graph.nodes["mask"]})
  with pytest.raises(ValueError, match="'x'"):
    A.mask_feature_rows(jax.random.key(0), bad, rate=0.1)

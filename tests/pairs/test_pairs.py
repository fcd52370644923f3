"""Tests of jgssl.pairs: which rows are positives / negatives, padding never paired."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import pairs as pairs_lib


def _np(x):
  return np.asarray(x)


@jax.jit
def _summary(p):
  """dense masks and row mask in one compiled call (eager op-by-op dispatch is slow)."""
  pos, neg = p.dense_masks()
  return pos, neg, p.row_mask()


# ---------------------------------------------------------------------------------------------
# same_scale
# ---------------------------------------------------------------------------------------------


def test_same_scale_masks_by_hand():
  mask = jnp.array([True, True, False, True])
  p = pairs_lib.same_scale(mask)
  pos, neg = p.dense_masks()
  # Row 2 is padding: no pairs in its row nor its column.
  want_pos = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]], bool)
  want_neg = np.array([[0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 0], [1, 1, 0, 0]], bool)
  np.testing.assert_array_equal(_np(pos), want_pos)
  np.testing.assert_array_equal(_np(neg), want_neg)
  np.testing.assert_array_equal(_np(p.row_mask()), [True, True, False, True])
  np.testing.assert_array_equal(_np(p.positive_index()), [0, 1, 2, 3])


def test_same_scale_intra_view_by_hand():
  p = pairs_lib.same_scale(jnp.array([True, True, True]), intra_view=True)
  pos, neg = p.dense_masks()
  assert pos.shape == (3, 6)
  # Cross part: diagonal positives; intra part: every other row negative, never self.
  np.testing.assert_array_equal(_np(pos)[:, :3], np.eye(3, dtype=bool))
  np.testing.assert_array_equal(_np(pos)[:, 3:], np.zeros((3, 3), bool))
  np.testing.assert_array_equal(_np(neg)[:, 3:], ~np.eye(3, dtype=bool))
  np.testing.assert_array_equal(_np(neg)[:, :3], ~np.eye(3, dtype=bool))


def test_same_scale_row_missing_from_key_view_has_no_positive():
  p = pairs_lib.same_scale(jnp.array([True, True, True]), jnp.array([True, False, True]))
  pos, neg = p.dense_masks()
  assert not _np(pos)[1].any()
  assert not _np(neg)[:, 1].any()          # a missing key is nobody's negative
  np.testing.assert_array_equal(_np(p.row_mask()), [True, False, True])
  t = p.transpose()
  np.testing.assert_array_equal(_np(t.anchor_mask), [True, False, True])
  np.testing.assert_array_equal(_np(p.row_mask(symmetric=True)), [True, False, True])


# ---------------------------------------------------------------------------------------------
# cross_scale
# ---------------------------------------------------------------------------------------------


def _segment_case():
  # 3 real graphs (sizes 2, 3, 1) + a padding graph owning 2 padding nodes.
  seg = jnp.array([0, 0, 1, 1, 1, 2, 3, 3])
  node_mask = jnp.array([True, True, True, False, True, True, False, False])  # node 3 dropped
  graph_mask = jnp.array([True, True, True, False])
  return seg, node_mask, graph_mask


def test_cross_scale_positive_is_own_graph():
  seg, node_mask, graph_mask = _segment_case()
  p = pairs_lib.cross_scale(seg, node_mask=node_mask, graph_mask=graph_mask)
  pos, neg, row_mask = (_np(x) for x in _summary(p))
  for i in range(8):
    for g in range(4):
      real = bool(node_mask[i]) and bool(graph_mask[g])
      assert pos[i, g] == (real and int(seg[i]) == g)
      assert neg[i, g] == (real and int(seg[i]) != g)
  # Every present node has exactly one positive; padding / dropped nodes none.
  np.testing.assert_array_equal(pos.sum(1), _np(node_mask).astype(int))
  assert not pos[:, 3].any() and not neg[:, 3].any()  # padding graph never paired
  np.testing.assert_array_equal(_np(p.positive_index()), _np(seg))
  np.testing.assert_array_equal(row_mask, _np(node_mask))


def test_cross_scale_without_other_graph_negatives():
  seg, node_mask, graph_mask = _segment_case()
  p = pairs_lib.cross_scale(seg, node_mask=node_mask, graph_mask=graph_mask,
                            other_graph_negatives=False)
  pos, neg = p.dense_masks()
  assert not _np(neg).any()
  assert _np(pos).sum() == int(node_mask.sum())


def test_cross_scale_transpose_is_graph_to_nodes():
  seg, node_mask, graph_mask = _segment_case()
  p = pairs_lib.cross_scale(seg, node_mask=node_mask, graph_mask=graph_mask)
  t = p.transpose()
  assert t.kind == "label" and t.num_anchors == 4 and t.num_keys == 8
  pos, neg = p.dense_masks()
  tpos, tneg = t.dense_masks()
  np.testing.assert_array_equal(_np(tpos), _np(pos).T)
  np.testing.assert_array_equal(_np(tneg), _np(neg).T)
  np.testing.assert_array_equal(_np(t.row_mask()), [True, True, True, False])
  with pytest.raises(ValueError, match="N == M"):
    p.row_mask(symmetric=True)


# ---------------------------------------------------------------------------------------------
# by_label and from_masks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("intra_view", [False, True])
def test_by_label_matches_explicit_loops(intra_view):
  rng = np.random.default_rng(0)
  n, m = 9, 7
  la, lk = rng.integers(0, 3, n), rng.integers(0, 3, m)
  la[4] = 7  # a label no key has: no cross positive
  ma, mk = rng.random(n) > 0.2, rng.random(m) > 0.2
  p = pairs_lib.by_label(la, lk, mask=ma, key_mask=mk, intra_view=intra_view)
  pos, neg, row_mask = (_np(x) for x in _summary(p))
  for i in range(n):
    for j in range(m):
      ok = ma[i] and mk[j]
      assert pos[i, j] == (ok and la[i] == lk[j])
      assert neg[i, j] == (ok and la[i] != lk[j])
    if intra_view:
      for j in range(n):
        ok = ma[i] and ma[j] and i != j
        assert pos[i, m + j] == (ok and la[i] == la[j])
        assert neg[i, m + j] == (ok and la[i] != la[j])
  np.testing.assert_array_equal(row_mask, pos.any(1))


def test_by_label_row_mask_handles_int32_max_labels():
  big = np.iinfo(np.int32).max
  p = pairs_lib.by_label(np.array([big, 1]), np.array([big, 2, 1]),
                         mask=jnp.array([True, True]), key_mask=jnp.array([False, True, True]))
  # The only key with label INT_MAX is masked: row 0 has no positive.
  np.testing.assert_array_equal(_np(p.row_mask()), [False, True])


def test_from_masks_default_negatives_and_padding():
  pos = jnp.array([[True, False, False], [False, False, True]])
  p = pairs_lib.from_masks(pos, key_mask=jnp.array([True, False, True]))
  dpos, dneg = p.dense_masks()
  np.testing.assert_array_equal(_np(dpos), [[True, False, False], [False, False, True]])
  np.testing.assert_array_equal(_np(dneg), [[False, False, True], [True, False, False]])
  t = p.transpose()
  np.testing.assert_array_equal(_np(t.dense_masks()[0]), _np(dpos).T)


def test_from_masks_overlap_counts_as_positive():
  pos = jnp.array([[True, False]])
  p = pairs_lib.from_masks(pos, jnp.array([[True, True]]))
  dpos, dneg = p.dense_masks()
  np.testing.assert_array_equal(_np(dpos), [[True, False]])
  np.testing.assert_array_equal(_np(dneg), [[False, True]])


# ---------------------------------------------------------------------------------------------
# tiles, pytree, errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["same_row", "segment", "label", "dense"])
def test_tiles_agree_with_dense_and_padding_ids_are_unpaired(kind):
  rng = np.random.default_rng(1)
  n = 10
  mask = jnp.asarray(rng.random(n) > 0.3)
  if kind == "same_row":
    p = pairs_lib.same_scale(mask, intra_view=True)
  elif kind == "segment":
    p = pairs_lib.cross_scale(np.sort(rng.integers(0, 4, n)), node_mask=mask,
                              graph_mask=jnp.array([True, True, False, True]))
  elif kind == "label":
    p = pairs_lib.by_label(rng.integers(0, 3, n), mask=mask, intra_view=True)
  else:
    p = pairs_lib.from_masks(jnp.asarray(rng.random((n, n)) > 0.7), anchor_mask=mask)
  pos, neg, _ = (_np(x) for x in _summary(p))
  rows = jnp.array([-1, 3, 4, 5, 12])       # -1 and 12 are out of range
  cols = jnp.array([0, 2, 3, p.num_keys, 99])
  tpos, tneg = (_np(x) for x in jax.jit(type(p).tile_masks)(p, rows, cols))
  for a, r in enumerate(_np(rows)):
    for b, c in enumerate(_np(cols)):
      inside = 0 <= r < p.num_anchors and 0 <= c < p.num_keys
      assert tpos[a, b] == (inside and pos[r, c])
      assert tneg[a, b] == (inside and neg[r, c])
  assert not (pos & neg).any()
  assert not pos[~_np(mask)].any() and not neg[~_np(mask)].any()


def test_pairs_is_a_pytree_through_jit():
  p = pairs_lib.by_label(jnp.array([0, 1, 0]), mask=jnp.array([True, True, False]),
                         intra_view=True)
  leaves, treedef = jax.tree_util.tree_flatten(p)
  assert all(isinstance(x, jax.Array) for x in leaves)
  rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
  assert rebuilt.kind == "label" and rebuilt.intra_view
  got = jax.jit(lambda q: q.dense_masks())(p)
  want = p.dense_masks()
  np.testing.assert_array_equal(_np(got[0]), _np(want[0]))
  np.testing.assert_array_equal(_np(got[1]), _np(want[1]))


def test_constructor_errors():
  with pytest.raises(ValueError, match="bool"):
    pairs_lib.same_scale(jnp.array([1, 0]))
  with pytest.raises(ValueError, match="equally long"):
    pairs_lib.same_scale(jnp.array([True]), jnp.array([True, True]))
  with pytest.raises(ValueError, match="segment_ids"):
    pairs_lib.cross_scale(jnp.array([0, 1, 2]), node_mask=jnp.array([True, True]),
                          graph_mask=jnp.array([True]))
  with pytest.raises(ValueError, match="integers"):
    pairs_lib.by_label(jnp.array([0.5, 1.0]), mask=jnp.array([True, True]))
  with pytest.raises(ValueError, match="pos_mask"):
    pairs_lib.from_masks(jnp.array([True, False]))
  with pytest.raises(ValueError, match="neg_mask"):
    pairs_lib.from_masks(jnp.eye(2, dtype=bool), jnp.eye(3, dtype=bool))
  with pytest.raises(ValueError, match="intra_view"):
    pairs_lib.Pairs("dense", anchor_mask=jnp.ones(2, bool), key_mask=jnp.ones(2, bool),
                    pos_mask=jnp.eye(2, dtype=bool), neg_mask=~jnp.eye(2, dtype=bool),
                    intra_view=True)
  with pytest.raises(ValueError, match="kind"):
    pairs_lib.Pairs("diagonal", anchor_mask=jnp.ones(2, bool), key_mask=jnp.ones(2, bool))
  p = pairs_lib.by_label(jnp.array([0, 1]), mask=jnp.array([True, True]))
  with pytest.raises(ValueError, match="one positive"):
    p.positive_index()
  with pytest.raises(ValueError, match="intra_view=False"):
    p.intra_tile_masks(jnp.arange(2), jnp.arange(2))


# ---------------------------------------------------------------------------------------------
# sample_negative_edges
# ---------------------------------------------------------------------------------------------


def test_sample_negative_edges_only_present_nodes_and_uniform():
  mask = jnp.array([True, False, True, True, False, True])
  s, r, valid = jax.jit(lambda k: pairs_lib.sample_negative_edges(
      k, mask, num_samples=4000))(jax.random.key(0))
  s, r, valid = _np(s), _np(r), _np(valid)
  assert set(np.unique(s)) == {0, 2, 3, 5} and set(np.unique(r)) == {0, 2, 3, 5}
  np.testing.assert_array_equal(valid, s != r)
  freq = np.bincount(s, minlength=6)[[0, 2, 3, 5]] / 4000
  np.testing.assert_allclose(freq, 0.25, atol=0.04)


def test_sample_negative_edges_within_graph():
  seg = jnp.array([0, 0, 0, 1, 1, 2, 2])
  mask = jnp.array([True, True, False, True, True, True, False])  # graph 2 has one node left
  s, r, valid = jax.jit(lambda k: pairs_lib.sample_negative_edges(
      k, mask, num_samples=500, segment_ids=seg, num_graphs=3))(jax.random.key(3))
  s, r, valid = _np(s), _np(r), _np(valid)
  assert _np(mask)[s].all() and _np(mask)[r].all()
  np.testing.assert_array_equal(_np(seg)[s], _np(seg)[r])
  assert not valid[s == 5].any()  # a one-node graph only yields self pairs
  assert valid[s != r].all()
  with pytest.raises(ValueError, match="num_graphs"):
    pairs_lib.sample_negative_edges(jax.random.key(0), mask, num_samples=3, segment_ids=seg)


def test_sample_negative_edges_no_present_nodes():
  s, r, valid = pairs_lib.sample_negative_edges(jax.random.key(0), jnp.zeros(4, bool),
                                                num_samples=5)
  assert not _np(valid).any()

"""Sparse first layer (jgssl.models.sparse) and the reordered layers are exact.

* the column index lists exactly the non-zeros of each row;
* ``sparse_matmul`` equals ``x @ W`` (values and gradients for ``x`` and ``W``), and still does
  when the index is stale (dense fallback);
* GCN / GAT / MLP encoders give the same outputs and parameter gradients with and without
  ``nodes['x_cols']``, after padding and after the feature augmentations that keep it;
* DGI's row shuffle moves the index with the rows, GraphMAE's token masking drops it;
* GAT with narrow inputs and wide heads (aggregate, then project) equals a dense reference;
* the bilinear discriminator with per-graph summaries equals the per-row form.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import augment, graph as graph_lib, models
from jgssl.models import sparse

_jit = functools.partial(jax.jit, compiler_options={"xla_backend_optimization_level": 0})


def _sparse_x(rng, n=23, f=80, per_row=(0, 5)):
  x = np.zeros((n, f), np.float32)
  for i in range(n):
    k = rng.integers(per_row[0], min(per_row[1], f) + 1)
    cols = rng.choice(f, size=k, replace=False)
    x[i, cols] = rng.uniform(0.1, 1.0, size=k)
  return x


def _graph(rng, n=23, f=80):
  edges = set()
  while len(edges) < 40:
    i, j = rng.integers(0, n, size=2)
    if i != j:
      edges.add((min(i, j), max(i, j)))
  g = graph_lib.from_edge_index(np.array(sorted(edges)).T, num_nodes=n,
                                node_features=_sparse_x(rng, n, f))
  return graph_lib.pad_graph(g, graph_lib.PaddingBudget(n_node=n + 3, n_edge=90, n_graph=2))


def test_sparse_columns_lists_exactly_the_nonzeros(rng):
  x = _sparse_x(rng)
  cols = sparse.sparse_columns(x)
  assert cols.dtype == np.int32 and cols.shape[1] % 8 == 0
  f = x.shape[1]
  for i in range(x.shape[0]):
    listed = cols[i][cols[i] < f]
    np.testing.assert_array_equal(listed, np.nonzero(x[i])[0])
    assert np.all(cols[i][len(listed):] == f)


def test_sparse_columns_declines_dense_features(rng):
  assert sparse.sparse_columns(rng.normal(size=(10, 16)).astype(np.float32)) is None
  g = graph_lib.from_edge_index(np.array([[0], [1]]), num_nodes=3,
                                node_features=rng.normal(size=(3, 16)).astype(np.float32))
  assert models.SPARSE_KEY not in models.with_sparse_features(g).nodes


def _value_and_grads(x, cols, w, g_out):
  def f(x, w):
    y = sparse.sparse_matmul(x, cols, w) if cols is not None else x @ w
    return jnp.sum(y * g_out)
  return _jit(jax.value_and_grad(f, argnums=(0, 1)))(x, w)


def test_sparse_matmul_equals_dense_with_gradients(rng):
  x = jnp.asarray(_sparse_x(rng))
  cols = jnp.asarray(sparse.sparse_columns(np.asarray(x)))
  w = jnp.asarray(rng.normal(size=(x.shape[1], 6)).astype(np.float32))
  g_out = jnp.asarray(rng.normal(size=(x.shape[0], 6)).astype(np.float32))
  np.testing.assert_allclose(sparse.sparse_matmul(x, cols, w), x @ w, atol=1e-6)
  got = _value_and_grads(x, cols, w, g_out)
  want = _value_and_grads(x, None, w, g_out)
  for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


def test_stale_index_falls_back_to_the_dense_product(rng):
  x = _sparse_x(rng)
  cols = jnp.asarray(sparse.sparse_columns(x))
  dense_x = jnp.asarray(rng.normal(size=x.shape).astype(np.float32))  # e.g. embeddings
  w = jnp.asarray(rng.normal(size=(x.shape[1], 4)).astype(np.float32))
  np.testing.assert_allclose(_jit(sparse.sparse_matmul)(dense_x, cols, w), dense_x @ w,
                             atol=1e-5, rtol=1e-5)
  # One extra non-zero in one row is enough to take the dense branch.
  shifted = jnp.asarray(x).at[0, np.argmin(x[0] != 0)].set(3.0)
  np.testing.assert_allclose(_jit(sparse.sparse_matmul)(shifted, cols, w), shifted @ w,
                             atol=1e-5, rtol=1e-5)


def test_rows_padded_after_indexing_count_once(rng):
  # pad_graph fills new rows of x_cols with 0 in every slot: only the first slot counts.
  x = np.zeros((3, 80), np.float32)
  x[0, [2, 5]] = 1.0
  x[1, 0] = 2.0          # a "padding" row that (wrongly) holds a value in column 0
  x[2, [0, 1]] = 3.0     # and one with two values
  cols = np.zeros((3, 8), np.int32)
  cols[0, :2], cols[0, 2:] = [2, 5], 80
  w = jnp.asarray(rng.normal(size=(80, 4)).astype(np.float32))
  np.testing.assert_allclose(_jit(sparse.sparse_matmul)(jnp.asarray(x), jnp.asarray(cols), w),
                             x @ np.asarray(w), atol=1e-5, rtol=1e-5)
  g = models.with_sparse_features(_graph(rng))
  padded = graph_lib.pad_graph(jax.device_get(g), graph_lib.PaddingBudget(
      n_node=g.nodes["x"].shape[0] + 4, n_edge=g.senders.shape[0] + 3, n_graph=3))
  assert np.all(np.asarray(padded.nodes[models.SPARSE_KEY])[-4:] == 0)
  enc = models.GCN(features=(5,))
  variables = enc.init(jax.random.PRNGKey(0), padded)
  np.testing.assert_allclose(_jit(enc.apply)(variables, padded),
                             _jit(enc.apply)(variables, models.drop_sparse_features(padded)),
                             atol=1e-5)


def test_assume_valid_index_traces_no_fallback(rng):
  x = jnp.asarray(_sparse_x(rng))
  cols = jnp.asarray(sparse.sparse_columns(np.asarray(x)))
  w = jnp.ones((x.shape[1], 3))
  trace = lambda: str(jax.make_jaxpr(lambda *a: sparse.sparse_matmul(*a))(x, cols, w))
  assert "cond" in trace()
  with models.assume_valid_index():  # a fresh trace (traces are cached per function)
    assert "cond" not in trace()
  assert "cond" in trace()


ENCODERS = [
    lambda: models.GCN(features=(8, 4), activation="prelu"),
    lambda: models.GAT(features=(8, 4), heads=2, dropout=0.0),
    lambda: models.MLP(features=(8,), norm="batch"),
]


@pytest.mark.parametrize("make", ENCODERS)
def test_encoders_equal_with_and_without_index(make, rng):
  dense_g = _graph(rng)
  sparse_g = models.with_sparse_features(dense_g)
  assert models.SPARSE_KEY in sparse_g.nodes
  enc = make()
  variables = enc.init(jax.random.PRNGKey(0), dense_g)

  def run(g):
    def f(params):
      return jnp.sum(jnp.sin(enc.apply({**variables, "params": params}, g)))
    return _jit(jax.value_and_grad(f))(variables["params"])

  for a, b in zip(jax.tree_util.tree_leaves(run(sparse_g)), jax.tree_util.tree_leaves(run(dense_g))):
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


def test_feature_augmentations_keep_the_index_valid(rng):
  g = models.with_sparse_features(_graph(rng))
  enc = models.GCN(features=(6,))
  variables = enc.init(jax.random.PRNGKey(0), g)
  key = jax.random.PRNGKey(3)
  for aug in (lambda k, g: augment.mask_feature_columns(k, g, rate=0.4),
              lambda k, g: augment.dropout_features(k, g, rate=0.3),
              augment.shuffle_features):
    view = aug(key, g)
    x = np.asarray(view.nodes["x"])
    cols = np.asarray(view.nodes[models.SPARSE_KEY])
    for i in range(x.shape[0]):  # every non-zero is listed
      assert set(np.nonzero(x[i])[0]) <= set(cols[i].tolist())
    without = models.drop_sparse_features(view)
    apply = _jit(enc.apply)
    np.testing.assert_allclose(apply(variables, view), apply(variables, without), atol=1e-5)


def test_token_masking_drops_the_index(rng):
  g = models.with_sparse_features(_graph(rng))
  token = jnp.ones(g.nodes["x"].shape[1])
  masked, _ = augment.graphmae_mask(jax.random.PRNGKey(0), g, rate=0.5, mask_token=token)
  assert models.SPARSE_KEY not in masked.nodes


def _gat_reference(conv_params, g, h, heads, per_head, slope=0.2):
  """Dense multi-head GAT (numpy): attention over present in-edges plus the self-loop."""
  w = np.asarray(conv_params["linear"]["kernel"])
  a_s, a_d = np.asarray(conv_params["att_src"]), np.asarray(conv_params["att_dst"])
  n = h.shape[0]
  hw = (np.asarray(h) @ w).reshape(n, heads, per_head)
  adj = np.zeros((n, n), bool)
  em = np.asarray(graph_lib.edge_mask(g))
  for s_, r_, k in zip(np.asarray(g.senders), np.asarray(g.receivers), em):
    if k:
      adj[r_, s_] = True
  present = np.asarray(g.nodes["mask"])
  adj |= np.diag(present)
  out = np.zeros((n, heads, per_head))
  for hd in range(heads):
    e = (hw[:, hd] @ a_d[hd])[:, None] + (hw[:, hd] @ a_s[hd])[None, :]
    e = np.where(e > 0, e, slope * e)
    e = np.where(adj, e, -np.inf)
    m = np.max(np.where(adj.any(1, keepdims=True), e, 0.0), axis=1, keepdims=True)
    p = np.where(adj, np.exp(e - m), 0.0)
    p = p / np.maximum(p.sum(1, keepdims=True), 1e-30)
    out[:, hd] = p @ hw[:, hd]
  return out.mean(axis=1) + np.asarray(conv_params["bias"])


@pytest.mark.parametrize("heads", [1, 2])
def test_gat_narrow_input_wide_heads_equals_reference(heads, rng):
  g = _graph(rng, n=11, f=4)
  g = g._replace(nodes={**g.nodes, "x": rng.normal(size=g.nodes["x"].shape).astype(np.float32)})
  h = jnp.asarray(g.nodes["x"])
  conv = models.GATConv(features=9, heads=heads, concat=False)  # f_in 4 < 9 channels per head
  variables = conv.init(jax.random.PRNGKey(1), g, h)
  variables = jax.tree_util.tree_map(
      lambda a: a + 0.1 * jnp.asarray(rng.normal(size=a.shape), a.dtype), variables)
  got = np.asarray(conv.apply(variables, g, h))
  want = _gat_reference(variables["params"], g, h, heads, 9)
  real = np.asarray(g.nodes["mask"])
  np.testing.assert_allclose(got[real], want[real], atol=1e-5, rtol=1e-5)


def test_bilinear_per_graph_summaries_equal_per_row_form(rng):
  h = jnp.asarray(rng.normal(size=(7, 5)).astype(np.float32))
  s = jnp.asarray(rng.normal(size=(2, 3)).astype(np.float32))
  seg = jnp.asarray([0, 0, 1, 1, 1, 0, 1])
  disc = models.Bilinear()
  variables = disc.init(jax.random.PRNGKey(0), h, s[seg])
  np.testing.assert_allclose(disc.apply(variables, h, s, segment_ids=seg),
                             disc.apply(variables, h, s[seg]), atol=1e-5)
  np.testing.assert_allclose(disc.apply(variables, h, s[1]), disc.apply(
      variables, h, jnp.broadcast_to(s[1], (7, 3))), atol=1e-5)
  with pytest.raises(ValueError, match="segment_ids"):
    disc.apply(variables, h, s[seg], segment_ids=seg[:3])


@pytest.mark.parametrize("make", [
    lambda: models.GAT(features=(6, 20), heads=(2, 1), concat=(True, False)),  # project last
    lambda: models.GAT(features=(6, 4), heads=2),
    lambda: models.GCN(features=(5, 3), residual=True),
])
def test_encoder_rows_equal_selected_outputs(make, rng):
  g = _graph(rng, f=8)
  g = g._replace(nodes={**g.nodes, "x": rng.normal(size=g.nodes["x"].shape).astype(np.float32)})
  enc = make()
  variables = enc.init(jax.random.PRNGKey(0), g)
  rows = jnp.asarray([3, 0, 7, 7, 25])  # any order, repeats and a padding row
  full = _jit(enc.apply)(variables, g)
  got = _jit(lambda v, g, r: enc.apply(v, g, rows=r))(variables, g, rows)
  np.testing.assert_allclose(got, full[rows], atol=1e-5, rtol=1e-5)


def test_encoder_rows_rejects_last_layer_norm(rng):
  g = _graph(rng, f=8)
  enc = models.GCN(features=(4,), norm="batch")
  variables = enc.init(jax.random.PRNGKey(0), g)
  with pytest.raises(ValueError, match="rows="):
    enc.apply(variables, g, rows=jnp.arange(3))

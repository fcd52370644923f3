"""Tests for jgssl.augment.graphmae_mask (GraphMAE's encoding_mask_noise)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jgssl.augment as A


def _run(keys, graph, rate, replace_rate):
  token = jnp.full((graph.nodes["x"].shape[1],), 7.0)
  fn = lambda k: A.graphmae_mask(k, graph, rate=rate, mask_token=token, replace_rate=replace_rate)
  return jax.jit(jax.vmap(fn))(keys)


@pytest.fixture(scope="module")
def replaced(keys, graph):
  return _run(keys, graph, 0.75, 0.2)


def _counts(aug, graph):
  gid = aug.node_gid(graph)
  elig = np.asarray(graph.nodes["mask"]) & np.asarray(graph.globals["mask"])[gid]
  return elig, gid, np.bincount(gid[elig], minlength=len(graph.n_node))


def test_exact_counts_per_graph(aug, graph, replaced):
  out, masked = replaced
  elig, gid, counts = _counts(aug, graph)
  x = np.asarray(graph.nodes["x"])
  m_expected = np.floor(0.75 * counts).astype(int)
  for i in range(64):
    xi, mi = np.asarray(out.nodes["x"][i]), np.asarray(masked[i])
    assert not np.any(mi & ~elig)
    np.testing.assert_array_equal(np.bincount(gid[mi], minlength=len(counts)), m_expected)
    token = np.all(xi == 7.0, axis=1) & mi
    changed = np.any(xi != x, axis=1)
    assert not np.any(changed & ~mi)                 # only masked rows change
    for g in range(len(counts)):
      m = m_expected[g]
      n_token, n_noise = int(np.floor(0.8 * m)), int(np.floor(0.2 * m))
      assert token[gid == g].sum() == n_token
      # Noise rows hold features of present nodes of the same graph.
      noise = mi & ~token & (gid == g)
      own = {tuple(r) for r in x[elig & (gid == g)].tolist()}
      assert all(tuple(r) in own for r in xi[noise].tolist())
      # Rows left over by the two floors keep their own features: at most one per graph.
      leftover = noise & ~changed
      assert noise.sum() - leftover.sum() <= n_noise
      assert noise.sum() == m - n_token


def test_same_key_same_mask_and_keys_differ(aug, replaced):
  out, masked = replaced
  aug.equal((aug.unbatch(out, 0), masked[0]), (aug.unbatch(out, 1), masked[1]))
  assert len({np.asarray(m).tobytes() for m in masked[1:]}) > 55
  # Graph 0 has 5 present nodes: exactly floor(0.75 * 5) = 3 masked under every key.
  np.testing.assert_array_equal(np.asarray(masked)[:, :5].sum(1), 3)


def test_no_replace_all_masked_rows_get_token(aug, keys, graph):
  out, masked = _run(keys[:8], graph, 0.5, 0.0)
  x = np.asarray(out.nodes["x"])
  m = np.asarray(masked)
  assert np.all(x[m] == 7.0)
  np.testing.assert_array_equal(x[~m], np.broadcast_to(np.asarray(graph.nodes["x"]), x.shape)[~m])
  aug.check(graph, aug.unbatch(out, 0), nodes_may_drop=False)


def test_rate_zero_is_identity(aug, graph):
  out, masked = A.graphmae_mask(jax.random.key(0), graph, rate=0.0,
                                mask_token=jnp.ones(graph.nodes["x"].shape[1]), replace_rate=0.1)
  aug.equal(out, graph)
  assert not np.any(np.asarray(masked))


def test_gradient_flows_into_mask_token(graph):
  f = graph.nodes["x"].shape[1]

  def loss(token):
    out, masked = A.graphmae_mask(jax.random.key(3), graph, rate=0.5, mask_token=token,
                                  replace_rate=0.25)
    return jnp.sum(jnp.where(masked[:, None], out.nodes["x"], 0.0)), masked

  grad, masked = jax.grad(loss, has_aux=True)(jnp.zeros(f))
  x = A.graphmae_mask(jax.random.key(3), graph, rate=0.5, mask_token=jnp.full(f, 9.0),
                      replace_rate=0.25)[0].nodes["x"]
  num_token_rows = int(np.sum(np.all(np.asarray(x) == 9.0, axis=1)))
  np.testing.assert_allclose(np.asarray(grad), np.full(f, num_token_rows))
  assert num_token_rows > 0


def test_bad_token_and_rates(graph):
  with pytest.raises(ValueError, match="mask_token"):
    A.graphmae_mask(jax.random.key(0), graph, rate=0.5, mask_token=jnp.ones(3))
  with pytest.raises(ValueError, match="replace_rate"):
    A.graphmae_mask(jax.random.key(0), graph, rate=0.5, mask_token=jnp.ones(6), replace_rate=2)

"""InfoNCE family: hand values, numpy references, padding, direction, chunked == dense."""

import math
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import loss_testing as lt
from jgssl import losses
from jgssl import pairs as pairs_lib

TAU = 0.5


def _views(rng, n=6, d=4):
  return (rng.normal(size=(n, d)).astype(np.float32),
          rng.normal(size=(n, d)).astype(np.float32))


# ---------------------------------------------------------------------------------------------
# Hand-computed values
# ---------------------------------------------------------------------------------------------


def test_tiny_values_by_hand():
  u = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
  v = u.copy()
  # GRACE, τ = 1: pos e^1, den = e^1 + e^0 (other key) + e^0 (other anchor).
  np.testing.assert_allclose(losses.grace_loss(u, v, temperature=1.0),
                             [math.log(1 + 2 / math.e)] * 2, rtol=1e-6)
  # GraphCL: denominator without the positive = e^0 → ℓ = −log(e / 1) = −1.
  np.testing.assert_allclose(losses.graphcl_loss(u, v, temperature=1.0), [-1.0, -1.0],
                             rtol=1e-6)
  # DCL: −1 + log(e^0 + e^0).
  np.testing.assert_allclose(losses.dcl_loss(u, v, temperature=1.0),
                             [-1.0 + math.log(2.0)] * 2, rtol=1e-6)
  # Debiased with τ⁺ = 0 and a clamp below Σ_neg: −log(e / (e + 2)), as GRACE.
  np.testing.assert_allclose(losses.debiased_info_nce(u, v, temperature=1.0, tau_plus=0.0),
                             [math.log(1 + 2 / math.e)] * 2, rtol=1e-6)


def test_grace_matches_loops(rng):
  u, v = _views(rng, n=7)
  want = lt.grace_np(u, v, TAU)
  np.testing.assert_allclose(losses.grace_loss(u, v, temperature=TAU), want, atol=1e-5)


def test_graphcl_matches_official_formula(rng):
  u, v = _views(rng)
  want = lt.graphcl_np(u, v, 0.2)
  np.testing.assert_allclose(losses.graphcl_loss(u, v), want, atol=1e-4)  # τ = 0.2 default
  sym = losses.graphcl_loss(u, v, symmetric=True)
  np.testing.assert_allclose(sym, 0.5 * (want + lt.graphcl_np(v, u, 0.2)), atol=1e-4)


def test_dcl_and_weighted_dcl_match_loops(rng):
  u, v = _views(rng)
  np.testing.assert_allclose(losses.dcl_loss(u, v, temperature=TAU), lt.dcl_np(u, v, TAU),
                             atol=1e-5)
  w = lt.dclw_weights_np(u, v, 0.5)
  np.testing.assert_allclose(losses.dcl_weights(u, v, sigma=0.5), w, atol=1e-5)
  np.testing.assert_allclose(w.mean(), 1.0, atol=1e-6)  # weights average to one
  np.testing.assert_allclose(losses.weighted_dcl_loss(u, v, temperature=TAU),
                             lt.dcl_np(u, v, TAU, weights=w), atol=1e-5)


def test_dcl_weights_have_no_gradient(rng):
  u, v = _views(rng)
  g = jax.grad(lambda a: jnp.sum(losses.dcl_weights(a, v)))(u)
  assert np.all(np.asarray(g) == 0)


@pytest.mark.parametrize("tau_plus,beta", [(0.1, 0.0), (0.0, 1.0), (0.1, 1.0), (0.3, 0.5)])
def test_debiased_and_hard_match_official_code(rng, tau_plus, beta):
  u, v = _views(rng, n=5)
  want = lt.hcl_np(u, v, TAU, tau_plus, beta)
  got = losses.hard_info_nce(u, v, temperature=TAU, beta=beta, tau_plus=tau_plus)
  np.testing.assert_allclose(got, want, atol=1e-5)
  if beta == 0.0:
    np.testing.assert_allclose(losses.debiased_info_nce(u, v, temperature=TAU,
                                                        tau_plus=tau_plus), want, atol=1e-5)


def test_debiased_clamp_is_active_when_negatives_are_far(rng):
  # Negatives anti-aligned and a large τ⁺: the estimate falls below M e^{-1/τ} and is clamped.
  u = np.array([[1.0, 0.0], [-1.0, 0.0]], np.float32)
  got = losses.debiased_info_nce(u, u, temperature=TAU, tau_plus=0.9)
  np.testing.assert_allclose(got, lt.hcl_np(u, u, TAU, 0.9, 0.0), atol=1e-5)
  assert np.all(np.isfinite(np.asarray(jax.grad(
      lambda a: jnp.sum(losses.debiased_info_nce(a, u, temperature=TAU, tau_plus=0.9)))(u))))


@pytest.mark.parametrize("intra_view", [False, True])
def test_label_pairs_match_supcon_l_out(rng, intra_view):
  u, v = _views(rng, n=6)
  labels = np.array([0, 1, 0, 2, 1, 0])
  p = pairs_lib.by_label(labels, mask=jnp.ones(6, bool), intra_view=intra_view)
  got = losses.info_nce(u, v, pairs=p, temperature=TAU, symmetric=False)
  np.testing.assert_allclose(got, lt.supcon_out_np(u, v, labels, TAU, intra_view), atol=1e-5)


def test_cross_scale_info_nce_matches_loops(rng):
  h = rng.normal(size=(7, 3)).astype(np.float32)
  s = rng.normal(size=(3, 3)).astype(np.float32)
  seg = np.array([0, 0, 1, 1, 1, 2, 2])
  p = pairs_lib.cross_scale(seg, node_mask=jnp.ones(7, bool), graph_mask=jnp.ones(3, bool))
  got = losses.info_nce(h, s, pairs=p, temperature=TAU, symmetric=False)
  hn, sn = lt.normalize_np(h.astype(np.float64)), lt.normalize_np(s.astype(np.float64))
  want = [-(hn[i] @ sn[seg[i]]) / TAU + np.log(np.exp(hn[i] @ sn.T / TAU).sum())
          for i in range(7)]
  np.testing.assert_allclose(got, want, atol=1e-5)
  with pytest.raises(ValueError, match="symmetric"):
    losses.info_nce(h, s, pairs=p, temperature=TAU)


def test_unnormalized_scores_are_dot_products(rng):
  u, v = _views(rng, n=4)
  p = pairs_lib.same_scale(jnp.ones(4, bool))
  got = losses.info_nce(u, v, pairs=p, temperature=1.0, symmetric=False, normalize=False)
  s = u.astype(np.float64) @ v.T.astype(np.float64)
  want = [-s[i, i] + np.log(np.exp(s[i]).sum()) for i in range(4)]
  np.testing.assert_allclose(got, want, rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# Padding: masked == sliced, padded rows change nothing
# ---------------------------------------------------------------------------------------------

_WHERE_LOSSES = {
    "grace": lambda u, v, w: losses.grace_loss(u, v, temperature=TAU, where=w),
    "grace_chunked": lambda u, v, w: losses.grace_loss(u, v, temperature=TAU, where=w,
                                                       chunk_size=4, key_chunk_size=3),
    "graphcl": lambda u, v, w: losses.graphcl_loss(u, v, where=w),
    "dcl": lambda u, v, w: losses.dcl_loss(u, v, temperature=TAU, where=w),
    "weighted_dcl": lambda u, v, w: losses.weighted_dcl_loss(u, v, temperature=TAU, where=w),
    "debiased": lambda u, v, w: losses.debiased_info_nce(u, v, temperature=TAU, where=w),
    "hard": lambda u, v, w: losses.hard_info_nce(u, v, temperature=TAU, where=w),
}


@pytest.mark.parametrize("name", sorted(_WHERE_LOSSES))
def test_masked_equals_sliced(rng, name):
  u, v = _views(rng, n=6)
  lt.check_masked_equals_sliced(_WHERE_LOSSES[name], [u, v], per_row=True, rng=rng)


def test_label_pairs_masked_equals_sliced(rng):
  u, v = _views(rng, n=6)
  labels = np.array([0, 1, 0, 2, 1, 0])
  total, pos = 10, np.array([0, 2, 3, 6, 7, 9])
  mask = np.zeros(total, bool)
  mask[pos] = True
  lab_pad = np.full(total, 1)  # padding rows share a real label: still never paired
  lab_pad[pos] = labels

  def loss(uu, vv, lab, m):
    p = pairs_lib.by_label(lab, mask=m, intra_view=True)
    return losses.info_nce(uu, vv, pairs=p, temperature=TAU, chunk_size=3)

  want = loss(u, v, labels, jnp.ones(6, bool))
  up, vp = (lt.scatter_rows(x, pos, total, np.nan) for x in (u, v))
  got = loss(up, vp, lab_pad, jnp.asarray(mask))
  np.testing.assert_allclose(np.asarray(got)[pos], want, atol=1e-5)
  assert np.all(np.asarray(got)[~mask] == 0)


# ---------------------------------------------------------------------------------------------
# Direction: the loss falls as positives align
# ---------------------------------------------------------------------------------------------

_DIRECTION = {
    "grace": lambda u, v: jnp.mean(losses.grace_loss(u, v, temperature=TAU)),
    "graphcl": lambda u, v: jnp.mean(losses.graphcl_loss(u, v)),
    "dcl": lambda u, v: jnp.mean(losses.dcl_loss(u, v, temperature=TAU)),
    "weighted_dcl": lambda u, v: jnp.mean(losses.weighted_dcl_loss(u, v, temperature=TAU)),
    "debiased": lambda u, v: jnp.mean(losses.debiased_info_nce(u, v, temperature=TAU)),
    "hard": lambda u, v: jnp.mean(losses.hard_info_nce(u, v, temperature=TAU)),
    "supervised": lambda u, v: jnp.mean(losses.info_nce(
        u, v, pairs=pairs_lib.by_label(jnp.arange(u.shape[0]) % 3,
                                       mask=jnp.ones(u.shape[0], bool)), temperature=TAU)),
}


@pytest.mark.parametrize("name", sorted(_DIRECTION))
def test_loss_falls_as_views_align(rng, name):
  u, v = _views(rng, n=8, d=6)
  lt.assert_monotone_decrease(lt.interpolation_losses(_DIRECTION[name], u, v))


# ---------------------------------------------------------------------------------------------
# Chunked == dense (value and gradient), N not divisible by the chunk, with masks
# ---------------------------------------------------------------------------------------------

_CHUNKABLE = {
    "grace": lambda u, v, w, **c: losses.grace_loss(u, v, temperature=TAU, where=w, **c),
    "graphcl_sym": lambda u, v, w, **c: losses.graphcl_loss(u, v, where=w, symmetric=True, **c),
    "dcl": lambda u, v, w, **c: losses.dcl_loss(u, v, temperature=TAU, where=w, **c),
    "weighted_dcl": lambda u, v, w, **c: losses.weighted_dcl_loss(u, v, temperature=TAU,
                                                                  where=w, **c),
    "debiased": lambda u, v, w, **c: losses.debiased_info_nce(u, v, temperature=TAU, where=w,
                                                              **c),
    "hard": lambda u, v, w, **c: losses.hard_info_nce(u, v, temperature=TAU, beta=1.5, where=w,
                                                      **c),
    "supervised": lambda u, v, w, **c: losses.info_nce(
        u, v, pairs=pairs_lib.by_label(jnp.arange(u.shape[0]) % 3, mask=w, intra_view=True),
        temperature=TAU, **c),
}


@pytest.mark.parametrize("name", sorted(_CHUNKABLE))
def test_chunked_equals_dense(rng, name):
  n = 11
  u, v = _views(rng, n=n, d=5)
  w = jnp.asarray(rng.random(n) > 0.25)
  fn = _CHUNKABLE[name]

  def run(**chunks):
    def f(a, b):
      rows = fn(a, b, w, **chunks)
      return losses.masked_mean(rows, w), rows
    return jax.jit(jax.value_and_grad(f, argnums=(0, 1), has_aux=True))(u, v)

  (val_d, rows_d), grads_d = run()
  configs = [{"chunk_size": 4, "key_chunk_size": 3}]
  if name == "grace":  # one key block / anchor chunk larger than N / anchor-only chunking
    configs += [{"chunk_size": 16, "key_chunk_size": 2}]
  for chunks in configs:
    (val_c, rows_c), grads_c = run(**chunks)
    np.testing.assert_allclose(rows_c, rows_d, atol=1e-5)
    np.testing.assert_allclose(val_c, val_d, atol=1e-5)
    for gc, gd in zip(grads_c, grads_d):
      np.testing.assert_allclose(gc, gd, atol=1e-5)


def test_rows_of_blocks_equal_the_full_loss(rng):
  """info_nce_rows over row blocks (what each device computes) reassembles the full loss."""
  n = 10
  u, v = _views(rng, n=n, d=4)
  w = jnp.asarray(rng.random(n) > 0.2)
  p = pairs_lib.same_scale(w, intra_view=True)

  @jax.jit
  def block_rows(u_blk, v_blk, offset):
    r1 = losses.info_nce_rows(u_blk, v, pairs=p, temperature=TAU, row_offset=offset,
                              intra_keys=u, key_chunk_size=3)
    r2 = losses.info_nce_rows(v_blk, u, pairs=p.transpose(), temperature=TAU,
                              row_offset=offset, intra_keys=v)
    db = losses.debiased_info_nce_rows(u_blk, v, pairs=p, temperature=TAU, row_offset=offset,
                                       intra_keys=u, key_chunk_size=4)
    return 0.5 * (r1 + r2), db

  # Blocks of 4 rows; the last one reaches past N (rows 10, 11 are padding: loss 0).
  u_pad, v_pad = np.concatenate([u, u[:2]]), np.concatenate([v, v[:2]])
  outs = [block_rows(u_pad[s:s + 4], v_pad[s:s + 4], s) for s in (0, 4, 8)]
  rows = np.concatenate([o[0] for o in outs])
  rows_db = np.concatenate([o[1] for o in outs])
  np.testing.assert_allclose(rows[:n], losses.grace_loss(u, v, temperature=TAU, where=w),
                             atol=1e-5)
  np.testing.assert_allclose(rows_db[:n], losses.debiased_info_nce(
      u, v, temperature=TAU, where=w, symmetric=False), atol=1e-5)
  assert np.all(rows[n:] == 0) and np.all(rows_db[n:] == 0)


_SHARD_SCRIPT = textwrap.dedent("""
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, PartitionSpec as P
    from jgssl import losses, pairs as pairs_lib
    assert len(jax.devices()) == 4
    rng = np.random.default_rng(0)
    n, tau = 12, 0.5
    u = jnp.asarray(rng.normal(size=(n, 5)), jnp.float32)
    v = jnp.asarray(rng.normal(size=(n, 5)), jnp.float32)
    w = jnp.asarray(rng.random(n) > 0.2)
    mesh = Mesh(np.array(jax.devices()), ("data",))

    def per_device(u_loc, v_loc, w_all):
      p = pairs_lib.same_scale(w_all, intra_view=True)
      u_all = jax.lax.all_gather(u_loc, "data", tiled=True)
      v_all = jax.lax.all_gather(v_loc, "data", tiled=True)
      off = jax.lax.axis_index("data") * u_loc.shape[0]
      r1 = losses.info_nce_rows(u_loc, v_all, pairs=p, temperature=tau, row_offset=off,
                                intra_keys=u_all, key_chunk_size=5)
      r2 = losses.info_nce_rows(v_loc, u_all, pairs=p.transpose(), temperature=tau,
                                row_offset=off, intra_keys=v_all, key_chunk_size=5)
      rows = 0.5 * (r1 + r2)
      m = jax.lax.dynamic_slice_in_dim(p.row_mask(symmetric=True), off, u_loc.shape[0])
      return (jax.lax.psum(jnp.sum(jnp.where(m, rows, 0.0)), "data")
              / jax.lax.psum(jnp.sum(m), "data"))

    sharded = jax.shard_map(per_device, mesh=mesh, in_specs=(P("data"), P("data"), P()),
                            out_specs=P())
    dense = lambda a, b: losses.masked_mean(losses.grace_loss(a, b, temperature=tau, where=w), w)
    vs, gs = jax.jit(jax.value_and_grad(lambda a, b: sharded(a, b, w), argnums=(0, 1)))(u, v)
    vd, gd = jax.jit(jax.value_and_grad(dense, argnums=(0, 1)))(u, v)
    np.testing.assert_allclose(vs, vd, atol=1e-5)
    for a, b in zip(gs, gd):
      np.testing.assert_allclose(a, b, atol=1e-5)
    print("SHARDED_OK", float(vs))
""")


def test_info_nce_rows_under_shard_map_matches_dense():
  env = dict(os.environ, JAX_PLATFORMS="cpu",
             XLA_FLAGS="--xla_force_host_platform_device_count=4")
  root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
  out = subprocess.run([sys.executable, "-c", _SHARD_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=300)
  assert out.returncode == 0, out.stderr[-3000:]
  assert "SHARDED_OK" in out.stdout


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_bad_inputs_raise_clear_errors(rng):
  u, v = _views(rng, n=4)
  p = pairs_lib.same_scale(jnp.ones(4, bool), intra_view=True)
  with pytest.raises(ValueError, match="temperature"):
    losses.grace_loss(u, v, temperature=0.0)
  with pytest.raises(ValueError, match="same shape"):
    losses.grace_loss(u, v[:3], temperature=TAU)
  with pytest.raises(ValueError, match="where"):
    losses.grace_loss(u, v, temperature=TAU, where=jnp.ones(3, bool))
  with pytest.raises(ValueError, match="chunk_size"):
    losses.grace_loss(u, v, temperature=TAU, chunk_size=0)
  with pytest.raises(ValueError, match="intra_keys"):
    losses.info_nce_rows(u, v, pairs=p, temperature=TAU)
  with pytest.raises(ValueError, match="intra_view=False"):
    losses.info_nce_rows(u, v, pairs=pairs_lib.same_scale(jnp.ones(4, bool)),
                         temperature=TAU, intra_keys=u)
  with pytest.raises(ValueError, match="pairs describe"):
    losses.info_nce(u[:3], v[:3], pairs=p, temperature=TAU)
  with pytest.raises(ValueError, match="tau_plus"):
    losses.debiased_info_nce(u, v, temperature=TAU, tau_plus=1.0)
  with pytest.raises(ValueError, match="beta"):
    losses.hard_info_nce(u, v, temperature=TAU, beta=-1.0)
  with pytest.raises(ValueError, match="float"):
    losses.grace_loss(np.ones((4, 2), np.int32), np.ones((4, 2), np.int32), temperature=TAU)
  with pytest.raises(ValueError, match="positive_weights"):
    losses.info_nce(u, v, pairs=p, temperature=TAU, positive_weights=jnp.ones(3))

"""The one ``where`` rule of jgssl.losses (package docstring), checked for every loss.

For every public loss: it takes ``where``; appending rows with ``where=False`` (holding NaN)
leaves the value / the real rows unchanged; per-row losses are exactly 0 on masked rows; what
masked rows hold changes nothing at all (bit for bit), and they get exactly zero gradient;
``where=None`` means all rows. A loss added to ``jgssl.losses.__all__`` without a case here
fails :func:`test_every_loss_takes_where_and_has_a_case`.
"""

import dataclasses
import inspect
from typing import Callable, List, Optional, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import losses
from jgssl import pairs as pairs_lib

TAU = 0.5
N, D, PAD, G = 7, 4, 3, 3
# Real rows 2 and 5 are masked inside the batch: their rows must be 0 and change nothing.
W_REAL = np.array([True, True, False, True, True, False, True])

# Public names of jgssl.losses that are not losses and take no mask.
NOT_LOSSES = {"l2_normalize", "edge_logits"}


def _ones(a):
  return jnp.ones(a.shape[0], bool)


def _same(a, intra=True):
  return pairs_lib.same_scale(_ones(a), intra_view=intra)


def _views(rng):
  return [rng.normal(size=(N, D)).astype(np.float32), rng.normal(size=(N, D)).astype(np.float32)]


def _pad_rows(arrays: Sequence[np.ndarray], fill: float) -> List[np.ndarray]:
  """Appends PAD rows; float arrays get ``fill``, int arrays label 0 (a real label)."""
  out = []
  for a in arrays:
    f = fill if np.issubdtype(a.dtype, np.floating) else 0
    out.append(np.concatenate([a, np.full((PAD,) + a.shape[1:], f, a.dtype)]))
  return out


def _pad_square(arrays: Sequence[np.ndarray], fill: float) -> List[np.ndarray]:
  """Appends PAD rows and PAD columns of ``fill`` to ``[N, N]`` arrays (GAE's logits and
  target)."""
  out = []
  for a in arrays:
    b = np.full((N + PAD, N + PAD), fill, a.dtype)
    b[:N, :N] = a
    out.append(b)
  return out


def _overwrite(arrays: Sequence[np.ndarray], mask: np.ndarray, value: float, square: bool):
  """Copies with every masked row (and column, for square inputs) of the float arrays set to
  ``value``."""
  out = []
  for a in arrays:
    a = a.copy()
    if np.issubdtype(a.dtype, np.floating):
      a[~mask] = value
      if square:
        a[:, ~mask] = value
    out.append(a)
  return out


@dataclasses.dataclass
class Case:
  fn: Callable            # (arrays, where) -> rows [N], a scalar, or a pytree of arrays
  inputs: Callable        # rng -> list of arrays with N leading rows
  per_row: bool
  trailing_only: bool = False  # padding only after the real rows (mochi's per-row draws)
  square: bool = False         # inputs are [N, N] (rows and columns are the rows)
  grad_args: Optional[Sequence[int]] = None  # inputs to differentiate (default: float ones)


def _scores(rng):
  return [rng.normal(size=N).astype(np.float32), rng.normal(size=N).astype(np.float32)]


def _gae_inputs(rng):
  z = rng.normal(size=(N, 3)).astype(np.float32)
  a = (rng.random((N, N)) > 0.6).astype(np.float32)
  a = np.maximum(a, a.T)
  np.fill_diagonal(a, 1.0)
  return [z @ z.T, a]


def _rows_block(fn):
  """A block-of-rows primitive called on the block of all rows (row_offset 0)."""
  return lambda a, w: fn(a[0], a[1], pairs=_same(a[0]), temperature=TAU, intra_keys=a[0],
                         where=w)


CASES = {
    "masked_mean": Case(lambda a, w: losses.masked_mean(a[0], w),
                        lambda rng: [rng.normal(size=N).astype(np.float32)], per_row=False),
    "bootstrap_cosine_loss": Case(
        lambda a, w: losses.bootstrap_cosine_loss(a[0], a[1], where=w), _views, per_row=True,
        grad_args=[0]),
    "barlow_twins_loss": Case(lambda a, w: losses.barlow_twins_loss(a[0], a[1], where=w),
                              _views, per_row=False),
    "cca_ssg_loss": Case(lambda a, w: losses.cca_ssg_loss(a[0], a[1], where=w), _views,
                         per_row=False),
    "cross_correlation": Case(lambda a, w: losses.cross_correlation(a[0], a[1], where=w),
                              _views, per_row=False),
    "vicreg_loss": Case(lambda a, w: losses.vicreg_loss(a[0], a[1], where=w), _views,
                        per_row=False),
    "vicreg_terms": Case(lambda a, w: losses.vicreg_terms(a[0], a[1], where=w), _views,
                         per_row=False),
    "grace_loss": Case(lambda a, w: losses.grace_loss(a[0], a[1], temperature=TAU, where=w),
                       _views, per_row=True),
    "graphcl_loss": Case(lambda a, w: losses.graphcl_loss(a[0], a[1], where=w), _views,
                         per_row=True),
    "dcl_loss": Case(lambda a, w: losses.dcl_loss(a[0], a[1], temperature=TAU, where=w),
                     _views, per_row=True),
    "dcl_weights": Case(lambda a, w: losses.dcl_weights(a[0], a[1], where=w), _views,
                        per_row=True, grad_args=[]),
    "weighted_dcl_loss": Case(
        lambda a, w: losses.weighted_dcl_loss(a[0], a[1], temperature=TAU, where=w), _views,
        per_row=True),
    "debiased_info_nce": Case(
        lambda a, w: losses.debiased_info_nce(a[0], a[1], temperature=TAU, where=w), _views,
        per_row=True),
    "hard_info_nce": Case(
        lambda a, w: losses.hard_info_nce(a[0], a[1], temperature=TAU, where=w, chunk_size=4),
        _views, per_row=True),
    "info_nce": Case(
        lambda a, w: losses.info_nce(a[0], a[1], pairs=_same(a[0]), temperature=TAU, where=w),
        _views, per_row=True),
    "info_nce_rows": Case(_rows_block(losses.info_nce_rows), _views, per_row=True),
    "debiased_info_nce_rows": Case(_rows_block(losses.debiased_info_nce_rows), _views,
                                   per_row=True),
    "mochi_info_nce": Case(
        lambda a, w: losses.mochi_info_nce(jax.random.key(3), a[0], a[1], temperature=TAU,
                                           num_hard=3, num_mix=4, num_query_mix=2, where=w,
                                           symmetric=True),
        _views, per_row=True, trailing_only=True),
    "jsd_mi_loss": Case(lambda a, w: losses.jsd_mi_loss(a[0], a[1], where=w), _scores,
                        per_row=False),
    "dgi_bce_loss": Case(lambda a, w: losses.dgi_bce_loss(a[0], a[1], where=w), _scores,
                         per_row=False),
    "link_bce_loss": Case(lambda a, w: losses.link_bce_loss(a[0], a[1], where=w), _scores,
                          per_row=False),
    "jsd_mi_pairs_loss": Case(
        lambda a, w: losses.jsd_mi_pairs_loss(
            a[0], pairs=pairs_lib.cross_scale(a[1], node_mask=_ones(a[0]),
                                              graph_mask=jnp.ones(G, bool)), where=w),
        lambda rng: [rng.normal(size=(N, G)).astype(np.float32),
                     np.array([0, 0, 1, 1, 1, 2, 2])], per_row=False, grad_args=[0]),
    "scaled_cosine_error": Case(
        lambda a, w: losses.scaled_cosine_error(a[0], a[1], alpha=2.0, where=w), _views,
        per_row=True),
    "gaussian_kl": Case(lambda a, w: losses.gaussian_kl(a[0], 0.3 * a[1], where=w), _views,
                        per_row=True),
    "vgae_kl_loss": Case(lambda a, w: losses.vgae_kl_loss(a[0], 0.3 * a[1], where=w), _views,
                         per_row=False),
    "gae_dense_loss": Case(lambda a, w: losses.gae_dense_loss(a[0], a[1], where=w), _gae_inputs,
                           per_row=False, square=True, grad_args=[0]),
}

# Extra patterns of the pairing-based losses: ``where`` combined with a pairing's own masks.
EXTRA = {
    "info_nce_label_pairs": Case(
        lambda a, w: losses.info_nce(
            a[0], a[1], pairs=pairs_lib.by_label(a[2], mask=_ones(a[0]), intra_view=True),
            temperature=TAU, where=w, chunk_size=3),
        lambda rng: _views(rng) + [np.array([0, 1, 0, 2, 1, 0, 2])], per_row=True,
        grad_args=[0, 1]),
    "info_nce_one_direction_decoupled": Case(
        lambda a, w: losses.info_nce(a[0], a[1], pairs=_same(a[0], intra=False),
                                     temperature=TAU, symmetric=False,
                                     positive_in_denominator=False, where=w),
        _views, per_row=True),
    "info_nce_chunked": Case(
        lambda a, w: losses.info_nce(a[0], a[1], pairs=_same(a[0]), temperature=TAU,
                                     chunk_size=4, key_chunk_size=3, where=w),
        _views, per_row=True),
    "hard_info_nce_with_pairs": Case(
        lambda a, w: losses.hard_info_nce(a[0], a[1], temperature=TAU, pairs=_same(a[0]),
                                          where=w),
        _views, per_row=True),
    "jsd_mi_pairs_loss_corrupted": Case(
        lambda a, w: losses.jsd_mi_pairs_loss(
            a[0], pairs=pairs_lib.cross_scale(a[1], node_mask=_ones(a[0]),
                                              graph_mask=jnp.ones(G, bool),
                                              other_graph_negatives=False),
            corrupted_scores=a[2], where=w),
        lambda rng: [rng.normal(size=(N, G)).astype(np.float32), np.array([0, 0, 1, 1, 1, 2, 2]),
                     rng.normal(size=N).astype(np.float32)], per_row=False, grad_args=[0, 2]),
    "jsd_mi_loss_2d_scores": Case(
        lambda a, w: losses.jsd_mi_loss(a[0], a[1], where=w, neg_where=a[1] > -1.0),
        lambda rng: [rng.normal(size=(N, 2)).astype(np.float32),
                     rng.normal(size=(N, 3)).astype(np.float32)], per_row=False),
}

ALL = {**CASES, **EXTRA}


def _grad_args(case, arrays):
  if case.grad_args is not None:
    return list(case.grad_args)
  return [i for i, a in enumerate(arrays) if np.issubdtype(a.dtype, np.floating)]


def _evaluate(case, arrays, where):
  """(output, gradients of the reduced loss wrt the grad args), jitted."""
  idx = _grad_args(case, arrays)

  def reduced(diff, rest):
    full = list(rest)
    for i, x in zip(idx, diff):
      full[i] = x
    out = case.fn(full, where)
    if case.per_row:
      return losses.masked_mean(out, where), out
    leaves = jax.tree_util.tree_leaves(out)
    return sum(jnp.sum(x) for x in leaves), out

  arrays = [jnp.asarray(a) for a in arrays]
  diff = [arrays[i] for i in idx]
  (_, out), grads = jax.jit(jax.value_and_grad(reduced, has_aux=True))(diff, arrays)
  return out, dict(zip(idx, grads))


def _leaves(out):
  return [np.asarray(x) for x in jax.tree_util.tree_leaves(out)]


def _assert_masked_grads_zero(case, grads, mask):
  for g in grads.values():
    g = np.asarray(g)
    assert np.all(np.isfinite(g)), "non-finite gradient"
    assert np.all(g[~mask] == 0.0), "rows outside where received gradient"
    if case.square:
      assert np.all(g[:, ~mask] == 0.0), "columns outside where received gradient"


@pytest.mark.parametrize("name", sorted(ALL))
def test_padding_rows_change_nothing(rng, name):
  """Appending NaN rows with where=False leaves the value / real rows (and their gradients)."""
  case = ALL[name]
  real = case.inputs(rng)
  w_real = jnp.asarray(W_REAL)
  pad = _pad_square if case.square else _pad_rows
  padded = pad(real, np.nan)
  w_pad = jnp.asarray(np.concatenate([W_REAL, np.zeros(PAD, bool)]))
  out_real, g_real = _evaluate(case, real, w_real)
  out_pad, g_pad = _evaluate(case, padded, w_pad)
  if case.per_row:
    rows_real, rows_pad = np.asarray(out_real), np.asarray(out_pad)
    assert rows_pad.shape == (N + PAD,)
    np.testing.assert_allclose(rows_pad[:N], rows_real, rtol=1e-5, atol=1e-5)
    assert np.all(rows_pad[N:] == 0.0), "padding rows are not exactly 0"
    assert np.all(rows_real[~W_REAL] == 0.0), "rows outside where are not exactly 0"
    assert np.all(np.isfinite(rows_real))
  else:
    for a, b in zip(_leaves(out_pad), _leaves(out_real)):
      assert np.all(np.isfinite(b))
      np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
  _assert_masked_grads_zero(case, g_pad, np.asarray(w_pad))
  _assert_masked_grads_zero(case, g_real, W_REAL)
  for i, g in g_real.items():
    gp = np.asarray(g_pad[i])
    gp = gp[:N, :N] if case.square else gp[:N]
    np.testing.assert_allclose(gp, np.asarray(g), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(ALL))
def test_masked_rows_are_ignored_bit_for_bit(rng, name):
  """Whatever rows outside where hold (NaN, inf, huge), the output is bit-for-bit the same."""
  case = ALL[name]
  arrays = case.inputs(rng)
  where = jnp.asarray(W_REAL)
  base = _leaves(jax.jit(case.fn)([jnp.asarray(a) for a in arrays], where))
  for value in (np.nan, np.inf, -1e30, 0.0):
    other = _overwrite(arrays, W_REAL, value, case.square)
    got = _leaves(jax.jit(case.fn)([jnp.asarray(a) for a in other], where))
    for a, b in zip(got, base):
      np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(ALL))
def test_where_none_means_all_rows(rng, name):
  case = ALL[name]
  arrays = [jnp.asarray(a) for a in case.inputs(rng)]
  none = _leaves(jax.jit(lambda a: case.fn(a, None))(arrays))
  ones = _leaves(jax.jit(lambda a: case.fn(a, jnp.ones(N, bool)))(arrays))
  for a, b in zip(none, ones):
    np.testing.assert_array_equal(a, b)


def test_every_loss_takes_where_and_has_a_case():
  for name in losses.__all__:
    if name in NOT_LOSSES:
      continue
    params = inspect.signature(getattr(losses, name)).parameters
    assert "where" in params, f"jgssl.losses.{name} takes no where="
    assert params["where"].default is None, f"{name}: where must default to None (all rows)"
    assert params["where"].kind in (inspect.Parameter.KEYWORD_ONLY,
                                    inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert name in CASES, f"jgssl.losses.{name} has no case in test_loss_where.CASES"
  assert set(CASES) <= set(losses.__all__)


# ---------------------------------------------------------------------------------------------
# where combined with a pairing
# ---------------------------------------------------------------------------------------------


def test_info_nce_where_equals_the_restricted_pairing(rng):
  """where=w over same_scale(m) is same_scale(m & w): removed as anchors and as keys."""
  u, v = _views(rng)
  m = jnp.asarray(np.array([True, False, True, True, True, True, False]))
  w = jnp.asarray(W_REAL)
  for intra, sym, chunk in ((True, True, None), (False, False, None), (True, True, 3)):
    got = losses.info_nce(u, v, pairs=pairs_lib.same_scale(m, intra_view=intra),
                          temperature=TAU, symmetric=sym, chunk_size=chunk, where=w)
    want = losses.info_nce(u, v, pairs=pairs_lib.same_scale(m & w, intra_view=intra),
                           temperature=TAU, symmetric=sym, chunk_size=chunk)
    np.testing.assert_array_equal(got, want)
  # hard / debiased with an explicit pairing: where is no longer ignored.
  got = losses.hard_info_nce(u, v, temperature=TAU, pairs=pairs_lib.same_scale(m, intra_view=True),
                             where=w)
  want = losses.hard_info_nce(u, v, temperature=TAU, where=m & w)
  np.testing.assert_allclose(got, want, atol=1e-6)


def test_info_nce_rows_blocks_with_where_reassemble_info_nce(rng):
  u, v = _views(rng)
  w = jnp.asarray(W_REAL)
  p = _same(u)
  full = losses.info_nce(u, v, pairs=p, temperature=TAU, symmetric=False, where=w)
  blocks = [losses.info_nce_rows(u[s:s + 3], v, pairs=p, temperature=TAU, row_offset=s,
                                 intra_keys=u, where=w) for s in (0, 3, 6)]
  np.testing.assert_allclose(np.concatenate(blocks), full, atol=1e-5)


def test_cross_scale_where_masks_node_anchors_only(rng):
  seg = np.array([0, 0, 1, 1, 1, 2, 2])
  h = rng.normal(size=(N, D)).astype(np.float32)
  s = rng.normal(size=(G, D)).astype(np.float32)
  w = jnp.asarray(W_REAL)
  ones = jnp.ones(N, bool)
  p = pairs_lib.cross_scale(seg, node_mask=ones, graph_mask=jnp.ones(G, bool))
  p_masked = pairs_lib.cross_scale(seg, node_mask=w, graph_mask=jnp.ones(G, bool))
  np.testing.assert_array_equal(
      losses.info_nce(h, s, pairs=p, temperature=TAU, symmetric=False, where=w),
      losses.info_nce(h, s, pairs=p_masked, temperature=TAU, symmetric=False))
  scores = h @ s.T
  np.testing.assert_array_equal(losses.jsd_mi_pairs_loss(scores, pairs=p, where=w),
                                losses.jsd_mi_pairs_loss(scores, pairs=p_masked))


def test_where_errors(rng):
  u, v = _views(rng)
  p = _same(u)
  with pytest.raises(ValueError, match="where"):
    losses.info_nce(u, v, pairs=p, temperature=TAU, where=jnp.ones(N - 1, bool))
  with pytest.raises(ValueError, match="bool"):
    losses.info_nce(u, v, pairs=p, temperature=TAU, where=jnp.ones(N))
  # A label pairing with other keys than rows: where cannot mean "row i of both views".
  lab = pairs_lib.by_label(jnp.arange(N) % 2, jnp.arange(3) % 2, mask=jnp.ones(N, bool),
                           key_mask=jnp.ones(3, bool))
  with pytest.raises(ValueError, match="anchor_mask / key_mask"):
    losses.info_nce(u, v[:3], pairs=lab, temperature=TAU, symmetric=False,
                    where=jnp.ones(N, bool))
  with pytest.raises(ValueError, match="leading|shape"):
    losses.jsd_mi_loss(np.zeros(N, np.float32), np.zeros(N + 1, np.float32),
                       where=jnp.ones(N, bool))
  with pytest.raises(ValueError, match="scalar"):
    losses.dgi_bce_loss(np.float32(0.0), np.zeros(N, np.float32), where=jnp.ones(N, bool))
  with pytest.raises(ValueError, match="where"):
    losses.link_bce_loss(np.zeros(N, np.float32), np.zeros(N, np.float32),
                         where=jnp.ones(N, np.int32))

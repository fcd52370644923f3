"""Shared checks for the jgssl.losses tests: padding invariance and monotone direction."""

import jax
import jax.numpy as jnp
import numpy as np

from jgssl.losses import masked_mean


def scatter_rows(real, positions, total, fill):
  """A ``[total, ...]`` array with ``real`` at ``positions`` and ``fill`` (garbage) elsewhere."""
  out = np.full((total,) + real.shape[1:], fill, dtype=real.dtype)
  out[positions] = real
  return out


def padded_positions(n_real, total, rng, trailing_only=False):
  """Sorted positions of the real rows among ``total`` rows (gaps inside unless trailing)."""
  if trailing_only:
    return np.arange(n_real)
  return np.sort(rng.choice(total, size=n_real, replace=False))


def check_masked_equals_sliced(fn, real_arrays, *, per_row, rng, total=None, fill=np.nan,
                               trailing_only=False, atol=1e-5, rtol=1e-5):
  """``fn(*arrays, where)`` on a padded batch equals ``fn`` on the real rows alone.

  Padding rows hold ``fill`` (NaN by default). Checks the values (per row or scalar), that
  padding rows get exactly 0 loss and exactly 0, finite gradient, and that the gradients of the
  real rows equal those of the sliced problem.
  """
  n = real_arrays[0].shape[0]
  total = total or n + 5
  pos = padded_positions(n, total, rng, trailing_only)
  mask = np.zeros(total, bool)
  mask[pos] = True
  padded = [scatter_rows(np.asarray(a), pos, total, fill) for a in real_arrays]

  def value_and_grad(arrays, where):
    def f(a):
      out = fn(*a, where)
      return (masked_mean(out, where) if per_row else out), out
    return jax.jit(jax.value_and_grad(f, has_aux=True))([jnp.asarray(a) for a in arrays])

  (v_real, out_real), g_real = value_and_grad(real_arrays, jnp.ones(n, bool))
  (v_pad, out_pad), g_pad = value_and_grad(padded, jnp.asarray(mask))
  np.testing.assert_allclose(float(v_pad), float(v_real), atol=atol, rtol=rtol)
  if per_row:
    rows_pad, rows_real = np.asarray(out_pad), np.asarray(out_real)
    assert rows_pad.shape == (total,)
    np.testing.assert_allclose(rows_pad[pos], rows_real, atol=atol, rtol=rtol)
    assert np.all(rows_pad[~mask] == 0.0)
  for gp, gr in zip(g_pad, g_real):
    gp, gr = np.asarray(gp), np.asarray(gr)
    assert np.all(np.isfinite(gp)), "non-finite gradient with padding"
    assert np.all(gp[~mask] == 0.0), "padding rows received gradient"
    # masked_mean over `total` rows with `n` present equals the sliced mean: same gradients.
    np.testing.assert_allclose(gp[pos], gr, atol=atol, rtol=rtol)
  return float(v_real)


def assert_monotone_decrease(values, *, strict=True):
  values = np.asarray(values, np.float64)
  diffs = np.diff(values)
  if strict:
    assert np.all(diffs < 0), f"loss does not fall monotonically: {values}"
  else:
    assert np.all(diffs <= 1e-7), f"loss rises: {values}"


def interpolation_losses(loss_fn, u, v, ts=np.linspace(0.0, 1.0, 6)):
  """Scalar losses as view 2 moves towards view 1: ``v_t = (1 − t) v + t u``."""
  f = jax.jit(loss_fn)
  return [float(f(u, (1 - t) * v + t * u)) for t in ts]


# ---------------------------------------------------------------------------------------------
# Explicit numpy references (loops, no vectorisation tricks)
# ---------------------------------------------------------------------------------------------


def normalize_np(x):
  return x / np.linalg.norm(x, axis=1, keepdims=True)


def grace_np(u, v, tau):
  u, v = normalize_np(u.astype(np.float64)), normalize_np(v.astype(np.float64))

  def one(a, b):
    out = []
    for i in range(len(a)):
      pos = np.exp(a[i] @ b[i] / tau)
      den = sum(np.exp(a[i] @ b[k] / tau) for k in range(len(a)))
      den += sum(np.exp(a[i] @ a[k] / tau) for k in range(len(a)) if k != i)
      out.append(-np.log(pos / den))
    return np.array(out)

  return 0.5 * (one(u, v) + one(v, u))


def graphcl_np(u, v, tau):
  u, v = normalize_np(u.astype(np.float64)), normalize_np(v.astype(np.float64))
  out = []
  for i in range(len(u)):
    s = np.array([u[i] @ v[j] / tau for j in range(len(v))])
    out.append(-np.log(np.exp(s[i]) / (np.exp(s).sum() - np.exp(s[i]))))
  return np.array(out)


def dcl_np(u, v, tau, weights=None):
  u, v = normalize_np(u.astype(np.float64)), normalize_np(v.astype(np.float64))
  n = len(u)
  w = np.ones(n) if weights is None else weights

  def one(a, b):
    out = []
    for i in range(n):
      negs = [a[i] @ a[j] / tau for j in range(n) if j != i]
      negs += [a[i] @ b[j] / tau for j in range(n) if j != i]
      out.append(-w[i] * (a[i] @ b[i]) / tau + np.log(np.sum(np.exp(negs))))
    return np.array(out)

  return 0.5 * (one(u, v) + one(v, u))


def dclw_weights_np(u, v, sigma):
  u, v = normalize_np(u.astype(np.float64)), normalize_np(v.astype(np.float64))
  x = np.array([u[i] @ v[i] / sigma for i in range(len(u))])
  soft = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
  return 2.0 - len(u) * soft


def hcl_np(u, v, tau, tau_plus, beta, debias=True):
  """Robinson et al.'s official SimCLR loss (debiased when beta = 0), per 2N anchors."""
  u, v = normalize_np(u.astype(np.float64)), normalize_np(v.astype(np.float64))
  n = len(u)
  out = np.concatenate([u, v])
  losses = []
  for i in range(2 * n):
    partner = i + n if i < n else i - n
    pos = np.exp(out[i] @ out[partner] / tau)
    neg = np.array([np.exp(out[i] @ out[j] / tau) for j in range(2 * n)
                    if j != i and j != partner])
    m = 2 * n - 2
    if debias:
      imp = np.exp(beta * np.log(neg))
      reweight = (imp * neg).sum() / imp.mean()
      ng = (-tau_plus * m * pos + reweight) / (1 - tau_plus)
      ng = max(ng, m * np.exp(-1 / tau))
    else:
      ng = neg.sum()
    losses.append(-np.log(pos / (pos + ng)))
  losses = np.array(losses)
  return 0.5 * (losses[:n] + losses[n:])  # per row: mean of its two anchors


def supcon_out_np(u, v, labels, tau, intra_view):
  """SupCon L_out, anchors u, keys v (+ u's other rows when intra_view)."""
  u, v = normalize_np(u.astype(np.float64)), normalize_np(v.astype(np.float64))
  n = len(u)
  out = []
  for i in range(n):
    cands = [(u[i] @ v[j] / tau, labels[i] == labels[j]) for j in range(n)]
    if intra_view:
      cands += [(u[i] @ u[j] / tau, labels[i] == labels[j]) for j in range(n) if j != i]
    s = np.array([c[0] for c in cands])
    p = np.array([c[1] for c in cands])
    out.append(-s[p].mean() + np.log(np.exp(s).sum()))
  return np.array(out)

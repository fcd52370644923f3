"""Barlow Twins (G-BT), VICReg and CCA-SSG against explicit numpy formulas."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import loss_testing as lt
from jgssl import losses


def _views(rng, n=40, d=4):
  z1 = rng.normal(size=(n, d)).astype(np.float32)
  return z1, (0.5 * z1 + rng.normal(size=(n, d))).astype(np.float32)


def gbt_np(za, zb, eps=1e-15, lambd=None):
  """pbielak/graph-barlow-twins gssl/loss.py in numpy (torch.std is unbiased)."""
  n, d = za.shape
  lambd = 1 / d if lambd is None else lambd
  an = (za - za.mean(0)) / (za.std(0, ddof=1) + eps)
  bn = (zb - zb.mean(0)) / (zb.std(0, ddof=1) + eps)
  c = an.T @ bn / n
  off = ~np.eye(d, dtype=bool)
  return ((1 - np.diag(c)) ** 2).sum() + lambd * (c[off] ** 2).sum()


def vicreg_np(x, y, sim=25.0, std=25.0, cov=1.0):
  """facebookresearch/vicreg main_vicreg.py VICReg.forward in numpy."""
  n, d = x.shape
  repr_loss = np.mean((x - y) ** 2)
  x, y = x - x.mean(0), y - y.mean(0)
  std_x, std_y = np.sqrt(x.var(0, ddof=1) + 1e-4), np.sqrt(y.var(0, ddof=1) + 1e-4)
  std_loss = np.mean(np.maximum(0, 1 - std_x)) / 2 + np.mean(np.maximum(0, 1 - std_y)) / 2
  cov_x, cov_y = x.T @ x / (n - 1), y.T @ y / (n - 1)
  off = ~np.eye(d, dtype=bool)
  cov_loss = (cov_x[off] ** 2).sum() / d + (cov_y[off] ** 2).sum() / d
  return sim * repr_loss + std * std_loss + cov * cov_loss


def cca_np(h1, h2, lambd):
  """hengruizhang98/CCA-SSG model loss in numpy."""
  n, d = h1.shape
  z1 = (h1 - h1.mean(0)) / h1.std(0, ddof=1)
  z2 = (h2 - h2.mean(0)) / h2.std(0, ddof=1)
  c, c1, c2 = z1.T @ z2 / n, z1.T @ z1 / n, z2.T @ z2 / n
  eye = np.eye(d)
  return -np.trace(c) + lambd * (((eye - c1) ** 2).sum() + ((eye - c2) ** 2).sum())


def test_against_numpy_formulas(rng):
  z1, z2 = _views(rng)
  a, b = z1.astype(np.float64), z2.astype(np.float64)
  np.testing.assert_allclose(losses.barlow_twins_loss(z1, z2), gbt_np(a, b), rtol=1e-4)
  np.testing.assert_allclose(losses.barlow_twins_loss(z1, z2, lambd=0.3),
                             gbt_np(a, b, lambd=0.3), rtol=1e-4)
  np.testing.assert_allclose(losses.vicreg_loss(z1, z2), vicreg_np(a, b), rtol=1e-4)
  np.testing.assert_allclose(losses.vicreg_loss(z1, z2, sim_weight=1.0, var_weight=2.0,
                                                cov_weight=3.0),
                             vicreg_np(a, b, 1.0, 2.0, 3.0), rtol=1e-4)
  np.testing.assert_allclose(losses.cca_ssg_loss(z1, z2, lambd=1e-3), cca_np(a, b, 1e-3),
                             rtol=1e-4)
  np.testing.assert_allclose(losses.cca_ssg_loss(z1, z2, lambd=0.5), cca_np(a, b, 0.5),
                             rtol=1e-4)


def test_hand_values_for_identical_views():
  # Two columns, n = 4, perfectly correlated and uncorrelated with each other.
  z = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]], np.float32)
  # Standardised with the unbiased std: C = (n − 1)/n · I = 0.75 I.
  np.testing.assert_allclose(losses.cross_correlation(z, z), 0.75 * np.eye(2), atol=1e-6)
  np.testing.assert_allclose(losses.barlow_twins_loss(z, z), 2 * 0.25 ** 2, atol=1e-6)
  np.testing.assert_allclose(losses.cca_ssg_loss(z, z, lambd=1.0), -1.5 + 2 * 2 * 0.25 ** 2,
                             atol=1e-6)
  t = losses.vicreg_terms(z, z)
  np.testing.assert_allclose(t["invariance"], 0.0, atol=1e-7)
  # Var = 4/3 per column, std > 1: no variance penalty; covariances are 0.
  np.testing.assert_allclose(t["variance"], 0.0, atol=1e-7)
  np.testing.assert_allclose(t["covariance"], 0.0, atol=1e-7)


_LOSSES = {
    "barlow": lambda a, b, w: losses.barlow_twins_loss(a, b, where=w),
    "vicreg": lambda a, b, w: losses.vicreg_loss(a, b, where=w),
    "cca": lambda a, b, w: losses.cca_ssg_loss(a, b, lambd=1e-3, where=w),
}


@pytest.mark.parametrize("name", sorted(_LOSSES))
def test_masked_equals_sliced(rng, name):
  z1, z2 = _views(rng, n=12)
  lt.check_masked_equals_sliced(_LOSSES[name], [z1, z2], per_row=False, rng=rng, atol=1e-4,
                                rtol=1e-4)


@pytest.mark.parametrize("name", sorted(_LOSSES))
def test_loss_falls_as_views_align(rng, name):
  z1 = rng.normal(size=(64, 4)).astype(np.float32)
  z2 = rng.normal(size=(64, 4)).astype(np.float32)
  fn = lambda a, b: _LOSSES[name](a, b, None)
  lt.assert_monotone_decrease(lt.interpolation_losses(fn, z1, z2))


def test_constant_column_gives_finite_gradients(rng):
  z1, z2 = _views(rng, n=10)
  z1[:, 2] = 3.0  # a dead feature
  for name, fn in _LOSSES.items():
    g = jax.grad(lambda a: fn(a, z2, None))(jnp.asarray(z1))
    assert np.all(np.isfinite(g)), name


def test_errors(rng):
  z1, z2 = _views(rng, n=6)
  with pytest.raises(ValueError, match="same shape"):
    losses.barlow_twins_loss(z1, z2[:, :3])
  with pytest.raises(ValueError, match="lambd"):
    losses.barlow_twins_loss(z1, z2, lambd=-1.0)
  with pytest.raises(ValueError, match="where"):
    losses.vicreg_loss(z1, z2, where=np.ones(6))

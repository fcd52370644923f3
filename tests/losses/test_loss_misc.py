"""masked_mean, JSD / DGI, bootstrap, reconstruction losses: values, padding, direction."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import loss_testing as lt
from jgssl import losses
from jgssl import pairs as pairs_lib

LOG2 = math.log(2.0)


def softplus_np(x):
  return np.logaddexp(0.0, x)


# ---------------------------------------------------------------------------------------------
# masked_mean, l2_normalize
# ---------------------------------------------------------------------------------------------


def test_masked_mean_by_hand_and_ignores_nan():
  values = jnp.array([1.0, jnp.nan, 3.0, jnp.inf])
  where = jnp.array([True, False, True, False])
  assert float(losses.masked_mean(values, where)) == 2.0
  assert float(losses.masked_mean(jnp.array([1.0, 2.0]))) == 1.5
  assert float(losses.masked_mean(values, jnp.zeros(4, bool))) == 0.0   # empty selection
  rows = jnp.array([[1.0, 2.0], [jnp.nan, 0.0], [3.0, 4.0]])
  assert float(losses.masked_mean(rows, jnp.array([True, False, True]))) == 2.5
  g = jax.grad(lambda x: losses.masked_mean(x, where))(values)
  np.testing.assert_array_equal(g, [0.5, 0.0, 0.5, 0.0])


def test_masked_mean_errors():
  with pytest.raises(ValueError, match="bool"):
    losses.masked_mean(jnp.ones(3), jnp.ones(3))
  with pytest.raises(ValueError, match="leading"):
    losses.masked_mean(jnp.ones(3), jnp.ones(4, bool))


def test_l2_normalize_zero_rows_have_finite_zero_gradient():
  x = jnp.array([[3.0, 4.0], [0.0, 0.0]])
  np.testing.assert_allclose(losses.l2_normalize(x), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
  g = jax.jacobian(lambda a: losses.l2_normalize(a)[1])(x)
  assert np.all(np.isfinite(g))


# ---------------------------------------------------------------------------------------------
# JSD and DGI
# ---------------------------------------------------------------------------------------------


def test_jsd_by_hand():
  pos, neg = np.array([0.0, 2.0]), np.array([-1.0, 0.5, 1.0])
  want = softplus_np(-pos).mean() + softplus_np(neg).mean() - 2 * LOG2
  np.testing.assert_allclose(losses.jsd_mi_loss(pos, neg), want, rtol=1e-6)
  # All scores 0: each term is log 2, the loss 0 (no information).
  np.testing.assert_allclose(losses.jsd_mi_loss(np.zeros(3), np.zeros(3)), 0.0, atol=1e-7)


def test_jsd_pairs_matches_infograph_loops(rng):
  seg = np.array([0, 0, 1, 1, 1, 2])
  scores = rng.normal(size=(6, 3)).astype(np.float32)
  p = pairs_lib.cross_scale(seg, node_mask=jnp.ones(6, bool), graph_mask=jnp.ones(3, bool))
  e_pos = np.mean([LOG2 - softplus_np(-scores[i, seg[i]]) for i in range(6)])
  e_neg = np.mean([softplus_np(-scores[i, g]) + scores[i, g] - LOG2
                   for i in range(6) for g in range(3) if g != seg[i]])
  np.testing.assert_allclose(losses.jsd_mi_pairs_loss(scores, pairs=p), e_neg - e_pos,
                             rtol=1e-5)
  # Corrupted view (DGI-style): own-graph scores of corrupted nodes join the negatives.
  p_dgi = pairs_lib.cross_scale(seg, node_mask=jnp.ones(6, bool), graph_mask=jnp.ones(3, bool),
                                other_graph_negatives=False)
  corrupted = rng.normal(size=6).astype(np.float32)
  want = (np.mean(softplus_np(-scores[np.arange(6), seg]))
          + np.mean(softplus_np(corrupted)) - 2 * LOG2)
  np.testing.assert_allclose(losses.jsd_mi_pairs_loss(scores, pairs=p_dgi,
                                                       corrupted_scores=corrupted), want,
                             rtol=1e-5)
  full = np.zeros((6, 3), np.float32)
  full[np.arange(6), seg] = corrupted
  np.testing.assert_allclose(losses.jsd_mi_pairs_loss(scores, pairs=p_dgi,
                                                       corrupted_scores=full), want, rtol=1e-5)


def test_jsd_pairs_padding_changes_nothing(rng):
  seg = np.array([0, 0, 1, 1, 2, 2, 2])
  node_mask = np.array([True, True, True, False, True, False, False])
  graph_mask = np.array([True, True, True, False])
  scores = rng.normal(size=(7, 4)).astype(np.float32)
  p = pairs_lib.cross_scale(seg, node_mask=node_mask, graph_mask=graph_mask)
  real = np.array([0, 1, 2, 4])
  p_real = pairs_lib.cross_scale(seg[real], node_mask=jnp.ones(4, bool),
                                 graph_mask=jnp.ones(3, bool))
  garbage = scores.copy()
  garbage[~node_mask] = np.nan
  garbage[:, 3] = np.nan
  np.testing.assert_allclose(losses.jsd_mi_pairs_loss(garbage, pairs=p),
                             losses.jsd_mi_pairs_loss(scores[real][:, :3], pairs=p_real),
                             rtol=1e-5)
  g = jax.grad(lambda s: losses.jsd_mi_pairs_loss(s, pairs=p))(jnp.asarray(garbage))
  assert np.all(np.isfinite(g)) and np.all(np.asarray(g)[~node_mask] == 0)


def test_dgi_bce_matches_binary_cross_entropy():
  pos, neg = np.array([1.0, -0.5, 2.0]), np.array([0.3, -2.0, 0.0])
  logits = np.concatenate([pos, neg])
  labels = np.array([1, 1, 1, 0, 0, 0])
  p = 1 / (1 + np.exp(-logits))
  want = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
  np.testing.assert_allclose(losses.dgi_bce_loss(pos, neg), want, rtol=1e-6)
  np.testing.assert_allclose(losses.dgi_bce_loss(pos, neg),
                             0.5 * (losses.jsd_mi_loss(pos, neg) + 2 * LOG2), rtol=1e-6)


@pytest.mark.parametrize("name", ["jsd", "dgi", "link"])
def test_score_losses_masked_equal_sliced(rng, name):
  fn = {"jsd": losses.jsd_mi_loss, "dgi": losses.dgi_bce_loss, "link": losses.link_bce_loss}[name]
  pos, neg = rng.normal(size=5).astype(np.float32), rng.normal(size=7).astype(np.float32)
  want = fn(pos, neg)
  pos_pad = np.concatenate([pos, [np.nan, 1e30]]).astype(np.float32)
  neg_pad = np.concatenate([[np.inf], neg]).astype(np.float32)
  pw, nw = np.arange(7) < 5, np.arange(8) > 0
  got = fn(pos_pad, neg_pad, pos_where=pw, neg_where=nw)
  np.testing.assert_allclose(got, want, rtol=1e-6)
  g = jax.grad(lambda a, b: fn(a, b, pos_where=pw, neg_where=nw), argnums=(0, 1))(
      jnp.asarray(pos_pad), jnp.asarray(neg_pad))
  assert all(np.all(np.isfinite(x)) for x in g)
  assert np.all(np.asarray(g[0])[~pw] == 0) and np.all(np.asarray(g[1])[~nw] == 0)


@pytest.mark.parametrize("name", ["jsd", "dgi", "link"])
def test_score_losses_fall_as_discrimination_improves(rng, name):
  fn = {"jsd": losses.jsd_mi_loss, "dgi": losses.dgi_bce_loss, "link": losses.link_bce_loss}[name]
  base_pos, base_neg = rng.normal(size=6), rng.normal(size=6)
  vals = [float(fn(base_pos + t, base_neg - t)) for t in np.linspace(0, 3, 6)]
  lt.assert_monotone_decrease(vals)


# ---------------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------------


def test_bootstrap_values_and_sign():
  p = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], np.float32)
  z = np.array([[2.0, 0.0], [0.0, 3.0], [-1.0, 0.0]], np.float32)
  np.testing.assert_allclose(losses.bootstrap_cosine_loss(p, z), [0.0, 2.0, 4.0], atol=1e-6)


def test_bootstrap_target_gets_no_gradient(rng):
  p, z = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
  gz = jax.grad(lambda b: jnp.sum(losses.bootstrap_cosine_loss(p, b)))(z)
  assert np.all(np.asarray(gz) == 0)


def test_bootstrap_masked_equals_sliced_and_direction(rng):
  p, z = rng.normal(size=(6, 4)).astype(np.float32), rng.normal(size=(6, 4)).astype(np.float32)
  lt.check_masked_equals_sliced(lambda a, b, w: losses.bootstrap_cosine_loss(a, b, where=w),
                                [p, z], per_row=True, rng=rng)
  # Prediction moves towards the target: the loss falls (PyGCL's sign would make it rise).
  fn = lambda target, pred: jnp.mean(losses.bootstrap_cosine_loss(pred, target))
  lt.assert_monotone_decrease(lt.interpolation_losses(fn, z, p))


# ---------------------------------------------------------------------------------------------
# Reconstruction: SCE, link BCE, dense GAE, VGAE KL
# ---------------------------------------------------------------------------------------------


def test_scaled_cosine_error_by_hand():
  x = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0]], np.float32)
  y = np.array([[0.0, 2.0], [-1.0, 0.0], [1.0, 1.0]], np.float32)
  np.testing.assert_allclose(losses.scaled_cosine_error(x, y, alpha=3.0), [1.0, 8.0, 0.0],
                             atol=1e-6)
  np.testing.assert_allclose(losses.scaled_cosine_error(x, y, alpha=1.0), [1.0, 2.0, 0.0],
                             atol=1e-6)
  with pytest.raises(ValueError, match="alpha"):
    losses.scaled_cosine_error(x, y, alpha=0.5)


def test_scaled_cosine_error_masked_and_direction(rng):
  x, y = rng.normal(size=(6, 5)).astype(np.float32), rng.normal(size=(6, 5)).astype(np.float32)
  lt.check_masked_equals_sliced(
      lambda a, b, w: losses.scaled_cosine_error(a, b, alpha=2.0, where=w), [x, y],
      per_row=True, rng=rng)
  fn = lambda target, pred: jnp.mean(losses.scaled_cosine_error(pred, target, alpha=2.0))
  lt.assert_monotone_decrease(lt.interpolation_losses(fn, y, x))


def test_link_bce_and_edge_logits(rng):
  z = rng.normal(size=(5, 3)).astype(np.float32)
  s, r = np.array([0, 1, 2]), np.array([1, 2, 4])
  logits = np.asarray(losses.edge_logits(z, s, r))
  np.testing.assert_allclose(logits, [z[0] @ z[1], z[1] @ z[2], z[2] @ z[4]], rtol=1e-5)
  pos, neg = logits, np.array([0.5, -1.0])
  want = (-np.mean(np.log(1 / (1 + np.exp(-pos))))
          - np.mean(np.log(1 - 1 / (1 + np.exp(-neg)))))
  np.testing.assert_allclose(losses.link_bce_loss(pos, neg), want, rtol=1e-5)


def _gae_official(logits, adj_label):
  """tkipf/gae OptimizerAE, dense numpy."""
  n = adj_label.shape[0]
  num_pos = adj_label.sum()
  pos_weight = (n * n - num_pos) / num_pos
  norm = n * n / float((n * n - num_pos) * 2)
  t = adj_label
  ce = pos_weight * t * softplus_np(-logits) + (1 - t) * softplus_np(logits)
  return norm * ce.mean()


def test_gae_dense_matches_official_and_padding(rng):
  n = 5
  a = (rng.random((n, n)) > 0.6).astype(np.float32)
  a = np.maximum(a, a.T)
  np.fill_diagonal(a, 1.0)
  z = rng.normal(size=(n, 3)).astype(np.float32)
  logits = z @ z.T
  np.testing.assert_allclose(losses.gae_dense_loss(logits, a), _gae_official(logits, a),
                             rtol=1e-5)
  # Two padding nodes with garbage: same value.
  pos = np.array([0, 1, 3, 4, 6])
  lp = np.full((7, 7), np.nan, np.float32)
  ap = np.ones((7, 7), np.float32)
  lp[np.ix_(pos, pos)], ap[np.ix_(pos, pos)] = logits, a
  w = np.zeros(7, bool)
  w[pos] = True
  np.testing.assert_allclose(losses.gae_dense_loss(lp, ap, where=w), _gae_official(logits, a),
                             rtol=1e-5)
  g = jax.grad(lambda x: losses.gae_dense_loss(x, ap, where=w))(jnp.asarray(lp))
  assert np.all(np.isfinite(g))
  # Direction: logits moving towards the sign of the target lower the loss.
  vals = [float(losses.gae_dense_loss(t * (2 * a - 1), a)) for t in np.linspace(0, 4, 6)]
  lt.assert_monotone_decrease(vals)


def test_vgae_kl_matches_official_normalisation(rng):
  mu = rng.normal(size=(4, 3)).astype(np.float32)
  log_std = (0.3 * rng.normal(size=(4, 3))).astype(np.float32)
  n = 4
  kl_official = (0.5 / n) * np.mean(np.sum(1 + 2 * log_std - mu ** 2 - np.exp(log_std) ** 2, 1))
  np.testing.assert_allclose(losses.vgae_kl_loss(mu, log_std), -kl_official, rtol=1e-5)
  rows = np.asarray(losses.gaussian_kl(mu, log_std))
  assert np.all(rows >= 0)
  np.testing.assert_allclose(losses.gaussian_kl(np.zeros((2, 3)), np.zeros((2, 3))), [0, 0])
  lt.check_masked_equals_sliced(lambda m, s, w: losses.gaussian_kl(m, s, where=w),
                                [mu, log_std], per_row=True, rng=rng)
  # Padding also leaves the official 1/N normalisation untouched.
  w = np.array([True, True, True, True, False, False])
  mu_p = np.concatenate([mu, np.full((2, 3), np.nan, np.float32)])
  np.testing.assert_allclose(losses.vgae_kl_loss(mu_p, np.concatenate([log_std, mu_p[4:]]),
                                                 where=w), -kl_official, rtol=1e-5)
  # Direction: the posterior moving towards the prior lowers the KL.
  vals = [float(losses.vgae_kl_loss((1 - t) * mu, (1 - t) * log_std))
          for t in np.linspace(0, 1, 6)]
  lt.assert_monotone_decrease(vals)

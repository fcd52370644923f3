"""POT: soundness of the bounds on sampled deletions, the relaxation lines, equality to a dense
numpy replica of POT-GCL's ``pot_loss``, padding invariance, training, validation."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import graph as graph_lib
from jgssl import models
from jgssl.methods import (POTRegularizer, TwoViewContrast, compactness_weights,
                           deletion_budget, gca, gcn_preactivation_bounds, grace,
                           normalized_adjacency_bounds, relaxation, with_pot)
from jgssl.methods.contract import call_loss, prepare_side
from jgssl.methods.pot import activation_slopes
from margins import assert_margins
from node_method_testing import csbm, loss_drop, random_init_gap, train_full_graph

N, F = 30, 6


def random_graph(seed=0, n=N, p=0.2, multiple=16):
  """An undirected random graph with features, padded; returns (padded graph, undirected
  edge list [2, M] with i < j, features)."""
  rng = np.random.default_rng(seed)
  iu = np.triu_indices(n, 1)
  sel = rng.random(len(iu[0])) < p
  und = np.stack([iu[0][sel], iu[1][sel]])
  x = rng.normal(size=(n, F)).astype(np.float32)
  g = graph_lib.from_edge_index(und, num_nodes=n, node_features=x)
  g = graph_lib.pad_graph(g, graph_lib.budget_for(g, multiple=multiple))
  return jax.tree_util.tree_map(np.asarray, g), und, x


def encoder_params(activation, slope=None, seed=0, graph=None):
  enc = models.GCN(features=(8, 5), activation=activation)
  params = enc.init(jax.random.PRNGKey(seed), graph)["params"]
  params = jax.tree_util.tree_map(np.asarray, params)
  # Non-zero biases so that the bias terms are exercised.
  rng = np.random.default_rng(seed + 1)
  for i in range(2):
    params[f"conv_{i}"]["bias"] = rng.normal(size=params[f"conv_{i}"]["bias"].shape).astype(
        np.float32) * 0.3
    if activation == "prelu":
      params[f"act_{i}"]["prelu"]["slope"] = np.float32(slope)
  return enc, params


def leaky(z, a):
  return np.where(z >= 0, z, a * z)


def dense_norm_adj(n, senders, receivers):
  """``D̃^-1/2 (A + I) D̃^-1/2`` with ``A[receiver, sender] = 1`` and in-degrees (the encoder's)."""
  a = np.zeros((n, n))
  a[receivers, senders] = 1.0
  a_t = a + np.eye(n)
  d = a_t.sum(1)
  return a_t / np.sqrt(d[:, None] * d[None, :])


def dense_forward(a_hat, x, params, slopes):
  w1, b1 = params["conv_0"]["linear"]["kernel"], params["conv_0"]["bias"]
  w2, b2 = params["conv_1"]["linear"]["kernel"], params["conv_1"]["bias"]
  z1 = a_hat @ x @ w1 + b1
  z2 = a_hat @ leaky(z1, slopes[0]) @ w2 + b2
  return z1, z2


def sample_deletion(rng, und, budget, *, directed, q):
  """Edges kept after deleting at random within ``budget`` (per node; undirected removal
  charges both end points, directed removal of ``j -> i`` charges the receiver ``i``)."""
  left = budget.astype(int).copy()
  pairs = np.concatenate([und, und[::-1]], axis=1) if directed else und
  keep = np.ones(pairs.shape[1], bool)
  for e in rng.permutation(pairs.shape[1]):
    if rng.random() >= q:
      continue
    s, r = pairs[:, e]
    if directed and left[r] > 0:
      left[r] -= 1
      keep[e] = False
    elif not directed and left[s] > 0 and left[r] > 0:
      left[s] -= 1
      left[r] -= 1
      keep[e] = False
  kept = pairs[:, keep]
  if directed:
    return kept[0], kept[1]
  return np.concatenate([kept[0], kept[1]]), np.concatenate([kept[1], kept[0]])


# ---------------------------------------------------------------------------------------------
# (a) soundness on sampled deletions within the budget
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation,slope", [("relu", 0.0), ("prelu", 0.25), ("prelu", -0.3),
                                              ("prelu", 1.5)])
@pytest.mark.parametrize("rate", [0.3, 0.6])
def test_sound_bounds_hold_for_every_sampled_deletion_within_the_budget(activation, slope, rate):
  g, und, x = random_graph(seed=1)
  enc, params = encoder_params(activation, slope, graph=g)
  slopes = activation_slopes(enc, params)
  budget = deletion_budget(g, rate=rate)
  assert np.asarray(budget)[:N].max() >= 1  # something can be deleted
  adj = normalized_adjacency_bounds(g, budget)
  l1, u1, l2, u2 = (np.asarray(b)[:N] for b in gcn_preactivation_bounds(
      params, g, adj, activation_slope=slopes[0], bounds="sound"))
  rng = np.random.default_rng(0)
  budget_np = np.asarray(budget)[:N]
  tol = 1e-5
  for trial in range(120):
    s, r = sample_deletion(rng, und, budget_np, directed=trial % 2 == 1,
                           q=(0.3, 0.7, 1.0)[trial % 3])
    z1, z2 = dense_forward(dense_norm_adj(N, s, r), x, params, slopes)
    assert np.all(l1 - tol <= z1) and np.all(z1 <= u1 + tol)
    assert np.all(l2 - tol <= z2) and np.all(z2 <= u2 + tol)
    out = leaky(z2, slopes[1])
    lo, hi = np.minimum(leaky(l2, slopes[1]), leaky(u2, slopes[1])), np.maximum(
        leaky(l2, slopes[1]), leaky(u2, slopes[1]))
    lo = np.where((l2 < 0) & (u2 > 0), np.minimum(lo, 0), lo)
    hi = np.where((l2 < 0) & (u2 > 0), np.maximum(hi, 0), hi)
    assert np.all(lo - tol <= out) and np.all(out <= hi + tol)
  if slopes[1] >= 0:  # monotone activation: the outputs lie in [σ(l2), σ(u2)]
    assert np.all(lo == leaky(l2, slopes[1])) and np.all(hi == leaky(u2, slopes[1]))


def test_official_layer2_interval_can_miss_a_perturbed_graph_and_contains_the_clean_one():
  """The official z2 interval propagates the clean hidden layer: it holds the clean graph's
  z2, and a deletion within the budget can leave it (hence the sound default)."""
  g, und, x = random_graph(seed=1)
  enc, params = encoder_params("relu", graph=g)
  budget = deletion_budget(g, rate=0.6)
  adj = normalized_adjacency_bounds(g, budget, tight_lower=False)
  l1, u1, l2, u2 = (np.asarray(b)[:N] for b in gcn_preactivation_bounds(
      params, g, adj, activation_slope=0.0, bounds="official"))
  both = np.concatenate([und, und[::-1]], axis=1)
  _, z2 = dense_forward(dense_norm_adj(N, both[0], both[1]), x, params, (0.0, 0.0))
  assert np.all(l2 - 1e-5 <= z2) and np.all(z2 <= u2 + 1e-5)
  rng = np.random.default_rng(0)
  budget_np = np.asarray(budget)[:N]
  escaped = 0
  for _ in range(100):
    s, r = sample_deletion(rng, und, budget_np, directed=False, q=1.0)
    _, z2 = dense_forward(dense_norm_adj(N, s, r), x, params, (0.0, 0.0))
    escaped += np.any(z2 < l2 - 1e-5) or np.any(z2 > u2 + 1e-5)
  assert escaped > 0


# ---------------------------------------------------------------------------------------------
# (b) budget 0
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation,slope", [("relu", 0.0), ("prelu", 0.25)])
def test_rate_zero_sound_bounds_are_the_exact_pre_activations(activation, slope):
  g, und, x = random_graph(seed=2)
  enc, params = encoder_params(activation, slope, graph=g)
  slopes = activation_slopes(enc, params)
  budget = deletion_budget(g, rate=0.0)
  assert np.all(np.asarray(budget) == 0)
  both = np.concatenate([und, und[::-1]], axis=1)
  a_hat = dense_norm_adj(N, both[0], both[1])
  z1, z2 = dense_forward(a_hat, x, params, slopes)
  # The numpy replica is the encoder: its output equals GCN.apply on the clean graph.
  np.testing.assert_allclose(leaky(z2, slopes[1]),
                             np.asarray(enc.apply({"params": params}, g))[:N], atol=1e-5)
  adj = normalized_adjacency_bounds(g, budget)
  np.testing.assert_array_equal(adj.edge_lower, adj.edge_upper)
  np.testing.assert_array_equal(adj.self_lower, adj.self_upper)
  l1, u1, l2, u2 = (np.asarray(b)[:N] for b in gcn_preactivation_bounds(
      params, g, adj, activation_slope=slopes[0], bounds="sound"))
  np.testing.assert_array_equal(l1, u1)
  np.testing.assert_array_equal(l2, u2)
  np.testing.assert_allclose(l1, z1, atol=1e-5)
  np.testing.assert_allclose(l2, z2, atol=1e-5)
  # Official bounds: lower 0 off the diagonal whatever the budget, so the interval does not
  # collapse; its upper matrix is the clean Â and the clean pre-activations lie inside.
  off = normalized_adjacency_bounds(g, budget, tight_lower=False)
  np.testing.assert_allclose(off.edge_upper, adj.edge_upper, rtol=1e-6)
  ol1, ou1, ol2, ou2 = (np.asarray(b)[:N] for b in gcn_preactivation_bounds(
      params, g, off, activation_slope=slopes[0], bounds="official"))
  for lo, z, hi in ((ol1, z1, ou1), (ol2, z2, ou2)):
    assert np.all(lo - 1e-5 <= z) and np.all(z <= hi + 1e-5)


# ---------------------------------------------------------------------------------------------
# (c) relaxation lines
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("slope,official", [(0.0, False), (0.25, False), (-0.3, False),
                                            (1.5, False), (0.0, True), (0.25, True),
                                            (0.9, True)])
def test_relaxation_lines_bound_the_activation_on_the_interval(slope, official):
  rng = np.random.default_rng(0)
  a, b = rng.normal(size=(2, 400)) * 2.0
  l, u = np.minimum(a, b).astype(np.float32), np.maximum(a, b).astype(np.float32)
  l[:5], u[:5] = 0.0, 0.0                   # the kink itself
  l[5:10], u[5:10] = -1.0, 0.0
  lam, beta_l, beta_u = (np.asarray(v) for v in relaxation(jnp.asarray(l), jnp.asarray(u),
                                                             slope=slope, official=official))
  t = rng.random(size=(64, 1))
  z = l + t * (u - l)
  z = np.concatenate([z, l[None], u[None], np.clip(np.zeros_like(l), l, u)[None]])
  sig = leaky(z, slope)
  assert np.all(lam * z + beta_l <= sig + 1e-5)
  assert np.all(sig <= lam * z + beta_u + 1e-5)


def test_official_upper_intercept_is_looser_than_the_chord():
  rng = np.random.default_rng(1)
  l = -rng.random(200).astype(np.float32) - 0.1
  u = rng.random(200).astype(np.float32) + 0.1
  for slope in (0.0, 0.25, 0.7):
    _, _, chord = relaxation(jnp.asarray(l), jnp.asarray(u), slope=slope)
    _, _, official = relaxation(jnp.asarray(l), jnp.asarray(u), slope=slope, official=True)
    np.testing.assert_allclose(chord, (slope - 1) * u * l / (u - l), rtol=1e-5)
    np.testing.assert_allclose(official, (slope - 1) * u * l / (u - slope * l), rtol=1e-5)
    assert np.all(np.asarray(official) >= np.asarray(chord) - 1e-6)


# ---------------------------------------------------------------------------------------------
# (d) equality to dense numpy constructions of the official code
# ---------------------------------------------------------------------------------------------


def official_dense_bounds(und, n, rate):
  """POT-GCL ``pot_loss``'s ``A_upper`` / ``A_lower`` (GRACE/model.py), in numpy float64."""
  a = np.zeros((n, n))
  a[und[0], und[1]] = a[und[1], und[0]] = 1
  deg = a.sum(1)
  degs_tilde = deg + 1
  max_delete = np.maximum(degs_tilde.astype("int") - 2, 0)
  max_delete = np.minimum(max_delete, np.round(rate * deg))
  r = 1 / np.sqrt(degs_tilde - max_delete)
  upper = np.where(a + np.eye(n) > 0, r * r[:, None], 0.0)
  lower = np.diag(1 / degs_tilde)
  return upper, lower, max_delete


def dense_from_edges(g, edge_values, self_values, n):
  m = np.zeros((n, n))
  present = np.asarray(g.edges["mask"])
  s, r = np.asarray(g.senders)[present], np.asarray(g.receivers)[present]
  m[r, s] = np.asarray(edge_values)[present]
  m[np.arange(n), np.arange(n)] = np.asarray(self_values)[:n]
  return m


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.4, 0.5])
def test_edge_wise_bounds_equal_the_official_dense_matrices(rate):
  g, und, _ = random_graph(seed=3, p=0.25)
  budget = deletion_budget(g, rate=rate)
  upper, lower, max_delete = official_dense_bounds(und, N, rate)
  np.testing.assert_array_equal(np.asarray(budget)[:N], max_delete)
  adj = normalized_adjacency_bounds(g, budget, tight_lower=False)
  np.testing.assert_allclose(dense_from_edges(g, adj.edge_upper, adj.self_upper, N), upper,
                             rtol=1e-6)
  np.testing.assert_allclose(dense_from_edges(g, adj.edge_lower, adj.self_lower, N), lower,
                             rtol=1e-6)
  # The tight lower bound differs only on edges into nodes with budget 0: their clean value.
  tight = normalized_adjacency_bounds(g, budget)
  both = np.concatenate([und, und[::-1]], axis=1)
  clean = dense_norm_adj(N, both[0], both[1])
  undeletable = (max_delete[:, None] == 0) & (upper > 0)
  expect = np.where(undeletable, clean, lower)
  np.testing.assert_allclose(dense_from_edges(g, tight.edge_lower, tight.self_lower, N), expect,
                             rtol=1e-6)
  # Padding slots are 0.
  assert np.all(np.asarray(adj.edge_upper)[~np.asarray(g.edges["mask"])] == 0)
  assert np.all(np.asarray(adj.self_upper)[N:] == 0)


def test_adaptive_budget_is_the_rounded_sum_of_the_edge_probabilities():
  g, und, _ = random_graph(seed=4, p=0.25)
  probs = np.where(np.asarray(g.edges["mask"]),
                   np.random.default_rng(0).random(g.edges["mask"].shape[0]), 0.0)
  budget = np.asarray(deletion_budget(g, rate=jnp.asarray(probs, jnp.float32)))
  deg = np.bincount(np.asarray(g.receivers)[np.asarray(g.edges["mask"])], minlength=N)[:N]
  drop_degree = np.bincount(np.asarray(g.receivers), weights=probs,
                            minlength=budget.shape[0])[:N]
  np.testing.assert_array_equal(budget[:N],
                                np.minimum(np.maximum(deg - 1, 0), np.round(drop_degree)))


def get_alpha_beta(l, u, alpha):
  """POT-GCL ``my_utils.get_alpha_beta``."""
  al = np.zeros_like(l)
  au, bl, bu = al.copy(), al.copy(), al.copy()
  pos, neg = l >= 0, u <= 0
  al[pos] = au[pos] = 1
  al[neg] = au[neg] = alpha
  nm = ~(pos | neg)
  upp = u[nm] - alpha * l[nm]
  al[nm] = au[nm] = upp / (u[nm] - l[nm])
  bu[nm] = (alpha - 1) * u[nm] * l[nm] / upp
  return al, au, bl, bu


def official_pot_loss(z2, x, und, view_edges, rate, params, alpha):
  """POT-GCL ``Model.pot_loss`` (full node list, dense), in numpy float64; ``z2`` the other
  view's encoder rows, ``view_edges`` ``(senders, receivers)`` of the (symmetric) view."""
  n = x.shape[0]
  upper, lower, _ = official_dense_bounds(und, n, rate)
  w1, b1 = params["conv_0"]["linear"]["kernel"], params["conv_0"]["bias"]
  w2, b2 = params["conv_1"]["linear"]["kernel"], params["conv_1"]["bias"]
  mid, rad = (upper + lower) / 2, (upper - lower) / 2
  xw = x @ w1
  both = np.concatenate([und, und[::-1]], axis=1)
  h = leaky(dense_norm_adj(n, both[0], both[1]) @ xw + b1, alpha)
  hw = h @ w2
  z1_u, z1_l = mid @ xw + rad @ np.abs(xw) + b1, mid @ xw - rad @ np.abs(xw) + b1
  z2_u, z2_l = mid @ hw + rad @ np.abs(hw) + b2, mid @ hw - rad @ np.abs(hw) + b2
  z2n = z2 / np.maximum(np.linalg.norm(z2, axis=1, keepdims=True), 1e-12)
  wcl = z2n * (n / (n - 1)) - z2n.sum(0) / (n - 1)
  a2l, a2u, b2l, b2u = get_alpha_beta(z2_l, z2_u, alpha)
  a1l, a1u, b1l, b1u = get_alpha_beta(z1_l, z1_u, alpha)
  lam2 = np.where(wcl >= 0, a2l, a2u) * wcl
  delta2 = np.where(wcl >= 0, b2l, b2u)
  w_t2 = lam2 @ w2.T
  b_t2 = np.diag(lam2 @ (delta2 + b2).T)
  lam1 = np.where(w_t2 >= 0, a1l, a1u) * w_t2
  delta1 = np.where(w_t2 >= 0, b1l, b1u)
  w_t1 = lam1 @ w1.T
  b_t1 = np.diag(lam1 @ (delta1 + b1).T)
  xw_t = np.sum(x * w_t1, axis=1)
  a_ptb = dense_norm_adj(n, *view_edges)
  score = a_ptb @ (a_ptb @ xw_t + b_t1) + b_t2
  return np.mean(np.logaddexp(0.0, -score))


def symmetric_view(g, und, rng, p):
  """``g`` with a random set of undirected edges masked, and its (senders, receivers)."""
  drop = rng.random(und.shape[1]) < p
  dropped = {(int(a), int(b)) for a, b in und[:, drop].T}
  dropped |= {(b, a) for a, b in dropped}
  s, r = np.asarray(g.senders), np.asarray(g.receivers)
  mask = np.asarray(g.edges["mask"]) & np.array([(int(a), int(b)) not in dropped
                                                  for a, b in zip(s, r)])
  view = g._replace(edges={**g.edges, "mask": mask})
  return view, (s[mask], r[mask])


@pytest.mark.parametrize("activation,slope", [("relu", 0.0), ("prelu", 0.25)])
def test_official_mode_equals_a_dense_replica_of_pot_gcl(activation, slope):
  g, und, x = random_graph(seed=5, p=0.25)
  enc, params = encoder_params(activation, slope, graph=g)
  rng = np.random.default_rng(0)
  rates = (0.4, 0.3)
  (v1, e1), (v2, e2) = symmetric_view(g, und, rng, rates[0]), symmetric_view(g, und, rng,
                                                                              rates[1])
  rows = tuple(rng.normal(size=(g.nodes["x"].shape[0], 5)).astype(np.float32) for _ in range(2))
  reg = POTRegularizer(encoder=enc, drop_edge_rate=rates, bounds="official")
  value, aux = reg({"params": {"encoder": params}}, graph=g, views=(v1, v2), rows=rows,
                   where=g.nodes["mask"])
  expect = 0.5 * (official_pot_loss(rows[1][:N], x, und, e1, rates[0], params, slope)
                  + official_pot_loss(rows[0][:N], x, und, e2, rates[1], params, slope))
  assert float(value) == pytest.approx(expect, rel=2e-5)
  assert float(aux["pot"]) == float(value)
  assert float(aux["pot_gap"]) > 0


# ---------------------------------------------------------------------------------------------
# (e) padding
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bounds", ["sound", "official"])
def test_value_and_gradient_do_not_depend_on_padding(bounds):
  values, grads = [], []
  for multiple in (16, 64):
    g, und, _ = random_graph(seed=6, multiple=multiple)
    enc, params = encoder_params("prelu", 0.25, graph=g)
    rng = np.random.default_rng(0)
    views = tuple(symmetric_view(g, und, rng, p)[0] for p in (0.3, 0.2))
    rows = [np.zeros((g.nodes["x"].shape[0], 5), np.float32) for _ in range(2)]
    base = np.random.default_rng(1).normal(size=(2, N, 5)).astype(np.float32)
    for k in range(2):
      rows[k][:N] = base[k]
      rows[k][N:] = 7.0  # garbage in padding rows changes nothing
    reg = POTRegularizer(encoder=enc, drop_edge_rate=(0.3, 0.2), bounds=bounds)

    def f(params, rows):
      return reg({"params": {"encoder": params}}, graph=g, views=views, rows=rows,
                 where=g.nodes["mask"])

    (value, aux), (gp, gr) = jax.jit(jax.value_and_grad(f, argnums=(0, 1), has_aux=True))(
        params, tuple(rows))
    values.append((float(value), float(aux["pot_gap"])))
    grads.append((gp, [np.asarray(r)[:N] for r in gr]))
    assert all(np.all(np.asarray(r)[N:] == 0) for r in gr)
  np.testing.assert_allclose(values[0], values[1], rtol=1e-5)
  for a, b in zip(jax.tree_util.tree_leaves(grads[0]), jax.tree_util.tree_leaves(grads[1])):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
  assert any(np.any(np.asarray(a) != 0) for a in jax.tree_util.tree_leaves(grads[0]))


def test_sparse_feature_index_gives_the_dense_value():
  g, und, _ = random_graph(seed=7)
  rng = np.random.default_rng(0)
  x = np.where(rng.random((g.nodes["x"].shape[0], 64)) < 0.03, 1.0, 0.0).astype(np.float32)
  dense = g._replace(nodes={**g.nodes, "x": x})
  sparse_g = models.sparse.with_sparse_features(dense)
  assert graph_lib.SPARSE_KEY in sparse_g.nodes
  enc = models.GCN(features=(8, 5))
  params = enc.init(jax.random.PRNGKey(0), dense)["params"]
  views = tuple(symmetric_view(dense, und, rng, p)[0] for p in (0.3, 0.2))
  rows = tuple(rng.normal(size=(x.shape[0], 5)).astype(np.float32) for _ in range(2))
  reg = POTRegularizer(encoder=enc, drop_edge_rate=(0.3, 0.2))
  values = [float(reg({"params": {"encoder": params}}, graph=graph, views=views, rows=rows,
                      where=graph.nodes["mask"])[0]) for graph in (dense, sparse_g)]
  assert values[1] == pytest.approx(values[0], rel=1e-6)


def test_compactness_weights_are_each_row_minus_the_mean_of_the_others():
  rng = np.random.default_rng(0)
  rows = rng.normal(size=(12, 4)).astype(np.float32)
  where = np.arange(12) < 9
  wcl = np.asarray(compactness_weights(jnp.asarray(rows), jnp.asarray(where)))
  n = rows[:9] / np.linalg.norm(rows[:9], axis=1, keepdims=True)
  for i in range(9):
    np.testing.assert_allclose(wcl[i], n[i] - np.delete(n, i, axis=0).mean(0), atol=1e-6)
  assert np.all(wcl[9:] == 0)


# ---------------------------------------------------------------------------------------------
# (f) training through with_pot
# ---------------------------------------------------------------------------------------------


def measure_training(seed):
  """GRACE + POT ('sound' bounds, κ = 0.4): loss drop (first 5 vs last 10 of 50 steps) and probe
  gain over the random-init encoder on the 600-node contextual SBM."""
  ds, graph = csbm()
  base = grace(features=(64, 32), hidden_features=32, drop_edge_rate=(0.2, 0.4),
               drop_feature_rate=(0.3, 0.4), temperature=0.4)
  method = with_pot(base, kappa=0.4, drop_edge_rate=(0.2, 0.4))
  run = train_full_graph(method, graph, steps=50, seed=seed)
  assert np.all(np.isfinite(run.losses))
  return {"loss_drop": loss_drop(run.losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.4, "gain": 0.25})}


def test_grace_pot_trains_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


def test_with_pot_on_grace_trains_and_kappa_zero_is_the_base_loss():
  _, graph = csbm(num_nodes=120)
  base = grace(features=(32, 16), hidden_features=16, drop_edge_rate=(0.3, 0.4),
               drop_feature_rate=(0.2, 0.3))
  method = with_pot(base, kappa=0.4, drop_edge_rate=(0.3, 0.4))
  assert isinstance(method.regularizer, POTRegularizer) and method.regularizer_weight == 0.4
  run = train_full_graph(method, graph, steps=5)
  assert np.all(np.isfinite(run.losses))  # the trained check is test_grace_pot_trains_...
  v = method.init(jax.random.PRNGKey(0), graph)
  key = jax.random.PRNGKey(3)
  loss, aux = jax.jit(method.loss)(v, key, graph)
  assert {"pot", "pot_gap", "objective", "pos_cos"} <= set(aux)
  assert float(loss) == pytest.approx(0.6 * float(aux["objective"]) + 0.4 * float(aux["pot"]),
                                      rel=1e-6)
  zero = with_pot(base, kappa=0.0, drop_edge_rate=(0.3, 0.4), bounds="official")
  base_loss, _ = jax.jit(base.loss)(v, key, graph)
  zero_loss, _ = jax.jit(zero.loss)(v, key, graph)
  assert float(zero_loss) == float(base_loss)


def test_with_pot_on_gca_uses_the_adaptive_budgets_from_the_side_input():
  _, graph = csbm(num_nodes=120)
  base = gca(features=(32, 16), hidden_features=16, activation="prelu",
             drop_edge_rate=(0.3, 0.1))
  method = with_pot(base, kappa=0.3, drop_edge_rate=(0.3, 0.1), budget="adaptive")
  assert method.regularizer.needs_side
  side = prepare_side(method, graph)
  v = method.init(jax.random.PRNGKey(0), graph)
  loss, aux = jax.jit(lambda v, k, g, s: call_loss(method, v, k, g, side=s))(
      v, jax.random.PRNGKey(1), graph, side)
  assert np.isfinite(float(loss)) and np.isfinite(float(aux["pot"]))
  uniform = with_pot(base, kappa=0.3, drop_edge_rate=(0.3, 0.1))
  budgets = method.regularizer.budgets(graph, side)
  assert not np.array_equal(budgets[0], uniform.regularizer.budgets(graph)[0])
  with pytest.raises(ValueError, match="needs a side input"):
    with_pot(grace(features=(8, 4)), kappa=0.3, drop_edge_rate=0.2, budget="adaptive")


# ---------------------------------------------------------------------------------------------
# (g) validation
# ---------------------------------------------------------------------------------------------


def test_clear_errors_for_what_pot_cannot_bound():
  with pytest.raises(ValueError, match="2-layer jgssl.models.GCN encoder.*got GAT"):
    with_pot(grace(encoder=models.GAT(features=(8, 4))), kappa=0.5, drop_edge_rate=0.2)
  with pytest.raises(ValueError, match=r"exactly 2 layers \(got 3"):
    with_pot(grace(features=(8, 8, 4)), kappa=0.5, drop_edge_rate=0.2)
  with pytest.raises(ValueError, match="activation one of.*'elu'"):
    with_pot(grace(features=(8, 4), activation="elu"), kappa=0.5, drop_edge_rate=0.2)
  with pytest.raises(ValueError, match="norm='none'"):
    POTRegularizer(encoder=models.GCN(features=(8, 4), norm="batch"), drop_edge_rate=0.2)
  with pytest.raises(ValueError, match="with_pot: kappa must be a probability"):
    with_pot(grace(features=(8, 4)), kappa=1.5, drop_edge_rate=0.2)
  with pytest.raises(ValueError, match="POTRegularizer.bounds must be one of"):
    with_pot(grace(features=(8, 4)), kappa=0.5, drop_edge_rate=0.2, bounds="tight")
  with pytest.raises(ValueError, match="POTRegularizer.drop_edge_rate"):
    with_pot(grace(features=(8, 4)), kappa=0.5, drop_edge_rate=(0.2, 1.2))
  with pytest.raises(ValueError, match="TwoViewContrast"):
    with_pot(object(), kappa=0.5, drop_edge_rate=0.2)
  graph_level = dataclasses.replace(grace(features=(8, 4)), level="graph")
  with pytest.raises(ValueError, match="node-level"):
    with_pot(graph_level, kappa=0.5, drop_edge_rate=0.2)
  # Params that are not a 2-layer GCN's (a regulariser built for one encoder, given another's).
  enc = models.GCN(features=(8, 4))
  with pytest.raises(ValueError, match="third layer"):
    activation_slopes(enc, {"conv_0": {}, "conv_1": {}, "conv_2": {}})
  with pytest.raises(ValueError, match="PReLU slope act_0/prelu/slope is missing"):
    activation_slopes(models.GCN(features=(8, 4), activation="prelu"),
                      {"conv_0": {}, "conv_1": {}})


def test_rrelu_is_bounded_by_its_mean_slope():
  enc = models.GCN(features=(8, 4), activation="rrelu")
  assert activation_slopes(enc, {"conv_0": {}, "conv_1": {}}) == (11 / 48, 11 / 48)
  assert isinstance(with_pot(gca(features=(8, 4), hidden_features=4), kappa=0.3,
                             drop_edge_rate=(0.3, 0.1)), TwoViewContrast)

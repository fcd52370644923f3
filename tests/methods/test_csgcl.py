"""CSGCL: the team-up objective against the official formula, the γ schedule, the community side
input under jit, the CED / CAV views, padding, and a short end-to-end run."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import augment, train
from jgssl import graph as graph_lib
from jgssl.methods import InfoNCE, TeamUpInfoNCE, TwoViewContrast, csgcl
from jgssl.methods.contract import call_loss, prepare_side
from jgssl.methods.csgcl import community_side
from margins import assert_margins
from node_method_testing import csbm, loss_drop, random_init_gap, train_full_graph


def official_gamma(epoch, t0, gamma_max, ramp=100):
  """HanChen-HUST/CSGCL ``src/model.py`` ``_team_up``: ``min(max(0, (ep − t0) / 100), γmax)``
  (``ramp`` replaces the 100)."""
  return min(max(0, (epoch - t0) / ramp), gamma_max)


def official_team_up(h1, h2, cs, gamma, tau):
  """``team_up_loss`` on projected rows (float64): ``½(ℓ(h1, h2) + ℓ(h2, h1))``, mean."""
  h1, h2, cs = (np.asarray(a, np.float64) for a in (h1, h2, cs))

  def sim(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T

  def team_up(z1, z2):
    bias = gamma * cs[None, :] + gamma * cs[:, None]
    refl = np.exp((sim(z1, z1) + bias) / tau)
    between = np.exp((sim(z1, z2) + bias) / tau)
    return -np.log(np.diag(between) / (refl.sum(1) + between.sum(1) - np.diag(refl)))

  return float(np.mean(0.5 * (team_up(h1, h2) + team_up(h2, h1))))


def _rows(rng, n=12, d=6):
  u, v = rng.normal(size=(2, n, d)).astype(np.float32)
  cs = rng.uniform(-0.05, 0.4, size=n).astype(np.float32)
  return u, v, cs


# ---------------------------------------------------------------------------------------------
# Team-up objective
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t0,gamma_max", [(2000, 1.0), (1000, 10.0), (1500, 5.0), (0, 1.0)])
def test_gamma_schedule_matches_the_official_rule(t0, gamma_max):
  obj = TeamUpInfoNCE(temperature=0.3, t0=t0, gamma_max=gamma_max)
  steps = np.array([0, 1, t0 - 1, t0, t0 + 1, t0 + 49, t0 + 99, t0 + 250, t0 + 999, 10**5])
  steps = steps[steps >= 0]
  got = np.asarray(jax.jit(jax.vmap(obj.gamma))(jnp.asarray(steps, jnp.int32)))
  want = [official_gamma(s + 1, t0, gamma_max) for s in steps]  # epoch = step + 1
  np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
  assert obj.gamma(t0 - 1) == 0.0 and 0 < float(obj.gamma(t0)) <= 0.01 + 1e-7


@pytest.mark.parametrize("chunk_size", [None, 5])
def test_team_up_equals_infonce_before_t0_and_the_official_loss_after(rng, chunk_size):
  u, v, cs = _rows(rng)
  where = jnp.ones(12, bool)
  side = {"node_strength": jnp.asarray(cs)}
  obj = TeamUpInfoNCE(temperature=0.3, t0=20, gamma_max=2.0, chunk_size=chunk_size)
  plain, plain_aux = InfoNCE(temperature=0.3)(u, v, where=where)
  for step in (0, 19):  # epochs 1 and 20: γ = 0
    loss, aux = obj(u, v, where=where, side=side, step=step)
    assert float(loss) == pytest.approx(float(plain), rel=1e-5)
    assert float(aux["gamma"]) == 0.0 and aux["pos_cos"] == pytest.approx(plain_aux["pos_cos"])
  for step in (20, 69, 500):  # γ = 0.01, 0.5, 2 (capped)
    loss, aux = jax.jit(lambda a, b, s, t: obj(a, b, where=where, side=s, step=t))(u, v, side,
                                                                                   step)
    want = official_team_up(u, v, cs, official_gamma(step + 1, 20, 2.0), 0.3)
    assert float(loss) == pytest.approx(want, rel=1e-5)
  assert abs(float(obj(u, v, where=where, side=side, step=500)[0]) - float(plain)) > 1e-3


def test_team_up_ignores_padding_rows_and_their_strengths(rng):
  u, v, cs = _rows(rng, n=9)
  obj = TeamUpInfoNCE(temperature=0.5, t0=0)
  want, _ = obj(u, v, where=jnp.ones(9, bool), side={"node_strength": jnp.asarray(cs)},
                step=300)
  pos = np.sort(rng.choice(14, size=9, replace=False))  # real rows, padding between them
  mask = np.zeros(14, bool)
  mask[pos] = True
  up, vp = np.full((14, 6), np.nan, np.float32), np.full((14, 6), np.nan, np.float32)
  csp = np.full(14, 7.0, np.float32)
  up[pos], vp[pos], csp[pos] = u, v, cs
  grad = jax.grad(lambda a: obj(a, vp, where=jnp.asarray(mask),
                                side={"node_strength": jnp.asarray(csp)}, step=300)[0])
  got, _ = obj(up, vp, where=jnp.asarray(mask), side={"node_strength": jnp.asarray(csp)},
               step=300)
  assert float(got) == pytest.approx(float(want), rel=1e-5)
  g = np.asarray(grad(jnp.asarray(up)))
  assert np.all(np.isfinite(g)) and np.all(g[~mask] == 0)


def test_objective_validation():
  with pytest.raises(ValueError, match="TeamUpInfoNCE.ramp must be a number > 0"):
    TeamUpInfoNCE(temperature=0.3, ramp=0)
  with pytest.raises(ValueError, match="TeamUpInfoNCE.gamma_max must be a number >= 0"):
    TeamUpInfoNCE(temperature=0.3, gamma_max=-1.0)
  with pytest.raises(ValueError, match="TeamUpInfoNCE.temperature must be a number > 0"):
    TeamUpInfoNCE(temperature=0.0)
  assert TeamUpInfoNCE.needs_side and TeamUpInfoNCE.needs_step and TeamUpInfoNCE.row_sharding
  method = csgcl(features=(8, 4), hidden_features=4)
  with pytest.raises(ValueError, match="needs a side input"):
    dataclasses.replace(method, prepare=None)


# ---------------------------------------------------------------------------------------------
# The recipe: side input, views, engine
# ---------------------------------------------------------------------------------------------


def test_prepare_runs_under_jit_and_gives_the_communities_and_weights():
  ds, graph = csbm(120)
  method = csgcl(features=(16, 8), hidden_features=8, leiden_seed=2)
  side = prepare_side(method, graph)  # jax.jit(prepare)(graph), as the engine
  assert set(side) == {"communities", "node_strength", "edge_weights", "feature_weights"}
  com = np.asarray(side["communities"])
  n = ds.num_nodes
  np.testing.assert_array_equal(com, augment.leiden_communities(graph, seed=2))
  assert np.all(com[:n] >= 0) and np.all(com[n:] == -1)
  _, strength = augment.community_strength(graph, jnp.asarray(com))
  np.testing.assert_allclose(side["node_strength"], strength, rtol=1e-6)
  np.testing.assert_allclose(side["edge_weights"],
                             augment.community_edge_weights(graph, com, strength), rtol=1e-6,
                             atol=1e-6)
  np.testing.assert_allclose(side["feature_weights"],
                             augment.community_feature_weights(graph, strength), rtol=1e-4,
                             atol=1e-5)
  # The real rows' side input does not depend on the amount of padding.
  bigger = jax.tree_util.tree_map(np.asarray, graph_lib.pad_graph(
      ds.graph, graph_lib.budget_for(ds.graph, edge_slack=100, multiple=256)))
  side_big = jax.jit(community_side)(bigger)
  np.testing.assert_array_equal(np.asarray(side_big["communities"])[:n], com[:n])
  np.testing.assert_allclose(np.asarray(side_big["node_strength"])[:n],
                             np.asarray(side["node_strength"])[:n], rtol=1e-6)


def test_views_are_ced_then_cav_at_the_side_probabilities():
  _, graph = csbm(200)
  method = csgcl(features=(16, 8), hidden_features=8, drop_edge_rate=(0.5, 0.0),
                 drop_feature_rate=(0.4, 0.0))
  side = prepare_side(method, graph)
  keys = jax.random.split(jax.random.PRNGKey(0), 400)
  g1, g2 = (jax.jit(jax.vmap(view, in_axes=(0, None, None)))(keys, graph, side)
            for view in method.views)
  real = np.asarray(graph.edges["mask"])
  for g, rate in ((g1, 0.5), (g2, 0.0)):
    edge_p = augment.community_edge_drop_probs(graph, side["edge_weights"], rate=rate)
    dropped = 1.0 - np.asarray(g.edges["mask"]).mean(0)
    np.testing.assert_allclose(dropped[real], np.asarray(edge_p)[real], atol=0.08)
    assert not np.any(np.asarray(g.edges["mask"])[:, ~real])
  # CED at rate 0 still drops edges weighing less than the mean (keep w / mean(w) < 1), as the
  # official ced; CAV at rate 0 masks nothing.
  assert 0.05 < dropped[real].mean() < 0.5
  np.testing.assert_array_equal(np.asarray(g2.nodes["x"][0]), graph.nodes["x"])
  dropped = 1.0 - np.asarray(g1.edges["mask"]).mean(0)
  feat_p = augment.gca_feature_drop_probs(side["feature_weights"], rate=0.4, threshold=1.0)
  x = np.asarray(graph.nodes["x"])
  used = np.abs(x).sum(0) > 0
  masked = (np.asarray(g1.nodes["x"]) == 0).all(axis=1).mean(0)  # column zero on every node
  np.testing.assert_allclose(masked[used], np.asarray(feat_p)[used], atol=0.08)
  com = np.asarray(side["communities"])
  inside = (com[np.asarray(graph.senders)] == com[np.asarray(graph.receivers)])[real]
  assert dropped[real][inside].mean() + 0.2 < dropped[real][~inside].mean()


def test_loss_gets_side_and_step_and_the_engine_continues_the_schedule():
  _, graph = csbm(80)
  method = csgcl(features=(16, 8), hidden_features=8, t0=2, ramp=1, gamma_max=1.5)
  assert method.needs_step
  v = jax.jit(method.init)(jax.random.PRNGKey(0), graph)
  side = prepare_side(method, graph)
  loss = jax.jit(lambda v, k, g, s, t: call_loss(method, v, k, g, side=s, step=t))
  given, aux = loss(v, jax.random.PRNGKey(1), graph, side, 3)
  again, _ = jax.jit(lambda v, k, g: method.loss(v, k, g, step=3))(v, jax.random.PRNGKey(1),
                                                                     graph)
  assert float(given) == pytest.approx(float(again), rel=1e-5)
  assert set(aux) == {"pos_cos", "gamma"} and float(aux["gamma"]) == pytest.approx(1.5)
  tx = train.make_optimizer(learning_rate=0.01)
  state = train.create_train_state(jax.random.PRNGKey(0), method, tx, graph)
  result = train.fit(state, train.make_train_step(method), graph, epochs=4, side=side)
  gammas = [h.metrics["gamma"] for h in result.history]
  np.testing.assert_allclose(gammas, [official_gamma(e, 2, 1.5, 1) for e in (1, 2, 3, 4)])
  assert set(result.state.model_state) == set()  # the side input never enters the state


def test_chunked_and_row_sharded_losses_equal_the_dense_one():
  _, graph = csbm(120)
  dense = csgcl(features=(16, 8), hidden_features=8, t0=0)
  chunked = csgcl(features=(16, 8), hidden_features=8, t0=0, chunk_size=32)
  v = dense.init(jax.random.PRNGKey(0), graph)
  side = prepare_side(dense, graph)
  a, _ = dense.loss(v, jax.random.PRNGKey(1), graph, side=side, step=150)
  b, _ = chunked.loss(v, jax.random.PRNGKey(1), graph, side=side, step=150)
  assert float(a) == pytest.approx(float(b), rel=1e-5)
  tx = train.make_optimizer(learning_rate=0.01)
  mesh = train.make_mesh(jax.local_devices()[:1])
  single = train.create_train_state(jax.random.PRNGKey(0), chunked, tx, graph)
  rows = train.replicate(train.create_train_state(jax.random.PRNGKey(0), chunked, tx, graph),
                         mesh)
  step_single = train.make_train_step(chunked)
  step_rows = train.make_train_step(chunked, strategy="rows", mesh=mesh)
  for _ in range(2):
    single, m1 = step_single(single, graph, side)
    rows, m2 = step_rows(rows, train.replicate(graph, mesh), train.replicate(side, mesh))
    assert float(m1["loss"]) == pytest.approx(float(m2["loss"]), rel=1e-5)


def measure_training(seed):
  """Loss drop (first 5 vs last 10 of 50 steps, team-up from step 20) and probe gain over the
  random-init encoder on the 600-node contextual SBM."""
  ds, graph = csbm()
  method = csgcl(features=(64, 32), hidden_features=32, temperature=0.4, t0=20, ramp=10,
                 drop_edge_rate=(0.3, 0.4), drop_feature_rate=(0.1, 0.1))
  run = train_full_graph(method, graph, steps=50, seed=seed)
  assert np.all(np.isfinite(run.losses))
  return {"loss_drop": loss_drop(run.losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.7, "gain": 0.3})}


def test_csgcl_trains_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


def test_recipe_validation():
  with pytest.raises(ValueError, match="csgcl: drop_edge_rate"):
    csgcl(drop_edge_rate=(0.1, -0.2))
  with pytest.raises(ValueError, match="csgcl: edge_threshold must be a probability"):
    csgcl(edge_threshold=1.5)
  with pytest.raises(ValueError, match="csgcl: feature_threshold must be a probability"):
    csgcl(feature_threshold=-0.1)
  with pytest.raises(ValueError, match="csgcl: leiden_seed must be an int >= 0"):
    csgcl(leiden_seed=-3)
  with pytest.raises(ValueError, match="csgcl: activation must be one of"):
    csgcl(activation="swishy")
  method = csgcl()
  assert isinstance(method, TwoViewContrast) and isinstance(method.objective, TeamUpInfoNCE)
  obj = method.objective
  assert (obj.temperature, obj.gamma_max, obj.t0, obj.ramp) == (0.3, 1.0, 2000, 100.0)
  # param/amazon_photo.json: ced (0.5, 0.7), cav (0.1, 0.1), both caps 1 (train.py).
  rates = [[(a.rate, a.threshold) for a in view.augmentations] for view in method.views]
  assert rates == [[(0.5, 1.0), (0.1, 1.0)], [(0.7, 1.0), (0.1, 1.0)]]
  assert method.encoder.features == (512, 256) and method.encoder.activation == "relu"
  assert (method.head.hidden_features, method.head.out_features) == (64, 256)

"""MVGRL (node level): diffusion side input, windows, cross-view pairing, end to end, the
diffusion kept out of the train state and checkpoints, validation."""

import functools
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import margins
from jgssl import augment, models, train
from jgssl.methods import mvgrl
from jgssl.methods.contract import prepare_side
from jgssl.methods.local_global import (DiffusionSide, MVGRLEncoder, Windows, _window,
                                        _window_starts, _with_side, ppr_view, window_coverage)
from margins import assert_margins
from node_method_testing import csbm, loss_drop, padded, random_init_gap, train_full_graph

_csbm = functools.partial(csbm, signal=2.0)


def _dense_adjacency(ds):
  n = ds.num_nodes
  a = np.zeros((n, n))
  a[ds.graph.receivers, ds.graph.senders] = 1.0
  return a


def measure_training(seed):
  """On Cora, whole-graph steps: loss drop (first 10 vs last 10 of 50 steps) and probe gain over
  the random-init encoder.

  Cora, not a contextual SBM: on the SBM a random-init GCN already separates the blocks, and the
  earlier SBM check (width 32, 100 windowed steps) failed on an Intel CPU with the trained
  encoder below its random init (0.742 against 0.779). On Cora the gain is about 0.28. The
  window sampler has its own exact tests below.
  """
  ds = margins.load_dataset("cora")
  graph = padded(ds)
  method = mvgrl(features=(64,), sample_size=None)
  run = train_full_graph(method, graph, steps=50, seed=seed,
                         tx=train.make_optimizer(learning_rate=0.005))
  assert np.all(np.isfinite(run.losses))
  return {"loss_drop": loss_drop(run.losses, first=10),
          "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.1, "gain": 0.1})}


def test_mvgrl_trains_and_beats_random_init(data_root):
  del data_root  # skips without the datasets
  assert_margins(measure_training(0), MARGINS["trains"][1])


def test_ppr_view_matches_dense_formula_and_citeseer_rule():
  ds, graph = _csbm(50)
  a = _dense_adjacency(ds)
  t = a + np.eye(50)
  d = 1.0 / np.sqrt(t.sum(1))
  expected = 0.2 * np.linalg.inv(np.eye(50) - 0.8 * d[:, None] * t * d[None, :])
  view = jax.jit(ppr_view, static_argnames=("epsilon", "minmax"))
  dense = np.asarray(view(graph))
  np.testing.assert_allclose(dense[:50, :50], expected, rtol=1e-4, atol=1e-6)
  assert np.all(dense[50:] == 0) and np.all(dense[:, 50:] == 0)  # padding slots
  sparse = np.asarray(view(graph, epsilon="auto", minmax=True))[:50, :50]
  assert sparse.min() >= 0.0 and np.allclose(sparse.max(axis=0), 1.0)
  eps = augment.select_epsilon(expected, a)
  np.testing.assert_array_equal(sparse > 0, expected > eps * 1.0001)


def _identity_encoder_params(width):
  """MVGRLEncoder parameters that make each view's layer its bare propagation ``M x``."""
  view = lambda v: {f"lin_{v}_0": {"kernel": jnp.eye(width)}, f"bias_{v}_0": jnp.zeros(width),
                    f"act_{v}_0": {"slope": jnp.asarray(1.0)}}
  return {"params": {**view("a"), **view("b")}}


@pytest.mark.parametrize("loop", [1.0, 2.0])
def test_window_views_are_blocks_of_the_full_graph_matrices(loop):
  # loop = 2 is the official code's normalize_adj(adj + I), which adds I a second time.
  ds, graph = _csbm(50)
  graph = jax.tree_util.tree_map(jnp.asarray, graph)
  t = _dense_adjacency(ds) + loop * np.eye(50)
  d = 1.0 / np.sqrt(t.sum(1))
  a_hat = d[:, None] * t * d[None, :]
  side = DiffusionSide(self_loop_weight=loop)(graph)
  ppr = np.asarray(side["nodes"]["diffusion"])[:50, :50]
  window = _window(_with_side(graph, side), jnp.asarray(7), 20, ("diffusion",))
  x = np.asarray(graph.nodes["x"])[7:27]
  width = x.shape[1]
  h = MVGRLEncoder(features=(width,)).apply(_identity_encoder_params(width), window)
  assert h.shape == (2, 20, width)
  np.testing.assert_allclose(h[0], a_hat[7:27, 7:27] @ x, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(h[1], ppr[7:27, 7:27] @ x, rtol=1e-4, atol=1e-5)


def test_windows_sampler_draws_count_windows_inside_the_real_nodes():
  _, graph = _csbm(50)
  graph = jax.tree_util.tree_map(jnp.asarray, graph)
  side = DiffusionSide()(graph)
  full = _with_side(graph, side)
  windows = Windows(size=20, count=3)(jax.random.PRNGKey(0), full)
  assert windows.nodes["x"].shape == (3, 20, graph.nodes["x"].shape[1])
  assert windows.nodes["diffusion"].shape == (3, 20, 20)
  starts = _window_starts(jax.random.PRNGKey(0), jnp.int32(50), size=20, batch=3)
  for w, o in enumerate(np.asarray(starts)):
    assert 0 <= o <= 30 and bool(jnp.all(windows.nodes["mask"][w]))
    np.testing.assert_array_equal(windows.nodes["x"][w], graph.nodes["x"][o:o + 20])
    np.testing.assert_array_equal(windows.nodes["diffusion"][w],
                                  side["nodes"]["diffusion"][o:o + 20, o:o + 20])


def _bce(pos, neg):
  softplus = lambda z: np.logaddexp(0.0, z)
  return (softplus(-pos).sum() + softplus(neg).sum()) / (pos.size + neg.size)


def test_loss_scores_each_views_rows_against_the_other_views_summary():
  """Full graph: positives ``D(h_b, s_a)``, ``D(h_a, s_b)``; negatives the same encoders on the
  row-shuffled features against the same summaries; one BCE over all four score sets."""
  ds, graph = _csbm(50)
  graph = jax.tree_util.tree_map(jnp.asarray, graph)
  method = mvgrl(features=(8,), sample_size=None)
  side = prepare_side(method, graph)
  v = method.init(jax.random.PRNGKey(0), graph)
  key = jax.random.PRNGKey(3)
  loss, aux = method.loss(v, key, graph, side=side)
  full = _with_side(graph, side)
  encode = lambda g: np.asarray(method.encoder.apply({"params": v["params"]["encoder"]}, g))
  h_a, h_b = encode(full)[:, :50]
  c_a, c_b = encode(augment.shuffle_features(key, full))[:, :50]
  w = np.asarray(v["params"]["discriminator"]["kernel"])
  b = float(v["params"]["discriminator"]["bias"])
  summary = lambda h: 1.0 / (1.0 + np.exp(-h.mean(axis=0)))
  s_a, s_b = summary(h_a), summary(h_b)
  d = lambda h, s: h @ (w @ s) + b
  pos = np.concatenate([d(h_b, s_a), d(h_a, s_b)])
  neg = np.concatenate([d(c_b, s_a), d(c_a, s_b)])
  np.testing.assert_allclose(float(loss), _bce(pos, neg), rtol=1e-5)
  assert aux["updates"] == {}
  # Embeddings: h_a + h_b, zero on padding rows.
  emb = np.asarray(method.embed(v, graph, side=side))
  assert emb.shape == (graph.nodes["x"].shape[0], 8) and np.all(emb[50:] == 0)
  np.testing.assert_allclose(emb[:50], h_a + h_b, rtol=1e-6, atol=1e-6)
  del ds


def test_windowed_loss_is_one_bce_over_all_windows():
  _, graph = _csbm(50)
  graph = jax.tree_util.tree_map(jnp.asarray, graph)
  method = mvgrl(features=(8,), sample_size=20, batch_size=3)
  side = prepare_side(method, graph)
  v = method.init(jax.random.PRNGKey(0), graph)
  loss = jax.jit(method.loss)(v, jax.random.PRNGKey(1), graph, side=side)[0]
  k_sample, k_corrupt = jax.random.split(jax.random.PRNGKey(1))
  windows = method.sampler(k_sample, _with_side(graph, side))
  pos, neg = [], []
  for i in range(3):
    window = jax.tree_util.tree_map(lambda a: a[i], windows)
    p, n = method._net().apply(v, window, augment.shuffle_features(k_corrupt, window))
    pos.append(np.asarray(p))
    neg.append(np.asarray(n))
  np.testing.assert_allclose(float(loss), _bce(np.stack(pos), np.stack(neg)), rtol=1e-5)


def test_diffusion_is_a_side_input_never_in_the_train_state_or_checkpoints(tmp_path):
  _, graph = _csbm(50)
  slots = graph.nodes["x"].shape[0]
  method = mvgrl(features=(8,), sample_size=20, batch_size=2)
  state = train.create_train_state(jax.random.PRNGKey(0), method,
                                   train.make_optimizer(learning_rate=0.01), graph)
  square = lambda tree: [a.shape for a in jax.tree_util.tree_leaves(tree)
                         if np.ndim(a) == 2 and a.shape == (slots, slots)]
  assert set(state.variables) == {"params"} and square(state) == []
  side = prepare_side(method, graph)
  assert side["nodes"]["diffusion"].shape == (slots, slots)
  ckpt = train.Checkpointer(tmp_path / "ckpt")
  try:
    fitted = train.fit(state, train.make_train_step(method), jax.device_put(graph), epochs=2,
                       checkpointer=ckpt, side=side)
  finally:
    ckpt.close()
  assert square(fitted.state) == []
  with train.Checkpointer(tmp_path / "ckpt") as fresh:
    variables, epoch = fresh.restore_variables()
  assert epoch == 2 and set(variables) == {"params"} and square(variables) == []
  emb = method.embed(variables, graph, side=side)
  np.testing.assert_allclose(emb, method.embed(fitted.state.variables, graph, side=side))
  with pytest.raises(ValueError, match="pass side="):
    method.loss(variables, jax.random.PRNGKey(0), graph)


def test_validation():
  with pytest.raises(ValueError, match="sample_size"):
    mvgrl(sample_size=1)
  with pytest.raises(ValueError, match="alpha"):
    mvgrl(alpha=0.0)
  with pytest.raises(ValueError, match="epsilon"):
    mvgrl(epsilon=-1.0)
  with pytest.raises(ValueError, match="self_loop_weight"):
    mvgrl(self_loop_weight=-1.0)
  with pytest.raises(ValueError, match="discriminator_init"):
    mvgrl(discriminator_init="xavier")
  _, graph = _csbm(40)
  with pytest.raises(ValueError, match="two views"):  # cross-view pairing needs [2, N, D] rows
    mvgrl(encoder=models.GCN(features=(4,))).init(jax.random.PRNGKey(0), graph)


@pytest.mark.parametrize("dataset", ["cora", "citeseer"])
def test_full_config_differs_from_the_windowed_one_only_in_the_sampler(dataset):
  from experiments import common  # pylint: disable=import-outside-toplevel
  path = common.find_config_file("mvgrl")
  windows, full = (common.load_config(f"{path}:{v}") for v in (dataset, f"{dataset}-full"))
  diff = common.diff_configs(common.config_to_dict(windows), common.config_to_dict(full))
  assert len(diff) == 1 and "model.sample_size" in diff[0]
  assert common.validate(full).method.sampler is None
  assert common.validate(windows).method.sampler == Windows(size=2000, count=4)
  # Equal configs build equal methods (the launcher's compiled steps are cached by method).
  assert common.validate(windows).method == common.validate(windows).method


@pytest.mark.parametrize("n,s", [(11, 4), (10, 9), (7, 1), (2708, 2000)])
def test_window_coverage_counts_every_start(n, s):
  hits = np.zeros(n)
  for start in range(n - s + 1):          # every start the sampler can draw, equally likely
    hits[start:start + s] += 1
  cov = window_coverage(n, sample_size=s)
  np.testing.assert_allclose(cov, hits / (n - s + 1))
  assert cov.sum() == pytest.approx(s)    # a window holds s nodes
  # The middle nodes are in every window exactly when the windows overlap all starts.
  assert (cov.max() == 1.0) == (s >= n - s + 1)


def test_window_coverage_matches_the_samplers_draws():
  n, s, draws = 30, 12, 20_000
  starts = np.asarray(_window_starts(jax.random.PRNGKey(0), jnp.int32(n), size=s, batch=draws))
  hits = np.zeros(n)
  for start in starts:
    hits[start:start + s] += 1
  np.testing.assert_allclose(hits / draws, window_coverage(n, sample_size=s), atol=0.02)


def test_window_coverage_full_graph_and_validation():
  np.testing.assert_array_equal(window_coverage(5, sample_size=None), np.ones(5))
  np.testing.assert_array_equal(window_coverage(5, sample_size=9), np.ones(5))
  with pytest.raises(ValueError, match="num_nodes"):
    window_coverage(0)
  with pytest.raises(ValueError, match="sample_size"):
    window_coverage(5, sample_size=0)

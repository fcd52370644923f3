"""Tests of the jgssl.models encoders: dense references, masks, padding, jit, options."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jgssl import graph as graph_lib
from jgssl import models

KEY = jax.random.key(0)

# A "rich" configuration per encoder: every deterministic option that touches masks is on.
RICH = {
    "gcn": lambda **kw: models.GCN(**{**dict(features=(6, 4), norm="batch", activation="prelu",
                                            residual=True), **kw}),
    "gat": lambda **kw: models.GAT(**{**dict(features=(6, 4), heads=(2, 2), concat=(True, False),
                                            norm="batch", activation="elu", residual=True), **kw}),
    "gin": lambda **kw: models.GIN(**{**dict(features=(6, 4), norm="batch", mlp_norm="batch",
                                            learn_eps=True, eps=0.3, activation="prelu",
                                            residual=True), **kw}),
    "sage": lambda **kw: models.GraphSAGE(**{**dict(features=(6, 4), norm="batch",
                                                   activation="relu", residual=True), **kw}),
    "mlp": lambda **kw: models.MLP(**{**dict(features=(6, 4), norm="layer", activation="gelu",
                                            residual=True), **kw}),
}
NAMES = sorted(RICH)


def _train(tools, enc, v, g):
  out, upd = tools.apply(enc, v, g, training=True, mutable=["batch_stats"])
  return np.asarray(out), upd.get("batch_stats", {})


def _assert_tree_close(a, b, **kw):
  jax.tree_util.tree_map(lambda x, y: np.testing.assert_allclose(x, y, **kw), a, b)


# ---------------------------------------------------------------------------------------------
# Dense references
# ---------------------------------------------------------------------------------------------


def _augmented_graph(tools, rng):
  """Weighted graph with one masked edge pair and one dropped node."""
  g = tools.random_graph(rng, weighted=True)
  edge_mask = np.ones(g.senders.shape[0], bool)
  edge_mask[[0, 3]] = False
  node_mask = np.ones(7, bool)
  node_mask[2] = False
  return tools.set(g, node_mask=node_mask, edge_mask=edge_mask)


def test_gcn_matches_dense_normalised_adjacency(tools, rng):
  g = tools.pad(_augmented_graph(tools, rng), extra_nodes=3, extra_edges=4)
  enc = models.GCN(features=(4,), activation="identity")
  v = tools.init(enc, g)
  out = np.asarray(tools.apply(enc, v, g))
  p = v["params"]["conv_0"]
  a = tools.dense_adjacency(g)
  present = np.asarray(g.nodes["mask"], np.float64)
  deg = a.sum(1) + present
  inv = np.where(deg > 0, 1 / np.sqrt(np.maximum(deg, 1e-12)), 0)
  a_hat = inv[:, None] * (a + np.diag(present)) * inv[None, :]
  ref = a_hat @ np.asarray(g.nodes["x"], np.float64) @ np.asarray(p["linear"]["kernel"])
  ref = (ref + np.asarray(p["bias"])) * present[:, None]
  np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_gcn_normalisation_follows_augmented_masks(tools, rng):
  """Dropping an edge changes the degree normalisation of its end nodes (recomputed per call)."""
  g = tools.random_graph(rng)
  enc = models.GCN(features=(3,), activation="identity")
  v = tools.init(enc, g)
  m = np.ones(g.senders.shape[0], bool)
  m[0] = False  # one direction only: only the receiver's degree changes
  out_full = np.asarray(tools.apply(enc, v, g))
  out_drop = np.asarray(tools.apply(enc, v, tools.set(g, edge_mask=m)))
  changed = {int(g.receivers[0])} | set(int(r) for r in g.receivers[g.senders == g.receivers[0]])
  diff = np.abs(out_full - out_drop).max(1) > 1e-6
  assert diff[int(g.receivers[0])]
  assert set(np.flatnonzero(diff)) <= changed


@pytest.mark.parametrize("eps, learn", [(0.0, False), (0.5, False), (0.5, True)])
def test_gin_matches_dense_sum_then_mlp(tools, rng, eps, learn):
  g = tools.pad(_augmented_graph(tools, rng), extra_nodes=2, extra_edges=3)
  enc = models.GIN(features=(4,), hidden_features=8, eps=eps, learn_eps=learn,
                   last_activation=False)
  v = tools.init(enc, g, real=learn)
  p = v["params"]["conv_0"]
  assert ("eps" in p) == learn
  if learn:
    assert float(p["eps"]) == pytest.approx(eps)
  out = np.asarray(tools.apply(enc, v, g))
  present = np.asarray(g.nodes["mask"], np.float64)
  x = np.asarray(g.nodes["x"], np.float64) * present[:, None]
  z = (tools.dense_adjacency(g) + (1 + eps) * np.eye(len(present))) @ x
  k0, b0 = np.asarray(p["mlp_0"]["kernel"]), np.asarray(p["mlp_0"]["bias"])
  k1, b1 = np.asarray(p["mlp_1"]["kernel"]), np.asarray(p["mlp_1"]["bias"])
  ref = (np.maximum(z @ k0 + b0, 0) @ k1 + b1) * present[:, None]
  np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
  if learn:  # eps gets a gradient
    grad = tools.fast_jit(jax.grad(lambda q: jnp.sum(enc.apply(q, g) ** 2)))(v)
    assert float(jnp.abs(grad["params"]["conv_0"]["eps"])) > 0


def test_sage_matches_dense_mean(tools, rng):
  g = tools.pad(_augmented_graph(tools, rng), extra_nodes=2, extra_edges=2)
  enc = models.GraphSAGE(features=(4,), activation="identity")
  v = tools.init(enc, g)
  p = v["params"]["conv_0"]
  out = np.asarray(tools.apply(enc, v, g))
  present = np.asarray(g.nodes["mask"], np.float64)
  x = np.asarray(g.nodes["x"], np.float64) * present[:, None]
  a = tools.dense_adjacency(g)
  deg = a.sum(1)
  mean = (a @ x) / np.where(deg > 0, deg, 1)[:, None]
  ref = (mean @ np.asarray(p["lin_neigh"]["kernel"]) + np.asarray(p["lin_neigh"]["bias"])
         + x @ np.asarray(p["lin_root"]["kernel"])) * present[:, None]
  np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
  assert deg[6] == 0  # the isolated node got a zero mean and only its root term
  no_root = models.GraphSAGE(features=(4,), root_weight=False)
  assert "lin_root" not in jax.eval_shape(no_root.init, KEY, g)["params"]["conv_0"]


def _dense_gat(g, p, heads, per_head, concat, slope=0.2):
  x = np.asarray(g.nodes["x"], np.float64) * np.asarray(g.nodes["mask"])[:, None]
  n = x.shape[0]
  present = np.asarray(g.nodes["mask"])
  adj = _adjacency_bool(g)
  wh = (x @ np.asarray(p["linear"]["kernel"])).reshape(n, heads, per_head)
  s_src = (wh * np.asarray(p["att_src"])).sum(-1)
  s_dst = (wh * np.asarray(p["att_dst"])).sum(-1)
  out = np.zeros((n, heads, per_head))
  for i in range(n):
    if not present[i]:
      continue
    nbrs = sorted(set(np.flatnonzero(adj[i])) | {i})
    e = s_src[nbrs] + s_dst[i]
    e = np.where(e > 0, e, slope * e)
    alpha = np.exp(e - e.max(0))
    alpha /= alpha.sum(0)
    out[i] = np.einsum("jh,jhc->hc", alpha, wh[nbrs])
  out = out.reshape(n, heads * per_head) if concat else out.mean(1)
  return (out + np.asarray(p["bias"])) * present[:, None]


def _adjacency_bool(g):
  m = np.asarray(graph_lib.edge_mask(g))
  n = g.nodes["mask"].shape[0]
  a = np.zeros((n, n), bool)
  a[np.asarray(g.receivers)[m], np.asarray(g.senders)[m]] = True
  return a


@pytest.mark.parametrize("heads, concat", [(1, True), (2, True), (3, False)])
def test_gat_matches_dense_attention(tools, rng, heads, concat):
  g = tools.pad(_augmented_graph(tools, rng), extra_nodes=2, extra_edges=2)
  width = 6
  enc = models.GAT(features=(width,), heads=heads, concat=concat, activation="identity")
  v = tools.init(enc, g)
  p = v["params"]["conv_0"]
  per_head = width // heads if concat else width
  assert p["att_src"].shape == (heads, per_head)
  out = np.asarray(tools.apply(enc, v, g))
  assert out.shape == (g.nodes["x"].shape[0], width)
  np.testing.assert_allclose(out, _dense_gat(g, p, heads, per_head, concat), rtol=1e-4, atol=1e-5)


def test_gat_attention_rows_sum_to_one_over_present_in_edges(tools, rng):
  g = tools.pad(_augmented_graph(tools, rng), extra_nodes=3, extra_edges=5)
  enc = models.GAT(features=(4,), heads=2)
  v = tools.init(enc, g)
  _, state = tools.apply(enc, v, g, mutable=["intermediates"])
  (alpha_e, alpha_s), = state["intermediates"]["conv_0"]["attention"]
  alpha_e, alpha_s = np.asarray(alpha_e), np.asarray(alpha_s)
  emask = np.asarray(graph_lib.edge_mask(g))
  present = np.asarray(g.nodes["mask"])
  assert np.all(alpha_e[~emask] == 0) and np.all(alpha_s[~present] == 0)
  n = present.shape[0]
  row = np.zeros((n, 2))
  np.add.at(row, np.asarray(g.receivers), alpha_e)
  row += alpha_s
  np.testing.assert_allclose(row[present], 1.0, rtol=1e-5)
  np.testing.assert_array_equal(row[~present], 0.0)
  # the isolated node attends only to itself
  np.testing.assert_allclose(alpha_s[6], 1.0)


def test_gat_without_self_loops_isolated_node_outputs_bias_and_grads_finite(tools, rng):
  g = tools.pad(_augmented_graph(tools, rng), extra_nodes=2, extra_edges=2)
  enc = models.GAT(features=(4,), heads=2, add_self_loops=False, activation="identity")
  v = tools.init(enc, g)
  v = jax.tree_util.tree_map(lambda x: x, v)
  v["params"]["conv_0"]["bias"] = jnp.arange(4.0)
  out = np.asarray(tools.apply(enc, v, g))
  np.testing.assert_allclose(out[6], np.arange(4.0))  # isolated: no attention at all
  grads = tools.fast_jit(jax.grad(lambda q: jnp.sum(jnp.sin(enc.apply(q, g)))))(v)
  assert all(np.all(np.isfinite(x)) for x in jax.tree_util.tree_leaves(grads))


# ---------------------------------------------------------------------------------------------
# Masks and padding, every encoder. One jitted runner per encoder, and graphs padded to a few
# shared budgets, so each encoder compiles a handful of times for all these tests.
# ---------------------------------------------------------------------------------------------

BUDGET_A = graph_lib.PaddingBudget(n_node=9, n_edge=20, n_graph=3)
BUDGET_B = graph_lib.PaddingBudget(n_node=16, n_edge=33, n_graph=5)


@functools.lru_cache(maxsize=None)
def _runner(name):
  """(encoder, variables, jitted f(v, g) -> (eval_out, train_out, batch_stats))."""
  enc = RICH[name]()

  def run(v, g):
    out, upd = enc.apply(v, g, training=True, mutable=["batch_stats"])
    return enc.apply(v, g), out, upd.get("batch_stats", {})

  g0 = graph_lib.pad_graph(_base_graph(), BUDGET_A)
  fast_jit = functools.partial(jax.jit,
                               compiler_options={"xla_backend_optimization_level": 0})
  return enc, _random_variables(enc, g0), fast_jit(run)


def _random_variables(enc, g):
  """Variables with the structure of ``enc.init`` and seeded random values (no compilation)."""
  rng = np.random.default_rng(1)
  shapes = jax.eval_shape(enc.init, KEY, g)
  return jax.tree_util.tree_map_with_path(
      lambda path, leaf: jnp.asarray(
          rng.uniform(0.5, 1.5, leaf.shape) if str(getattr(path[-1], "key", "")) == "var"
          else rng.normal(0.0, 0.5, leaf.shape), leaf.dtype), shapes)


# 7 nodes, 9 undirected edges (18 directed), node 6 isolated.
EDGES = np.array([[0, 0, 1, 1, 2, 3, 4, 5, 3], [1, 2, 2, 3, 4, 4, 5, 0, 5]])


def _base_graph():
  x = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)
  return graph_lib.from_edge_index(EDGES, num_nodes=7, node_features=x)


def _run(name, g):
  _, v, run = _runner(name)
  ev, tr, st = run(v, g)
  return np.asarray(ev), np.asarray(tr), st


@pytest.mark.parametrize("name", NAMES)
def test_padding_invariance_eval_and_training(tools, name):
  g = _base_graph()
  node_mask = np.ones(7, bool)
  node_mask[2] = False
  g = tools.set(g, node_mask=node_mask)
  ref_ev, ref_tr, ref_st = _run(name, g)  # unpadded
  assert bool(ref_st) == (name != "mlp")  # batch norm kept statistics
  for budget in (BUDGET_A, BUDGET_B):
    ev, tr, st = _run(name, graph_lib.pad_graph(g, budget))
    np.testing.assert_allclose(ev[:7], ref_ev, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tr[:7], ref_tr, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(ev[7:], 0.0)  # padding rows are zero
    np.testing.assert_array_equal(tr[7:], 0.0)
    _assert_tree_close(st, ref_st, rtol=1e-5, atol=1e-6)  # statistics over present real nodes
  np.testing.assert_array_equal(ref_tr[2], 0.0)  # the dropped node outputs zero


@pytest.mark.parametrize("name", NAMES)
def test_masked_edge_equals_removed_edge(tools, name):
  g = _base_graph()
  s, r = int(g.senders[0]), int(g.receivers[0])
  m = ~(((g.senders == s) & (g.receivers == r)) | ((g.senders == r) & (g.receivers == s)))
  masked = tools.set(g, edge_mask=m)
  ei = np.stack([g.senders[m], g.receivers[m]])
  removed = graph_lib.from_edge_index(ei, num_nodes=7, node_features=g.nodes["x"],
                                      symmetrize=False)
  ev_m, tr_m, st_m = _run(name, graph_lib.pad_graph(masked, BUDGET_A))
  ev_r, tr_r, st_r = _run(name, graph_lib.pad_graph(removed, BUDGET_A))
  np.testing.assert_allclose(ev_m, ev_r, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(tr_m, tr_r, rtol=1e-4, atol=1e-5)
  _assert_tree_close(st_m, st_r, rtol=1e-5, atol=1e-6)
  if name != "mlp":  # the edge mattered
    ev_full, _, _ = _run(name, graph_lib.pad_graph(g, BUDGET_A))
    assert np.abs(ev_full - ev_m).max() > 1e-4


@pytest.mark.parametrize("name", NAMES)
def test_dropped_node_sends_nothing(tools, name):
  g = _base_graph()
  k = int(np.bincount(g.receivers, minlength=7).argmax())  # a node with neighbours
  node_mask = np.ones(7, bool)
  node_mask[k] = False
  dropped = tools.set(g, node_mask=node_mask)
  x2 = np.array(g.nodes["x"])
  x2[k] = 100.0
  # 1. its features do not matter, not even for training-mode batch statistics
  ev_a, tr_a, st_a = _run(name, graph_lib.pad_graph(dropped, BUDGET_A))
  ev_b, tr_b, st_b = _run(name, graph_lib.pad_graph(tools.set(dropped, node_x=x2), BUDGET_A))
  np.testing.assert_allclose(tr_a, tr_b, rtol=1e-5, atol=1e-6)
  _assert_tree_close(st_a, st_b, rtol=1e-5, atol=1e-6)
  np.testing.assert_array_equal(tr_a[k], 0.0)
  np.testing.assert_array_equal(ev_a[k], 0.0)
  # 2. in eval mode (no batch statistics) the other nodes see the graph with k's edges removed
  keep = (g.senders != k) & (g.receivers != k)
  ev_iso, _, _ = _run(name, graph_lib.pad_graph(tools.set(g, edge_mask=keep), BUDGET_A))
  others = np.arange(7) != k
  np.testing.assert_allclose(ev_a[:7][others], ev_iso[:7][others], rtol=1e-4, atol=1e-5)
  if name != "mlp":  # and that differs from keeping k
    ev_full, _, _ = _run(name, graph_lib.pad_graph(g, BUDGET_A))
    assert np.abs(ev_full[:7][others] - ev_a[:7][others]).max() > 1e-4


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_params_are_plain_dicts_and_jit_traces_once(tools, name):
  g = graph_lib.pad_graph(_base_graph(), BUDGET_A)
  enc, v, _ = _runner(name)

  def all_dicts(tree):
    return isinstance(tree, dict) and all(
        all_dicts(t) if not hasattr(t, "shape") else True for t in tree.values())

  assert type(v) is dict and all_dicts(v)
  traces = []

  @tools.fast_jit
  def step(params, stats, graph):
    traces.append(1)

    def loss(p):
      out, upd = enc.apply({"params": p, **stats}, graph, training=True,
                           mutable=["batch_stats"])
      return jnp.sum(out ** 2), upd
    (val, upd), grads = jax.value_and_grad(loss, has_aux=True)(params)
    opt = optax.sgd(0.1)
    updates, _ = opt.update(grads, opt.init(params))
    return val, grads, optax.apply_updates(params, updates), upd

  stats = {k: val for k, val in v.items() if k != "params"}
  val, grads, new_params, _ = step(v["params"], stats, g)
  node_mask = np.asarray(g.nodes["mask"]).copy()
  node_mask[0] = False
  step(new_params, stats, tools.set(g, node_mask=node_mask))
  assert len(traces) == 1  # masks changed, shapes did not: one compilation
  _, tr, _ = _run(name, g)
  np.testing.assert_allclose(val, np.sum(tr ** 2), rtol=1e-4)
  assert all(np.all(np.isfinite(x)) for x in jax.tree_util.tree_leaves(grads))
  assert jax.tree_util.tree_structure(new_params) == jax.tree_util.tree_structure(v["params"])


@pytest.mark.parametrize("name", NAMES)
def test_return_layers_and_last_activation(tools, name):
  g = graph_lib.pad_graph(_base_graph(), BUDGET_A)
  _, v, _ = _runner(name)
  enc = RICH[name](norm="none", activation="relu", return_layers=True)
  v = {**v, "params": {k: p for k, p in v["params"].items() if not k.startswith(("norm", "act"))}}

  @jax.jit
  def run(v, g):
    return (enc.apply(v, g), enc.clone(return_layers=False).apply(v, g),
            enc.clone(return_layers=False, last_activation=False).apply(v, g))

  layers, last, linear_out = run(v, g)
  assert isinstance(layers, list) and [l.shape for l in layers] == [(9, 6), (9, 4)]
  np.testing.assert_allclose(layers[-1], last, rtol=1e-6)
  assert float(jnp.min(last)) >= 0.0  # relu after the last layer
  assert float(jnp.min(linear_out)) < 0.0
  np.testing.assert_allclose(jnp.maximum(linear_out, 0), last, rtol=1e-5, atol=1e-6)


def test_identity_residual_and_projected_residual(tools, rng):
  g = tools.random_graph(rng)
  enc = models.GCN(features=(5, 3), residual=True, activation="identity")
  v = tools.init(enc, g)
  assert "residual_0" not in v["params"]  # 5 -> 5: identity
  assert v["params"]["residual_1"]["kernel"].shape == (5, 3)
  zero_conv = jax.tree_util.tree_map(jnp.zeros_like, v)
  zero_conv["params"]["residual_1"] = v["params"]["residual_1"]
  out = np.asarray(tools.apply(enc, zero_conv, g))
  np.testing.assert_allclose(out, np.asarray(g.nodes["x"]) @ np.asarray(
      v["params"]["residual_1"]["kernel"]), rtol=1e-5, atol=1e-6)


def test_order_act_norm_gives_normalised_outputs(tools, rng):
  g = tools.pad(tools.random_graph(rng), extra_nodes=3)
  present = np.asarray(g.nodes["mask"])
  enc = models.GIN(features=(8,), norm="batch", order="act_norm")
  v = tools.init(enc, g)
  out, _ = _train(tools, enc, v, g)
  bn = v["params"]["norm_0"]["bn"]  # BN last: column mean over present nodes = BN bias
  np.testing.assert_allclose(out[present].mean(0), bn["bias"], atol=1e-5)
  assert np.any(out[present] < 0)
  enc2 = enc.clone(order="norm_act")
  out2, _ = _train(tools, enc2, v, g)
  assert out2.min() >= 0.0 and not np.allclose(out, out2)  # relu last: non-negative


def test_batch_norm_running_stats_update_with_pytorch_momentum(tools, rng):
  g = tools.pad(tools.random_graph(rng), extra_nodes=4)
  enc = models.MLP(features=(3,), norm="batch", activation="identity", bn_momentum=0.25)
  v = tools.init(enc, g)
  _, stats = _train(tools, enc, v, g)
  present = np.asarray(g.nodes["mask"])
  p = v["params"]["conv_0"]["linear"]
  pre = np.asarray(g.nodes["x"], np.float64)[present] @ np.asarray(p["kernel"]) + np.asarray(
      p["bias"])
  old = v["batch_stats"]["norm_0"]["bn"]
  np.testing.assert_allclose(stats["norm_0"]["bn"]["mean"],
                             0.75 * np.asarray(old["mean"]) + 0.25 * pre.mean(0), rtol=1e-4,
                             atol=1e-6)
  np.testing.assert_allclose(stats["norm_0"]["bn"]["var"],
                             0.75 * np.asarray(old["var"]) + 0.25 * pre.var(0, ddof=1), rtol=1e-4)


def test_dropout_needs_rng_and_is_reproducible(tools, rng):
  g = tools.pad(tools.random_graph(rng), extra_nodes=3)
  enc = models.GAT(features=(8, 4), heads=2, dropout=0.5, attn_dropout=0.5)
  v = tools.init(enc, g)
  ev = np.asarray(tools.apply(enc, v, g))
  a = np.asarray(tools.apply(enc, v, g, training=True, rng=3))
  b = np.asarray(tools.apply(enc, v, g, training=True, rng=3))
  c = np.asarray(tools.apply(enc, v, g, training=True, rng=4))
  np.testing.assert_array_equal(a, b)
  assert not np.allclose(a, c) and not np.allclose(a, ev)
  np.testing.assert_array_equal(a[7:], 0.0)
  with pytest.raises(Exception, match="dropout"):
    jax.eval_shape(lambda: enc.apply(v, g, training=True))


@pytest.mark.parametrize("kwargs, match", [
    (dict(features=()), "non-empty"),
    (dict(features=8), "sequence"),
    (dict(features=(4,), activation="softmax"), "activation"),
    (dict(features=(4,), norm="group"), "norm"),
    (dict(features=(4,), dropout=1.0), "dropout"),
    (dict(features=(4,), order="act_first"), "order"),
])
def test_bad_options_raise(kwargs, match):
  with pytest.raises(ValueError, match=match):
    models.GCN(**kwargs)


def test_gat_and_gin_option_checks(tools, rng):
  with pytest.raises(ValueError, match="divisible"):
    models.GAT(features=(6,), heads=4)
  with pytest.raises(ValueError, match="one per layer"):
    models.GAT(features=(8, 8), heads=(2, 2, 2))
  with pytest.raises(ValueError, match="mlp_layers"):
    models.GIN(features=(4,), mlp_layers=0)
  with pytest.raises(ValueError, match="unknown encoder"):
    models.make_encoder("gcnn", features=(4,))
  assert isinstance(models.make_encoder("SAGE", features=(4,)), models.GraphSAGE)
  g = tools.random_graph(rng)
  bad = g._replace(nodes={"x": g.nodes["x"]})
  with pytest.raises(ValueError, match="'mask'"):
    models.GCN(features=(4,)).init(KEY, bad)


@pytest.mark.parametrize("build, expect", [
    # DGI: one GCN layer 512, PReLU
    (lambda: models.GCN(features=(512,), activation="prelu"),
     {"conv_0/linear/kernel": (5, 512), "act_0/prelu/slope": ()}),
    # GRACE Cora: 2-layer GCN, first layer 2x wide, activation after both
    (lambda: models.GCN(features=(256, 128)), {"conv_1/linear/kernel": (256, 128)}),
    # BGRL: GCN + BatchNorm (PyTorch momentum 0.99, as BGRL passes it) + PReLU after every layer
    (lambda: models.GCN(features=(512, 256), norm="batch", activation="prelu",
                        bn_momentum=0.99),
     {"norm_1/bn/scale": (256,), "act_1/prelu/slope": ()}),
    # G-BT: BN (momentum 0.01) + PReLU after layer 1 only
    (lambda: models.GCN(features=(16, 8), norm="batch", activation="prelu", bn_momentum=0.01,
                        last_norm=False, last_activation=False),
     {"norm_0/bn/scale": (16,), "!norm_1": None, "!act_1": None}),
    # GraphMAE Cora: GAT 2 layers, hidden 512 total, 4 heads, PReLU, in_drop .2, attn_drop .1
    (lambda: models.GAT(features=(512, 512), heads=4, activation="prelu", dropout=0.2,
                        attn_dropout=0.1),
     {"conv_0/att_src": (4, 128), "conv_1/linear/kernel": (512, 512)}),
    # GraphMAE PPI: residual + layer norm
    (lambda: models.GAT(features=(64, 64, 64), heads=4, activation="prelu", residual=True,
                        norm="layer"),
     {"residual_0/kernel": (5, 64), "!residual_1": None, "norm_2/ln/scale": (64,)}),
    # GraphMAE MUTAG: GIN with BN inside and after the MLP
    (lambda: models.GIN(features=(32,) * 5, activation="prelu", norm="batch", mlp_norm="batch"),
     {"conv_4/mlp_norm_0/bn/scale": (32,), "norm_4/bn/bias": (32,)}),
    # GraphCL / InfoGraph: GIN 3 x 32, relu then BN, sum pooling of every layer
    (lambda: models.GIN(features=(32, 32, 32), norm="batch", order="act_norm",
                        return_layers=True),
     {"conv_2/mlp_1/kernel": (32, 32), "!conv_2/eps": None}),
])
def test_paper_encoders_are_expressible(tools, rng, build, expect):
  g = tools.pad(tools.random_graph(rng), extra_nodes=2)
  enc = build()
  v = jax.eval_shape(enc.init, KEY, g)  # shapes only: no compilation
  flat = {"/".join(str(getattr(k, "key", k)) for k in path): leaf.shape
          for path, leaf in jax.tree_util.tree_flatten_with_path(v["params"])[0]}
  for key, shape in expect.items():
    if key.startswith("!"):
      assert not any(f.startswith(key[1:]) for f in flat), key
    else:
      assert flat[key] == shape, key
  out = jax.eval_shape(lambda v: enc.apply(v, g, training=True, mutable=["batch_stats"],
                                           rngs={"dropout": KEY})[0], v)
  if isinstance(out, list):
    graph_vec = jax.eval_shape(lambda o: models.concat_layer_readouts(o, g, readout="sum"), out)
    assert graph_vec.shape == (g.n_node.shape[0], 96)
  else:
    assert out.shape[0] == g.nodes["x"].shape[0]

"""The method contract as the engine reads it: plain objects train, optional members stay
optional, side inputs stay out of the train state and the checkpoints."""

import types

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jgssl import graph as G
from jgssl import methods, models, train
from jgssl.methods import contract

import train_recipes as R


@pytest.fixture(scope="module")
def node_graph():
  return G.pad_graph(R.random_graph(0, num_nodes=20), G.PaddingBudget(n_node=24, n_edge=160))


def _namespace_method(hidden=8):
  """A method written as three closures: no class, no post_update, no level attribute."""
  enc = models.GCN(features=(hidden,))

  def loss(variables, key, graph):
    noise = 0.1 * jax.random.normal(key, graph.nodes["x"].shape)
    h1 = enc.apply(variables, graph)
    h2 = enc.apply(variables, G.with_node_features(graph, graph.nodes["x"] + noise))
    rows = jnp.sum((h1 - h2) ** 2, axis=-1) - 0.01 * jnp.sum(h1 ** 2, -1)
    mask = graph.nodes["mask"]
    return jnp.sum(jnp.where(mask, rows, 0.0)) / jnp.sum(mask), {}

  return types.SimpleNamespace(init=lambda key, graph: dict(enc.init(key, graph)), loss=loss,
                               embed=lambda variables, graph: enc.apply(variables, graph))


def test_a_simple_namespace_is_a_method_and_trains(node_graph, tmp_path):
  method = _namespace_method()
  assert isinstance(method, methods.Method)
  assert not isinstance(types.SimpleNamespace(init=1, loss=2), methods.Method)
  state = train.create_train_state(jax.random.PRNGKey(0), method, optax.adam(1e-2), node_graph)
  before = jax.tree_util.tree_map(np.asarray, state.params)
  ck = train.Checkpointer(tmp_path / "ck")
  try:
    res = train.fit(state, train.make_train_step(method), node_graph, epochs=3, checkpointer=ck)
  finally:
    ck.close()
  assert len(res.history) == 3 and all(np.isfinite(r.loss) for r in res.history)
  changed = jax.tree_util.tree_map(lambda a, b: not np.allclose(a, b), before, res.state.params)
  assert any(jax.tree_util.tree_leaves(changed))
  emb = train.make_embed_fn(method)(res.state.variables, node_graph)
  assert emb.shape == (node_graph.nodes["x"].shape[0], 8)


class _WithSide(nn.Module):
  @nn.compact
  def __call__(self, x, prop):
    return prop @ nn.Dense(4)(x)


def _side_method(calls):
  """A method whose ``prepare`` returns a dense [N, N] propagation matrix (like a diffusion)."""
  net = _WithSide()

  def prepare(graph):
    calls.append("prepare")
    n = graph.nodes["x"].shape[0]
    return {"prop": jnp.full((n, n), 1.0 / n) + jnp.eye(n)}

  def init(key, graph):
    n = graph.nodes["x"].shape[0]
    return dict(net.init(key, graph.nodes["x"], jnp.eye(n)))

  def loss(variables, key, graph, *, side):
    del key
    h = net.apply(variables, graph.nodes["x"], side["prop"])
    return jnp.mean((h - 1.0) ** 2), {}

  def embed(variables, graph, *, side):
    return net.apply(variables, graph.nodes["x"], side["prop"])

  return types.SimpleNamespace(init=init, loss=loss, embed=embed, prepare=prepare)


def test_side_input_reaches_loss_and_embed_but_not_the_state(node_graph, tmp_path):
  calls = []
  method = _side_method(calls)
  side = contract.prepare_side(method, node_graph)
  n = node_graph.nodes["x"].shape[0]
  state = train.create_train_state(jax.random.PRNGKey(1), method, optax.adam(1e-2), node_graph)
  shapes = [a.shape for a in jax.tree_util.tree_leaves(state)]
  assert (n, n) not in shapes  # the side input is not part of the state
  ck = train.Checkpointer(tmp_path / "ck", max_to_keep=5)
  try:
    res = train.fit(state, train.make_train_step(method), node_graph, epochs=4, checkpointer=ck,
                    checkpoint_every=2, side=side)
    restored, _ = ck.restore_variables()
  finally:
    ck.close()
  assert res.history[-1].loss < res.history[0].loss
  assert (n, n) not in [np.shape(a) for a in jax.tree_util.tree_leaves(restored)]
  emb = train.make_embed_fn(method)(res.state.variables, node_graph, side)
  assert emb.shape == (n, 4) and np.all(np.isfinite(emb))
  with pytest.raises(TypeError):  # a method with prepare needs its side input
    train.make_train_step(method)(res.state, node_graph)


def test_rows_strategy_needs_a_method_that_shards_rows():
  mesh = train.make_mesh()
  with pytest.raises(ValueError, match="anchor-row sharding"):
    train.make_train_step(_namespace_method(), strategy="rows", mesh=mesh)


def test_post_update_is_called_only_when_present(node_graph):
  seen = []
  base = _namespace_method()

  def post_update(variables, *, step):
    seen.append(step)
    return variables

  with_post = types.SimpleNamespace(**vars(base), post_update=post_update)
  for method in (base, with_post):
    state = train.create_train_state(jax.random.PRNGKey(0), method, optax.sgd(1e-2), node_graph)
    state, metrics = train.make_train_step(method, donate=False)(state, node_graph)
    assert bool(metrics["finite"]) and int(state.step) == 1
  assert len(seen) == 1  # traced once, for the method that has it

"""TwoViewContrast: the skeleton trains with different encoders on real graphs (Cora, MUTAG), and
your own Flax encoder, view functions and objective plug in."""

import dataclasses
import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import margins
from jgssl import augment, losses, models, train
from jgssl import graph as graph_lib
from jgssl.methods import InfoNCE, TwoViewContrast, grace, graphcl
from graph_method_testing import fit_graphs, graph_embeddings, load_mutag


@pytest.fixture(scope="module")
def cora(data_root):
  """Cora (2708 nodes), padded to a multiple of 64 node slots, and its node count."""
  del data_root  # skips without the datasets
  ds = margins.load_dataset("cora")
  padded = graph_lib.pad_graph(ds.graph, graph_lib.budget_for(ds.graph, multiple=64))
  return jax.tree_util.tree_map(np.asarray, padded), ds.num_nodes


def _fit(method, graph, *, epochs=15, learning_rate=0.01):
  tx = train.make_optimizer(learning_rate=learning_rate)
  state = train.create_train_state(jax.random.PRNGKey(0), method, tx, graph)
  result = train.fit(state, train.make_train_step(method), graph, epochs=epochs)
  return result, np.array([h.loss for h in result.history])


def _assert_trained(losses_):
  assert np.all(np.isfinite(losses_))
  assert losses_[-3:].mean() < losses_[:3].mean()


@pytest.mark.parametrize("encoder", [
    None,                                                                  # GRACE's GCN
    models.GAT(features=(32, 16), heads=2, activation="elu"),
    models.GraphSAGE(features=(32, 16), activation="relu"),
], ids=["gcn", "gat", "sage"])
def test_grace_trains_on_cora_with_each_encoder(cora, encoder):
  graph, n = cora
  method = grace(encoder=encoder, features=(32, 16), hidden_features=16)
  result, losses_ = _fit(method, graph)
  _assert_trained(losses_)
  assert set(result.history[-1].metrics) == {"pos_cos"}
  emb = np.asarray(train.make_embed_fn(method)(result.state.variables, graph))
  assert emb.shape == (graph.nodes["mask"].shape[0], 16)
  assert np.all(np.isfinite(emb[:n])) and np.all(emb[n:] == 0)  # padding rows are zero


def test_graph_level_trains_on_mutag_with_gin_and_with_a_gcn(data_root):
  del data_root  # skips without the datasets
  mutag = load_mutag()
  gin = graphcl(features=(16, 16), aug="dnodes")                         # concatenated pools
  gcn = graphcl(encoder=models.GCN(features=(16, 16)), aug="dnodes")     # one sum-pool
  for method, width in ((gin, 32), (gcn, 16)):
    result, budget, losses_ = fit_graphs(method, mutag.graphs, learning_rate=0.01, epochs=8)
    _assert_trained(losses_)
    emb = graph_embeddings(method, result.state.variables, mutag.graphs, budget=budget)
    assert emb.shape == (mutag.num_graphs, width) and np.all(np.isfinite(emb))


class MeanAggregation(nn.Module):
  """A user's encoder: ``BN(relu(Dense([x, mean of neighbours' x])))``, zero on absent rows.

  The skeleton needs only the call signature ``(graph, *, training=False) -> [N, d]``.
  """
  width: int

  @nn.compact
  def __call__(self, graph, *, training=False):
    present = graph.nodes["mask"]
    x = jnp.where(present[:, None], graph.nodes["x"], 0.0)
    on = graph_lib.edge_mask(graph).astype(x.dtype)
    total = jax.ops.segment_sum(x[graph.senders] * on[:, None], graph.receivers, x.shape[0])
    count = jax.ops.segment_sum(on, graph.receivers, x.shape[0])
    h = nn.relu(nn.Dense(self.width)(jnp.concatenate([x, total / jnp.maximum(count, 1.0)[:, None]],
                                                     axis=-1)))
    h = nn.BatchNorm(use_running_average=not training, momentum=0.9)(h)
    return jnp.where(present[:, None], h, 0.0)


def test_a_users_own_encoder_views_and_objective_plug_in(cora):
  graph, n = cora
  calls = []

  def objective(z1, z2, *, where):  # a plain function: Barlow Twins with a logged scalar
    calls.append(z1.shape)
    loss = losses.barlow_twins_loss(z1, z2, where=where)
    return loss, {"cross": losses.masked_mean(jnp.sum(z1 * z2, axis=-1), where)}

  def drop_features(key, g):      # a user's view: any (key, graph) -> graph keeping shapes
    return augment.mask_feature_columns(key, g, rate=0.2)

  method = TwoViewContrast(encoder=MeanAggregation(width=16),
                           views=(drop_features, augment.DropEdges(rate=0.3)),
                           objective=objective)
  assert not method.row_sharding  # a plain function declares no anchor-row sharding
  result, losses_ = _fit(method, graph, epochs=12, learning_rate=0.005)
  _assert_trained(losses_)
  assert calls == [(graph.nodes["mask"].shape[0], 16)]  # traced once: one compiled step
  assert set(result.history[-1].metrics) == {"cross"}
  state = result.state
  assert set(state.model_state) == {"batch_stats"}
  emb = np.asarray(train.make_embed_fn(method)(state.variables, graph))
  assert emb.shape == (graph.nodes["mask"].shape[0], 16) and np.all(emb[n:] == 0)


def test_mutable_collections_are_updated_view_after_view(cora):
  graph, _ = cora
  encoder = MeanAggregation(width=8)
  method = TwoViewContrast(encoder=encoder, views=(augment.identity, augment.identity),
                           objective=functools.partial(losses.barlow_twins_loss, lambd=None))
  v = jax.jit(method.init)(jax.random.PRNGKey(0), graph)
  assert set(v) == {"params", "batch_stats"} and set(v["batch_stats"]) == {"encoder"}
  _, aux = jax.jit(method.loss)(v, jax.random.PRNGKey(1), graph)
  own = {c: x["encoder"] for c, x in v.items()}
  _, first = encoder.apply(own, graph, training=True, mutable=["batch_stats"])
  _, second = encoder.apply({**own, **first}, graph, training=True, mutable=["batch_stats"])
  for a, b in zip(jax.tree_util.tree_leaves(aux["updates"]["batch_stats"]["encoder"]),
                  jax.tree_util.tree_leaves(second["batch_stats"])):
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_infonce_rows_under_a_one_device_rows_strategy_equal_the_single_step():
  from node_method_testing import csbm  # pylint: disable=import-outside-toplevel
  _, graph = csbm(120)
  method = grace(features=(16, 8), hidden_features=8, chunk_size=32)
  assert method.row_sharding and InfoNCE.row_sharding
  tx = train.make_optimizer(learning_rate=0.01)
  mesh = train.make_mesh(jax.local_devices()[:1])
  single = train.create_train_state(jax.random.PRNGKey(0), method, tx, graph)
  rows = train.replicate(train.create_train_state(jax.random.PRNGKey(0), method, tx, graph), mesh)
  step_single = train.make_train_step(method)
  step_rows = train.make_train_step(method, strategy="rows", mesh=mesh)
  for _ in range(3):
    single, m1 = step_single(single, graph)
    rows, m2 = step_rows(rows, train.replicate(graph, mesh))
    assert float(m1["loss"]) == pytest.approx(float(m2["loss"]), rel=1e-5)
  plain = dataclasses.replace(method, objective=functools.partial(losses.barlow_twins_loss,
                                                                  lambd=None))
  with pytest.raises(ValueError, match="does not support anchor-row sharding"):
    train.make_train_step(plain, strategy="rows", mesh=mesh)


@pytest.mark.parametrize("kwargs, match", [
    (dict(encoder=lambda graph: graph), "encoder must be a flax.linen.Module"),
    (dict(views=(augment.identity,)), "views must be a pair of view functions"),
    (dict(objective=3), "objective must be callable"),
    (dict(level="edge"), "level must be one of"),
    (dict(readout=models.sum_readout), "readout is for level='graph'"),
])
def test_bad_parts_are_rejected(kwargs, match):
  parts = dict(encoder=models.GCN(features=(8,)), views=(augment.identity, augment.identity),
               objective=InfoNCE(temperature=0.5))
  with pytest.raises(ValueError, match=match):
    TwoViewContrast(**{**parts, **kwargs})

"""LocalGlobal skeleton: DGI with GCN and GAT on Cora, InfoGraph with GIN and GCN on MUTAG; user
modules, plain functions and the inner-product discriminator plug in; its checks."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import margins
from jgssl import augment, losses, models, train
from jgssl.methods import LocalGlobal, Method, dgi, infograph
from graph_method_testing import fit_graphs, graph_embeddings
from node_method_testing import csbm, padded, train_full_graph


@pytest.fixture(scope="module")
def cora(data_root):
  del data_root  # skips without the datasets
  ds = margins.load_dataset("cora")
  return ds, padded(ds)


@pytest.mark.parametrize("encoder", [
    models.GCN(features=(32,), activation="prelu"),
    models.GAT(features=(32,), heads=2, concat=False, activation="prelu"),
], ids=["gcn", "gat"])
def test_dgi_trains_with_different_encoders_on_cora(cora, encoder):
  ds, graph = cora
  method = dgi(encoder=encoder)
  assert isinstance(method, Method)
  run = train_full_graph(method, graph, steps=30, tx=train.make_optimizer(learning_rate=0.005))
  assert np.all(np.isfinite(run.losses))
  assert abs(run.losses[0] - np.log(2)) < 0.2  # untrained: real and corrupted alike
  assert np.mean(run.losses[-5:]) < np.mean(run.losses[:5]) - 0.05
  emb = np.asarray(method.embed(run.state.variables, graph))
  assert emb.shape == (graph.nodes["x"].shape[0], 32) and np.all(emb[ds.num_nodes:] == 0)


@pytest.mark.parametrize("encoder", [
    None,  # InfoGraph's GIN
    models.GCN(features=(16, 16), activation="relu", norm="batch", return_layers=True),
], ids=["gin", "gcn"])
def test_infograph_trains_with_different_encoders_on_mutag(mutag, encoder):
  method = infograph(encoder=encoder, features=(16, 16))
  result, budget, history = fit_graphs(method, mutag.graphs, learning_rate=1e-3, epochs=3)
  assert np.all(np.isfinite(history)) and history[-1] < history[0]
  assert set(result.state.variables) == {"params", "batch_stats"}
  emb = graph_embeddings(method, result.state.variables, mutag.graphs, budget=budget)
  assert emb.shape == (mutag.num_graphs, 32) and np.all(np.isfinite(emb))


class _Rows(nn.Module):
  """A user encoder: features through one dense map plus the mean of the neighbours' rows."""
  width: int = 8

  @nn.compact
  def __call__(self, graph, *, training=False):
    del training
    x = jnp.asarray(graph.nodes["x"], jnp.float32)
    w = graph.edges["mask"].astype(jnp.float32)[:, None]
    agg = jax.ops.segment_sum(x[graph.senders] * w, graph.receivers, num_segments=x.shape[0])
    h = nn.Dense(self.width)(x + agg)
    return jnp.where(graph.nodes["mask"][:, None], jnp.tanh(h), 0.0)


def test_user_encoder_corruption_objective_and_inner_product_plug_in():
  ds, graph = csbm(80, signal=2.0)
  method = LocalGlobal(encoder=_Rows(),
                       corruption=lambda key, g: augment.mask_feature_rows(key, g, rate=0.5),
                       objective=losses.jsd_mi_loss)  # discriminator None: inner product
  v = method.init(jax.random.PRNGKey(0), graph)
  assert set(v["params"]) == {"encoder"}  # nothing else has parameters
  run = train_full_graph(method, graph, steps=20)
  assert np.all(np.isfinite(run.losses)) and run.losses[-1] < run.losses[0]
  emb = np.asarray(method.embed(run.state.variables, graph))
  assert emb.shape == (graph.nodes["x"].shape[0], 8) and np.all(emb[ds.num_nodes:] == 0)


def test_checks():
  with pytest.raises(ValueError, match="sampler needs a corruption"):
    LocalGlobal(encoder=_Rows(), corruption=None, sampler=lambda key, g: g)
  with pytest.raises(ValueError, match="LocalGlobal.corruption must be callable"):
    LocalGlobal(encoder=_Rows(), corruption="shuffle")
  with pytest.raises(ValueError, match="LocalGlobal.level must be one of"):
    LocalGlobal(encoder=_Rows(), level="edge")

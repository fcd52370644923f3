"""The MaskedAutoencoder skeleton with injected parts: encoders of several kinds and a user's own
Flax module train on Cora; plain functions plug in as the mask and the objective."""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import augment, evaluate, losses, models, train
from jgssl import graph as graph_lib
from jgssl.methods import MaskedAutoencoder, Method, masked_ae
from jgssl.methods.masked_ae import gae, graphmae, vgae
import margins
from node_method_testing import padded

EPOCHS = 15


@pytest.fixture(scope="module")
def cora(data_root):
  del data_root  # skips without the datasets
  ds = margins.load_dataset("cora")
  return ds, jax.device_put(padded(ds))


@pytest.fixture(scope="module")
def cora_train_edges(cora):
  """Cora's GAE training graph (the train edges of the LinkPred-GAE split), padded."""
  ds, _ = cora
  split = evaluate.split_edges(0, np.stack([ds.graph.senders, ds.graph.receivers]),
                               num_nodes=ds.num_nodes)
  g = graph_lib.from_edge_index(split.train_edge_index(), num_nodes=ds.num_nodes,
                                node_features=ds.graph.nodes["x"], symmetrize=False)
  return jax.device_put(graph_lib.pad_graph(g, graph_lib.budget_for(g)))


def _fit(method, graph, *, lr=5e-3, epochs=EPOCHS):
  assert isinstance(method, Method)
  tx = train.make_optimizer(name="adam", learning_rate=lr)
  state = train.create_train_state(jax.random.PRNGKey(0), method, tx, graph)
  result = train.fit(state, train.make_train_step(method), graph, epochs=epochs)
  losses_ = np.array([h.loss for h in result.history])
  assert np.all(np.isfinite(losses_)), losses_
  return result, losses_


def _first_last(losses_, k=3):
  return losses_[:k].mean(), losses_[-k:].mean()


class MyEncoder(nn.Module):
  """A user's encoder: one mean-aggregation step and a dense layer, written with plain Flax."""
  width: int = 32

  @nn.compact
  def __call__(self, graph, *, training: bool = False):
    del training
    x = jnp.asarray(graph.nodes["x"], jnp.float32)
    w = graph_lib.edge_mask(graph).astype(x.dtype)[:, None]
    n = x.shape[0]
    agg = jax.ops.segment_sum(x[graph.senders] * w, graph.receivers, num_segments=n)
    deg = jax.ops.segment_sum(w, graph.receivers, num_segments=n)
    h = nn.Dense(self.width)(x + agg / jnp.maximum(deg, 1.0))
    return jnp.where(graph.nodes["mask"][:, None], nn.relu(h), 0.0)


GRAPHMAE_ENCODERS = {
    "gat": None,  # the recipe's (the paper's) GAT
    "gcn": models.GCN(features=(32, 32), activation="prelu", dropout=0.2),
}


@pytest.mark.parametrize("name", sorted(GRAPHMAE_ENCODERS))
def test_graphmae_trains_with_either_encoder(cora, name):
  ds, g = cora
  m = graphmae(encoder=GRAPHMAE_ENCODERS[name], features=(32, 32), mask_rate=0.5,
               replace_rate=0.05, alpha=3.0)
  result, losses_ = _fit(m, g)
  first, last = _first_last(losses_)
  assert last < first, losses_
  assert abs(result.history[-1].metrics["masked_fraction"] - 0.5) < 0.01
  emb = np.asarray(m.embed(result.state.variables, g))
  assert emb.shape == (g.nodes["mask"].shape[0], 32) and np.isfinite(emb).all()
  assert set(result.state.params) == {"enc", "enc_to_dec", "dec", "mask_token"}


GAE_ENCODERS = {
    "gcn": None,  # the recipe's (the paper's) bias-free GCN 32 -> 16
    "sage": models.GraphSAGE(features=(32, 16), last_activation=False),
}


@pytest.mark.parametrize("name", sorted(GAE_ENCODERS))
def test_gae_trains_with_either_encoder(cora, cora_train_edges, name):
  ds, _ = cora
  g = cora_train_edges
  m = gae(encoder=GAE_ENCODERS[name])
  result, losses_ = _fit(m, g, lr=0.01)
  first, last = _first_last(losses_)
  assert last < first, losses_
  emb = np.asarray(m.embed(result.state.variables, g))
  assert emb.shape == (g.nodes["mask"].shape[0], 16) and np.isfinite(emb).all()
  assert not emb[ds.num_nodes:].any()  # padding rows stay zero


def test_vgae_with_a_graphsage_body_and_sampled_negatives(cora_train_edges):
  g = cora_train_edges
  m = vgae(encoder=models.GraphSAGE(features=(32,)), negatives=1)
  assert m.variational and m.objective.negatives == 1
  result, losses_ = _fit(m, g, lr=0.01)
  assert all(h.metrics["kl"] > 0 and np.isfinite(h.metrics["recon"]) for h in result.history)
  first, last = _first_last(losses_)
  assert last < first, losses_
  assert m.embed(result.state.variables, g).shape == (g.nodes["mask"].shape[0], 16)


def test_a_users_flax_encoder_plugs_into_both_recipes(cora, cora_train_edges):
  ds, g = cora
  for method, graph in ((graphmae(encoder=MyEncoder(), features=(32,)), g),
                        (gae(encoder=MyEncoder(width=16)), cora_train_edges)):
    result, losses_ = _fit(method, graph)
    first, last = _first_last(losses_)
    assert last < first, (method, losses_)
    emb = np.asarray(method.embed(result.state.variables, graph))
    assert emb.shape[0] == graph.nodes["mask"].shape[0] and np.isfinite(emb).all()
    assert "Dense_0" in result.state.params["enc"]


def test_plain_functions_plug_in_as_mask_and_objective(cora):
  """A lambda mask (per-graph, no static bound: every row slot decoded) and a user objective
  (mean squared error of the masked rows) on the skeleton directly."""
  ds, g = cora
  seen = {}

  def mse(decoder, latent_graph, graph, *, masked, max_masked, key, training):
    del key
    seen["max_masked"] = max_masked
    x_hat = decoder(latent_graph, training=training)
    rows = jnp.sum(jnp.square(x_hat - graph.nodes["x"]), axis=1)
    return losses.masked_mean(rows, masked), {"mse": losses.masked_mean(rows, masked)}

  m = MaskedAutoencoder(
      encoder=models.GCN(features=(32,)),
      decoder=masked_ae.decoder_layer(models.GCN),
      objective=mse,
      mask=lambda key, graph, *, mask_token: augment.graphmae_mask(
          key, graph, rate=0.3, mask_token=mask_token),
      remask=True)
  result, losses_ = _fit(m, g, lr=0.01)
  assert seen["max_masked"] is None
  assert "mse" in result.history[-1].metrics
  assert abs(result.history[-1].metrics["masked_fraction"] - 0.3) < 0.01
  first, last = _first_last(losses_)
  assert last < first, losses_


def test_a_decoder_module_of_fixed_width_and_no_mask(cora):
  """Without a mask FeatureReconstruction scores every present row and there is no token."""
  ds, g = cora
  f = g.nodes["x"].shape[1]
  m = MaskedAutoencoder(encoder=models.GCN(features=(16,)),
                        decoder=models.MLP(features=(f,), last_activation=False),
                        objective=masked_ae.FeatureReconstruction(alpha=1.0, masked_only=False))
  v = m.init(jax.random.PRNGKey(0), g)
  assert set(v["params"]) == {"enc", "dec"}
  loss, aux = m.loss(v, jax.random.PRNGKey(1), g)
  assert np.isfinite(loss) and "masked_fraction" not in aux


def test_equal_settings_give_equal_hashable_methods():
  """Methods are values: built twice they are equal (the launcher reuses one compiled step)."""
  for build in (lambda: graphmae(pooling="sum", features=(8,)), lambda: graphmae(), gae, vgae):
    a, b = build(), build()
    assert a == b and hash(a) == hash(b)
  assert graphmae(alpha=3.0) != graphmae(alpha=2.0)


def test_skeleton_checks_its_fields():
  with pytest.raises(ValueError, match="remask needs a mask"):
    MaskedAutoencoder(encoder=models.GCN(features=(8,)), decoder=models.InnerProductDecoder(),
                      objective=masked_ae.LinkReconstruction(), remask=True)
  with pytest.raises(ValueError, match="pooling"):
    dataclasses.replace(gae(), pooling="median")
  with pytest.raises(ValueError, match="alpha"):
    masked_ae.FeatureReconstruction(alpha=0.5)
  with pytest.raises(ValueError, match="mask_rate"):
    masked_ae.TokenMask(mask_rate=1.0)
  assert gae().level == "node" and graphmae(pooling="mean").level == "graph"

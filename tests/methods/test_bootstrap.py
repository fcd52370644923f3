"""Bootstrap skeleton: trains with different encoders on Cora; user modules and plain view
functions plug in; its checks."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import margins
from jgssl import augment, models, train
from jgssl.methods import Bootstrap, Method, bgrl
from node_method_testing import csbm, padded, train_full_graph


@pytest.fixture(scope="module")
def cora(data_root):
  del data_root  # skips without the datasets
  ds = margins.load_dataset("cora")
  return ds, padded(ds)


def _views():
  return (augment.compose(augment.DropEdges(rate=0.3), augment.MaskFeatureColumns(rate=0.3)),
          augment.compose(augment.DropEdges(rate=0.2), augment.MaskFeatureColumns(rate=0.4)))


@pytest.mark.parametrize("encoder,collections", [
    (models.GCN(features=(32, 16), activation="prelu", norm="batch"),
     {"params", "batch_stats", "target"}),
    (models.GraphSAGE(features=(32, 16), activation="relu"), {"params", "target"}),
], ids=["gcn-batchnorm", "graphsage"])
def test_trains_with_different_encoders_on_cora(cora, encoder, collections):
  ds, graph = cora
  view1, view2 = _views()
  method = Bootstrap(encoder=encoder,
                     predictor=models.Predictor(hidden_features=32, out_features=16),
                     view1=view1, view2=view2, momentum=0.9, total_steps=30)
  assert isinstance(method, Method)
  run = train_full_graph(method, graph, steps=30, tx=train.make_optimizer(learning_rate=0.01))
  assert np.all(np.isfinite(run.losses)) and np.all((run.losses >= 0) & (run.losses <= 4))
  assert np.mean(run.losses[-5:]) < np.mean(run.losses[:5])  # the views' predictions align
  variables = run.state.variables
  assert set(variables) == collections
  # The target is a moving copy of the online encoder only (no predictor).
  assert (jax.tree_util.tree_structure(variables["target"])
          == jax.tree_util.tree_structure(variables["params"]["encoder"]))
  emb = np.asarray(method.embed(variables, graph))
  assert emb.shape == (graph.nodes["x"].shape[0], 16) and np.all(np.isfinite(emb))
  assert np.all(emb[ds.num_nodes:] == 0)  # padding rows


class _RowEncoder(nn.Module):
  """A user encoder: one dense map of the features, zero on absent nodes (no message passing)."""
  width: int = 8

  @nn.compact
  def __call__(self, graph, *, training=False):
    del training
    h = nn.Dense(self.width)(jnp.asarray(graph.nodes["x"], jnp.float32))
    return jnp.where(graph.nodes["mask"][:, None], h, 0.0)


def test_user_encoder_and_plain_view_functions_plug_in():
  _, graph = csbm(60)
  method = Bootstrap(encoder=_RowEncoder(),
                     predictor=models.Predictor(hidden_features=8, out_features=8),
                     view1=lambda key, g: augment.mask_feature_columns(key, g, rate=0.3),
                     view2=augment.identity, total_steps=5)
  run = train_full_graph(method, graph, steps=5)
  assert np.all(np.isfinite(run.losses))
  assert set(run.state.variables) == {"params", "target"}
  # The recipe takes the user encoder too; features[-1] names its width for the predictor.
  recipe = bgrl(encoder=_RowEncoder(width=4), features=(4,), hidden_features=8, total_steps=5)
  v = recipe.init(jax.random.PRNGKey(0), graph)
  loss, aux = recipe.loss(v, jax.random.PRNGKey(1), graph)
  assert np.isfinite(float(loss)) and aux["updates"] == {}


def test_predictor_must_keep_the_encoder_width_and_parts_must_be_callable():
  _, graph = csbm(40)
  method = bgrl(encoder=_RowEncoder(width=8), features=(4,), hidden_features=8)
  with pytest.raises(ValueError, match="predictor maps the encoder's rows"):
    method.init(jax.random.PRNGKey(0), graph)
  with pytest.raises(ValueError, match="view2 must be callable"):
    Bootstrap(encoder=_RowEncoder(), predictor=models.Predictor(hidden_features=8,
                                                                out_features=8),
              view1=augment.identity, view2=0.2)

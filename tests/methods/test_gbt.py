"""G-BT: end to end on a contextual SBM, batch statistics, validation."""

import jax
import numpy as np
import pytest

from jgssl import train
from jgssl.methods import gbt
from margins import assert_margins
from node_method_testing import csbm as _csbm, loss_drop, random_init_gap, train_full_graph


def measure_training(seed):
  """Loss drop (first 5 vs last 10 of 50 steps) and probe gain over the random-init encoder."""
  ds, graph = _csbm()
  method = gbt(features=(64, 32), drop_feature_rate=0.2, drop_edge_rate=0.3)
  tx = train.make_optimizer(name="adamw", learning_rate=0.01, weight_decay=1e-5)
  run = train_full_graph(method, graph, steps=50, tx=tx, seed=seed)
  losses = run.losses
  assert np.all(np.isfinite(losses)) and min(losses) >= 0.0
  assert not np.allclose(run.state.model_state["batch_stats"]["encoder"]["norm_0"]["bn"]["mean"],
                         run.batch_stats0["encoder"]["norm_0"]["bn"]["mean"])
  assert method.embed(run.state.variables, graph).shape[1] == 32
  return {"loss_drop": loss_drop(losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.5, "gain": 0.04})}


def test_gbt_trains_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


def test_architecture_is_in_2d_d_with_one_batch_norm():
  _, graph = _csbm(40)
  v = jax.eval_shape(gbt(features=(12, 6)).init, jax.random.PRNGKey(0), graph)
  assert v["params"]["encoder"]["conv_0"]["linear"]["kernel"].shape == (32, 12)
  assert v["params"]["encoder"]["conv_1"]["linear"]["kernel"].shape == (12, 6)
  assert list(v["batch_stats"]["encoder"]) == ["norm_0"]


def test_validation():
  with pytest.raises(ValueError, match="gbt: features"):
    gbt(features=(0,))
  with pytest.raises(ValueError, match="gbt: drop_feature_rate"):
    gbt(drop_feature_rate=2.0)
  with pytest.raises(ValueError, match="gbt: lambd"):
    gbt(lambd=-0.5)

"""BGRL: end to end on a contextual SBM, EMA target, loss direction, validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import train
from jgssl.methods import bgrl
from margins import assert_margins
from node_method_testing import csbm as _csbm, loss_drop, random_init_gap, train_full_graph


def measure_training(seed):
  """Loss drop (first 5 vs last 10 of 50 steps) and probe gain over the random-init encoder."""
  ds, graph = _csbm()
  epochs = 50
  method = bgrl(features=(32, 32), hidden_features=32, total_steps=epochs)
  tx = train.make_optimizer(name="adamw", learning_rate=0.01, weight_decay=1e-5)
  run = train_full_graph(method, graph, steps=epochs, tx=tx, seed=seed)
  losses = run.losses
  assert np.all(np.isfinite(losses)) and 0.0 <= min(losses) and max(losses) <= 4.0
  # Running batch statistics moved, the target moved towards the online encoder.
  assert not np.allclose(run.state.model_state["batch_stats"]["encoder"]["norm_0"]["bn"]["mean"],
                         run.batch_stats0["encoder"]["norm_0"]["bn"]["mean"])
  # The loss is 2 - cos - cos: it falls as the views align (PyGCL's example has the sign wrong).
  return {"loss_drop": loss_drop(losses), "gain": random_init_gap(method, run, ds, graph)}


MARGINS = {"trains": (measure_training, {"loss_drop": 0.3, "gain": 0.05})}


def test_bgrl_trains_loss_falls_and_beats_random_init():
  assert_margins(measure_training(0), MARGINS["trains"][1])


def test_target_is_ema_of_online_with_cosine_momentum():
  _, graph = _csbm(40)
  method = bgrl(features=(8, 8), hidden_features=8, momentum=0.9, total_steps=10)
  v = method.init(jax.random.PRNGKey(1), graph)
  # The target starts from its own draw (upstream resets the copied encoder's parameters): the
  # same structure, different convolution weights, the same fresh BN affine and PReLU slopes.
  assert (jax.tree_util.tree_structure(v["target"])
          == jax.tree_util.tree_structure(v["params"]["encoder"]))
  for name, target_layer in v["target"].items():
    online_layer = v["params"]["encoder"][name]
    if name.startswith("conv"):
      assert not np.allclose(target_layer["linear"]["kernel"], online_layer["linear"]["kernel"])
    else:
      jax.tree_util.tree_map(np.testing.assert_array_equal, target_layer, online_layer)
  moved = {**v, "params": jax.tree_util.tree_map(lambda a: a + 1.0, v["params"])}
  # After the first update (step 1) the upstream momentum is the base value 0.9.
  post = jax.jit(method.post_update)
  out = post(moved, step=jnp.asarray(1))
  jax.tree_util.tree_map(lambda t, o, n: np.testing.assert_allclose(t, 0.9 * o + 0.1 * n,
                                                                     rtol=1e-6, atol=1e-6),
                         out["target"], v["target"], moved["params"]["encoder"])
  # At the end of the schedule the momentum is 1: the target stays.
  end = post(moved, step=jnp.asarray(11))
  jax.tree_util.tree_map(np.testing.assert_array_equal, end["target"], v["target"])


def test_loss_gives_no_gradient_to_target():
  _, graph = _csbm(40)
  method = bgrl(features=(8, 8), hidden_features=8)
  v = method.init(jax.random.PRNGKey(1), graph)
  grad = jax.jit(jax.grad(lambda t: method.loss({**v, "target": t}, jax.random.PRNGKey(2), graph)[0]))(
      v["target"])
  assert all(float(jnp.abs(g).max()) == 0.0 for g in jax.tree_util.tree_leaves(grad))


def test_validation():
  with pytest.raises(ValueError, match="drop_edge_rate"):
    bgrl(drop_edge_rate=1.5)
  with pytest.raises(ValueError, match="drop_feature_rate"):
    bgrl(drop_feature_rate=(0.1, 0.2, 0.3))
  with pytest.raises(ValueError, match="features"):
    bgrl(features=(0,))
  with pytest.raises(ValueError, match="total_steps"):
    bgrl(total_steps=0)
  with pytest.raises(ValueError, match="momentum"):
    bgrl(momentum=1.5)


def test_recipe_builds_equal_methods_and_takes_one_rate_for_both_views():
  # Equal methods share compiled steps (the launcher caches steps by method).
  assert bgrl() == bgrl() and hash(bgrl()) == hash(bgrl())
  assert bgrl(drop_edge_rate=0.3) == bgrl(drop_edge_rate=(0.3, 0.3))
  assert bgrl(drop_edge_rate=(0.3, 0.4)) != bgrl(drop_edge_rate=(0.4, 0.3))
  m = bgrl()
  assert [a.rate for a in m.view1.augmentations] == [0.5, 0.2]  # BGRL's Amazon-Computers cfg
  assert [a.rate for a in m.view2.augmentations] == [0.4, 0.1]

"""Subprocess entry for the GraphMAE multi-device test (needs its own XLA flags).

``python _graph_level_script.py`` forces 8 CPU devices, trains GraphMAE (GIN, graph level) on
MUTAG for 6 steps with 8 replicas of padded batches twice — data-parallel over the 8 devices and
vmapped on one device — and prints the largest loss and parameter differences as JSON.
"""

import json
import os
import pathlib
import sys

os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                           + " --xla_force_host_platform_device_count=8")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

import jax  # noqa: E402
import numpy as np  # noqa: E402

from jgssl import data, train  # noqa: E402
from jgssl.methods import graphmae  # noqa: E402


def main(root):
  assert jax.device_count() == 8, jax.devices()
  ds = data.load("mutag", root=root)
  method = graphmae(features=(16, 16), norm="batch", mask_rate=0.5, replace_rate=0.1, alpha=2.0,
                    pooling="sum", eps=1.0)
  loader = train.GraphLoader(ds.graphs, batch_size=4, replicas=8, seed=0)
  batches = [b for _, b in zip(range(6), loader.epoch(0))]
  # SGD, not Adam: Adam turns float noise in gradients that are zero in exact arithmetic (a
  # bias right before batch norm) into +-lr steps, which would hide what is compared here.
  tx = train.make_optimizer(name="sgd", learning_rate=0.05, momentum=0.9)
  example = jax.tree_util.tree_map(lambda a: a[0], batches[0])
  mesh = train.make_mesh()

  def run(use_mesh):
    state = train.create_train_state(jax.random.PRNGKey(0), method, tx, example)
    if use_mesh:
      state = train.replicate(state, mesh)
    step = train.make_train_step(method, strategy="data", mesh=mesh if use_mesh else None)
    losses = []
    for b in batches:
      b = train.shard_batches(b, mesh) if use_mesh else jax.device_put(b)
      state, m = step(state, b)
      losses.append(float(m["loss"]))
    return jax.device_get(state.variables), np.asarray(losses), state

  v1, l1, _ = run(False)
  v8, l8, s8 = run(True)
  diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
             for a, b in zip(jax.tree_util.tree_leaves(v1), jax.tree_util.tree_leaves(v8)))
  devices = len({d.id for leaf in jax.tree_util.tree_leaves(s8.params)
                 for d in leaf.sharding.device_set})
  print(json.dumps({"loss_diff": float(np.max(np.abs(l1 - l8))), "param_diff": diff,
                    "loss_first": float(l1[0]), "loss_last": float(l1[-1]),
                    "devices": devices, "steps": len(l1)}))


if __name__ == "__main__":
  main(sys.argv[1])

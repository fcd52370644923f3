"""Subprocess entry points for the engine tests (own XLA flags / killable processes).

``python engine_script.py sharded`` — with 8 forced CPU devices, runs 20 single-device steps and
20 sharded steps (node level: GRACE with its InfoNCE anchor rows split over the devices; graph
level: data parallelism with batch norm and an EMA target) and prints the largest loss /
parameter differences as JSON.

``python engine_script.py fit WORKDIR EPOCHS SLEEP`` — trains the tiny node recipe with
checkpoints every 2 epochs (sleeping ``SLEEP`` s per epoch so a test can kill it mid-run) and
prints the final parameter checksum as JSON.
"""

import json
import os
import pathlib
import sys
import time

if sys.argv[1] == "sharded":
  os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                             + " --xla_force_host_platform_device_count=8")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

import jax  # noqa: E402
import numpy as np  # noqa: E402

import train_recipes as R  # noqa: E402
from jgssl import graph as G  # noqa: E402
from jgssl import train  # noqa: E402


def _max_diff(a, b):
  return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y))))
             for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)))


def sharded():
  assert jax.device_count() == 8, jax.devices()
  mesh = train.make_mesh()
  tx = train.make_optimizer(name="adam", learning_rate=1e-2, weight_decay=1e-5)
  out = {}

  # Node level: a 2-block contextual SBM, N = 40 padded rows, 5 anchor rows per device.
  from jgssl import data  # pylint: disable=import-outside-toplevel
  csbm = data.contextual_sbm(0, num_nodes=37, num_blocks=2, avg_degree=5.0, homophily=0.9,
                             num_features=6, feature_signal=2.0)
  g = G.pad_graph(csbm.graph, G.PaddingBudget(n_node=40, n_edge=400))

  # The real GRACE: dense loss on one device vs key-chunked anchor-sharded loss on 8.
  from jgssl.methods import grace  # pylint: disable=import-outside-toplevel
  dense = grace(features=(16, 8), hidden_features=8, temperature=0.5)
  tiled = grace(features=(16, 8), hidden_features=8, temperature=0.5, chunk_size=8)
  tx_node = train.make_optimizer(name="adam", learning_rate=1e-2)

  def run_grace(method, mesh_):
    s = train.create_train_state(jax.random.PRNGKey(2), method, tx_node, g)
    gg = g
    if mesh_ is not None:
      s, gg = train.replicate(s, mesh_), train.replicate(g, mesh_)
    step = train.make_train_step(method, strategy="rows" if mesh_ is not None else "single",
                                 mesh=mesh_)
    losses = []
    for _ in range(20):
      s, met = step(s, gg)
      losses.append(float(met["loss"]))
    return s, np.asarray(losses)

  s1, l1 = run_grace(dense, None)
  s8, l8 = run_grace(tiled, mesh)
  out["grace"] = {"loss_diff": float(np.abs(l1 - l8).max()),
                  "param_diff": _max_diff(s1.params, s8.params),
                  "loss_drop": float(l1[:3].mean() - l1[-3:].mean()),
                  "sharded_devices": len(jax.tree_util.tree_leaves(s8.params)[0].sharding
                                         .device_set)}

  # Graph level: 8 replicas x 2 graphs per step, 20 steps (2 epochs of 10 steps).
  gm = R.TinyGraphContrast(hidden=8, ema=0.9)
  graphs = G.batch([R.random_graph(100 + i, num_nodes=4 + i % 6, p=0.4) for i in range(160)])
  loader = train.GraphLoader(graphs, batch_size=2, replicas=8, seed=3)

  def run_graph(mesh_):
    first = jax.tree_util.tree_map(lambda x: x[0], next(iter(loader.epoch(1))))
    s = train.create_train_state(jax.random.PRNGKey(1), gm, tx, first)
    if mesh_ is not None:
      s = train.replicate(s, mesh_)
    step = train.make_train_step(gm, strategy="data", mesh=mesh_)
    losses = []
    for epoch in (1, 2):
      for b in loader.epoch(epoch):
        b = train.shard_batches(b, mesh_) if mesh_ is not None else b
        s, met = step(s, b)
        losses.append(float(met["loss"]))
    return s, np.asarray(losses)

  a, la = run_graph(None)
  b, lb = run_graph(mesh)
  out["graph"] = {"steps": len(la), "loss_diff": float(np.abs(la - lb).max()),
                  "param_diff": _max_diff((a.params, a.model_state), (b.params, b.model_state))}
  print(json.dumps(out))


def fit(workdir, epochs, sleep):
  m = R.TinyNodeContrast(hidden=8)
  g = G.pad_graph(R.random_graph(0, num_nodes=20), G.PaddingBudget(n_node=24, n_edge=160))
  tx = train.make_optimizer(name="adam", learning_rate=1e-2, weight_decay=1e-5)
  s = train.create_train_state(jax.random.PRNGKey(0), m, tx, g)
  ck = train.Checkpointer(pathlib.Path(workdir) / "checkpoints")
  res = train.fit(s, train.make_train_step(m), g, epochs=epochs, checkpointer=ck,
                  checkpoint_every=2,
                  callbacks=[lambda rec, st: (print(f"epoch {rec.epoch}", flush=True),
                                              time.sleep(sleep))])
  ck.close()
  print(json.dumps({"start_epoch": res.start_epoch, "step": int(res.state.step),
                    "checksum": train.tree_checksum(res.state.params)}), flush=True)


if __name__ == "__main__":
  if sys.argv[1] == "sharded":
    sharded()
  else:
    fit(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))

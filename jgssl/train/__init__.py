"""Training engine: train state, jitted / sharded steps, fit loop, Orbax checkpoints.

Typical use (node level, one full-graph step per epoch)::

  tx = jgssl.train.make_optimizer(name="adam", learning_rate=5e-4, weight_decay=1e-5)
  state = jgssl.train.create_train_state(jax.random.PRNGKey(seed), method, tx, graph)
  step = jgssl.train.make_train_step(method)
  ckpt = jgssl.train.Checkpointer(workdir / "checkpoints")
  result = jgssl.train.fit(state, step, graph, epochs=200, checkpointer=ckpt, checkpoint_every=20)

Graph level: pass a :class:`GraphLoader` (padded batches of one budget) instead of the graph;
data parallel: ``make_train_step(method, strategy='data', mesh=make_mesh())`` with
``GraphLoader(replicas=num_devices)`` and :func:`shard_batches`; anchor-sharded InfoNCE on a
large graph: ``strategy='rows'`` with the graph :func:`replicate`-d on the mesh. Multi-host: see
:mod:`jgssl.train.parallel`.
"""

from jgssl.methods.base import cosine_ema_decay, ema_update
from jgssl.train.batching import GraphLoader, batch_budget, fitted_budget
from jgssl.train.checkpoint import Checkpointer, NonFiniteError
from jgssl.train.hooks import EarlyStopping
from jgssl.train.loop import EpochLog, FitResult, fit
from jgssl.train.optim import make_optimizer, make_schedule
from jgssl.train.parallel import make_mesh, replicate, shard_batches, stack_graphs
from jgssl.train.state import TrainState, create_train_state, tree_checksum
from jgssl.train.step import STRATEGIES, make_embed_fn, make_train_step, tree_all_finite

__all__ = [
    "Checkpointer",
    "EarlyStopping",
    "EpochLog",
    "FitResult",
    "GraphLoader",
    "NonFiniteError",
    "STRATEGIES",
    "TrainState",
    "batch_budget",
    "cosine_ema_decay",
    "create_train_state",
    "ema_update",
    "fit",
    "fitted_budget",
    "make_embed_fn",
    "make_mesh",
    "make_optimizer",
    "make_schedule",
    "make_train_step",
    "replicate",
    "shard_batches",
    "stack_graphs",
    "tree_all_finite",
    "tree_checksum",
]

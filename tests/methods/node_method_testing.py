"""Shared set-up for the node-level method tests: a contextual SBM, a logistic-regression probe,
a full-graph training loop and the check that training beats the random-init encoder."""

from typing import Any, NamedTuple, Optional

import jax
import numpy as np
from sklearn.linear_model import LogisticRegression

from jgssl import graph as graph_lib
from jgssl import train
from jgssl.data import synthetic
from jgssl.data.types import random_split
from jgssl.methods.contract import call_embed, prepare_side


def csbm(num_nodes=600, signal=1.0):
  """A 4-block contextual SBM and its padded graph (numpy leaves, node budget a multiple of 64)."""
  ds = synthetic.contextual_sbm(0, num_nodes=num_nodes, num_blocks=4, avg_degree=6,
                                homophily=0.8, num_features=32, feature_signal=signal)
  return ds, padded(ds)


def padded(ds):
  """``ds.graph`` padded to a node budget that is a multiple of 64, as numpy leaves."""
  padded_graph = graph_lib.pad_graph(ds.graph, graph_lib.budget_for(ds.graph, multiple=64))
  return jax.tree_util.tree_map(np.asarray, padded_graph)


def probe(ds, emb):
  """Test accuracy of a logistic regression on a seeded 10/10/80 split of ``emb`` (real rows)."""
  split = random_split(0, ds.num_nodes, train=0.1, val=0.1)
  clf = LogisticRegression(max_iter=3000).fit(emb[split["train"]], ds.labels[split["train"]])
  return clf.score(emb[split["test"]], ds.labels[split["test"]])


class TrainRun(NamedTuple):
  """What :func:`train_full_graph` returns.

  Attributes:
    state: the train state after the last step.
    losses: ``[steps]`` training losses.
    emb0: ``[num_slots, d]`` embeddings at initialisation (padding rows included).
    batch_stats0: a numpy copy of the initial ``batch_stats`` collection, or ``None``.
    side: the method's side input (``method.prepare(graph)``), or ``None``.
  """
  state: Any
  losses: np.ndarray
  emb0: np.ndarray
  batch_stats0: Optional[Any]
  side: Any = None


def train_full_graph(method, graph, *, steps, tx=None, seed=0) -> TrainRun:
  """``steps`` full-graph steps from ``PRNGKey(seed)`` (``tx`` defaults to Adam, lr 0.01), with
  the method's side input when it has one."""
  tx = train.make_optimizer(learning_rate=0.01) if tx is None else tx
  state = train.create_train_state(jax.random.PRNGKey(seed), method, tx, graph)
  side = prepare_side(method, graph)
  emb0 = np.asarray(call_embed(method, state.variables, graph, side=side))
  stats = state.model_state.get("batch_stats")
  stats0 = None if stats is None else jax.tree_util.tree_map(np.array, stats)
  step = train.make_train_step(method)  # donates the state: everything above is read first
  graph = jax.device_put(graph)
  losses = []
  for _ in range(steps):
    state, m = step(state, graph, side)
    losses.append(float(m["loss"]))
  return TrainRun(state, np.asarray(losses), emb0, stats0, side)


def random_init_gap(method, run: TrainRun, ds, graph) -> float:
  """Probe accuracy on the trained embeddings minus that on the initial ones (real rows).

  Also checks that the trained embeddings are zero on the padding rows.
  """
  n = ds.num_nodes
  emb = np.asarray(call_embed(method, run.state.variables, graph, side=run.side))
  assert np.all(emb[n:] == 0)  # padding rows
  return probe(ds, emb[:n]) - probe(ds, run.emb0[:n])


def loss_drop(losses, *, first=5, last=10) -> float:
  """Mean of the first ``first`` losses minus the mean of the last ``last``: > 0 when it fell."""
  return float(np.mean(losses[:first]) - np.mean(losses[-last:]))

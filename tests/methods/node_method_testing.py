"""Shared set-up for the node-level method tests: a contextual SBM and a logistic-regression probe."""

import jax
import numpy as np
from sklearn.linear_model import LogisticRegression

from jgssl import graph as graph_lib
from jgssl.data import synthetic
from jgssl.data.types import random_split


def csbm(num_nodes=600, signal=1.0):
  """A 4-block contextual SBM and its padded graph (numpy leaves, node budget a multiple of 64)."""
  ds = synthetic.contextual_sbm(0, num_nodes=num_nodes, num_blocks=4, avg_degree=6,
                                homophily=0.8, num_features=32, feature_signal=signal)
  padded = graph_lib.pad_graph(ds.graph, graph_lib.budget_for(ds.graph, multiple=64))
  return ds, jax.tree_util.tree_map(np.asarray, padded)


def probe(ds, emb):
  """Test accuracy of a logistic regression on a seeded 10/10/80 split of ``emb`` (real rows)."""
  split = random_split(0, ds.num_nodes, train=0.1, val=0.1)
  clf = LogisticRegression(max_iter=3000).fit(emb[split["train"]], ds.labels[split["train"]])
  return clf.score(emb[split["test"]], ds.labels[split["test"]])

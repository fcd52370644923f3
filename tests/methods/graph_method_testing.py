"""Shared set-up for the graph-level method tests (GraphCL, InfoGraph, GraphMAE on MUTAG): a
cross-validated probe, training over padded batches and the graph embeddings of a dataset."""

import jax
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import margins
from jgssl import models, train


def load_mutag():
  """MUTAG (188 graphs), loaded once per process (``margins.load_dataset``)."""
  return margins.load_dataset("mutag")


def probe(emb, labels):
  """5-fold logistic-regression accuracy on standardised embeddings (fixed folds)."""
  clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=0.1))
  folds = StratifiedKFold(5, shuffle=True, random_state=0)
  return float(cross_val_score(clf, emb, labels, cv=folds).mean())


def fit_graphs(method, graphs, *, learning_rate, epochs=10, batch_size=64, seed=0):
  """Adam from ``PRNGKey(seed)`` over batches shuffled by ``seed`` (the last, smaller one kept).

  Returns:
    ``(result, budget, losses)``: the ``train.fit`` result, the loader's padding budget and the
    ``[epochs]`` losses.
  """
  loader = train.GraphLoader(graphs, batch_size=batch_size, seed=seed, drop_last=False)
  tx = train.make_optimizer(name="adam", learning_rate=learning_rate)
  state = train.create_train_state(jax.random.PRNGKey(seed), method, tx,
                                   next(iter(loader.epoch(0))))
  result = train.fit(state, train.make_train_step(method), loader, epochs=epochs)
  return result, loader.budget, np.array([h.loss for h in result.history])


def graph_embeddings(method, variables, graphs, *, budget, batch_size=64):
  """``[num_graphs, d]`` embeddings of ``graphs`` in order (padding graphs dropped)."""
  loader = train.GraphLoader(graphs, batch_size=batch_size, shuffle=False, drop_last=False,
                             budget=budget)
  return np.concatenate([np.asarray(method.embed(variables, b))[np.asarray(b.globals["mask"])]
                         for b in loader.epoch(0)])


def relative_drop(losses) -> float:
  """``(first - last) / |first|`` of a loss curve: above 0 when the last loss is lower."""
  return float((losses[0] - losses[-1]) / abs(losses[0]))


def raw_features(ds):
  """``[num_graphs, f]`` sum over each graph's node features: the no-training baseline."""
  return np.asarray(models.sum_readout(ds.graphs.nodes["x"], ds.graphs))

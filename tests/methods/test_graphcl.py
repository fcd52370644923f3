"""GraphCL: augmentations as masks, loss falls on MUTAG, embeddings beat raw features."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import train
from jgssl import graph as graph_lib
from jgssl.methods.graphcl import (AUGMENTATIONS, GraphCL, graphcl_augmentation,
                                   mask_nodes_gaussian)
from graph_method_testing import fit_graphs, graph_embeddings, probe, raw_features


@pytest.fixture(scope="module")
def batch(mutag):
  loader = train.GraphLoader(mutag.graphs, batch_size=32, seed=0)
  return jax.tree_util.tree_map(jnp.asarray, next(iter(loader.epoch(0))))


def test_mask_nodes_gaussian_overwrites_exact_rows_per_graph(batch):
  out = mask_nodes_gaussian(jax.random.PRNGKey(0), batch, rate=0.1)
  changed = np.any(np.asarray(out.nodes["x"]) != np.asarray(batch.nodes["x"]), axis=1)
  gid = np.asarray(graph_lib.node_graph_index(batch))
  n_real = np.asarray(batch.n_node)[np.asarray(batch.globals["mask"])]
  per_graph = np.bincount(gid[changed], minlength=len(batch.n_node))[:len(n_real)]
  np.testing.assert_array_equal(per_graph, np.floor(0.1 * n_real))
  assert not np.any(changed[~np.asarray(batch.nodes["mask"])])  # padding untouched
  for k in ("mask",):
    np.testing.assert_array_equal(out.nodes[k], batch.nodes[k])


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_every_augmentation_keeps_shapes_and_padding(batch, name):
  aug = graphcl_augmentation(name)
  out = jax.jit(aug)(jax.random.PRNGKey(1), batch)
  assert jax.tree_util.tree_map(jnp.shape, out) == jax.tree_util.tree_map(jnp.shape, batch)
  pad = ~np.asarray(batch.nodes["mask"])
  assert not np.any(np.asarray(out.nodes["mask"])[pad])


def test_pedges_drops_about_ten_percent_and_subgraph_keeps_a_fifth(batch):
  e0 = int(np.sum(graph_lib.edge_mask(batch)))
  e1 = int(np.sum(graph_lib.edge_mask(graphcl_augmentation("pedges")(jax.random.PRNGKey(2),
                                                                     batch))))
  assert 0.8 * e0 < e1 < 0.97 * e0
  sub = graphcl_augmentation("subgraph")(jax.random.PRNGKey(3), batch)
  n_real = np.asarray(batch.n_node)[np.asarray(batch.globals["mask"])]
  kept = int(np.sum(sub.nodes["mask"]))
  assert kept == int(np.sum(n_real - np.floor(0.8 * n_real + 1e-9)))


def test_trains_on_mutag_and_beats_raw_features(mutag):
  m = GraphCL(hidden=16, aug="dnodes")
  result, budget, losses = fit_graphs(m, mutag.graphs, learning_rate=0.01)
  assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
  emb = graph_embeddings(m, result.state.variables, mutag.graphs, budget=budget)
  assert emb.shape == (mutag.num_graphs, 48)  # 3 layers x 16, concatenated sum-pools
  assert probe(emb, mutag.labels) > probe(raw_features(mutag), mutag.labels) + 0.01


def test_identical_views_give_lower_loss_than_augmented(batch):
  m = GraphCL(hidden=16, aug="none")
  v = m.init(jax.random.PRNGKey(0), batch)
  same, _ = m.loss(v, jax.random.PRNGKey(1), batch)
  other, _ = GraphCL(hidden=16, aug="subgraph").loss(v, jax.random.PRNGKey(1), batch)
  assert float(same) < float(other)


@pytest.mark.parametrize("kwargs", [dict(aug="flip"), dict(temperature=0.0),
                                    dict(aug_ratio=1.0), dict(hidden=0)])
def test_bad_fields_raise(kwargs):
  with pytest.raises(ValueError):
    GraphCL(**kwargs)

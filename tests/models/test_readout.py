"""Tests of jgssl.models readouts against numpy per graph; empty, dropped and padding graphs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jgssl import graph as graph_lib
from jgssl import models


def _batch():
  """Graphs of 3, 0, 4 and 2 nodes; in the last one both nodes are dropped; node 5 dropped too."""
  rng = np.random.default_rng(0)
  sizes = (3, 0, 4, 2)
  graphs = []
  for n in sizes:
    ei = np.array([[i for i in range(n - 1)], [i + 1 for i in range(n - 1)]], np.int64)
    graphs.append(graph_lib.from_edge_index(ei.reshape(2, -1), num_nodes=n,
                                            node_features=np.zeros((n, 2), np.float32)))
  g = graph_lib.batch(graphs)
  g = graph_lib.pad_graph(g, graph_lib.PaddingBudget(n_node=12, n_edge=16, n_graph=7))
  mask = np.array(g.nodes["mask"])
  mask[[5, 7, 8]] = False  # node 5 of graph 2; both nodes (7, 8) of graph 3
  g = g._replace(nodes={**g.nodes, "mask": mask})
  h = rng.normal(size=(12, 4)).astype(np.float32)
  h[:3] -= 10.0  # graph 0 all negative: max must stay negative
  h[9:] = 1e6  # padding rows hold junk that must be ignored
  return g, h, sizes


def _reference(g, h, sizes, op):
  mask = np.asarray(g.nodes["mask"])
  out = np.zeros((g.n_node.shape[0], h.shape[1]))
  start = 0
  for i, n in enumerate(sizes):
    rows = h[start:start + n][mask[start:start + n]]
    if len(rows):
      out[i] = op(rows)
    start += n
  return out


@pytest.mark.parametrize("fn, op", [
    (models.sum_readout, lambda r: r.sum(0)),
    (models.mean_readout, lambda r: r.mean(0)),
    (models.max_readout, lambda r: r.max(0)),
])
def test_readouts_match_numpy_per_graph(fn, op):
  g, h, sizes = _batch()
  out = np.asarray(fn(h, g))
  assert out.shape == (7, 4)
  np.testing.assert_allclose(out, _reference(g, h, sizes, op), rtol=1e-5, atol=1e-5)
  np.testing.assert_array_equal(out[1], 0.0)   # empty graph
  np.testing.assert_array_equal(out[3], 0.0)   # all nodes dropped
  np.testing.assert_array_equal(out[4:], 0.0)  # padding graphs
  assert np.all(np.isfinite(out))


def test_max_readout_keeps_negative_maxima_and_mean_ignores_dropped():
  g, h, _ = _batch()
  out = np.asarray(models.max_readout(h, g))
  assert np.all(out[0] < -5)  # not clipped at 0
  mean = np.asarray(models.mean_readout(h, g))
  np.testing.assert_allclose(mean[2], h[[3, 4, 6]].mean(0), rtol=1e-5)  # node 5 dropped


def test_readouts_jit_and_grad():
  g, h, _ = _batch()
  g = jax.tree_util.tree_map(jnp.asarray, g)
  for fn in (models.sum_readout, models.mean_readout, models.max_readout):
    np.testing.assert_allclose(jax.jit(fn)(h, g), fn(h, g), rtol=1e-6)
  grad = jax.grad(lambda x: jnp.sum(models.mean_readout(x, g)))(jnp.asarray(h))
  present = np.asarray(g.nodes["mask"])
  np.testing.assert_array_equal(np.asarray(grad)[~present], 0.0)  # no gradient to absent rows
  np.testing.assert_allclose(np.asarray(grad)[:3], 1.0 / 3.0)


def test_concat_layer_readouts():
  g, h, _ = _batch()
  layers = [h, 2.0 * h[:, :2]]
  out = models.concat_layer_readouts(layers, g)
  ref = np.concatenate([models.sum_readout(h, g), models.sum_readout(2.0 * h[:, :2], g)], -1)
  np.testing.assert_allclose(out, ref, rtol=1e-6)
  assert out.shape == (7, 6)
  out_max = models.concat_layer_readouts(layers, g, readout="max")
  np.testing.assert_allclose(out_max[:, :4], models.max_readout(h, g), rtol=1e-6)
  out_fn = models.concat_layer_readouts(layers, g, readout=models.mean_readout)
  np.testing.assert_allclose(out_fn[:, 4:], models.mean_readout(2.0 * h[:, :2], g), rtol=1e-6)


def test_readout_errors():
  g, h, _ = _batch()
  with pytest.raises(ValueError, match=r"node rows \[N=12"):
    models.sum_readout(h[:5], g)
  with pytest.raises(ValueError, match="unknown readout"):
    models.get_readout("median")
  with pytest.raises(ValueError, match="non-empty sequence"):
    models.concat_layer_readouts(h, g)
  assert models.get_readout("mean") is models.mean_readout

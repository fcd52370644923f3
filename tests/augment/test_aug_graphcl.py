"""GraphCL's augmentations (mask_nodes_gaussian, per_graph_choice, the --aug table) and
two_views, the view pairs of the two-view methods."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jgssl.augment as A
from jgssl import graph as graph_lib

# Graphs large enough that 10 % of each is at least one node; no node or edge pre-dropped.
SIZES = (12, 17, 23, 30, 10, 14, 21, 11, 26, 19, 15, 13)


@pytest.fixture(scope="module")
def batch(aug):
  return aug.padded_batch(3, sizes=SIZES, predrop=False)


def test_mask_nodes_gaussian_overwrites_exact_rows_per_graph(batch):
  out = jax.jit(A.MaskNodesGaussian(rate=0.1))(jax.random.PRNGKey(0), batch)
  changed = np.any(np.asarray(out.nodes["x"]) != np.asarray(batch.nodes["x"]), axis=1)
  gid = np.asarray(graph_lib.node_graph_index(batch))
  n_real = np.asarray(batch.n_node)[np.asarray(batch.globals["mask"])]
  per_graph = np.bincount(gid[changed], minlength=len(batch.n_node))[:len(n_real)]
  np.testing.assert_array_equal(per_graph, np.floor(0.1 * n_real))
  assert not np.any(changed[~np.asarray(batch.nodes["mask"])])  # padding untouched
  np.testing.assert_array_equal(out.nodes["mask"], batch.nodes["mask"])
  np.testing.assert_array_equal(out.edges["mask"], batch.edges["mask"])
  noise = np.asarray(out.nodes["x"])[changed]
  assert abs(noise.mean() - 0.5) < 0.2  # N(0.5, 0.5) rows


def test_mask_nodes_gaussian_keeps_the_contract_under_vmap(aug, keys, graph):
  out = aug.run(functools.partial(A.mask_nodes_gaussian, rate=0.3), keys[:8], graph)
  for i in range(8):
    aug.check(graph, aug.unbatch(out, i), nodes_may_drop=False)
  aug.equal(aug.unbatch(out, 0), aug.unbatch(out, 1))


@pytest.mark.parametrize("name", A.GRAPHCL_AUGMENTATIONS)
def test_every_graphcl_augmentation_keeps_the_contract(aug, batch, name):
  out = jax.jit(A.graphcl_augmentation(name))(jax.random.PRNGKey(1), batch)
  aug.check(batch, out)


def test_pedges_drops_about_ten_percent_and_subgraph_keeps_a_fifth(batch):
  e0 = int(np.sum(graph_lib.edge_mask(batch)))
  e1 = int(np.sum(graph_lib.edge_mask(A.graphcl_augmentation("pedges")(jax.random.PRNGKey(2),
                                                                       batch))))
  assert 0.8 * e0 < e1 < 0.97 * e0
  sub = A.graphcl_augmentation("subgraph")(jax.random.PRNGKey(3), batch)
  n_real = np.asarray(batch.n_node)[np.asarray(batch.globals["mask"])]
  assert int(np.sum(sub.nodes["mask"])) == int(np.sum(n_real - np.floor(0.8 * n_real + 1e-9)))


def test_graphcl_table_names_and_errors():
  assert A.graphcl_augmentation("none") is A.identity
  assert isinstance(A.graphcl_augmentation("dnodes", ratio=0.2), A.DropNodes)
  assert A.graphcl_augmentation("subgraph", subgraph_keep=0.3).rate == pytest.approx(0.7)
  assert len(A.graphcl_augmentation("random4").augmentations) == 4
  with pytest.raises(ValueError, match="aug must be one of"):
    A.graphcl_augmentation("flip")
  with pytest.raises(ValueError, match="rate"):
    A.graphcl_augmentation("pedges", ratio=1.5)


def _const_x(value, drop_edges):
  def aug(key, graph):
    del key
    x = jnp.full_like(graph.nodes["x"], value)
    emask = jnp.zeros_like(graph.edges["mask"]) if drop_edges else graph.edges["mask"]
    return graph._replace(nodes={**graph.nodes, "x": x}, edges={**graph.edges, "mask": emask})
  return aug


def test_per_graph_choice_takes_whole_graphs_from_one_draw(batch):
  """Each graph gets all its node rows and edge slots from the same augmentation, and a batch
  mixes both (GraphCL draws per graph, not per batch)."""
  aug = jax.jit(A.per_graph_choice([_const_x(0.0, False), _const_x(1.0, True)]))
  out = aug(jax.random.PRNGKey(5), batch)
  real = np.asarray(batch.globals["mask"])
  n_node, n_edge = np.asarray(batch.n_node), np.asarray(batch.n_edge)
  x = np.asarray(out.nodes["x"])[:, 0]
  em = np.asarray(out.edges["mask"])
  node_off = np.concatenate([[0], np.cumsum(n_node)])
  edge_off = np.concatenate([[0], np.cumsum(n_edge)])
  picks = []
  for g in np.flatnonzero(real):
    xs = x[node_off[g]:node_off[g + 1]]
    es = em[edge_off[g]:edge_off[g + 1]]
    assert np.all(xs == xs[0])
    pick = int(xs[0])
    picks.append(pick)
    if pick == 1:
      assert not np.any(es)
    else:
      original = np.asarray(batch.edges["mask"])[edge_off[g]:edge_off[g + 1]]
      np.testing.assert_array_equal(es, original)
  assert 0 < np.mean(picks) < 1
  np.testing.assert_array_equal(out.nodes["mask"], batch.nodes["mask"])


def test_per_graph_choice_errors():
  with pytest.raises(ValueError, match="at least one"):
    A.per_graph_choice([])
  with pytest.raises(ValueError, match="not an augmentation"):
    A.per_graph_choice([A.identity, 3])


# ---------------------------------------------------------------------------------------------
# two_views
# ---------------------------------------------------------------------------------------------


def test_two_views_composes_the_steps_at_each_views_rates(aug, graph):
  v1, v2 = A.two_views((A.DropEdges, (0.2, 0.5)), (A.MaskFeatureColumns, 0.3))
  key = jax.random.key(7)
  aug.equal(v1(key, graph), A.compose(A.DropEdges(rate=0.2), A.MaskFeatureColumns(rate=0.3))(
      key, graph))
  aug.equal(jax.jit(v2)(key, graph),
            A.compose(A.DropEdges(rate=0.5), A.MaskFeatureColumns(rate=0.3))(key, graph))
  assert [s.rate for s in v2.augmentations] == [0.5, 0.3]
  # Steps run in the order given: features first is another pipeline.
  w1, _ = A.two_views((A.MaskFeatureColumns, 0.3), (A.DropEdges, 0.2))
  assert [type(s) for s in w1.augmentations] == [A.MaskFeatureColumns, A.DropEdges]


def test_two_views_with_side_passes_the_side_input_to_every_step(graph):
  def shift(*, rate):
    def step(key, g, side):
      del key
      return g._replace(nodes={**g.nodes, "x": g.nodes["x"] + rate * side})
    return step

  v1, v2 = A.two_views((shift, (1.0, 2.0)), (shift, 10.0), side=True)
  x = np.asarray(graph.nodes["x"])
  np.testing.assert_allclose(jax.jit(v1)(jax.random.key(0), graph, 0.5).nodes["x"],
                             x + 0.5 + 5.0)
  np.testing.assert_allclose(v2(jax.random.key(0), graph, 1.0).nodes["x"], x + 12.0)


def test_two_views_errors():
  with pytest.raises(ValueError, match="at least one"):
    A.two_views()
  with pytest.raises(ValueError, match="step 0"):
    A.two_views(A.DropEdges)
  with pytest.raises(ValueError, match="pair"):
    A.two_views((A.DropEdges, (0.1, 0.2, 0.3)))
  with pytest.raises(ValueError, match="rate"):
    A.two_views((A.DropEdges, (0.1, 1.5)))

"""Tests for the combinators identity, compose and random_choice."""

import chex
import jax
import numpy as np
import pytest

import jgssl.augment as A


def _tag(value):
  """A test augmentation that adds ``value`` to every feature (records which one ran)."""
  def aug(key, graph):
    del key
    return graph._replace(nodes={**graph.nodes, "x": graph.nodes["x"] + value})
  return aug


def test_identity(aug, graph):
  aug.equal(A.identity(jax.random.key(0), graph), graph)
  aug.equal(A.compose()(jax.random.key(0), graph), graph)


def test_compose_applies_in_order_with_split_keys(aug, graph):
  a, b = A.DropEdges(rate=0.5), A.MaskFeatureColumns(rate=0.5)
  key = jax.random.key(5)
  k1, k2 = jax.random.split(key)
  aug.equal(jax.jit(A.compose(a, b))(key, graph), b(k2, a(k1, graph)))
  # Order matters for non-commuting steps: scale then shift != shift then scale.
  scale = lambda k, g: g._replace(nodes={**g.nodes, "x": g.nodes["x"] * 2})
  x = np.asarray(graph.nodes["x"])
  np.testing.assert_allclose(A.compose(_tag(1.0), scale)(key, graph).nodes["x"], (x + 1) * 2)
  np.testing.assert_allclose(A.compose(scale, _tag(1.0))(key, graph).nodes["x"], x * 2 + 1)


def test_compose_keeps_contract_under_vmap(aug, keys, graph):
  pipeline = A.compose(A.DropNodes(rate=0.2), A.DropEdges(rate=0.3), A.MaskFeatureRows(rate=0.2))
  out = aug.run(pipeline, keys[:16], graph)
  for i in range(16):
    aug.check(graph, aug.unbatch(out, i))
  aug.equal(aug.unbatch(out, 0), aug.unbatch(out, 1))


def test_random_choice_frequencies_follow_p(keys, graph):
  chooser = A.random_choice([_tag(1.0), _tag(2.0), _tag(3.0)], p=[0.2, 0.0, 0.8])
  ks = jax.random.split(jax.random.key(1), 400)
  xs = jax.jit(jax.vmap(chooser, in_axes=(0, None)))(ks, graph).nodes["x"]
  shift = np.asarray(xs[:, 0, 0] - graph.nodes["x"][0, 0])
  picked = np.rint(shift).astype(int)
  assert set(picked.tolist()) <= {1, 3}
  assert abs(np.mean(picked == 3) - 0.8) < 0.07


def test_random_choice_uniform_and_compiles_once(aug, graph):
  chooser = A.random_choice([_tag(1.0), _tag(2.0)])

  @jax.jit
  @chex.assert_max_traces(n=1)
  def step(key, g):
    return chooser(key, g)

  seen = set()
  for i in range(12):
    out = step(jax.random.key(i), graph)
    seen.add(int(np.rint(out.nodes["x"][0, 0] - graph.nodes["x"][0, 0])))
  assert seen == {1, 2}


def test_random_choice_same_key_same_choice(aug, graph):
  chooser = A.random_choice([A.DropEdges(rate=0.5), A.DropNodes(rate=0.5), A.identity])
  key = jax.random.key(11)
  aug.equal(chooser(key, graph), chooser(key, graph))


def test_random_choice_rejects_shape_changing_branch(graph):
  def bad(key, g):
    return g._replace(nodes={**g.nodes, "x": g.nodes["x"][:, :2]})
  with pytest.raises(ValueError, match="augmentation 1"):
    A.random_choice([A.identity, bad])(jax.random.key(0), graph)


def test_combinator_argument_errors():
  with pytest.raises(ValueError, match="at least one"):
    A.random_choice([])
  with pytest.raises(ValueError, match="sum to 1"):
    A.random_choice([A.identity, A.identity], p=[0.5, 0.6])
  with pytest.raises(ValueError, match="one probability per"):
    A.random_choice([A.identity], p=[0.5, 0.5])
  with pytest.raises(ValueError, match="not an augmentation"):
    A.compose(A.identity, 3)


def test_factories_are_keyword_only_and_hashable():
  with pytest.raises(TypeError):
    A.DropEdges(0.2)
  assert A.DropEdges(rate=0.2) == A.DropEdges(rate=0.2)
  assert len({A.DropEdges(rate=0.2), A.DropEdges(rate=0.2), A.DropNodes(rate=0.2)}) == 2


def test_legacy_uint32_keys_work(aug, graph):
  pipeline = A.compose(A.DropEdges(rate=0.3, undirected=True), A.SampleSubgraph(rate=0.5),
                       A.ShuffleFeatures())
  key = jax.random.PRNGKey(0)                 # raw uint32[2] key
  out = jax.jit(pipeline)(key, graph)
  aug.check(graph, out)
  aug.equal(out, jax.jit(pipeline)(jax.random.PRNGKey(0), graph))

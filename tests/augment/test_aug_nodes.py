"""Tests for jgssl.augment.nodes: drop_nodes and sample_subgraph."""

import collections

import jax
import numpy as np
import pytest

import jgssl.augment as A
from jgssl.augment import _util

RATE = 0.5


@pytest.fixture(scope="module")
def dropped(aug, keys, graph):
  return aug.run(A.DropNodes(rate=RATE), keys, graph)


@pytest.fixture(scope="module")
def subgraphs(aug, keys, graph):
  return aug.run(A.SampleSubgraph(rate=RATE), keys, graph)


def _eligible_counts(aug, graph):
  gid = aug.node_gid(graph)
  elig = np.asarray(graph.nodes["mask"]) & np.asarray(graph.globals["mask"])[gid]
  return elig, gid, np.bincount(gid[elig], minlength=len(graph.n_node))


@pytest.mark.parametrize("name", ["dropped", "subgraphs"])
def test_contract_exact_counts_and_determinism(request, aug, graph, name):
  out = request.getfixturevalue(name)
  elig, gid, counts = _eligible_counts(aug, graph)
  kept_expected = counts - np.floor(RATE * counts).astype(int)
  for i in range(64):
    one = aug.unbatch(out, i)
    aug.check(graph, one, features_may_change=False)
    kept = np.bincount(gid[one.nodes["mask"]], minlength=len(counts))
    np.testing.assert_array_equal(kept, kept_expected)
    # Every edge touching a removed node is masked (check() verifies present edges).
  aug.equal(aug.unbatch(out, 0), aug.unbatch(out, 1))
  masks = np.asarray(out.nodes["mask"])
  assert len({m.tobytes() for m in masks[1:]}) > 55


def test_drop_nodes_is_uniform(aug, graph, dropped):
  elig, gid, counts = _eligible_counts(aug, graph)
  freq = np.asarray(dropped.nodes["mask"])[:, elig].mean(0)
  # Node v of graph g is kept with probability kept_g / n_g (1 for the single-node graph).
  kept = counts - np.floor(RATE * counts)
  expected = (kept / np.maximum(counts, 1))[gid[elig]]
  assert np.all(np.abs(freq - expected) < 0.25), freq - expected
  assert abs(np.mean(freq - expected)) < 0.05


def _components(graph, keep):
  """Connected components (over present edges, undirected) of the kept nodes."""
  s, r = np.asarray(graph.senders), np.asarray(graph.receivers)
  on = np.asarray(graph.edges["mask"]) & keep[s] & keep[r]
  parent = {v: v for v in np.flatnonzero(keep)}

  def find(v):
    while parent[v] != v:
      parent[v] = parent[parent[v]]
      v = parent[v]
    return v

  for a, b in zip(s[on], r[on]):
    parent[find(a)] = find(b)
  return collections.Counter(find(v) for v in parent)


def test_subgraph_is_grown_from_a_start(aug, graph, subgraphs):
  """Each kept set is connected unless the start's component was smaller than the target."""
  _, gid, _ = _eligible_counts(aug, graph)
  elig = np.asarray(graph.nodes["mask"])
  for i in range(0, 64, 4):
    keep = np.asarray(subgraphs.nodes["mask"])[i]
    for g in range(4):
      sel = keep & (gid == g)
      comps = _components(graph, sel)
      whole = _components(graph, elig & (gid == g))
      if len(comps) > 1:
        # Several pieces only when a whole component was exhausted first: the first piece
        # must be a full component of the graph.
        assert any(size in whole.values() for size in comps.values())


def test_subgraph_more_connected_than_node_dropping(aug, graph, dropped, subgraphs):
  _, gid, _ = _eligible_counts(aug, graph)

  def mean_components(out):
    return np.mean([len(_components(graph, np.asarray(out.nodes["mask"])[i] & (gid == 3)))
                    for i in range(0, 64, 2)])

  assert mean_components(subgraphs) < mean_components(dropped)


def test_subgraph_nodes_per_step(aug, graph):
  key = jax.random.key(7)
  out = jax.jit(lambda k, g: A.sample_subgraph(k, g, rate=0.25, nodes_per_step=3))(key, graph)
  _, gid, counts = _eligible_counts(aug, graph)
  aug.check(graph, out, features_may_change=False)
  kept = np.bincount(gid[np.asarray(out.nodes["mask"])], minlength=len(counts))
  np.testing.assert_array_equal(kept, counts - np.floor(0.25 * counts).astype(int))


@pytest.mark.parametrize("fn", [A.drop_nodes, A.sample_subgraph])
def test_rate_zero_is_identity_and_rate_one_empties(aug, graph, fn):
  key = jax.random.key(0)
  aug.equal(fn(key, graph, rate=0.0), graph)
  out = fn(key, graph, rate=1.0)
  assert not np.any(np.asarray(out.nodes["mask"]))
  assert not np.any(np.asarray(out.edges["mask"]))


def test_bad_arguments(graph):
  with pytest.raises(ValueError, match="rate"):
    A.drop_nodes(jax.random.key(0), graph, rate=-0.5)
  with pytest.raises(ValueError, match="nodes_per_step"):
    A.SampleSubgraph(rate=0.2, nodes_per_step=0)


def test_floor_mul_is_exact_rational():
  n = np.arange(0, 200)
  for rate, den in [(0.1, 10), (0.29, 100), (0.75, 4), (1 / 3, 3), (0.7, 10)]:
    got = np.asarray(_util.floor_mul(rate, n))
    num = round(rate * den)
    np.testing.assert_array_equal(got, (n * num) // den)
  assert int(_util.floor_mul(2.5, 7)) == 17

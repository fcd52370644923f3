"""Tests for jgssl.augment.edges: drop_edges (directed / undirected) and add_edges."""

import jax
import numpy as np
import pytest

import jgssl.augment as A
from jgssl import graph as graph_lib

RATE = 0.3


@pytest.fixture(scope="module")
def dropped(aug, keys, graph):
  return aug.run(A.DropEdges(rate=RATE), keys, graph)


@pytest.fixture(scope="module")
def dropped_undirected(aug, keys, graph):
  return aug.run(A.DropEdges(rate=RATE, undirected=True), keys, graph)


@pytest.fixture(scope="module")
def added(aug, keys, graph):
  return aug.run(A.AddEdges(rate=RATE), keys, graph)


@pytest.fixture(scope="module")
def added_undirected(aug, keys, graph):
  return aug.run(A.AddEdges(rate=RATE, undirected=True), keys, graph)


def _present(graph):
  return np.asarray(graph_lib.edge_mask(graph))


def test_drop_edges_contract(aug, graph, dropped):
  for i in range(0, 64, 7):
    out = aug.unbatch(dropped, i)
    aug.check(graph, out, features_may_change=False, nodes_may_drop=False)
    np.testing.assert_array_equal(out.edges["weight"], np.asarray(graph.edges["weight"]))


@pytest.mark.parametrize("name", ["dropped", "dropped_undirected"])
def test_drop_edges_observed_rate(request, graph, name):
  out = request.getfixturevalue(name)
  present = _present(graph)
  kept = np.asarray(out.edges["mask"])[:, present]
  observed = 1.0 - kept.mean()
  # 64 keys x ~100 edges; undirected draws are per pair, so about half as many samples.
  assert abs(observed - RATE) < 0.04, observed


def test_drop_edges_same_and_different_keys(aug, dropped):
  aug.equal(aug.unbatch(dropped, 0), aug.unbatch(dropped, 1))
  masks = np.asarray(dropped.edges["mask"])
  assert len({m.tobytes() for m in masks[1:]}) == 63


def test_drop_edges_undirected_drops_both_directions(aug, graph, dropped_undirected):
  s, r = np.asarray(graph.senders), np.asarray(graph.receivers)
  present = _present(graph)
  index = {(int(a), int(b)): e for e, (a, b) in enumerate(zip(s, r)) if present[e]}
  pairs = [(e, index[(b, a)]) for (a, b), e in index.items() if (b, a) in index and a < b]
  assert len(pairs) > 20
  masks = np.asarray(dropped_undirected.edges["mask"])
  for e, rev in pairs:
    np.testing.assert_array_equal(masks[:, e], masks[:, rev])


def test_drop_edges_directed_drops_directions_independently(graph, dropped):
  s, r = np.asarray(graph.senders), np.asarray(graph.receivers)
  present = _present(graph)
  index = {(int(a), int(b)): e for e, (a, b) in enumerate(zip(s, r)) if present[e]}
  pairs = [(e, index[(b, a)]) for (a, b), e in index.items() if (b, a) in index and a < b]
  masks = np.asarray(dropped.edges["mask"])
  disagree = np.mean([np.mean(masks[:, e] != masks[:, rev]) for e, rev in pairs])
  assert abs(disagree - 2 * RATE * (1 - RATE)) < 0.05   # independent: P(differ) = 2p(1-p)


def test_drop_edges_rate_zero_and_one(aug, graph):
  key = jax.random.key(0)
  aug.equal(A.drop_edges(key, graph, rate=0.0), graph)
  aug.equal(A.drop_edges(key, graph, rate=0.0, undirected=True), graph)
  assert not np.any(np.asarray(A.drop_edges(key, graph, rate=1.0).edges["mask"]))


def test_drop_edges_rejects_bad_rate(graph):
  with pytest.raises(ValueError, match="rate"):
    A.drop_edges(jax.random.key(0), graph, rate=1.5)
  with pytest.raises(ValueError, match="rate"):
    A.DropEdges(rate=-0.1)


def test_add_edges_contract_and_count(aug, graph, added):
  present = _present(graph)
  num_slack = int(np.sum(~np.asarray(graph.edges["mask"])
                         & ~np.asarray(graph.globals["mask"])[aug.edge_gid(graph)]))
  expected = min(int(np.floor(RATE * present.sum())), num_slack)
  for i in range(0, 64, 5):
    out = aug.unbatch(added, i)
    aug.check(graph, out, slack_may_change=True, features_may_change=False, nodes_may_drop=False)
    new = out.edges["mask"] & ~np.asarray(graph.edges["mask"])
    assert new.sum() == expected
    np.testing.assert_array_equal(out.edges["weight"][new], 1.0)
    # Existing edges are all kept.
    assert np.all(out.edges["mask"][np.asarray(graph.edges["mask"])])


def test_add_edges_same_and_different_keys(aug, added):
  aug.equal(aug.unbatch(added, 0), aug.unbatch(added, 1))
  senders = np.asarray(added.senders)
  assert len({row.tobytes() for row in senders[1:]}) == 63


def test_add_edges_spread_over_graphs_by_edge_count(aug, graph, added):
  gid = aug.node_gid(graph)
  present = _present(graph)
  per_graph_edges = np.bincount(gid[np.asarray(graph.receivers)[present]], minlength=7)
  mask = np.asarray(added.edges["mask"]) & ~np.asarray(graph.edges["mask"])[None]
  receivers = np.asarray(added.receivers)
  counts = np.bincount(gid[receivers[mask]], minlength=7)
  share = counts / counts.sum()
  expected = per_graph_edges / per_graph_edges.sum()
  np.testing.assert_allclose(share, expected, atol=0.05)
  assert counts[4] == 0                      # the single-node graph gets nothing


def test_add_edges_uniform_over_node_pairs(aug, graph, added):
  # Within the largest graph, every present node is an end point about equally often.
  gid = aug.node_gid(graph)
  mask = np.asarray(added.edges["mask"]) & ~np.asarray(graph.edges["mask"])[None]
  ends = np.concatenate([np.asarray(added.senders)[mask], np.asarray(added.receivers)[mask]])
  big = np.flatnonzero((gid == 3) & np.asarray(graph.nodes["mask"]))
  counts = np.array([(ends == v).sum() for v in big])
  assert counts.min() > 0.4 * counts.mean()


def test_add_edges_undirected_writes_both_directions(aug, graph, added_undirected):
  for i in range(0, 64, 9):
    out = aug.unbatch(added_undirected, i)
    aug.check(graph, out, slack_may_change=True, features_may_change=False)
    new = np.flatnonzero(out.edges["mask"] & ~np.asarray(graph.edges["mask"]))
    assert len(new) % 2 == 0 and len(new) > 0
    pairs = set(zip(out.senders[new].tolist(), out.receivers[new].tolist()))
    assert all((r, s) in pairs for s, r in pairs)


def test_add_edges_rate_zero_and_no_slack(aug, graph):
  key = jax.random.key(3)
  add = jax.jit(A.add_edges, static_argnames=("rate", "undirected"))
  aug.equal(add(key, graph, rate=0.0), graph)
  tight = aug.padded_batch(1, edge_slack=0)
  aug.equal(add(key, tight, rate=0.5), tight)
  small = aug.padded_batch(1, edge_slack=3)
  out = add(key, small, rate=2.0)
  assert int(np.sum(np.asarray(out.edges["mask"]) & ~np.asarray(small.edges["mask"]))) == 3

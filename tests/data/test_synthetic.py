"""Tests for jgssl.data.synthetic: SBM statistics, exactness of the sampler, features, errors."""

import numpy as np
import pytest

from jgssl.data import synthetic
from jgssl.data import types


def _undirected_pairs(graph):
  s, r = np.asarray(graph.senders), np.asarray(graph.receivers)
  return {(int(a), int(b)) for a, b in zip(s, r) if a < b}


@pytest.fixture(scope="module")
def big():
  """10^5 nodes, average degree 10, homophily 0.8 (the suite-sized scaling run)."""
  return synthetic.sbm(0, num_nodes=100_000, num_blocks=10, avg_degree=10.0, homophily=0.8)


def test_large_sbm_statistics(big):
  g = big.graph
  assert isinstance(big, types.NodeDataset) and big.name == "sbm"
  assert big.num_nodes == 100_000 and big.num_classes == 10
  # Mean degree = 2 E_undirected / N = stored directed edges / N; std of this estimate ~0.01.
  assert abs(big.num_edges / big.num_nodes - 10.0) < 0.1
  assert abs(synthetic.edge_homophily(g, big.labels) - 0.8) < 0.01
  s, r = np.asarray(g.senders).astype(np.int64), np.asarray(g.receivers).astype(np.int64)
  assert not np.any(s == r)                                   # no self-loops
  key = s * big.num_nodes + r
  assert np.unique(key).shape[0] == key.shape[0]              # no duplicates
  rev = np.sort(r * big.num_nodes + s)
  np.testing.assert_array_equal(np.sort(key), rev)            # symmetric
  assert g.nodes["x"].shape == (100_000, 0) and g.nodes["x"].dtype == np.float32
  assert g.nodes["mask"].all() and g.edges["mask"].all() and np.all(g.edges["weight"] == 1)
  np.testing.assert_array_equal(np.bincount(big.labels), np.full(10, 10_000))
  assert big.labels.dtype == np.int64 and big.splits is None


def test_random_split_is_10_10_80(big):
  split = big.random_split(0)
  assert [len(split[k]) for k in ("train", "val", "test")] == [10_000, 10_000, 80_000]
  allidx = np.concatenate([split["train"], split["val"], split["test"]])
  np.testing.assert_array_equal(np.sort(allidx), np.arange(100_000))


def test_labels_are_permuted_not_contiguous(big):
  # Block-sorted ids would give labels[:10000] all equal; a random relabelling mixes them.
  assert len(np.unique(big.labels[:1000])) == 10


def test_seeded_reproducibility_and_generator_seed():
  kw = dict(num_nodes=500, num_blocks=4, avg_degree=6.0, homophily=0.7)
  a, b = synthetic.sbm(3, **kw), synthetic.sbm(3, **kw)
  c = synthetic.sbm(np.random.default_rng(3), **kw)
  d = synthetic.sbm(4, **kw)
  for other in (b, c):
    np.testing.assert_array_equal(a.graph.senders, other.graph.senders)
    np.testing.assert_array_equal(a.graph.receivers, other.graph.receivers)
    np.testing.assert_array_equal(a.labels, other.labels)
  assert _undirected_pairs(a.graph) != _undirected_pairs(d.graph)
  assert not np.array_equal(a.labels, d.labels)


def test_generator_is_advanced_in_place():
  rng = np.random.default_rng(0)
  kw = dict(num_nodes=200, num_blocks=2, avg_degree=4.0, homophily=0.9)
  a, b = synthetic.sbm(rng, **kw), synthetic.sbm(rng, **kw)
  assert _undirected_pairs(a.graph) != _undirected_pairs(b.graph)


def test_pair_inclusion_frequencies_match_bernoulli():
  """Exactness of the sampler: every pair is an edge with probability p_in or p_out."""
  n, k = 12, 3
  kw = dict(num_nodes=n, num_blocks=k, avg_degree=3.0, homophily=0.6)
  p_in, p_out = synthetic.sbm_probabilities(**kw)
  # Hand check: P_in = 3 * C(4, 2) = 18, P_out = C(12, 2) - 18 = 48, M = 18.
  assert p_in == pytest.approx(0.6 * 18 / 18) and p_out == pytest.approx(0.4 * 18 / 48)
  trials = 3000
  rng = np.random.default_rng(1)
  counts = np.zeros((n, n))
  same = np.zeros((n, n), bool)
  for _ in range(trials):
    d = synthetic.sbm(rng, **kw)
    # Map back to block-sorted ids so pair (i, j) keeps its meaning across trials.
    order = np.argsort(d.labels, kind="stable")
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    counts[pos[d.graph.senders], pos[d.graph.receivers]] += 1
  blocks = np.repeat(np.arange(k), n // k)
  same = blocks[:, None] == blocks[None, :]
  iu = np.triu_indices(n, 1)
  freq = counts[iu] / trials
  intra = same[iu]
  # Binomial std with 3000 trials is <= 0.009; allow 5 sigma per pair.
  assert np.all(np.abs(freq[intra] - p_in) < 0.045)
  assert np.all(np.abs(freq[~intra] - p_out) < 0.045)
  assert abs(freq[intra].mean() - p_in) < 0.01 and abs(freq[~intra].mean() - p_out) < 0.01
  np.testing.assert_array_equal(counts, counts.T)              # symmetric in every trial
  assert np.all(np.diag(counts) == 0)


def test_distinct_uniform_sampler_dense_and_sparse_paths():
  rng = np.random.default_rng(0)
  for population, count in ((40, 30), (10**12, 1000), (1000, 200)):
    out = synthetic._distinct_uniform(rng, population, count)
    assert out.shape == (count,) and np.all(np.diff(out) > 0)
    assert out.min() >= 0 and out.max() < population
  # Sparse path (4 * count <= population): inclusion frequency = count / population everywhere.
  hits = np.zeros(50)
  for _ in range(4000):
    hits[synthetic._distinct_uniform(rng, 50, 12)] += 1
  np.testing.assert_allclose(hits / 4000, 12 / 50, atol=0.035)
  with pytest.raises(ValueError, match="distinct"):
    synthetic._distinct_uniform(rng, 5, 6)


def test_ratio_parameterisation_and_erdos_renyi_limit():
  d = synthetic.sbm(0, num_nodes=20_000, num_blocks=4, avg_degree=8.0, p_in_over_p_out=5.0)
  p_in, p_out = synthetic.sbm_probabilities(num_nodes=20_000, num_blocks=4, avg_degree=8.0,
                                            p_in_over_p_out=5.0)
  assert p_in / p_out == pytest.approx(5.0)
  h = synthetic.edge_homophily(d.graph, d.labels)
  # Equal blocks: h = r P_in / (r P_in + P_out), P_in / P_out ~ (1/K) / (1 - 1/K) = 1/3.
  expected = 5.0 * (1 / 3) / (5.0 * (1 / 3) + 1.0)
  assert abs(h - expected) < 0.01
  assert abs(d.num_edges / d.num_nodes - 8.0) < 0.15
  # homophily = 1/K (equal blocks) is Erdos-Renyi: p_in ~= p_out.
  p_in, p_out = synthetic.sbm_probabilities(num_nodes=20_000, num_blocks=4, avg_degree=8.0,
                                            homophily=0.25)
  assert p_in == pytest.approx(p_out, rel=1e-3)


def test_block_sizes_and_extreme_homophily():
  d = synthetic.sbm(0, num_nodes=300, num_blocks=3, avg_degree=5.0, homophily=1.0,
                    block_sizes=[50, 100, 150])
  np.testing.assert_array_equal(np.bincount(d.labels), [50, 100, 150])
  assert synthetic.edge_homophily(d.graph, d.labels) == 1.0
  d = synthetic.sbm(0, num_nodes=300, num_blocks=3, avg_degree=5.0, homophily=0.0)
  assert synthetic.edge_homophily(d.graph, d.labels) == 0.0
  # Dense graph exercises the choice-without-replacement path; still simple and symmetric.
  d = synthetic.sbm(0, num_nodes=30, num_blocks=2, avg_degree=20.0, homophily=0.5)
  pairs = _undirected_pairs(d.graph)
  assert len(pairs) * 2 == d.num_edges and abs(d.num_edges / 30 - 20) < 4


def test_contextual_sbm_features():
  kw = dict(num_nodes=6000, num_blocks=3, avg_degree=6.0, homophily=0.8)
  d = synthetic.contextual_sbm(0, **kw, num_features=8, feature_signal=3.0, noise_std=0.5)
  x = d.graph.nodes["x"]
  assert d.name == "csbm" and x.shape == (6000, 8) and x.dtype == np.float32
  # The graph is the SBM drawn from the same seed.
  plain = synthetic.sbm(0, **kw)
  np.testing.assert_array_equal(d.graph.senders, plain.graph.senders)
  np.testing.assert_array_equal(d.labels, plain.labels)
  means = np.stack([x[d.labels == c].mean(0) for c in range(3)])
  dists = np.linalg.norm(means[:, None] - means[None], axis=-1)[np.triu_indices(3, 1)]
  np.testing.assert_allclose(dists, 3.0, atol=0.1)            # separation = feature_signal
  np.testing.assert_allclose(means.mean(0), 0.0, atol=0.05)   # simplex centred at 0
  resid = x - means[d.labels]
  np.testing.assert_allclose(resid.std(0), 0.5, atol=0.03)    # noise std per dimension
  # Nearest-mean classification works far above chance with a large separation.
  pred = np.argmin(np.linalg.norm(x[:, None] - means[None], axis=-1), axis=1)
  assert (pred == d.labels).mean() > 0.95


def test_contextual_sbm_zero_signal_and_two_blocks():
  d = synthetic.contextual_sbm(1, num_nodes=4000, num_blocks=2, avg_degree=4.0, homophily=0.5,
                               num_features=1, feature_signal=0.0)
  x = d.graph.nodes["x"][:, 0]
  assert abs(x[d.labels == 0].mean() - x[d.labels == 1].mean()) < 0.15
  # Two blocks: antipodal means +/- signal / 2 along one direction (Deshpande et al.).
  d = synthetic.contextual_sbm(1, num_nodes=4000, num_blocks=2, avg_degree=4.0, homophily=0.5,
                               num_features=1, feature_signal=4.0)
  x = d.graph.nodes["x"][:, 0]
  m0, m1 = x[d.labels == 0].mean(), x[d.labels == 1].mean()
  assert abs(abs(m0 - m1) - 4.0) < 0.15 and abs(m0 + m1) < 0.15


def test_reproducible_features():
  kw = dict(num_nodes=300, num_blocks=3, avg_degree=4.0, homophily=0.7, num_features=5,
            feature_signal=1.0)
  a, b, c = (synthetic.contextual_sbm(s, **kw) for s in (5, 5, 6))
  np.testing.assert_array_equal(a.graph.nodes["x"], b.graph.nodes["x"])
  assert not np.allclose(a.graph.nodes["x"], c.graph.nodes["x"])


@pytest.mark.parametrize("kwargs, match", [
    (dict(homophily=0.5, p_in_over_p_out=2.0), "exactly one"),
    (dict(), "exactly one"),
    (dict(homophily=1.5), "homophily"),
    (dict(homophily=0.5, avg_degree=-1.0), "avg_degree"),
    (dict(homophily=0.99, avg_degree=50.0), "not reachable"),
    (dict(homophily=0.5, block_sizes=[10, 10, 10]), "block_sizes"),
    (dict(homophily=0.5, block_sizes=[25, 25]), "sum"),
    (dict(homophily=0.5, num_blocks=0), "num_blocks"),
    (dict(homophily=0.5, num_nodes=2.5), "num_nodes"),
])
def test_sbm_errors(kwargs, match):
  args = dict(num_nodes=40, num_blocks=2, avg_degree=4.0)
  args.update(kwargs)
  with pytest.raises(ValueError, match=match):
    synthetic.sbm(0, **args)


def test_other_errors():
  with pytest.raises(ValueError, match="seed"):
    synthetic.sbm(1.5, num_nodes=10, num_blocks=2, avg_degree=2.0, homophily=0.5)
  with pytest.raises(ValueError, match="num_features"):
    synthetic.contextual_sbm(0, num_nodes=50, num_blocks=4, avg_degree=2.0, homophily=0.5,
                             num_features=2, feature_signal=1.0)
  with pytest.raises(ValueError, match="noise_std"):
    synthetic.contextual_sbm(0, num_nodes=50, num_blocks=2, avg_degree=2.0, homophily=0.5,
                             num_features=2, feature_signal=1.0, noise_std=0.0)
  with pytest.raises(ValueError, match="feature_signal"):
    synthetic.contextual_sbm(0, num_nodes=50, num_blocks=2, avg_degree=2.0, homophily=0.5,
                             num_features=2, feature_signal=-1.0)

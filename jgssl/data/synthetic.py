"""Synthetic graphs: stochastic block models, with and without node features.

Both generators build a *planted-partition* stochastic block model (Holland, Laskey & Leinhardt,
1983): ``num_blocks`` communities, every unordered pair of distinct nodes inside one block is an
edge with probability ``p_in`` and every pair across blocks with probability ``p_out``, all pairs
independent. :func:`contextual_sbm` adds Gaussian node features whose mean depends on the block,
the contextual SBM of Deshpande, Sen, Montanari & Mossel, "Contextual Stochastic Block Models",
NeurIPS 2018.

Sampling never touches the ``N x N`` pair matrix. For each of the two pair sets (intra- and
inter-block) the number of edges is drawn from its exact binomial law, then that many *distinct*
pairs are drawn uniformly from the set (i.i.d. Bernoulli pairs are exactly "binomial count, then a
uniform subset of that size"). Pairs are addressed by a linear index decoded with a per-node
cumulative count, so the cost is ``O(N + E log N)``: 10^6 nodes with average degree 10 take a few
seconds on one CPU core.

Randomness comes only from the ``seed`` argument (an int or a :class:`numpy.random.Generator`);
no global RNG is read or written. Results are :class:`jgssl.data.types.NodeDataset` with labels =
blocks, ``splits=None`` (use :meth:`NodeDataset.random_split` for the 10 / 10 / 80 split).
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from jgssl import graph as graph_lib
from jgssl.data import types

__all__ = [
    "contextual_sbm",
    "edge_homophily",
    "sbm",
    "sbm_probabilities",
]

Seed = Union[int, np.integer, np.random.Generator]


def _rng(seed: Seed) -> np.random.Generator:
  if isinstance(seed, np.random.Generator):
    return seed
  if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
    raise ValueError(f"seed must be an int or a numpy.random.Generator, got {type(seed).__name__}")
  return np.random.default_rng(int(seed))


def _block_sizes(num_nodes: int, num_blocks: int,
                 block_sizes: Optional[Sequence[int]]) -> np.ndarray:
  """int64 ``[K]`` block sizes: given ones (checked) or as equal as possible."""
  if block_sizes is not None:
    sizes = np.asarray(block_sizes)
    if sizes.ndim != 1 or sizes.shape[0] != num_blocks:
      raise ValueError(f"block_sizes must have num_blocks={num_blocks} entries, got shape "
                       f"{sizes.shape}")
    if not np.issubdtype(sizes.dtype, np.integer) or np.any(sizes < 1):
      raise ValueError(f"block_sizes must be positive integers, got {sizes.tolist()}")
    if int(sizes.sum()) != num_nodes:
      raise ValueError(f"block_sizes sum to {int(sizes.sum())}, expected num_nodes={num_nodes}")
    return sizes.astype(np.int64)
  base, extra = divmod(num_nodes, num_blocks)
  return np.full(num_blocks, base, np.int64) + (np.arange(num_blocks) < extra)


def _pair_counts(sizes: np.ndarray):
  """Numbers of unordered intra-block and inter-block node pairs (Python ints, exact)."""
  n = int(sizes.sum())
  intra = sum(int(s) * (int(s) - 1) // 2 for s in sizes)
  return intra, n * (n - 1) // 2 - intra


def sbm_probabilities(*, num_nodes: int, num_blocks: int, avg_degree: float,
                      homophily: Optional[float] = None,
                      p_in_over_p_out: Optional[float] = None,
                      block_sizes: Optional[Sequence[int]] = None):
  """Edge probabilities ``(p_in, p_out)`` of a planted-partition SBM with the given statistics.

  With ``M = num_nodes * avg_degree / 2`` expected undirected edges, ``P_in`` intra-block pairs and
  ``P_out`` inter-block pairs:

  * ``homophily=h`` (expected fraction of intra-block edges): ``p_in = h M / P_in``,
    ``p_out = (1 - h) M / P_out``;
  * ``p_in_over_p_out=r``: ``p_out = M / (r P_in + P_out)``, ``p_in = r p_out``.

  Exactly one of ``homophily`` and ``p_in_over_p_out`` must be given.

  Returns:
    ``(p_in, p_out)`` as Python floats in ``[0, 1]``.

  Raises:
    ValueError: on inconsistent arguments, or when the requested degree needs a probability
      above 1 (graph too small or too dense for that homophily).
  """
  num_nodes, num_blocks = int(num_nodes), int(num_blocks)
  if num_blocks < 1:
    raise ValueError(f"num_blocks must be >= 1, got {num_blocks}")
  if num_nodes < max(2, num_blocks):
    raise ValueError(f"num_nodes must be >= max(2, num_blocks={num_blocks}), got {num_nodes}")
  if not np.isfinite(avg_degree) or avg_degree < 0:
    raise ValueError(f"avg_degree must be a finite number >= 0, got {avg_degree}")
  if (homophily is None) == (p_in_over_p_out is None):
    raise ValueError("give exactly one of homophily and p_in_over_p_out")
  sizes = _block_sizes(num_nodes, num_blocks, block_sizes)
  pairs_in, pairs_out = _pair_counts(sizes)
  m = num_nodes * float(avg_degree) / 2.0
  if homophily is not None:
    h = float(homophily)
    if not 0.0 <= h <= 1.0:
      raise ValueError(f"homophily must lie in [0, 1], got {homophily}")
    if h > 0 and pairs_in == 0:
      raise ValueError("homophily > 0 needs blocks of at least 2 nodes")
    if h < 1 and pairs_out == 0:
      raise ValueError("homophily < 1 needs at least 2 blocks")
    p_in = h * m / pairs_in if pairs_in else 0.0
    p_out = (1.0 - h) * m / pairs_out if pairs_out else 0.0
  else:
    r = float(p_in_over_p_out)
    if not np.isfinite(r) or r < 0:
      raise ValueError(f"p_in_over_p_out must be a finite number >= 0, got {p_in_over_p_out}")
    denom = r * pairs_in + pairs_out
    if denom == 0:
      raise ValueError("p_in_over_p_out=0 with a single block leaves no possible edge")
    p_out = m / denom
    p_in = r * p_out
  if p_in > 1.0 or p_out > 1.0:
    raise ValueError(
        f"avg_degree={avg_degree} is not reachable with {num_nodes} nodes in {num_blocks} blocks "
        f"at this homophily: it needs p_in={p_in:.3g}, p_out={p_out:.3g} (> 1)")
  return p_in, p_out


def _distinct_uniform(rng: np.random.Generator, population: int, count: int) -> np.ndarray:
  """``count`` distinct integers drawn uniformly from ``range(population)`` (int64, sorted).

  Dense requests use :meth:`Generator.choice` without replacement; sparse ones draw with
  replacement and top up the duplicates, which is much faster for huge populations. Both give a
  uniformly random subset of size ``count`` (the top-up process is exchangeable in the elements).
  """
  if count <= 0:
    return np.zeros(0, np.int64)
  if count > population:
    raise ValueError(f"cannot draw {count} distinct pairs out of {population}")
  if 4 * count > population:
    return np.sort(rng.choice(population, size=count, replace=False).astype(np.int64))
  out = _sorted_unique(rng.integers(0, population, size=count, dtype=np.int64))
  while out.shape[0] < count:
    more = rng.integers(0, population, size=count - out.shape[0], dtype=np.int64)
    out = _sorted_unique(np.concatenate([out, more]))
  return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
  """Sorted distinct values; sort + mask (``np.unique`` is ~50x slower on numpy 2.4)."""
  values = np.sort(values)
  if values.shape[0] < 2:
    return values
  return values[np.concatenate([[True], values[1:] != values[:-1]])]


def _decode(index: np.ndarray, cum: np.ndarray, first_partner: np.ndarray):
  """Maps linear pair indices to ``(u, v)`` given per-node pair counts.

  Node ``u`` owns indices ``[cum[u], cum[u+1])``, paired with ``first_partner[u] + offset``.
  """
  u = np.searchsorted(cum, index, side="right") - 1
  v = first_partner[u] + (index - cum[u])
  return u, v


def _sample_sbm_edges(rng: np.random.Generator, sizes: np.ndarray, p_in: float, p_out: float):
  """Undirected SBM edges ``[2, E]`` (``u < v``) in block-sorted node order."""
  n = int(sizes.sum())
  ends = np.cumsum(sizes)
  block = np.repeat(np.arange(sizes.shape[0]), sizes)
  end_of = ends[block]                       # [N] first node after u's block
  nodes = np.arange(n, dtype=np.int64)
  pieces = []
  # Intra-block pairs: u < v < end_of[u]; inter-block pairs: v >= end_of[u] (so u < v as well).
  for count_u, first, p in ((end_of - nodes - 1, nodes + 1, p_in), (n - end_of, end_of, p_out)):
    cum = np.concatenate([[0], np.cumsum(count_u, dtype=np.int64)])
    population = int(cum[-1])
    if population == 0 or p == 0.0:
      continue
    num = int(rng.binomial(population, p))
    u, v = _decode(_distinct_uniform(rng, population, num), cum, first)
    pieces.append(np.stack([u, v]))
  if not pieces:
    return np.zeros((2, 0), np.int64)
  return np.concatenate(pieces, axis=1)


def _validate_counts(num_nodes, num_blocks):
  for name, value in (("num_nodes", num_nodes), ("num_blocks", num_blocks)):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
      raise ValueError(f"{name} must be an int, got {value!r}")


def _sbm_graph(rng, *, num_nodes, num_blocks, avg_degree, homophily, p_in_over_p_out,
               block_sizes):
  """Shared body: returns ``(edge_index [2, E] in final node ids, labels int64 [N], p_in, p_out)``."""
  _validate_counts(num_nodes, num_blocks)
  p_in, p_out = sbm_probabilities(
      num_nodes=num_nodes, num_blocks=num_blocks, avg_degree=avg_degree, homophily=homophily,
      p_in_over_p_out=p_in_over_p_out, block_sizes=block_sizes)
  sizes = _block_sizes(num_nodes, num_blocks, block_sizes)
  edges = _sample_sbm_edges(rng, sizes, p_in, p_out)
  # Relabel: sorted position i becomes node perm[i], so blocks are not contiguous id ranges.
  perm = rng.permutation(num_nodes)
  labels = np.empty(num_nodes, np.int64)
  labels[perm] = np.repeat(np.arange(num_blocks, dtype=np.int64), sizes)
  return perm[edges], labels, p_in, p_out


def sbm(seed: Seed, *, num_nodes: int, num_blocks: int, avg_degree: float,
        homophily: Optional[float] = None, p_in_over_p_out: Optional[float] = None,
        block_sizes: Optional[Sequence[int]] = None) -> types.NodeDataset:
  """Planted-partition stochastic block model (Holland et al., 1983) as a NodeDataset.

  Every unordered pair of distinct nodes is an edge independently, with probability ``p_in``
  inside a block and ``p_out`` across blocks (see :func:`sbm_probabilities`). The expected mean
  node degree is ``avg_degree`` and the expected fraction of intra-block edges is ``homophily``
  (or ``p_in / p_out = p_in_over_p_out``). Blocks are assigned to randomly permuted node ids.

  Args:
    seed: int seed or a :class:`numpy.random.Generator` (advanced in place).
    num_nodes: number of nodes ``N``.
    num_blocks: number of blocks ``K`` (= classes).
    avg_degree: expected mean degree of the undirected graph, ``2 E_undirected / N``.
    homophily: expected fraction of intra-block edges, in ``[0, 1]``; ``1 / K`` with equal blocks
      is an Erdos-Renyi graph.
    p_in_over_p_out: alternative to ``homophily``: the ratio ``p_in / p_out``.
    block_sizes: optional int ``[K]`` block sizes summing to ``N``; default: as equal as possible.

  Returns:
    A :class:`NodeDataset` named ``'sbm'``: one undirected graph (both directions stored, no
    self-loops, no duplicates, unit weights) with empty features ``nodes['x']`` float32
    ``[N, 0]``, ``labels`` int64 ``[N]`` = block ids, ``num_classes=K`` and ``splits=None``.

  Raises:
    ValueError: on bad arguments or an unreachable degree (a probability above 1).
  """
  rng = _rng(seed)
  edge_index, labels, p_in, p_out = _sbm_graph(
      rng, num_nodes=num_nodes, num_blocks=num_blocks, avg_degree=avg_degree,
      homophily=homophily, p_in_over_p_out=p_in_over_p_out, block_sizes=block_sizes)
  graph = graph_lib.from_edge_index(edge_index, num_nodes=num_nodes, symmetrize=True)
  info = types.DatasetInfo(
      name="sbm", source="synthetic: jgssl.data.synthetic.sbm",
      citation="Holland, Laskey & Leinhardt, Stochastic blockmodels: First steps, Social "
               "Networks 5(2), 1983",
      description=(f"planted-partition SBM, N={num_nodes}, K={num_blocks}, "
                   f"p_in={p_in:.4g}, p_out={p_out:.4g}, no node features"))
  return types.NodeDataset(info=info, graph=graph, labels=labels, num_classes=int(num_blocks))


def _class_means(rng: np.random.Generator, num_blocks: int, num_features: int,
                 separation: float) -> np.ndarray:
  """float64 ``[K, F]`` means at pairwise distance ``separation``, centred at the origin.

  The vertices of a regular simplex (``e_k - 1/K``, pairwise distance ``sqrt(2)``), rotated into
  ``R^F`` by a random orthonormal map and scaled. For ``K = 2`` this is Deshpande et al.'s
  ``+/- u``.
  """
  simplex = np.eye(num_blocks) - 1.0 / num_blocks          # [K, K], rank K - 1
  # Orthonormal basis of the simplex's (K-1)-dim span, then a random isometry into R^F.
  _, _, vt = np.linalg.svd(simplex)
  coords = simplex @ vt[:num_blocks - 1].T                   # [K, K-1]
  q, r = np.linalg.qr(rng.standard_normal((num_features, max(num_blocks - 1, 1))))
  q = q * np.sign(np.diag(r))                                # Haar-distributed columns
  means = coords @ q[:, :num_blocks - 1].T                   # [K, F]
  return means * (separation / np.sqrt(2.0))


def contextual_sbm(seed: Seed, *, num_nodes: int, num_blocks: int, avg_degree: float,
                   homophily: Optional[float] = None, p_in_over_p_out: Optional[float] = None,
                   num_features: int, feature_signal: float, noise_std: float = 1.0,
                   block_sizes: Optional[Sequence[int]] = None) -> types.NodeDataset:
  """Contextual stochastic block model (Deshpande, Sen, Montanari & Mossel, NeurIPS 2018).

  The graph is :func:`sbm` with the same arguments; node ``i`` of block ``y_i`` gets features
  ``x_i = mu_{y_i} + noise_std * z_i`` with ``z_i ~ N(0, I_F)``. The class means ``mu_k`` are the
  vertices of a regular simplex centred at the origin, randomly rotated into ``R^F``, with
  ``||mu_a - mu_b|| = feature_signal`` for every ``a != b`` (for two blocks: ``+/- u``, as in the
  paper, where ``feature_signal / noise_std`` plays the role of the feature SNR ``mu``).

  Args:
    seed: int seed or a :class:`numpy.random.Generator` (advanced in place).
    num_nodes: number of nodes ``N``.
    num_blocks: number of blocks ``K``.
    avg_degree: expected mean degree of the undirected graph.
    homophily: expected fraction of intra-block edges (or give ``p_in_over_p_out``).
    p_in_over_p_out: alternative to ``homophily``.
    num_features: feature dimension ``F >= K - 1`` (a simplex of ``K`` points needs ``K - 1``).
    feature_signal: distance between any two class means, ``>= 0`` (0: uninformative features).
    noise_std: standard deviation of the isotropic Gaussian noise, ``> 0``.
    block_sizes: optional int ``[K]`` block sizes.

  Returns:
    A :class:`NodeDataset` named ``'csbm'`` with ``nodes['x']`` float32 ``[N, F]``, labels int64
    ``[N]`` = blocks, ``num_classes=K``, ``splits=None``; the graph is as in :func:`sbm`.

  Raises:
    ValueError: on bad arguments.
  """
  _validate_counts(num_nodes, num_blocks)
  if isinstance(num_features, (bool, np.bool_)) or not isinstance(num_features, (int, np.integer)):
    raise ValueError(f"num_features must be an int, got {num_features!r}")
  if num_features < max(1, num_blocks - 1):
    raise ValueError(f"num_features must be >= max(1, num_blocks - 1) = {max(1, num_blocks - 1)} "
                     f"so that {num_blocks} equidistant means exist, got {num_features}")
  if not np.isfinite(feature_signal) or feature_signal < 0:
    raise ValueError(f"feature_signal must be a finite number >= 0, got {feature_signal}")
  if not np.isfinite(noise_std) or noise_std <= 0:
    raise ValueError(f"noise_std must be a finite number > 0, got {noise_std}")
  rng = _rng(seed)
  edge_index, labels, p_in, p_out = _sbm_graph(
      rng, num_nodes=num_nodes, num_blocks=num_blocks, avg_degree=avg_degree,
      homophily=homophily, p_in_over_p_out=p_in_over_p_out, block_sizes=block_sizes)
  means = _class_means(rng, int(num_blocks), int(num_features), float(feature_signal))
  x = rng.standard_normal((num_nodes, num_features), dtype=np.float32)
  x *= np.float32(noise_std)
  x += means.astype(np.float32)[labels]
  graph = graph_lib.from_edge_index(edge_index, num_nodes=num_nodes, node_features=x,
                                    symmetrize=True)
  info = types.DatasetInfo(
      name="csbm", source="synthetic: jgssl.data.synthetic.contextual_sbm",
      citation="Deshpande, Sen, Montanari & Mossel, Contextual Stochastic Block Models, "
               "NeurIPS 2018",
      description=(f"contextual SBM, N={num_nodes}, K={num_blocks}, p_in={p_in:.4g}, "
                   f"p_out={p_out:.4g}, F={num_features}, mean separation={feature_signal}, "
                   f"noise std={noise_std}"))
  return types.NodeDataset(info=info, graph=graph, labels=labels, num_classes=int(num_blocks))


def edge_homophily(graph, labels: np.ndarray) -> float:
  """Fraction of stored edges whose two end nodes share a label (Zhu et al., NeurIPS 2020).

  Args:
    graph: an unpadded GraphsTuple (host numpy leaves); masked edges are ignored.
    labels: int ``[N]`` node labels.

  Returns:
    A float in ``[0, 1]``; ``nan`` for a graph without edges.
  """
  labels = np.asarray(labels)
  senders, receivers = np.asarray(graph.senders), np.asarray(graph.receivers)
  if labels.shape[0] != np.asarray(graph.nodes["mask"]).shape[0]:
    raise ValueError(f"labels has {labels.shape[0]} entries for "
                     f"{np.asarray(graph.nodes['mask']).shape[0]} nodes")
  keep = np.asarray(graph.edges["mask"], bool) if isinstance(graph.edges, dict) else slice(None)
  same = labels[senders[keep]] == labels[receivers[keep]]
  return float(same.mean()) if same.size else float("nan")

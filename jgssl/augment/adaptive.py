"""GCA's adaptive augmentation: centralities, drop probabilities and weighted dropping.

Zhu et al., "Graph Contrastive Learning with Adaptive Augmentation" (WWW'21), official code
CRIPAC-DIG/GCA (``pGRACE/functional.py``, ``pGRACE/utils.py``, ``train.py``). Edges into less
central nodes and features used by less central nodes are dropped more often:

1. a node centrality ``c`` (degree, PageRank or eigenvector centrality);
2. edge scores ``s_e = log c[receiver]`` ("sink"; GCA's default) and feature scores
   ``s_f = log sum_i c_i * x_if`` (``x`` as 0/1 occurrences, or ``|x|`` for dense features);
3. weights ``w = (s_max - s) / (s_max - s_mean)`` (mean 1);
4. probabilities ``p = min(w / mean(w) * rate, threshold)``, threshold ``p_tau = 0.7``;
5. one Bernoulli per edge (:func:`adaptive_drop_edges`) or per feature column
   (:func:`adaptive_mask_features`) each step.

Steps 1-4 run once per graph, outside the training step (:func:`gca_weights`,
:func:`gca_edge_drop_probs`, :func:`gca_feature_drop_probs`); step 5 runs inside it::

  edge_w, feat_w = gca_weights(graph, scheme="degree")
  edge_p = gca_edge_drop_probs(graph, edge_w, rate=0.3)      # one per view
  feat_p = gca_feature_drop_probs(feat_w, rate=0.1)
  view = adaptive_mask_features(k2, adaptive_drop_edges(k1, graph, probs=edge_p), probs=feat_p)
 Everything is jittable; statistics run over
present edges / real nodes only, so padding changes nothing and gets probability 0.

**log vs log1p.** GCA's ``functional.py`` exists in two versions: one takes ``log(c)``
(commit c6027f7), the other ``log(c + 1)`` (commit 06187df), which keeps feature columns that no
node uses finite. ``log1p=True`` (default) follows the latter; ``log1p=False`` the former, where
such columns (score ``-inf``, NaN in GCA) get the largest finite weight instead.
"""

from __future__ import annotations

import dataclasses
from typing import Tuple

import jax
import jax.numpy as jnp
import jraph

from jgssl import graph as jgraph
from jgssl.augment import _util

__all__ = [
    "AdaptiveDropEdges",
    "AdaptiveMaskFeatures",
    "adaptive_drop_edges",
    "adaptive_mask_features",
    "degree_centrality",
    "eigenvector_centrality",
    "edge_centrality_weights",
    "feature_centrality_weights",
    "gca_edge_drop_probs",
    "gca_feature_drop_probs",
    "gca_weights",
    "pagerank_centrality",
]

_EVC_EPS = 1e-8   # GCA's evc_drop_weights: clamp negatives to 0, add 1e-8 before the log.


# ---------------------------------------------------------------------------------------------
# Centralities
# ---------------------------------------------------------------------------------------------


def _present_edges(graph: jraph.GraphsTuple) -> jax.Array:
  eligible = _util.eligible_nodes(graph)
  return jgraph.edge_mask(graph) & eligible[graph.senders] & eligible[graph.receivers]


def degree_centrality(graph: jraph.GraphsTuple) -> jax.Array:
  """float32 ``[N]``: number of present in-edges of each node (0 on padding / dropped nodes).

  GCA's degree scheme uses the degree of the undirected graph (``to_undirected`` then in-degree);
  jgssl stores an undirected graph with both directions, so this is that degree. For a directed
  graph, symmetrise it first (``from_edge_index(..., symmetrize=True)``) to match GCA.
  """
  _util.check_graph(graph)
  num_nodes = _util.num_nodes(graph)
  return jax.ops.segment_sum(_present_edges(graph).astype(jnp.float32), graph.receivers,
                             num_segments=num_nodes)


def pagerank_centrality(graph: jraph.GraphsTuple, *, damping: float = 0.85,
                        num_iters: int = 10, variant: str = "gca") -> jax.Array:
  """float32 ``[N]`` PageRank scores by power iteration over present edges. Jittable.

  ``variant='gca'`` reproduces GCA's ``compute_pr`` exactly: start from ``x = 1`` and iterate
  ``x <- (1 - damping) * x + damping * P^T x``, where ``(P^T x)_v = sum_{u -> v} x_u / outdeg(u)``,
  for ``num_iters`` steps (GCA uses 200 for edge weights, 10 for feature weights). This is a lazy
  random walk from the uniform vector, not teleporting PageRank; nodes without out-edges leak
  their mass.

  ``variant='standard'`` is classic PageRank, per graph of the batch: ``x`` starts uniform over
  the ``n_g`` present nodes of each graph and iterates ``x <- (1 - damping) / n_g +
  damping * (P^T x + dangling_mass / n_g)`` (dangling nodes spread their mass uniformly, as
  networkx); each graph's scores sum to 1.

  Args:
    graph: a padded graph (edge ``weight`` is ignored: GCA's walk is unweighted).
    damping: the damping factor, in ``[0, 1]``.
    num_iters: number of iterations (static).
    variant: ``'gca'`` or ``'standard'``.

  Returns:
    float32 ``[N]``, 0 on padding and dropped nodes.
  """
  _util.check_graph(graph)
  _util.check_rate("damping", damping)
  if variant not in ("gca", "standard"):
    raise ValueError(f"variant must be 'gca' or 'standard', got {variant!r}")
  if not isinstance(num_iters, int) or num_iters < 0:
    raise ValueError(f"num_iters must be an int >= 0, got {num_iters!r}")
  n_nodes, n_graph = _util.num_nodes(graph), _util.num_graphs(graph)
  eligible = _util.eligible_nodes(graph)
  edges = _present_edges(graph).astype(jnp.float32)
  out_deg = jax.ops.segment_sum(edges, graph.senders, num_segments=n_nodes)
  inv_out = jnp.where(out_deg > 0, 1.0 / jnp.maximum(out_deg, 1.0), 0.0)
  gid = _util.node_graph_ids(graph)
  n_g = _util.segment_count(eligible, gid, n_graph).astype(jnp.float32)
  inv_n = jnp.where(n_g > 0, 1.0 / jnp.maximum(n_g, 1.0), 0.0)[gid]
  dangling = eligible & (out_deg == 0)

  def propagate(x):
    msg = (x * inv_out)[graph.senders] * edges
    return jax.ops.segment_sum(msg, graph.receivers, num_segments=n_nodes)

  if variant == "gca":
    x0 = eligible.astype(jnp.float32)

    def step(_, x):
      return (1.0 - damping) * x + damping * propagate(x)
  else:
    x0 = jnp.where(eligible, inv_n, 0.0)

    def step(_, x):
      lost = jax.ops.segment_sum(jnp.where(dangling, x, 0.0), gid, num_segments=n_graph)[gid]
      new = (1.0 - damping) * inv_n + damping * (propagate(x) + lost * inv_n)
      return jnp.where(eligible, new, 0.0)

  return jax.lax.fori_loop(0, num_iters, step, x0)


def eigenvector_centrality(graph: jraph.GraphsTuple, *, num_iters: int = 1000) -> jax.Array:
  """float32 ``[N]`` eigenvector centrality by shifted power iteration, per graph. Jittable.

  Iterates ``x <- (A + I) x`` over present edges (``(A x)_v = sum_{u -> v} x_u``, unweighted),
  normalising each graph's block to unit L2 norm, from ``x = 1`` on present nodes: the shift by
  ``I`` (as networkx's ``eigenvector_centrality``) makes bipartite graphs converge. The result
  approximates the non-negative unit-norm leading eigenvector of each graph's adjacency
  (networkx ``eigenvector_centrality_numpy``, which GCA calls); in a graph with several connected
  components it concentrates on the component with the largest eigenvalue. Convergence is
  geometric with ratio ``(lambda_2 + 1) / (lambda_1 + 1)``; ``num_iters`` is static.

  Returns:
    float32 ``[N]``, non-negative, unit norm per graph, 0 on padding and dropped nodes.
  """
  _util.check_graph(graph)
  if not isinstance(num_iters, int) or num_iters < 0:
    raise ValueError(f"num_iters must be an int >= 0, got {num_iters!r}")
  n_nodes, n_graph = _util.num_nodes(graph), _util.num_graphs(graph)
  eligible = _util.eligible_nodes(graph)
  edges = _present_edges(graph).astype(jnp.float32)
  gid = _util.node_graph_ids(graph)

  def normalise(x):
    norm = jnp.sqrt(jax.ops.segment_sum(x * x, gid, num_segments=n_graph))[gid]
    return jnp.where(norm > 0, x / jnp.maximum(norm, 1e-30), 0.0)

  def step(_, x):
    ax = jax.ops.segment_sum(x[graph.senders] * edges, graph.receivers, num_segments=n_nodes)
    return normalise(jnp.where(eligible, x + ax, 0.0))

  x0 = normalise(eligible.astype(jnp.float32))
  return jnp.maximum(jax.lax.fori_loop(0, num_iters, step, x0), 0.0)


# ---------------------------------------------------------------------------------------------
# Weights and probabilities
# ---------------------------------------------------------------------------------------------


def _log(c: jax.Array, log1p: bool) -> jax.Array:
  return jnp.log(c + 1.0) if log1p else jnp.log(c)


def _normalise_scores(s: jax.Array, valid: jax.Array) -> jax.Array:
  """``(s_max - s) / (s_max - s_mean)`` over ``valid`` entries with finite ``s``.

  Entries with ``s = -inf`` (log of 0) get the largest finite weight; a constant score gives
  weight 1 everywhere (GCA would divide by zero); invalid entries get 0.
  """
  finite = valid & jnp.isfinite(s)
  n = jnp.maximum(jnp.sum(finite), 1)
  s_max = jnp.max(jnp.where(finite, s, -jnp.inf))
  s_min = jnp.min(jnp.where(finite, s, jnp.inf))
  s_mean = jnp.sum(jnp.where(finite, s, 0.0)) / n
  denom = s_max - s_mean
  ok = denom > 0
  safe = jnp.where(ok, denom, 1.0)
  w = jnp.where(ok, (s_max - jnp.where(finite, s, s_min)) / safe, 1.0)
  return jnp.where(valid, w, 0.0)


def edge_centrality_weights(graph: jraph.GraphsTuple, centrality: jax.Array, *,
                            aggr: str = "sink", log1p: bool = True) -> jax.Array:
  """float32 ``[E]`` GCA edge weights ``(s_max - s_e) / (s_max - s_mean)`` (mean 1).

  ``s_e = log c[receiver]`` for ``aggr='sink'`` (GCA's choice for all schemes), ``log c[sender]``
  for ``'source'``, their mean for ``'mean'`` (GCA's ``pr_drop_weights``). Negative centralities
  are clamped to 0 and ``1e-8`` is added before the log (GCA's eigenvector scheme; a no-op in
  float32 for degree and PageRank values). Statistics over present edges; 0 elsewhere.

  Args:
    graph: a padded graph.
    centrality: float ``[N]`` node centrality.
    aggr: ``'sink'``, ``'source'`` or ``'mean'``.
    log1p: ``log(c + 1)`` instead of ``log(c)`` (see the module docstring).
  """
  _util.check_graph(graph)
  if aggr not in ("sink", "source", "mean"):
    raise ValueError(f"aggr must be 'sink', 'source' or 'mean', got {aggr!r}")
  centrality = jnp.asarray(centrality, jnp.float32)
  if centrality.shape != (_util.num_nodes(graph),):
    raise ValueError(f"centrality must have shape [N] = ({_util.num_nodes(graph)},), got "
                     f"{centrality.shape}")
  s = _log(jnp.maximum(centrality, 0.0) + _EVC_EPS, log1p)
  s_row, s_col = s[graph.senders], s[graph.receivers]
  s_e = {"sink": s_col, "source": s_row, "mean": 0.5 * (s_row + s_col)}[aggr]
  return _normalise_scores(s_e, _present_edges(graph))


def feature_centrality_weights(graph: jraph.GraphsTuple, centrality: jax.Array, *,
                               dense: bool = False, log1p: bool = True) -> jax.Array:
  """float32 ``[F]`` GCA feature weights from node centrality (``feature_drop_weights``).

  ``w_f = sum_i c_i * x_if`` over present nodes, with ``x`` as 0/1 occurrences (``x != 0``;
  GCA's sparse / bag-of-words case) or ``|x|`` (``dense=True``; GCA uses it for WikiCS); then
  ``s_f = log w_f`` and ``(s_max - s_f) / (s_max - s_mean)``.

  Args:
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
    centrality: float ``[N]`` node centrality.
    dense: use ``|x|`` instead of occurrences.
    log1p: ``log(w + 1)`` instead of ``log(w)`` (see the module docstring).
  """
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"], jnp.float32)
  centrality = jnp.asarray(centrality, jnp.float32)
  if centrality.shape != (x.shape[0],):
    raise ValueError(f"centrality must have shape [N] = ({x.shape[0]},), got {centrality.shape}")
  occ = jnp.abs(x) if dense else (x != 0).astype(jnp.float32)
  c = jnp.where(_util.eligible_nodes(graph), jnp.maximum(centrality, 0.0), 0.0)
  w = occ.T @ c
  return _normalise_scores(_log(w, log1p), jnp.ones(w.shape, bool))


def gca_weights(graph: jraph.GraphsTuple, *, scheme: str = "degree", dense_features: bool = False,
                log1p: bool = True, evc_iters: int = 1000) -> Tuple[jax.Array, jax.Array]:
  """GCA's edge and feature weights for a drop scheme, as its ``train.py`` computes them.

  * ``'degree'``: degree centrality for both;
  * ``'pagerank'`` (GCA ``'pr'``): :func:`pagerank_centrality` (GCA variant) with 200 iterations
    for edges and 10 for features;
  * ``'eigenvector'`` (GCA ``'evc'``): :func:`eigenvector_centrality` for both.

  Compute once per graph, outside the training step, then turn into probabilities per view with
  :func:`gca_edge_drop_probs` and :func:`gca_feature_drop_probs`.

  Returns:
    ``(edge_weights [E], feature_weights [F])``, float32, mean 1 over present edges / features.
  """
  schemes = ("degree", "pagerank", "eigenvector")
  if scheme not in schemes:
    raise ValueError(f"scheme must be one of {schemes}, got {scheme!r}")
  if scheme == "degree":
    c_edge = c_feat = degree_centrality(graph)
  elif scheme == "pagerank":
    c_edge = pagerank_centrality(graph, num_iters=200)
    c_feat = pagerank_centrality(graph, num_iters=10)
  else:
    c_edge = c_feat = eigenvector_centrality(graph, num_iters=evc_iters)
  return (edge_centrality_weights(graph, c_edge, log1p=log1p),
          feature_centrality_weights(graph, c_feat, dense=dense_features, log1p=log1p))


def _checked_edge_weights(graph, weights, *, rate, threshold) -> jax.Array:
  """``weights`` as float32 ``[E]`` after checking the rates, the graph and the shape."""
  _util.check_rate("rate", rate)
  _util.check_rate("threshold", threshold)
  _util.check_graph(graph)
  weights = jnp.asarray(weights, jnp.float32)
  if weights.shape != (_util.num_edges(graph),):
    raise ValueError(f"weights must have shape [E] = ({_util.num_edges(graph)},), got "
                     f"{weights.shape}")
  return weights


def _drop_probs(weights, valid, rate, threshold):
  mean = jnp.sum(jnp.where(valid, weights, 0.0)) / jnp.maximum(jnp.sum(valid), 1)
  ok = mean > 0
  probs = jnp.where(ok, weights / jnp.where(ok, mean, 1.0) * rate, 0.0)
  return jnp.where(valid, jnp.minimum(probs, threshold), 0.0)


def gca_edge_drop_probs(graph: jraph.GraphsTuple, weights: jax.Array, *, rate: float,
                        threshold: float = 0.7) -> jax.Array:
  """GCA edge drop probabilities ``min(w / mean(w) * rate, threshold)``. Jittable.

  GCA's ``drop_edge_weighted`` with ``threshold = p_tau = 0.7`` (what GCA's ``train.py``
  passes). The mean runs over the present edges of ``graph``; other slots get probability 0.
  ``rate`` is the view's ``drop_edge_rate_k`` (the mean probability before capping).

  Args:
    graph: the padded graph the weights were computed on.
    weights: float ``[E]`` from :func:`edge_centrality_weights` or :func:`gca_weights`.
    rate: mean drop rate in ``[0, 1]``.
    threshold: cap on every probability, in ``[0, 1]``.

  Returns:
    float32 ``[E]`` probabilities in ``[0, threshold]``, for :func:`adaptive_drop_edges`.
  """
  weights = _checked_edge_weights(graph, weights, rate=rate, threshold=threshold)
  return _drop_probs(weights, _present_edges(graph), rate, threshold)


def gca_feature_drop_probs(weights: jax.Array, *, rate: float, threshold: float = 0.7
                           ) -> jax.Array:
  """GCA feature drop probabilities ``min(w / mean(w) * rate, threshold)``. Jittable.

  GCA's ``drop_feature_weighted_2`` (default ``threshold = 0.7``). ``rate`` is the view's
  ``drop_feature_rate_k``.

  Args:
    weights: float ``[F]`` from :func:`feature_centrality_weights` or :func:`gca_weights`.
    rate: mean drop rate in ``[0, 1]``.
    threshold: cap on every probability, in ``[0, 1]``.

  Returns:
    float32 ``[F]`` probabilities in ``[0, threshold]``, for :func:`adaptive_mask_features`.
  """
  _util.check_rate("rate", rate)
  _util.check_rate("threshold", threshold)
  weights = jnp.asarray(weights, jnp.float32)
  if weights.ndim != 1:
    raise ValueError(f"weights must have shape [F], got {weights.shape}")
  return _drop_probs(weights, jnp.ones(weights.shape, bool), rate, threshold)


# ---------------------------------------------------------------------------------------------
# Weighted dropping (inside the step)
# ---------------------------------------------------------------------------------------------


def adaptive_drop_edges(key: jax.Array, graph: jraph.GraphsTuple, *, probs: jax.Array
                        ) -> jraph.GraphsTuple:
  """Drops edge ``e`` with probability ``probs[e]`` (GCA's ``drop_edge_weighted``).

  Changes ``edges['mask']`` only (bool ``[E]``); padding and masked edges stay masked.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``E`` edge slots.
    probs: float ``[E]`` drop probabilities (:func:`gca_edge_drop_probs`).
  """
  _util.check_graph(graph)
  mask = jnp.asarray(graph.edges["mask"])
  probs = jnp.asarray(probs)
  if probs.shape != mask.shape:
    raise ValueError(f"probs must have shape [E] = {mask.shape}, got {probs.shape}")
  keep = jax.random.uniform(key, mask.shape) >= probs
  return graph._replace(edges={**graph.edges, "mask": mask & keep})


def adaptive_mask_features(key: jax.Array, graph: jraph.GraphsTuple, *, probs: jax.Array
                           ) -> jraph.GraphsTuple:
  """Zeroes feature column ``f`` with probability ``probs[f]`` (GCA's ``drop_feature_weighted_2``).

  One draw per column shared by all nodes; changes ``nodes['x']`` (``[N, F]``) on rows of real
  graphs only.

  Args:
    key: a ``jax.random`` key.
    graph: a padded graph with ``nodes['x']`` of shape ``[N, F]``.
    probs: float ``[F]`` drop probabilities (:func:`gca_feature_drop_probs`).
  """
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"])
  probs = jnp.asarray(probs)
  if probs.shape != (x.shape[1],):
    raise ValueError(f"probs must have shape [F] = ({x.shape[1]},), got {probs.shape}")
  drop = jax.random.uniform(key, probs.shape) < probs
  rows = _util.real_nodes(graph)[:, None]
  x_new = jnp.where(drop[None, :] & rows, jnp.zeros_like(x), x)
  return graph._replace(nodes={**graph.nodes, "x": x_new})


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class AdaptiveDropEdges:
  """Augmentation factory for :func:`adaptive_drop_edges` with fixed ``probs`` ``[E]``."""
  probs: jax.Array

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return adaptive_drop_edges(key, graph, probs=self.probs)


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class AdaptiveMaskFeatures:
  """Augmentation factory for :func:`adaptive_mask_features` with fixed ``probs`` ``[F]``."""
  probs: jax.Array

  def __call__(self, key: jax.Array, graph: jraph.GraphsTuple) -> jraph.GraphsTuple:
    return adaptive_mask_features(key, graph, probs=self.probs)

"""CSGCL's community-strength augmentations: Leiden communities, community strength, CED, CAV.

Chen et al., "CSGCL: Community-Strength-Enhanced Graph Contrastive Learning" (IJCAI 2023),
official code HanChen-HUST/CSGCL (``train.py``, ``src/functional.py``). Edges inside strong
communities are kept more often and feature columns carried by strong communities are masked less
often:

1. communities of the undirected graph by the Leiden algorithm on modularity
   (:func:`leiden_communities`; the official code calls ``cdlib.algorithms.leiden``, i.e.
   ``leidenalg.find_partition(g, ModularityVertexPartition)``);
2. the strength of community ``c``, its modularity contribution
   ``cs_c = inc_c / |E| − (deg_c / (2|E|))²`` (``inc_c``: edges inside ``c``, ``deg_c``: sum of the
   degrees of its nodes, ``|E|``: undirected edges), and each node's strength ``cs_i = cs_{c(i)}``
   (:func:`community_strength`);
3. CED, communal edge dropping (``get_edge_weight`` and ``ced``): edge ``(u, v)`` scores
   ``cs_{c(u)}`` when both ends share a community and ``−(cs_{c(u)} + cs_{c(v)})`` otherwise,
   min-max normalised to ``w_e ∈ [0, 1]`` (:func:`community_edge_weights`); a view *keeps*
   edge ``e`` with probability ``clip(w_e / mean(w) · (1 − p), 1 − t, 1)``
   (:func:`community_edge_drop_probs` returns one minus it);
4. CAV, communal attribute voting (``cav``): column ``f`` scores
   ``s_f = log Σ_i |x_if| · cs_i`` and weighs ``(s_max − s_f) / (s_max − s_min)``
   (:func:`community_feature_weights`); a view masks it with probability
   ``clip(w_f / mean(w) · p, 0, t)`` — the same last step as GCA's, so the probabilities are
   :func:`jgssl.augment.gca_feature_drop_probs` of these weights.

The communities, strengths and edge / column weights depend on the training graph only: compute
them once, outside the step (:func:`jgssl.methods.csgcl.community_side`, the recipe's
``prepare``); the per-view probabilities are cheap and the Bernoulli draws run inside the step (:func:`jgssl.augment.adaptive_drop_edges`,
:func:`jgssl.augment.adaptive_mask_features`). Everything is jittable: Leiden runs on the host
through :func:`jax.pure_callback` with a static output shape.

**Graphs.** jgssl stores an undirected graph with both directions of every edge; the functions
here read it so (an edge ``u — v`` is the two entries ``u → v`` and ``v → u``), count edges
without their weights (the official graph is unweighted) and see only present edges between
present nodes of real graphs. A batch of several graphs is one graph here (their disjoint union).
Padding and dropped nodes belong to no community: id ``−1``, strength 0.
"""

from __future__ import annotations

from typing import Optional, Tuple

import jax
import jax.numpy as jnp
import jraph
import numpy as np

from jgssl.augment import _util
from jgssl.augment.adaptive import (_checked_edge_weights, _drop_probs, _normalise_scores,
                                    _present_edges)

__all__ = [
    "community_edge_drop_probs",
    "community_edge_weights",
    "community_feature_weights",
    "community_strength",
    "leiden_communities",
    "leiden_membership",
]


# ---------------------------------------------------------------------------------------------
# Leiden (host side)
# ---------------------------------------------------------------------------------------------


def leiden_membership(senders: np.ndarray, receivers: np.ndarray, num_nodes: int, *,
                      seed: int = 0, n_iterations: int = 2) -> np.ndarray:
  """Leiden communities of an undirected graph on the host (numpy in, numpy out).

  The graph has nodes ``0 .. num_nodes − 1`` and the undirected edges ``{senders[e],
  receivers[e]}`` (both directions, duplicates and order do not matter; a self-loop stays one
  loop). ``leidenalg.find_partition`` with ``ModularityVertexPartition`` (cdlib's ``leiden``, which
  the official code calls), on an igraph graph built from the sorted unique edges so that the
  result depends on the edge *set* only.

  Args:
    senders, receivers: int ``[E]`` edge ends, in ``[0, num_nodes)``.
    num_nodes: number of nodes (isolated ones become singleton communities).
    seed: leidenalg's random seed (the official code leaves it unset; a fixed one makes the
      partition reproducible).
    n_iterations: leidenalg's iterations (2, its default and cdlib's; negative: until no
      improvement).

  Returns:
    int32 ``[num_nodes]`` community ids ``0 .. C − 1``, numbered by first appearance in node order
    (node 0 is in community 0).

  Raises:
    ImportError: without the ``leidenalg`` / ``igraph`` packages.
  """
  try:
    import igraph  # pylint: disable=import-outside-toplevel
    import leidenalg  # pylint: disable=import-outside-toplevel
  except ImportError as err:  # pragma: no cover - both are install requirements
    raise ImportError("Leiden communities need the 'leidenalg' and 'igraph' packages "
                      "(pip install leidenalg igraph)") from err
  senders = np.asarray(senders, np.int64).reshape(-1)
  receivers = np.asarray(receivers, np.int64).reshape(-1)
  if num_nodes == 0:
    return np.zeros((0,), np.int32)
  lo, hi = np.minimum(senders, receivers), np.maximum(senders, receivers)
  pairs = np.unique(np.stack([lo, hi], axis=1), axis=0) if lo.size else np.zeros((0, 2), np.int64)
  g = igraph.Graph(n=int(num_nodes), edges=pairs.tolist(), directed=False)
  part = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition,
                                  n_iterations=int(n_iterations), seed=int(seed))
  membership = np.asarray(part.membership, np.int64)
  _, first, inverse = np.unique(membership, return_index=True, return_inverse=True)
  rank = np.empty(first.shape[0], np.int64)
  rank[np.argsort(first, kind="stable")] = np.arange(first.shape[0])
  return rank[inverse.reshape(-1)].astype(np.int32)


def _leiden_host(senders, receivers, edge_ok, node_ok, *, seed, n_iterations):
  """The callback of :func:`leiden_communities`: Leiden on the present part, ``−1`` elsewhere."""
  senders, receivers = np.asarray(senders), np.asarray(receivers)
  edge_ok, node_ok = np.asarray(edge_ok, bool), np.asarray(node_ok, bool)
  nodes = np.flatnonzero(node_ok)
  new_id = np.full(node_ok.shape[0], -1, np.int64)
  new_id[nodes] = np.arange(nodes.shape[0])
  s, r = new_id[senders[edge_ok]], new_id[receivers[edge_ok]]
  out = np.full(node_ok.shape[0], -1, np.int32)
  out[nodes] = leiden_membership(s, r, nodes.shape[0], seed=seed, n_iterations=n_iterations)
  return out


def leiden_communities(graph: jraph.GraphsTuple, *, seed: int = 0,
                       n_iterations: int = 2) -> jax.Array:
  """int32 ``[N]`` Leiden community of every node (``−1`` on padding / dropped nodes). Jittable.

  Runs :func:`leiden_membership` on the host through :func:`jax.pure_callback` (static output
  shape ``[N]``; under ``vmap`` once per graph), on the present nodes of real graphs renumbered
  in index order and the present edges between them. So the ids of the real nodes do not depend
  on the amount of padding, and a fixed ``seed`` gives the same partition every call (the
  callback must be deterministic). Community ids run ``0 .. C − 1`` by first appearance; ``C``
  is at most the number of present nodes.

  Args:
    graph: a padded undirected graph (both directions stored).
    seed: leidenalg's seed (an int >= 0, static).
    n_iterations: leidenalg's ``n_iterations`` (static; 2 as cdlib).

  Returns:
    int32 ``[N]``.
  """
  _util.check_graph(graph)
  if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
    raise ValueError(f"seed must be an int >= 0, got {seed!r}")
  if isinstance(n_iterations, bool) or not isinstance(n_iterations, (int, np.integer)):
    raise ValueError(f"n_iterations must be an int, got {n_iterations!r}")
  num_nodes = _util.num_nodes(graph)

  def host(senders, receivers, edge_ok, node_ok):
    return _leiden_host(senders, receivers, edge_ok, node_ok, seed=int(seed),
                        n_iterations=int(n_iterations))

  return jax.pure_callback(host, jax.ShapeDtypeStruct((num_nodes,), jnp.int32),
                           jnp.asarray(graph.senders, jnp.int32),
                           jnp.asarray(graph.receivers, jnp.int32), _present_edges(graph),
                           _util.eligible_nodes(graph), vmap_method="sequential")


# ---------------------------------------------------------------------------------------------
# Community strength
# ---------------------------------------------------------------------------------------------


def _check_communities(graph, communities) -> jax.Array:
  communities = jnp.asarray(communities)
  if communities.shape != (_util.num_nodes(graph),) or not jnp.issubdtype(communities.dtype,
                                                                          jnp.integer):
    raise ValueError(f"communities must be an int array of shape [N] = "
                     f"({_util.num_nodes(graph)},), got {communities.dtype} {communities.shape}")
  return communities.astype(jnp.int32)


def _node_communities(graph, communities, num_communities: int) -> jax.Array:
  """Ids of present nodes in ``[0, C)``; ``C`` (one past the end) for every other node."""
  ok = _util.eligible_nodes(graph) & (communities >= 0) & (communities < num_communities)
  return jnp.where(ok, communities, num_communities)


def community_strength(graph: jraph.GraphsTuple, communities: jax.Array, *,
                       num_communities: Optional[int] = None) -> Tuple[jax.Array, jax.Array]:
  """Community strengths ``cs_c = inc_c / |E| − (deg_c / (2|E|))²`` and each node's. Jittable.

  CSGCL's ``community_strength`` (HanChen-HUST/CSGCL ``src/functional.py``), in ``O(E + N)``
  with segment sums: ``|E|`` is the number of undirected edges (present entries / 2),
  ``inc_c`` the number of undirected edges inside ``c`` and ``deg_c`` the sum of the degrees of
  ``c``'s nodes, all unweighted and over present edges between present nodes. A stored self-loop
  ``i → i`` counts as networkx counts it: one edge, inside ``c(i)``, adding 2 to the degree.

  Args:
    graph: a padded undirected graph (both directions stored).
    communities: int ``[N]`` community ids (:func:`leiden_communities`); nodes with an id outside
      ``[0, num_communities)`` (``−1``) and absent nodes belong to no community.
    num_communities: ``C``, static (default ``N``, enough for any partition).

  Returns:
    ``(community_cs [C], node_cs [N])``, float32. Ids without nodes, nodes in no community and
    a graph without edges (where the official code asserts) get 0.
  """
  _util.check_graph(graph)
  communities = _check_communities(graph, communities)
  c = _util.num_nodes(graph) if num_communities is None else num_communities
  if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 1:
    raise ValueError(f"num_communities must be an int >= 1, got {num_communities!r}")
  c = int(c)
  com = _node_communities(graph, communities, c)
  present = _present_edges(graph)
  loop = graph.senders == graph.receivers
  w = jnp.where(present, jnp.where(loop, 2.0, 1.0), 0.0)
  links = jnp.sum(w) / 2.0
  cs_s, cs_r = com[graph.senders], com[graph.receivers]
  inside = (cs_s == cs_r) & (cs_r < c)
  inc = jax.ops.segment_sum(jnp.where(inside, w, 0.0), cs_r, num_segments=c + 1)[:c] / 2.0
  deg = jax.ops.segment_sum(w, cs_r, num_segments=c + 1)[:c]
  safe = jnp.maximum(links, 1.0)
  strength = jnp.where(links > 0, inc / safe - jnp.square(deg / (2.0 * safe)), 0.0)
  node = jnp.concatenate([strength, jnp.zeros((1,), strength.dtype)])[com]
  return strength, node


# ---------------------------------------------------------------------------------------------
# CED: communal edge dropping
# ---------------------------------------------------------------------------------------------


def community_edge_weights(graph: jraph.GraphsTuple, communities: jax.Array,
                           node_strength: jax.Array) -> jax.Array:
  """float32 ``[E]`` CED edge weights in ``[0, 1]`` (CSGCL's ``get_edge_weight``). Jittable.

  Edge ``u → v`` scores ``m_e = cs_u`` when ``u`` and ``v`` share a community (then
  ``cs_u = cs_v``) and ``m_e = −(cs_u + cs_v)`` otherwise; ``w_e = (m_e − min m) / (max m − min m)``
  over the present edges, so the edges of the strongest community weigh 1 and the weakest
  inter-community edges 0. When every ``m_e`` is equal (the official code divides by zero) every
  weight is 1. Absent edge slots get 0.

  Args:
    graph: the padded graph.
    communities: int ``[N]`` community ids (``−1``: none; such a node shares no community).
    node_strength: float ``[N]`` node strengths (:func:`community_strength`).
  """
  _util.check_graph(graph)
  communities = _check_communities(graph, communities)
  node_strength = jnp.asarray(node_strength, jnp.float32)
  if node_strength.shape != (_util.num_nodes(graph),):
    raise ValueError(f"node_strength must have shape [N] = ({_util.num_nodes(graph)},), got "
                     f"{node_strength.shape}")
  present = _present_edges(graph)
  c_s, c_r = communities[graph.senders], communities[graph.receivers]
  cs_s, cs_r = node_strength[graph.senders], node_strength[graph.receivers]
  m = jnp.where((c_s == c_r) & (c_s >= 0), cs_s, -(cs_s + cs_r))
  m_max = jnp.max(jnp.where(present, m, -jnp.inf))
  m_min = jnp.min(jnp.where(present, m, jnp.inf))
  span = m_max - m_min
  ok = span > 0
  w = jnp.where(ok, (m - m_min) / jnp.where(ok, span, 1.0), 1.0)
  return jnp.where(present, w, 0.0)


def community_edge_drop_probs(graph: jraph.GraphsTuple, weights: jax.Array, *, rate: float,
                              threshold: float = 1.0) -> jax.Array:
  """CED drop probabilities ``1 − clip(w / mean(w) · (1 − rate), 1 − threshold, 1)``. Jittable.

  CSGCL's ``ced``: edge ``e`` is *kept* with probability ``clip(w_e / mean(w) · (1 − p), 1 − t,
  1)`` (``p``: ``ced_drop_rate_k``, the mean drop rate before clipping; ``t``: ``--ced_thr``, 1 in
  ``train.py``), so the drop probability is ``min(max(1 − w_e / mean(w) · (1 − p), 0), t)``. The
  mean runs over the present edges; other slots get 0. Its mean is ``p`` before clipping, so
  ``p = 0`` still drops the edges weighing less than the mean (and ``t = 0`` drops none). Same
  distribution as the official ``bernoulli(keep)`` with :func:`jgssl.augment.adaptive_drop_edges`
  (keep when a uniform draw is at least the drop probability).

  Args:
    graph: the padded graph the weights were computed on.
    weights: float ``[E]`` from :func:`community_edge_weights`.
    rate: mean drop rate ``p`` in ``[0, 1]``.
    threshold: cap ``t`` on every drop probability, in ``[0, 1]``.

  Returns:
    float32 ``[E]`` drop probabilities in ``[0, threshold]``.
  """
  weights = _checked_edge_weights(graph, weights, rate=rate, threshold=threshold)
  present = _present_edges(graph)
  keep = _drop_probs(weights, present, 1.0 - rate, 1.0)  # min(w / mean(w) · (1 − p), 1)
  return jnp.where(present, jnp.minimum(1.0 - keep, threshold), 0.0)


# ---------------------------------------------------------------------------------------------
# CAV: communal attribute voting
# ---------------------------------------------------------------------------------------------


def community_feature_weights(graph: jraph.GraphsTuple, node_strength: jax.Array) -> jax.Array:
  """float32 ``[F]`` CAV feature weights (CSGCL's ``cav``), mean 1. Jittable.

  ``v_f = Σ_i |x_if| · cs_i`` over present nodes; a column with ``v_f = 0`` gets ``max v``
  (the official code's fix for all-zero columns, which leaves them the least likely to be
  masked) — and so does ``v_f < 0`` (negative strengths; the official code would take the log of
  a negative number); then ``s_f = log v_f`` and the official ``(s_max − s_f) / (s_max − s_min)``.
  The drop probability only uses ``w / mean(w)``, so the weights are returned divided by their
  mean: ``(s_max − s_f) / (s_max − s_mean)``. A constant score (the official code divides by
  zero) gives 1 everywhere. The drop probabilities of a view with rate ``p`` and cap ``t``
  (``cav_drop_rate_k``, ``--cav_thr``) are ``min(w_f · p, t)``:
  :func:`jgssl.augment.gca_feature_drop_probs` ``(weights, rate=p, threshold=t)``.

  The official ``cav_dense`` (WikiCS) differs only on columns with ``v_f = 0`` (NaN there); the
  official ``cav`` is what this computes.

  Args:
    graph: a padded graph with ``nodes['x']`` ``[N, F]``.
    node_strength: float ``[N]`` node strengths (:func:`community_strength`).
  """
  _util.check_graph(graph, needs_x=True)
  x = jnp.asarray(graph.nodes["x"], jnp.float32)
  node_strength = jnp.asarray(node_strength, jnp.float32)
  if node_strength.shape != (x.shape[0],):
    raise ValueError(f"node_strength must have shape [N] = ({x.shape[0]},), got "
                     f"{node_strength.shape}")
  cs = jnp.where(_util.eligible_nodes(graph), node_strength, 0.0)
  votes = jnp.abs(x).T @ cs
  positive = votes > 0
  fill = jnp.max(jnp.where(positive, votes, -jnp.inf))
  fill = jnp.where(jnp.isfinite(fill), fill, 1.0)  # no positive vote: all columns alike
  scores = jnp.log(jnp.where(positive, votes, fill))
  return _normalise_scores(scores, jnp.ones(scores.shape, bool))

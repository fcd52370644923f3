"""POT: provable training for graph contrastive learning (Yu et al., NeurIPS 2023).

Official code VoidHaruhi/POT-GCL (``GRACE/model.py`` ``Model.pot_loss``, ``GRACE/my_utils.py``
``get_alpha_beta`` / ``get_crown_weights``, ``GRACE/train.py`` ``train``; the GCA variant in
``GCA/pGRACE/model.py`` and ``GCA/train.py``). POT is a plug-in regulariser of a two-view method
whose encoder is a 2-layer GCN ``h = σ(Â σ(Â X W1 + b1) W2 + b2)``,
``Â = D̃^-1/2 (A + I) D̃^-1/2``. The training loss becomes
``(1 − κ)·L_base + κ·½(pot(view 1) + pot(view 2))`` (:func:`with_pot`, :class:`POTRegularizer`
on the :class:`jgssl.methods.TwoViewContrast` regulariser hook). For view ``v`` with edge drop
rate ``p_v``:

1. **Budget** (:func:`deletion_budget`): ``deg`` = degree of the clean graph (present edges,
   self loops excluded), ``Δ_i = min(max(deg_i − 1, 0), round(p·deg_i))`` edges may be deleted
   at node ``i``. GCA variant (``budget='adaptive'``): ``round(Σ_{e→i} p_e)`` with GCA's
   per-edge drop probabilities ``p_e = min(w_e / mean(w) · p, threshold)`` (``GCA/train.py``
   ``drop_degree_k``).
2. **Entry-wise bounds of Â** under any deletion within the budget
   (:func:`normalized_adjacency_bounds`), with ``d̃ = deg + 1``: on every edge ``j → i`` and
   self loop ``u_ij = 1/sqrt((d̃_i − Δ_i)(d̃_j − Δ_j))``; lower ``l_ii = 1/d̃_i`` on self loops and
   ``l_ij = 0`` on edges. The official code stores them as dense ``N × N`` matrices
   (``A_upper`` / ``A_lower``); here they are one value per edge slot and per node.
3. **Layer-1 pre-activation bounds** (interval arithmetic, :func:`gcn_preactivation_bounds`):
   ``z1 ∈ mid(Â)·XW1 ± rad(Â)·|XW1| + b1``, ``mid = (u + l)/2``, ``rad = (u − l)/2``.
4. **Layer-2 pre-activation bounds**, two modes (``bounds``):

   * ``'sound'`` (default): ``H = σ(z1)`` lies in ``[min, max]`` of ``σ`` over ``[l1, u1]``
     (``σ`` piecewise linear, extremes at ``l1``, ``u1`` or 0), ``HW2`` in
     ``centre·W2 ± radius·|W2|``, and ``z2`` in the product of that interval with the
     non-negative interval entries of ``Â`` plus ``b2``. Every graph within the budget gives
     pre-activations inside the bounds at both layers (tests check it on sampled deletions).
   * ``'official'``: ``z2 ∈ mid(Â)·HW2 ± rad(Â)·|HW2| + b2`` with the *clean* hidden layer
     ``H = σ(conv1(X, full graph))``, as ``pot_loss`` does; not a bound over the perturbed
     hidden layer.

5. **Linear relaxation of σ** (:func:`relaxation`, ``get_alpha_beta``; ReLU, PReLU / leaky ReLU
   with slope ``α``): stable positive ``l ≥ 0``: ``σ(z) = z``; stable negative ``u ≤ 0``:
   ``σ(z) = αz``; unstable: both lines with slope ``s = (u − αl)/(u − l)``, lower intercept 0,
   upper intercept the chord's ``(α − 1)·u·l/(u − l)``.
6. **Compactness weights** ``Wcl_i = n_i·N/(N − 1) − Σ_j n_j/(N − 1)`` (:func:`compactness_weights`)
   with ``n`` the L2-normalised encoder rows of the *other* view and ``N`` the real nodes.
7. **CROWN weights** (``get_crown_weights``): ``Λ2 = λ2 ⊙ Wcl``, ``Δ2 = β_L2 or β_U2`` by the
   sign of ``Wcl``, ``W̃2 = Λ2 W2ᵀ``, ``b̃2_i = Σ_k Λ2_ik (Δ2_ik + b2_k)``; then ``Λ1 = λ1 ⊙ W̃2``,
   ``Δ1`` by the sign of ``W̃2``, ``W̃1 = Λ1 W1ᵀ``, ``b̃1_i = Σ_m Λ1_im (Δ1_im + b1_m)``.
8. **Score** on the view's own normalised adjacency ``Âv`` (the view's present edges, normalised
   as the encoder does): ``t_j = x_j · W̃1_j``, ``s = Âv(Âv t + b̃1) + b̃2`` (:func:`pot_score`),
   and ``pot(v) = BCE-with-logits(s, 1) = mean over real nodes of softplus(−s)``. As the
   official code, ``t_j`` uses node ``j``'s own ``W̃1_j`` (the relaxation of node ``j``'s row) —
   not a per-anchor CROWN bound, which would need ``W̃1`` per (anchor, neighbour) pair — and the
   clean features ``X`` (the official feature masking is commented out).

**Deliberate deviations from the official code** (``bounds='official'`` undoes all three):

* *Sound layer-2 bounds* (step 4): the official ``z2`` interval propagates the clean hidden
  layer, so a perturbed graph can leave it; ``'sound'`` propagates the layer-1 interval.
* *The chord intercept* (step 5): ``get_alpha_beta`` divides ``(α − 1)·u·l`` by ``u − αl``
  instead of ``u − l``; for ``0 ≤ α ≤ 1`` that is a larger intercept, a valid but looser upper
  line. ``'sound'`` uses the chord; for a slope ``α > 1`` (a PReLU can learn one) the chord is the
  *lower* line and the intercepts swap (``β_L = min(0, c)``, ``β_U = max(0, c)``), valid for any
  ``α``.
* *Tight lower bound of undeletable edges* (``'sound'`` only): an edge ``j → i`` whose receiver
  has budget ``Δ_i = 0`` cannot be deleted (nor lose its degree), so its lower bound is its clean
  value ``1/sqrt(d̃_i d̃_j)`` instead of 0. With rate 0 the sound bounds collapse to the exact
  pre-activations. (Keying on the receiver alone keeps the bound sound for undirected deletions,
  which need both end points' budgets, and for directed ones, as GRACE's views drop.)

Other notes: ``t_j = x_j·W̃1_j = Σ_m Λ1_jm (XW1)_jm`` is computed from ``XW1`` without forming
``W̃1`` (``[N, F]``), the same number up to summation order. The score propagates along the
encoder's direction (receivers gather from senders); the official ``An_ptb`` product gathers along
the transpose, the same for undirected views. The PReLU slopes are read per layer (jgssl encoders
give each layer its own slope; POT's official encoder shares one); the relaxation lines hold them
fixed (``.item()`` in the official code: no gradient through ``α`` there), the σ-ranges and the
clean hidden layer do not. RReLU is treated as a leaky ReLU with its mean slope: the bounds then
certify the evaluation-mode encoder (the one whose embeddings are used), not the random slopes
of training. The bounds assume unit edge weights (the official adjacency is unweighted).

**Cost.** Per view: ``O(E·d + N·d)`` memory and ``O(E·d + N·F·d)`` time (``d`` the widest layer),
the same order as one forward pass of the encoder; nothing is ``N × N`` (the official code
builds dense ``N × N`` bounds and ``W̃1`` ``[N, F]``).

**Padding.** Padding nodes and edges (and masked edges) get zero adjacency bounds, zero ``Wcl``
and zero score and are left out of every mean, so the value does not depend on the padding budget;
the pre-activation bounds of padding rows are the biases (nothing reaches them).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, NamedTuple, Tuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import jraph

from jgssl import augment, losses, models
from jgssl import graph as graph_lib
from jgssl.methods import fields
from jgssl.methods.two_view import TwoViewContrast

__all__ = [
    "AdjacencyBounds",
    "POTRegularizer",
    "activation_slopes",
    "check_pot_encoder",
    "compactness_weights",
    "deletion_budget",
    "gcn_preactivation_bounds",
    "normalized_adjacency_bounds",
    "pot_score",
    "relaxation",
    "with_pot",
]

Array = jax.Array

#: Mean slope of :class:`jgssl.models.layers.RReLU` with its defaults (1/8, 1/3): its eval slope.
_RRELU_MEAN_SLOPE = (1.0 / 8.0 + 1.0 / 3.0) / 2.0
#: Activations POT relaxes: ``σ(z) = z`` for ``z ≥ 0``, ``α z`` below (``α`` per layer).
_FIXED_SLOPES = {"relu": 0.0, "leaky_relu": 0.01, "rrelu": _RRELU_MEAN_SLOPE}
SUPPORTED_ACTIVATIONS = ("relu", "prelu", "leaky_relu", "rrelu")
BOUNDS = ("sound", "official")
BUDGETS = ("uniform", "adaptive")


# ---------------------------------------------------------------------------------------------
# Steps 1-2: budget and entry-wise bounds of the normalised adjacency
# ---------------------------------------------------------------------------------------------


def deletion_budget(graph: jraph.GraphsTuple, *, rate) -> Array:
  """Edges each node may lose: ``Δ_i = min(max(deg_i − 1, 0), round(r_i))``. Jittable.

  ``deg`` counts the present edges into each node of ``graph`` (the clean, undirected graph,
  stored with both directions; self loops are not stored). ``r_i = rate · deg_i`` for a scalar
  ``rate`` (POT-GCL ``GRACE/model.py``: ``np.round(local_changes * deg)``), or ``Σ_{e→i} rate_e``
  for per-edge drop probabilities ``[E]`` (``GCA/train.py``'s ``drop_degree``). ``round`` is
  round-half-to-even, as ``np.round``; it runs in float32 (``p·deg`` that lands within float32
  rounding of a half-integer may round the other way than the official float64).

  Args:
    graph: the clean padded graph.
    rate: drop rate in ``[0, 1]`` (float) or float ``[E]`` per-edge drop probabilities.

  Returns:
    float32 ``[N]`` whole numbers, 0 on padding and non-present nodes.
  """
  present = graph_lib.edge_mask(graph)
  num_nodes = graph.nodes["mask"].shape[0]
  deg = jax.ops.segment_sum(present.astype(jnp.float32), graph.receivers,
                            num_segments=num_nodes)
  if jnp.ndim(rate) == 0:
    if isinstance(rate, (int, float)) and not 0.0 <= rate <= 1.0:
      raise ValueError(f"deletion_budget: rate must be a probability in [0, 1], got {rate!r}")
    expected = jnp.asarray(rate, jnp.float32) * deg
  else:
    rate = jnp.asarray(rate, jnp.float32)
    if rate.shape != present.shape:
      raise ValueError(f"deletion_budget: per-edge rate must have shape [E] = {present.shape}, "
                       f"got {rate.shape}")
    expected = jax.ops.segment_sum(jnp.where(present, rate, 0.0), graph.receivers,
                                   num_segments=num_nodes)
  budget = jnp.minimum(jnp.maximum(deg - 1.0, 0.0), jnp.round(expected))
  return jnp.where(graph.nodes["mask"], budget, 0.0)


class AdjacencyBounds(NamedTuple):
  """Entry-wise bounds of ``Â = D̃^-1/2 (A + I) D̃^-1/2`` over the deletions within a budget.

  Attributes:
    edge_lower: float32 ``[E]``: lower bound of ``Â[receiver, sender]`` on each edge slot.
    edge_upper: float32 ``[E]``: upper bound on each edge slot.
    self_lower: float32 ``[N]``: lower bound of the self-loop entry ``Â_ii``.
    self_upper: float32 ``[N]``: upper bound of ``Â_ii``.

  All are 0 on padding / masked edges and non-present nodes.
  """
  edge_lower: Array
  edge_upper: Array
  self_lower: Array
  self_upper: Array


def normalized_adjacency_bounds(graph: jraph.GraphsTuple, budget: Array, *,
                                tight_lower: bool = True) -> AdjacencyBounds:
  """Edge-wise bounds of the GCN-normalised adjacency under deletions within ``budget``.

  With ``d̃ = deg + 1`` (``deg`` as in :func:`deletion_budget`) and ``Δ = budget``: upper bound
  ``1/sqrt((d̃_i − Δ_i)(d̃_j − Δ_j))`` on every edge ``j → i`` and self loop (``1/(d̃_i − Δ_i)``),
  lower bound ``1/d̃_i`` on self loops and 0 on edges — POT-GCL's dense ``A_upper`` / ``A_lower``
  (``GRACE/model.py`` ``pot_loss``) restricted to their non-zero pattern. With ``tight_lower``
  an edge whose receiver has ``Δ_i = 0`` cannot be deleted and keeps its clean value
  ``1/sqrt(d̃_i d̃_j)`` as lower bound (module docstring). Jittable; ``O(E + N)`` memory.

  Args:
    graph: the clean padded graph (unit edge weights assumed).
    budget: float ``[N]`` from :func:`deletion_budget`.
    tight_lower: the tightened lower bound (``True``) or the official one.

  Returns:
    :class:`AdjacencyBounds`.
  """
  present = graph_lib.edge_mask(graph)
  node_present = graph.nodes["mask"]
  num_nodes = node_present.shape[0]
  deg = jax.ops.segment_sum(present.astype(jnp.float32), graph.receivers,
                            num_segments=num_nodes)
  d_tilde = deg + 1.0
  budget = jnp.where(node_present, jnp.asarray(budget, jnp.float32), 0.0)
  d_min = jnp.maximum(d_tilde - budget, 1.0)                      # d̃ − Δ ≥ 2 when Δ > 0
  inv_sqrt_min = jax.lax.rsqrt(d_min)
  inv_sqrt = jax.lax.rsqrt(d_tilde)
  s, r = graph.senders, graph.receivers
  edge_upper = jnp.where(present, inv_sqrt_min[s] * inv_sqrt_min[r], 0.0)
  if tight_lower:
    kept = present & (budget[r] < 0.5)
    edge_lower = jnp.where(kept, inv_sqrt[s] * inv_sqrt[r], 0.0)
  else:
    edge_lower = jnp.zeros_like(edge_upper)
  self_upper = jnp.where(node_present, 1.0 / d_min, 0.0)
  self_lower = jnp.where(node_present, 1.0 / d_tilde, 0.0)
  return AdjacencyBounds(edge_lower, edge_upper, self_lower, self_upper)


def _propagate(graph: jraph.GraphsTuple, h: Array, edge_w: Array, self_w: Array) -> Array:
  """``out_i = self_w_i h_i + Σ_{e: j→i} edge_w_e h_j`` (``[N, D]``; ``h`` may be ``[N]``)."""
  if h.ndim == 1:
    msg = h[graph.senders] * edge_w
    return jax.ops.segment_sum(msg, graph.receivers, num_segments=h.shape[0]) + self_w * h
  msg = h[graph.senders] * edge_w[:, None]
  return (jax.ops.segment_sum(msg, graph.receivers, num_segments=h.shape[0])
          + self_w[:, None] * h)


def _interval_propagate(graph, adj: AdjacencyBounds, v: Array) -> Tuple[Array, Array]:
  """Bounds of ``Â v`` for a fixed ``v`` ``[N, D]`` and ``Â`` entry-wise in ``adj``."""
  mid_e, rad_e = 0.5 * (adj.edge_upper + adj.edge_lower), 0.5 * (adj.edge_upper - adj.edge_lower)
  mid_n, rad_n = 0.5 * (adj.self_upper + adj.self_lower), 0.5 * (adj.self_upper - adj.self_lower)
  centre = _propagate(graph, v, mid_e, mid_n)
  radius = _propagate(graph, jnp.abs(v), rad_e, rad_n)
  return centre - radius, centre + radius


def _interval_product_propagate(graph, adj: AdjacencyBounds, lo: Array, hi: Array
                                ) -> Tuple[Array, Array]:
  """Bounds of ``Â v`` for ``v ∈ [lo, hi]`` and ``Â`` entry-wise in ``adj`` (entries ``≥ 0``):
  ``a·v ≥ a_L·max(lo, 0) + a_U·min(lo, 0)`` and ``a·v ≤ a_U·max(hi, 0) + a_L·min(hi, 0)``."""
  pos = lambda z: jnp.maximum(z, 0.0)
  neg = lambda z: jnp.minimum(z, 0.0)
  lower = (_propagate(graph, pos(lo), adj.edge_lower, adj.self_lower)
           + _propagate(graph, neg(lo), adj.edge_upper, adj.self_upper))
  upper = (_propagate(graph, pos(hi), adj.edge_upper, adj.self_upper)
           + _propagate(graph, neg(hi), adj.edge_lower, adj.self_lower))
  return lower, upper


# ---------------------------------------------------------------------------------------------
# Steps 3-4: pre-activation bounds of the 2-layer GCN
# ---------------------------------------------------------------------------------------------


def _leaky(z: Array, slope) -> Array:
  return jnp.where(z >= 0, z, slope * z)


def _sigma_range(lo: Array, hi: Array, slope) -> Tuple[Array, Array]:
  """``[min, max]`` of ``σ(z) = z (z ≥ 0), slope·z (z < 0)`` over ``z ∈ [lo, hi]``."""
  a, b = _leaky(lo, slope), _leaky(hi, slope)
  low, high = jnp.minimum(a, b), jnp.maximum(a, b)
  straddle = (lo < 0) & (hi > 0)
  return jnp.where(straddle, jnp.minimum(low, 0.0), low), jnp.where(straddle,
                                                                     jnp.maximum(high, 0.0), high)


def _layer(params: Dict[str, Any], index: int) -> Tuple[Array, Array]:
  """``(kernel [F_in, F_out], bias [F_out])`` of ``conv_{index}`` (zero bias without one)."""
  conv = params[f"conv_{index}"]
  kernel = conv["linear"]["kernel"]
  bias = conv.get("bias", jnp.zeros(kernel.shape[-1], kernel.dtype))
  return kernel, bias


def _input_product(graph: jraph.GraphsTuple, kernel: Array) -> Array:
  """``X W1`` on the clean features, rows of non-present nodes zero (as the encoder)."""
  x = graph.nodes["x"].astype(jnp.float32)
  x = jnp.where(graph.nodes["mask"][:, None], x, 0.0)
  cols = graph.nodes.get(graph_lib.SPARSE_KEY)
  if cols is not None:
    return models.sparse.sparse_matmul(x, cols, kernel.astype(x.dtype))
  return x @ kernel.astype(x.dtype)


def gcn_preactivation_bounds(params: Dict[str, Any], graph: jraph.GraphsTuple,
                             adjacency_bounds: AdjacencyBounds, *, activation_slope,
                             bounds: str = "sound") -> Tuple[Array, Array, Array, Array]:
  """Bounds ``(l1, u1, l2, u2)`` of both pre-activations of a 2-layer GCN (steps 3-4).

  ``z1 = Â X W1 + b1`` and ``z2 = Â σ(z1) W2 + b2`` for every ``Â`` inside
  ``adjacency_bounds`` (``'sound'``); ``'official'`` bounds ``z2`` around the clean hidden layer
  ``σ(Â_clean X W1 + b1)`` as POT-GCL's ``pot_loss`` (module docstring). Jittable.

  Args:
    params: the encoder's params (``variables['params']['encoder']`` of a 2-layer
      :class:`jgssl.models.GCN`: ``conv_0`` / ``conv_1`` with ``linear.kernel`` and ``bias``).
    graph: the clean padded graph (its features ``nodes['x']`` ``[N, F]``).
    adjacency_bounds: :func:`normalized_adjacency_bounds` of ``graph``.
    activation_slope: slope ``α`` of the layer-1 activation below 0 (0 for ReLU).
    bounds: ``'sound'`` or ``'official'``.

  Returns:
    float32 ``l1, u1`` ``[N, d_hidden]`` and ``l2, u2`` ``[N, d_out]``; on padding rows the
    biases.
  """
  if bounds not in BOUNDS:
    raise ValueError(f"gcn_preactivation_bounds: bounds must be one of {list(BOUNDS)}, got "
                     f"{bounds!r}")
  w1, b1 = _layer(params, 0)
  w2, b2 = _layer(params, 1)
  xw = _input_product(graph, w1)
  l1, u1 = _interval_propagate(graph, adjacency_bounds, xw)
  l1, u1 = l1 + b1, u1 + b1
  if bounds == "sound":
    h_lo, h_hi = _sigma_range(l1, u1, activation_slope)
    centre, radius = 0.5 * (h_hi + h_lo) @ w2, 0.5 * (h_hi - h_lo) @ jnp.abs(w2)
    l2, u2 = _interval_product_propagate(graph, adjacency_bounds, centre - radius,
                                         centre + radius)
  else:
    edge_w, self_w = graph_lib.symmetric_norm_weights(graph)
    clean_h = _leaky(_propagate(graph, xw, edge_w, self_w) + b1, activation_slope)
    clean_h = jnp.where(graph.nodes["mask"][:, None], clean_h, 0.0)
    l2, u2 = _interval_propagate(graph, adjacency_bounds, clean_h @ w2)
  return l1, u1, l2 + b2, u2 + b2


# ---------------------------------------------------------------------------------------------
# Steps 5-8: relaxation, compactness, CROWN weights and score
# ---------------------------------------------------------------------------------------------


def relaxation(l: Array, u: Array, *, slope, official: bool = False
               ) -> Tuple[Array, Array, Array]:
  """Linear bounds ``λ z + β_L ≤ σ(z) ≤ λ z + β_U`` on ``z ∈ [l, u]`` (``get_alpha_beta``).

  ``σ(z) = z`` for ``z ≥ 0`` and ``slope·z`` below. Stable positive (``l ≥ 0``): ``λ = 1``;
  stable negative (``u ≤ 0``, which wins at ``l = u = 0`` as in the official code):
  ``λ = slope``; both with ``β = 0``. Unstable (``l < 0 < u``): ``λ = (u − α l)/(u − l)`` and the
  intercepts 0 and the chord's ``c = (α − 1)·u·l/(u − l)``, ``β_L = min(0, c)``,
  ``β_U = max(0, c)`` (valid for any slope). ``official=True`` takes POT-GCL's
  ``β_L = 0``, ``β_U = (α − 1)·u·l/(u − α l)`` (valid and looser for ``0 ≤ α ≤ 1``). Jittable,
  elementwise.

  Args:
    l, u: float arrays of the same shape with ``l ≤ u``.
    slope: ``α``, a float scalar.
    official: the official upper intercept.

  Returns:
    ``(λ, β_L, β_U)``, each shaped like ``l``.
  """
  slope = jnp.asarray(slope, l.dtype)
  positive, negative = l >= 0, u <= 0
  unstable = ~(positive | negative)
  width = jnp.where(unstable, u - l, 1.0)
  num = u - slope * l
  lam = jnp.where(negative, slope, jnp.where(positive, 1.0, num / width))
  if official:
    denom = jnp.where(unstable & (num != 0), num, 1.0)
    beta_l = jnp.zeros_like(l)
    beta_u = jnp.where(unstable, (slope - 1.0) * u * l / denom, 0.0)
  else:
    chord = jnp.where(unstable, (slope - 1.0) * u * l / width, 0.0)
    beta_l, beta_u = jnp.minimum(chord, 0.0), jnp.maximum(chord, 0.0)
  return lam, beta_l, beta_u


def compactness_weights(rows: Array, where: Array) -> Array:
  """``Wcl_i = n_i·N/(N − 1) − Σ_j n_j/(N − 1)``: ``n`` the L2-normalised ``rows``, ``N`` and the
  sum over the real rows (``where``); ``n_i`` minus the mean of the other real rows. Jittable.

  Args:
    rows: float ``[N, d]`` encoder rows (of the other view).
    where: bool ``[N]`` real rows.

  Returns:
    float32 ``[N, d]``, 0 on rows outside ``where``; gradients flow into ``rows``.
  """
  n = jnp.where(where[:, None], losses.l2_normalize(rows.astype(jnp.float32)), 0.0)
  count = jnp.sum(where.astype(jnp.float32))
  others = jnp.maximum(count - 1.0, 1.0)
  wcl = n * (count / others) - jnp.sum(n, axis=0) / others
  return jnp.where(where[:, None], wcl, 0.0)


def pot_score(params: Dict[str, Any], graph: jraph.GraphsTuple, view: jraph.GraphsTuple,
              preactivation_bounds: Tuple[Array, Array, Array, Array], compactness: Array, *,
              slopes: Tuple[Any, Any], bounds: str = "sound") -> Array:
  """POT's score ``s = Âv(Âv t + b̃1) + b̃2`` of every node on ``view`` (steps 7-8). Jittable.

  ``Λ2 = λ2 ⊙ Wcl`` with ``Δ2`` the lower / upper intercept where ``Wcl ≥ 0`` / ``< 0``,
  ``W̃2 = Λ2 W2ᵀ``, ``b̃2_i = Σ_k Λ2_ik (Δ2_ik + b2_k)``, ``Λ1 = λ1 ⊙ W̃2`` (``Δ1`` by the sign of
  ``W̃2``), ``b̃1_i = Σ_m Λ1_im (Δ1_im + b1_m)``, ``t_j = x_j·(Λ1_j W1ᵀ) = Σ_m Λ1_jm (XW1)_jm``
  (POT-GCL ``get_crown_weights`` and ``pot_loss``; node ``j``'s own ``Λ1_j``, as there).
  ``Âv`` is the encoder's normalisation of the view's present edges
  (:func:`jgssl.graph.symmetric_norm_weights`).

  Args:
    params: the 2-layer GCN encoder params (:func:`gcn_preactivation_bounds`).
    graph: the clean padded graph (features ``x``).
    view: the augmented view scored (same shapes as ``graph``).
    preactivation_bounds: ``(l1, u1, l2, u2)`` from :func:`gcn_preactivation_bounds`.
    compactness: ``Wcl`` ``[N, d_out]`` (:func:`compactness_weights`).
    slopes: ``(α1, α2)``, the slopes of the layer-1 and layer-2 activations below 0; held fixed
      (no gradient), as the official ``.item()``.
    bounds: ``'official'`` takes the official upper intercept in :func:`relaxation`.

  Returns:
    float32 ``[N]`` scores, 0 on padding rows.
  """
  w1, b1 = _layer(params, 0)
  w2, b2 = _layer(params, 1)
  l1, u1, l2, u2 = preactivation_bounds
  official = bounds == "official"
  a1, a2 = (jax.lax.stop_gradient(jnp.asarray(a, jnp.float32)) for a in slopes)
  lam2, bl2, bu2 = relaxation(l2, u2, slope=a2, official=official)
  nonneg = compactness >= 0
  big_lam2 = lam2 * compactness
  delta2 = jnp.where(nonneg, bl2, bu2)
  w_tilde2 = big_lam2 @ w2.T                                              # [N, d_hidden]
  b_tilde2 = jnp.sum(big_lam2 * (delta2 + b2), axis=-1)                   # [N]
  lam1, bl1, bu1 = relaxation(l1, u1, slope=a1, official=official)
  big_lam1 = lam1 * w_tilde2
  delta1 = jnp.where(w_tilde2 >= 0, bl1, bu1)
  b_tilde1 = jnp.sum(big_lam1 * (delta1 + b1), axis=-1)                   # [N]
  t = jnp.sum(big_lam1 * _input_product(graph, w1), axis=-1)             # x_j · W̃1_j
  edge_w, self_w = graph_lib.symmetric_norm_weights(view)
  hidden = _propagate(view, t, edge_w, self_w) + b_tilde1
  score = _propagate(view, hidden, edge_w, self_w) + b_tilde2
  return jnp.where(graph.nodes["mask"], score, 0.0)


# ---------------------------------------------------------------------------------------------
# The regulariser
# ---------------------------------------------------------------------------------------------


def check_pot_encoder(encoder, owner: str = "POT") -> None:
  """Raises ``ValueError`` naming the problem unless ``encoder`` is a 2-layer
  :class:`jgssl.models.GCN` POT can bound (GCN normalisation with self loops, activation
  after both layers, one of ``relu``, ``prelu``, ``leaky_relu``, ``rrelu``, no norm, residual
  or dropout, one output array)."""
  if not isinstance(encoder, models.GCN):
    raise ValueError(f"{owner} bounds a 2-layer jgssl.models.GCN encoder (POT-GCL's "
                     f"pot_loss), got {type(encoder).__name__}")
  problems = []
  if len(encoder.features) != 2:
    problems.append(f"exactly 2 layers (got {len(encoder.features)}: "
                    f"features={encoder.features})")
  if not isinstance(encoder.activation, str) or encoder.activation not in SUPPORTED_ACTIVATIONS:
    problems.append(f"activation one of {list(SUPPORTED_ACTIVATIONS)} (piecewise linear with a "
                    f"kink at 0; got {encoder.activation!r})")
  if not encoder.add_self_loops:
    problems.append("add_self_loops=True (the D̃^-1/2 (A + I) D̃^-1/2 normalisation)")
  if encoder.norm != "none":
    problems.append(f"norm='none' (got {encoder.norm!r})")
  if encoder.residual:
    problems.append("residual=False")
  if encoder.dropout > 0.0:
    problems.append(f"dropout=0 (got {encoder.dropout})")
  if not encoder.last_activation:
    problems.append("last_activation=True (the official encoder applies σ after both layers)")
  if encoder.return_layers:
    problems.append("return_layers=False")
  if problems:
    raise ValueError(f"{owner} needs a GCN encoder with " + "; ".join(problems))


def activation_slopes(encoder, params: Dict[str, Any]) -> Tuple[Any, Any]:
  """``(α1, α2)``: the slope below 0 of each layer's activation of the GCN ``encoder`` (``0`` for
  ReLU, 0.01 leaky ReLU, the mean slope 11/48 for RReLU, the learned ``act_l/prelu/slope`` for
  PReLU) read from its ``params``.

  Raises:
    ValueError: when ``params`` is not a 2-layer GCN's (``conv_0``, ``conv_1`` and no more) or a
      PReLU slope is missing.
  """
  if not isinstance(params, dict) or "conv_0" not in params or "conv_1" not in params:
    keys = sorted(params) if isinstance(params, dict) else type(params).__name__
    raise ValueError(f"POT expects the params of a 2-layer GCN (conv_0, conv_1), got {keys}")
  if "conv_2" in params:
    raise ValueError("POT bounds a 2-layer GCN, but the encoder params have a third layer "
                     "(conv_2)")
  kind = encoder.activation
  if kind in _FIXED_SLOPES:
    return _FIXED_SLOPES[kind], _FIXED_SLOPES[kind]
  slopes = []
  for index in range(2):
    act = params.get(f"act_{index}", {}).get("prelu", {})
    if "slope" not in act:
      raise ValueError(f"POT: the PReLU slope act_{index}/prelu/slope is missing from the "
                       "encoder params")
    slopes.append(act["slope"])
  return tuple(slopes)


@dataclasses.dataclass(frozen=True, kw_only=True)
class POTRegularizer:
  """POT's bound penalty on a :class:`jgssl.methods.TwoViewContrast` step (module docstring).

  Called by the skeleton as ``reg(variables, *, graph, views, rows, where[, side])`` with the
  clean padded ``graph``, the two ``views``, the encoder ``rows`` ``(h1, h2)`` and the real-node
  mask; returns ``(½(pot(view 1) + pot(view 2)), aux)`` where ``pot(view k)`` scores view ``k``'s
  graph with budgets from ``drop_edge_rate[k]`` and compactness weights from the *other* view's
  rows (POT-GCL ``GRACE/train.py``: ``pot_loss(z1, z2, ..., edge_index_1, drop_edge_rate_1)``).
  aux: ``'pot'`` (the value) and ``'pot_gap'`` (mean width ``u2 − l2`` of the output
  pre-activation bounds over real nodes, features and views).

  Attributes:
    encoder: the method's encoder, a 2-layer :class:`jgssl.models.GCN` (checked:
      :func:`check_pot_encoder`); its params are read from ``variables['params']['encoder']``.
    drop_edge_rate: the views' edge drop rates ``(p1, p2)`` (one number for both) that set the
      deletion budgets.
    bounds: ``'sound'`` (default) or ``'official'`` (module docstring).
    budget: ``'uniform'`` (``round(p·deg)``, GRACE) or ``'adaptive'`` (GCA: ``round`` of the
      summed per-edge drop probabilities from the side input's ``'edge_weights'``; then the
      regulariser declares ``needs_side``).
    threshold: GCA's cap ``p_tau`` on every edge drop probability (``'adaptive'`` only).
  """
  encoder: nn.Module = dataclasses.field(metadata={"check": fields.MODULE})
  drop_edge_rate: Tuple[float, float] = dataclasses.field(metadata={"check": fields.RATE_PAIR})
  bounds: str = fields.hyper("sound", fields.one_of(*BOUNDS))
  budget: str = fields.hyper("uniform", fields.one_of(*BUDGETS))
  threshold: float = fields.hyper(0.7, fields.RATE)

  def __post_init__(self):
    fields.validate(self)
    check_pot_encoder(self.encoder, "POTRegularizer")

  @property
  def needs_side(self) -> bool:
    """GCA budgets read the side input's ``'edge_weights'``."""
    return self.budget == "adaptive"

  def budgets(self, graph: jraph.GraphsTuple, side=None) -> Tuple[Array, ...]:
    """The deletion budgets ``[N]`` on ``graph``: one per view, or one shared by both views when
    their uniform rates are equal."""
    if self.budget == "uniform":
      rates = self.drop_edge_rate
      if rates[0] == rates[1]:
        return (deletion_budget(graph, rate=rates[0]),)
    else:
      if not isinstance(side, dict) or "edge_weights" not in side:
        raise ValueError("POTRegularizer(budget='adaptive') needs the side input "
                         "{'edge_weights': [E]} of jgssl.methods.gca (its prepare)")
      rates = tuple(augment.gca_edge_drop_probs(graph, side["edge_weights"], rate=p,
                                                threshold=self.threshold)
                    for p in self.drop_edge_rate)
    return tuple(deletion_budget(graph, rate=r) for r in rates)

  def __call__(self, variables, *, graph, views, rows, where, side=None):
    params = variables["params"]["encoder"]
    slopes = activation_slopes(self.encoder, params)
    pre = [gcn_preactivation_bounds(
        params, graph, normalized_adjacency_bounds(graph, b, tight_lower=self.bounds == "sound"),
        activation_slope=slopes[0], bounds=self.bounds) for b in self.budgets(graph, side)]
    pre = pre * 2 if len(pre) == 1 else pre
    pots, gaps = [], []
    for k in range(2):
      wcl = compactness_weights(rows[1 - k], where)
      score = pot_score(params, graph, views[k], pre[k], wcl, slopes=slopes, bounds=self.bounds)
      pots.append(losses.masked_mean(jax.nn.softplus(-score), where))
      gaps.append(losses.masked_mean(pre[k][3] - pre[k][2], where))
    value = 0.5 * (pots[0] + pots[1])
    return value, {"pot": value, "pot_gap": 0.5 * (gaps[0] + gaps[1])}


def with_pot(method: TwoViewContrast, *, kappa: float, drop_edge_rate, bounds: str = "sound",
             budget: str = "uniform", threshold: float = 0.7) -> TwoViewContrast:
  """``method`` trained with POT: loss ``(1 − κ)·L_method + κ·L_POT`` (module docstring).

  Args:
    method: a node-level :class:`jgssl.methods.TwoViewContrast` whose encoder is a 2-layer
      :class:`jgssl.models.GCN` (:func:`jgssl.methods.grace`, :func:`jgssl.methods.gca`).
    kappa: κ in ``[0, 1]`` (POT-GCL ``--kappa``; README: 0.4 GRACE, 0.3 GCA on Cora).
    drop_edge_rate: the rates ``(p1, p2)`` of the method's views, for the budgets.
    bounds: ``'sound'`` or ``'official'``.
    budget: ``'uniform'`` (GRACE) or ``'adaptive'`` (GCA's per-edge probabilities; the method
      needs GCA's ``prepare``).
    threshold: GCA's probability cap (``'adaptive'``).

  Returns:
    ``dataclasses.replace(method, regularizer=POTRegularizer(...), regularizer_weight=kappa)``.

  Raises:
    ValueError: for another kind of method, a graph-level method, an encoder POT cannot bound,
      a bad hyperparameter, or ``'adaptive'`` budgets without a ``prepare``.
  """
  if not isinstance(method, TwoViewContrast):
    raise ValueError(f"with_pot: method must be a jgssl.methods.TwoViewContrast, got "
                     f"{type(method).__name__}")
  if method.level != "node":
    raise ValueError("with_pot: POT regularises node-level methods (level='node'), got "
                     f"level={method.level!r}")
  h = fields.check_args("with_pot", kappa=(kappa, fields.RATE))
  check_pot_encoder(method.encoder, "with_pot")
  regularizer = POTRegularizer(encoder=method.encoder, drop_edge_rate=drop_edge_rate,
                               bounds=bounds, budget=budget, threshold=threshold)
  return dataclasses.replace(method, regularizer=regularizer, regularizer_weight=h["kappa"])

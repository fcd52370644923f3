"""MVGRL, node level: contrastive multi-view learning on graphs (Hassani & Khasahmadi, ICML 2020).

Official code kavehhassani/mvgrl ``node/train.py`` (REFERENCES.md §3.4). Two structural views of
one graph: ``a`` = the GCN-normalised adjacency ``Â = D^-1/2 (A + wI) D^-1/2`` (``w`` =
``self_loop_weight``: 1, or 2 as the official code; see :class:`MVGRL`) and ``b`` = the
PPR diffusion ``S = α (I − (1 − α) Â)^-1`` (α = 0.2; :func:`jgssl.augment.ppr_matrix`). Each view
has its own one-layer GCN ``PReLU(M X W + b)`` (512 wide); the summaries are
``s = sigmoid(mean_i h_i)``. A shared bilinear discriminator scores view-``b`` nodes against
``s_a`` and view-``a`` nodes against ``s_b`` (positives), and the same encoders on row-shuffled
features against the same summaries (negatives); binary cross-entropy over all four score sets
(:func:`jgssl.losses.dgi_bce_loss`, the JSD-type node–graph objective of the paper).

**Sub-sampled training** as the official code: each step draws ``batch_size`` = 4 random offsets
``o`` and trains on the windows of ``sample_size`` = 2000 consecutive node indices
``[o, o + 2000)``, with the blocks ``Â[o:o+s, o:o+s]`` and ``S[o:o+s, o:o+s]`` of the *full-graph*
matrices (not renormalised) and one feature-row permutation shared by the four windows. The window
sampler depends on the node order — a known property of the official sampler (REFERENCES.md §3.4),
reproduced on purpose; ``sample_size=None`` trains on the full graph (DGL's "full" variant).
Early stopping on the training loss (patience 20) keeps the best-loss parameters, as DGI
(:func:`jgssl.methods.dgi.early_stopping_loss`). Embeddings: ``h_a + h_b`` on the full graph.

The diffusion is computed once by :meth:`MVGRL.init` (:func:`ppr_view`: dense ``O(N²)`` memory,
one ``N × N`` solve, jittable) and kept in the non-trained ``'diffusion'`` collection
(``'ppr' [N, N]`` over the node slots, float32, zero on padding), so ``loss`` / ``embed`` must get
the graph ``init`` saw. View ``a`` uses the graph's edges (sparse). The real nodes must come
first (the jgssl padding convention), since windows are cut from the real index range.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from jgssl import augment, losses, models
from jgssl import graph as graph_lib
from jgssl.methods import base
from jgssl.methods.dgi import early_stopping_loss, early_stopping_state

__all__ = ["MVGRL", "ppr_view", "window_coverage"]


def _window_starts(key, num_real, *, size: int, batch: int) -> jax.Array:
  """``batch`` window starts, uniform in ``0 .. max(num_real − size, 0)``, as the official sampler
  (windows inside the real nodes, which come first). :func:`window_coverage` is exact for it."""
  return jax.random.randint(key, (batch,), 0, jnp.maximum(num_real - size, 0) + 1)


def window_coverage(num_nodes: int, *, sample_size: Optional[int] = 2000) -> np.ndarray:
  """How often the official window sampler trains on each node: ``[num_nodes]`` in ``(0, 1]``.

  :class:`MVGRL` (and the official ``node/train.py``) draws window starts ``o`` uniformly from
  ``0 .. N − s`` and trains on nodes ``[o, o + s)``. Node ``i`` lies in a window for
  ``min(i, N − s) − max(0, i − s + 1) + 1`` of the ``N − s + 1`` starts, so the first and last
  ``N − s`` nodes are covered less often than the middle ones; the entries sum to ``s`` (the
  expected nodes per window). Exact, no sampling.

  Args:
    num_nodes: real nodes ``N`` (in the order the sampler sees them).
    sample_size: window length ``s``; ``None`` or ``s >= N`` means full-graph steps (all ones).

  Returns:
    float64 ``[num_nodes]``: per node, the fraction of windows containing it.

  Raises:
    ValueError: if ``num_nodes < 1`` or ``sample_size < 1``.
  """
  if num_nodes < 1:
    raise ValueError(f"num_nodes must be >= 1, got {num_nodes}")
  if sample_size is not None and sample_size < 1:
    raise ValueError(f"sample_size must be >= 1 or None, got {sample_size}")
  if sample_size is None or sample_size >= num_nodes:
    return np.ones(num_nodes)
  starts = num_nodes - sample_size + 1
  i = np.arange(num_nodes)
  hits = np.minimum(i, num_nodes - sample_size) - np.maximum(0, i - sample_size + 1) + 1
  return hits / starts


def ppr_view(graph, *, alpha: float = 0.2, epsilon: Optional[object] = None,
             minmax: bool = False) -> jax.Array:
  """MVGRL's dense PPR diffusion over the node slots of a (padded) graph. Jittable.

  ``S = α (I − (1 − α) D^-1/2 (A + I) D^-1/2)^-1`` over the present nodes and edges (edge weights
  included), as MVGRL's ``compute_ppr`` and :func:`jgssl.augment.ppr_matrix`; rows and columns of
  absent nodes (padding) are 0. Dense ``O(N²)`` memory and an ``O(N³)`` solve.

  Args:
    graph: a graph in the jgssl convention.
    alpha: PPR teleport probability (0.2).
    epsilon: keep entries ``>= epsilon``; ``'auto'`` applies MVGRL's CiteSeer rule (the value of
      :data:`jgssl.augment.MVGRL_EPSILONS` whose kept entries per node best match the mean
      degree, as :func:`jgssl.augment.select_epsilon`); ``None`` keeps the dense matrix (Cora,
      PubMed).
    minmax: min-max scale every column over the present rows after sparsifying (MVGRL's
      ``MinMaxScaler``, CiteSeer).

  Returns:
    float32 ``[N, N]``; row ``i`` = receiver ``i``.
  """
  present = graph.nodes["mask"]
  num = present.shape[0]
  w = jnp.where(graph_lib.edge_mask(graph), graph.edges["weight"], 0.0).astype(jnp.float32)
  adj = jnp.zeros((num, num), jnp.float32).at[graph.receivers, graph.senders].add(w)
  t = adj + jnp.diag(present.astype(jnp.float32))
  deg = t.sum(axis=1)
  inv_sqrt = jnp.where(deg > 0, jax.lax.rsqrt(jnp.maximum(deg, 1e-12)), 0.0)
  norm = inv_sqrt[:, None] * t * inv_sqrt[None, :]
  eye = jnp.eye(num, dtype=jnp.float32)
  ppr = alpha * jnp.linalg.solve(eye - (1.0 - alpha) * norm, eye)
  both = present[:, None] & present[None, :]
  ppr = jnp.where(both, ppr, 0.0)
  n = jnp.maximum(jnp.sum(present), 1).astype(jnp.float32)
  if epsilon is not None:
    if epsilon == "auto":
      eps = jnp.asarray(augment.MVGRL_EPSILONS, jnp.float32)
      kept = jax.vmap(lambda e: jnp.sum(both & (ppr >= e)))(eps).astype(jnp.float32) / n
      eps = eps[jnp.argmin(jnp.abs(jnp.sum(adj) / n - kept))]
    else:
      eps = jnp.asarray(float(epsilon), jnp.float32)
    ppr = jnp.where(ppr >= eps, ppr, 0.0)
  if minmax:
    lo = jnp.min(jnp.where(present[:, None], ppr, jnp.inf), axis=0)
    hi = jnp.max(jnp.where(present[:, None], ppr, -jnp.inf), axis=0)
    scale = jnp.where(hi > lo, hi - lo, 1.0)
    ppr = jnp.where(both, (ppr - lo) / scale, 0.0)
  return ppr


class _MVGRLNet(nn.Module):
  hidden: int
  discriminator_init: str = "glorot"

  def setup(self):
    self.lin_a = models.Linear(features=self.hidden, use_bias=False, weight_init="glorot")
    self.lin_b = models.Linear(features=self.hidden, use_bias=False, weight_init="glorot")
    self.bias_a = self.param("bias_a", nn.initializers.zeros, (self.hidden,), jnp.float32)
    self.bias_b = self.param("bias_b", nn.initializers.zeros, (self.hidden,), jnp.float32)
    self.act_a = models.PReLU()
    self.act_b = models.PReLU()
    self.discriminator = models.Bilinear(weight_init=self.discriminator_init)

  def _propagate(self, z_a, z_b, prop_a, prop_b):
    return (self.act_a(prop_a(z_a) + self.bias_a), self.act_b(prop_b(z_b) + self.bias_b))

  def encode(self, x, prop_a, prop_b):
    """``(h_a, h_b)`` with ``prop_*`` the (linear, parameter-free) propagation of each view."""
    return self._propagate(self.lin_a(x), self.lin_b(x), prop_a, prop_b)

  def __call__(self, x, perm, prop_a, prop_b, mask):
    """Positive and negative logits ``[2, n]`` each, for one (sub)graph.

    The negatives encode the row-shuffled features ``x[perm]``. The feature maps have no bias, so
    ``x[perm] W = (x W)[perm]``: the shuffle is applied after them, and the ``n × F`` feature
    products (most of the step's FLOPs on bag-of-words features) are computed once, not twice.
    """
    z_a, z_b = self.lin_a(x), self.lin_b(x)
    h1, h2 = self._propagate(z_a, z_b, prop_a, prop_b)
    h3, h4 = self._propagate(z_a[perm], z_b[perm], prop_a, prop_b)
    count = jnp.maximum(jnp.sum(mask), 1).astype(h1.dtype)
    summary = lambda h: jax.nn.sigmoid(jnp.sum(jnp.where(mask[:, None], h, 0.0), 0) / count)
    c1, c2 = summary(h1), summary(h2)
    d = self.discriminator
    return jnp.stack([d(h2, c1), d(h1, c2)]), jnp.stack([d(h4, c1), d(h3, c2)])


@dataclasses.dataclass(frozen=True, kw_only=True)
class MVGRL(base.Method):
  """MVGRL (node level) hyperparameters; defaults are the official Cora run.

  Attributes:
    hidden: encoder width (512).
    alpha: PPR teleport probability (0.2).
    epsilon: diffusion sparsification threshold, ``'auto'`` (CiteSeer) or ``None`` (dense).
    minmax: min-max scale the diffusion columns (CiteSeer).
    sample_size: nodes per window (2000); ``None`` trains on the full graph.
    batch_size: windows per step (4).
    patience: early-stopping patience on the training loss (20); 0 disables it.
    self_loop_weight: ``w`` in the adjacency view ``D^-1/2 (A + w I) D^-1/2`` (1, the GCN
      normalisation, as DGL's port). The official ``node/dataset.py`` computes
      ``normalize_adj(adj + I)`` with a ``normalize_adj`` that adds ``I`` again, so the paper's
      runs used ``w = 2``. The diffusion view is unaffected (its ``compute_ppr`` adds ``I`` once).
    discriminator_init: the bilinear discriminator's weight init: ``'torch'``, the official
      ``weights_init`` (:class:`jgssl.models.Bilinear`), or ``'glorot'``.
  """
  hidden: int = 512
  alpha: float = 0.2
  epsilon: Optional[object] = None
  minmax: bool = False
  sample_size: Optional[int] = 2000
  batch_size: int = 4
  patience: int = 20
  self_loop_weight: float = 1.0
  discriminator_init: str = "torch"

  def __post_init__(self):
    if self.discriminator_init not in models.BILINEAR_INITS:
      raise ValueError(f"MVGRL.discriminator_init must be one of {models.BILINEAR_INITS}, got "
                       f"{self.discriminator_init!r}")
    if self.hidden < 1 or self.batch_size < 1 or self.patience < 0:
      raise ValueError(f"MVGRL needs hidden >= 1, batch_size >= 1 and patience >= 0; got "
                       f"{self.hidden}, {self.batch_size}, {self.patience}")
    if self.sample_size is not None and self.sample_size < 2:
      raise ValueError(f"MVGRL.sample_size must be >= 2 or None, got {self.sample_size}")
    if not self.self_loop_weight >= 0.0:
      raise ValueError(f"MVGRL.self_loop_weight must be >= 0, got {self.self_loop_weight}")
    if not 0.0 < self.alpha <= 1.0:
      raise ValueError(f"MVGRL.alpha must lie in (0, 1], got {self.alpha}")
    if self.epsilon is not None and self.epsilon != "auto" and not float(self.epsilon) > 0:
      raise ValueError(f"MVGRL.epsilon must be > 0, 'auto' or None, got {self.epsilon!r}")

  def _net(self):
    return _MVGRLNet(hidden=self.hidden, discriminator_init=self.discriminator_init)

  def init(self, key, graph):
    ppr = ppr_view(graph, alpha=self.alpha, epsilon=self.epsilon, minmax=self.minmax)
    x = jnp.asarray(graph.nodes["x"])
    ident = lambda z: z
    perm = jnp.arange(x.shape[0])
    params = self._net().init(key, x, perm, ident, ident, graph.nodes["mask"])["params"]
    out = {"params": params, "diffusion": {"ppr": ppr}}
    if self.patience:
      out.update(early_stopping_state(params))
    return out

  def _window_prop_a(self, graph, start, size):
    """``z -> Â[o:o+s, o:o+s] z`` with the full-graph GCN normalisation (sparse)."""
    edge_w, self_w = graph_lib.symmetric_norm_weights(graph,
                                                      self_loop_weight=self.self_loop_weight)
    s_loc, r_loc = graph.senders - start, graph.receivers - start
    inside = (s_loc >= 0) & (s_loc < size) & (r_loc >= 0) & (r_loc < size)
    w = jnp.where(inside, edge_w, 0.0)
    s_loc, r_loc = jnp.clip(s_loc, 0, size - 1), jnp.clip(r_loc, 0, size - 1)
    sw = jax.lax.dynamic_slice_in_dim(self_w, start, size)

    def prop(z):
      msg = z[s_loc] * w[:, None]
      return jax.ops.segment_sum(msg, r_loc, num_segments=size) + sw[:, None] * z
    return prop

  def _loss(self, params, ppr, key, graph):
    slots = ppr.shape[0]
    size = slots if self.sample_size is None else min(self.sample_size, slots)
    k_off, k_perm = jax.random.split(key)
    batch = 1 if self.sample_size is None else self.batch_size
    starts = _window_starts(k_off, graph_lib.num_real_nodes(graph), size=size, batch=batch)
    perm = jax.random.permutation(k_perm, size)
    x_all = jnp.asarray(graph.nodes["x"])
    mask_all = graph.nodes["mask"]
    net = self._net()

    def window(start):
      x = jax.lax.dynamic_slice_in_dim(x_all, start, size)
      mask = jax.lax.dynamic_slice_in_dim(mask_all, start, size)
      block = jax.lax.dynamic_slice(ppr, (start, start), (size, size))
      prop_a = self._window_prop_a(graph, start, size)
      pos, neg = net.apply({"params": params}, x, perm, prop_a, lambda z: block @ z, mask)
      return pos, neg, mask

    pos, neg, mask = jax.vmap(window)(starts)                 # [B, 2, s], [B, s]
    where = jnp.broadcast_to(mask[:, None, :], pos.shape)
    return losses.dgi_bce_loss(pos, neg, pos_where=where, neg_where=where)

  def loss(self, variables, key, graph):
    ppr = variables["diffusion"]["ppr"]
    if not self.patience:
      return self._loss(variables["params"], ppr, key, graph), {}
    return early_stopping_loss(lambda p: self._loss(p, ppr, key, graph), variables,
                               patience=self.patience)

  def embed(self, variables, graph):
    """``h_a + h_b`` on the full graph, ``[N, hidden]`` (zero rows past the real nodes)."""
    params = variables["early_stop"]["params"] if self.patience else variables["params"]
    ppr = variables["diffusion"]["ppr"]
    x = jnp.asarray(graph.nodes["x"])
    prop_a = self._window_prop_a(graph, 0, x.shape[0])
    h_a, h_b = self._net().apply({"params": params}, x, prop_a, lambda z: ppr @ z,
                                 method=_MVGRLNet.encode)
    return jnp.where(graph.nodes["mask"][:, None], h_a + h_b, 0.0)

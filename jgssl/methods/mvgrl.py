"""MVGRL, node level: contrastive multi-view learning on graphs (Hassani & Khasahmadi, ICML 2020).

Official code kavehhassani/mvgrl ``node/train.py`` (REFERENCES.md §3.4). Two structural views of
one graph: ``a`` = the GCN-normalised adjacency ``Â = D^-1/2 (A + I) D^-1/2`` and ``b`` = the
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

The diffusion is computed once by :meth:`MVGRL.init` on the host (dense ``O(n²)`` memory, a dense
``n × n`` solve) and kept in the non-trained ``'diffusion'`` collection (``'ppr' [n, n]`` over the
``n`` real nodes, float32), so ``init`` needs a concrete (non-traced) graph, and ``loss`` /
``embed`` must get the graph ``init`` saw. View ``a`` uses the graph's edges (sparse).
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

__all__ = ["MVGRL", "ppr_view"]


def ppr_view(graph, *, alpha: float = 0.2, epsilon: Optional[float] = None,
             minmax: bool = False) -> np.ndarray:
  """MVGRL's dense diffusion matrix of the real nodes of a (padded) graph, on the host.

  Args:
    graph: a concrete graph in the jgssl convention (present edges only are used).
    alpha: PPR teleport probability (0.2).
    epsilon: keep entries ``>= epsilon`` (``'auto'``: MVGRL's CiteSeer rule over
      :data:`jgssl.augment.MVGRL_EPSILONS`); ``None`` keeps the dense matrix (Cora, PubMed).
    minmax: min-max scale every column after sparsifying (MVGRL's ``MinMaxScaler``, CiteSeer).

  Returns:
    float32 ``[n, n]``, ``n`` = number of real nodes; row ``i`` = receiver ``i``.
  """
  g = jax.device_get(graph)
  n = int(np.asarray(graph_lib.num_real_nodes(g)))
  present = np.asarray(graph_lib.edge_mask(g))
  s, r = np.asarray(g.senders)[present], np.asarray(g.receivers)[present]
  adj = np.zeros((n, n))
  np.add.at(adj, (r, s), np.asarray(g.edges["weight"])[present])
  ppr = augment.ppr_matrix(adj, alpha=alpha)
  if epsilon is not None:
    eps = augment.select_epsilon(ppr, adj) if epsilon == "auto" else float(epsilon)
    ppr = np.where(augment.sparsify(ppr, epsilon=eps), ppr, 0.0)
  if minmax:
    lo, hi = ppr.min(axis=0), ppr.max(axis=0)
    ppr = (ppr - lo) / np.where(hi > lo, hi - lo, 1.0)
  return ppr.astype(np.float32)


class _MVGRLNet(nn.Module):
  hidden: int

  def setup(self):
    self.lin_a = models.Linear(features=self.hidden, use_bias=False, weight_init="glorot")
    self.lin_b = models.Linear(features=self.hidden, use_bias=False, weight_init="glorot")
    self.bias_a = self.param("bias_a", nn.initializers.zeros, (self.hidden,), jnp.float32)
    self.bias_b = self.param("bias_b", nn.initializers.zeros, (self.hidden,), jnp.float32)
    self.act_a = models.PReLU()
    self.act_b = models.PReLU()
    self.discriminator = models.Bilinear()

  def encode(self, x, prop_a, prop_b):
    """``(h_a, h_b)`` with ``prop_*`` the (linear, parameter-free) propagation of each view."""
    return (self.act_a(prop_a(self.lin_a(x)) + self.bias_a),
            self.act_b(prop_b(self.lin_b(x)) + self.bias_b))

  def __call__(self, x, x_shuffled, prop_a, prop_b, mask):
    """Positive and negative logits ``[2, n]`` each, for one (sub)graph."""
    h1, h2 = self.encode(x, prop_a, prop_b)
    h3, h4 = self.encode(x_shuffled, prop_a, prop_b)
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
  """
  hidden: int = 512
  alpha: float = 0.2
  epsilon: Optional[object] = None
  minmax: bool = False
  sample_size: Optional[int] = 2000
  batch_size: int = 4
  patience: int = 20

  def __post_init__(self):
    if self.hidden < 1 or self.batch_size < 1 or self.patience < 0:
      raise ValueError(f"MVGRL needs hidden >= 1, batch_size >= 1 and patience >= 0; got "
                       f"{self.hidden}, {self.batch_size}, {self.patience}")
    if self.sample_size is not None and self.sample_size < 2:
      raise ValueError(f"MVGRL.sample_size must be >= 2 or None, got {self.sample_size}")
    if not 0.0 < self.alpha <= 1.0:
      raise ValueError(f"MVGRL.alpha must lie in (0, 1], got {self.alpha}")
    if self.epsilon is not None and self.epsilon != "auto" and not float(self.epsilon) > 0:
      raise ValueError(f"MVGRL.epsilon must be > 0, 'auto' or None, got {self.epsilon!r}")

  def _net(self):
    return _MVGRLNet(hidden=self.hidden)

  def init(self, key, graph):
    ppr = jnp.asarray(ppr_view(graph, alpha=self.alpha, epsilon=self.epsilon,
                               minmax=self.minmax))
    n = ppr.shape[0]
    x = jnp.asarray(graph.nodes["x"])[:n]
    ident = lambda z: z
    params = self._net().init(key, x, x, ident, ident, jnp.ones(n, bool))["params"]
    out = {"params": params, "diffusion": {"ppr": ppr}}
    if self.patience:
      out.update(early_stopping_state(params))
    return out

  @staticmethod
  def _window_prop_a(graph, start, size):
    """``z -> Â[o:o+s, o:o+s] z`` with the full-graph GCN normalisation (sparse)."""
    edge_w, self_w = graph_lib.symmetric_norm_weights(graph)
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
    n = ppr.shape[0]
    size = n if self.sample_size is None else min(self.sample_size, n)
    k_off, k_perm = jax.random.split(key)
    batch = 1 if self.sample_size is None else self.batch_size
    starts = jax.random.randint(k_off, (batch,), 0, n - size + 1)
    perm = jax.random.permutation(k_perm, size)
    x_all = jnp.asarray(graph.nodes["x"])
    mask_all = graph.nodes["mask"]
    net = self._net()

    def window(start):
      x = jax.lax.dynamic_slice_in_dim(x_all, start, size)
      mask = jax.lax.dynamic_slice_in_dim(mask_all, start, size)
      block = jax.lax.dynamic_slice(ppr, (start, start), (size, size))
      prop_a = self._window_prop_a(graph, start, size)
      pos, neg = net.apply({"params": params}, x, x[perm], prop_a, lambda z: block @ z, mask)
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
    n = ppr.shape[0]
    x = jnp.asarray(graph.nodes["x"])[:n]
    prop_a = self._window_prop_a(graph, 0, n)
    h_a, h_b = self._net().apply({"params": params}, x, prop_a, lambda z: ppr @ z,
                                 method=_MVGRLNet.encode)
    h = jnp.where(graph.nodes["mask"][:n, None], h_a + h_b, 0.0)
    return jnp.zeros((graph.nodes["x"].shape[0], self.hidden), h.dtype).at[:n].set(h)

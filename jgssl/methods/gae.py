"""GAE and VGAE: graph (variational) auto-encoders (Kipf & Welling, NIPS BDL workshop 2016).

Official code: tkipf/gae (TensorFlow 1; REFERENCES.md §3.11). A two-layer GCN encodes the nodes
on the *training* graph (train edges of a :func:`jgssl.evaluate.split_edges` split, the
``LinkPred-GAE`` protocol); the inner-product decoder scores all ``n²`` pairs of present nodes
and the loss is the official dense weighted BCE against ``A_train + I``
(:func:`jgssl.losses.gae_dense_loss`). VGAE's encoder has two second-layer heads (``mu`` and
``log sigma``, sharing the first layer), samples ``z = mu + eps * sigma`` in training and adds
the official KL term (:func:`jgssl.losses.vgae_kl_loss`). ``embed`` returns ``Z`` (GAE) or
``mu`` (VGAE). ``O(N²)`` memory: for Cora-sized graphs (the paper's setting), not ogbn-arxiv.
"""

from __future__ import annotations

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import graph as graph_lib
from jgssl import losses, models
from jgssl.methods.base import Method

__all__ = ["GAE", "GAEEncoder", "dense_target"]


class GAEEncoder(nn.Module, kw_only=True):
  """Bias-free GCN ``hidden`` (ReLU) then linear GCN heads (tkipf/gae ``GraphConvolution``): ``z`` (GAE) or ``(mu, log_std)`` (VGAE).

  ``__call__(graph, *, training)`` returns ``(mu [N, latent], log_std [N, latent] | None)``.
  """
  hidden: int
  latent: int
  variational: bool
  dropout: float

  @nn.compact
  def __call__(self, graph, *, training: bool = False):
    h = models.GCN(features=(self.hidden,), activation="relu", dropout=self.dropout,
                   use_bias=False, name="hidden")(graph, training=training)
    g = graph_lib.with_node_features(graph, h)
    head = dict(features=(self.latent,), last_activation=False, dropout=self.dropout,
                use_bias=False)
    mu = models.GCN(name="mu", **head)(g, training=training)
    log_std = None
    if self.variational:
      log_std = models.GCN(name="log_std", **head)(g, training=training)
    return mu, log_std


def dense_target(graph) -> jax.Array:
  """float32 ``[N, N]``: GAE's target ``A + I`` over present edges and present nodes. Jittable."""
  n = graph.nodes["mask"].shape[0]
  present = graph_lib.edge_mask(graph).astype(jnp.float32)
  adj = jnp.zeros((n, n), jnp.float32).at[graph.senders, graph.receivers].max(present)
  return jnp.maximum(adj, jnp.diag(graph.nodes["mask"].astype(jnp.float32)))


@dataclasses.dataclass(frozen=True, kw_only=True)
class GAE(Method):
  """GAE (``variational=False``) or VGAE (``variational=True``).

  Attributes:
    hidden: first GCN layer width (32).
    latent: embedding width (16).
    variational: VGAE.
    dropout: dropout on each GCN layer's input (tkipf/gae default 0).
  """
  hidden: int = 32
  latent: int = 16
  variational: bool = False
  dropout: float = 0.0

  def __post_init__(self):
    if self.hidden < 1 or self.latent < 1:
      raise ValueError(f"hidden and latent must be >= 1, got {self.hidden}, {self.latent}")
    if not 0.0 <= self.dropout < 1.0:
      raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")

  @property
  def module(self) -> GAEEncoder:
    return GAEEncoder(hidden=self.hidden, latent=self.latent, variational=self.variational,
                      dropout=self.dropout)

  def init(self, key, graph):
    return dict(jax.jit(self.module.init)(key, graph))

  def loss(self, variables, key, graph):
    k_drop, k_eps = jax.random.split(key)
    mu, log_std = self.module.apply(variables, graph, training=True, rngs={"dropout": k_drop})
    present = graph.nodes["mask"]
    z = mu
    if self.variational:
      z = mu + jax.random.normal(k_eps, mu.shape, mu.dtype) * jnp.exp(log_std)
    recon = losses.gae_dense_loss(models.dense_inner_product_logits(z), dense_target(graph),
                                  where=present)
    aux = {"recon": recon}
    loss = recon
    if self.variational:
      kl = losses.vgae_kl_loss(mu, log_std, where=present)
      aux["kl"] = kl
      loss = recon + kl
    return loss, aux

  def embed(self, variables, graph):
    return self.module.apply(variables, graph, training=False)[0]

"""Deep Graph Infomax (Veličković et al., ICLR 2019; official code PetarV-/DGI).

Recipe (REFERENCES.md §3.1): ``H = E(X, A)`` with a 1-layer GCN (512, PReLU); negatives
``H~ = E(X[perm], A)`` encode the row-shuffled features on the unchanged graph
(:func:`jgssl.augment.shuffle_features`); the summary ``s = sigmoid(mean_i h_i)`` (per graph,
present nodes only); a bilinear discriminator ``D(h, s) = h W s + b`` scores real rows (label 1)
and corrupted rows (label 0) with :func:`jgssl.losses.dgi_bce_loss`. Embeddings are ``H`` on the
clean graph.

Early stopping as the official ``execute.py``: with ``patience > 0`` the method keeps, in the
``'early_stop'`` collection, the parameters with the lowest training loss seen so far, the loss and
a counter of steps without improvement; after ``patience`` such steps it stops training (the
loss is 0 and nothing is computed any more, ``aux['stopped'] = 1``) and :meth:`DGI.embed` uses
the best-loss parameters — the official "restore best_dgi.pkl". Padding and dropped nodes are
left out of the summary and the loss.
"""

from __future__ import annotations

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment, losses, models
from jgssl import graph as graph_lib
from jgssl.methods import base

__all__ = ["DGI", "early_stopping_loss", "early_stopping_state"]


def early_stopping_state(params):
  """The ``'early_stop'`` collection: best parameters, best loss (inf) and the wait counter."""
  return {"early_stop": {"params": params, "best_loss": jnp.asarray(jnp.inf, jnp.float32),
                         "wait": jnp.zeros((), jnp.int32)}}


def early_stopping_loss(loss_fn, variables, *, patience: int):
  """DGI / MVGRL early stopping on the training loss, inside the jitted step.

  The official loops compare the loss of step ``t`` (computed with the parameters before that
  step's update) with the best so far; on improvement they save those parameters and reset the
  counter, otherwise count; after ``patience`` steps without improvement they stop and restore
  the saved parameters. Here the same bookkeeping lives in ``variables['early_stop']``; once
  stopped, ``loss_fn`` is no longer evaluated (``lax.cond``) and the loss is 0 with zero
  gradient, so further steps change nothing that :meth:`embed` reads.

  Args:
    loss_fn: ``params -> scalar loss``.
    variables: with ``'params'`` and the collection of :func:`early_stopping_state`.
    patience: steps without improvement before stopping (>= 1).

  Returns:
    ``(loss, aux)`` with aux scalars ``'stopped'`` (1.0 once stopped), ``'best_loss'`` and
    ``aux['updates']['early_stop']``.
  """
  params, es = variables["params"], variables["early_stop"]
  stopped = es["wait"] >= patience
  value = jax.lax.cond(stopped, lambda p: jnp.zeros((), jnp.float32),
                       lambda p: jnp.asarray(loss_fn(p), jnp.float32), params)
  improved = ~stopped & (value < es["best_loss"])
  keep = lambda new, old: jnp.where(improved, new, old)
  new_es = {
      "params": jax.tree_util.tree_map(keep, jax.lax.stop_gradient(params), es["params"]),
      "best_loss": keep(jax.lax.stop_gradient(value), es["best_loss"]),
      "wait": jnp.where(improved, 0, es["wait"] + jnp.where(stopped, 0, 1)).astype(jnp.int32),
  }
  return value, {"stopped": stopped.astype(jnp.float32), "best_loss": new_es["best_loss"],
                 "updates": {"early_stop": new_es}}


class _DGINet(nn.Module):
  hidden: int
  activation: str
  discriminator_init: str = "glorot"

  def setup(self):
    self.encoder = models.GCN(features=(self.hidden,), activation=self.activation)
    self.discriminator = models.Bilinear(weight_init=self.discriminator_init)

  def embed(self, graph):
    return self.encoder(graph)

  def __call__(self, graph, corrupted):
    """Real and corrupted logits ``[N]`` (each row against its own graph's summary)."""
    h = self.encoder(graph)
    h_neg = self.encoder(corrupted)
    s = jax.nn.sigmoid(models.mean_readout(h, graph))                   # [G, D]
    gid = graph_lib.node_graph_index(graph)                             # [N]
    # Summary-side product: one [G, D] x [D, D] map instead of two [N, D] x [D, D] ones.
    return (self.discriminator(h, s, segment_ids=gid),
            self.discriminator(h_neg, s, segment_ids=gid))


@dataclasses.dataclass(frozen=True, kw_only=True)
class DGI(base.Method):
  """DGI hyperparameters (official Cora values as defaults).

  Attributes:
    hidden: GCN width (512).
    activation: encoder activation (``'prelu'``).
    patience: early-stopping patience on the training loss (20, as ``execute.py``); 0 disables
      it (then :meth:`embed` uses the current parameters).
    discriminator_init: the bilinear discriminator's weight init: ``'torch'``, the official
      ``weights_init`` (:class:`jgssl.models.Bilinear`; CiteSeer gains 1.42 points over
      ``'glorot'`` on 10 paired seeds), or ``'glorot'``.
  """
  hidden: int = 512
  activation: str = "prelu"
  patience: int = 20
  discriminator_init: str = "torch"

  def __post_init__(self):
    if self.discriminator_init not in models.BILINEAR_INITS:
      raise ValueError(f"DGI.discriminator_init must be one of {models.BILINEAR_INITS}, got "
                       f"{self.discriminator_init!r}")
    if self.hidden < 1:
      raise ValueError(f"hidden must be >= 1, got {self.hidden}")
    if self.patience < 0:
      raise ValueError(f"patience must be >= 0, got {self.patience}")

  def _net(self):
    return _DGINet(hidden=self.hidden, activation=self.activation,
                   discriminator_init=self.discriminator_init)

  def init(self, key, graph):
    params = self._net().init(key, graph, graph)["params"]
    return {"params": params, **(early_stopping_state(params) if self.patience else {})}

  def _loss(self, params, key, graph):
    logits, logits_neg = self._net().apply({"params": params}, graph,
                                           augment.shuffle_features(key, graph))
    mask = graph.nodes["mask"]
    return losses.dgi_bce_loss(logits, logits_neg, pos_where=mask, neg_where=mask)

  def loss(self, variables, key, graph):
    if not self.patience:
      return self._loss(variables["params"], key, graph), {}
    return early_stopping_loss(lambda p: self._loss(p, key, graph), variables,
                               patience=self.patience)

  def embed(self, variables, graph):
    params = variables["early_stop"]["params"] if self.patience else variables["params"]
    return self._net().apply({"params": params}, graph, method=_DGINet.embed)

"""CSGCL: community-strength-enhanced graph contrastive learning (Chen et al., IJCAI 2023).

Official code HanChen-HUST/CSGCL (``train.py``, ``src/functional.py``, ``src/model.py``,
``param/*.json``), built on GCA. CSGCL is GRACE (:func:`jgssl.methods.grace`: GCN encoder,
fc–ELU–fc projection, InfoNCE with intra-view negatives, evaluation on the encoder output) with
community strength in all three parts:

* **communities** — Leiden on the undirected graph, once before training, and the strength of
  each community ``cs_c = inc_c / |E| − (deg_c / (2|E|))²``, given to its nodes
  (:func:`jgssl.augment.leiden_communities`, :func:`jgssl.augment.community_strength`);
* **views** — CED, then CAV (``train.py``): edges dropped with probabilities that spare the edges
  of strong communities (:func:`jgssl.augment.community_edge_weights`,
  :func:`jgssl.augment.community_edge_drop_probs`), feature columns masked with probabilities that
  spare the columns strong communities carry (:func:`jgssl.augment.community_feature_weights`);
* **team-up objective** — InfoNCE whose scores add the strengths of both rows,
  ``(cos(u_i, v_j) + γ(t)·(cs_i + cs_j)) / τ`` on every pair (positive, intra- and inter-view
  negatives; ``CSGCL._team_up``), with ``γ(t)`` zero until epoch ``t0`` and then growing by
  ``1/100`` per epoch up to ``γ_max`` (:class:`TeamUpInfoNCE`).

The communities and the weights depend on the training graph only: they are the skeleton's side
input, ``prepare(graph) -> {'communities', 'node_strength', 'edge_weights', 'feature_weights'}``
(:func:`community_side`), computed once outside the train state (the engine jits ``prepare``
once; Leiden runs on the host through a callback) and never checkpointed. The objective reads the
node strengths from it and the step count from the train state (``needs_step``), so a resumed
run continues the γ ramp. Node level, full graph, one step per epoch; ``chunk_size`` gives the
exact memory-bounded form (the official code batches Coauthor-CS's loss in 1024 anchor rows) and
anchor-row sharding works as GRACE's.

Not in the method (experiment settings of ``param/*.json`` and ``train.py``): Adam with
``learning_rate`` and ``weight_decay`` 1e-5 (PyTorch's coupled L2), ``num_epochs``, the
evaluation (logistic regression on a random 10/10/80 split, 20 public splits for WikiCS).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Optional, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jgssl import augment
from jgssl.methods import fields
from jgssl.methods.gca import _AdaptiveEdges, _AdaptiveFeatures
from jgssl.methods.grace import grace_modules
from jgssl.methods.two_view import InfoNCE, TwoViewContrast

__all__ = ["TeamUpInfoNCE", "community_side", "csgcl"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TeamUpInfoNCE(InfoNCE):
  """CSGCL's team-up InfoNCE: :class:`InfoNCE` with the scores raised by community strength.

  For rows ``i, j`` (of either view) with node strengths ``cs`` (the side input's
  ``'node_strength'``) the score is ``(cos(u_i, v_j) + γ(t)·(cs_i + cs_j)) / τ`` on every pair
  that InfoNCE scores — the positive ``(i, i)`` gets ``2γ cs_i`` — (HanChen-HUST/CSGCL
  ``src/model.py``, ``CSGCL._team_up`` / ``_batched_team_up``). The anchor's own ``γ cs_i / τ``
  shifts its positive and its whole denominator alike and cancels, so the loss is InfoNCE with
  the additive key bias ``γ(t)·cs_j / τ`` (:func:`jgssl.losses.info_nce` ``key_bias``): keys in
  strong communities weigh more, as positives and as negatives. At ``γ = 0`` it is
  :class:`InfoNCE`.

  The weight ``γ(t) = clip((epoch − t0) / ramp, 0, gamma_max)`` with ``epoch = step + 1`` (the
  official ``min(max(0, (current_ep − t0) / 100), gamma_max)``, epochs counted from 1): zero up
  to epoch ``t0``, then linear, reaching ``gamma_max`` at epoch ``t0 + ramp · gamma_max``.

  Called as ``objective(u, v, *, where, side, step, row_axis=None)`` (``needs_side``,
  ``needs_step``; :class:`jgssl.methods.TwoViewContrast` passes them): ``u, v`` float ``[N, d]``,
  ``where`` bool ``[N]``, ``side['node_strength']`` float ``[N]``, ``step`` the int32 optimizer
  steps taken. Returns ``(masked mean over where, {'pos_cos', 'gamma'})``; padding rows are
  nobody's positive or negative and their strengths are ignored.

  Attributes:
    temperature: τ > 0 (``tau``).
    gamma_max: cap of γ (``gamma`` in ``param/*.json``), >= 0; 0 gives plain InfoNCE.
    t0: the last epoch with γ = 0 (``t0``), >= 0.
    ramp: epochs per unit of γ (100 in the official code), > 0.

  Defaults ``gamma_max = 1``, ``t0 = 0``: those of the official ``team_up_loss``.
    intra_view, positive_in_denominator, symmetric, chunk_size: as :class:`InfoNCE` (CSGCL uses
      the defaults).
  """
  gamma_max: float = fields.hyper(1.0, fields.NON_NEGATIVE)
  t0: float = fields.hyper(0, fields.NON_NEGATIVE)
  ramp: float = fields.hyper(100.0, fields.POSITIVE)

  needs_side = True
  needs_step = True

  def gamma(self, step) -> jax.Array:
    """float32 γ at the optimizer step ``step`` (0-based; epoch ``step + 1``). Jittable."""
    epoch = jnp.asarray(step, jnp.float32) + 1.0
    return jnp.clip((epoch - self.t0) / self.ramp, 0.0, self.gamma_max)

  def __call__(self, u, v, *, where, side, step, row_axis: Optional[str] = None):
    gamma = self.gamma(step)
    strength = jnp.asarray(side["node_strength"], jnp.float32)
    loss, aux = self._contrast(u, v, where=where, row_axis=row_axis,
                               key_bias=gamma * strength / self.temperature)
    return loss, {**aux, "gamma": gamma}


def community_side(graph, *, seed: int = 0, n_iterations: int = 2):
  """CSGCL's side input for ``graph``: communities, strengths and the CED / CAV weights.

  ``{'communities': int32 [N]`` (Leiden, ``−1`` on padding), ``'node_strength': float32 [N]``,
  ``'edge_weights': float32 [E]`` (CED), ``'feature_weights': float32 [F]`` (CAV) ``}`` — what
  ``train.py`` computes before training (``community_detection``, ``community_strength``,
  ``get_edge_weight``; CAV's column weights, which ``cav`` recomputes every epoch from the same
  inputs). Jittable (Leiden through :func:`jax.pure_callback`).

  Args:
    graph: the padded training graph (undirected, both directions stored).
    seed: Leiden's seed (:func:`jgssl.augment.leiden_communities`).
    n_iterations: Leiden's iterations (2, cdlib's default).
  """
  communities = augment.leiden_communities(graph, seed=seed, n_iterations=n_iterations)
  _, node_strength = augment.community_strength(graph, communities)
  return {"communities": communities, "node_strength": node_strength,
          "edge_weights": augment.community_edge_weights(graph, communities, node_strength),
          "feature_weights": augment.community_feature_weights(graph, node_strength)}


def csgcl(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (512, 256),
          activation: str = "relu", hidden_features: int = 64,
          out_features: Optional[int] = None, drop_edge_rate=(0.5, 0.7),
          drop_feature_rate=(0.1, 0.1), temperature: float = 0.3, gamma_max: float = 1.0,
          t0: float = 2000, ramp: float = 100.0, edge_threshold: float = 1.0,
          feature_threshold: float = 1.0, leiden_seed: int = 0,
          chunk_size: Optional[int] = None) -> TwoViewContrast:
  """CSGCL (module docstring). Defaults: HanChen-HUST/CSGCL ``param/amazon_photo.json`` and
  ``train.py`` (whose own default run is WikiCS, ``param/wikics.json``).

  Args:
    encoder: the encoder module; ``None`` builds CSGCL's ``GCN(features, activation)`` (GCA's
      ``Encoder``, two ``GCNConv`` layers).
    features: GCN layer widths (``num_hidden`` 256, first layer twice as wide).
    activation: encoder activation (``relu`` for Photo; ``prelu`` for Computers and WikiCS,
      ``rrelu`` for Coauthor-CS).
    hidden_features: the head's hidden width (``num_proj_hidden``).
    out_features: the head's output width (``None``: ``features[-1]``, as the official ``fc2``).
    drop_edge_rate: CED's mean drop rates of view 1 and view 2 (``ced_drop_rate_1`` / ``_2``).
    drop_feature_rate: CAV's mean drop rates (``cav_drop_rate_1`` / ``_2``).
    temperature: τ (``tau``).
    gamma_max: the team-up weight's cap (``gamma``).
    t0: the last epoch without team-up (``t0``).
    ramp: epochs per unit of γ (100 in ``src/model.py``).
    edge_threshold: CED's cap on the drop probabilities (``--ced_thr``, 1 in ``train.py``).
    feature_threshold: CAV's cap (``--cav_thr``, 1 in ``train.py``).
    leiden_seed: the seed of the Leiden run in ``prepare`` (the official run is unseeded).
    chunk_size: tile size of the exact memory-bounded loss (``None``: dense; the official code
      uses 1024-row batches for Coauthor-CS).

  Returns:
    A node-level :class:`jgssl.methods.TwoViewContrast` with ``prepare`` (:func:`community_side`),
    the :class:`TeamUpInfoNCE` objective (``needs_step``) and anchor-row sharding.
  """
  encoder, head = grace_modules("csgcl", encoder=encoder, features=features,
                                activation=activation, hidden_features=hidden_features,
                                out_features=out_features)
  h = fields.check_args("csgcl", drop_edge_rate=(drop_edge_rate, fields.RATE_PAIR),
                        drop_feature_rate=(drop_feature_rate, fields.RATE_PAIR),
                        edge_threshold=(edge_threshold, fields.RATE),
                        feature_threshold=(feature_threshold, fields.RATE),
                        leiden_seed=(leiden_seed, fields.predicate(
                            "an int >= 0", lambda v: v >= 0, _int)))
  views = augment.two_views(
      (functools.partial(_AdaptiveEdges, threshold=h["edge_threshold"],
                         drop_probs=augment.community_edge_drop_probs), h["drop_edge_rate"]),
      (functools.partial(_AdaptiveFeatures, threshold=h["feature_threshold"]),
       h["drop_feature_rate"]), side=True)
  objective = TeamUpInfoNCE(temperature=temperature, gamma_max=gamma_max, t0=t0, ramp=ramp,
                            chunk_size=chunk_size)
  return TwoViewContrast(encoder=encoder, head=head, views=views, objective=objective,
                         prepare=functools.partial(community_side, seed=h["leiden_seed"]))


def _int(value) -> int:
  if isinstance(value, bool) or not isinstance(value, int):
    raise TypeError(value)
  return value

"""GCA: graph contrastive learning with adaptive augmentation (Zhu et al., WWW 2021).

Official code CRIPAC-DIG/GCA (``train.py``, ``pGRACE/functional.py``, ``param/*.json``). GCA is
GRACE (:func:`jgssl.methods.grace`: GCN encoder, fc–ELU–fc projection, InfoNCE with intra-view
negatives, evaluation on the encoder output) with *adaptive* views: each edge and each feature
column is dropped with its own probability ``min(w / mean(w) · p, threshold)``, where the
weights ``w`` come from a node centrality (``centrality``: ``'degree'``, ``'pr'`` /
``'pagerank'`` or ``'evc'`` / ``'eigenvector'``) so that less central edges and features are
dropped more (:func:`jgssl.augment.gca_weights`, :func:`jgssl.augment.gca_edge_drop_probs`,
:func:`jgssl.augment.adaptive_drop_edges`, ...).

The centrality weights depend on the training graph only: they are the skeleton's side input,
``prepare(graph) -> {'edge_weights': [E], 'feature_weights': [F]}``, computed once outside the
train state (as ``train.py`` computes them before training) and never checkpointed; each step
draws both views from them (edges, then feature columns, as ``train.py``). Node level, full
graph, one step per epoch; anchor-row sharding works as GRACE's.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Optional, Sequence

import flax.linen as nn

from jgssl import augment
from jgssl.methods import fields
from jgssl.methods.grace import grace_modules
from jgssl.methods.two_view import InfoNCE, TwoViewContrast

__all__ = ["SCHEMES", "centrality_weights", "gca"]

#: GCA's ``drop_scheme`` names (and jgssl's long names) -> :func:`jgssl.augment.gca_weights`'s.
SCHEMES = {"degree": "degree", "pr": "pagerank", "pagerank": "pagerank", "evc": "eigenvector",
           "eigenvector": "eigenvector"}


def centrality_weights(graph, *, centrality: str = "degree", dense_features: bool = False):
  """GCA's side input: ``{'edge_weights': [E], 'feature_weights': [F]}`` of ``graph``.

  :func:`jgssl.augment.gca_weights` for GCA's ``drop_scheme`` ``centrality`` (a key of
  :data:`SCHEMES`); ``dense_features`` uses ``|x|`` instead of occurrences (GCA's
  ``feature_drop_weights_dense``, WikiCS only). Jittable.
  """
  edge_weights, feature_weights = augment.gca_weights(graph, scheme=SCHEMES[centrality],
                                                      dense_features=dense_features)
  return {"edge_weights": edge_weights, "feature_weights": feature_weights}


@dataclasses.dataclass(frozen=True, kw_only=True)
class _AdaptiveEdges:
  """Side-aware edge dropping at mean rate ``rate``: probabilities ``drop_probs(graph,
  side['edge_weights'], rate=, threshold=)`` (GCA's ``drop_edge_weighted`` by default; CSGCL's
  CED with :func:`jgssl.augment.community_edge_drop_probs`)."""
  rate: float
  threshold: float
  drop_probs: Callable = augment.gca_edge_drop_probs

  def __call__(self, key, graph, side):
    probs = self.drop_probs(graph, side["edge_weights"], rate=self.rate,
                            threshold=self.threshold)
    return augment.adaptive_drop_edges(key, graph, probs=probs)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _AdaptiveFeatures:
  """Side-aware feature-column masking at mean rate ``rate`` (``drop_feature_weighted_2``)."""
  rate: float
  threshold: float

  def __call__(self, key, graph, side):
    probs = augment.gca_feature_drop_probs(side["feature_weights"], rate=self.rate,
                                           threshold=self.threshold)
    return augment.adaptive_mask_features(key, graph, probs=probs)


def gca(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (256, 128),
        activation: str = "rrelu", hidden_features: int = 128,
        out_features: Optional[int] = None, drop_edge_rate=(0.6, 0.3),
        drop_feature_rate=(0.2, 0.3), temperature: float = 0.2, centrality: str = "degree",
        threshold: float = 0.7, dense_features: bool = False,
        chunk_size: Optional[int] = None) -> TwoViewContrast:
  """GCA (module docstring). Defaults: CRIPAC-DIG/GCA ``param/amazon_computers.json`` and
  ``train.py``.

  Args:
    encoder: the encoder module; ``None`` builds GCA's ``GCN(features, activation)``.
    features: GCN layer widths (``num_hidden`` 128, first layer twice as wide).
    activation: encoder activation (``rrelu``: random slopes in training, the mean slope in
      evaluation, as ``torch.nn.RReLU``).
    hidden_features: the head's hidden width (``num_proj_hidden``).
    out_features: the head's output width (``None``: ``features[-1]``).
    drop_edge_rate: *mean* edge drop rates of view 1 and view 2 (``drop_edge_rate_1`` / ``_2``).
    drop_feature_rate: mean feature-column drop rates (``drop_feature_rate_1`` / ``_2``).
    temperature: τ (``tau``).
    centrality: ``drop_scheme``: ``'degree'``, ``'pr'`` / ``'pagerank'``, ``'evc'`` /
      ``'eigenvector'``.
    threshold: cap ``p_tau`` on every drop probability (0.7 in ``train.py``).
    dense_features: feature weights from ``|x|`` (WikiCS) instead of occurrences.
    chunk_size: tile size of the exact memory-bounded loss (``None``: dense).

  Returns:
    A node-level :class:`jgssl.methods.TwoViewContrast` with ``prepare`` (the centrality
    weights) and anchor-row sharding.
  """
  encoder, head = grace_modules("gca", encoder=encoder, features=features,
                                activation=activation, hidden_features=hidden_features,
                                out_features=out_features)
  h = fields.check_args("gca", drop_edge_rate=(drop_edge_rate, fields.RATE_PAIR),
                   drop_feature_rate=(drop_feature_rate, fields.RATE_PAIR),
                   centrality=(centrality, fields.one_of(*SCHEMES)),
                   threshold=(threshold, fields.RATE))
  cap = h["threshold"]
  views = augment.two_views(
      (functools.partial(_AdaptiveEdges, threshold=cap), h["drop_edge_rate"]),
      (functools.partial(_AdaptiveFeatures, threshold=cap), h["drop_feature_rate"]), side=True)
  prepare = functools.partial(centrality_weights, centrality=centrality,
                              dense_features=bool(dense_features))
  return TwoViewContrast(encoder=encoder, head=head, views=views, prepare=prepare,
                         objective=InfoNCE(temperature=temperature, chunk_size=chunk_size))

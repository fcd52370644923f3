"""GCA: graph contrastive learning with adaptive augmentation (Zhu et al., WWW 2021).

Official code CRIPAC-DIG/GCA (``train.py``, ``pGRACE/functional.py``, ``param/*.json``;
REFERENCES.md §3.3). GCA is GRACE (same 2-layer GCN encoder with a 2× wide first layer, same
fc–ELU–fc projection, same InfoNCE with intra-view negatives, evaluation on the encoder output)
with *adaptive* views: each edge and each feature column is dropped with its own probability
``min(w / mean(w) · p, 0.7)``, where the weights ``w`` come from a node centrality
(``centrality``: ``'degree'``, ``'pagerank'`` (GCA ``pr``) or ``'eigenvector'`` (``evc``)) so
that less central edges and features are dropped more (:func:`jgssl.augment.gca_weights`,
:func:`jgssl.augment.gca_edge_drop_probs`, :func:`jgssl.augment.adaptive_drop_edges`, ...).

The centrality weights depend on the training graph only, so :meth:`GCA.init` computes them once
(as ``train.py`` does before training) and keeps them in the non-trained ``'gca'`` collection
(``edge_weights [E]``, ``feature_weights [F]``); the loss then draws both views inside the step.
Node-level, full graph, one step per epoch; the graph given to ``loss`` must be the one given to
``init``. Anchor-row sharding works as in :class:`jgssl.methods.GRACE`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Tuple

import jax

from jgssl import augment
from jgssl.methods.grace import GRACE

__all__ = ["GCA"]

SCHEMES = {"degree": "degree", "pr": "pagerank", "pagerank": "pagerank", "evc": "eigenvector",
           "eigenvector": "eigenvector"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class GCA(GRACE):
  """GCA hyperparameters: GRACE's fields plus the adaptive scheme.

  Attributes:
    centrality: GCA's ``drop_scheme``: ``'degree'``, ``'pr'`` / ``'pagerank'`` or ``'evc'`` /
      ``'eigenvector'`` (not named ``drop_*``: the launcher checks those as rates).
    threshold: cap ``p_tau`` on every drop probability (0.7 in ``train.py``).
    dense_features: feature weights from dense features (GCA's ``feature_drop_weights_dense``,
      WikiCS only) instead of binary occurrence.
    (``drop_edge_k`` / ``drop_feature_k`` are the *mean* drop rates of view ``k``.)
  """
  centrality: str = "degree"
  threshold: float = 0.7
  dense_features: bool = False
  _weights: Optional[Tuple[Any, Any]] = dataclasses.field(default=None, repr=False,
                                                          compare=False)

  def __post_init__(self):
    super().__post_init__()
    if self.centrality not in SCHEMES:
      raise ValueError(f"GCA.centrality must be one of {sorted(SCHEMES)}, "
                       f"got {self.centrality!r}")
    if not 0.0 <= self.threshold <= 1.0:
      raise ValueError(f"GCA.threshold must lie in [0, 1], got {self.threshold!r}")

  def weights(self, graph):
    """``(edge_weights [E], feature_weights [F])`` of ``graph`` for :attr:`centrality`."""
    return augment.gca_weights(graph, scheme=SCHEMES[self.centrality],
                               dense_features=self.dense_features)

  def init(self, key, graph):
    """GRACE's parameters plus ``'gca': {'edge_weights', 'feature_weights'}``."""
    ew, fw = jax.jit(self.weights)(graph)
    return {**super().init(key, graph), "gca": {"edge_weights": ew, "feature_weights": fw}}

  def views(self, key, graph):
    """Two adaptive views (edges, then feature columns); weights from ``init`` or recomputed."""
    ew, fw = self._weights if self._weights is not None else self.weights(graph)
    out = []
    for k, pe, pf in ((key, self.drop_edge_1, self.drop_feature_1),
                      (jax.random.fold_in(key, 1), self.drop_edge_2, self.drop_feature_2)):
      ke, kf = jax.random.split(k)
      g = augment.adaptive_drop_edges(
          ke, graph, probs=augment.gca_edge_drop_probs(graph, ew, rate=pe,
                                                       threshold=self.threshold))
      g = augment.adaptive_mask_features(
          kf, g, probs=augment.gca_feature_drop_probs(fw, rate=pf, threshold=self.threshold))
      out.append(g)
    return tuple(out)

  def loss(self, variables, key, graph):
    """GRACE's loss on the adaptive views; aux ``'pos_cos'`` as GRACE."""
    gca = variables["gca"]
    bound = dataclasses.replace(self, _weights=(gca["edge_weights"], gca["feature_weights"]))
    return GRACE.loss(bound, {"params": variables["params"]}, key, graph)

  def embed(self, variables, graph):
    return super().embed({"params": variables["params"]}, graph)

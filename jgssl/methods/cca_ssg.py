"""CCA-SSG: canonical-correlation self-supervision on graphs (Zhang et al., NeurIPS 2021).

Official code hengruizhang98/CCA-SSG (``main.py``, ``model.py``, ``aug.py``). A
:class:`jgssl.methods.TwoViewContrast` with two views at the same rates — feature-column masking
(``dfr``), then independent dropping of every directed edge (``der``); a shared encoder, DGL
``GraphConv`` layers (``norm='both'``, self-loops added) with ReLU between layers and none after
the last (``GCN(features=(hid, ..., out), last_activation=False)``), or a 2-layer MLP
(``--use_mlp``, Coauthor-CS); no projector. Both outputs are column-standardised and scored by
:func:`jgssl.losses.cca_ssg_loss`: ``−tr(C) + λ(‖I − C₁‖² + ‖I − C₂‖²)``, lower is better.
Embeddings are the (unstandardised) encoder output on the clean graph. Padding and dropped nodes
are left out of the column statistics.
"""

from __future__ import annotations

import functools
from typing import Optional, Sequence

import flax.linen as nn

from jgssl import augment, losses, models
from jgssl.methods import fields
from jgssl.methods.two_view import TwoViewContrast

__all__ = ["cca_ssg"]


def cca_ssg(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (512, 512),
            use_mlp: bool = False, lambd: float = 1e-3, drop_feature_rate=0.1,
            drop_edge_rate=0.4) -> TwoViewContrast:
  """CCA-SSG (module docstring). Defaults: the README's Cora command and ``main.py``.

  Args:
    encoder: the encoder module; ``None`` builds CCA-SSG's ``GCN(features, activation='relu',
      last_activation=False)`` (``model.py`` ``GCN``), or its ``MLP`` with ``use_mlp``.
    features: layer widths ``(hid_dim, ..., out_dim)`` (Cora ``(512, 512)``, CiteSeer
      ``(512,)``).
    use_mlp: the default encoder is the MLP (``--use_mlp``) instead of the GCN.
    lambd: decorrelation weight λ.
    drop_feature_rate: feature-column mask rate ``dfr`` (one value for both views, or a pair).
    drop_edge_rate: edge drop rate ``der``.

  Returns:
    A node-level :class:`jgssl.methods.TwoViewContrast`.
  """
  h = fields.check_args("cca_ssg", features=(features, fields.WIDTHS),
                   lambd=(lambd, fields.NON_NEGATIVE),
                   drop_feature_rate=(drop_feature_rate, fields.RATE_PAIR),
                   drop_edge_rate=(drop_edge_rate, fields.RATE_PAIR))
  if encoder is None:
    encoder = models.make_encoder("mlp" if use_mlp else "gcn", features=h["features"],
                                  activation="relu", last_activation=False)
  views = augment.two_views((augment.MaskFeatureColumns, h["drop_feature_rate"]),
                            (augment.DropEdges, h["drop_edge_rate"]))
  return TwoViewContrast(encoder=encoder, views=views,
                         objective=functools.partial(losses.cca_ssg_loss, lambd=lambd))

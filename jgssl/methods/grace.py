"""GRACE: deep graph contrastive representation learning (Zhu et al., ICML-W 2020).

Official code CRIPAC-DIG/GRACE (``model.py``, ``train.py``, ``config.yaml``). A
:class:`jgssl.methods.TwoViewContrast` with

* two views of the full graph, each by independent edge dropping (every directed edge entry on
  its own, PyG ``dropout_adj``) and then feature-column masking (the same columns zeroed for all
  nodes, GRACE's ``drop_feature``), at per-view rates ``drop_edge_rate`` /
  ``drop_feature_rate`` (:func:`jgssl.augment.two_views`);
* a shared GCN encoder whose layers are ``features`` wide (GRACE's first layer is twice
  ``num_hidden``: ``(2h, ..., 2h, h)``), the activation after every layer;
* a projection head fc–ELU–fc (``features[-1] → hidden_features → out_features``);
* GRACE's InfoNCE (:class:`jgssl.methods.InfoNCE` with its defaults): for node ``i`` with
  projections ``u_i, v_i``,
  ``ℓ(u_i, v_i) = −log e^{θ(u_i,v_i)} / (Σ_k e^{θ(u_i,v_k)} + Σ_{k≠i} e^{θ(u_i,u_k)})``,
  ``θ = cos / τ``, and the loss ``½ mean_i [ℓ(u_i, v_i) + ℓ(v_i, u_i)]`` over present nodes; aux
  ``'pos_cos'`` is the mean cosine of the positive pairs.

Exact memory-bounded form: with ``chunk_size`` the ``N × N`` similarities are computed in tiles
(streaming log-sum-exp, recomputed in the backward pass), the same value as the dense form.
Anchor sharding: under ``strategy='rows'`` of :func:`jgssl.train.make_train_step` each device
computes the loss rows of ``N / D`` anchors against the full projections and the partial sums
meet in a ``psum``; the encoder runs replicated. Evaluation uses the encoder output (before the
projection head), as the official code does.

Differences from the official code, all deliberate: GRACE's ``prelu`` is one ``nn.PReLU()``
instance shared by all encoder layers; here each layer has its own slope (the jgssl encoders'
convention). Parameter initialisation follows :mod:`jgssl.models` (Glorot for GCN weights as PyG's
``GCNConv``, PyTorch's default for the head's linear maps).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import flax.linen as nn

from jgssl import augment, models
from jgssl.methods import fields
from jgssl.methods.two_view import InfoNCE, TwoViewContrast

__all__ = ["grace", "grace_modules"]


def grace_modules(recipe: str, *, encoder: Optional[nn.Module], features: Sequence[int],
                  activation: str, hidden_features: int, out_features: Optional[int]
                  ) -> Tuple[nn.Module, nn.Module]:
  """GRACE's encoder (unless ``encoder`` is given) and projection head, checked for ``recipe``.

  Returns:
    ``(encoder, head)``: ``GCN(features, activation)`` (CRIPAC-DIG/GRACE ``model.py``
    ``Encoder``) and ``Projector(hidden_features, out_features or features[-1], 'elu')``
    (``GRACE.projection``: ``fc2(elu(fc1(z)))``).
  """
  h = fields.check_args(recipe, features=(features, fields.WIDTHS),
                   activation=(activation, fields.one_of(*models.ACTIVATIONS)),
                   hidden_features=(hidden_features, fields.POSITIVE_INT),
                   out_features=(out_features, fields.optional(fields.POSITIVE_INT)))
  if encoder is None:
    encoder = models.GCN(features=h["features"], activation=h["activation"])
  head = models.Projector(hidden_features=h["hidden_features"],
                          out_features=h["out_features"] or h["features"][-1], activation="elu")
  return encoder, head


def grace(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (256, 128),
          activation: str = "relu", hidden_features: int = 128,
          out_features: Optional[int] = None, drop_edge_rate=(0.2, 0.4),
          drop_feature_rate=(0.3, 0.4), temperature: float = 0.4,
          chunk_size: Optional[int] = None) -> TwoViewContrast:
  """GRACE (module docstring). Defaults: CRIPAC-DIG/GRACE ``config.yaml``, Cora.

  Args:
    encoder: the encoder module; ``None`` builds GRACE's ``GCN(features, activation)``. Any
      module ``(graph, *, training=False) -> [N, d]`` fits.
    features: GCN layer widths (``config.yaml`` ``num_hidden`` 128, first layer twice as wide;
      used for the head's default output width also with your own encoder).
    activation: encoder activation (``relu``; ``prelu`` for CiteSeer).
    hidden_features: the head's hidden width (``num_proj_hidden``).
    out_features: the head's output width (``None``: ``features[-1]``, as GRACE).
    drop_edge_rate: edge drop rate of view 1 and view 2 (``drop_edge_rate_1`` / ``_2``), or one
      rate for both.
    drop_feature_rate: feature-column mask rates (``drop_feature_rate_1`` / ``_2``).
    temperature: τ (``tau``).
    chunk_size: tile size of the exact memory-bounded loss (``None``: dense ``N × N``, GRACE's
      ``batch_size = 0``).

  Returns:
    A node-level :class:`jgssl.methods.TwoViewContrast` with anchor-row sharding.
  """
  encoder, head = grace_modules("grace", encoder=encoder, features=features,
                                activation=activation, hidden_features=hidden_features,
                                out_features=out_features)
  rates = fields.check_args("grace", drop_edge_rate=(drop_edge_rate, fields.RATE_PAIR),
                       drop_feature_rate=(drop_feature_rate, fields.RATE_PAIR))
  views = augment.two_views((augment.DropEdges, rates["drop_edge_rate"]),
                            (augment.MaskFeatureColumns, rates["drop_feature_rate"]))
  return TwoViewContrast(encoder=encoder, head=head, views=views,
                         objective=InfoNCE(temperature=temperature, chunk_size=chunk_size))

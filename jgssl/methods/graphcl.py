"""GraphCL: graph contrastive learning with augmentations (You et al., NeurIPS 2020).

Official code: Shen-Lab/GraphCL ``unsupervised_TU`` (``gsimclr.py``, ``aug.py``, ``gin.py``). A
graph-level :class:`jgssl.methods.TwoViewContrast`: per batch of graphs, view 1 is the graph
itself and view 2 an augmented copy (the official loader returns ``(data, data_aug)`` with
``data`` unaugmented; :func:`jgssl.augment.graphcl_augmentation` at the official ratios); a GIN
encoder (``bn(relu(conv(x)))``, MLP ``Linear-ReLU-Linear``) gives every layer's node rows, the
graph vector is the concatenation of their sum-pools, a ``Linear-ReLU-Linear`` projection head
maps it, and GraphCL's loss (:class:`jgssl.methods.InfoNCE` with cross-view negatives only, the
positive left out of the denominator, one direction; ``T = 0.2``) is averaged over the real
graphs. ``embed`` returns the unprojected graph vectors.

Every linear map starts Glorot-uniform with a zero bias (the official ``init_emb``;
``weight_init='torch'`` keeps PyTorch's default). The official loader adds a self-loop to every
node, so its GIN layers sum ``h_i`` once more: ``gin_eps=1`` reproduces that (with PyTorch
Geometric >= 1.6; older ``GINConv`` dropped stored self-loops, see the GraphCL config). Nodes
isolated by an augmentation stay present here (the official code removes them, which changes
shapes).
"""

from __future__ import annotations

from typing import Optional, Sequence

import flax.linen as nn

from jgssl import augment, models
from jgssl.methods import fields
from jgssl.methods.base import glorot_reinit
from jgssl.methods.two_view import InfoNCE, TwoViewContrast

__all__ = ["graphcl"]



def _kept_fraction(value):
  if not fields.RATE.normalise(value) > 0.0:
    raise ValueError(value)
  return value


_KEEP = fields.Check("a fraction in (0, 1]", _kept_fraction)


def graphcl(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (32, 32, 32),
            hidden_features: Optional[int] = None, out_features: Optional[int] = None,
            aug: str = "random2", aug_ratio: float = 0.1, subgraph_keep: float = 0.2,
            temperature: float = 0.2, gin_eps: float = 1.0,
            weight_init: str = "glorot") -> TwoViewContrast:
  """GraphCL, unsupervised TU setting (module docstring). Defaults: ``go.sh``,
  ``arguments.py``, ``gsimclr.py`` and ``aug.py``.

  Args:
    encoder: the encoder module; ``None`` builds GraphCL's ``GIN(features, activation='relu',
      norm='batch', order='act_norm', eps=gin_eps, return_layers=True)`` (``gin.py``
      ``Encoder``), whose per-layer sum-pools are concatenated. Your own module may return node
      rows (sum-pooled) or a list of per-layer rows.
    features: GIN widths (``hidden_dim`` 32, ``--num-gc-layers`` 3).
    hidden_features: the head's hidden width (``None``: ``sum(features)``, GraphCL's
      ``embedding_dim``).
    out_features: the head's output width (``None``: ``sum(features)``).
    aug: augmentation of view 2, a name of :data:`jgssl.augment.GRAPHCL_AUGMENTATIONS`
      (``random2``: the per-dataset choice upstream is undocumented).
    aug_ratio: node / edge / attribute ratio (0.1).
    subgraph_keep: fraction ``subgraph`` keeps (0.2).
    temperature: ``T`` (0.2).
    gin_eps: GIN eps (1 = the official self-loops).
    weight_init: ``'glorot'`` — every linear map (GIN MLPs and the projection head)
      Glorot-uniform with zero bias, the official ``init_emb`` (:func:`jgssl.methods.glorot_reinit`)
      — or ``'torch'`` (PyTorch's ``nn.Linear`` default).

  Returns:
    A graph-level :class:`jgssl.methods.TwoViewContrast`.
  """
  h = fields.check_args("graphcl", features=(features, fields.WIDTHS),
                   hidden_features=(hidden_features, fields.optional(fields.POSITIVE_INT)),
                   out_features=(out_features, fields.optional(fields.POSITIVE_INT)),
                   aug=(aug, fields.one_of(*augment.GRAPHCL_AUGMENTATIONS)),
                   aug_ratio=(aug_ratio, fields.RATE_BELOW_ONE),
                   subgraph_keep=(subgraph_keep, _KEEP),
                   weight_init=(weight_init, fields.one_of("glorot", "torch")))
  if encoder is None:
    encoder = models.GIN(features=h["features"], activation="relu", norm="batch",
                         order="act_norm", eps=gin_eps, return_layers=True)
  width = sum(h["features"])
  head = models.Projector(hidden_features=h["hidden_features"] or width,
                          out_features=h["out_features"] or width, activation="relu")
  view = augment.graphcl_augmentation(aug, ratio=aug_ratio, subgraph_keep=subgraph_keep)
  objective = InfoNCE(temperature=temperature, intra_view=False, positive_in_denominator=False,
                      symmetric=False)
  return TwoViewContrast(encoder=encoder, head=head, views=(augment.identity, view),
                         objective=objective, level="graph",
                         init_params=glorot_reinit if weight_init == "glorot" else None)

"""Online / target bootstrap: :class:`Bootstrap`, and its recipe :func:`bgrl`.

The skeleton of BYOL-style methods on graphs (Grill et al., NeurIPS 2020; BGRL, Thakoor et al.,
ICLR 2022): two augmented views of the graph, an *online* encoder followed by a predictor, and a
*target* encoder — a copy of the online encoder that is not trained by the optimizer but follows
it as an exponential moving average. The online network predicts, for every node, the target's
representation of the same node in the other view; the target gets no gradient::

  p₁, p₂ = q(f_θ(view₁)), q(f_θ(view₂))        y₁, y₂ = f_ξ(view₁), f_ξ(view₂)
  loss = mean over present nodes of ½ [ℓ(p₁, sg(y₂)) + ℓ(p₂, sg(y₁))]
  ξ ← m ξ + (1 − m) θ after every optimizer step, m cosine-annealed from ``momentum`` to 1

with ``ℓ`` = :func:`jgssl.losses.bootstrap_cosine_loss` (``2 − 2 cos``) by default. ``O(N·d)``: only
each node's own pair is scored.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Optional, Sequence, Tuple, Union

import flax.linen as nn
import jax

from jgssl import augment, losses, models
from jgssl.methods import base
from jgssl.methods.fields import (POSITIVE_INT, RATE, RATE_PAIR, WIDTHS, check_value, hyper,
                                  validate)

__all__ = ["Bootstrap", "bgrl"]

TARGET = "target"


class _Online(nn.Module):
  """Online encoder + predictor; ``__call__`` returns ``(y, p)``, :meth:`encode` only ``y``.

  The submodules are the fields ``encoder`` and ``predictor``, so the parameters are
  ``{'encoder': ..., 'predictor': ...}``.
  """
  encoder: nn.Module
  predictor: nn.Module

  def encode(self, graph, training: bool = False):
    return self.encoder(graph, training=training)

  def __call__(self, graph, training: bool = True):
    y = self.encoder(graph, training=training)
    return y, self.predictor(y, mask=graph.nodes["mask"], training=training)


def _callable(label: str, value) -> None:
  if not callable(value):
    raise ValueError(f"{label} must be callable, got {type(value).__name__}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Bootstrap:
  """Online / target bootstrap on two views (BYOL, BGRL), a :class:`jgssl.methods.Method`.

  Variables: ``'params'`` = ``{'encoder', 'predictor'}`` (the online network, trained), the
  encoder's mutable collections (e.g. ``'batch_stats'``: updated by view 1, then view 2, each
  update starting from the previous one) and ``'target'``: the target encoder's parameters, not
  trained, moved by :meth:`post_update`. The target starts from its **own** random draw (BGRL's
  ``bgrl/bgrl.py`` deep-copies the online encoder and calls ``reset_parameters()`` on the copy)
  and runs in training mode with the online encoder's collections, whose updates it drops (its
  batch statistics come from the batch and are never kept). Embeddings: the online encoder on the
  clean graph in evaluation mode. Padding: the loss is the mean over the clean graph's present
  nodes (``nodes['mask']``); absent rows contribute nothing, whatever the amount of padding.

  Attributes:
    encoder: a Flax module ``(graph, *, training=False) -> [N, d]`` (any :mod:`jgssl.models`
      encoder); rows of absent nodes should be zero.
    predictor: a Flax module ``(rows [N, d], *, mask, training) -> [N, d]`` with the encoder's
      output width (:class:`jgssl.models.Predictor`).
    view1, view2: augmentations ``(key, graph) -> graph`` (:mod:`jgssl.augment`) giving the two
      views; they must keep the node mask (the loss averages over the clean graph's present
      nodes).
    momentum: EMA decay of the target at step 0 (``mm``), cosine-annealed to 1.
    total_steps: optimizer steps of the momentum schedule (:func:`jgssl.methods.cosine_ema_decay`).
    objective: ``(prediction [N, d], target [N, d], *, where [N]) -> [N]`` per-node loss that
      stops the target's gradient (:func:`jgssl.losses.bootstrap_cosine_loss`).
  """
  encoder: nn.Module
  predictor: nn.Module
  view1: Callable
  view2: Callable
  momentum: float = hyper(0.99, RATE)
  total_steps: int = hyper(10000, POSITIVE_INT)
  objective: Callable = losses.bootstrap_cosine_loss

  def __post_init__(self):
    validate(self)
    for name in ("view1", "view2", "objective"):
      _callable(f"Bootstrap.{name}", getattr(self, name))

  def _net(self) -> _Online:
    return _Online(encoder=self.encoder, predictor=self.predictor)

  def init(self, key, graph):
    """Online network (``'params'`` and its collections) and the target (``'target'``, drawn
    from its own key: the encoder part of a second initialisation of the online network)."""
    k_online, k_target = jax.random.split(key)
    variables = dict(self._net().init(k_online, graph, training=False))
    y, p = jax.eval_shape(lambda v: self._net().apply(v, graph, training=False), variables)
    if p.shape != y.shape:
      raise ValueError(f"Bootstrap.predictor maps the encoder's rows {y.shape} to {p.shape}: "
                       "its output width must be the encoder's (the target's) width")
    variables[TARGET] = self._net().init(k_target, graph, training=False)["params"]["encoder"]
    return variables

  def loss(self, variables, key, graph):
    k1, k2 = jax.random.split(key)
    g1, g2 = self.view1(k1, graph), self.view2(k2, graph)
    online = {c: v for c, v in variables.items() if c != TARGET}
    mutable = [c for c in online if c != "params"]
    net = self._net()
    (_, p1), upd = net.apply(online, g1, mutable=mutable)
    (_, p2), upd = net.apply({**online, **upd}, g2, mutable=mutable)
    target = {**online, "params": {**online["params"], "encoder": variables[TARGET]}}
    t1, _ = net.apply(target, g1, training=True, method=_Online.encode, mutable=mutable)
    t2, _ = net.apply(target, g2, training=True, method=_Online.encode, mutable=mutable)
    mask = graph.nodes["mask"]
    rows = 0.5 * (self.objective(p1, t2, where=mask) + self.objective(p2, t1, where=mask))
    return losses.masked_mean(rows, mask), {"updates": dict(upd)}

  def post_update(self, variables, *, step):
    """Moves the target towards the online encoder. BGRL (``train_transductive.py``) takes the
    momentum of the 0-based step of the update just made, so ``step - 1`` here."""
    decay = base.cosine_ema_decay(step - 1, base=self.momentum, total_steps=self.total_steps)
    target = base.ema_update(variables[TARGET], variables["params"]["encoder"], decay=decay)
    return {**variables, TARGET: target}

  def embed(self, variables, graph):
    """Online encoder rows ``[N, d]`` on ``graph``, evaluation mode (running statistics)."""
    online = {c: v for c, v in variables.items() if c != TARGET}
    return self._net().apply(online, graph, training=False, method=_Online.encode)


@functools.lru_cache(maxsize=None)
def _edge_feature_views(drop_edge_rate: Tuple[float, float],
                        drop_feature_rate: Tuple[float, float]) -> Tuple[Callable, Callable]:
  """View ``i`` drops edges with ``drop_edge_rate[i]``, then masks feature columns with
  ``drop_feature_rate[i]`` (:func:`jgssl.augment.two_views`: one key per step, split from the
  view's key). Cached, so that equal rates give the same functions and methods built twice
  compare equal (the launcher caches compiled steps by method)."""
  return augment.two_views((augment.DropEdges, drop_edge_rate),
                           (augment.MaskFeatureColumns, drop_feature_rate))


Rates = Union[float, Sequence[float]]


def bgrl(*, encoder: Optional[nn.Module] = None, features: Sequence[int] = (256, 128),
         hidden_features: int = 512, drop_edge_rate: Rates = (0.5, 0.4),
         drop_feature_rate: Rates = (0.2, 0.1), momentum: float = 0.99,
         total_steps: int = 10000, bn_momentum: float = 0.99) -> Bootstrap:
  """BGRL (Thakoor et al., ICLR 2022): :class:`Bootstrap` with BGRL's parts.

  Defaults: nerdslab/bgrl ``config/amazon-computers.cfg`` (encoder ``[256, 128]``, predictor
  hidden 512, drop rates, ``mm`` 0.99); the network as ``bgrl/models.py`` (GCN layers each
  followed by batch norm with PyTorch momentum 0.99 and PReLU; predictor ``Linear-PReLU-Linear``)
  and ``train_transductive.py`` (both encoders in training mode, momentum cosine-annealed over
  ``epochs`` steps). The views drop edges (:func:`jgssl.augment.drop_edges`) and mask feature
  columns (:func:`jgssl.augment.mask_feature_columns`) independently per view.

  Args:
    encoder: the online encoder (its target is a second draw of it); ``None`` builds BGRL's GCN
      from ``features`` and ``bn_momentum``.
    features: encoder layer widths; the predictor's output width is ``features[-1]`` (give the
      width of a custom ``encoder`` here).
    hidden_features: predictor hidden width.
    drop_edge_rate, drop_feature_rate: ``(view 1, view 2)`` rates, or one rate for both.
    momentum: initial EMA decay of the target.
    total_steps: steps of the momentum schedule (the number of epochs upstream).
    bn_momentum: batch-norm momentum of the default encoder, PyTorch convention.

  Returns:
    A :class:`Bootstrap`.
  """
  features = check_value("bgrl: features", features, WIDTHS)
  hidden_features = check_value("bgrl: hidden_features", hidden_features, POSITIVE_INT)
  drop_edge_rate = check_value("bgrl: drop_edge_rate", drop_edge_rate, RATE_PAIR)
  drop_feature_rate = check_value("bgrl: drop_feature_rate", drop_feature_rate, RATE_PAIR)
  if encoder is None:
    bn_momentum = check_value("bgrl: bn_momentum", bn_momentum, RATE)
    encoder = models.GCN(features=features, activation="prelu", norm="batch",
                         bn_momentum=bn_momentum)
  view1, view2 = _edge_feature_views(drop_edge_rate, drop_feature_rate)
  return Bootstrap(encoder=encoder,
                   predictor=models.Predictor(hidden_features=hidden_features,
                                              out_features=features[-1]),
                   view1=view1, view2=view2, momentum=momentum, total_steps=total_steps)

"""The mechanics the config modules share; the values and their sources stay in each config file.

* :func:`make_get_config` / :func:`resolve`: the variant lookup every module's ``get_config`` does
  (``''`` means the default variant, case-insensitive names, a ``ValueError`` that lists the
  variants, a locked result).
* :func:`reference` / :func:`set_reference`: the ``config.reference`` block (metric, published
  value, std, where the value comes from).
* :func:`optimizer`: the ``config.optimizer`` block read by ``jgssl.train.make_optimizer``.
* :func:`overrides`: a variant that sets fields (the tiny ``test`` variants).
* :func:`tu_variants`: the TU-dataset variants of the graph-level contrastive configs (GraphCL,
  InfoGraph): one per dataset, constant node features where the upstream code uses ``x = 1``,
  the published value where one is confirmed, and the tiny ``test`` variant.

A variant is a function ``ConfigDict -> ConfigDict`` applied to the module's default config.
"""

from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple

import ml_collections
from ml_collections import config_dict

Variant = Callable[[ml_collections.ConfigDict], ml_collections.ConfigDict]

NO_VALUE = "no published value"


def resolve(label: str, variants: Mapping[str, Variant], default_variant: str,
            default: Callable[[], ml_collections.ConfigDict],
            variant: str = "") -> ml_collections.ConfigDict:
  """The locked config of ``variant``: ``variants[variant](default())``.

  Args:
    label: the method's name in the error message (``'GRACE'``).
    variants: variant name (lower case) -> variant function.
    default_variant: the variant ``''`` stands for.
    default: builds the module's default config (a fresh one each call).
    variant: the requested variant, any case; ``''`` means ``default_variant``.

  Raises:
    ValueError: ``variant`` is not a key of ``variants``; the message lists them.
  """
  variant = (variant or default_variant).lower()
  if variant not in variants:
    raise ValueError(f"unknown {label} config variant {variant!r}; choose one of "
                     f"{sorted(variants)}")
  c = variants[variant](default())
  c.lock()
  return c


def make_get_config(label: str, variants: Mapping[str, Variant], default_variant: str,
                    default: Callable[[], ml_collections.ConfigDict]
                    ) -> Callable[..., ml_collections.ConfigDict]:
  """A module's ``get_config(variant='')``: :func:`resolve` with the arguments bound."""

  def get_config(variant: str = "") -> ml_collections.ConfigDict:
    return resolve(label, variants, default_variant, default, variant)

  get_config.__doc__ = (f"The locked config of ``variant`` (``''`` means "
                        f"``{default_variant}``).")
  return get_config


def _number(value: Optional[float], placeholder: bool):
  return config_dict.placeholder(float) if placeholder and value is None else value


def reference(metric: str, value: Optional[float] = None, std: Optional[float] = None,
              source: str = NO_VALUE, *, placeholder: bool = False) -> ml_collections.ConfigDict:
  """``config.reference``: the published ``value`` ± ``std`` of ``metric`` and its ``source``.

  Args:
    metric: the metric the launcher compares (``'test_acc'``, ``'acc'``, ``'test_auc'``).
    value, std: the published numbers, ``None`` where there are none.
    source: where the numbers come from.
    placeholder: a missing ``value`` / ``std`` becomes a float-typed empty field
      (``config_dict.placeholder(float)``, so an override must be a float) instead of ``None``.
  """
  r = ml_collections.ConfigDict()
  r.metric = metric
  r.value = _number(value, placeholder)
  r.std = _number(std, placeholder)
  r.source = source
  return r


def set_reference(c: ml_collections.ConfigDict, value: Optional[float] = None,
                  std: Optional[float] = None,
                  source: str = NO_VALUE) -> ml_collections.ConfigDict:
  """Sets ``c.reference``'s value, std and source in place (the metric stays); returns ``c``."""
  c.reference.value, c.reference.std, c.reference.source = value, std, source
  return c


def optimizer(name: str, *, learning_rate: float, weight_decay: float,
              schedule: str = "constant", warmup_steps: int = 0) -> ml_collections.ConfigDict:
  """``config.optimizer``: the keyword arguments of ``jgssl.train.make_optimizer``."""
  o = ml_collections.ConfigDict()
  o.name = name
  o.learning_rate = learning_rate
  o.weight_decay = weight_decay
  o.schedule = schedule
  o.warmup_steps = warmup_steps
  return o


def _assign(c: ml_collections.ConfigDict, fields: Mapping) -> None:
  for k, v in fields.items():
    if isinstance(v, Mapping):
      _assign(c[k], v)
    else:
      setattr(c, k, v)


def overrides(**fields) -> Variant:
  """A variant that assigns ``fields`` (a dict value sets fields of that sub-config)."""

  def apply(c):
    _assign(c, fields)
    return c

  return apply


def chain(*variants: Variant) -> Variant:
  """A variant that applies ``variants`` in order."""

  def apply(c):
    for v in variants:
      c = v(c)
    return c

  return apply


TU_DATASETS = ("mutag", "proteins", "nci1", "imdb-binary", "imdb-multi", "collab",
               "reddit-binary")

# Tiny: 2 epochs, batches of 32, 8 wide. For the test suite only.
TU_TEST = overrides(epochs=2, checkpoint_every=1, batch_size=32, model=dict(hidden=8))


def tu_variants(*, reference_values: Mapping[str, Tuple[float, float]],
                constant_features: Sequence[str], source: str,
                datasets: Sequence[str] = TU_DATASETS) -> Dict[str, Variant]:
  """The graph-level variants: one per TU dataset, then ``test`` (:data:`TU_TEST`).

  Args:
    reference_values: dataset -> (mean, std) of the confirmed published accuracy; the other
      datasets keep the default's empty reference.
    constant_features: datasets whose node features are ``x = 1`` (``node_features='constant'``).
    source: ``config.reference.source`` where a published value is set.
    datasets: the variant (and dataset) names, in order.
  """

  def variant(name):
    def apply(c):
      c.dataset = name
      if name in constant_features:
        c.node_features = "constant"
      if name in reference_values:
        c.reference.value, c.reference.std = reference_values[name]
        c.reference.source = source
      return c
    return apply

  return {**{k: variant(k) for k in datasets}, "test": TU_TEST}

"""Building blocks shared by jgssl encoders and heads: linear maps, activations, masked norms.

Everything here works on row matrices ``[N, D]`` (nodes or graphs) plus an optional bool row mask
``[N]``: rows where the mask is False (padding nodes, dropped nodes, padding graphs) never enter
batch statistics.

Conventions copied from PyTorch where the papers rely on them:

* :class:`Linear` can use PyTorch's ``nn.Linear`` initialisation (weights and bias uniform in
  ``±1/sqrt(fan_in)``) or Glorot (PyG / DGL graph convolutions).
* :class:`PReLU` starts at slope 0.25 (``torch.nn.PReLU``), one learnable slope per module.
* :class:`RReLU` samples a slope ``U(lower, upper)`` per element in training and uses the mean
  slope ``(lower + upper) / 2`` in evaluation (``torch.nn.RReLU``, defaults 1/8 and 1/3).
* :class:`MaskedBatchNorm` uses PyTorch's momentum convention (see its docstring).
"""

from __future__ import annotations

from typing import Callable, Optional, Union

import flax.linen as nn
import jax
import jax.numpy as jnp

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Linear",
    "MaskedBatchNorm",
    "NORMS",
    "Norm",
    "PReLU",
    "RReLU",
    "masked_rows",
    "torch_linear_init",
]

ACTIVATIONS = ("relu", "prelu", "elu", "rrelu", "gelu", "leaky_relu", "tanh", "sigmoid",
               "identity")
NORMS = ("batch", "layer", "none")

ActivationLike = Union[str, Callable[[jnp.ndarray], jnp.ndarray]]


def masked_rows(x: jnp.ndarray, mask: Optional[jnp.ndarray]) -> jnp.ndarray:
  """``x`` with rows where ``mask`` (bool ``[N]``) is False set to 0; ``mask=None`` keeps ``x``."""
  if mask is None:
    return x
  return jnp.where(mask.reshape(mask.shape + (1,) * (x.ndim - 1)), x, jnp.zeros_like(x))


def check_activation(activation: ActivationLike, owner: str = "activation") -> None:
  """Raises ``ValueError`` unless ``activation`` is a known name or a callable."""
  if callable(activation):
    return
  if activation not in ACTIVATIONS:
    raise ValueError(f"{owner} must be one of {ACTIVATIONS} or a callable, got {activation!r}")


def check_norm(norm: str, owner: str = "norm") -> None:
  """Raises ``ValueError`` unless ``norm`` is one of :data:`NORMS`."""
  if norm not in NORMS:
    raise ValueError(f"{owner} must be one of {NORMS}, got {norm!r}")


def check_rate(rate: float, owner: str) -> None:
  """Raises ``ValueError`` unless ``0 <= rate < 1``."""
  if not 0.0 <= rate < 1.0:
    raise ValueError(f"{owner} must lie in [0, 1), got {rate}")


# ---------------------------------------------------------------------------------------------
# Linear maps
# ---------------------------------------------------------------------------------------------


def torch_linear_init(fan_in: int):
  """Initialiser ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: PyTorch ``nn.Linear`` weights and bias."""
  bound = 1.0 / float(max(fan_in, 1)) ** 0.5

  def init(key, shape, dtype=jnp.float32):
    return jax.random.uniform(key, shape, dtype, -bound, bound)

  return init


class Linear(nn.Module, kw_only=True):
  """Dense map ``x W (+ b)`` over the last axis with a choice of initialisation.

  Attributes:
    features: output width.
    use_bias: add a bias.
    weight_init: ``'torch'`` (weights and bias ``U(±1/sqrt(fan_in))``, PyTorch ``nn.Linear``),
      ``'glorot'`` (Glorot-uniform weights, zero bias; PyG graph convolutions, DGI's bilinear) or
      ``'glorot_relu'`` (Glorot-normal with gain sqrt(2), zero bias; DGL / GraphMAE ``GATConv``).

  Input ``[..., F_in]``, output ``[..., features]``. Params ``{'kernel': [F_in, features],
  'bias': [features]}``.
  """
  features: int
  use_bias: bool = True
  weight_init: str = "torch"

  def __post_init__(self):
    if self.weight_init not in ("torch", "glorot", "glorot_relu"):
      raise ValueError("weight_init must be 'torch', 'glorot' or 'glorot_relu', "
                       f"got {self.weight_init!r}")
    if int(self.features) < 1:
      raise ValueError(f"features must be a positive width, got {self.features}")
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jnp.ndarray, *, cols: Optional[jnp.ndarray] = None,
               return_params: bool = False):
    """``x W (+ b)``.

    Args:
      x: float ``[..., F_in]``.
      cols: optional int32 ``[N, K]`` column index of a 2-D ``x`` (:mod:`jgssl.models.sparse`):
        the product then reads only the listed columns of each row (same result).
      return_params: return ``(kernel [F_in, features], bias or None)`` instead of applying
        them (for layers that reorder the product, e.g. :class:`jgssl.models.GATConv`).
    """
    fan_in = x.shape[-1]
    if self.weight_init == "torch":
      k_init = b_init = torch_linear_init(fan_in)
    elif self.weight_init == "glorot":
      k_init, b_init = nn.initializers.glorot_uniform(), nn.initializers.zeros
    else:
      k_init = nn.initializers.variance_scaling(2.0, "fan_avg", "normal")
      b_init = nn.initializers.zeros
    kernel = self.param("kernel", k_init, (fan_in, int(self.features)), jnp.float32)
    if return_params:
      bias = (self.param("bias", b_init, (int(self.features),), jnp.float32) if self.use_bias
              else None)
      return kernel, bias
    if cols is not None and x.ndim == 2:
      from jgssl.models import sparse  # pylint: disable=import-outside-toplevel
      y = sparse.sparse_matmul(x, cols, kernel.astype(x.dtype))
    else:
      y = jnp.dot(x, kernel.astype(x.dtype))
    if self.use_bias:
      y = y + self.param("bias", b_init, (int(self.features),), jnp.float32).astype(x.dtype)
    return y


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------


class PReLU(nn.Module, kw_only=True):
  """Parametric ReLU ``max(x, 0) + a * min(x, 0)`` with one learnable slope ``a`` (He et al. 2015).

  Attributes:
    init_slope: initial ``a``; 0.25 as ``torch.nn.PReLU`` (DGI, BGRL, GraphMAE use it).

  Params ``{'slope': []}`` (a scalar).
  """
  init_slope: float = 0.25

  @nn.compact
  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    a = self.param("slope", nn.initializers.constant(self.init_slope), (), jnp.float32)
    return jnp.where(x >= 0, x, a.astype(x.dtype) * x)


class RReLU(nn.Module, kw_only=True):
  """Randomised leaky ReLU (Xu et al. 2015), as ``torch.nn.RReLU``.

  In training each element gets its own slope ``a ~ U(lower, upper)`` for negative inputs, drawn
  from the ``rng_collection`` rng stream (``'dropout'`` by default, so one training rng drives
  dropout and RReLU); in evaluation the slope is the mean ``(lower + upper) / 2``. Used by GCA's
  Amazon-Computers and Coauthor configs.

  Attributes:
    lower: lower bound of the slope (PyTorch default 1/8).
    upper: upper bound (PyTorch default 1/3).
    rng_collection: name of the rng stream used in training.
  """
  lower: float = 1.0 / 8.0
  upper: float = 1.0 / 3.0
  rng_collection: str = "dropout"

  def __post_init__(self):
    if not self.lower <= self.upper:
      raise ValueError(f"RReLU needs lower <= upper, got {self.lower} > {self.upper}")
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jnp.ndarray, *, training: bool = False) -> jnp.ndarray:
    if training:
      key = self.make_rng(self.rng_collection)
      a = jax.random.uniform(key, x.shape, x.dtype, self.lower, self.upper)
    else:
      a = jnp.asarray((self.lower + self.upper) / 2.0, x.dtype)
    return jnp.where(x >= 0, x, a * x)


class Activation(nn.Module, kw_only=True):
  """Activation by name (or any callable), so configs can pick it with a string.

  Attributes:
    kind: one of :data:`ACTIVATIONS` — ``'relu'``, ``'prelu'`` (learnable slope, init 0.25),
      ``'elu'``, ``'rrelu'`` (random slope in training, mean slope in eval), ``'gelu'`` (exact
      erf form, PyTorch's default), ``'leaky_relu'`` (slope 0.01), ``'tanh'``, ``'sigmoid'``,
      ``'identity'`` — or a callable ``f(x)``.

  ``__call__(x, *, training=False)`` maps ``[..., D]`` elementwise.
  """
  kind: ActivationLike = "relu"

  def __post_init__(self):
    check_activation(self.kind)
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jnp.ndarray, *, training: bool = False) -> jnp.ndarray:
    kind = self.kind
    if callable(kind):
      return kind(x)
    if kind == "relu":
      return jax.nn.relu(x)
    if kind == "prelu":
      return PReLU(name="prelu")(x)
    if kind == "elu":
      return jax.nn.elu(x)
    if kind == "rrelu":
      return RReLU(name="rrelu")(x, training=training)
    if kind == "gelu":
      return jax.nn.gelu(x, approximate=False)
    if kind == "leaky_relu":
      return jax.nn.leaky_relu(x, 0.01)
    if kind == "tanh":
      return jnp.tanh(x)
    if kind == "sigmoid":
      return jax.nn.sigmoid(x)
    return x  # identity


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


class MaskedBatchNorm(nn.Module, kw_only=True):
  """Batch normalisation over the rows where ``mask`` is True (Ioffe & Szegedy 2015).

  In training the mean and the biased variance are taken over present rows only, so padding and
  dropped nodes neither shift the statistics nor depend on how much padding there is; the output
  is ``scale * (x - mean) / sqrt(var + epsilon) + bias``. The running averages (collection
  ``'batch_stats'``, entries ``'mean'`` and ``'var'``) follow **PyTorch's momentum convention**::

    running = (1 - momentum) * running + momentum * batch_value

  with the *unbiased* variance ``var * n / (n - 1)`` for the running variance (``n`` = present
  rows; with ``n <= 1`` the biased value is used, and with ``n = 0`` the running averages are left
  unchanged). PyTorch's ``BatchNorm1d(momentum=0.1)`` is ``momentum=0.1`` here; Flax's
  ``nn.BatchNorm(momentum=0.9)`` corresponds to ``momentum=0.1``. G-BT's ``momentum=0.01`` is
  ``momentum=0.01``. The running averages are not updated while the module is initialised. In
  evaluation (``training=False``) the running averages normalise.

  Attributes:
    momentum: weight of the new batch statistic in the running average (PyTorch convention).
    epsilon: added to the variance (PyTorch default 1e-5).
    use_scale: learn ``scale`` (init 1).
    use_bias: learn ``bias`` (init 0).

  ``__call__(x [N, D], mask [N] | None, *, training)`` returns ``[N, D]``; rows where ``mask`` is
  False are set to 0 in the output.
  """
  momentum: float = 0.1
  epsilon: float = 1e-5
  use_scale: bool = True
  use_bias: bool = True

  def __post_init__(self):
    if not 0.0 <= self.momentum <= 1.0:
      raise ValueError(f"momentum must lie in [0, 1] (PyTorch convention), got {self.momentum}")
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jnp.ndarray, mask: Optional[jnp.ndarray] = None, *,
               training: bool = False) -> jnp.ndarray:
    if x.ndim != 2:
      raise ValueError(f"MaskedBatchNorm expects [N, D] rows, got shape {x.shape}")
    d = x.shape[-1]
    ra_mean = self.variable("batch_stats", "mean", lambda: jnp.zeros((d,), jnp.float32))
    ra_var = self.variable("batch_stats", "var", lambda: jnp.ones((d,), jnp.float32))
    if training:
      m = (jnp.ones(x.shape[0], bool) if mask is None else mask).astype(jnp.float32)[:, None]
      n = jnp.sum(m)
      safe_n = jnp.maximum(n, 1.0)
      mean = jnp.sum(x * m, axis=0) / safe_n
      var = jnp.sum(jnp.square(x - mean) * m, axis=0) / safe_n
      if not self.is_initializing():
        unbiased = var * n / jnp.maximum(n - 1.0, 1.0)
        update = n > 0
        new_mean = (1.0 - self.momentum) * ra_mean.value + self.momentum * mean
        new_var = (1.0 - self.momentum) * ra_var.value + self.momentum * unbiased
        ra_mean.value = jnp.where(update, new_mean, ra_mean.value)
        ra_var.value = jnp.where(update, new_var, ra_var.value)
    else:
      mean, var = ra_mean.value, ra_var.value
    y = (x - mean) * jax.lax.rsqrt(var + self.epsilon)
    if self.use_scale:
      y = y * self.param("scale", nn.initializers.ones, (d,), jnp.float32)
    if self.use_bias:
      y = y + self.param("bias", nn.initializers.zeros, (d,), jnp.float32)
    return masked_rows(y, mask)


class Norm(nn.Module, kw_only=True):
  """Normalisation by name: ``'batch'`` (:class:`MaskedBatchNorm`), ``'layer'`` or ``'none'``.

  ``'layer'`` normalises each row on its own over its features (``torch.nn.LayerNorm``, epsilon
  1e-5, as GraphMAE uses), so it needs no mask; ``'batch'`` takes statistics over present rows.

  Attributes:
    kind: one of :data:`NORMS`.
    momentum: batch-norm running-average momentum, PyTorch convention.
    epsilon: added to the variance.

  ``__call__(x [N, D], mask [N] | None, *, training)`` returns ``[N, D]``, zero on masked rows.
  """
  kind: str = "none"
  momentum: float = 0.1
  epsilon: float = 1e-5

  def __post_init__(self):
    check_norm(self.kind)
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jnp.ndarray, mask: Optional[jnp.ndarray] = None, *,
               training: bool = False) -> jnp.ndarray:
    if self.kind == "batch":
      return MaskedBatchNorm(momentum=self.momentum, epsilon=self.epsilon, name="bn")(
          x, mask, training=training)
    if self.kind == "layer":
      return masked_rows(nn.LayerNorm(epsilon=self.epsilon, name="ln")(x), mask)
    return masked_rows(x, mask)

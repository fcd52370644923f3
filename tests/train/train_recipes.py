"""Tiny self-contained methods for the engine tests (flax Dense + jgssl.graph + a few lines).

They depend on nothing but :mod:`jgssl.graph`, :mod:`jgssl.methods.base` and flax, so the engine
tests do not move when the real encoders and losses change.
"""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from jgssl import graph as graph_lib
from jgssl.methods import base


def random_graph(seed, num_nodes=24, num_feat=6, p=0.2):
  rng = np.random.default_rng(seed)
  a = np.triu(rng.random((num_nodes, num_nodes)) < p, 1)
  src, dst = np.nonzero(a)
  x = rng.normal(size=(num_nodes, num_feat)).astype(np.float32)
  return graph_lib.from_edge_index(np.stack([src, dst]), num_nodes=num_nodes, node_features=x)


def propagate(graph, h):
  """One GCN propagation ``Â h`` over present edges."""
  ew, sw = graph_lib.symmetric_norm_weights(graph)
  n = h.shape[0]
  msg = h[graph.senders] * ew[:, None]
  return jax.ops.segment_sum(msg, graph.receivers, num_segments=n) + sw[:, None] * h


class _Encoder(nn.Module):
  hidden: int
  use_bn: bool = False

  @nn.compact
  def __call__(self, graph, x, train: bool = True):
    h = nn.relu(propagate(graph, nn.Dense(self.hidden)(x)))
    if self.use_bn:
      h = nn.BatchNorm(use_running_average=not train, momentum=0.9)(
          h, mask=graph.nodes["mask"][:, None])
    return propagate(graph, nn.Dense(self.hidden)(h))


def _views(key, graph, rate):
  k1, k2, k3, k4 = jax.random.split(key, 4)
  out = []
  for ke, kf in ((k1, k2), (k3, k4)):
    keep_e = jax.random.bernoulli(ke, 1 - rate, graph.edges["mask"].shape)
    keep_f = jax.random.bernoulli(kf, 1 - rate, (graph.nodes["x"].shape[1],))
    g = graph._replace(edges={**graph.edges, "mask": graph.edges["mask"] & keep_e})
    out.append((g, graph.nodes["x"] * keep_f))
  return out


def _normalize(z):
  # rsqrt of a clamped square norm: finite gradient at zero rows (padding), unlike norm().
  return z * jax.lax.rsqrt(jnp.maximum(jnp.sum(z * z, axis=-1, keepdims=True), 1e-12))


def grace_rows(u, v, start, size, tau, mask):
  """GRACE loss rows of anchors u[start:start+size] (keys u, v), masked columns ignored."""
  ub = jax.lax.dynamic_slice_in_dim(u, start, size)
  vb = jax.lax.dynamic_slice_in_dim(v, start, size)
  inter = ub @ v.T / tau
  intra = ub @ u.T / tau
  col = jnp.arange(u.shape[0])[None, :]
  row = start + jnp.arange(size)[:, None]
  neg_inf = -1e9
  intra = jnp.where((col == row) | ~mask[None, :], neg_inf, intra)
  inter = jnp.where(mask[None, :], inter, neg_inf)
  pos = jnp.sum(ub * vb, axis=1) / tau
  return jax.nn.logsumexp(jnp.concatenate([inter, intra], axis=1), axis=1) - pos


@dataclasses.dataclass(frozen=True, kw_only=True)
class TinyNodeContrast:
  """GRACE-like node-level recipe: two views, 2-layer GCN, InfoNCE with intra-view negatives."""
  hidden: int = 8
  rate: float = 0.2
  tau: float = 0.5
  row_sharding = True

  def _net(self):
    return _Encoder(self.hidden)

  def init(self, key, graph):
    return {"params": self._net().init(key, graph, graph.nodes["x"])["params"]}

  def embed(self, variables, graph):
    return self._net().apply(variables, graph, graph.nodes["x"])

  def loss(self, variables, key, graph, *, row_axis=None):
    (g1, x1), (g2, x2) = _views(key, graph, self.rate)
    u = _normalize(self._net().apply(variables, g1, x1))
    v = _normalize(self._net().apply(variables, g2, x2))
    mask = graph.nodes["mask"]

    def rows(start, size):
      a = grace_rows(u, v, start, size, self.tau, mask)
      b = grace_rows(v, u, start, size, self.tau, mask)
      return 0.5 * (a + b)

    loss = base.sharded_row_mean(rows, mask, row_axis=row_axis)
    return loss, {"pos_sim": jnp.sum(jnp.where(mask, jnp.sum(u * v, 1), 0)) / jnp.sum(mask)}


@dataclasses.dataclass(frozen=True, kw_only=True)
class TinyGraphContrast:
  """Graph-level recipe with batch norm: pooled views contrasted across the graphs of a batch."""
  hidden: int = 8
  rate: float = 0.2
  tau: float = 0.5
  ema: float = 0.0  # > 0 keeps an EMA 'target' copy (exercises post_update)
  level = "graph"

  def _net(self):
    return _Encoder(self.hidden, use_bn=True)

  def init(self, key, graph):
    v = dict(self._net().init(key, graph, graph.nodes["x"], train=False))
    if self.ema:
      v["target"] = v["params"]
    return v

  def _pool(self, graph, h):
    seg = graph_lib.node_graph_index(graph)
    m = graph.nodes["mask"].astype(h.dtype)[:, None]
    g = graph.n_node.shape[0]
    s = jax.ops.segment_sum(h * m, seg, num_segments=g)
    return s / jnp.maximum(jax.ops.segment_sum(m, seg, num_segments=g), 1.0)

  def embed(self, variables, graph):
    return self._pool(graph, self._net().apply(variables, graph, graph.nodes["x"], train=False))

  def loss(self, variables, key, graph):
    (g1, x1), (g2, x2) = _views(key, graph, self.rate)
    h1, upd = self._net().apply(variables, g1, x1, mutable=["batch_stats"])
    h2, upd = self._net().apply({**variables, **upd}, g2, x2, mutable=["batch_stats"])
    u = _normalize(self._pool(graph, h1))
    v = _normalize(self._pool(graph, h2))
    gmask = graph.globals["mask"]
    rows = 0.5 * (grace_rows(u, v, 0, u.shape[0], self.tau, gmask)
                  + grace_rows(v, u, 0, u.shape[0], self.tau, gmask))
    loss = jnp.sum(jnp.where(gmask, rows, 0)) / jnp.maximum(jnp.sum(gmask), 1)
    return loss, {"updates": dict(upd)}

  def post_update(self, variables, *, step):
    if not self.ema:
      return variables
    return {**variables,
            "target": base.ema_update(variables["target"], variables["params"], decay=self.ema)}


@dataclasses.dataclass(frozen=True, kw_only=True)
class _CountingSteps(TinyNodeContrast):
  """TinyNodeContrast with a step counter in ``variables['counter']``; subclasses turn the
  1-based step number ``n`` into their effect in :meth:`react`."""

  def init(self, key, graph):
    return {**super().init(key, graph), "counter": {"n": jnp.zeros((), jnp.int32)}}

  def react(self, n, loss, aux):
    raise NotImplementedError

  def loss(self, variables, key, graph, *, row_axis=None):
    loss, aux = super().loss(variables, key, graph, row_axis=row_axis)
    n = variables["counter"]["n"] + 1
    loss, aux = self.react(n, loss, aux)
    return loss, {**aux, "updates": {"counter": {"n": n}}}


@dataclasses.dataclass(frozen=True, kw_only=True)
class NaNAfter(_CountingSteps):
  """TinyNodeContrast whose loss turns NaN from optimizer step ``nan_at`` (1-based) on."""
  nan_at: int = 3

  def react(self, n, loss, aux):
    return jnp.where(n >= self.nan_at, jnp.nan, loss), aux


@dataclasses.dataclass(frozen=True, kw_only=True)
class CountSteps(_CountingSteps):
  """TinyNodeContrast with the step counter and nothing else changed."""

  def react(self, n, loss, aux):
    return loss, aux


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScriptedLoss(_CountingSteps):
  """TinyNodeContrast whose loss *value* at optimizer step ``n`` (1-based) is ``losses[n - 1]``
  (the last entry from then on), with the real loss's gradient: the parameters train as usual
  while the value an :class:`jgssl.train.EarlyStopping` hook reads is scripted."""
  losses: tuple = (3.0, 2.0, 2.5)

  def react(self, n, loss, aux):
    values = jnp.asarray(self.losses, jnp.float32)
    scripted = values[jnp.minimum(n, len(self.losses)) - 1]
    return loss - jax.lax.stop_gradient(loss) + scripted, aux


@dataclasses.dataclass(frozen=True, kw_only=True)
class HugeGradAfter(_CountingSteps):
  """TinyNodeContrast whose loss is scaled by ``1e30`` from optimizer step ``blow_at`` on: the
  loss and the parameters stay finite, Adam's second moment (``g**2``) overflows to ``inf``."""
  blow_at: int = 3

  def react(self, n, loss, aux):
    return loss * jnp.where(n >= self.blow_at, 1e30, 1.0), aux

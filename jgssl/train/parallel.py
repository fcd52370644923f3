"""Meshes and placement helpers for the sharded train steps (``jax.sharding``).

Single host: ``mesh = make_mesh()`` spans :func:`jax.local_devices`. Multi-host: run the same
program on every host, call :func:`jax.distributed.initialize` (coordinator address, process
count and id, or the cluster's auto-detection) before anything else touches JAX, then
``make_mesh(jax.devices())`` spans every host's devices; replicated values (the state, a
node-level graph) are placed with :func:`replicate`, and each host passes only its own
graph-level batches to :func:`shard_batches`, which assembles the global array with
:func:`jax.make_array_from_process_local_data`.
"""

from __future__ import annotations

from typing import Optional, Sequence

import jax
import jax.numpy as jnp
import jraph
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

__all__ = ["make_mesh", "replicate", "shard_batches", "stack_graphs"]


def make_mesh(devices: Optional[Sequence[jax.Device]] = None, *, axis: str = "data") -> Mesh:
  """A one-axis :class:`Mesh` named ``axis`` over ``devices`` (default: all local devices)."""
  devices = list(jax.local_devices() if devices is None else devices)
  if not devices:
    raise ValueError("make_mesh needs at least one device")
  return Mesh(np.asarray(devices), (axis,))


def replicate(tree, mesh: Mesh):
  """Places every leaf of ``tree`` fully replicated on ``mesh``."""
  return jax.device_put(tree, NamedSharding(mesh, P()))


def stack_graphs(graphs: Sequence[jraph.GraphsTuple]) -> jraph.GraphsTuple:
  """Stacks padded graphs of one budget on a new leading axis (host side, numpy).

  Raises:
    ValueError: when the graphs do not share shapes (pad them to one budget first).
  """
  if not graphs:
    raise ValueError("stack_graphs needs at least one graph")
  shapes = [jax.tree_util.tree_map(np.shape, g) for g in graphs]
  if any(s != shapes[0] for s in shapes[1:]):
    raise ValueError("graphs to stack must be padded to the same budget; got differing shapes")
  return jax.tree_util.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *graphs)


def shard_batches(stacked: jraph.GraphsTuple, mesh: Mesh, *, axis: str = "data"):
  """Places stacked batches (leading replica axis) split over ``axis`` of ``mesh``.

  On one host the leading axis is the global one; on several hosts each host passes its local
  share and the global leading size is the sum over hosts.

  Raises:
    ValueError: when the local leading size is not a multiple of the local device count.
  """
  sharding = NamedSharding(mesh, P(axis))
  local = jax.tree_util.tree_leaves(stacked)[0].shape[0]
  n_local_dev = len([d for d in mesh.devices.flat if d.process_index == jax.process_index()])
  if local % n_local_dev:
    raise ValueError(f"{local} stacked batches do not split over {n_local_dev} local devices")
  if jax.process_count() == 1:
    return jax.device_put(stacked, sharding)
  return jax.tree_util.tree_map(
      lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x)), stacked)

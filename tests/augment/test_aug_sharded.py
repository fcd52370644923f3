"""Augmentations with loops run inside the data-parallel ``jax.shard_map`` step (2 CPU devices)."""

import os
import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent("""
    import jax, numpy as np
    from jax.sharding import NamedSharding, PartitionSpec as P
    from jgssl import augment, graph as G
    r = np.random.default_rng(0)
    gs = [G.from_edge_index(r.integers(0, 6, (2, 12)), num_nodes=6, node_features=np.ones((6, 2)))
          for _ in range(2)]
    pads = [G.pad_graph(g, G.PaddingBudget(8, 24, 2)) for g in gs]
    stacked = jax.tree_util.tree_map(lambda *a: np.stack(a), *pads)
    mesh = jax.make_mesh((2,), ("data",))
    stacked = jax.device_put(stacked, NamedSharding(mesh, P("data")))
    def view(key, g):
      g = jax.tree_util.tree_map(lambda a: a[0], g)
      sub = augment.sample_subgraph(key, g, rate=0.5)
      return sub.nodes["mask"][None]
    fn = jax.jit(jax.shard_map(view, mesh=mesh, in_specs=(P(), P("data")), out_specs=P("data")))
    masks = np.asarray(fn(jax.random.PRNGKey(0), stacked))
    print("kept", masks[:, :6].sum(1).tolist(), "padding", int(masks[:, 6:].sum()))
""")


def test_sample_subgraph_runs_in_data_parallel_shard_map():
  env = dict(os.environ, JAX_PLATFORMS="cpu",
             XLA_FLAGS="--xla_force_host_platform_device_count=2")
  proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                        env=env, timeout=300)
  assert proc.returncode == 0, proc.stderr[-2000:]
  # Each device keeps exactly half of its graph's 6 nodes; padding nodes stay absent.
  assert "kept [3, 3] padding 0" in proc.stdout, proc.stdout

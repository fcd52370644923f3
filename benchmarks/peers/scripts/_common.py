"""Shared plumbing of the PyTorch peer scripts (run inside ``benchmarks/peers/.venv``).

Each peer script builds its model with the public API of PyTorch Geometric (and PyGCL where
named), then calls :func:`time_epochs` with a ``train_step()`` closure doing one full epoch:
augmentation, forward, backward, optimizer step (and the EMA update where the method has one).
The script prints ONE JSON line prefixed with ``@@PEER@@`` (read by ``benchmarks/peers/run.py``).

Nothing here imports jgssl or JAX: these files run under the peer venv's interpreter.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
import types

RESULT_PREFIX = "@@PEER@@"
RAW_FILES = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")


def parse_args(description):
  """The common command line of every peer script."""
  p = argparse.ArgumentParser(description=description)
  p.add_argument("--raw", required=True,
                 help="folder holding Planetoid's raw ind.cora.* files (read only)")
  p.add_argument("--cache", required=True,
                 help="writable folder; Cora/raw is copied there and Planetoid's processed "
                      "files are written beside it")
  p.add_argument("--epochs", type=int, default=20, help="timed epochs (median reported)")
  p.add_argument("--warmup", type=int, default=2,
                 help="untimed epochs after the first one (the first is never timed)")
  p.add_argument("--threads", type=int, default=2, help="torch intra-op threads and CPU cores")
  p.add_argument("--seed", type=int, default=0)
  args = p.parse_args()
  if args.epochs < 1 or args.warmup < 0 or args.threads < 1:
    p.error(f"need epochs >= 1, warmup >= 0, threads >= 1; got {args.epochs}, {args.warmup}, "
            f"{args.threads}")
  return args


def limit_threads(threads):
  """Pins the process to ``threads`` cores (the first allowed ones) and sets torch's threads.

  The jgssl side pins itself the same way (``benchmarks.suites.run_jgssl_cora(threads=...)``),
  so both sides run on the same cores with the same thread count.
  """
  import torch  # pylint: disable=import-outside-toplevel
  cores = sorted(os.sched_getaffinity(0))
  if threads > len(cores):
    raise ValueError(f"threads={threads} but this process may only use {len(cores)} cores")
  os.sched_setaffinity(0, cores[:threads])
  torch.set_num_threads(threads)
  return cores[:threads]


def load_cora(raw, cache):
  """Cora as ``torch_geometric.data.Data`` (see :func:`load_planetoid`)."""
  return load_planetoid(raw, cache, "Cora")


def load_planetoid(raw, cache, name):
  """A Planetoid graph (``name``: ``Cora`` / ``CiteSeer``) as ``torch_geometric.data.Data``.

  Features are row-normalised (``NormalizeFeatures``, as GRACE's ``train.py``); ``train_mask`` /
  ``test_mask`` are the public split. The raw Planetoid files are copied from ``raw`` (the same
  files jgssl reads) into ``<cache>/<name>/raw`` so that
  :class:`torch_geometric.datasets.Planetoid` finds them and never downloads anything; its
  processed tensors are cached under ``<cache>/<name>/processed``.
  """
  import torch_geometric.transforms as T  # pylint: disable=import-outside-toplevel
  from torch_geometric.datasets import Planetoid  # pylint: disable=import-outside-toplevel
  dst = os.path.join(cache, name, "raw")
  os.makedirs(dst, exist_ok=True)
  for part in RAW_FILES:
    src = os.path.join(raw, f"ind.{name.lower()}.{part}")
    out = os.path.join(dst, f"ind.{name.lower()}.{part}")
    if not os.path.exists(src):
      raise FileNotFoundError(f"{name} raw file missing: {src}")
    if not os.path.exists(out) or os.path.getsize(out) != os.path.getsize(src):
      shutil.copyfile(src, out)
  dataset = Planetoid(cache, name=name, transform=T.NormalizeFeatures())
  return dataset[0]


def _raising(name, what):
  def fail(*args, **kwargs):
    raise NotImplementedError(
        f"{name}.{what} is a stub of benchmarks/peers (the real package is not installed); the "
        f"peer benchmarks never call it")
  return fail


def import_pygcl():
  """Imports PyGCL (``GCL``) 0.1.2 on a current PyTorch Geometric, returns the module.

  PyGCL's ``__init__`` imports every submodule, and three of them import packages that PyGCL does
  not declare and that have no wheel for a current torch: ``dgl`` (``GCL.utils``),
  ``torch_scatter`` and ``torch_sparse`` (``GCL.augmentors.functional``,
  ``GCL.models.samplers``). None of them is used by the classes these benchmarks call
  (``EdgeRemoving``, ``FeatureMasking``, ``Compose``, ``DualBranchContrast``,
  ``SingleBranchContrast``, ``BootstrapContrast``, ``InfoNCE``, ``JSD``, ``BootstrapLatent``), so
  where a package is missing an empty stand-in module is registered whose functions raise
  ``NotImplementedError`` if ever called. PyG is imported first, so PyG's own optional-dependency
  detection still sees the packages as absent.
  """
  import torch_geometric  # pylint: disable=import-outside-toplevel,unused-import
  import importlib  # pylint: disable=import-outside-toplevel
  stubs = {
      "dgl": {"DGLGraph": type("DGLGraph", (), {}), "graph": _raising("dgl", "graph")},
      "torch_scatter": {"scatter": _raising("torch_scatter", "scatter")},
      "torch_sparse": {"SparseTensor": type("SparseTensor", (), {}),
                       "coalesce": _raising("torch_sparse", "coalesce")},
  }
  stubbed = []
  for name, attrs in stubs.items():
    try:
      importlib.import_module(name)
    except ImportError:
      module = types.ModuleType(name)
      module.__dict__.update(attrs)
      sys.modules[name] = module
      stubbed.append(name)
  import GCL  # pylint: disable=import-outside-toplevel
  GCL.stubbed_dependencies = tuple(stubbed)
  return GCL


def peak_rss_mb():
  """Peak resident set size of this process in MiB (``ru_maxrss`` is KiB on Linux)."""
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s():
  r = resource.getrusage(resource.RUSAGE_SELF)
  return r.ru_utime + r.ru_stime


def time_epochs(train_step, *, epochs, warmup):
  """Runs ``1 + warmup`` untimed epochs, then ``epochs`` timed ones.

  Args:
    train_step: zero-argument callable doing one epoch and returning the loss as a float (calling
      ``loss.item()`` is the synchronisation point, as in the official training loops).
    epochs: timed epochs.
    warmup: untimed epochs after the first one.

  Returns:
    dict with ``epoch_times_s``, ``median_epoch_s``, ``first_epoch_s``, ``final_loss``,
    ``cpu_per_wall`` (process CPU seconds / wall seconds over the timed epochs: at most the
    thread count when the limit holds).
  """
  t0 = time.perf_counter()
  loss = train_step()
  first = time.perf_counter() - t0
  for _ in range(warmup):
    loss = train_step()
  times = []
  c0, w0 = _cpu_s(), time.perf_counter()
  for _ in range(epochs):
    t0 = time.perf_counter()
    loss = train_step()
    times.append(time.perf_counter() - t0)
  cpu, wall = _cpu_s() - c0, time.perf_counter() - w0
  return {
      "epoch_times_s": [round(t, 5) for t in times],
      "median_epoch_s": statistics.median(times),
      "first_epoch_s": first,
      "final_loss": float(loss),
      "cpu_per_wall": cpu / wall if wall > 0 else None,
  }


def report(name, args, cores, timing, **extra):
  """Prints the result line read by ``benchmarks/peers/run.py``."""
  import torch  # pylint: disable=import-outside-toplevel
  import torch_geometric  # pylint: disable=import-outside-toplevel
  out = {
      "peer": name,
      **timing,
      "peak_rss_mb": peak_rss_mb(),
      "threads": torch.get_num_threads(),
      "cores": cores,
      "torch": torch.__version__,
      "torch_geometric": torch_geometric.__version__,
      "epochs": args.epochs,
      "warmup": args.warmup,
      **extra,
  }
  print(RESULT_PREFIX + json.dumps(out), flush=True)


def start(doc, *, pygcl=False):
  """The opening every peer script shares: its command line, the thread / core limit, the seed
  and Cora. Returns ``(args, cores, data, GCL)`` (``GCL`` the PyGCL module with ``pygcl``, else
  ``None``)."""
  import torch  # pylint: disable=import-outside-toplevel
  args = parse_args(doc.splitlines()[0])
  cores = limit_threads(args.threads)
  gcl = import_pygcl() if pygcl else None
  torch.manual_seed(args.seed)
  return args, cores, load_cora(args.raw, args.cache), gcl


def finish(name, args, cores, train_step, *, num_nodes, num_edges, **extra):
  """Times ``train_step`` (:func:`time_epochs`) and prints the result line (:func:`report`)."""
  timing = time_epochs(train_step, epochs=args.epochs, warmup=args.warmup)
  report(name, args, cores, timing, num_nodes=num_nodes, num_edges=int(num_edges), **extra)


def drop_feature(x, drop_prob):
  """GRACE's / BGRL's column-wise feature masking: the same random columns zeroed for every
  node (CRIPAC-DIG/GRACE ``model.drop_feature``)."""
  import torch  # pylint: disable=import-outside-toplevel
  drop_mask = torch.empty((x.size(1),), dtype=torch.float32,
                          device=x.device).uniform_(0, 1) < drop_prob
  x = x.clone()
  x[:, drop_mask] = 0
  return x

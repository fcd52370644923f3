"""Benchmark suites: time jgssl's jitted training step the way the launcher builds it.

Every suite measures one node-level method on one padded full graph:

* **epoch time** — one full jitted training step (augmentations, encoder, loss, gradient,
  optimizer update, EMA / post-update) per epoch, ``jax.block_until_ready`` on the new state,
  ``warmup`` untimed epochs after the compiling call, then the median of ``epochs`` timed ones;
* **compile time** — wall time of the first call minus one steady-state epoch (tracing + lowering
  + XLA compilation), and XLA's own backend compile time from :mod:`jax.monitoring`;
* **compilations** — backend compilations of the training step *counted* with a
  :mod:`jax.monitoring` listener over the whole training loop (first call included), plus the
  jitted step's own cache size: both must be 1;
* **peak RSS** — ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the process. XLA's buffers
  live outside Python's allocator, so only the process peak sees them; run each suite in a fresh
  process (``python -m benchmarks.run`` does) so that peaks do not mix;
* **FLOPs per epoch** — XLA's cost analysis of the compiled step
  (``step.lower(state, graph).compile().cost_analysis()['flops']``).

:func:`run_jgssl_cora` is the public entry point other benchmark scripts import (e.g.
``benchmarks/peers``): its signature and result keys are stable.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

__all__ = [
    "CORA_METHODS",
    "CompileCounter",
    "SCALING_METHODS",
    "SCALING_SIZES",
    "cora_setup",
    "csbm_graph",
    "dense_similarity_bytes",
    "matmul_gflops",
    "peak_rss_mb",
    "run_jgssl_cora",
    "run_node_suite",
    "run_scaling",
]

#: Methods with a ``cora`` variant in ``experiments/configs`` timed by the Cora suite.
CORA_METHODS = ("grace", "dgi", "bgrl", "graphmae")

_BACKEND_COMPILE = "/jax/core/compile/backend_compile_duration"
_TRACE = "/jax/core/compile/jaxpr_trace_duration"
_LOWER = "/jax/core/compile/jaxpr_to_mlir_module_duration"


def device_peak_mb() -> Optional[float]:
  """Peak bytes in use on the first accelerator, in MiB; ``None`` on CPU (no allocator stats)."""
  import jax  # pylint: disable=import-outside-toplevel
  dev = jax.local_devices()[0]
  stats = dev.memory_stats() if dev.platform != "cpu" else None
  if not stats or "peak_bytes_in_use" not in stats:
    return None
  return stats["peak_bytes_in_use"] / 2**20


def peak_rss_mb() -> float:
  """Peak resident set size of this process in MiB (``ru_maxrss``; KiB on Linux)."""
  peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
  return peak / (2**20 if sys.platform == "darwin" else 2**10)


class CompileCounter:
  """Counts XLA backend compilations (and sums compile-phase durations) while active.

  Uses :func:`jax.monitoring.register_event_duration_secs_listener`: JAX records one
  ``/jax/core/compile/backend_compile_duration`` event per executable it compiles (cache hits
  record none).

  Usage::

    with CompileCounter() as cc:
      ...
    cc.compilations, cc.backend_compile_s
  """

  def __init__(self):
    self.compilations = 0
    self.backend_compile_s = 0.0
    self.trace_s = 0.0
    self.lower_s = 0.0
    self._active = False

  def _listener(self, event: str, duration: float, **kwargs) -> None:
    del kwargs
    if not self._active:
      return
    if event == _BACKEND_COMPILE:
      self.compilations += 1
      self.backend_compile_s += duration
    elif event == _TRACE:
      self.trace_s += duration
    elif event == _LOWER:
      self.lower_s += duration

  def __enter__(self) -> "CompileCounter":
    import jax.monitoring  # pylint: disable=import-outside-toplevel
    jax.monitoring.register_event_duration_secs_listener(self._listener)
    self._active = True
    return self

  def __exit__(self, *exc) -> None:
    self._active = False
    import jax.monitoring  # pylint: disable=import-outside-toplevel
    with contextlib.suppress(Exception):
      jax.monitoring.unregister_event_duration_listener(self._listener)


def _limit_threads(threads: Optional[int]) -> Optional[List[int]]:
  """Pins this process to ``threads`` CPU cores (``sched_setaffinity``); returns the cores."""
  if threads is None:
    return None
  if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
    raise ValueError(f"threads must be a positive int or None, got {threads!r}")
  cores = sorted(os.sched_getaffinity(0))
  if threads > len(cores):
    raise ValueError(f"threads={threads} but this process may only use {len(cores)} cores")
  chosen = cores[:threads]
  os.sched_setaffinity(0, chosen)
  return chosen


def _flops(step_factory, method, state, *inputs) -> Optional[float]:
  """XLA's FLOP count of one compiled step (``None`` when the backend gives none).

  Lowered under :func:`jgssl.models.assume_valid_index` so that a sparse first layer counts the
  sparse product it executes, not its dense fallback branch (XLA's cost analysis of a
  ``cond`` counts the larger branch); a fresh step is built so that nothing traced before is
  reused. The harness checks the index is valid for the graph (:func:`run_node_suite`).
  """
  from jgssl import models  # pylint: disable=import-outside-toplevel
  # (getattr: the harness also times older jgssl trees, which have no sparse layer.)
  assume_valid = getattr(models, "assume_valid_index", contextlib.nullcontext)
  try:
    with assume_valid():
      cost = step_factory(method).lower(state, *inputs).compile().cost_analysis()
  except Exception:  # pylint: disable=broad-except
    return None
  if isinstance(cost, (list, tuple)):
    cost = cost[0] if cost else None
  if not cost or "flops" not in cost:
    return None
  return float(cost["flops"])


def run_node_suite(name: str, method, tx, graph, *, seed: int = 0, epochs: int = 20,
                   warmup: int = 2, flops: bool = True,
                   step_factory: Optional[Callable] = None, aot: bool = False
                   ) -> Dict[str, Any]:
  """Times the jitted training step of a node-level ``method`` on one padded ``graph``.

  Args:
    name: label stored under ``'method'``.
    method: a :class:`jgssl.methods.Method`.
    tx: the optax optimizer.
    graph: a padded :class:`jraph.GraphsTuple` (numpy or device arrays).
    seed: PRNG seed of the train state.
    epochs: timed epochs (one step each); the median is reported.
    warmup: untimed epochs after the compiling first call.
    flops: also compile the step once more for XLA's cost analysis (outside the timed and
      counted window).
    step_factory: ``method -> step``; defaults to ``jgssl.train.make_train_step`` with the
      launcher's settings (strategy ``'single'``, donated state).
    aot: compile ahead of time (``step.lower(...).compile()``, timed as ``compile_s``) and run
      every epoch on the compiled executable, so no epoch is spent compiling (large graphs,
      where one epoch takes minutes). Otherwise the first call compiles and ``compile_s`` is
      its time minus the median epoch.

  Returns:
    A dict with ``method``, ``epoch_times_s`` (list), ``median_epoch_s``, ``compile_s``,
    ``compile_cpu_s`` and ``median_epoch_cpu_s`` (process CPU seconds, robust to a shared
    machine), ``backend_compile_s``, ``compilations`` (counted backend compilations of the training
    loop), ``step_cache_size`` (the jitted step's cache entries), ``peak_rss_mb``,
    ``flops_per_epoch``, ``final_loss``, ``loss_finite``, ``num_nodes``, ``num_edges`` (padded),
    ``device_peak_mb`` (accelerator peak, ``None`` on CPU), ``load_avg`` (1, 5, 15 min before
    and after), ``backend``.
  """
  import jax  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel
  from jgssl import train  # pylint: disable=import-outside-toplevel
  try:
    from jgssl.methods.contract import prepare_side  # pylint: disable=import-outside-toplevel
  except ImportError:  # the harness also times older jgssl trees, whose methods have no side input
    prepare_side = lambda method, graph: None

  if epochs < 1 or warmup < 0:
    raise ValueError(f"need epochs >= 1 and warmup >= 0, got epochs={epochs}, warmup={warmup}")
  load_before = os.getloadavg()
  cols = graph.nodes.get("x_cols") if isinstance(graph.nodes, dict) else None
  if cols is not None:  # the index must cover x (else the FLOP count would be wrong)
    x = np.asarray(graph.nodes["x"])
    listed = np.take_along_axis(x, np.minimum(np.asarray(cols), x.shape[1] - 1), axis=1)
    listed = np.where(np.asarray(cols) < x.shape[1], listed, 0)
    if not np.array_equal((x != 0).sum(1), (listed != 0).sum(1)):
      raise ValueError("nodes['x_cols'] does not cover the non-zeros of nodes['x']")
  graph = jax.device_put(graph)
  state = train.create_train_state(jax.random.PRNGKey(seed), method, tx, graph)
  # The method's side input (MVGRL's diffusion), computed once outside the timed steps.
  side = prepare_side(method, graph)
  inputs = (graph,) if side is None else (graph, side)
  step_factory = step_factory or (lambda m: train.make_train_step(m))
  step = step_factory(method)
  jax.block_until_ready(state)

  times, cpu_times = [], []
  with CompileCounter() as cc:
    t0, c0 = time.perf_counter(), time.process_time()
    if aot:
      step = step.lower(state, *inputs).compile()
    else:
      state, metrics = step(state, *inputs)
      jax.block_until_ready((state, metrics))
    first_s, first_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    for _ in range(warmup):
      state, metrics = step(state, *inputs)
      jax.block_until_ready((state, metrics))
    for _ in range(epochs):
      t0, c0 = time.perf_counter(), time.process_time()
      state, metrics = step(state, *inputs)
      jax.block_until_ready((state, metrics))
      times.append(time.perf_counter() - t0)
      cpu_times.append(time.process_time() - c0)
  median = statistics.median(times)
  median_cpu = statistics.median(cpu_times)
  cache_size = step._cache_size() if hasattr(step, "_cache_size") else None  # pylint: disable=protected-access
  memory = step.memory_analysis() if aot else None
  result = {
      "method": name,
      "epoch_times_s": [round(t, 5) for t in times],
      "median_epoch_s": median,
      "compile_s": first_s if aot else max(first_s - median, 0.0),
      # CPU seconds of this process: far less sensitive than wall time to other processes
      # sharing the cores (compilation is mostly single-threaded).
      "compile_cpu_s": first_cpu_s if aot else max(first_cpu_s - median_cpu, 0.0),
      "median_epoch_cpu_s": median_cpu,
      "xla_temp_mb": (memory.temp_size_in_bytes / 2**20 if memory is not None else None),
      "first_call_s": first_s,
      "backend_compile_s": cc.backend_compile_s,
      "trace_lower_s": cc.trace_s + cc.lower_s,
      "compilations": cc.compilations,
      "step_cache_size": cache_size,
      "final_loss": float(metrics["loss"]),
      "loss_finite": bool(metrics["finite"]),
      "num_nodes": int(jax.tree_util.tree_leaves(graph.nodes["mask"])[0].shape[0]),
      "num_edges": int(graph.senders.shape[0]),
      "backend": jax.default_backend(),
  }
  result["flops_per_epoch"] = _flops(step_factory, method, state, *inputs) if flops else None
  result["peak_rss_mb"] = peak_rss_mb()
  result["device_peak_mb"] = device_peak_mb()
  result["load_avg"] = {"before": list(load_before), "after": list(os.getloadavg())}
  return result


def _base_tree_graph(config):
  """The launcher's node-level graph in trees before ``experiments.train.node_training_graph``
  (the "base" rows of RESULTS.md: run this harness from a checkout of 601e7cd)."""
  import jax  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel
  from experiments import common  # pylint: disable=import-outside-toplevel
  from jgssl import data, graph as graph_lib  # pylint: disable=import-outside-toplevel
  g = data.load(config.dataset).graph
  g = g._replace(nodes={**g.nodes, "x": common.normalize_features(g.nodes["x"], config.features)})
  protocol = common.get_protocol(config.eval.protocol)
  if protocol.prepare is not None:
    g, _ = protocol.prepare(int(config.seed), g, config.eval)
  return jax.tree_util.tree_map(np.asarray, graph_lib.pad_graph(g, graph_lib.budget_for(g)))


def cora_setup(method: str, *, variant: str = "cora", overrides=(), sparse: bool = True):
  """``(config, method object, optimizer, padded graph)`` exactly as ``experiments.train`` builds
  them for a node-level config (feature normalisation, padding budget, optimizer).

  With ``sparse`` the graph also gets the optional sparse column index of its features
  (:func:`jgssl.models.with_sparse_features`, a no-op for dense features).
  """
  from experiments import common  # pylint: disable=import-outside-toplevel
  from experiments import train as train_lib  # pylint: disable=import-outside-toplevel

  path = common.find_config_file(method)
  config = common.load_config(f"{path}:{variant}", overrides)
  plan = common.validate(config)
  if plan.level != "node":
    raise ValueError(f"{method}:{variant} is a {plan.level}-level config; the Cora suite times "
                     f"node-level methods")
  if hasattr(train_lib, "node_training_graph"):
    padded, _ = train_lib.node_training_graph(config, train_lib.load_dataset(config, "node"),
                                              sparse=sparse)
  else:  # the "base" tree of RESULTS.md (601e7cd) predates it and the sparse layer
    padded = _base_tree_graph(config)
  tx = common.optimizer_factory(config)(total_steps=config.epochs)
  return config, plan.method, tx, padded


def run_jgssl_cora(method: str, *, variant: str = "cora", epochs: int = 20, warmup: int = 2,
                   threads: Optional[int] = None, overrides: Sequence[str] = ()) -> dict:
  """Times jgssl's training step for ``experiments/configs/<method>.py:<variant>``.

  The method, optimizer, feature normalisation and padded graph are built as
  ``python -m experiments.train --config experiments/configs/<method>.py:<variant>`` builds
  them (same hyperparameters, one step per epoch, donated state).

  Args:
    method: a config name with a node-level ``variant``, e.g. ``'grace'``, ``'dgi'``,
      ``'bgrl'``, ``'graphmae'``, ``'mvgrl'``.
    variant: the config variant (default ``'cora'``).
    epochs: timed epochs (median reported).
    warmup: untimed epochs after the compiling call.
    threads: pin the process to this many CPU cores (``os.sched_setaffinity``; affects the rest
      of the process too), or ``None`` to leave the affinity alone.
    overrides: ``--config.`` overrides (``'model.pot_kappa=0.0'``).

  Returns:
    ``{'method', 'epoch_times_s': [...], 'median_epoch_s', 'compile_s', 'compilations',
    'peak_rss_mb', 'flops_per_epoch', ...}`` (see :func:`run_node_suite` for the extra keys).
    ``peak_rss_mb`` is the whole process's peak: call this in a fresh process.
  """
  cores = _limit_threads(threads)
  config, method_obj, tx, padded = cora_setup(method, variant=variant,
                                              overrides=tuple(overrides))
  result = run_node_suite(method, method_obj, tx, padded, seed=int(config.seed), epochs=epochs,
                          warmup=warmup)
  result["config"] = f"experiments/configs/{method}.py:{variant}"
  result["overrides"] = list(overrides)
  result["threads"] = threads
  result["cores"] = cores
  return result


#: Scaling suite: method -> ``(config file, variant, overrides)``; the Cora hyperparameters, with
#: GRACE's exact chunked InfoNCE (no negative sub-sampling).
SCALING_METHODS = {
    "grace": ("grace", "cora", ("model.chunk_size=1024",)),
    "bgrl": ("bgrl", "cora", ()),
    "graphmae": ("graphmae", "cora", ()),
}
SCALING_SIZES = (10_000, 20_000, 50_000, 100_000, 200_000)


def csbm_graph(num_nodes: int, *, seed: int = 0, num_features: int = 128, num_blocks: int = 10,
               avg_degree: float = 10.0, homophily: float = 0.8, feature_signal: float = 2.0):
  """A padded contextual-SBM graph (:func:`jgssl.data.synthetic.contextual_sbm`), numpy leaves."""
  import jax  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel
  from jgssl import graph as graph_lib  # pylint: disable=import-outside-toplevel
  from jgssl.data import synthetic  # pylint: disable=import-outside-toplevel
  ds = synthetic.contextual_sbm(seed, num_nodes=num_nodes, num_blocks=num_blocks,
                                avg_degree=avg_degree, homophily=homophily,
                                num_features=num_features, feature_signal=feature_signal)
  g = ds.graph
  return jax.tree_util.tree_map(np.asarray, graph_lib.pad_graph(g, graph_lib.budget_for(g)))


def run_scaling(method: str, num_nodes: int, *, epochs: int = 2, warmup: int = 0,
                seed: int = 0) -> dict:
  """Times ``method`` (:data:`SCALING_METHODS`) on a ``num_nodes``-node contextual SBM.

  Same measurements as :func:`run_jgssl_cora` (median epoch, compile, compilations, peak RSS),
  compiled ahead of time (``aot``: no epoch pays for compilation), plus ``xla_temp_mb`` (XLA's
  planned temporary buffers of the compiled step) and the graph's size. FLOPs are not
  re-derived (an extra compile per size); call in a fresh process.
  """
  from experiments import common  # pylint: disable=import-outside-toplevel
  name, variant, overrides = SCALING_METHODS[method]
  config = common.load_config(f"{common.find_config_file(name)}:{variant}", overrides)
  plan = common.validate(config)
  t0 = time.perf_counter()
  graph = csbm_graph(num_nodes, seed=seed)
  build_s = time.perf_counter() - t0
  tx = common.optimizer_factory(config)(total_steps=config.epochs)
  result = run_node_suite(method, plan.method, tx, graph, seed=seed, epochs=epochs,
                          warmup=warmup, flops=False, aot=True)
  result.update(num_real_nodes=num_nodes, graph_build_s=build_s,
                config=f"experiments/configs/{name}.py:{variant} " + " ".join(overrides))
  return result


def dense_similarity_bytes(num_nodes: int, *, dim: int = 128) -> dict:
  """Memory of the *dense* GRACE similarity at ``num_nodes`` rows, computed without running it.

  Returns ``{'per_matrix_gb', 'xla_temp_gb'}``: one ``N x N`` float32 matrix, and XLA's planned
  temporary buffers for the value and gradient of jgssl's dense :func:`jgssl.losses.grace_loss`
  (compiled on abstract shapes, nothing allocated). A dense peer (PyG GRACE keeps at least the
  two ``N x N`` similarity matrices of each direction and their exponentials) needs a multiple
  of ``per_matrix_gb``.
  """
  import jax  # pylint: disable=import-outside-toplevel
  import jax.numpy as jnp  # pylint: disable=import-outside-toplevel
  from jgssl import losses  # pylint: disable=import-outside-toplevel

  def f(u, v):
    return jnp.mean(losses.grace_loss(u, v, temperature=0.4))

  spec = jax.ShapeDtypeStruct((num_nodes, dim), jnp.float32)
  temp = None
  try:
    mem = jax.jit(jax.value_and_grad(f, argnums=(0, 1))).lower(spec, spec).compile()
    mem = mem.memory_analysis()
    temp = None if mem is None else mem.temp_size_in_bytes / 1e9
  except Exception:  # pylint: disable=broad-except
    temp = None
  return {"per_matrix_gb": num_nodes * num_nodes * 4 / 1e9, "xla_temp_gb": temp}


def matmul_gflops(*, sizes=((2048, 2048, 2048), (2709, 1433, 256), (2709, 128, 2709)),
                  repeats: int = 10) -> dict:
  """This machine's float32 matmul throughput through XLA (best and median GFLOP/s per shape).

  ``sizes`` are ``(m, k, n)``: a square one and the two shapes that dominate the Cora suites
  (first layer ``N x F x 2h``, similarity ``N x d x N``). ``peak_gflops`` is the best median
  (wall clock); ``peak_cpu_gflops`` the best median per *CPU second* of this process (all its
  threads), which other processes on a shared machine barely change.
  """
  import jax  # pylint: disable=import-outside-toplevel
  import jax.numpy as jnp  # pylint: disable=import-outside-toplevel
  out = {}
  for m, k, n in sizes:
    a = jax.random.normal(jax.random.PRNGKey(0), (m, k), jnp.float32)
    b = jax.random.normal(jax.random.PRNGKey(1), (k, n), jnp.float32)
    f = jax.jit(lambda a, b: a @ b)
    jax.block_until_ready(f(a, b))
    times, cpu = [], []
    for _ in range(repeats):
      t0, c0 = time.perf_counter(), time.process_time()
      jax.block_until_ready(f(a, b))
      times.append(time.perf_counter() - t0)
      cpu.append(time.process_time() - c0)
    flops = 2.0 * m * k * n
    out[f"{m}x{k}x{n}"] = {"best_gflops": flops / min(times) / 1e9,
                           "median_gflops": flops / statistics.median(times) / 1e9,
                           "median_cpu_gflops": flops / max(statistics.median(cpu), 1e-9) / 1e9}
  peak = max(v["median_gflops"] for v in out.values())
  peak_cpu = max(v["median_cpu_gflops"] for v in out.values())
  return {"shapes": out, "peak_gflops": peak, "peak_cpu_gflops": peak_cpu,
          "load_avg": list(os.getloadavg()), "backend": jax.default_backend()}


def _main(argv=None) -> int:
  """``python -m benchmarks.suites '<json call>'``: runs one suite, prints its JSON last."""
  import argparse  # pylint: disable=import-outside-toplevel
  parser = argparse.ArgumentParser(description="run one benchmark suite in this process")
  parser.add_argument("call", help='JSON {"fn": name, "kwargs": {...}}')
  args = parser.parse_args(argv)
  call = json.loads(args.call)
  fn = _CALLABLE[call["fn"]]()
  result = fn(**call.get("kwargs", {}))
  print("@@RESULT@@" + json.dumps(result), flush=True)
  return 0


def chunked_infonce(*, n: int = 50_000, d: int = 128, chunk: int = 1024,
                    check_n: int = 4_000) -> dict:
  """The memory-bounded InfoNCE benchmark (:mod:`benchmarks.chunked_infonce`) as a suite."""
  from benchmarks import chunked_infonce as bench  # pylint: disable=import-outside-toplevel
  return bench.main(["--n", str(n), "--d", str(d), "--chunk", str(chunk), "--key-chunk",
                     str(chunk), "--check-n", str(check_n)])


_CALLABLE = {
    "chunked_infonce": lambda: chunked_infonce,
    "run_jgssl_cora": lambda: run_jgssl_cora,
    "run_scaling": lambda: run_scaling,
    "dense_similarity_bytes": lambda: dense_similarity_bytes,
    "matmul_gflops": lambda: matmul_gflops,
}

if __name__ == "__main__":
  sys.exit(_main())

"""Where does a training step spend its time? Per-HLO-op profile of one Cora suite.

Traces ``--steps`` jitted training steps with :func:`jax.profiler.trace`, reads the XSpace back
with :class:`jax.profiler.ProfileData`, sums the duration of every XLA CPU thunk (fusion, dot,
gather, scatter, copy ...) over the executor threads and maps each op to the JAX operation that
produced it (``metadata.op_name`` of the compiled HLO, e.g.
``jit(body)/transpose(jvp(_Network))/encoder/conv_0/linear/dot_general``). Op times are summed
over threads, so they add up to CPU time, not wall time; control-flow thunks (``cond``,
``while``) are left out because their bodies' ops are counted themselves.

Usage::

  python -m benchmarks.profile --method grace [--steps 3] [--top 30] [--out prof.json]

Groups: ops are also bucketed by the module path in their name (``encoder/conv_0``,
``head``, ``decoder``, the loss when no module is named, ...) and by direction (forward
``jvp`` vs backward ``transpose``).
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
import tempfile
from typing import Dict, Optional

_SKIP = ("ThreadpoolListener", "ThunkExecutor", "end: ")
# Control-flow thunks enclose the ops of their bodies, which are recorded on their own.
_CONTAINER = re.compile(r"^(cond|while|conditional|call)(\.\d+)*(\.clone)?$")
_META = re.compile(r"^\s*(?:ROOT\s+)?%?([\w.\-]+)\s*=.*?metadata=\{[^}]*?op_name=\"([^\"]*)\"")


def _op_names(hlo_text: str) -> Dict[str, str]:
  names = {}
  for line in hlo_text.splitlines():
    m = _META.match(line)
    if m:
      names[m.group(1)] = m.group(2)
  return names


def _group(op_name: str) -> str:
  """``'fwd encoder/conv_0'`` style bucket of a JAX op name."""
  direction = "bwd" if "transpose(" in op_name else "fwd"
  parts = [p for p in op_name.split("/") if p]
  modules = [re.sub(r"^(jvp|transpose)\(|\)+$", "", p) for p in parts[1:-1]]
  modules = [m for m in modules if m and not m.startswith(("jit(", "jvp(", "transpose("))
             and m not in ("jvp()", "transpose(jvp())")]
  where = "/".join(modules[:2]) if modules else "(loss / augment / optimizer)"
  return f"{direction} {where}"


def profile_step(step, state, graph, *, steps: int = 3, trace_dir: Optional[str] = None,
                 side=None):
  """Profiles ``steps`` calls of a compiled ``step(state, graph, side)``; returns
  ``(state, report)``. ``side`` is the method's ``prepare`` output (MVGRL's diffusion), if any.

  ``report`` has ``ms_per_step`` (CPU time summed over XLA threads), ``ops`` (list of
  ``{'op', 'ms', 'calls', 'jax_op'}``, largest first) and ``groups`` (``{group: ms}``).
  """
  import jax  # pylint: disable=import-outside-toplevel
  for _ in range(2):
    state, metrics = step(state, graph, side)
    jax.block_until_ready((state, metrics))
  trace_dir = trace_dir or tempfile.mkdtemp(prefix="jgssl_prof_")
  jax.profiler.start_trace(trace_dir)
  for _ in range(steps):
    state, metrics = step(state, graph, side)
    jax.block_until_ready((state, metrics))
  jax.profiler.stop_trace()
  files = sorted(glob.glob(os.path.join(trace_dir, "**", "*.xplane.pb"), recursive=True),
                 key=os.path.getmtime)
  data = jax.profiler.ProfileData.from_file(files[-1])
  total = collections.Counter()
  calls = collections.Counter()
  for plane in data.planes:
    for line in plane.lines:
      if not line.name.startswith("tf_XLA"):
        continue
      for ev in line.events:
        if ev.name.startswith(_SKIP) or _CONTAINER.match(ev.name):
          continue
        total[ev.name] += ev.duration_ns
        calls[ev.name] += 1
  names = _op_names(step.lower(state, graph).compile().as_text())
  ops = [{"op": k, "ms": v / 1e6 / steps, "calls": calls[k] / steps, "jax_op": names.get(k, "")}
         for k, v in total.most_common()]
  groups = collections.Counter()
  for o in ops:
    groups[_group(o["jax_op"])] += o["ms"]
  report = {"ms_per_step": sum(o["ms"] for o in ops), "ops": ops,
            "groups": dict(groups.most_common())}
  return state, report


def main(argv=None) -> dict:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--method", default="grace")
  parser.add_argument("--steps", type=int, default=3)
  parser.add_argument("--top", type=int, default=30)
  parser.add_argument("--dense", action="store_true",
                      help="do not attach the sparse feature index (see benchmarks.suites)")
  parser.add_argument("--out", default=None)
  args = parser.parse_args(argv)

  import jax  # pylint: disable=import-outside-toplevel
  from benchmarks import suites  # pylint: disable=import-outside-toplevel
  from jgssl import train  # pylint: disable=import-outside-toplevel
  config, method, tx, graph = suites.cora_setup(args.method, sparse=not args.dense)
  graph = jax.device_put(graph)
  state = train.create_train_state(jax.random.PRNGKey(config.seed), method, tx, graph)
  from jgssl.methods.contract import prepare_side  # pylint: disable=import-outside-toplevel
  step = train.make_train_step(method)
  _, report = profile_step(step, state, graph, steps=args.steps,
                           side=prepare_side(method, graph))
  print(f"{args.method}: {report['ms_per_step']:.1f} ms of XLA CPU time per step "
        f"(summed over threads)")
  print("\nby group:")
  for g, ms in report["groups"].items():
    print(f"  {ms:8.1f} ms  {g}")
  print(f"\ntop {args.top} ops:")
  for o in report["ops"][:args.top]:
    print(f"  {o['ms']:8.2f} ms  x{o['calls']:<4g} {o['op']:<36s} {o['jax_op'][-100:]}")
  if args.out:
    with open(args.out, "w") as f:
      json.dump({"method": args.method, **report}, f, indent=1)
  return report


if __name__ == "__main__":
  main()

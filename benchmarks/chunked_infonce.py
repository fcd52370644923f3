"""Memory-bounded exact InfoNCE: peak memory at scale and agreement with the dense form.

Runs the GRACE InfoNCE (:func:`jgssl.losses.grace_loss`, inter- and intra-view negatives, both
directions) in its chunked form, value and gradient with respect to both views:

1. at ``N = --n`` (default 50,000) rows of width ``--d`` (128), where the dense form would need
   ``N² · 4`` bytes (10 GB) per similarity matrix and at least three of them, reporting wall time
   and the process's peak resident set size (``resource.getrusage``; the large run goes first so
   the peak is its own);
2. at ``N = --check-n`` (4,000), where the dense form fits, reporting the largest absolute
   difference of the value and of the gradients between the chunked and the dense forms.

Usage::

  python -m benchmarks.chunked_infonce [--n 50000] [--d 128] [--chunk 1024] [--out result.json]

Also run by the harness in a fresh process: ``python -m benchmarks.run --suite infonce
--sizes 50000``. Not a unit test (it takes minutes on two CPU cores); see tests/losses for the
exactness tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time

import jax
import jax.numpy as jnp

from jgssl import losses


def _peak_rss_mib() -> float:
  peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
  # Linux reports KiB, macOS bytes.
  return peak / (2**20 if sys.platform == "darwin" else 2**10)


def _views(seed: int, n: int, d: int):
  k1, k2 = jax.random.split(jax.random.key(seed))
  u = jax.random.normal(k1, (n, d), jnp.float32)
  v = u + 0.5 * jax.random.normal(k2, (n, d), jnp.float32)  # correlated views
  return u, v


def _loss_fn(temperature: float, chunk_size, key_chunk_size):
  def loss(u, v):
    return jnp.mean(losses.grace_loss(u, v, temperature=temperature, chunk_size=chunk_size,
                                      key_chunk_size=key_chunk_size))
  return jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))


def run_large(n: int, d: int, chunk: int, key_chunk: int, temperature: float) -> dict:
  u, v = _views(0, n, d)
  f = _loss_fn(temperature, chunk, key_chunk)
  t0 = time.perf_counter()
  compiled = f.lower(u, v).compile()
  t_compile = time.perf_counter() - t0
  t0 = time.perf_counter()
  value, (gu, gv) = compiled(u, v)
  value = float(value)
  jax.block_until_ready((gu, gv))
  t_run = time.perf_counter() - t0
  finite = bool(jnp.all(jnp.isfinite(gu)) & jnp.all(jnp.isfinite(gv)))
  mem = compiled.memory_analysis()
  return {
      "n": n, "d": d, "chunk_size": chunk, "key_chunk_size": key_chunk,
      "loss": value, "gradients_finite": finite,
      "compile_s": round(t_compile, 2), "run_s": round(t_run, 2),
      "peak_rss_mib": round(_peak_rss_mib(), 1),
      "xla_temp_mib": (round(mem.temp_size_in_bytes / 2**20, 1) if mem is not None else None),
      "dense_bytes_per_nxn_matrix_gib": round(n * n * 4 / 2**30, 2),
  }


def run_check(n: int, d: int, chunk: int, key_chunk: int, temperature: float) -> dict:
  u, v = _views(1, n, d)
  val_d, (gu_d, gv_d) = _loss_fn(temperature, None, None)(u, v)
  val_c, (gu_c, gv_c) = _loss_fn(temperature, chunk, key_chunk)(u, v)
  max_grad_diff = jnp.maximum(jnp.max(jnp.abs(gu_d - gu_c)), jnp.max(jnp.abs(gv_d - gv_c)))
  max_grad = jnp.maximum(jnp.max(jnp.abs(gu_d)), jnp.max(jnp.abs(gv_d)))
  return {
      "n": n, "d": d, "chunk_size": chunk, "key_chunk_size": key_chunk,
      "n_divisible_by_chunk": n % chunk == 0,
      "loss_dense": float(val_d), "loss_chunked": float(val_c),
      "max_abs_value_diff": float(jnp.abs(val_d - val_c)),
      "max_abs_grad_diff": float(max_grad_diff),
      "max_abs_grad": float(max_grad),
      "max_grad_diff_relative_to_max_grad": float(max_grad_diff / max_grad),
  }


def main(argv=None) -> dict:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--n", type=int, default=50_000, help="rows of the large run")
  parser.add_argument("--d", type=int, default=128, help="embedding width")
  parser.add_argument("--chunk", type=int, default=1024, help="anchor rows per block")
  parser.add_argument("--key-chunk", type=int, default=2048, help="key rows per block")
  parser.add_argument("--check-n", type=int, default=4_000, help="rows of the dense comparison")
  parser.add_argument("--check-chunk", type=int, default=384,
                      help="anchor block of the comparison (4000 is not a multiple of 384)")
  parser.add_argument("--temperature", type=float, default=0.5)
  parser.add_argument("--out", default=None, help="write the results as JSON to this path")
  args = parser.parse_args(argv)

  large = run_large(args.n, args.d, args.chunk, args.key_chunk, args.temperature)
  check = run_check(args.check_n, args.d, args.check_chunk, args.check_chunk // 2 + 7,
                    args.temperature)
  result = {
      "benchmark": "chunked_infonce (GRACE InfoNCE, value + gradient)",
      "jax": jax.__version__, "backend": jax.default_backend(),
      "devices": [str(x) for x in jax.devices()], "machine": platform.machine(),
      "large": large, "check": check,
  }
  print(f"{'run':<8} {'N':>7} {'d':>4} {'chunk':>6} {'kchunk':>6} {'compile s':>9} "
        f"{'run s':>8} {'peak RSS MiB':>12} {'dense N×N GiB':>13}")
  print(f"{'chunked':<8} {large['n']:>7} {large['d']:>4} {large['chunk_size']:>6} "
        f"{large['key_chunk_size']:>6} {large['compile_s']:>9} {large['run_s']:>8} "
        f"{large['peak_rss_mib']:>12} {large['dense_bytes_per_nxn_matrix_gib']:>13}")
  print(f"loss {large['loss']:.6f}, gradients finite: {large['gradients_finite']}, "
        f"XLA temp buffers {large['xla_temp_mib']} MiB")
  print(f"\nchunked vs dense at N = {check['n']} (chunk {check['chunk_size']}, key chunk "
        f"{check['key_chunk_size']}): loss {check['loss_dense']:.6f} vs "
        f"{check['loss_chunked']:.6f}")
  print(f"max |value diff| = {check['max_abs_value_diff']:.3e}   "
        f"max |grad diff| = {check['max_abs_grad_diff']:.3e}   "
        f"(max |grad| = {check['max_abs_grad']:.3e}, relative "
        f"{check['max_grad_diff_relative_to_max_grad']:.2e})")
  if args.out:
    with open(args.out, "w") as f:
      json.dump(result, f, indent=2)
  return result


if __name__ == "__main__":
  main()

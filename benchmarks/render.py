"""Markdown tables from harness JSON: ``python -m benchmarks.render scaling.json``."""

from __future__ import annotations

import json
import sys


def scaling_table(result: dict) -> str:
  """The scaling suite as a markdown table (one row per size and method)."""
  lines = ["| nodes | method | s / epoch (wall) | epoch CPU s | compile CPU s | compilations | "
           "peak RSS GiB | XLA temp GiB | status | dense GRACE: XLA temp GiB |",
           "|---|---|---|---|---|---|---|---|---|---|"]
  for r in sorted(result["results"], key=lambda r: (r["num_real_nodes"], r["method"])):
    dense = (r.get("dense_similarity") or {}).get("xla_temp_gb")
    dense = f"{dense:,.1f}" if dense is not None else ""
    if "error" in r:
      lines.append(f"| {r['num_real_nodes']:,} | {r['method']} | – | – | – | – | "
                   f"> {r['max_rss_seen_mb'] / 1024:.1f} | – | killed: {r['status']} | {dense} |")
      continue
    cpu = r.get("median_epoch_cpu_s")
    ccpu = r.get("compile_cpu_s")
    temp = r.get("xla_temp_mb")
    lines.append(
        f"| {r['num_real_nodes']:,} | {r['method']} | {r['median_epoch_s']:,.1f} | "
        f"{'' if cpu is None else f'{cpu:,.1f}'} | {'' if ccpu is None else f'{ccpu:.1f}'} | "
        f"{r['compilations']} | {r['peak_rss_mb'] / 1024:.2f} | "
        f"{'' if temp is None else f'{temp / 1024:.2f}'} | ok | {dense} |")
  return "\n".join(lines)


def main(argv=None) -> None:
  argv = sys.argv[1:] if argv is None else argv
  with open(argv[0]) as f:
    result = json.load(f)
  if result.get("suite") == "scaling":
    print(scaling_table(result))
  else:
    raise ValueError(f"no renderer for suite {result.get('suite')!r}")


if __name__ == "__main__":
  main()

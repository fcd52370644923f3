"""Markdown tables from harness JSON: ``python -m benchmarks.render scaling.json``."""

from __future__ import annotations

import json
import sys


def scaling_table(result: dict) -> str:
  """The scaling suite as a markdown table (one row per size and method).

  CPU-second columns appear when the runs recorded them; ``load`` is the 1-minute load average
  when the run started (the machine may be shared).
  """
  rows = sorted(result["results"], key=lambda r: (r["num_real_nodes"], r["method"]))
  with_cpu = any(r.get("median_epoch_cpu_s") is not None for r in rows)
  head = ["nodes", "method", "s / epoch (wall)"] + (["epoch CPU s", "compile CPU s"]
                                                     if with_cpu else ["compile s (wall)"])
  head += ["compilations", "peak RSS GiB", "XLA temp GiB", "status", "load",
           "dense GRACE InfoNCE, XLA plan GiB"]
  lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
  for r in rows:
    dense = (r.get("dense_similarity") or {}).get("xla_temp_gb")
    dense = f"{dense:,.1f}" if dense is not None else ""
    if "error" in r:
      cells = [f"{r['num_real_nodes']:,}", r["method"], "–"] + ["–"] * (2 if with_cpu else 1)
      cells += ["–", f"> {r['max_rss_seen_mb'] / 1024:.1f}", "–", f"killed: {r['status']}", "",
                dense]
    else:
      temp = r.get("xla_temp_mb")
      cells = [f"{r['num_real_nodes']:,}", r["method"], f"{r['median_epoch_s']:,.1f}"]
      if with_cpu:
        cells += [f"{r['median_epoch_cpu_s']:,.1f}", f"{r['compile_cpu_s']:.1f}"]
      else:
        cells += [f"{r['compile_s']:.1f}"]
      cells += [str(r["compilations"]), f"{r['peak_rss_mb'] / 1024:.2f}",
                "" if temp is None else f"{temp / 1024:.2f}", "ok",
                f"{r['load_avg']['before'][0]:.1f}", dense]
    lines.append("| " + " | ".join(cells) + " |")
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

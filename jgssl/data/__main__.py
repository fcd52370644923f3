"""Command line: ``python -m jgssl.data stats [--json] [--root DIR] [--no-download]
[--verify | --no-verify] [names...]``.

Loads each dataset (all registered ones by default) and prints its statistics, as an aligned
table or, with ``--json``, a JSON list with one object per dataset:

* ``name``, ``kind``, ``num_graphs``, ``num_nodes``, ``num_edges`` (directed edges after
  symmetrisation, without self-loops: Cora 10556), ``num_features``, ``num_classes``;
* ``splits``: ``{'train', 'val', 'test'}`` sizes where the dataset has a standard split (Planetoid
  public split; HeCo: the 20-per-class split; Yelp: interaction counts), else ``null``;
* extras: ``folds`` (GIN-format datasets), ``node_types`` / ``metapath_edges`` (HeCo; there
  ``num_nodes`` counts all types and ``num_edges`` the typed relations in both directions),
  ``num_users`` / ``num_items`` (Yelp; ``num_nodes`` = users + items, ``num_edges`` = train
  interactions in both directions), ``seconds`` (load time);
* a dataset that cannot be loaded appears as ``{"name": ..., "error": "<message>"}``.

Raw files are checked against their sha256 as :func:`jgssl.data.load` does by default (once per
file version, remembered); ``--verify`` re-hashes every file, ``--no-verify`` checks sizes only.
Progress goes to stderr; the exit status is 0 even when some datasets fail (their ``error`` says
why), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from jgssl.data import registry, types


def dataset_stats(ds: Any) -> Dict[str, Any]:
  """The statistics object of one loaded dataset (see the module docstring)."""
  out: Dict[str, Any] = {"name": ds.name}
  if isinstance(ds, types.NodeDataset):
    out.update(kind="node", num_graphs=1, num_nodes=ds.num_nodes, num_edges=ds.num_edges,
               num_features=ds.num_features, num_classes=int(ds.num_classes))
    out["splits"] = ({k: int(len(ds.splits[k])) for k in ("train", "val", "test")}
                     if ds.splits else None)
  elif isinstance(ds, types.GraphDataset):
    out.update(kind="graph", num_graphs=ds.num_graphs, num_nodes=ds.num_nodes,
               num_edges=ds.num_edges, num_features=ds.num_features,
               num_classes=int(ds.num_classes), splits=None)
    if ds.folds:
      out["folds"] = len(ds.folds)
  elif isinstance(ds, types.HeteroDataset):
    num_edges = 0
    for ei in ds.relations.values():
      pairs = np.unique(np.asarray(ei), axis=1)
      num_edges += 2 * int(pairs.shape[1])
    out.update(kind="hetero", num_graphs=1, num_nodes=int(sum(ds.num_nodes.values())),
               num_edges=num_edges, num_features=ds.num_features,
               num_classes=int(ds.num_classes),
               splits={"train": int(len(ds.splits["train_20"])),
                       "val": int(len(ds.splits["val_20"])),
                       "test": int(len(ds.splits["test_20"]))},
               target=ds.target, node_types={k: int(v) for k, v in ds.num_nodes.items()},
               metapath_edges={k: int(np.sum(g.n_edge)) for k, g in ds.metapaths.items()})
  elif isinstance(ds, types.InteractionDataset):
    out.update(kind="interaction", num_graphs=1, num_nodes=ds.num_users + ds.num_items,
               num_edges=2 * int(ds.train.shape[1]), num_features=0, num_classes=None,
               splits={"train": int(ds.train.shape[1]), "val": int(ds.valid.shape[1]),
                       "test": int(ds.test.shape[1])},
               num_users=int(ds.num_users), num_items=int(ds.num_items))
  else:
    raise TypeError(f"not a jgssl dataset: {type(ds).__name__}")
  return out


def collect(names: Sequence[str], *, root: Optional[str], download: Optional[bool],
            progress: bool = True, verify: Optional[bool] = None) -> List[Dict[str, Any]]:
  """Loads every dataset in ``names`` and returns the list of statistics objects."""
  results = []
  bar = None
  if progress:
    from tqdm import tqdm
    bar = tqdm(total=len(names), desc="loading", unit="dataset", file=sys.stderr, leave=False)
  for name in names:
    if bar is not None:
      bar.set_postfix_str(name)
    start = time.perf_counter()
    try:
      ds = registry.load(name, root=root, download=download, progress=progress, verify=verify)
      entry = dataset_stats(ds)
      del ds
    except Exception as e:  # report and go on: one broken dataset must not hide the others
      entry = {"name": name, "error": f"{type(e).__name__}: {e}"}
    entry["seconds"] = round(time.perf_counter() - start, 2)
    results.append(entry)
    if bar is not None:
      bar.update(1)
  if bar is not None:
    bar.close()
  return results


_COLUMNS = ("name", "graphs", "nodes", "edges", "features", "classes", "train/val/test", "seconds")


def format_table(results: Sequence[Dict[str, Any]]) -> str:
  """An aligned plain-text table of :func:`collect` results (errors on their own rows)."""
  rows = []
  for r in results:
    if "error" in r:
      first_line = r["error"].splitlines()[0]
      rows.append((r["name"], "error: " + first_line))
      continue
    split = r.get("splits")
    split_s = "/".join(str(split[k]) for k in ("train", "val", "test")) if split else (
        f"{r['folds']} folds" if r.get("folds") else "-")
    rows.append(tuple(str(v) for v in (
        r["name"], r["num_graphs"], r["num_nodes"], r["num_edges"], r["num_features"],
        "-" if r["num_classes"] is None else r["num_classes"], split_s, r["seconds"])))
  full = [r for r in rows if len(r) == len(_COLUMNS)]
  widths = [max([len(c)] + [len(r[i]) for r in full]) for i, c in enumerate(_COLUMNS)]
  numeric = {1, 2, 3, 4, 5, 7}

  def fmt(row):
    return "  ".join(v.rjust(w) if i in numeric else v.ljust(w)
                     for i, (v, w) in enumerate(zip(row, widths))).rstrip()

  lines = [fmt(_COLUMNS), "  ".join("-" * w for w in widths)]
  for r in rows:
    lines.append(fmt(r) if len(r) == len(_COLUMNS) else f"{r[0].ljust(widths[0])}  {r[1]}")
  return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
  parser = argparse.ArgumentParser(prog="python -m jgssl.data",
                                   description="jgssl dataset tools.")
  sub = parser.add_subparsers(dest="command", required=True)
  stats = sub.add_parser("stats", help="load datasets and print their statistics")
  stats.add_argument("names", nargs="*", help="dataset names (default: all registered)")
  stats.add_argument("--json", action="store_true", help="print a JSON list")
  stats.add_argument("--root", default=None, help="data root (default $JGSSL_DATA_DIR or cache)")
  stats.add_argument("--no-download", action="store_true",
                     help="never download; report missing files as errors")
  check = stats.add_mutually_exclusive_group()
  check.add_argument("--verify", dest="verify", action="store_const", const=True, default=None,
                     help="re-hash every raw file (default: once per file version, remembered)")
  check.add_argument("--no-verify", dest="verify", action="store_const", const=False,
                     help="check raw files by size only")
  stats.add_argument("--quiet", action="store_true", help="no progress output on stderr")
  args = parser.parse_args(argv)

  names = list(args.names) or registry.list_datasets()
  canonical = []
  for n in names:
    try:
      canonical.append(registry.get_spec(n).name)
    except ValueError as e:
      parser.error(str(e))
  results = collect(canonical, root=args.root, download=False if args.no_download else None,
                    progress=not args.quiet, verify=args.verify)
  if args.json:
    print(json.dumps(results, indent=2))
  else:
    print(format_table(results))
  return 0


if __name__ == "__main__":
  sys.exit(main())

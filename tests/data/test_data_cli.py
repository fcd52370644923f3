"""``python -m jgssl.data stats``, run as a subprocess."""

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def _run(*args):
  env = dict(os.environ, JAX_PLATFORMS="cpu",
             PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
  return subprocess.run([sys.executable, "-m", "jgssl.data", *args], capture_output=True,
                        text=True, env=env, timeout=300, cwd=REPO)


def test_stats_json(data_root):
  proc = _run("stats", "--json", "--root", str(data_root), "--no-download", "cora", "MUTAG",
              "pubmed", "acm", "yelp")
  assert proc.returncode == 0, proc.stderr
  results = json.loads(proc.stdout)
  by_name = {r["name"]: r for r in results}
  assert [r["name"] for r in results] == ["cora", "mutag", "pubmed", "acm", "yelp"]
  cora = by_name["cora"]
  assert (cora["num_graphs"], cora["num_nodes"], cora["num_edges"], cora["num_features"],
          cora["num_classes"]) == (1, 2708, 10556, 1433, 7)
  assert cora["splits"] == {"train": 140, "val": 500, "test": 1000}
  mutag = by_name["mutag"]
  assert (mutag["num_graphs"], mutag["num_nodes"], mutag["num_edges"], mutag["num_classes"]) == (
      188, 3371, 7442, 2)
  assert mutag["splits"] is None
  assert "ind.pubmed.allx" in by_name["pubmed"]["error"]
  assert "num_nodes" not in by_name["pubmed"]
  acm = by_name["acm"]
  assert acm["splits"] == {"train": 60, "val": 1000, "test": 1000}  # the 20-per-class split
  assert acm["node_types"] == {"paper": 4019, "author": 7167, "subject": 60}
  assert by_name["yelp"]["splits"] == {"train": 182357, "val": 13025, "test": 65128}
  assert "loading" in proc.stderr  # progress on stderr, JSON alone on stdout


def test_stats_table_is_aligned(data_root):
  proc = _run("stats", "--root", str(data_root), "--no-download", "--quiet", "cora", "citeseer",
              "imdb-binary", "pubmed")
  assert proc.returncode == 0, proc.stderr
  lines = proc.stdout.rstrip("\n").splitlines()
  header, rule, rows = lines[0], lines[1], lines[2:]
  assert header.split()[:6] == ["name", "graphs", "nodes", "edges", "features", "classes"]
  # Right-aligned numeric columns end at the same offset as their header.
  end_of = lambda line, token: line.index(token) + len(token)
  cora = next(r for r in rows if r.startswith("cora"))
  citeseer = next(r for r in rows if r.startswith("citeseer"))
  assert end_of(cora, "10556") == end_of(header, "edges") == end_of(citeseer, "9104")
  assert end_of(cora, "2708") == end_of(header, "nodes") == end_of(citeseer, "3327")
  assert "140/500/1000" in cora
  pubmed = next(r for r in rows if r.startswith("pubmed"))
  assert "error" in pubmed and "ind.pubmed.allx" in pubmed
  assert proc.stderr == ""  # --quiet


def test_stats_unknown_name_is_a_usage_error(data_root):
  proc = _run("stats", "--root", str(data_root), "corra")
  assert proc.returncode == 2
  assert "Did you mean 'cora'?" in proc.stderr

"""The benchmark harness measures what it says: counted compilations, sane timings, caps."""

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from benchmarks import run, suites
from jgssl import methods


@pytest.fixture(scope="module")
def tiny_suite():
  graph = suites.csbm_graph(120, num_features=12, num_blocks=3, avg_degree=4.0)
  method = methods.grace(features=(16, 8), hidden_features=8)
  return suites.run_node_suite("grace-tiny", method, optax.adam(1e-2), graph, epochs=2,
                               warmup=0)


def test_node_suite_fields_are_sane(tiny_suite):
  r = tiny_suite
  assert r["method"] == "grace-tiny"
  assert len(r["epoch_times_s"]) == 2 and all(t > 0 for t in r["epoch_times_s"])
  assert min(r["epoch_times_s"]) <= r["median_epoch_s"] <= max(r["epoch_times_s"])
  assert r["compile_s"] > 0 and r["first_call_s"] >= r["compile_s"]
  assert r["flops_per_epoch"] and r["flops_per_epoch"] > 0
  assert r["peak_rss_mb"] > 50
  # Accelerator memory is reported only where the backend keeps allocator statistics.
  assert (r["device_peak_mb"] is None) == (r["backend"] == "cpu")
  assert r["loss_finite"] and np.isfinite(r["final_loss"])
  assert r["num_nodes"] >= 120
  assert len(r["load_avg"]["before"]) == 3


def test_training_compiles_once_counted(tiny_suite):
  # Counted by the jax.monitoring listener over the whole loop (first call included), and the
  # jitted step holds one executable.
  assert tiny_suite["compilations"] == 1
  assert tiny_suite["step_cache_size"] == 1


def test_compile_counter_counts_compilations_not_cache_hits():
  f = jax.jit(lambda x: jnp.sin(x) * 3.0)
  a, b = np.ones(3, np.float32), np.ones(4, np.float32)
  with suites.CompileCounter() as cc:
    f(a).block_until_ready()
    f(a).block_until_ready()   # cache hit
  assert cc.compilations == 1 and cc.backend_compile_s > 0
  with suites.CompileCounter() as cc:
    f(b).block_until_ready()   # new shape: recompiles
    f(a).block_until_ready()   # cached
  assert cc.compilations == 1


def test_subprocess_call_returns_json_and_enforces_caps(tmp_path):
  r = run.call_in_subprocess("matmul_gflops", {"sizes": [[32, 32, 32]], "repeats": 2},
                             env={"JAX_PLATFORMS": "cpu"})
  assert r["peak_gflops"] > 0 and "32x32x32" in r["shapes"]
  capped = run.call_in_subprocess("matmul_gflops", {"sizes": [[32, 32, 32]]}, rss_cap_mb=5)
  assert capped["status"] == "rss_cap"
  failed = run.call_in_subprocess("matmul_gflops", {"no_such_argument": 1})
  assert failed["status"] == "failed" and "no_such_argument" in failed["error"]


def test_dense_similarity_memory_is_computed_without_running():
  d = suites.dense_similarity_bytes(1000, dim=16)
  assert d["per_matrix_gb"] == pytest.approx(4e-3)
  # jgssl's dense form keeps a few N x N matrices: more than one, far less than ten.
  assert d["xla_temp_gb"] is None or 1 * d["per_matrix_gb"] < d["xla_temp_gb"] < 10 * d[
      "per_matrix_gb"]


def test_scaling_plot_is_written(tmp_path):
  rows = [{"method": m, "num_real_nodes": n, "median_epoch_s": n / 1e4 * k,
           "peak_rss_mb": 500 + n / 100, "dense_similarity": {"per_matrix_gb": n * n * 4e-9}}
          for k, m in ((1, "grace"), (2, "bgrl")) for n in (10_000, 20_000)]
  rows.append({"method": "grace", "num_real_nodes": 40_000, "error": "x", "status": "rss_cap",
               "max_rss_seen_mb": 1.0})
  path = tmp_path / "scaling.png"
  run.plot_scaling(rows, str(path))
  assert path.stat().st_size > 1000


def test_cli_writes_json(tmp_path, monkeypatch):
  out = tmp_path / "roof.json"
  monkeypatch.setenv("JAX_PLATFORMS", "cpu")
  monkeypatch.setattr(suites, "matmul_gflops", None)  # the CLI must not call it in-process
  result = run.main(["--suite", "roofline", "--matmul-sizes", "64x64x64,32x16x8", "--out",
                     str(out)])
  assert json.loads(pathlib.Path(out).read_text())["peak_gflops"] == result["peak_gflops"] > 0


def test_scaling_table_lists_every_run():
  from benchmarks import render
  ok = {"method": "grace", "num_real_nodes": 1000, "median_epoch_s": 1.5, "compile_s": 2.0,
        "compilations": 1, "peak_rss_mb": 2048.0, "xla_temp_mb": 512.0,
        "load_avg": {"before": [0.5, 0, 0]},
        "dense_similarity": {"per_matrix_gb": 0.004, "xla_temp_gb": 0.03}}
  killed = {"method": "bgrl", "num_real_nodes": 2000, "error": "x", "status": "rss_cap",
            "max_rss_seen_mb": 13000.0}
  table = render.scaling_table({"suite": "scaling", "results": [killed, ok]}).splitlines()
  assert len(table) == 4 and "| 1,000 | grace | 1.5 |" in table[2]
  assert "killed: rss_cap" in table[3] and "> 12.7" in table[3]


def test_graph_padding_benchmark_compares_the_same_batches(tmp_path, data_root, monkeypatch):
  from benchmarks import graph_padding
  monkeypatch.setenv("JGSSL_DATA_DIR", str(data_root))
  out = tmp_path / "pad.json"
  rows = graph_padding.main(["--configs", "graphmae.py:test", "--steps", "2", "--warmup", "0",
                             "--out", str(out)])
  (row,) = json.loads(out.read_text())
  assert row == json.loads(json.dumps(rows[0]))
  worst, fitted = row["worst"], row["fitted"]
  assert fitted["n_node"] <= worst["n_node"] and fitted["n_edge"] <= worst["n_edge"]
  # Same real nodes in fewer slots: the fill rises by exactly the slot ratio.
  assert fitted["node_fill"] == pytest.approx(
      worst["node_fill"] * worst["n_node"] / fitted["n_node"], rel=1e-9)
  assert row["steps_per_epoch"] == 3  # MUTAG's 188 graphs in batches of 64, last one kept
  assert fitted["step_ms"] > 0 and worst["step_ms"] > 0


def test_method_tokens_carry_config_overrides_for_a_plugin_and_its_base():
  assert run.method_token("grace_pot[model.pot_kappa=0.0;epochs=5]") == (
      "grace_pot", ["model.pot_kappa=0.0", "epochs=5"])
  assert run.method_token("dgi") == ("dgi", [])
  with pytest.raises(ValueError, match="bad --methods entry"):
    run.method_token("grace_pot[unclosed")
  config, method, _, _ = suites.cora_setup("grace_pot", overrides=("model.pot_kappa=0.0",))
  assert config.model.pot_kappa == 0.0 and method.regularizer is None

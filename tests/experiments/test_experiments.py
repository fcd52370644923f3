"""Launcher, configs, reproduction, collection and plots on the tiny GRACE ``test`` config."""

import json
import pathlib
import shutil

import numpy as np
import pytest
import threadpoolctl
from jax import monitoring

from experiments import collect as collect_lib
from experiments import common
from experiments import plot as plot_lib
from experiments import registry
from experiments import reproduce as reproduce_lib
from experiments import train as train_lib

REPO = pathlib.Path(__file__).resolve().parents[2]
GRACE_CFG = str(REPO / "experiments" / "configs" / "grace.py")
RESULT_KEYS = {"method", "dataset", "seed", "protocol", "metrics", "epochs", "train_seconds",
               "params_checksum", "jgssl_version", "config"}

_COMPILES = []
monitoring.register_event_duration_secs_listener(
    lambda name, *a, **k: _COMPILES.append(name)
    if name == "/jax/core/compile/backend_compile_duration" else None)


@pytest.fixture(scope="module")
def finished(tmp_path_factory, data_root):
  """One launcher run of grace.py:test through main() (the command-line path)."""
  mp = pytest.MonkeyPatch()
  mp.setenv("JGSSL_DATA_DIR", str(data_root))
  workdir = tmp_path_factory.mktemp("launch") / "run"
  rc = train_lib.main(["--config", f"{GRACE_CFG}:test", "--workdir", str(workdir),
                       "--no_progress"])
  mp.undo()
  assert rc == 0
  return workdir


# --- configs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["cora", "citeseer", "pubmed", "cora-public", "citeseer-public",
                                     "test"])
def test_every_variant_is_complete_locked_and_valid(variant):
  c = registry.load_config(f"{GRACE_CFG}:{variant}")
  for k in ("seed", "epochs", "checkpoint_every", "method", "dataset"):
    assert k in c
  with pytest.raises(AttributeError):
    c.new_key = 1  # locked
  plan = common.validate(c)
  assert plan.method.encoder.features == c.model.features


def test_official_values_are_used():
  cora = registry.load_config(f"{GRACE_CFG}:cora")
  assert (cora.seed, cora.epochs, cora.optimizer.learning_rate, cora.model.temperature) == (
      39788, 200, 5e-4, 0.4)
  cs = registry.load_config(f"{GRACE_CFG}:citeseer")
  assert (cs.model.activation, cs.model.drop_edge_rate[1], cs.model.temperature,
          cs.model.features) == ("prelu", 0.0, 0.9, (512, 256))


def test_overrides_parse_by_type():
  c = registry.load_config(f"{GRACE_CFG}:test", ["--config.model.hidden_features=32", "epochs=7",
                                                  "optimizer.learning_rate=1e-3",
                                                  "model.chunk_size=64", "model.activation=prelu"])
  assert (c.model.hidden_features, c.epochs, c.optimizer.learning_rate, c.model.chunk_size,
          c.model.activation) == (32, 7, 1e-3, 64, "prelu")
  config, workdir, progress = train_lib.parse_args(
      ["--config", f"{GRACE_CFG}:test", "--workdir", "/tmp/w", "--config.seed", "5"])
  assert config.seed == 5 and workdir == "/tmp/w" and progress


@pytest.mark.parametrize("overrides, match", [
    (["model.featurs=3"], r"unknown config key 'model.featurs'.*Did you mean 'model.features'"),
    (["model.drop_edge_rate=(-0.1,0.4)"],
     r"grace: drop_edge_rate must be a probability in \[0, 1\] or a pair"),
    (["model.drop_feature_rate=(0.3,1.5)"], r"grace: drop_feature_rate must be a probability"),
    (["dataset=corra"], r"unknown dataset 'corra'.*Did you mean 'cora'"),
    (["method=grce"], r"unknown method 'grce'.*Did you mean 'grace'"),
    (["dataset=mutag"], r"node-level datasets; 'mutag' is a graph-level"),
    (["epochs=0"], r"config.epochs must be an integer >= 1"),
    (["epochs=abc"], r"config.epochs expects an int, got 'abc'"),
    (["checkpoint_every=-2"], r"checkpoint_every must be an integer >= 1"),
    (["model.temperature=0.0"], r"temperature must be a number > 0"),
    (["optimizer.name=adagrad"], r"unknown optimizer 'adagrad'"),
    (["strategy=data"], r"strategy 'data' is not available for 'grace'"),
])
def test_bad_config_fails_before_any_compilation(tmp_path, overrides, match):
  before = len(_COMPILES)
  with pytest.raises(common.ConfigError, match=match):
    config = registry.load_config(f"{GRACE_CFG}:test", overrides)
    train_lib.run(config, tmp_path / "w")
  assert len(_COMPILES) == before, "something compiled before the config was rejected"
  assert not (tmp_path / "w").exists()
  rc = train_lib.main(["--config", f"{GRACE_CFG}:test", "--workdir", str(tmp_path / "w2"),
                       *[f"--config.{o}" for o in overrides]])
  assert rc == 2 and len(_COMPILES) == before


# --- launcher ------------------------------------------------------------------------------------


def test_launcher_writes_result_metrics_tensorboard_embeddings(finished):
  result = json.loads((finished / "result.json").read_text())
  assert RESULT_KEYS <= set(result)
  assert (result["method"], result["dataset"], result["seed"], result["epochs"]) == (
      "grace", "cora", 0, 4)
  assert result["protocol"] == "LR-rand-sklearn/GRACE"
  assert 0.0 < result["metrics"]["test_acc"] <= 100.0 and "macro_f1" in result["metrics"]
  assert len(result["params_checksum"]) == 64 and result["train_seconds"] > 0
  assert result["config"]["model"]["hidden_features"] == 16
  lines = [json.loads(l) for l in (finished / "metrics.jsonl").read_text().splitlines()]
  assert [l["epoch"] for l in lines] == [1, 2, 3, 4]
  assert all({"epoch", "loss", "seconds"} <= set(l) and np.isfinite(l["loss"]) for l in lines)
  assert list((finished / "tensorboard").glob("events.out.tfevents.*"))
  emb = np.load(finished / "embeddings.npy")
  assert emb.shape == (2708, 16) and np.isfinite(emb).all()
  assert np.load(finished / "labels.npy").shape == (2708,)


def test_rerun_reports_and_resume_ends_where_the_full_run_ends(finished, tmp_path, capsys):
  first = json.loads((finished / "result.json").read_text())
  mtime = (finished / "metrics.jsonl").stat().st_mtime
  again = train_lib.run(registry.load_config(f"{GRACE_CFG}:test"), finished, progress=False)
  assert again == first and (finished / "metrics.jsonl").stat().st_mtime == mtime
  assert "test_acc" in capsys.readouterr().out
  # Emulate a run killed after logging epoch 3: no result, no trained.json / embeddings, newest
  # checkpoint (4) never written.
  crashed = tmp_path / "crashed"
  shutil.copytree(finished, crashed)
  for name in ("result.json", "trained.json", "embeddings.npy", "labels.npy"):
    (crashed / name).unlink()
  shutil.rmtree(crashed / "checkpoints" / "4")
  kept = (crashed / "metrics.jsonl").read_text().splitlines()[:3]
  (crashed / "metrics.jsonl").write_text("\n".join(kept) + "\n")
  resumed = train_lib.run(registry.load_config(f"{GRACE_CFG}:test"), crashed, progress=False)
  assert resumed["resumed_from_epoch"] == 2
  assert resumed["params_checksum"] == first["params_checksum"]
  epochs = [json.loads(l)["epoch"] for l in (crashed / "metrics.jsonl").read_text().splitlines()]
  assert epochs == [1, 2, 3, 4]
  # Same workdir, different config: refused.
  with pytest.raises(common.ConfigError, match="different config.*model.hidden"):
    train_lib.run(registry.load_config(f"{GRACE_CFG}:test", ["model.hidden_features=8"]),
                  crashed)


# --- reproduce, collect, plot ----------------------------------------------------------------


def test_reproduce_two_seeds_writes_table_and_collect_gathers_it(tmp_path):
  out = tmp_path / "repro"
  summary = reproduce_lib.reproduce("grace", "test", seeds=2, out=out)
  assert summary["seeds"] == [0, 1] and summary["epochs_run"] == [4, 4]  # no early stopping
  assert (out / "seed_0" / "result.json").exists() and (out / "seed_1" / "result.json").exists()
  values = summary["metrics"]["test_acc"]["values"]
  assert summary["metrics"]["test_acc"]["mean"] == pytest.approx(np.mean(values))
  assert summary["metrics"]["test_acc"]["std"] == pytest.approx(np.std(values))
  table = (out / "table.md").read_text()
  for text in ("LR-rand-sklearn/GRACE", "83.30", "DGL GRACE README", " ± ", "(2 seeds)",
               "python -m experiments.reproduce --method grace --dataset test --seeds 2"):
    assert text in table
  # Resumable: a second call skips finished seeds (same numbers, no new training).
  mtime = (out / "seed_1" / "metrics.jsonl").stat().st_mtime
  again = reproduce_lib.reproduce("grace", "test", seeds=2, out=out)
  assert again["metrics"] == summary["metrics"]
  assert (out / "seed_1" / "metrics.jsonl").stat().st_mtime == mtime
  results = tmp_path / "RESULTS.md"
  assert collect_lib.main(["--roots", str(tmp_path), "--output", str(results)]) == 0
  page = results.read_text()
  assert "| grace | cora | LR-rand-sklearn/GRACE | test_acc |" in page
  assert page.count("| grace |") == 1
  # A second protocol on the same training reuses the embeddings (no training, no new files).
  public = reproduce_lib.reproduce(
      "grace", "test", seeds=2, out=tmp_path / "public", embeddings_from=out,
      overrides=["eval.repeats=1", "eval.inner_folds=2"])
  assert public["protocol"] == "LR-rand-sklearn/GRACE" and public["seeds"] == [0, 1]
  assert "--embeddings-from" in public["command"]
  assert not (tmp_path / "public" / "seed_0" / "checkpoints").exists()
  reused = json.loads((tmp_path / "public" / "seed_0" / "result.json").read_text())
  assert reused["params_checksum"] == json.loads(
      (out / "seed_0" / "result.json").read_text())["params_checksum"]
  # Finished, it re-reports without the source's embeddings (a fresh checkout has none).
  hidden = [(e, e.with_suffix(".hidden")) for e in out.glob("seed_*/embeddings.npy")]
  for e, h in hidden:
    e.rename(h)
  again_public = reproduce_lib.reproduce(
      "grace", "test", seeds=2, out=tmp_path / "public", embeddings_from=out,
      overrides=["eval.repeats=1", "eval.inner_folds=2"])
  assert hidden and again_public["metrics"] == public["metrics"]
  for e, h in hidden:
    h.rename(e)
  with pytest.raises(common.ConfigError, match=r"different config \(model.hidden"):
    reproduce_lib.reproduce("grace", "test", seeds=1, out=tmp_path / "bad", embeddings_from=out,
                            overrides=["model.hidden_features=32"])
  # --rescore: the probe re-runs on each seed's own embeddings; nothing is trained, the old
  # numbers are kept, and the (seeded) probe gives the same numbers twice.
  before = json.loads((out / "seed_0" / "result.json").read_text())
  rescored = reproduce_lib.reproduce("grace", "test", seeds=2, out=out, rescore=True)
  assert "--rescore" in rescored["command"]
  assert (out / "seed_1" / "metrics.jsonl").stat().st_mtime == mtime
  after = json.loads((out / "seed_0" / "result.json").read_text())
  assert after["previous_metrics"] == before["metrics"]
  assert after["params_checksum"] == before["params_checksum"]
  again = reproduce_lib.reproduce("grace", "test", seeds=2, out=out, rescore=True)
  assert again["metrics"] == rescored["metrics"]
  assert json.loads((out / "seed_0" / "result.json").read_text())["previous_metrics"] == (
      before["metrics"])
  with pytest.raises(common.ConfigError, match="not a finished run"):
    reproduce_lib.reproduce("grace", "test", seeds=1, out=tmp_path / "empty", rescore=True)
  with pytest.raises(common.ConfigError, match="different config"):
    reproduce_lib.reproduce("grace", "test", seeds=1, out=out, rescore=True,
                            overrides=["model.hidden_features=32"])


def test_plot_writes_pngs(finished):
  # One OpenMP thread: t-SNE's thread pool thrashes on a small shared CPU.
  with threadpoolctl.threadpool_limits(limits=1):
    assert plot_lib.main(["--workdir", str(finished), "--max_points", "200", "--max_iter",
                          "250"]) == 0
  for name in ("loss.png", "tsne.png"):
    data = (finished / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


# --- graph-level datasets --------------------------------------------------------------------

_TINY_GRAPH_CONFIG = '''
import ml_collections


def get_config(variant=""):
  c = ml_collections.ConfigDict()
  c.method = "tiny_graph"
  c.dataset = "mutag"
  c.seed = 0
  c.epochs = 3
  c.checkpoint_every = 2
  c.strategy = "single"
  c.features = "none"
  c.batch_size = 32
  c.node_features = "auto"
  c.model = ml_collections.ConfigDict({"hidden": 8})
  c.optimizer = ml_collections.ConfigDict({"name": "adam", "learning_rate": 1e-2})
  c.eval = ml_collections.ConfigDict({"protocol": "SVM-10fold/GraphCL"})
  c.lock()
  return c


def build(model):
  import train_recipes
  return train_recipes.TinyGraphContrast(**model.to_dict())
'''


def test_graph_level_run_uses_padded_batches_and_pools_per_graph(tmp_path, monkeypatch,
                                                                   data_root):
  import sys
  sys.path.insert(0, str(REPO / "tests" / "train"))
  import train_recipes  # pylint: disable=import-outside-toplevel

  # A method outside the library: its config module's build() makes it (no fallback class).
  monkeypatch.setitem(registry.METHODS, "tiny_graph", registry.MethodEntry("tiny_graph_config"))
  monkeypatch.syspath_prepend(str(tmp_path))
  cfg_file = tmp_path / "tiny_graph_config.py"
  cfg_file.write_text(_TINY_GRAPH_CONFIG)
  assert isinstance(registry.build_method(registry.load_config(str(cfg_file))),
                    train_recipes.TinyGraphContrast)
  config = registry.load_config(str(cfg_file))
  with pytest.raises(common.ConfigError, match="batch_size"):
    bad = registry.load_config(str(cfg_file), ["batch_size=0"])
    common.validate(bad)
  result = train_lib.run(config, tmp_path / "w", progress=False)
  assert result["level"] == "graph" and result["protocol"] == "SVM-10fold/GraphCL"
  assert result["steps_per_epoch"] == 6  # 188 MUTAG graphs in batches of 32 (last one short)
  # The budget is fitted to the run's batches: never above the worst case (up to rounding).
  from jgssl import data, train  # pylint: disable=import-outside-toplevel
  mutag = data.load("mutag", root=data_root)
  worst = train.batch_budget(mutag.graphs.n_node, mutag.graphs.n_edge, batch_size=32)
  assert result["padding_budget"]["n_graph"] == 33
  assert result["padding_budget"]["n_node"] <= worst.n_node + 7
  emb = np.load(tmp_path / "w" / "embeddings.npy")
  assert emb.shape == (188, 8) and np.isfinite(emb).all()
  assert 50.0 < result["metrics"]["test_acc"] <= 100.0
  lines = (tmp_path / "w" / "metrics.jsonl").read_text().splitlines()
  assert [json.loads(l)["step"] for l in lines] == [6, 12, 18]


def test_main_exit_codes_for_non_finite_loss_and_bad_config(tmp_path, monkeypatch, capsys):
  from jgssl.train import NonFiniteError  # pylint: disable=import-outside-toplevel

  def explode(config, workdir, progress=True):
    raise NonFiniteError("non-finite loss at epoch 3, step 3", epoch=3, step=3,
                         value=float("nan"), last_checkpoint=2)

  monkeypatch.setattr(train_lib, "run", explode)
  argv = ["--config", f"{GRACE_CFG}:test", "--workdir", str(tmp_path / "w")]
  assert train_lib.main(argv) == 1
  assert "epoch 3, step 3" in capsys.readouterr().err
  assert train_lib.main(argv + ["--config.model.hiden=2"]) == 2
  assert "unknown config key" in capsys.readouterr().err


@pytest.mark.parametrize("driver", ["reproduce", "epoch_sweep"])
def test_drivers_exit_2_with_the_message_on_a_config_error(driver, tmp_path, capsys):
  """A bad config never starts training: exit status 2 and the reason on stderr."""
  import importlib  # pylint: disable=import-outside-toplevel
  main = importlib.import_module(f"experiments.{driver}").main
  argv = ["--method", "grace", "--dataset", "test", "--seeds", "1", "--out",
          str(tmp_path / "out")]
  assert main(argv + ["--config.model.hiden=2"]) == 2
  assert "config error" in capsys.readouterr().err
  assert main(["--method", "no_such_method", "--dataset", "test", "--seeds", "1", "--out",
               str(tmp_path / "out")]) == 2
  assert not (tmp_path / "out" / "seed_0" / "checkpoints").exists()


def test_collect_reads_summaries_of_other_drivers(tmp_path):
  (tmp_path / "a").mkdir()
  (tmp_path / "a" / "summary.json").write_text(json.dumps({
      "method": "graphmae", "dataset": "mutag", "protocol": "SVM-10fold/GraphMAE", "seeds": 5,
      "metrics": {"acc": {"mean": 85.7, "std": 1.1}}, "command": "python run.py",
      "reference": {"value": 88.19, "std": 1.26, "source": "GraphMAE README"}}))
  (tmp_path / "b").mkdir()
  (tmp_path / "b" / "summary.json").write_text("{not json")
  out = tmp_path / "R.md"
  summaries = collect_lib.collect([tmp_path], out)
  assert len(summaries) == 1
  assert ("| graphmae | mutag | SVM-10fold/GraphMAE | acc | 85.70 ± 1.10 (5 seeds) | 88.19 ± 1.26"
          in out.read_text())


def test_verdict_and_readme_block(tmp_path):
  def summary(mean, value, std):
    return {"method": "m", "dataset": "d", "protocol": "p", "seeds": [0, 1],
            "metrics": {"acc": {"mean": mean, "std": 0.5}},
            "reference": {"metric": "acc", "value": value, "std": std, "source": "s"}}
  assert collect_lib.verdict(summary(84.5, 84.0, 0.4)) == "+0.50 (above)"
  assert collect_lib.verdict(summary(83.7, 84.0, 0.4)) == "-0.30 (within 1 std)"
  assert collect_lib.verdict(summary(83.0, 84.0, 0.4)) == "-1.00 (2.5 std)"
  assert collect_lib.verdict(summary(83.0, None, None)) == "no paper value"
  readme = tmp_path / "README.md"
  readme.write_text(f"intro\n{collect_lib.BEGIN}\nold\n{collect_lib.END}\noutro\n")
  collect_lib.write_readme([summary(83.0, 84.0, 0.4)], readme)
  text = readme.read_text()
  assert "old" not in text and text.startswith("intro\n") and text.endswith("outro\n")
  assert "| m | d | p | acc | 83.00 ± 0.50 | 2 | 84.00 ± 0.40 | -1.00 (2.5 std) |" in text
  # The config variant named by the command keeps same-dataset rows apart.
  variant = {**summary(84.0, 84.0, 0.4),
             "command": "python -m experiments.reproduce --method m --dataset d-full --seeds 2"}
  ablation = {**summary(84.0, 84.0, 0.4),
              "command": "python -m experiments.reproduce --method m --dataset d --seeds 2 "
                         "--out o --config.model.init=torch"}
  collect_lib.write_readme([summary(83.0, 84.0, 0.4), variant, ablation], readme)
  rows = [l for l in readme.read_text().splitlines() if l.startswith("| m |")]
  assert [r.split(" | ")[1] for r in rows] == ["d", "d-full", "d, model.init=torch"]
  readme.write_text("no markers")
  with pytest.raises(ValueError, match="no <!-- results:begin -->"):
    collect_lib.write_readme([], readme)


def test_embeddings_from_is_recorded_relative_to_the_working_directory(tmp_path, monkeypatch):
  """A committed ``result.json`` names its source run the same way in every checkout."""
  # pylint: disable=protected-access
  monkeypatch.chdir(tmp_path)
  below = tmp_path / "experiments" / "results" / "x" / "seed_0"
  assert train_lib._portable_path(below) == "experiments/results/x/seed_0"
  outside = tmp_path.parent / "elsewhere" / "seed_0"
  assert train_lib._portable_path(outside) == str(outside)

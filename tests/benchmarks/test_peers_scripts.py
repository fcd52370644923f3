"""benchmarks/peers without torch: the peer scripts parse, match jgssl's Cora configs, and the
ratio bookkeeping of ``benchmarks.peers.run`` is right. Never installs or imports torch."""

import ast
import math
import pathlib

import pytest

from benchmarks.peers import run as peers

SCRIPTS = pathlib.Path(peers.__file__).resolve().parent / "scripts"


def _constants(path):
  """Module-level ``NAME = <literal>`` and ``A, B = <literal>, <literal>`` of a script."""
  out = {}
  for node in ast.parse(path.read_text()).body:
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
      continue
    target = node.targets[0]
    try:
      value = ast.literal_eval(node.value)
    except ValueError:
      continue
    if isinstance(target, ast.Name):
      out[target.id] = value
    elif isinstance(target, ast.Tuple):
      for elt, v in zip(target.elts, value):
        out[elt.id] = v
  return out


def _calls(path):
  return {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", None)
          for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)}


def test_every_script_compiles():
  files = sorted(SCRIPTS.glob("*.py"))
  assert {p.name for p in files} >= {p.script for p in peers.PEERS.values()} | {"_common.py"}
  for path in files:
    compile(path.read_text(), str(path), "exec")


@pytest.mark.parametrize("key", sorted(peers.PEERS))
def test_peer_scripts_limit_threads_and_time_epochs(key):
  calls = _calls(SCRIPTS / peers.PEERS[key].script)
  # _common.start: thread / core limit, seed, Cora; _common.finish: timed epochs, result line.
  assert {"start", "finish"} <= calls
  common = _calls(SCRIPTS / "_common.py")
  assert {"limit_threads", "manual_seed", "load_cora", "time_epochs", "report"} <= common


def test_peer_hyperparameters_match_jgssl_cora_configs():
  from experiments.configs import bgrl, dgi, grace  # pylint: disable=import-outside-toplevel
  g = grace.get_config("cora")
  for script in ("grace_official.py", "grace_pygcl.py"):
    c = _constants(SCRIPTS / script)
    assert c["LR"] == g.optimizer.learning_rate and c["WEIGHT_DECAY"] == g.optimizer.weight_decay
    # GRACE's encoder: first layer 2 x num_hidden wide, then num_hidden.
    assert g.model.features == (2 * c["NUM_HIDDEN"], c["NUM_HIDDEN"])
    assert c["NUM_PROJ_HIDDEN"] == g.model.hidden_features
    assert (c["DROP_EDGE_1"], c["DROP_EDGE_2"]) == g.model.drop_edge_rate
    assert (c["DROP_FEATURE_1"], c["DROP_FEATURE_2"]) == g.model.drop_feature_rate
    assert c["TAU"] == g.model.temperature
  d, c = dgi.get_config("cora"), _constants(SCRIPTS / "dgi_pygcl.py")
  assert (c["LR"], c["WEIGHT_DECAY"], c["HIDDEN"]) == (
      d.optimizer.learning_rate, d.optimizer.weight_decay, d.model.features[0])
  b, c = bgrl.get_config("cora"), _constants(SCRIPTS / "_bgrl.py")
  assert c["LAYERS"] == tuple(b.model.features) and c["PRED_HIDDEN"] == b.model.hidden_features
  assert (c["DROP_EDGE_1"], c["DROP_EDGE_2"]) == tuple(b.model.drop_edge_rate)
  assert (c["DROP_FEATURE_1"], c["DROP_FEATURE_2"]) == tuple(b.model.drop_feature_rate)
  assert (c["LR"], c["WEIGHT_DECAY"]) == (b.optimizer.learning_rate, b.optimizer.weight_decay)
  assert (c["EPOCHS"], c["WARMUP_EPOCHS"]) == (b.epochs, b.optimizer.warmup_steps)
  assert (c["MOMENTUM"], c["BN_MOMENTUM"]) == (b.model.momentum, b.model.bn_momentum)


def test_pair_ratio_is_jgssl_over_peer():
  assert peers.pair_ratio(0.2, 0.5) == pytest.approx(0.4)
  assert peers.pair_ratio(3, 1.5) == pytest.approx(2.0)
  for bad in (0.0, -1.0, math.inf, math.nan, None):
    with pytest.raises(ValueError, match="finite positive"):
      peers.pair_ratio(bad, 1.0)
    with pytest.raises(ValueError, match="peer_s"):
      peers.pair_ratio(1.0, bad)


def test_pair_order_alternates_and_runs_everything_once():
  assert peers.pair_order(["grace"], 0) == ["grace", "jgssl"]
  assert peers.pair_order(["grace"], 1) == ["jgssl", "grace"]
  assert peers.pair_order(["bgrl", "bgrl-official"], 2) == ["bgrl", "bgrl-official", "jgssl"]
  assert peers.pair_order(["bgrl", "bgrl-official"], 3) == ["jgssl", "bgrl", "bgrl-official"]
  with pytest.raises(ValueError):
    peers.pair_order([], 0)
  with pytest.raises(ValueError):
    peers.pair_order(["dgi"], -1)


def test_summarize_takes_the_median_of_same_pair_ratios():
  # Drift: the machine halves its speed in pair 1, both sides alike; the ratio stays 0.4.
  pairs = [{"peer_median_s": 1.0, "jgssl_median_s": 0.4},
           {"peer_median_s": 2.0, "jgssl_median_s": 0.8},
           {"peer_median_s": 1.0, "jgssl_median_s": 0.7}]
  s = peers.summarize(pairs, target=0.5)
  assert s["ratios"] == pytest.approx([0.4, 0.4, 0.7])
  assert s["median_ratio"] == pytest.approx(0.4)
  assert (s["min_ratio"], s["max_ratio"]) == pytest.approx((0.4, 0.7))
  assert s["meets_target"] is True
  assert peers.summarize(pairs[:2] + [{"peer_median_s": 1.0, "jgssl_median_s": 0.9}] * 2,
                         target=0.5)["meets_target"] is False
  assert peers.summarize(pairs[:2])["median_ratio"] == pytest.approx(0.4)
  assert peers.summarize(pairs[:1])["meets_target"] is None
  with pytest.raises(ValueError):
    peers.summarize([])


def test_parse_marked_json_takes_the_last_marked_line():
  text = "noise\n@@PEER@@{\"a\": 1}\nwarning: x\n@@PEER@@{\"a\": 2, \"b\": [1]}\ntrailing"
  assert peers.parse_marked_json(text, "@@PEER@@") == {"a": 2, "b": [1]}
  with pytest.raises(ValueError, match="no line"):
    peers.parse_marked_json("nothing here", "@@RESULT@@")


def test_render_markdown_reports_ratios_targets_and_the_command():
  pairs = [{"peer_median_s": 0.5, "jgssl_median_s": 0.1},
           {"peer_median_s": 0.6, "jgssl_median_s": 0.36}]
  run = {"pair": 0, "side": "grace", "median_epoch_s": 0.5, "first_call_s": 1.0,
         "peak_rss_mb": 900.0, "cpu_per_wall": 1.9, "load_before": [1.0, 1, 1],
         "load_after": [1.5, 1, 1]}
  results = {
      "command": "python -m benchmarks.peers.run --pairs 2",
      "date": "2026-01-01T00:00:00",
      "machine": {"cpus": 2, "cpu": "test CPU"},
      "settings": {"pairs": 2, "epochs": 20, "warmup": 2, "threads": 2},
      "venv": {"torch": "2.13.0+cpu", "torch_geometric": "2.8.1", "PyGCL": "0.1.2"},
      "peers": {"grace": {"description": "official GRACE",
                          "jgssl_config": "experiments/configs/grace.py:cora"}},
      "load_avg_start": [1.0, 1.0, 1.0], "load_avg_end": [2.0, 1.0, 1.0],
      "summary": {"grace": peers.summarize(pairs, target=0.5)},
      "runs": [run], "notes": ["a note"],
  }
  md = peers.render_markdown(results)
  assert "python -m benchmarks.peers.run --pairs 2" in md
  assert "0.200, 0.600" in md                 # per-pair ratios
  assert "**0.400**" in md                    # their median
  assert "≤ 0.5 (met)" in md
  assert "| 0 | grace | 0.5000 | 1.00 | 900 | 1.90 | 1.00 → 1.50 |" in md
  assert "* a note" in md


@pytest.mark.parametrize("setting", ["cora", "citeseer-public"])
def test_accuracy_cross_check_trains_and_scores_as_the_grace_config(setting):
  """benchmarks.peers.accuracy: each official run's seeds, hyperparameters and probe are the
  jgssl config's of the same name."""
  from benchmarks.peers import accuracy  # pylint: disable=import-outside-toplevel
  from experiments.configs import grace  # pylint: disable=import-outside-toplevel
  g, s = grace.get_config(setting), accuracy.SETTINGS[setting]
  assert s.dataset.lower() == g.dataset
  assert s.first_seed == g.seed and s.epochs == g.epochs
  assert (s.lr, s.weight_decay) == (g.optimizer.learning_rate, g.optimizer.weight_decay)
  assert g.model.features == (2 * s.hidden, s.hidden)  # GRACE: first layer 2 x num_hidden
  assert (s.proj_hidden, s.activation) == (g.model.hidden_features, g.model.activation)
  assert s.drop_edge == g.model.drop_edge_rate
  assert s.drop_feature == g.model.drop_feature_rate
  assert s.tau == g.model.temperature
  assert g.eval.protocol == {"random": "LR-rand-sklearn/GRACE",
                             "public": "LR-public-sklearn/GRACE"}[s.split]
  source = _calls(pathlib.Path(accuracy.__file__))
  assert {"lr_rand_sklearn_grace", "lr_public_sklearn_grace"} <= source
  assert {"limit_threads", "manual_seed", "load_planetoid"} <= _calls(
      SCRIPTS / "grace_official_embeddings.py")


def test_accuracy_cross_check_refuses_an_unknown_setting():
  from benchmarks.peers import accuracy  # pylint: disable=import-outside-toplevel
  with pytest.raises(ValueError, match="unknown setting"):
    accuracy.official_grace_accuracy([0], setting="pubmed")

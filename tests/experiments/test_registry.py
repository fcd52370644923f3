"""experiments.registry: one table of methods and protocols, import-order independent; configs
loaded with ml_collections' own override flags."""

import json
import pathlib
import subprocess
import sys
import types

import ml_collections
import pytest
from absl import flags

from experiments import common
from experiments import registry

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = REPO / "experiments" / "configs"

_FRESH = r"""
import json, sys
from experiments import registry
found = {"protocols": {}, "methods": {}}
for name in registry.PROTOCOLS:
  p = registry.get_protocol(name)
  found["protocols"][name] = callable(p.evaluate) and callable(p.check)
for name in registry.METHODS:
  found["methods"][name] = str(registry.config_file(name))
found["configs_imported"] = sorted(m for m in sys.modules if m.startswith("experiments.configs."))
print(json.dumps(found))
"""


def test_a_fresh_interpreter_resolves_every_protocol_and_method_without_a_config_import():
  """No table entry waits for a config module to be imported (the old setdefault
  registrations did): a new process sees every protocol and every method's config file."""
  out = subprocess.run([sys.executable, "-c", _FRESH], cwd=REPO, capture_output=True, text=True,
                       timeout=120, check=True).stdout
  found = json.loads(out.strip().splitlines()[-1])
  assert found["configs_imported"] == []
  assert set(found["protocols"]) == set(registry.PROTOCOLS) and all(found["protocols"].values())
  assert {"LP-public/DGI", "LP-public/DGI-l2", "LP-public/MVGRL", "LP-public/CCA-SSG",
          "LP-rand/CCA-SSG", "LR-rand-torch/GCA", "LR-rand-sklearn/BGRL",
          "LR-public-sklearn/BGRL", "LR-rand-sklearn/GRACE", "LR-public-sklearn/GRACE",
          "LP-public/GraphMAE", "SVM-10fold/GraphMAE", "SVM-10fold/GraphCL", "SVM-10fold/MVGRL",
          "LinkPred-GAE", "LR-public-torch", "LR-public-torch/POT-swapped",
          "LR-rand-torch/CSGCL-unseeded"} == set(found["protocols"])
  for name, path in found["methods"].items():
    assert path == str(CONFIGS / f"{name}.py")


def test_every_method_builds_from_its_config_in_a_fresh_interpreter():
  code = ("from experiments import common, registry\n"
          "for name in registry.METHODS:\n"
          "  plan = common.validate(registry.load_config(f'{name}:test'))\n"
          "  assert plan.config.method == name, name\n"
          "print('ok')\n")
  out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                       timeout=300, check=True).stdout
  assert out.strip().endswith("ok")


def test_unknown_names_are_config_errors_with_a_suggestion():
  with pytest.raises(common.ConfigError, match=r"unknown evaluation protocol 'LP-public/DG'.*"
                                               r"Did you mean 'LP-public/DGI'"):
    registry.get_protocol("LP-public/DG")
  with pytest.raises(common.ConfigError, match=r"unknown method 'grce'.*Did you mean 'grace'"):
    registry.get_method("grce")
  with pytest.raises(common.ConfigError, match="unknown method 'grce'"):
    registry.load_config("grce:cora")


# --- building a method ---------------------------------------------------------------------------


def test_build_method_calls_the_config_modules_build_when_it_has_one(monkeypatch):
  module = types.ModuleType("fake_method_config")
  seen = []

  def build(model):
    seen.append(model)
    return types.SimpleNamespace(level="node", row_sharding=True)

  module.build = build
  monkeypatch.setitem(sys.modules, "fake_method_config", module)
  monkeypatch.setitem(registry.METHODS, "fake", registry.MethodEntry("fake_method_config"))
  config = ml_collections.ConfigDict({"method": "fake", "model": {"hidden": 4}})
  method = registry.build_method(config)
  assert seen == [config.model]
  entry = registry.METHODS["fake"]
  assert registry.method_level(entry, method) == "node"
  assert registry.method_strategies(entry, method) == ("single", "rows")  # row_sharding
  no_fallback = ml_collections.ConfigDict({"method": "fake", "model": {}})
  delattr(module, "build")
  with pytest.raises(common.ConfigError, match="defines no build"):
    registry.build_method(no_fallback)


def test_registered_config_modules_build_their_methods():
  bgrl = registry.build_method(registry.load_config("bgrl:test"))  # the config module's build
  assert type(bgrl).__name__ == "Bootstrap" and bgrl.predictor.hidden_features == 16
  entry = registry.get_method("grace")
  grace = registry.build_method(registry.load_config("grace:test"))
  assert registry.method_strategies(entry, grace) == ("single", "rows")  # row_sharding
  graphcl = registry.build_method(registry.load_config("graphcl:test"))
  assert registry.method_strategies(registry.get_method("graphcl"), graphcl) == ("single", "data")


# --- loading configs -----------------------------------------------------------------------------


def test_a_short_spec_is_the_registered_config_file():
  short = registry.load_config("grace:cora")
  path = registry.load_config(f"{CONFIGS / 'grace.py'}:cora")
  assert common.config_to_dict(short) == common.config_to_dict(path)
  assert registry.resolve_spec("gca") == str(CONFIGS / "gca.py")
  assert registry.resolve_spec(f"{CONFIGS / 'gca.py'}:test") == f"{CONFIGS / 'gca.py'}:test"
  assert common.config_to_dict(registry.load_config("grace")) == common.config_to_dict(short)


def test_overrides_are_parsed_by_the_type_of_their_field():
  c = registry.load_config("grace:test", [
      "--config.model.hidden_features=32", "epochs=7", "optimizer.learning_rate=1",
      "model.chunk_size=64",
      "--config.model.activation=prelu", "eval.train_ratio=0.2"])
  assert (c.model.hidden_features, c.epochs, c.model.chunk_size, c.model.activation) == (
      32, 7, 64, "prelu")
  assert registry.load_config("grace:test", ["--config.model.drop_edge_rate=(0.1, 0.3)"]
                              ).model.drop_edge_rate == (0.1, 0.3)
  assert c.optimizer.learning_rate == 1.0 and isinstance(c.optimizer.learning_rate, float)
  assert c.eval.train_ratio == 0.2
  bgrl = registry.load_config("bgrl:test", ["--config.model.features=(64, 32)"])
  assert tuple(bgrl.model.features) == (64, 32)
  with pytest.raises(AttributeError):
    c.new_key = 1  # locked


@pytest.mark.parametrize("overrides, match", [
    (["--config.epochs=abc"], r"^config.epochs expects an int, got 'abc'"),
    (["--config.model.temperature=warm"], r"^config.model.temperature expects a float"),
    (["--config.model.featurs=3"],
     r"unknown config key 'model.featurs'. Did you mean 'model.features'"),
    (["--config.new_key=3"], r"unknown config key 'new_key'.*locked"),
    (["--config.model=3"], r"config.model is a section"),
    (["--config.model={'hidden': 3, 'extra': 1}"], r"config.model is a section"),
    (["--config.model.hidden_features"],
     r"Missing value for flag --config.model.hidden_features"),
    (["--workdir=x"], r"Unknown command line flag 'workdir'"),
])
def test_bad_overrides_are_one_line_config_errors(overrides, match):
  with pytest.raises(common.ConfigError, match=match) as info:
    registry.load_config("grace:test", overrides)
  assert "\n" not in str(info.value)


def test_a_none_field_without_a_type_cannot_be_set_and_says_why():
  with pytest.raises(common.ConfigError, match=r"config.model.chunk_size cannot be set from the "
                                               r"command line.*placeholder"):
    registry.load_config("gca:test", ["--config.model.chunk_size=64"])


@pytest.mark.parametrize("spec, match", [
    ("grace:nosuch", r"grace.py: unknown GRACE config variant 'nosuch'; choose one of"),
    ("no/such/file.py", r"config file 'no/such/file.py' not found"),
    (str(CONFIGS / "_base.py"), r"_base.py defines no get_config\(\)"),
])
def test_bad_specs_are_config_errors(spec, match):
  with pytest.raises(common.ConfigError, match=match):
    registry.load_config(spec)


def test_a_file_without_get_config_never_reuses_the_previous_files():
  """config_flags loads every file into one module name; the registry clears it first."""
  registry.load_config("grace:test")
  with pytest.raises(common.ConfigError, match="defines no get_config"):
    registry.load_config(str(CONFIGS / "_node_protocols.py"))


def test_parse_config_flags_takes_other_flags_and_overrides_in_any_order():
  fv = flags.FlagValues()
  flags.DEFINE_string("workdir", None, "", flag_values=fv)
  config, rest = registry.parse_config_flags(
      ["prog", "--config.seed", "5", "--workdir", "/tmp/w", "--config", "grace:test",
       "--config.model.hidden_features=8", "positional"], fv)
  assert (config.seed, config.model.hidden_features, fv.workdir) == (5, 8, "/tmp/w")
  assert rest == ["prog", "positional"]
  assert flags.FLAGS.find_module_defining_flag("config") is None  # absl's global FLAGS untouched
  with pytest.raises(common.ConfigError, match="no --config given"):
    registry.parse_config_flags(["prog", "--config.seed=1"])
  with pytest.raises(common.ConfigError, match="given 2 times"):
    registry.parse_config_flags(["prog", "--config=grace", "--config=gca"])


def test_split_overrides_joins_pairs_and_keeps_the_rest():
  overrides, others = registry.split_overrides(
      ["--config.seed", "3", "--out", "o", "--config.model.hidden=8", "--noconfig.flag"])
  assert overrides == ["--config.seed=3", "--config.model.hidden=8", "--noconfig.flag"]
  assert others == ["--out", "o"]


# --- the launcher's command line -----------------------------------------------------------------


def test_the_launcher_takes_a_short_spec_and_prints_its_help(capsys):
  from experiments import train as train_lib  # pylint: disable=import-outside-toplevel
  config, workdir, progress = train_lib.parse_args(
      ["--config", "grace:test", "--workdir", "/tmp/w", "--config.seed", "5", "--no_progress"])
  assert (config.method, config.seed, workdir, progress) == ("grace", 5, "/tmp/w", False)
  assert train_lib.main(["--help"]) == 0
  out = capsys.readouterr().out
  assert out.startswith("usage: jgssl-train --config <method>[:<variant>]") and "--workdir" in out
  assert train_lib.main(["--config", "grace:test"]) == 2
  assert "--workdir is required" in capsys.readouterr().err


def test_csgcl_unseeded_probe_draws_its_split_outside_the_run_seed_and_records_it(rng):
  """CSGCL's protocol as its code runs it: two scorings of the same embeddings with the same run
  seed use different (recorded) splits; the seeded GCA probe repeats itself."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  import ml_collections  # pylint: disable=import-outside-toplevel
  y = rng.integers(0, 3, 200)
  x = (np.eye(3)[y] * 2.0 + rng.normal(size=(200, 3))).astype(np.float32)
  cfg = ml_collections.ConfigDict(dict(protocol="LR-rand-torch/CSGCL-unseeded", splits=1,
                                       epochs=40, eval_every=20, lr=0.01, weight_decay=0.0))
  registry.get_protocol(cfg.protocol).check(cfg.protocol, cfg)
  runs = [registry.get_protocol(cfg.protocol).evaluate(x, y, seed=0, cfg=cfg, dataset=None,
                                                       context=None) for _ in range(2)]
  seeds = [r[2]["settings"]["split_seeds"] for r in runs]
  assert runs[0][0] == "LR-rand-torch/CSGCL-unseeded" and "OS entropy" in runs[0][2]["note"]
  assert seeds[0] != seeds[1]
  gca = registry.get_protocol("LR-rand-torch/GCA")
  again = [gca.evaluate(x, y, seed=0, cfg=cfg, dataset=None, context=None)[1]["test_acc"]
           for _ in range(2)]
  assert again[0] == again[1]

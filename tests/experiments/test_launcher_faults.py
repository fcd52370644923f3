"""The launcher's failure paths: one-line errors with their own exit statuses, eval checks before
training, re-evaluation after an evaluation crash, the workdir lock and damaged workdir files."""

import importlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import pytest

from experiments import common
from experiments import registry
from experiments import train as train_lib

REPO = pathlib.Path(__file__).resolve().parents[2]
GRACE_CFG = str(REPO / "experiments" / "configs" / "grace.py")


def _main(argv, capsys):
  """``(exit status, stderr lines)`` of ``experiments.train.main(argv)``."""
  rc = train_lib.main(argv)
  err = capsys.readouterr().err
  return rc, [line for line in err.splitlines() if line.strip()]


def _argv(workdir, *overrides, variant="test"):
  return ["--config", f"{GRACE_CFG}:{variant}", "--workdir", str(workdir), "--no_progress",
          *overrides]


def _one_line(lines, *needles):
  assert len(lines) == 1, lines
  assert "Traceback" not in lines[0]
  for needle in needles:
    assert needle in lines[0], lines[0]
  return lines[0]


# --- 7. command-line errors are one line ---------------------------------------------------------


@pytest.mark.parametrize("overrides, variant, status, needles", [
    (["--config.model.nonexistent=3"], "test", 2, ["config error", "model.nonexistent"]),
    (["--config.epochs=abc"], "test", 2, ["config error", "config.epochs expects"]),
    ([], "nosuch", 2, ["config error", "'nosuch'", "choose one of"]),
])
def test_bad_command_line_is_one_line_with_status_2(tmp_path, capsys, overrides, variant, status,
                                                     needles):
  rc, lines = _main(_argv(tmp_path / "w", *overrides, variant=variant), capsys)
  assert rc == status
  _one_line(lines, *needles)
  assert not (tmp_path / "w").exists()


def test_missing_dataset_is_one_line_with_status_3(tmp_path, capsys, monkeypatch):
  monkeypatch.setenv("JGSSL_DATA_DIR", str(tmp_path / "empty"))
  monkeypatch.setenv("JGSSL_OFFLINE", "1")
  rc, lines = _main(_argv(tmp_path / "w"), capsys)
  assert rc == 3
  line = _one_line(lines, "dataset error", "'cora'", "missing", "JGSSL_OFFLINE")
  assert len(line) < 1000


def test_debug_flag_shows_the_traceback(tmp_path, capsys, monkeypatch):
  monkeypatch.setenv("JGSSL_DATA_DIR", str(tmp_path / "empty"))
  rc = train_lib.main(_argv(tmp_path / "w", "--debug"))
  err = capsys.readouterr().err
  assert rc == 3 and "Traceback" in err and "DatasetError" in err
  assert "ind.cora.x:" in err  # the data layer's full message, line by line
  rc = train_lib.main(_argv(tmp_path / "w", "--config.model.nonexistent=3", "--debug"))
  err = capsys.readouterr().err
  assert rc == 2 and "Traceback" in err and "model.nonexistent" in err


def test_command_line_missing_dataset_in_a_real_process(tmp_path):
  """The real command: stderr holds the one line and nothing else (no log noise either)."""
  env = {**os.environ, "JGSSL_DATA_DIR": str(tmp_path / "empty"), "JGSSL_OFFLINE": "1",
         "PYTHONPATH": str(REPO)}
  proc = subprocess.run(
      [sys.executable, "-m", "experiments.train", "--config", f"{GRACE_CFG}:cora",
       "--workdir", str(tmp_path / "w"), "--no_progress"],
      cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
  assert proc.returncode == 3, proc.stderr
  lines = [l for l in proc.stderr.splitlines() if l.strip()]
  _one_line(lines, "dataset error", "cora")


# --- 8. eval values are checked before anything compiles ---------------------------------------


@pytest.mark.parametrize("override, match", [
    ("eval.train_ratio=0", r"config.eval.train_ratio .*\(0, 1\)"),
    ("eval.train_ratio=1.5", r"config.eval.train_ratio"),
    ("eval.repeats=0", r"config.eval.repeats must be an integer >= 1"),
    ("eval.inner_folds=1", r"config.eval.inner_folds must be an integer >= 2"),
    ("eval.c_log2_min=2", r"config.eval.c_log2_min \(2\) must be <= config.eval.c_log2_max"),
])
def test_bad_eval_values_fail_before_training(tmp_path, capsys, override, match):
  with pytest.raises(common.ConfigError, match=match):
    common.validate(registry.load_config(f"{GRACE_CFG}:test", [override]))
  rc, lines = _main(_argv(tmp_path / "w", f"--config.{override}"), capsys)
  assert rc == 2
  _one_line(lines, "config error", "config.eval.")
  assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("method, variant, override, match", [
    ("dgi", "test", "eval.restarts=0", r"config.eval.restarts must be an integer >= 1"),
    ("dgi", "test", "eval.lr=0.0", r"config.eval.lr must be > 0"),
    ("gca", "test", "eval.eval_every=0", r"config.eval.eval_every must be an integer >= 1"),
    ("gca", "test", "eval.weight_decay=-1.0", r"config.eval.weight_decay must be >= 0"),
    ("bgrl", "test", "eval.c_log2_max=-5", r"c_log2_min \(-1\) must be <="),
    ("bgrl", "amazon-computers", "eval.repeats=0", r"config.eval.repeats must be"),
    ("bgrl", "cora", "eval.restarts=0", r"config.eval.restarts must be an integer >= 1"),
    ("cca_ssg", "test", "eval.epochs=0", r"config.eval.epochs must be an integer >= 1"),
    ("graphmae", "cora", "eval.epochs=0", r"config.eval.epochs must be an integer >= 1"),
    ("graphmae", "mutag", "eval.fold_seed=-1", r"config.eval.fold_seed must be an integer >= 0"),
    ("gae", "test", "eval.test=0.0", r"config.eval.test must lie in \(0, 1\)"),
    ("gae", "test", "eval.val=0.95", r"config.eval.val \+ config.eval.test must be < 1"),
    ("grace", "cora-public", "eval.protocol=LR-rand-sklearn/GRACE",
     r"LR-rand-sklearn/GRACE needs config.eval.train_ratio"),
])
def test_every_protocol_checks_its_eval_section(method, variant, override, match):
  spec = f"{registry.config_file(method)}:{variant}"
  common.validate(registry.load_config(spec))
  with pytest.raises(common.ConfigError, match=match):
    common.validate(registry.load_config(spec, [override]))


def test_every_protocol_has_a_check_and_every_config_variant_passes_it():
  for method, entry in registry.METHODS.items():
    module = importlib.import_module(entry.config_module)
    for variant in module.VARIANTS:
      common.validate(registry.load_config(f"{method}:{variant}"))  # shipped values pass checks
  missing = [n for n in registry.PROTOCOLS if registry.get_protocol(n).check is None]
  assert not missing, f"protocols without an eval check: {missing}"


# --- 8. an evaluation crash keeps the training; a corrected eval re-evaluates -----------------


def test_evaluation_crash_keeps_the_training_and_a_corrected_rerun_evaluates(tmp_path, capsys):
  w = tmp_path / "w"
  # 270 training rows cannot be split into 1000 folds: only the probe itself can tell.
  rc, lines = _main(_argv(w, "--config.eval.inner_folds=1000"), capsys)
  assert rc == 6
  _one_line(lines, "evaluation failed", "1000", "rerun")
  assert not (w / "result.json").exists()
  assert (w / "embeddings.npy").exists() and (w / "trained.json").exists()
  metrics = (w / "metrics.jsonl").read_text()
  assert [json.loads(l)["epoch"] for l in metrics.splitlines()] == [1, 2, 3, 4]
  trained = json.loads((w / "trained.json").read_text())
  # The corrected eval section is accepted and only the evaluation runs again.
  rc, _ = _main(_argv(w), capsys)
  assert rc == 0
  result = json.loads((w / "result.json").read_text())
  assert result["params_checksum"] == trained["params_checksum"]
  assert result["config"]["eval"]["inner_folds"] == 3
  assert json.loads((w / "config.json").read_text())["eval"]["inner_folds"] == 3
  assert (w / "metrics.jsonl").read_text() == metrics  # nothing trained again
  # Training values still have to match; a finished run keeps its eval section.
  with pytest.raises(common.ConfigError, match="different config.*model.hidden"):
    train_lib.run(registry.load_config(f"{GRACE_CFG}:test", ["model.hidden_features=8"]), w)
  with pytest.raises(common.ConfigError, match="finished.*eval.repeats"):
    train_lib.run(registry.load_config(f"{GRACE_CFG}:test", ["eval.repeats=1"]), w)


def test_eval_change_of_an_unfinished_run_is_accepted_only_without_prepare(tmp_path):
  # pylint: disable=protected-access
  w = tmp_path / "w"
  w.mkdir()
  old = common.config_to_dict(registry.load_config(f"{GRACE_CFG}:test"))
  (w / "config.json").write_text(json.dumps(old))
  new = common.config_to_dict(registry.load_config(f"{GRACE_CFG}:test", ["eval.repeats=1"]))
  train_lib._check_workdir(w, new)
  assert json.loads((w / "config.json").read_text())["eval"]["repeats"] == 1
  gae = "gae:test"
  (w / "config.json").write_text(json.dumps(common.config_to_dict(registry.load_config(gae))))
  with pytest.raises(common.ConfigError, match="different config.*eval.val"):
    train_lib._check_workdir(w, common.config_to_dict(registry.load_config(gae, ["eval.val=0.1"])))


# --- 8. one launcher per workdir --------------------------------------------------------------

_HOLDER = """
import sys, time
from experiments import train
with train.workdir_lock(sys.argv[1]):
  print("locked", flush=True)
  time.sleep(120)
"""


def test_second_launcher_on_a_locked_workdir_exits_5_and_a_stale_lock_does_not_block(
    tmp_path, capsys):
  w = tmp_path / "w"
  holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(w)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "locked"
    rc, lines = _main(_argv(w), capsys)
    assert rc == 5
    _one_line(lines, "workdir", str(w), f"pid {holder.pid}", "since")
    assert not (w / "config.json").exists()
  finally:
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
  # Killed without cleaning up: the kernel released the lock; the file only names the dead pid.
  assert str(holder.pid) in (w / ".lock").read_text()
  with train_lib.workdir_lock(w):
    assert str(os.getpid()) in (w / ".lock").read_text()


# --- 8. data and file-system errors -----------------------------------------------------------


def test_truncated_dataset_file_is_one_line_with_status_3(tmp_path, capsys, monkeypatch,
                                                          data_root):
  raw = tmp_path / "data" / "cora" / "raw"
  shutil.copytree(data_root / "cora" / "raw", raw)
  target = raw / "ind.cora.x"
  target.write_bytes(target.read_bytes()[:1000])
  monkeypatch.setenv("JGSSL_DATA_DIR", str(tmp_path / "data"))
  rc, lines = _main(_argv(tmp_path / "w"), capsys)
  assert rc == 3
  _one_line(lines, "dataset error", "ind.cora.x")


def test_workdir_under_a_regular_file_is_one_line_with_status_4(tmp_path, capsys):
  (tmp_path / "file").write_text("not a folder")
  rc, lines = _main(_argv(tmp_path / "file" / "run"), capsys)
  assert rc == 4
  _one_line(lines, "workdir", str(tmp_path / "file"))


def test_unwritable_workdir_is_one_line_with_status_4(tmp_path, capsys, monkeypatch):
  w = tmp_path / "w"
  w.mkdir()
  real_open = os.open

  def deny(path, *args, **kwargs):  # root ignores chmod: refuse the way a read-only folder does
    if str(path).startswith(str(w)):
      raise PermissionError(13, "Permission denied", str(path))
    return real_open(path, *args, **kwargs)

  monkeypatch.setattr(os, "open", deny)
  rc, lines = _main(_argv(w), capsys)
  assert rc == 4
  _one_line(lines, "workdir", "Permission denied", str(w))


@pytest.mark.parametrize("name", ["config.json", "result.json"])
def test_truncated_run_file_names_the_file_and_what_to_do(tmp_path, capsys, name):
  w = tmp_path / "w"
  w.mkdir()
  resolved = common.config_to_dict(registry.load_config(f"{GRACE_CFG}:test"))
  (w / "config.json").write_text(json.dumps(resolved))
  (w / name).write_text(json.dumps({"method": "grace", "config": resolved})[:30])
  rc, lines = _main(_argv(w), capsys)
  assert rc == 4
  _one_line(lines, str(w / name), "delete")


# --- 8. the guard covers the optimizer state -------------------------------------------------


def test_non_finite_optimizer_state_stops_at_the_epoch_it_happens(tmp_path, capsys):
  # The loss (~1e33) stays finite; Adam's second moment overflows at the first step.
  rc, lines = _main(_argv(tmp_path / "w", "--config.model.temperature=1e-38",
                          "--config.checkpoint_every=2", "--config.epochs=3"), capsys)
  assert rc == 1
  line = _one_line(lines, "training stopped", "optimizer state", "epoch 1,",
                   "last good checkpoint: none")
  assert "refusing to checkpoint" not in line
  metrics = tmp_path / "w" / "metrics.jsonl"
  assert not metrics.exists() or not metrics.read_text().strip()

"""Launcher: ``jgssl-train --config <method>[:<variant>] --workdir DIR``.

``jgssl-train`` is the console command ``pip install`` puts on the path; in a clone,
``python -m experiments.train`` is the same command. ``--config`` takes a method name and a
variant of its config file (``grace:cora``: ``experiments/configs/grace.py``, shipped with the
package) or the path of a config file (``experiments/configs/grace.py:cora``).

Trains one method on one dataset with checkpoints every ``checkpoint_every`` epochs, resumes
from the newest good checkpoint when run again with the same workdir (a finished run just
re-reports), evaluates the final embeddings with the config's protocol and writes:

* ``DIR/config.json`` — the resolved config (a rerun with a different config is refused, except
  for the ``eval`` and ``reference`` sections of a run that has no ``result.json`` yet, below);
* ``DIR/metrics.jsonl`` — one line per epoch: ``epoch``, ``loss``, ``seconds``, ``step`` and the
  method's other scalars;
* ``DIR/tensorboard/`` — TensorBoard event files (tensorboardX; TensorFlow not needed);
* ``DIR/checkpoints/`` — Orbax checkpoints, each with the sha256 of its state (damaged ones, or
  ones whose bytes no longer match that checksum, are moved to ``checkpoints.damaged`` and the
  run resumes from the previous good one);
* ``DIR/embeddings.npy``, ``DIR/labels.npy`` — final embeddings of the real nodes and labels;
* ``DIR/trained.json`` — the training's half of ``result.json`` (written after the last epoch,
  before the evaluation);
* ``DIR/result.json`` — ``method``, ``dataset``, ``seed``, ``protocol``, ``metrics`` (percent),
  ``epochs``, ``train_seconds``, ``params_checksum``, ``jgssl_version``, ``config`` and, at graph
  level, ``padding_budget`` (the batch shape, fitted to the run's batches);
* ``DIR/.lock`` — held (``flock``) while a launcher works in ``DIR``; it names that launcher's
  pid, host and start time. A second launcher on the same ``DIR`` stops at once (status 5). The
  kernel releases the lock when its holder dies, so a killed run never blocks the next one.

Every config value is checked before anything compiles, the ``eval`` section included (each
protocol checks its own fields). A failure of the evaluation itself (e.g. more inner folds than
training rows, which only the data can tell) keeps the training: ``DIR`` then holds the
checkpoints, ``trained.json`` and the embeddings but no ``result.json``, and rerunning the same
command with a corrected ``--config.eval.*`` evaluates the saved embeddings again without
training (the training values must still match ``config.json``; ``eval`` and ``reference`` may
differ, unless the protocol changes the training graph, as ``LinkPred-GAE`` does). Delete a
``result.json`` to evaluate a finished run again the same way.

Overrides: ``--config.<key>=<value>`` or ``--config.<key> <value>`` (e.g.
``--config.model.hidden=64``), parsed by ``ml_collections.config_flags`` by the type of the field;
the configs are locked, so an unknown key, a value for a whole section or a value of the wrong
type is an error. ``--debug`` prints the traceback of a failure before its line.

Exit status (a failure prints one line on stderr naming the problem and what to do):

* 0 — done (trained, or resumed, or re-reported, and evaluated);
* 1 — training stopped on a non-finite loss, parameters or optimizer state (the line names the
  epoch it happened in and the last good checkpoint);
* 2 — bad command line or config: unknown key, a value of the wrong type or out of range,
  unknown variant, or a workdir holding a run with a different config;
* 3 — dataset error: a missing (downloads off or impossible), truncated or corrupted dataset
  file;
* 4 — workdir or file-system error: the workdir cannot be created or written (e.g. it lies under
  a regular file, or permission is denied), a damaged ``config.json`` / ``result.json`` (the line
  names the file and what to do), a full disk;
* 5 — the workdir is locked by another launcher (the line gives its pid, host and start time);
* 6 — the evaluation failed after training (the training is kept; fix ``config.eval`` and rerun
  the same command);
* 7 — an unexpected error (a bug): its traceback is printed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import pathlib
import socket
import sys
import time
from typing import Any, Dict, Iterator, Optional, Sequence

from absl import flags
import numpy as np

from experiments import common
from experiments import registry

log = logging.getLogger("experiments.train")


class EpochLogger:
  """fit() callback: ``metrics.jsonl``, TensorBoard scalars and a tqdm bar (epoch, loss, speed).

  On its first record (the first epoch this process runs) it drops lines of ``metrics.jsonl``
  from that epoch on — epochs a killed run logged after its last checkpoint — so the file ends up
  with exactly one line per epoch; TensorBoard gets ``purge_step`` for the same reason.
  """

  def __init__(self, workdir: pathlib.Path, *, epochs: int, progress: bool = True):
    self.workdir = workdir
    self.epochs = epochs
    self.progress = progress
    self.path = workdir / "metrics.jsonl"
    self._file = None
    self._tb = None
    self._bar = None

  def _open(self, first_epoch: int):
    kept = []
    if self.path.exists():
      for line in self.path.read_text().splitlines():
        try:
          rec = json.loads(line)
        except json.JSONDecodeError:
          continue  # a line cut by a kill
        if rec.get("epoch", 0) < first_epoch:
          kept.append(line)
    tmp = self.path.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(l + "\n" for l in kept))
    os.replace(tmp, self.path)
    self._file = open(self.path, "a")
    try:
      from tensorboardX import SummaryWriter  # pylint: disable=import-outside-toplevel
      self._tb = SummaryWriter(logdir=str(self.workdir / "tensorboard"), purge_step=first_epoch)
    except ImportError:  # pragma: no cover - tensorboardX is a dependency
      self._tb = None
    if self.progress:
      from tqdm.auto import tqdm  # pylint: disable=import-outside-toplevel
      self._bar = tqdm(total=self.epochs, initial=first_epoch - 1, unit="epoch",
                       dynamic_ncols=True, desc="train")

  def __call__(self, record, state) -> None:
    del state
    if self._file is None:
      self._open(record.epoch)
    line = {"epoch": record.epoch, "loss": record.loss, "seconds": record.seconds,
            "step": record.step, **record.metrics}
    self._file.write(json.dumps(line) + "\n")
    self._file.flush()
    if self._tb is not None:
      self._tb.add_scalar("train/loss", record.loss, record.epoch)
      self._tb.add_scalar("train/seconds_per_epoch", record.seconds, record.epoch)
      for k, v in record.metrics.items():
        self._tb.add_scalar(f"train/{k}", v, record.epoch)
    if self._bar is not None:
      self._bar.set_postfix(epoch=record.epoch, loss=f"{record.loss:.4f}",
                            ep_per_s=f"{1.0 / max(record.seconds, 1e-9):.1f}")
      self._bar.update(1)

  def close(self) -> None:
    for obj in (self._file, self._tb, self._bar):
      if obj is not None:
        obj.close()
    self._file = self._tb = self._bar = None


# Runs in one process (reproduce's seeds, tests) share optimizers and compiled steps: the train
# state's treedef holds the optimizer object, so an equal-but-new optimizer would recompile.
_TX_CACHE: Dict[str, Any] = {}
_STEP_CACHE: Dict[Any, Any] = {}


def _optimizer(config, total_steps: int):
  key = json.dumps([common.config_to_dict(config.optimizer), int(total_steps)], sort_keys=True)
  if key not in _TX_CACHE:
    _TX_CACHE[key] = common.optimizer_factory(config)(total_steps=total_steps)
  return _TX_CACHE[key]


def _step(method, strategy, mesh):
  from jgssl import train  # pylint: disable=import-outside-toplevel
  key = (method, strategy, None if mesh is None else tuple(d.id for d in mesh.devices.flat))
  if key not in _STEP_CACHE:
    _STEP_CACHE[key] = train.make_train_step(method, strategy=strategy, mesh=mesh)
  return _STEP_CACHE[key]


def _write_json(path: pathlib.Path, obj) -> None:
  tmp = path.with_suffix(path.suffix + ".tmp")
  tmp.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")
  os.replace(tmp, path)


LOCK_NAME = ".lock"


def _lock_holder(fd: int) -> str:
  """Who holds the lock, from what the holder wrote into the lock file."""
  try:
    info = json.loads(os.pread(fd, 4096, 0).decode())
    return f"pid {info['pid']} on {info['host']} since {info['since']}"
  except (OSError, ValueError, KeyError, TypeError):
    return "holder unknown: the lock file names none"


@contextlib.contextmanager
def workdir_lock(workdir) -> Iterator[pathlib.Path]:
  """Creates ``workdir`` and holds its exclusive lock (``flock`` on ``workdir/.lock``) while the
  body runs; the lock file names this process (pid, host, start time).

  Non-blocking: a workdir held by another launcher is refused at once. The kernel drops the lock
  when its holder exits or is killed, so a stale lock file never blocks.

  Raises:
    common.WorkdirLockedError: another process holds the lock (the message says which).
    common.WorkdirError: ``workdir`` cannot be created or its lock file cannot be written.
  """
  workdir = pathlib.Path(workdir).absolute()
  try:
    workdir.mkdir(parents=True, exist_ok=True)
    fd = os.open(workdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
  except OSError as e:
    raise common.WorkdirError(f"cannot use workdir {workdir}: {e}; choose another --workdir or "
                              "make it a writable folder") from e
  try:
    try:
      fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
      raise common.WorkdirLockedError(
          f"{workdir} is in use by another launcher ({_lock_holder(fd)}); wait for it "
          "to finish or use another --workdir") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                               "since": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                               "argv": sys.argv}) + "\n").encode(), 0)
    yield workdir
  finally:
    os.close(fd)  # releases the lock


def _read_json(path: pathlib.Path, advice: str):
  """``path``'s JSON; a file that does not parse raises :class:`common.WorkdirError` naming it
  and what to do (``advice``)."""
  try:
    return json.loads(path.read_text())
  except ValueError as e:  # JSONDecodeError, or bytes that are not UTF-8
    where = (f"{e.msg}, line {e.lineno}" if isinstance(e, json.JSONDecodeError)
             else type(e).__name__)
    raise common.WorkdirError(f"{path} is not valid JSON ({where}; cut short by a kill or a "
                              f"full disk?): {advice}") from None


_CONFIG_ADVICE = ("delete it to go on with the config given now (the checkpoints are kept), or "
                  "use a new --workdir")
_RESULT_ADVICE = "delete it to evaluate the saved training again (nothing is retrained)"
_EVAL_ONLY = ("eval.", "reference.")


def _protocol_changes_training(name) -> bool:
  """Whether protocol ``name`` changes the training graph (``prepare``), or is unknown."""
  return name not in registry.PROTOCOLS or registry.get_protocol(name).prepare is not None


def _check_workdir(workdir: pathlib.Path, resolved: Dict[str, Any]) -> None:
  """Writes ``workdir/config.json``, or checks that it holds ``resolved``.

  ``eval.*`` and ``reference.*`` may differ while the run has no ``result.json`` (a run whose
  evaluation failed is then evaluated with the new values) unless a protocol involved changes
  the training graph; ``config.json`` is then rewritten with ``resolved``.

  Raises:
    common.ConfigError: the workdir's run differs in anything else, or is finished and differs
      in its ``eval`` section.
    common.WorkdirError: ``config.json`` does not parse.
  """
  path = workdir / "config.json"
  if not path.exists():
    _write_json(path, resolved)
    return
  previous = _read_json(path, _CONFIG_ADVICE)
  diff = common.diff_configs(previous, resolved)
  if not diff:
    return
  training = [d for d in diff if not d.startswith(_EVAL_ONLY)]
  finished = (workdir / "result.json").exists()
  protocols = [(c.get("eval") or {}).get("protocol") for c in (previous, resolved)]
  if not training and not any(_protocol_changes_training(p) for p in protocols):
    if finished:
      raise common.ConfigError(
          f"workdir {workdir} holds a finished run evaluated with another eval section "
          f"({'; '.join(diff)}); rerun with its own eval values, or score its embeddings into a "
          "new workdir (python -m experiments.reproduce --embeddings-from)")
    log.warning("%s: only the eval / reference sections changed (%s); the training is the same "
                "and the evaluation uses the new values", workdir, "; ".join(diff))
    _write_json(path, resolved)
    return
  raise common.ConfigError(
      f"workdir {workdir} holds a run with a different config ({'; '.join(diff)}); use a "
      f"new --workdir or the same config to resume")


def _train_seconds(workdir: pathlib.Path) -> float:
  total = 0.0
  path = workdir / "metrics.jsonl"
  if path.exists():
    for line in path.read_text().splitlines():
      try:
        total += float(json.loads(line)["seconds"])
      except (json.JSONDecodeError, KeyError):
        continue
  return total


def load_dataset(config, level: str):
  """The config's dataset (graph-level configs may ask for ``node_features``)."""
  from jgssl import data  # pylint: disable=import-outside-toplevel
  options = {}
  if level == "graph" and config.get("node_features") is not None:
    options["node_features"] = config.node_features
  return data.load(config.dataset, **options)


def node_training_graph(config, dataset, *, multiple: int = 1, sparse: bool = True):
  """``(padded host graph, protocol context)`` a node-level config trains on.

  Features normalised by ``config.features``; the protocol's ``prepare`` applied (``LinkPred-GAE``
  hides its validation / test edges); padded to :func:`jgssl.graph.budget_for` (node and edge
  counts a multiple of ``multiple``, the devices of a row-sharded step); with ``sparse``, the
  sparse first-layer index (:func:`jgssl.models.with_sparse_features`, exact either way, a
  no-op for dense features).
  """
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import data, graph as graph_lib, models  # pylint: disable=import-outside-toplevel
  g = data.normalize_node_features(dataset.graph, config.features)
  protocol = registry.get_protocol(config.eval.protocol)
  context = None
  if protocol.prepare is not None:
    g, context = protocol.prepare(int(config.seed), g, config.eval)
  padded = jax.tree_util.tree_map(
      np.asarray, graph_lib.pad_graph(g, graph_lib.budget_for(g, multiple=multiple)))
  return (models.with_sparse_features(padded) if sparse else padded), context


def graph_embeddings(method, variables, graphs, *, batch_size: int,
                     budget=None) -> np.ndarray:
  """float32 ``[num_graphs, D]``: ``method.embed`` over every graph, in dataset order.

  ``budget=None`` fits the padding to these (unshuffled) batches.
  """
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import train  # pylint: disable=import-outside-toplevel
  embed = train.make_embed_fn(method)
  variables = jax.device_get(variables)
  every = train.GraphLoader(graphs, batch_size=batch_size, shuffle=False, drop_last=False,
                            budget=budget, epochs=1)
  return np.concatenate([np.asarray(embed(variables, b))[np.asarray(b.globals["mask"])]
                         for b in every.epoch(0)]).astype(np.float32)


def evaluate_trained(config, workdir, trained) -> Dict[str, Any]:
  """Evaluates the embeddings of a finished run ``trained`` with ``config``'s protocol.

  For a second protocol on the same training (GRACE's random 1:9 probe and the public-split
  probe read the same embeddings): ``trained/config.json`` must equal ``config`` in everything
  but ``eval`` and ``reference``, and ``trained`` must hold ``result.json`` and
  ``embeddings.npy``. Writes ``workdir/config.json`` and ``workdir/result.json`` (with
  ``embeddings_from``); a finished ``workdir`` re-reports.

  Raises:
    common.ConfigError: when the trainings differ, ``trained`` is unfinished, or the protocol
      changes the training graph (``LinkPred-GAE``).
  """
  plan = common.validate(config)
  resolved = common.config_to_dict(config)
  trained = pathlib.Path(trained).absolute()
  workdir = pathlib.Path(workdir).absolute()
  result_path = workdir / "result.json"
  if result_path.exists() and (workdir / "config.json").exists():
    # Finished: re-report (the source's embeddings may be gone, e.g. in a fresh checkout).
    with workdir_lock(workdir):
      _check_workdir(workdir, resolved)
      result = _read_json(result_path, _RESULT_ADVICE)
    _report(result)
    return result
  _check_saved_run(config, trained)
  source = _read_json(trained / "config.json", _CONFIG_ADVICE)
  diff = [d for d in common.diff_configs(source, resolved)
          if not d.startswith(("eval", "reference"))]
  if diff:
    raise common.ConfigError(f"{trained} trained with a different config ({'; '.join(diff)}); "
                             "only eval.* and reference.* may differ")
  with workdir_lock(workdir):
    _check_workdir(workdir, resolved)
    result = {**_score_saved(config, plan, trained), "config": resolved,
              "embeddings_from": _portable_path(trained)}
    _write_json(result_path, result)
  _report(result)
  return result


def _portable_path(path: pathlib.Path) -> str:
  """``path`` relative to the working directory when it lies below it (so a committed
  ``result.json`` names its source the same way in every checkout), else absolute."""
  try:
    return str(path.relative_to(pathlib.Path.cwd().absolute()))
  except ValueError:
    return str(path)


def _check_saved_run(config, trained: pathlib.Path) -> None:
  """Raises unless ``trained`` is a finished run whose saved embeddings ``config``'s protocol can
  score (``LinkPred-GAE`` changes the training graph, so it cannot)."""
  if not (trained / "result.json").exists() or not (trained / "embeddings.npy").exists():
    raise common.ConfigError(f"{trained} is not a finished run (no result.json / embeddings.npy)")
  if registry.get_protocol(config.eval.protocol).prepare is not None:
    raise common.ConfigError(f"{config.eval.protocol} changes the training graph; it cannot "
                             "score saved embeddings")


def _score_saved(config, plan, trained: pathlib.Path) -> Dict[str, Any]:
  """``trained/result.json`` with its metrics replaced by ``config``'s protocol on the saved
  embeddings."""
  protocol = registry.get_protocol(config.eval.protocol)
  dataset = load_dataset(config, plan.level)
  emb = np.load(trained / "embeddings.npy")
  labels = np.load(trained / "labels.npy")
  protocol_name, metrics, extra = protocol.evaluate(
      emb, labels, seed=int(config.seed), cfg=config.eval, dataset=dataset, context=None)
  source_result = _read_json(trained / "result.json", _RESULT_ADVICE)
  return {**source_result, "protocol": protocol_name, "metrics": metrics, "eval": extra}


def rescore(config, workdir) -> Dict[str, Any]:
  """Re-runs the protocol on a finished run's own saved embeddings, overwriting its metrics.

  For a fix in a probe's code (not in the training): the encoder is not retrained. ``config``
  must equal ``workdir/config.json``; the new ``result.json`` keeps the training fields and
  records the metrics from before the first rescore under ``previous_metrics``.

  Raises:
    common.ConfigError: when ``workdir`` is unfinished, was trained with another config, or its
      protocol changes the training graph (``LinkPred-GAE`` scores held-out edges at the end of
      training; rerun those).
  """
  plan = common.validate(config)
  resolved = common.config_to_dict(config)
  workdir = pathlib.Path(workdir).absolute()
  _check_saved_run(config, workdir)
  with workdir_lock(workdir):
    _check_workdir(workdir, resolved)
    previous = _read_json(workdir / "result.json", _RESULT_ADVICE)
    result = {**_score_saved(config, plan, workdir), "config": resolved,
              "previous_metrics": previous.get("previous_metrics", previous["metrics"])}
    _write_json(workdir / "result.json", result)
  _report(result)
  return result


def run(config, workdir, *, progress: bool = True) -> Dict[str, Any]:
  """Runs (or resumes, or re-evaluates, or re-reports) one experiment; returns the result dict.

  Holds the workdir's lock throughout (:func:`workdir_lock`).

  Raises:
    common.ConfigError: before anything compiles, on a bad config (``eval`` section included)
      or a workdir holding a different one.
    common.WorkdirLockedError: another launcher works in ``workdir``.
    common.WorkdirError: ``workdir`` cannot be created or written, or holds a damaged
      ``config.json`` / ``result.json``.
    jgssl.data.validate.DatasetError: the dataset is missing or damaged.
    jgssl.train.NonFiniteError: when the loss or state turns non-finite (the last good
      checkpoint stays).
    common.EvaluationError: the protocol failed after training (``trained.json`` and the
      embeddings stay; a rerun with a corrected ``eval`` section evaluates them).
  """
  plan = common.validate(config)
  resolved = common.config_to_dict(config)
  workdir = pathlib.Path(workdir).absolute()
  with workdir_lock(workdir):
    _check_workdir(workdir, resolved)
    result_path = workdir / "result.json"
    if result_path.exists():
      result = _read_json(result_path, _RESULT_ADVICE)
      log.info("%s is finished; re-reporting %s", workdir, result_path)
      _report(result)
      return result
    trained = _saved_training(workdir, resolved)
    if trained is None:
      trained, dataset, context = _train(config, plan, workdir, progress=progress)
    else:
      log.info("%s: the training finished before (trained.json); evaluating its saved "
               "embeddings", workdir)
      dataset = _load_dataset(config, plan.level)
      context = _protocol_context(config, dataset) if plan.level == "node" else None
    emb = np.load(workdir / "embeddings.npy")
    labels = np.load(workdir / "labels.npy")
    protocol_name, metrics, extra = _evaluate(config, workdir, emb, labels, dataset, context)
    result = {"method": config.method, "dataset": config.dataset, "seed": int(config.seed),
              "protocol": protocol_name, "metrics": metrics, "epochs": int(config.epochs)}
    result.update({k: trained[k] for k in _TRAINED_HEAD})
    result["eval"] = extra
    result.update({k: trained[k] for k in _TRAINED_TAIL})
    result["config"] = resolved
    _write_json(result_path, result)
  _report(result)
  return result


# trained.json fields, in their result.json order (before and after ``eval``).
_TRAINED_HEAD = ("epochs_run", "train_seconds", "params_checksum", "jgssl_version",
                 "resumed_from_epoch", "skipped_checkpoints")
_TRAINED_TAIL = ("devices", "level", "steps_per_epoch", "padding_budget", "backend")


def _saved_training(workdir: pathlib.Path, resolved: Dict[str, Any]) -> Optional[Dict[str, Any]]:
  """``trained.json`` of a training that finished in ``workdir`` (embeddings saved), else
  ``None`` (the run trains, or resumes from its checkpoints)."""
  path = workdir / "trained.json"
  if not all((workdir / f).exists() for f in ("trained.json", "embeddings.npy", "labels.npy")):
    return None
  try:
    trained = json.loads(path.read_text())
  except json.JSONDecodeError:
    log.warning("%s does not parse; the final checkpoint is restored instead", path)
    return None
  if not isinstance(trained, dict) or any(k not in trained for k in
                                          _TRAINED_HEAD + _TRAINED_TAIL + ("config",)):
    log.warning("%s lacks fields; the final checkpoint is restored instead", path)
    return None
  diff = [d for d in common.diff_configs(trained["config"], resolved)
          if not d.startswith(_EVAL_ONLY)]
  if diff:
    raise common.ConfigError(f"{path} records a training with another config "
                             f"({'; '.join(diff)}); use a new --workdir")
  return trained


def _load_dataset(config, level: str):
  """:func:`load_dataset`; an unreadable file is a dataset error too."""
  from jgssl.data.validate import DatasetError  # pylint: disable=import-outside-toplevel
  try:
    return load_dataset(config, level)
  except OSError as e:
    raise DatasetError(f"dataset {config.dataset!r}: cannot read its files: {e}") from e


def _protocol_context(config, dataset):
  """What the protocol's ``prepare`` returns for this run's graph (``None`` without one)."""
  from jgssl import data  # pylint: disable=import-outside-toplevel
  protocol = registry.get_protocol(config.eval.protocol)
  if protocol.prepare is None:
    return None
  g = data.normalize_node_features(dataset.graph, config.features)
  return protocol.prepare(int(config.seed), g, config.eval)[1]


def _evaluate(config, workdir: pathlib.Path, emb, labels, dataset, context):
  """``protocol.evaluate``; any failure becomes :class:`common.EvaluationError`."""
  protocol = registry.get_protocol(config.eval.protocol)
  try:
    return protocol.evaluate(emb, labels, seed=int(config.seed), cfg=config.eval,
                             dataset=dataset, context=context)
  except Exception as e:  # pylint: disable=broad-except
    lines = str(e).strip().splitlines()
    reason = f"{type(e).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    raise common.EvaluationError(
        f"{config.eval.protocol} failed after training ({reason}); the training is saved in "
        f"{workdir}: correct config.eval and rerun the same command to evaluate it again "
        "without retraining") from e


def _train(config, plan, workdir: pathlib.Path, *, progress: bool):
  """Trains (or resumes) the run in ``workdir``; saves the embeddings, labels and
  ``trained.json``. Returns ``(trained, dataset, protocol context)``."""
  import jax  # pylint: disable=import-outside-toplevel
  import jgssl  # pylint: disable=import-outside-toplevel
  from jgssl import data, train  # pylint: disable=import-outside-toplevel
  from jgssl.methods.contract import prepare_side  # pylint: disable=import-outside-toplevel

  method, level, strategy = plan.method, plan.level, config.strategy
  dataset = _load_dataset(config, level)
  context = None
  if level == "node":
    mesh = train.make_mesh() if strategy == "rows" else None
    num_devices = mesh.devices.size if mesh is not None else 1
    padded, context = node_training_graph(config, dataset, multiple=num_devices)
    example, steps_per_epoch, step_strategy = padded, 1, strategy
    padded = train.replicate(padded, mesh) if mesh is not None else jax.device_put(padded)
    batches = padded
  else:
    graphs = data.normalize_node_features(dataset.graphs, config.features)
    num_devices = jax.local_device_count() if strategy == "data" else 1
    mesh = train.make_mesh() if num_devices > 1 else None
    loader = train.GraphLoader(graphs, batch_size=config.batch_size, seed=int(config.seed),
                               replicas=num_devices if mesh is not None else 0,
                               drop_last=mesh is not None, epochs=int(config.epochs))
    steps_per_epoch = loader.steps_per_epoch()
    first = next(iter(loader.epoch(1)))
    example = jax.tree_util.tree_map(lambda a: a[0], first) if mesh is not None else first
    step_strategy = "data" if mesh is not None else "single"
    if mesh is not None:
      batches = lambda epoch: (train.shard_batches(b, mesh) for b in loader.epoch(epoch))
    else:
      batches = loader.epoch

  tx = _optimizer(config, total_steps=config.epochs * steps_per_epoch)
  state = train.create_train_state(jax.random.PRNGKey(config.seed), method, tx, example)
  if mesh is not None:
    state = train.replicate(state, mesh)
  step = _step(method, step_strategy, mesh)
  # Per-graph precomputation (diffusions, centralities): computed once, never checkpointed.
  side = prepare_side(method, example) if level == "node" else None
  if side is not None and mesh is not None:
    side = train.replicate(side, mesh)
  ckpt = train.Checkpointer(workdir / "checkpoints", max_to_keep=config.get("max_to_keep", 3))
  logger = EpochLogger(workdir, epochs=config.epochs, progress=progress)
  try:
    fitted = train.fit(state, step, batches, epochs=config.epochs, checkpointer=ckpt,
                       checkpoint_every=config.checkpoint_every, callbacks=[logger],
                       hooks=run_hooks(config), side=side)
  finally:
    logger.close()
    ckpt.close()
  for s, reason in ckpt.skipped:
    log.warning("skipped damaged checkpoint of epoch %d: %s", s, reason)
  if fitted.start_epoch:
    log.info("resumed after epoch %d", fitted.start_epoch)
  state = fitted.state

  if level == "node":
    embed = train.make_embed_fn(method)
    emb = np.asarray(jax.device_get(embed(state.variables, padded, side)))[:dataset.num_nodes]
    emb = emb.astype(np.float32)
  else:
    emb = graph_embeddings(method, state.variables, graphs, batch_size=config.batch_size)
  np.save(workdir / "embeddings.npy", emb)
  np.save(workdir / "labels.npy", np.asarray(dataset.labels))
  trained = {
      # Fewer when early stopping ended the run (DGI, MVGRL).
      "epochs_run": int(fitted.stopped_epoch or config.epochs),
      "train_seconds": _train_seconds(workdir),
      "params_checksum": train.tree_checksum(state.params),
      "jgssl_version": jgssl.__version__,
      "resumed_from_epoch": int(fitted.start_epoch),
      "skipped_checkpoints": [{"epoch": s, "reason": r} for s, r in ckpt.skipped],
      "devices": num_devices,
      "level": level,
      "steps_per_epoch": int(steps_per_epoch),
      # Graph level: the slots every training batch is padded to (one compiled shape).
      "padding_budget": (None if level == "node" else
                         {"n_node": loader.budget.n_node, "n_edge": loader.budget.n_edge,
                          "n_graph": loader.budget.n_graph}),
      "backend": jax.default_backend(),
      "config": common.config_to_dict(config),
  }
  _write_json(workdir / "trained.json", trained)
  return trained, dataset, context


def run_hooks(config):
  """The :func:`jgssl.train.fit` hooks ``config`` asks for: early stopping on the training loss
  when ``config.early_stopping.patience`` is set and positive (DGI, MVGRL)."""
  from jgssl import train  # pylint: disable=import-outside-toplevel
  early = config.get("early_stopping")
  patience = int(early.get("patience", 0)) if early is not None else 0
  return [train.EarlyStopping(patience=int(patience))] if patience else []


def _report(result: Dict[str, Any]) -> None:
  m = result["metrics"]
  main = "test_acc" if "test_acc" in m else next(iter(m))
  std = m.get(main + "_std")
  value = f"{m[main]:.2f}" + (f" ± {std:.2f}" if std is not None else "")
  run = result.get("epochs_run", result["epochs"])
  epochs = (f"{run} epochs" if run == result["epochs"]
            else f"{run} of {result['epochs']} epochs, stopped early")
  print(f"{result['method']} / {result['dataset']} seed {result['seed']}: {result['protocol']} "
        f"{main} {value} ({epochs}, {result['train_seconds']:.1f} s)", flush=True)


PROG = "jgssl-train"


def _flags() -> flags.FlagValues:
  """The launcher's flags besides ``--config`` (a private ``FlagValues``, not absl's global)."""
  fv = flags.FlagValues()
  flags.DEFINE_string("workdir", None, "output / checkpoint folder (required)", flag_values=fv)
  flags.DEFINE_boolean("no_progress", False, "no tqdm bar", flag_values=fv)
  flags.DEFINE_boolean("debug", False,
                       "print the traceback of a failure before its one-line message",
                       flag_values=fv)
  return fv


def usage() -> str:
  """The ``--help`` text: the module docstring, then the flags."""
  fv = _flags()
  flags.DEFINE_string(registry.FLAG, None, "<method>[:<variant>] (e.g. grace:cora) or "
                      "path/to/config.py[:<variant>] (required); then --config.<key>=<value> "
                      "overrides", flag_values=fv)
  lines = [f"  --{name}: {fv[name].help}" for name in sorted(fv)]
  return (f"usage: {PROG} --config <method>[:<variant>] --workdir DIR [--config.<key>=<value> "
          f"...] [--no_progress] [--debug]\n(or python -m experiments.train ... in a clone)\n\n"
          f"{__doc__}\nflags:\n" + "\n".join(lines) + "\n")


def parse_args(argv: Sequence[str]):
  """``(config, workdir, progress)`` from ``--config <spec> --workdir DIR [--no_progress]
  [--debug] [--config.<key>=<value> ...]``.

  The config spec and its overrides are parsed by ``ml_collections.config_flags``
  (:func:`experiments.registry.parse_config_flags`), the other flags by absl in the same pass.

  Raises:
    common.ConfigError: a bad config or override, an unknown flag, a stray argument, or no
      ``--workdir``.
  """
  fv = _flags()
  config, rest = registry.parse_config_flags([PROG, *argv], fv)
  if rest[1:]:
    raise common.ConfigError(f"unrecognised argument {rest[1]!r}; see {PROG} --help")
  if not fv.workdir:
    raise common.ConfigError(f"--workdir is required: the folder of the run's checkpoints and "
                             f"results (see {PROG} --help)")
  return config, fv.workdir, not fv.no_progress


def main(argv: Optional[Sequence[str]] = None) -> int:
  """The command line (``jgssl-train`` after ``pip install``, ``python -m experiments.train`` in a
  clone); returns the exit status of the module docstring."""
  logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
  logging.getLogger("absl").setLevel(logging.WARNING)  # Orbax logs every save step at INFO
  logging.getLogger("jax").setLevel(logging.WARNING)  # backend probing ("no TPU") at INFO
  argv = list(sys.argv[1:] if argv is None else argv)
  if {"-h", "--help", "--helpfull"} & set(argv):
    print(usage())
    return common.EXIT_OK

  def command():
    config, workdir, progress = parse_args(argv)
    run(config, workdir, progress=progress)

  return common.exit_status(command, debug="--debug" in argv)


if __name__ == "__main__":
  sys.exit(main())

"""Launcher: ``python -m experiments.train --config <file>.py:<variant> --workdir DIR``.

Trains one method on one dataset with checkpoints every ``checkpoint_every`` epochs, resumes
from the newest good checkpoint when run again with the same workdir (a finished run just
re-reports), evaluates the final embeddings with the config's protocol and writes:

* ``DIR/config.json`` — the resolved config (a rerun with a different config is refused);
* ``DIR/metrics.jsonl`` — one line per epoch: ``epoch``, ``loss``, ``seconds``, ``step`` and the
  method's other scalars;
* ``DIR/tensorboard/`` — TensorBoard event files (tensorboardX; TensorFlow not needed);
* ``DIR/checkpoints/`` — Orbax checkpoints (damaged ones are moved to ``checkpoints.damaged``);
* ``DIR/embeddings.npy``, ``DIR/labels.npy`` — final embeddings of the real nodes and labels;
* ``DIR/result.json`` — ``method``, ``dataset``, ``seed``, ``protocol``, ``metrics`` (percent),
  ``epochs``, ``train_seconds``, ``params_checksum``, ``jgssl_version``, ``config`` and, at graph
  level, ``padding_budget`` (the batch shape, fitted to the run's batches).

Overrides: ``--config.<key>=<value>`` (e.g. ``--config.model.hidden=64``); the configs are locked,
so an unknown key is an error. Exit status: 0 done, 1 non-finite loss, 2 bad config.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pathlib
import sys
from typing import Any, Dict, Optional, Sequence

import numpy as np

from experiments import common

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


def _check_workdir(workdir: pathlib.Path, resolved: Dict[str, Any]) -> None:
  path = workdir / "config.json"
  if path.exists():
    previous = json.loads(path.read_text())
    diff = common.diff_configs(previous, resolved)
    if diff:
      raise common.ConfigError(
          f"workdir {workdir} holds a run with a different config ({'; '.join(diff)}); use a "
          f"new --workdir or the same config to resume")
  else:
    _write_json(path, resolved)


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
  protocol = common.get_protocol(config.eval.protocol)
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
    _check_workdir(workdir, resolved)
    result = json.loads(result_path.read_text())
    _report(result)
    return result
  _check_saved_run(config, trained)
  source = json.loads((trained / "config.json").read_text())
  diff = [d for d in common.diff_configs(source, resolved)
          if not d.startswith(("eval", "reference"))]
  if diff:
    raise common.ConfigError(f"{trained} trained with a different config ({'; '.join(diff)}); "
                             "only eval.* and reference.* may differ")
  workdir.mkdir(parents=True, exist_ok=True)
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
  if common.get_protocol(config.eval.protocol).prepare is not None:
    raise common.ConfigError(f"{config.eval.protocol} changes the training graph; it cannot "
                             "score saved embeddings")


def _score_saved(config, plan, trained: pathlib.Path) -> Dict[str, Any]:
  """``trained/result.json`` with its metrics replaced by ``config``'s protocol on the saved
  embeddings."""
  protocol = common.get_protocol(config.eval.protocol)
  dataset = load_dataset(config, plan.level)
  emb = np.load(trained / "embeddings.npy")
  labels = np.load(trained / "labels.npy")
  protocol_name, metrics, extra = protocol.evaluate(
      emb, labels, seed=int(config.seed), cfg=config.eval, dataset=dataset, context=None)
  source_result = json.loads((trained / "result.json").read_text())
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
  _check_workdir(workdir, resolved)
  previous = json.loads((workdir / "result.json").read_text())
  result = {**_score_saved(config, plan, workdir), "config": resolved,
            "previous_metrics": previous.get("previous_metrics", previous["metrics"])}
  _write_json(workdir / "result.json", result)
  _report(result)
  return result


def run(config, workdir, *, progress: bool = True) -> Dict[str, Any]:
  """Runs (or resumes, or re-reports) one experiment; returns the result dict.

  Raises:
    common.ConfigError: before anything compiles, on a bad config or a workdir holding a
      different one.
    jgssl.train.NonFiniteError: when the loss turns non-finite (the last good checkpoint stays).
  """
  plan = common.validate(config)
  resolved = common.config_to_dict(config)
  workdir = pathlib.Path(workdir).absolute()
  workdir.mkdir(parents=True, exist_ok=True)
  _check_workdir(workdir, resolved)
  result_path = workdir / "result.json"
  if result_path.exists():
    result = json.loads(result_path.read_text())
    log.info("%s is finished; re-reporting %s", workdir, result_path)
    _report(result)
    return result

  import jax  # pylint: disable=import-outside-toplevel
  import jgssl  # pylint: disable=import-outside-toplevel
  from jgssl import data, train  # pylint: disable=import-outside-toplevel

  protocol = common.get_protocol(config.eval.protocol)
  method, level, strategy = plan.method, plan.level, config.strategy
  dataset = load_dataset(config, level)
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
  ckpt = train.Checkpointer(workdir / "checkpoints", max_to_keep=config.get("max_to_keep", 3))
  logger = EpochLogger(workdir, epochs=config.epochs, progress=progress)
  try:
    fitted = train.fit(state, step, batches, epochs=config.epochs, checkpointer=ckpt,
                       checkpoint_every=config.checkpoint_every, callbacks=[logger])
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
    emb = np.asarray(jax.device_get(embed(state.variables, padded)))[:dataset.num_nodes]
    emb = emb.astype(np.float32)
  else:
    emb = graph_embeddings(method, state.variables, graphs, batch_size=config.batch_size)
  labels = np.asarray(dataset.labels)
  np.save(workdir / "embeddings.npy", emb)
  np.save(workdir / "labels.npy", labels)
  protocol_name, metrics, extra = protocol.evaluate(
      emb, labels, seed=int(config.seed), cfg=config.eval, dataset=dataset, context=context)
  result = {
      "method": config.method,
      "dataset": config.dataset,
      "seed": int(config.seed),
      "protocol": protocol_name,
      "metrics": metrics,
      "epochs": int(config.epochs),
      # Fewer when the method's own early stopping ended the run (DGI, MVGRL).
      "epochs_run": int(fitted.stopped_epoch or config.epochs),
      "train_seconds": _train_seconds(workdir),
      "params_checksum": train.tree_checksum(state.params),
      "jgssl_version": jgssl.__version__,
      "resumed_from_epoch": int(fitted.start_epoch),
      "skipped_checkpoints": [{"epoch": s, "reason": r} for s, r in ckpt.skipped],
      "eval": extra,
      "devices": num_devices,
      "level": level,
      "steps_per_epoch": int(steps_per_epoch),
      # Graph level: the slots every training batch is padded to (one compiled shape).
      "padding_budget": (None if level == "node" else
                         {"n_node": loader.budget.n_node, "n_edge": loader.budget.n_edge,
                          "n_graph": loader.budget.n_graph}),
      "backend": jax.default_backend(),
      "config": resolved,
  }
  _write_json(result_path, result)
  _report(result)
  return result


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


def parse_args(argv: Sequence[str]):
  """``(config, workdir)`` from ``--config <spec> --workdir DIR [--config.k=v ...]``."""
  parser = argparse.ArgumentParser(prog="python -m experiments.train", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--config", required=True,
                      help="experiments/configs/<method>.py[:<variant>]")
  parser.add_argument("--workdir", required=True, help="output / checkpoint folder")
  parser.add_argument("--no_progress", action="store_true", help="no tqdm bar")
  args, overrides = common.parse_known_with_overrides(parser, argv)
  config = common.load_config(args.config, overrides)
  return config, args.workdir, not args.no_progress


def main(argv: Optional[Sequence[str]] = None) -> int:
  logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
  logging.getLogger("absl").setLevel(logging.WARNING)  # Orbax logs every save step at INFO
  argv = sys.argv[1:] if argv is None else argv
  try:
    config, workdir, progress = parse_args(argv)
    run(config, workdir, progress=progress)
  except common.ConfigError as e:
    print(f"config error: {e}", file=sys.stderr)
    return 2
  except Exception as e:  # pylint: disable=broad-except
    from jgssl.train import NonFiniteError  # pylint: disable=import-outside-toplevel
    if isinstance(e, NonFiniteError):
      print(f"training stopped: {e}", file=sys.stderr)
      return 1
    raise
  return 0


if __name__ == "__main__":
  sys.exit(main())

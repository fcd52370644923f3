"""The evaluation protocols the launcher runs: adapters from :mod:`jgssl.evaluate` to the launcher.

Each adapter takes the final embeddings and labels and returns ``(protocol name, metrics in
percent, JSON-ready details)``; each protocol has a check of its ``eval`` section that
:func:`experiments.common.validate` runs before anything compiles. Which name runs which adapter
is the table :data:`experiments.registry.PROTOCOLS`; this module only defines the pieces.

Public-split protocols score the split :func:`public_split` returns, so
``experiments.score_validation`` can swap in the validation nodes. The probes of DGI, MVGRL,
CCA-SSG, GCA and BGRL read the split of ``cfg.dataset`` (``config.eval.dataset``, a reference to
``config.dataset``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import ml_collections
import numpy as np

from experiments import common
from experiments.common import ConfigError


@dataclasses.dataclass(frozen=True)
class Protocol:
  """An evaluation protocol as the launcher runs it.

  Attributes:
    evaluate: ``(embeddings, labels, *, seed, cfg, dataset, context) -> (protocol, metrics,
      extra)``: ``metrics`` in percent (``test_acc`` first for classification), ``extra`` any
      JSON-ready details. ``cfg`` is ``config.eval``; ``dataset`` the loaded dataset; ``context``
      what :attr:`prepare` returned (else ``None``).
    prepare: optional ``(seed, graph, cfg) -> (training graph, context)`` run before training on
      the unpadded node-level graph (e.g. ``LinkPred-GAE`` hides its validation / test edges).
    public_split: whether it scores the dataset's public split through :func:`public_split`
      (so ``cfg.scored_split`` can swap in the validation nodes, as
      ``experiments.score_validation`` does); ``False`` for protocols that draw their own splits.
    check: ``(protocol name, cfg) -> None``, run by :func:`experiments.common.validate` before
      anything compiles: raises :class:`~experiments.common.ConfigError` on an ``eval`` value
      the protocol would reject after training (a missing field, a count below its minimum, a
      ratio outside its range, an empty C grid). Values only the data can refute (more folds
      than training rows) are left to :attr:`evaluate`.
  """
  evaluate: Callable
  prepare: Optional[Callable] = None
  public_split: bool = False
  check: Optional[Callable[[str, ml_collections.ConfigDict], None]] = None


def from_function(fn: Callable, *, public_split: bool = False,
                  check: Optional[Callable] = None) -> Protocol:
  """A :class:`Protocol` around a plain ``(embeddings, labels, *, seed, cfg) -> (protocol,
  metrics, extra)`` function, one that reads neither the dataset nor a context.

  Args:
    fn: the function.
    public_split: as :attr:`Protocol.public_split`.
    check: as :attr:`Protocol.check`.
  """

  def evaluate(embeddings, labels, *, seed, cfg, dataset, context):
    del dataset, context
    return fn(embeddings, labels, seed=seed, cfg=cfg)

  return Protocol(evaluate=evaluate, public_split=public_split, check=check)


# ---------------------------------------------------------------------------------------------
# Checks of eval sections (run by validate, before training)
# ---------------------------------------------------------------------------------------------


def _eval_value(cfg, key: str, protocol: str, optional: bool):
  if key not in cfg or cfg[key] is None:
    if optional:
      return None
    raise ConfigError(f"{protocol} needs config.eval.{key}, which this config does not have; "
                      f"use a config whose eval section is {protocol}'s")
  return cfg[key]


def check_eval_present(cfg, key: str, protocol: str) -> None:
  """``config.eval.<key>`` exists and is not ``None``."""
  _eval_value(cfg, key, protocol, optional=False)


def check_eval_int(cfg, key: str, protocol: str, *, minimum: int,
                   optional: bool = False) -> None:
  """``config.eval.<key>`` is an integer ``>= minimum`` (or absent, with ``optional``)."""
  v = _eval_value(cfg, key, protocol, optional)
  if v is not None and (not common.is_int(v) or v < minimum):
    raise ConfigError(f"config.eval.{key} must be an integer >= {minimum} for {protocol}, got "
                      f"{v!r}")


def check_eval_number(cfg, key: str, protocol: str, *, above: Optional[float] = None,
                      at_least: Optional[float] = None, below: Optional[float] = None,
                      optional: bool = False) -> None:
  """``config.eval.<key>`` is a real number in the given bounds (``above`` / ``below`` strict,
  ``at_least`` inclusive)."""
  v = _eval_value(cfg, key, protocol, optional)
  if v is None:
    return
  if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
    raise ConfigError(f"config.eval.{key} must be a number for {protocol}, got {v!r}")
  v = float(v)
  if not np.isfinite(v):
    raise ConfigError(f"config.eval.{key} must be finite for {protocol}, got {v!r}")
  if above is not None and below is not None and not above < v < below:
    raise ConfigError(f"config.eval.{key} must lie in ({above:g}, {below:g}) for {protocol}, "
                      f"got {v!r}")
  if above is not None and not v > above:
    raise ConfigError(f"config.eval.{key} must be > {above:g} for {protocol}, got {v!r}")
  if at_least is not None and not v >= at_least:
    raise ConfigError(f"config.eval.{key} must be >= {at_least:g} for {protocol}, got {v!r}")
  if below is not None and not v < below:
    raise ConfigError(f"config.eval.{key} must be < {below:g} for {protocol}, got {v!r}")


def check_c_grid(cfg, protocol: str, *,
                 default_log2: Optional[Tuple[int, int]] = None) -> None:
  """The section's :func:`c_grid` exists: integer bounds with ``c_log2_min <= c_log2_max``."""
  lo, hi = cfg.get("c_log2_min"), cfg.get("c_log2_max")
  if lo is None and hi is None and default_log2 is not None:
    return
  for key, v in (("c_log2_min", lo), ("c_log2_max", hi)):
    if v is None:
      raise ConfigError(f"{protocol} needs config.eval.{key} (its C grid is 2^c_log2_min .. "
                        f"2^c_log2_max)")
    if not common.is_int(v):
      raise ConfigError(f"config.eval.{key} must be an integer, got {v!r}")
  if lo > hi:
    raise ConfigError(f"config.eval.c_log2_min ({lo}) must be <= config.eval.c_log2_max ({hi}): "
                      f"{protocol}'s C grid would be empty")


def check_linear_probe_training(protocol: str, cfg) -> None:
  """The fields of a torch-style linear probe: ``epochs >= 1``, ``lr > 0``,
  ``weight_decay >= 0`` (and ``restarts`` / ``splits`` / ``eval_every >= 1`` where present)."""
  check_eval_int(cfg, "epochs", protocol, minimum=1)
  check_eval_number(cfg, "lr", protocol, above=0.0)
  check_eval_number(cfg, "weight_decay", protocol, at_least=0.0)
  for key in ("restarts", "splits", "eval_every"):
    check_eval_int(cfg, key, protocol, minimum=1, optional=True)


def check_lr_rand_sklearn_grace(protocol: str, cfg) -> None:
  """``LR-rand-sklearn/GRACE``: ``0 < train_ratio < 1`` and :func:`check_sklearn_grace`."""
  check_eval_number(cfg, "train_ratio", protocol, above=0.0, below=1.0)
  check_sklearn_grace(protocol, cfg)


def check_sklearn_grace(protocol: str, cfg) -> None:
  """GRACE's sklearn probe: ``repeats >= 1``, ``inner_folds >= 2`` (k-fold needs k >= 2) and a C
  grid."""
  check_eval_int(cfg, "repeats", protocol, minimum=1)
  check_eval_int(cfg, "inner_folds", protocol, minimum=2)
  check_c_grid(cfg, protocol)


def check_svm(protocol: str, cfg) -> None:
  """The SVM protocols: an optional ``fold_seed >= 0``."""
  check_eval_int(cfg, "fold_seed", protocol, minimum=0, optional=True)


def check_linkpred(protocol: str, cfg) -> None:
  """``LinkPred-GAE``: edge fractions ``val`` in ``[0, 1)``, ``test`` in ``(0, 1)``, summing to
  less than 1."""
  check_eval_number(cfg, "val", protocol, at_least=0.0, below=1.0, optional=True)
  check_eval_number(cfg, "test", protocol, above=0.0, below=1.0, optional=True)
  if cfg.get("val", 0.05) + cfg.get("test", 0.10) >= 1.0:
    raise ConfigError(f"config.eval.val + config.eval.test must be < 1 for {protocol} (the rest "
                      f"are the training edges), got {cfg.get('val', 0.05)} + "
                      f"{cfg.get('test', 0.10)}")


def check_lr_rand_sklearn_bgrl(protocol: str, cfg) -> None:
  """BGRL's random-split sklearn probe: ``repeats >= 1`` and a C grid."""
  check_eval_int(cfg, "repeats", protocol, minimum=1)
  check_c_grid(cfg, protocol)


def check_lr_public_sklearn_bgrl(protocol: str, cfg) -> None:
  """BGRL's public-split sklearn probe: ``dataset`` and a C grid (BGRL's by default, as
  :func:`lr_public_sklearn_bgrl` uses)."""
  check_eval_present(cfg, "dataset", protocol)
  check_c_grid(cfg, protocol, default_log2=(-10, 10))


def check_lp_public(protocol: str, cfg) -> None:
  """The public-split linear probes: ``dataset`` and :func:`check_linear_probe_training`."""
  check_eval_present(cfg, "dataset", protocol)
  check_linear_probe_training(protocol, cfg)


def check_lp_random(protocol: str, cfg) -> None:
  """The random-split linear probes: ``splits >= 1`` and :func:`check_linear_probe_training`."""
  check_eval_int(cfg, "splits", protocol, minimum=1)
  check_linear_probe_training(protocol, cfg)


def check_lr_rand_torch(protocol: str, cfg) -> None:
  """GCA's probe: ``eval_every >= 1`` and :func:`check_lp_random`."""
  check_eval_int(cfg, "eval_every", protocol, minimum=1)
  check_lp_random(protocol, cfg)


def check_lr_public_torch(protocol: str, cfg) -> None:
  """GCA's probe on a fixed split: ``eval_every >= 1`` and the probe's training values."""
  check_eval_int(cfg, "eval_every", protocol, minimum=1)
  check_linear_probe_training(protocol, cfg)


def check_lr_rand_torch_unseeded(protocol: str, cfg) -> None:
  """CSGCL's unseeded probe: one split per run; otherwise as :func:`check_lr_public_torch`."""
  check_lr_public_torch(protocol, cfg)


# ---------------------------------------------------------------------------------------------
# Shared pieces of the adapters
# ---------------------------------------------------------------------------------------------


def c_grid(cfg, *, default_log2: Optional[Tuple[int, int]] = None) -> Tuple[float, ...]:
  """The logistic-regression ``C`` grid ``2^c_log2_min .. 2^c_log2_max`` of an ``eval`` config.

  Args:
    cfg: the ``eval`` section.
    default_log2: ``(min, max)`` used where the section names neither bound (a protocol set by
      ``--config.eval.protocol`` over another probe's section); without it both are required.

  Raises:
    ValueError: a bound is missing and no default is given.
  """
  lo, hi = cfg.get("c_log2_min"), cfg.get("c_log2_max")
  if lo is None and hi is None and default_log2 is not None:
    lo, hi = default_log2
  if lo is None or hi is None:
    raise ValueError("the eval config needs c_log2_min and c_log2_max for this probe's C grid, "
                     f"got {lo!r} and {hi!r}")
  return tuple(float(2.0 ** k) for k in range(int(lo), int(hi) + 1))


def public_split(dataset, cfg, protocol: str) -> Dict[str, np.ndarray]:
  """The public split a public-split protocol scores.

  ``dataset.splits``; when ``cfg`` carries ``scored_split`` (set by
  ``experiments.score_validation``, never by a config file), the split of that name stands in
  for ``'test'``: the same probe, fitted the same way, scored on e.g. the validation nodes.

  Raises:
    ConfigError: if the dataset has no public split, or ``scored_split`` names no split.
  """
  if dataset.splits is None:
    raise ConfigError(f"{dataset.name} has no public split for {protocol}")
  splits = dict(dataset.splits)
  scored = cfg.get("scored_split", "test")
  if scored not in splits:
    raise ConfigError(f"scored_split must be one of {sorted(splits)}, got {scored!r}")
  splits["test"] = splits[scored]
  return splits


def _details(r) -> Dict[str, Any]:
  runs = {k: [100.0 * float(v) for v in vs] for k, vs in r.runs.items()}
  return {"runs_percent": runs, "settings": common.jsonable(r.settings), "note": r.note}


def _percent(r, rename: Mapping[str, str]) -> Dict[str, float]:
  """Metrics of an EvalResult in percent, renamed (headline first)."""
  out = {}
  for old, new in rename.items():
    if old in r.metrics:
      out[new] = 100.0 * float(r.metrics[old])
  for k, v in r.metrics.items():
    if k not in rename:
      out[k] = 100.0 * float(v)
  return out


def _percent_of_main(r, main: str) -> Dict[str, float]:
  """Metrics of an EvalResult in percent: ``main`` (and its std) as ``test_acc`` first."""
  metrics = {"test_acc": 100.0 * r[main],
             "test_acc_std": 100.0 * r.metrics.get(main + "_std", 0.0)}
  for k, v in r.metrics.items():
    if not k.startswith(main):
      metrics[k] = 100.0 * v
  return metrics


def _public_split_of(cfg, num_rows: int):
  """:func:`public_split` of ``cfg.dataset``, which must label every one of ``num_rows``
  nodes."""
  from jgssl import data  # pylint: disable=import-outside-toplevel
  ds = data.load(cfg.dataset)
  if ds.splits is None:
    raise ConfigError(f"{cfg.dataset} has no public split; use a random-split protocol")
  if ds.num_nodes != num_rows:
    raise ConfigError(f"{cfg.dataset}: {ds.num_nodes} nodes but {num_rows} labelled "
                      f"embeddings; the public split needs every node labelled")
  return public_split(ds, cfg, cfg.protocol)


# ---------------------------------------------------------------------------------------------
# Adapters: (embeddings, labels, *, seed, cfg, dataset, context)
# ---------------------------------------------------------------------------------------------


def lr_rand_sklearn_grace(embeddings, labels, *, seed, cfg, dataset, context):
  """``LR-rand-sklearn/GRACE``: :func:`jgssl.evaluate.lr_rand_sklearn_grace` on the labelled
  nodes."""
  del dataset, context
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  labelled = np.asarray(labels) >= 0  # -1 marks unlabelled nodes (jgssl.data convention)
  embeddings, labels = np.asarray(embeddings)[labelled], np.asarray(labels)[labelled]
  r = evaluate.lr_rand_sklearn_grace(embeddings, labels, seed=seed, train_ratio=cfg.train_ratio,
                                     repeats=cfg.repeats, c_grid=c_grid(cfg),
                                     inner_folds=cfg.inner_folds)
  metrics = _percent(r, {"micro_f1": "test_acc", "micro_f1_std": "test_acc_std"})
  return r.protocol, metrics, _details(r)


def lr_public_sklearn_grace(embeddings, labels, *, seed, cfg, dataset, context):
  """``LR-public-sklearn/GRACE``: :func:`jgssl.evaluate.lr_public_sklearn_grace` on the public
  split."""
  del context
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  split = public_split(dataset, cfg, "LR-public-sklearn/GRACE")
  r = evaluate.lr_public_sklearn_grace(embeddings, labels, split, seed=seed,
                                       repeats=cfg.repeats, c_grid=c_grid(cfg),
                                       inner_folds=cfg.inner_folds)
  metrics = _percent(r, {"micro_f1": "test_acc", "micro_f1_std": "test_acc_std"})
  return r.protocol, metrics, _details(r)


def lp_public_graphmae(embeddings, labels, *, seed, cfg, dataset, context):
  """``LP-public/GraphMAE``: :func:`jgssl.evaluate.lp_public_graphmae`, test accuracy at the
  best validation epoch."""
  del context
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  split = public_split(dataset, cfg, "LP-public/GraphMAE")
  r = evaluate.lp_public_graphmae(jax.random.PRNGKey(seed), embeddings, labels, split,
                                  lr=cfg.lr, weight_decay=cfg.weight_decay, epochs=cfg.epochs)
  metrics = _percent(r, {"test_acc_best_val": "test_acc",
                         "test_acc_best_val_std": "test_acc_std"})
  return r.protocol, metrics, _details(r)


def svm(fn_name: str, *, seeded_folds: bool) -> Callable:
  """An SVM protocol: ``jgssl.evaluate.<fn_name>``.

  Args:
    fn_name: ``'svm_10fold_graphmae'``, ``'svm_10fold_graphcl'`` or ``'svm_10fold_mvgrl'``.
    seeded_folds: one fold seed per run, the pretraining seed (GraphCL / InfoGraph / MVGRL,
      unseeded upstream); else the same folds (``cfg.fold_seed``, default 0) for every seed
      (GraphMAE, ``random_state`` 0).
  """
  def run(embeddings, labels, *, seed, cfg, dataset, context):
    del dataset, context
    from jgssl import evaluate  # pylint: disable=import-outside-toplevel
    fn = getattr(evaluate, fn_name)
    if seeded_folds:
      r = fn(embeddings, labels, fold_seeds=(int(seed),))
    else:
      r = fn(embeddings, labels, fold_seed=int(cfg.get("fold_seed", 0)))
    metrics = _percent(r, {"acc": "test_acc", "acc_std": "test_acc_std"})
    return r.protocol, metrics, _details(r)
  return run


def linkpred_prepare(seed, graph, cfg):
  """``LinkPred-GAE``'s training graph: the edges left after hiding ``cfg.val`` / ``cfg.test``
  of them (the split is the context :func:`linkpred_evaluate` scores)."""
  from jgssl import evaluate, graph as graph_lib  # pylint: disable=import-outside-toplevel
  n = int(np.sum(graph.n_node))
  split = evaluate.split_edges(seed, np.stack([graph.senders, graph.receivers]), num_nodes=n,
                               val=cfg.get("val", 0.05), test=cfg.get("test", 0.10))
  train_graph = graph_lib.from_edge_index(split.train_edge_index(), num_nodes=n,
                                          node_features=graph.nodes["x"], symmetrize=False)
  return train_graph, split


def linkpred_evaluate(embeddings, labels, *, seed, cfg, dataset, context):
  """``LinkPred-GAE``: :func:`jgssl.evaluate.linkpred_gae` on the hidden test edges."""
  del labels, seed, cfg, dataset
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.linkpred_gae(embeddings, context)
  return r.protocol, _percent(r, {"test_auc": "test_auc"}), _details(r)


# ---------------------------------------------------------------------------------------------
# Adapters: (embeddings, labels, *, seed, cfg), wrapped by from_function
# ---------------------------------------------------------------------------------------------


def lp_public(fn_name: str, *, l2_rows: bool = False) -> Callable:
  """A public-split linear probe ``jgssl.evaluate.<fn_name>`` on the split of ``cfg.dataset``.

  Args:
    fn_name: ``'lp_public_dgi'``, ``'lp_public_mvgrl'`` or ``'lp_public_ccassg'``.
    l2_rows: scale the embeddings' rows to unit L2 norm first (as BGRL's
      ``logistic_regression_eval.py`` does before its probe); the protocol name gets ``-l2``.
  """
  def run(embeddings, labels, *, seed: int, cfg):
    import jax  # pylint: disable=import-outside-toplevel
    from sklearn import preprocessing  # pylint: disable=import-outside-toplevel
    from jgssl import evaluate  # pylint: disable=import-outside-toplevel
    fn = getattr(evaluate, fn_name)
    if l2_rows:
      embeddings = preprocessing.normalize(np.asarray(embeddings, np.float64), norm="l2")
    kwargs = dict(epochs=cfg.epochs, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if "restarts" in cfg:
      kwargs["restarts"] = cfg.restarts
    r = fn(jax.random.PRNGKey(seed), embeddings, labels, _public_split_of(cfg, len(labels)),
           **kwargs)
    return r.protocol + ("-l2" if l2_rows else ""), _percent_of_main(r, r.main), _details(r)
  return run


def lp_random(embeddings, labels, *, seed: int, cfg):
  """``LP-rand/CCA-SSG``: :func:`jgssl.evaluate.lp_random_splits` over ``cfg.splits`` random
  splits."""
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lp_random_splits(jax.random.PRNGKey(seed), embeddings, labels,
                                seeds=tuple(range(seed, seed + cfg.splits)), epochs=cfg.epochs,
                                lr=cfg.lr, weight_decay=cfg.weight_decay)
  return r.protocol, _percent_of_main(r, r.main), _details(r)


def lr_rand_torch(embeddings, labels, *, seed: int, cfg):
  """``LR-rand-torch/GCA``: :func:`jgssl.evaluate.lr_rand_torch` over ``cfg.splits`` random
  10/10/80 splits."""
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lr_rand_torch(jax.random.PRNGKey(seed), embeddings, labels,
                             seeds=tuple(range(seed, seed + cfg.splits)), epochs=cfg.epochs,
                             eval_every=cfg.eval_every, lr=cfg.lr,
                             weight_decay=cfg.weight_decay)
  return r.protocol, _percent_of_main(r, r.main), _details(r)


def lr_public_torch(*, swap_val_test: bool) -> Callable:
  """GCA's probe on the public split of ``cfg.dataset`` (:func:`jgssl.evaluate.lr_public_torch`):
  ``LR-public-torch`` (select on validation, report test) or, with ``swap_val_test``, POT's
  code as published, ``LR-public-torch/POT-swapped`` (select on test, report validation)."""
  def run(embeddings, labels, *, seed: int, cfg):
    import jax  # pylint: disable=import-outside-toplevel
    from jgssl import evaluate  # pylint: disable=import-outside-toplevel
    r = evaluate.lr_public_torch(jax.random.PRNGKey(seed), embeddings, labels,
                                 _public_split_of(cfg, len(labels)), epochs=cfg.epochs,
                                 eval_every=cfg.eval_every, lr=cfg.lr,
                                 weight_decay=cfg.weight_decay, swap_val_test=swap_val_test)
    return r.protocol, _percent_of_main(r, r.main), _details(r)
  return run


def lr_rand_torch_unseeded(embeddings, labels, *, seed: int, cfg):
  """``LR-rand-torch/CSGCL-unseeded``: CSGCL's probe as its code runs it, flagged.

  HanChen-HUST/CSGCL's ``train.py`` ``test()`` builds a split and passes it with
  ``split='rand:0.1'``, so ``src/eval.py`` ``get_idx_split`` ignores it and draws a new 10 / 10 /
  80 split from the global ``torch.randperm`` stream at every evaluation (every 100 epochs): the
  scored nodes depend on all the randomness training consumed before, which no seed controls
  across machines or versions. Here the split seed comes from the
  operating system's entropy (not from the run's ``seed``) and is recorded in the result
  (``settings.split_seeds``), so the number can be re-scored but a rerun draws another split. The
  probe itself is GCA's (:func:`jgssl.evaluate.lr_rand_torch`); the reproducible reading of the
  same run is ``LR-rand-torch/GCA`` (split seeded by the run's seed).
  """
  import secrets  # pylint: disable=import-outside-toplevel
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  del seed
  split_seed = secrets.randbits(31)
  r = evaluate.lr_rand_torch(jax.random.PRNGKey(split_seed), embeddings, labels,
                             seeds=(split_seed,), epochs=cfg.epochs,
                             eval_every=cfg.eval_every, lr=cfg.lr,
                             weight_decay=cfg.weight_decay)
  extra = _details(r)
  extra["note"] = ("CSGCL's unseeded split: seed drawn from OS entropy (split_seeds); the run's "
                   "seed does not fix it")
  return "LR-rand-torch/CSGCL-unseeded", _percent_of_main(r, r.main), extra


def lr_rand_sklearn_bgrl(embeddings, labels, *, seed: int, cfg):
  """``LR-rand-sklearn/BGRL``: :func:`jgssl.evaluate.lr_rand_sklearn_bgrl`."""
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lr_rand_sklearn_bgrl(embeddings, labels, seed=seed, repeats=cfg.repeats,
                                    c_grid=c_grid(cfg))
  return r.protocol, _percent_of_main(r, r.main), _details(r)


def lr_public_sklearn_bgrl(embeddings, labels, *, seed: int, cfg):
  """``LR-public-sklearn/BGRL``: :func:`jgssl.evaluate.lr_public_sklearn_bgrl` on the split of
  ``cfg.dataset``, with BGRL's C grid where the eval section is another probe's (the
  ``--config.eval.protocol`` rows)."""
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lr_public_sklearn_bgrl(embeddings, labels, _public_split_of(cfg, len(labels)),
                                      seed=seed, c_grid=c_grid(cfg, default_log2=(-10, 10)))
  return r.protocol, _percent_of_main(r, r.main), _details(r)

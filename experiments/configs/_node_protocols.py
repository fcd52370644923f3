"""Launcher registrations for the contrastive node-level methods (DGI, GCA, MVGRL, BGRL, CCA-SSG,
G-BT) and the evaluation protocols their papers use.

``experiments.common`` keeps the method and protocol registries (``METHODS``, ``PROTOCOLS``);
this module adds the entries these configs need when a config file is loaded (``setdefault``:
an entry the launcher already has wins). Each protocol adapter has the launcher's signature
``(embeddings, labels, *, seed, cfg) -> (protocol, metrics in percent, extra)`` and a check of
its ``eval`` section that :func:`experiments.common.validate` runs before training; public-split
protocols read the split of ``cfg.dataset`` (``config.eval.dataset``, a reference to
``config.dataset``).
"""

from __future__ import annotations

import functools
from typing import Dict, Tuple

import ml_collections
import numpy as np

from experiments import common
from experiments.configs import _base


def _build(class_name: str, model: ml_collections.ConfigDict):
  from jgssl.methods import bgrl, dgi, mvgrl  # pylint: disable=import-outside-toplevel
  classes = {"DGI": dgi.DGI, "MVGRL": mvgrl.MVGRL, "BGRL": bgrl.BGRL}
  kwargs = model.to_dict()
  for k, v in kwargs.items():
    if isinstance(v, list):
      kwargs[k] = tuple(v)
  return classes[class_name](**kwargs)


def register_method(name: str, class_name: str, strategies: Tuple[str, ...] = ("single",)):
  """Adds ``name`` to ``experiments.common.METHODS`` unless present."""
  common.METHODS.setdefault(name, common.MethodEntry(
      build=functools.partial(_build, class_name), level="node", strategies=strategies))


def _percent(result, main: str) -> Dict[str, float]:
  metrics = {"test_acc": 100.0 * result[main],
             "test_acc_std": 100.0 * result.metrics.get(main + "_std", 0.0)}
  for k, v in result.metrics.items():
    if not k.startswith(main):
      metrics[k] = 100.0 * v
  return metrics


def _extra(result) -> Dict:
  runs = {k: [100.0 * float(v) for v in vs] for k, vs in result.runs.items()}
  return {"runs_percent": runs, "settings": common._jsonable(result.settings),  # pylint: disable=protected-access
          "note": result.note}


def _public_split(cfg, num_rows: int):
  from jgssl import data  # pylint: disable=import-outside-toplevel
  ds = data.load(cfg.dataset)
  if ds.splits is None:
    raise common.ConfigError(f"{cfg.dataset} has no public split; use a random-split protocol")
  if ds.num_nodes != num_rows:
    raise common.ConfigError(f"{cfg.dataset}: {ds.num_nodes} nodes but {num_rows} labelled "
                             f"embeddings; the public split needs every node labelled")
  return common.public_split(ds, cfg, cfg.protocol)


def _lp_public(fn_name: str, *, l2_rows: bool = False):
  """A public-split linear probe; with ``l2_rows`` the embeddings' rows are scaled to unit L2
  norm first (as BGRL's ``logistic_regression_eval.py`` does before its probe)."""
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
    r = fn(jax.random.PRNGKey(seed), embeddings, labels, _public_split(cfg, len(labels)),
           **kwargs)
    return r.protocol + ("-l2" if l2_rows else ""), _percent(r, r.main), _extra(r)
  return run


def _lp_random(embeddings, labels, *, seed: int, cfg):
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lp_random_splits(jax.random.PRNGKey(seed), embeddings, labels,
                                seeds=tuple(range(seed, seed + cfg.splits)), epochs=cfg.epochs,
                                lr=cfg.lr, weight_decay=cfg.weight_decay)
  return r.protocol, _percent(r, r.main), _extra(r)


def _lr_rand_torch(embeddings, labels, *, seed: int, cfg):
  import jax  # pylint: disable=import-outside-toplevel
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lr_rand_torch(jax.random.PRNGKey(seed), embeddings, labels,
                             seeds=tuple(range(seed, seed + cfg.splits)), epochs=cfg.epochs,
                             eval_every=cfg.eval_every, lr=cfg.lr,
                             weight_decay=cfg.weight_decay)
  return r.protocol, _percent(r, r.main), _extra(r)


def _lr_sklearn_bgrl(embeddings, labels, *, seed: int, cfg):
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  r = evaluate.lr_rand_sklearn_bgrl(embeddings, labels, seed=seed, repeats=cfg.repeats,
                                    c_grid=common.c_grid(cfg))
  return r.protocol, _percent(r, r.main), _extra(r)


def _lr_public_sklearn_bgrl(embeddings, labels, *, seed: int, cfg):
  from jgssl import evaluate  # pylint: disable=import-outside-toplevel
  # BGRL's grid where the eval section is another probe's (the --config.eval.protocol rows).
  r = evaluate.lr_public_sklearn_bgrl(embeddings, labels, _public_split(cfg, len(labels)),
                                      seed=seed, c_grid=common.c_grid(cfg, default_log2=(-10, 10)))
  return r.protocol, _percent(r, r.main), _extra(r)


def _check_lr_sklearn_bgrl(protocol: str, cfg) -> None:
  common.check_eval_int(cfg, "repeats", protocol, minimum=1)
  common.check_c_grid(cfg, protocol)


def _check_lr_public_sklearn_bgrl(protocol: str, cfg) -> None:
  common.check_eval_present(cfg, "dataset", protocol)
  common.check_c_grid(cfg, protocol, default_log2=(-10, 10))  # as _lr_public_sklearn_bgrl


def _check_lp_public(protocol: str, cfg) -> None:
  common.check_eval_present(cfg, "dataset", protocol)
  common.check_linear_probe_training(protocol, cfg)


def _check_lp_random(protocol: str, cfg) -> None:
  common.check_eval_int(cfg, "splits", protocol, minimum=1)
  common.check_linear_probe_training(protocol, cfg)


def _check_lr_rand_torch(protocol: str, cfg) -> None:
  common.check_eval_int(cfg, "eval_every", protocol, minimum=1)
  _check_lp_random(protocol, cfg)


for _name, _fn, _public, _check in (
    ("LP-public/DGI", _lp_public("lp_public_dgi"), True, _check_lp_public),
    ("LP-public/DGI-l2", _lp_public("lp_public_dgi", l2_rows=True), True, _check_lp_public),
    ("LP-public/MVGRL", _lp_public("lp_public_mvgrl"), True, _check_lp_public),
    ("LP-public/CCA-SSG", _lp_public("lp_public_ccassg"), True, _check_lp_public),
    ("LP-rand/CCA-SSG", _lp_random, False, _check_lp_random),
    ("LR-rand-torch/GCA", _lr_rand_torch, False, _check_lr_rand_torch),
    ("LR-rand-sklearn/BGRL", _lr_sklearn_bgrl, False, _check_lr_sklearn_bgrl),
    ("LR-public-sklearn/BGRL", _lr_public_sklearn_bgrl, True, _check_lr_public_sklearn_bgrl)):
  common.PROTOCOLS.setdefault(_name, common.protocol_from_function(_fn, public_split=_public,
                                                                   check=_check))


def lp_public_dgi_eval(c: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """``config.eval`` for DGI's probe (PetarV-/DGI ``execute.py`` @ 61baf67): 50 logistic
  regressions on the public split, the last epoch's test accuracy, no validation."""
  e = ml_collections.ConfigDict()
  e.protocol = "LP-public/DGI"
  e.dataset = c.get_ref("dataset")
  e.restarts = 50                   # [execute.py] range(50)
  e.epochs = 100                    # [execute.py] range(100)
  e.lr = 0.01                       # [execute.py] Adam lr
  e.weight_decay = 0.0              # [execute.py] wd 0.0
  return e


def lr_rand_torch_eval(c: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """``config.eval`` for GCA's probe (CRIPAC-DIG/GCA ``pGRACE/eval.py``): random 10/10/80,
  LogReg Adam lr 0.01, wd 0, 3000 epochs, test at the best validation (every 20 epochs)."""
  e = ml_collections.ConfigDict()
  e.protocol = "LR-rand-torch/GCA"
  e.dataset = c.get_ref("dataset")
  e.splits = 1                      # one random split per training run (GCA)
  e.epochs = 3000
  e.eval_every = 20
  e.lr = 0.01
  e.weight_decay = 0.0
  return e


def lr_sklearn_bgrl_eval(c: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """``config.eval`` for BGRL's probe (nerdslab/bgrl ``bgrl/logistic_regression_eval.py``)."""
  e = ml_collections.ConfigDict()
  e.protocol = "LR-rand-sklearn/BGRL"
  e.dataset = c.get_ref("dataset")
  e.repeats = 1                     # one (init, split) pair per training run; 20 runs upstream
  e.c_log2_min = -10                # C = 2.0 ** np.arange(-10, 11)
  e.c_log2_max = 10
  return e


def random_split_variant(name: str, value=None, std=None, source: str = _base.NO_VALUE):
  """A variant on ``name`` (no public split) with GCA's random-split probe
  (:func:`lr_rand_torch_eval`) and the given reference."""
  def apply(c):
    c.dataset = name
    c.eval = lr_rand_torch_eval(c)
    return _base.set_reference(c, value, std, source)
  return apply


"""The ``eval`` sections of the contrastive node-level configs (DGI, GCA, MVGRL, BGRL, CCA-SSG,
G-BT): each helper returns the ``config.eval`` of one paper's probe, citing its source.

The protocols they name are in :data:`experiments.registry.PROTOCOLS` (adapters in
:mod:`experiments.protocols`); public-split protocols read the split of ``config.eval.dataset``,
a reference to ``config.dataset``.
"""

from __future__ import annotations

import ml_collections

from experiments.configs import _base


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


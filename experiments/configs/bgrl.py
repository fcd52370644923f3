"""BGRL configs (Thakoor et al., ICLR 2022; REFERENCES.md §3.5).

Sources, cited beside each value:

* ``[cfg]`` nerdslab/bgrl ``config/<dataset>.cfg`` @ 60f9f19 (encoder widths, lr, drop rates;
  shared: ``epochs 10000``, ``lr_warmup_epochs 1000``, ``weight_decay 1e-5``, ``mm 0.99``,
  ``predictor_hidden_size 512``); ``[train]`` ``train_transductive.py`` (AdamW, warm-up + cosine
  LR, cosine momentum, ``NormalizeFeatures`` in ``bgrl/data.py``, evaluation on the online
  encoder in eval mode); ``[eval]`` ``bgrl/logistic_regression_eval.py`` (80 % test, 5 shuffle
  splits of the rest, ``C = 2^-10 .. 2^10``).
* ``[readme]`` the BGRL README (Amazon-Computers 90.34 ± 0.19, 20 splits × inits).
* ``[graphmae]`` the GraphMAE README table (BGRL on Cora 82.7 ± 0.6, CiteSeer 71.1 ± 0.8, public
  split; GraphMAE's own runs, hyperparameters unpublished).

BGRL has no Planetoid config: the ``cora`` / ``citeseer`` variants take the WikiCS config
(``[512, 256]``, lr 5e-4, the closest small-graph setting; jgssl choice) with GraphMAE's linear
probe on the public split (``LP-public/GraphMAE``-like: here DGI's probe, 50 restarts) since the
GraphMAE table is the only reference.

Variants: ``amazon-computers`` (default), ``amazon-photo``, ``coauthor-cs``,
``coauthor-physics``, ``cora``, ``citeseer``, ``test``.
"""

import ml_collections

from experiments.configs import _node_protocols

_node_protocols.register_method("bgrl", "BGRL")


def _default() -> ml_collections.ConfigDict:
  c = ml_collections.ConfigDict()
  c.method = "bgrl"
  c.dataset = "amazon-computers"
  c.seed = 0                        # jgssl choice ([train] model_seed is a flag)
  c.epochs = 10000                  # [cfg] epochs
  c.checkpoint_every = 500          # jgssl choice
  c.max_to_keep = 2
  c.strategy = "single"
  c.features = "row"                # [train] bgrl/data.py get_dataset(transform=NormalizeFeatures())

  c.model = ml_collections.ConfigDict()
  c.model.features = (256, 128)     # [cfg] graph_encoder_layer
  c.model.pred_hidden = 512         # [cfg] predictor_hidden_size
  c.model.drop_edge_1 = 0.5         # [cfg] drop_edge_p_1
  c.model.drop_edge_2 = 0.4         # [cfg] drop_edge_p_2
  c.model.drop_feature_1 = 0.2      # [cfg] drop_feat_p_1
  c.model.drop_feature_2 = 0.1      # [cfg] drop_feat_p_2
  c.model.momentum = 0.99           # [cfg] mm
  c.model.total_steps = c.get_ref("epochs")  # [train] CosineDecayScheduler(1 - mm, 0, epochs)
  c.model.bn_momentum = 0.99        # [train] GCN(batchnorm_mm=0.99), PyTorch convention

  c.optimizer = ml_collections.ConfigDict()
  c.optimizer.name = "adamw"        # [train] AdamW
  c.optimizer.learning_rate = 5e-4  # [cfg] lr
  c.optimizer.weight_decay = 1e-5   # [cfg] weight_decay
  c.optimizer.schedule = "warmup_cosine"  # [train] CosineDecayScheduler(lr, warmup, epochs)
  c.optimizer.warmup_steps = 1000   # [cfg] lr_warmup_epochs

  c.eval = _node_protocols.lr_sklearn_bgrl_eval(c)

  c.reference = ml_collections.ConfigDict()
  c.reference.metric = "test_acc"
  c.reference.value = 90.34         # [readme]
  c.reference.std = 0.19
  c.reference.source = "BGRL README, Amazon-Computers, 20 random splits x inits"
  return c


def _dataset(name, features, lr, pe, pf, value=None, std=None, source="no published value"):
  def apply(c):
    c.dataset = name
    c.model.features = features     # [cfg] graph_encoder_layer
    c.optimizer.learning_rate = lr  # [cfg] lr
    c.model.drop_edge_1, c.model.drop_edge_2 = pe        # [cfg] drop_edge_p_1, _2
    c.model.drop_feature_1, c.model.drop_feature_2 = pf  # [cfg] drop_feat_p_1, _2
    c.reference.value, c.reference.std, c.reference.source = value, std, source
    return c
  return apply


def _planetoid(name, value, std):
  def apply(c):
    c = _dataset(name, (512, 256), 5e-4, (0.2, 0.3), (0.2, 0.1), value, std,
                 f"GraphMAE README table (BGRL, {name}, public split)")(c)  # [cfg] wiki-cs values
    e = ml_collections.ConfigDict()
    e.protocol = "LP-public/DGI"     # one linear layer on the public split, 50 restarts
    e.dataset = c.get_ref("dataset")
    e.restarts, e.epochs, e.lr, e.weight_decay = 50, 100, 0.01, 0.0
    c.eval = e
    return c
  return apply


def _test(c):
  """Tiny: Cora, 6 epochs, narrow layers, a short C grid. For the test suite only."""
  c.dataset = "cora"
  c.epochs = 6
  c.checkpoint_every = 3
  c.model.features = (16, 8)
  c.model.pred_hidden = 16
  c.optimizer.warmup_steps = 2
  c.eval.c_log2_min = -1
  c.eval.c_log2_max = 1
  return c


VARIANTS = {
    "amazon-computers": lambda c: c,
    "amazon-photo": _dataset("amazon-photo", (256, 128), 1e-4, (0.4, 0.1), (0.1, 0.2)),
    "coauthor-cs": _dataset("coauthor-cs", (512, 256), 1e-5, (0.3, 0.2), (0.3, 0.4)),
    "coauthor-physics": _dataset("coauthor-physics", (256, 128), 1e-5, (0.4, 0.1), (0.1, 0.4)),
    "cora": _planetoid("cora", 82.7, 0.6),
    "citeseer": _planetoid("citeseer", 71.1, 0.8),
    "test": _test,
}


def get_config(variant: str = "") -> ml_collections.ConfigDict:
  """The locked config of ``variant`` (``''`` means ``amazon-computers``)."""
  variant = (variant or "amazon-computers").lower()
  if variant not in VARIANTS:
    raise ValueError(f"unknown BGRL config variant {variant!r}; choose one of {sorted(VARIANTS)}")
  c = VARIANTS[variant](_default())
  c.lock()
  return c

"""GAE configs (Kipf & Welling, NIPS BDL workshop 2016; REFERENCES.md §3.11).

Sources, cited beside each value:

* ``[train]`` tkipf/gae ``gae/train.py`` @ 1fe204d flags: ``learning_rate 0.01``, ``epochs 200``,
  ``hidden1 32``, ``hidden2 16``, ``weight_decay 0`` (unused), ``dropout 0``, ``features 1``
  (the dataset's features, not normalised), model ``gcn_ae``.
* ``[model]`` ``gae/model.py``: ``GraphConvolution`` layers without bias, ReLU then linear;
  ``[optimizer]`` ``gae/optimizer.py``: the dense weighted BCE with ``pos_weight`` and ``norm``.
* ``[prep]`` ``gae/preprocessing.py``: ``mask_test_edges`` (85 / 5 / 10 split, as many
  non-edges as positives): :func:`jgssl.evaluate.split_edges`, seeded.
* ``[paper]`` Kipf & Welling 2016, Table 1 (Cora: GAE 91.0 / 92.0, VGAE 91.4 / 92.6 AUC / AP);
  not confirmed against a primary source in REFERENCES.md (its §3.11 marks results
  unconfirmed), so quoted with that caveat.

Variants: ``cora`` (default), ``citeseer``, ``test``.
"""

import ml_collections

from experiments.configs import _base

VARIATIONAL = False
NAME = "gae"
PAPER = {"cora": (91.0, 92.0), "citeseer": (89.5, 89.9)}


def _default() -> ml_collections.ConfigDict:
  c = ml_collections.ConfigDict()
  c.method = NAME
  c.dataset = "cora"
  c.seed = 0                        # jgssl choice (upstream: unseeded)
  c.epochs = 200                    # [train] epochs
  c.checkpoint_every = 20           # jgssl choice
  c.max_to_keep = 3
  c.strategy = "single"             # one full-graph step per epoch (dense N x N decoder)
  c.features = "none"               # [train] features 1: raw binary features

  c.model = ml_collections.ConfigDict()
  c.model.features = (32, 16)       # [train] hidden1, hidden2
  c.model.variational = VARIATIONAL  # [train] model gcn_ae / gcn_vae
  c.model.dropout = 0.0             # [train] dropout

  c.optimizer = _base.optimizer(
      "adam",                       # [optimizer] tf.train.AdamOptimizer
      learning_rate=0.01,           # [train] learning_rate
      weight_decay=0.0)             # [train] weight_decay (never applied upstream)

  c.eval = ml_collections.ConfigDict()
  c.eval.protocol = "LinkPred-GAE"  # [prep] 85 / 5 / 10 split, test ROC-AUC and AP
  c.eval.val = 0.05
  c.eval.test = 0.10

  c.reference = _base.reference(
      "test_auc", PAPER["cora"][0],  # [paper] (AP: PAPER[...][1])
      source=(f"Kipf & Welling 2016 Table 1, Cora AUC / AP {PAPER['cora'][0]} / "
              f"{PAPER['cora'][1]} (unconfirmed in REFERENCES.md §3.11)"), placeholder=True)
  return c


def _citeseer(c):
  c.dataset = "citeseer"
  c.reference.value = PAPER["citeseer"][0]  # [paper]
  c.reference.source = (f"Kipf & Welling 2016 Table 1, CiteSeer AUC / AP "
                        f"{PAPER['citeseer'][0]} / {PAPER['citeseer'][1]} (unconfirmed)")
  return c


VARIANTS = {"cora": lambda c: c, "citeseer": _citeseer,
            "test": _base.overrides(epochs=3, checkpoint_every=1, model=dict(features=(8, 4)))}


def build(model: ml_collections.ConfigDict):
  """``jgssl.methods.vgae`` when ``model.variational``, else ``jgssl.methods.gae``."""
  from jgssl.methods import masked_ae  # pylint: disable=import-outside-toplevel
  recipe = masked_ae.vgae if model.variational else masked_ae.gae
  return recipe(features=tuple(model.features), dropout=model.dropout)


def get_config(variant: str = "") -> ml_collections.ConfigDict:
  """The locked config of ``variant`` (``''`` means ``cora``)."""
  # NAME is read at call time: vgae.py runs this file with NAME = 'vgae'.
  return _base.resolve(NAME, VARIANTS, "cora", _default, variant)

"""DGI configs (Veličković et al., ICLR 2019; REFERENCES.md §3.1).

Sources, cited beside each value:

* ``[execute.py]`` PetarV-/DGI ``execute.py`` @ 61baf67: ``batch_size 1, nb_epochs 10000,
  patience 20, lr 0.001, l2_coef 0.0, hid_units 512, sparse True, nonlinearity 'prelu'``;
  ``process.preprocess_features`` row-normalises the features; the best-loss model is restored
  (``config.early_stopping``: the launcher's :class:`jgssl.train.EarlyStopping` fit hook);
  50 logistic-regression runs (Xavier init, Adam lr 0.01, wd 0, 100 epochs) on the public split.
* ``[discriminator.py]`` ``layers/discriminator.py``: ``nn.Bilinear(n_h, n_h, 1)`` initialised by
  ``xavier_uniform_`` on its ``[1, n_h, n_h]`` weight, zero bias.
* ``[paper]`` the DGI paper's transductive table (Cora 82.3 ± 0.6, CiteSeer 71.8 ± 0.7), quoted by
  the GraphMAE and DGL DGI READMEs (REFERENCES.md §1 anchor 8, §3.1).
* ``[secondary]`` the RoSA README table (DGI on Amazon-Computers 83.95 ± 0.47, REFERENCES.md §3.3;
  secondary source, sanity check only).

DGI's code has one configuration for every dataset; the Amazon / Coauthor variants keep it (the
paper reports no such runs: jgssl choice) and use the random 10 / 10 / 80 probe of GCA
(``LR-rand-torch``) since those datasets have no public split.

Variants: ``cora`` (default), ``citeseer``, ``amazon-computers``, ``amazon-photo``,
``coauthor-cs``, ``coauthor-physics``, ``test``.
"""

import ml_collections

from experiments.configs import _base
from experiments.configs import _node_protocols


def _default() -> ml_collections.ConfigDict:
  c = ml_collections.ConfigDict()
  c.method = "dgi"
  c.dataset = "cora"
  c.seed = 0                        # jgssl choice (execute.py seeds nothing)
  c.epochs = 10000                  # [execute.py] nb_epochs; its early stop (patience 20) ends the
  #                                   run first (c.early_stopping)
  c.checkpoint_every = 500          # jgssl choice
  c.max_to_keep = 2                 # jgssl choice
  c.strategy = "single"
  c.features = "row"                # [execute.py] process.preprocess_features

  c.model = ml_collections.ConfigDict()
  c.model.features = (512,)         # [execute.py] hid_units (one GCN layer)
  c.model.activation = "prelu"      # [execute.py] nonlinearity
  # [discriminator.py] weights_init: xavier_uniform_ on nn.Bilinear's [1, D, D] weight ('torch',
  # a 16x smaller bound at D = 512 than 'glorot' over [D, D]; jgssl.models.Bilinear). Rows run
  # with 'glorot' before this was found: experiments/results/dgi-*-glorot.
  c.model.discriminator_init = "torch"

  # [execute.py] patience 20 on the training loss, best-loss parameters restored
  c.early_stopping = ml_collections.ConfigDict({"patience": 20})

  c.optimizer = _base.optimizer(
      "adam",                       # [execute.py] torch.optim.Adam
      learning_rate=1e-3,           # [execute.py] lr
      weight_decay=0.0)             # [execute.py] l2_coef

  # [execute.py] 50 x LogReg (range(50), range(100) epochs, Adam lr 0.01, wd 0.0), last epoch,
  # no validation
  c.eval = _node_protocols.lp_public_dgi_eval(c)

  c.reference = _base.reference(
      "test_acc", 82.3, 0.6,        # [paper] Cora
      "DGI paper, Cora public split (GraphMAE / DGL READMEs; REFERENCES.md §3.1)")
  return c


def _citeseer(c):
  c.dataset = "citeseer"
  return _base.set_reference(
      c, 71.8, 0.7,                 # [paper] CiteSeer
      "DGI paper, CiteSeer public split (GraphMAE / DGL READMEs; REFERENCES.md §3.1)")


_random_split = _node_protocols.random_split_variant

VARIANTS = {
    "cora": lambda c: c,
    "citeseer": _citeseer,
    "amazon-computers": _random_split(
        "amazon-computers", 83.95, 0.47,
        "RoSA README, secondary (REFERENCES.md §3.3); random 10/10/80"),
    "amazon-photo": _random_split("amazon-photo"),
    "coauthor-cs": _random_split("coauthor-cs"),
    "coauthor-physics": _random_split("coauthor-physics"),
    # Tiny: Cora, 5 epochs, 16 wide, 2 probe restarts. For the test suite only.
    "test": _base.overrides(epochs=5, checkpoint_every=2, model=dict(features=(16,)),
                            eval=dict(restarts=2, epochs=20)),
}

get_config = _base.make_get_config("DGI", VARIANTS, "cora", _default)


def build(model: ml_collections.ConfigDict):
  """The method of ``config.model``: ``jgssl.methods.dgi(**model)``."""
  from jgssl import methods  # pylint: disable=import-outside-toplevel
  return methods.dgi(**model.to_dict())

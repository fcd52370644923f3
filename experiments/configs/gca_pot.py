"""GCA + POT configs (Yu et al., NeurIPS 2023; REFERENCES.md §4 and §4.1).

Sources, cited beside each value:

* ``[param]`` VoidHaruhi/POT-GCL ``GCA/param/<dataset>.json`` @ ad4910b (lr, hidden, proj,
  activation, edge rates, τ, epochs); ``[default]`` ``GCA/train.py``'s ``default_param`` for the
  keys the json files leave out (``weight_decay 1e-5``, ``drop_scheme 'degree'``, 2 GCN layers);
  ``[train.py]`` ``--seed 12345``, ``drop_edge_weighted(threshold=0.7)``, no feature masking
  (``x_1 = x_2 = data.x``), the deletion budget of each node = its rounded expected number of
  dropped incident edges (``drop_degree``: GCA's per-edge drop probabilities summed per node).
* ``[readme]`` the README's GCA + POT command: ``--kappa 0.3`` (shown for Cora; 0.3 everywhere).
* ``[dataset.py]`` ``T.NormalizeFeatures()`` on every dataset; probe and protocols as
  :mod:`experiments.configs.grace_pot` (``LR-public-torch/POT-swapped`` on Planetoid, with the
  correct ``LR-public-torch`` as second column; GCA's random split on Amazon-Photo).

Paired base: ``--config.model.pot_kappa=0`` (POT's "original GCA" command).

``config.model`` holds the arguments of :func:`jgssl.methods.gca` plus ``pot_kappa`` and
``pot_bounds`` (:mod:`experiments.configs.grace_pot`).

Variants: ``cora`` (default), ``citeseer``, ``amazon-photo``, ``test``.
"""

import ml_collections
from ml_collections import config_dict

from experiments.configs import _base
from experiments.configs import grace_pot


def _default() -> ml_collections.ConfigDict:
  """GCA + POT on Cora, as POT's README command runs it."""
  c = ml_collections.ConfigDict()
  c.method = "gca_pot"
  c.dataset = "cora"
  c.seed = 12345                    # [train.py] --seed
  c.epochs = 700                    # [param] num_epochs
  c.checkpoint_every = 100          # jgssl choice
  c.max_to_keep = 2
  c.strategy = "single"
  c.features = "row"                # [dataset.py] T.NormalizeFeatures()

  c.model = ml_collections.ConfigDict()
  c.model.features = (256, 128)     # [param] num_hidden 128 (first layer 2x)
  c.model.hidden_features = 128     # [param] num_proj_hidden
  c.model.activation = "relu"       # [param] activation
  c.model.drop_edge_rate = (0.3, 0.1)     # [param] drop_edge_rate_1, _2
  c.model.drop_feature_rate = (0.0, 0.0)  # [train.py] no feature mask
  c.model.temperature = 0.9         # [param] tau
  c.model.centrality = "degree"     # [default] drop_scheme
  c.model.threshold = 0.7           # [train.py] drop_edge_weighted(threshold=0.7)
  c.model.dense_features = False
  c.model.chunk_size = config_dict.placeholder(int)  # None: dense N x N
  c.model.pot_kappa = 0.3           # [readme] --kappa 0.3
  c.model.pot_bounds = "official"   # POT's own bound computation (pGRACE/model.py pot_loss)

  c.optimizer = _base.optimizer(
      "adam",                       # [train.py] torch.optim.Adam
      learning_rate=5e-4,           # [param] learning_rate
      weight_decay=1e-5)            # [default] weight_decay

  c.eval = grace_pot.pot_eval(c, public=True)
  c.reference = _base.reference("test_acc", source=grace_pot.NO_POT_TABLE)
  return c


def _dataset(name, *, lr, hidden, proj, act, pe, tau, epochs, public):
  def apply(c):
    c.dataset = name
    c.optimizer.learning_rate = lr  # [param] learning_rate
    c.model.features = (2 * hidden, hidden)  # [param] num_hidden (first layer 2x)
    c.model.hidden_features = proj  # [param] num_proj_hidden
    c.model.activation = act        # [param] activation
    c.model.drop_edge_rate = pe     # [param] drop_edge_rate_1, _2
    c.model.temperature = tau       # [param] tau
    c.epochs = epochs               # [param] num_epochs
    if not public:
      c.model.chunk_size = 4096     # jgssl: exact tiled InfoNCE
      c.eval = grace_pot.pot_eval(c, public=False)
    return c
  return apply


VARIANTS = {
    "cora": lambda c: c,
    "citeseer": _dataset("citeseer", lr=1e-3, hidden=256, proj=256, act="prelu", pe=(0.2, 0.2),
                         tau=0.9, epochs=1000, public=True),
    "amazon-photo": _dataset("amazon-photo", lr=5e-4, hidden=256, proj=64, act="relu",
                             pe=(0.3, 0.5), tau=0.3, epochs=2000, public=False),
    # Tiny: Cora, 4 epochs, 16 wide, a short probe. For the test suite only.
    "test": _base.overrides(seed=0, epochs=4, checkpoint_every=2,
                            model=dict(features=(32, 16), hidden_features=16),
                            eval=dict(epochs=100)),
}

get_config = _base.make_get_config("GCA+POT", VARIANTS, "cora", _default)


def build(model: ml_collections.ConfigDict):
  """:func:`jgssl.methods.gca` of ``config.model`` with POT, budgets from GCA's adaptive edge
  probabilities (:func:`experiments.configs.grace_pot.with_pot_from`)."""
  from jgssl import methods  # pylint: disable=import-outside-toplevel
  return grace_pot.with_pot_from(methods.gca(**grace_pot.recipe_args(model)), model,
                                  budget="adaptive")

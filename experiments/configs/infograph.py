"""InfoGraph configs (Sun et al., ICLR 2020; REFERENCES.md §3.10).

Sources, cited beside each value:

* ``[readme]`` fanyun-sun/InfoGraph README @ 673a065: ``--lr 0.001 --num-gc-layers 3`` in its
  example (the argparse default is 5 layers).
* ``[infograph]`` ``unsupervised/infograph.py`` / ``arguments.py``: 20 epochs, batch 128,
  ``hidden_dim 32``, Adam, JSD measure, prior off; graphs without node features get ``x = 1``;
  no self-loops (``gin_eps = 0``).
* ``[eval]`` ``evaluate_embedding.py``: as GraphCL's (``SVM-10fold/GraphCL``).
* ``[values]`` paper values: MUTAG and IMDB-BINARY from the DGL README with GraphMAE's stds,
  PROTEINS / NCI1 from the GraphMAE README (REFERENCES.md §3.10).

Variants: ``mutag`` (default), ``proteins``, ``nci1``, ``imdb-binary``, ``imdb-multi``,
``collab``, ``reddit-binary``, ``test``.
"""

import ml_collections

from experiments.configs import _base

NAME = "infograph"
REFERENCE = {"mutag": (89.01, 1.13), "imdb-binary": (73.03, 0.87), "proteins": (74.44, 0.31),
             "nci1": (76.20, 1.06)}  # [values]
# [infograph] x = ones for these (node_features="constant")
CONSTANT_FEATURES = ("imdb-binary", "imdb-multi", "collab", "reddit-binary")


def _default() -> ml_collections.ConfigDict:
  c = ml_collections.ConfigDict()
  c.method = NAME
  c.dataset = "mutag"
  c.seed = 0                        # jgssl: seeds 0-4
  c.epochs = 20                     # [infograph] epochs
  c.checkpoint_every = 5            # jgssl choice
  c.max_to_keep = 3
  c.strategy = "data"               # padded batches, data parallel over devices
  c.features = "none"
  c.batch_size = 128                # [infograph] batch_size
  c.node_features = "auto"          # one-hot node labels (molecules)

  c.model = ml_collections.ConfigDict()
  c.model.hidden = 32               # [infograph] hidden_dim
  c.model.num_layers = 3            # [readme] --num-gc-layers 3
  c.model.gin_eps = 0.0             # [infograph] no self-loops

  c.optimizer = _base.optimizer(
      "adam",                       # [infograph] torch.optim.Adam(lr=lr)
      learning_rate=1e-3,           # [readme] --lr 0.001
      weight_decay=0.0)

  c.eval = ml_collections.ConfigDict()
  c.eval.protocol = "SVM-10fold/GraphCL"  # [eval]

  c.reference = _base.reference("acc", source="no confirmed published value", placeholder=True)
  return c


# The per-dataset variants and the tiny ``test`` (2 epochs, batches of 32, 8 wide).
VARIANTS = _base.tu_variants(reference_values=REFERENCE, constant_features=CONSTANT_FEATURES,
                             source="InfoGraph paper values, SVM-10fold (REFERENCES.md §3.10)")

get_config = _base.make_get_config(NAME, VARIANTS, "mutag", _default)

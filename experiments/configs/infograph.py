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
from ml_collections import config_dict

NAME = "infograph"
REFERENCE = {"mutag": (89.01, 1.13), "imdb-binary": (73.03, 0.87), "proteins": (74.44, 0.31),
             "nci1": (76.20, 1.06)}  # [values]
CONSTANT_FEATURES = ("imdb-binary", "imdb-multi", "collab", "reddit-binary")  # [infograph]


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

  c.optimizer = ml_collections.ConfigDict()
  c.optimizer.name = "adam"         # [infograph] torch.optim.Adam(lr=lr)
  c.optimizer.learning_rate = 1e-3  # [readme] --lr 0.001
  c.optimizer.weight_decay = 0.0
  c.optimizer.schedule = "constant"
  c.optimizer.warmup_steps = 0

  c.eval = ml_collections.ConfigDict()
  c.eval.protocol = "SVM-10fold/GraphCL"  # [eval]

  c.reference = ml_collections.ConfigDict()
  c.reference.metric = "acc"
  c.reference.value = config_dict.placeholder(float)
  c.reference.std = config_dict.placeholder(float)
  c.reference.source = "no confirmed published value"
  return c


def _variant(name):
  def apply(c):
    c.dataset = name
    if name in CONSTANT_FEATURES:
      c.node_features = "constant"  # [infograph] x = ones
    if name in REFERENCE:
      c.reference.value, c.reference.std = REFERENCE[name]
      c.reference.source = "InfoGraph paper values, SVM-10fold (REFERENCES.md §3.10)"
    return c
  return apply


def _test(c):
  c.epochs = 2
  c.checkpoint_every = 1
  c.batch_size = 32
  c.model.hidden = 8
  return c


VARIANTS = {**{k: _variant(k) for k in ("mutag", "proteins", "nci1", "imdb-binary",
                                        "imdb-multi", "collab", "reddit-binary")},
            "test": _test}


def get_config(variant: str = "") -> ml_collections.ConfigDict:
  """The locked config of ``variant`` (``''`` means ``mutag``)."""
  variant = (variant or "mutag").lower()
  if variant not in VARIANTS:
    raise ValueError(f"unknown {NAME} config variant {variant!r}; choose one of "
                     f"{sorted(VARIANTS)}")
  c = VARIANTS[variant](_default())
  c.lock()
  return c

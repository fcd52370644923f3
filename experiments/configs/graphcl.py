"""GraphCL configs, unsupervised TU setting (You et al., NeurIPS 2020; REFERENCES.md §3.9).

Sources, cited beside each value:

* ``[go.sh]`` Shen-Lab/GraphCL ``unsupervised_TU/go.sh`` @ b4d7501: ``--lr 0.01
  --num-gc-layers 3 --aug $3``, seeds 0-4.
* ``[gsimclr]`` ``unsupervised_TU/gsimclr.py``: 20 epochs, batch 128, Adam without weight decay,
  projection ``Linear-ReLU-Linear``, ``T = 0.2``, positive left out of the denominator, view 1 the
  unaugmented graph; ``[args]`` ``arguments.py``: ``hidden_dim 32``.
* ``[aug]`` ``unsupervised_TU/aug.py``: ratios 10 % (node dropping, edge removal, attribute
  masking), subgraph keeps 20 %; self-loops on every node (``gin_eps = 1``); datasets other than
  MUTAG / PTC_MR / DD / PROTEINS / NCI1 / NCI109 get constant features ``x = 1``.
* ``[eval]`` ``evaluate_embedding.py``: SVC in a 5-fold grid over ``C = 1e-3 .. 1e3``,
  stratified shuffled 10-fold, mean over 5 seeds (``SVM-10fold/GraphCL``).
* ``[readme]`` GraphMAE README table (REFERENCES.md §3.8 / §3.9).

The per-dataset augmentation GraphCL used is not documented (issue #57 in Shen-Lab/GraphCL);
``random2`` (node dropping or subgraph per batch) is the jgssl choice for every dataset.

Variants: ``mutag`` (default), ``proteins``, ``nci1``, ``imdb-binary``, ``imdb-multi``,
``collab``, ``reddit-binary``, ``test``.
"""

import ml_collections

from experiments.configs import _base

NAME = "graphcl"
# [readme] SVM-10fold, 5 seeds: (mean, std)
REFERENCE = {"mutag": (86.80, 1.34), "imdb-binary": (71.14, 0.44), "proteins": (74.39, 0.45),
             "nci1": (77.87, 0.41)}
# [aug] x = ones((num_nodes, 1)) for these (node_features="constant")
CONSTANT_FEATURES = ("imdb-binary", "imdb-multi", "collab", "reddit-binary")


def _default() -> ml_collections.ConfigDict:
  c = ml_collections.ConfigDict()
  c.method = NAME
  c.dataset = "mutag"
  c.seed = 0                        # [go.sh] seeds 0-4
  c.epochs = 20                     # [gsimclr] epochs
  c.checkpoint_every = 5            # jgssl choice
  c.max_to_keep = 3
  c.strategy = "data"               # padded batches, data parallel over devices
  c.features = "none"
  c.batch_size = 128                # [gsimclr] batch_size
  c.node_features = "auto"          # [aug] one-hot node labels (molecules)

  c.model = ml_collections.ConfigDict()
  c.model.hidden = 32               # [args] hidden_dim
  c.model.num_layers = 3            # [go.sh] --num-gc-layers 3
  c.model.aug = "random2"           # jgssl choice (undocumented upstream, see above)
  c.model.aug_ratio = 0.1           # [aug] int(n / 10)
  c.model.subgraph_keep = 0.2       # [aug] sub_num = int(n * 0.2)
  c.model.temperature = 0.2         # [gsimclr] T
  c.model.gin_eps = 1.0             # [aug] self-loops on every node

  c.optimizer = _base.optimizer(
      "adam",                       # [gsimclr] torch.optim.Adam(lr=lr)
      learning_rate=0.01,           # [go.sh] --lr 0.01
      weight_decay=0.0)

  c.eval = ml_collections.ConfigDict()
  c.eval.protocol = "SVM-10fold/GraphCL"  # [eval]

  c.reference = _base.reference("acc", source="no confirmed published value", placeholder=True)
  return c


# The per-dataset variants and the tiny ``test`` (2 epochs, batches of 32, 8 wide).
VARIANTS = _base.tu_variants(reference_values=REFERENCE, constant_features=CONSTANT_FEATURES,
                             source="GraphMAE README, SVM-10fold, 5 seeds (REFERENCES.md §3.9)")

get_config = _base.make_get_config(NAME, VARIANTS, "mutag", _default)

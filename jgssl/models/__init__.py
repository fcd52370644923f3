"""Flax Linen encoders, readouts, heads and decoders over :class:`jraph.GraphsTuple`.

* Encoders (:mod:`jgssl.models.gnn`): :class:`GCN`, :class:`GAT`, :class:`GIN`,
  :class:`GraphSAGE`, :class:`MLP` — one call signature ``encoder.apply(variables, graph,
  training=...)`` returning node rows ``[N, D]`` (zero on padding and dropped nodes), the same
  options (``features``, ``activation``, ``norm``, ``dropout``, ``residual``,
  ``last_activation``, ``last_norm``, ``order``, ``return_layers``); single layers
  :class:`GCNConv`, :class:`GATConv`, :class:`GINConv`, :class:`SAGEConv`.
* Readouts (:mod:`jgssl.models.readout`): :func:`sum_readout`, :func:`mean_readout`,
  :func:`max_readout`, :func:`concat_layer_readouts`.
* Heads (:mod:`jgssl.models.heads`): :class:`Projector`, :class:`Predictor`,
  :class:`FeatureDecoder`, :class:`InnerProductDecoder`, :class:`Bilinear`.
* Layers (:mod:`jgssl.models.layers`): :class:`Linear`, :class:`Activation`, :class:`PReLU`,
  :class:`RReLU`, :class:`MaskedBatchNorm`, :class:`Norm`.
"""

from jgssl.models.gnn import (ENCODERS, GAT, GATConv, GCN, GCNConv, GIN, GINConv, GraphSAGE, MLP,
                              SAGEConv, make_encoder)
from jgssl.models.heads import (BILINEAR_INITS, Bilinear, FeatureDecoder, InnerProductDecoder,
                                Predictor, Projector, dense_inner_product_logits,
                                inner_product_logits)
from jgssl.models.layers import (ACTIVATIONS, NORMS, Activation, Linear, MaskedBatchNorm, Norm,
                                 PReLU, RReLU, masked_rows, torch_linear_init)
from jgssl.models.readout import (READOUTS, concat_layer_readouts, get_readout, max_readout,
                                  mean_readout, sum_readout)
from jgssl.models.sparse import (SPARSE_KEY, assume_valid_index, drop_sparse_features,
                                 sparse_columns, sparse_matmul, with_sparse_features)

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BILINEAR_INITS",
    "Bilinear",
    "ENCODERS",
    "FeatureDecoder",
    "GAT",
    "GATConv",
    "GCN",
    "GCNConv",
    "GIN",
    "GINConv",
    "GraphSAGE",
    "InnerProductDecoder",
    "Linear",
    "MLP",
    "MaskedBatchNorm",
    "NORMS",
    "Norm",
    "PReLU",
    "Predictor",
    "Projector",
    "READOUTS",
    "RReLU",
    "SAGEConv",
    "SPARSE_KEY",
    "assume_valid_index",
    "concat_layer_readouts",
    "dense_inner_product_logits",
    "drop_sparse_features",
    "get_readout",
    "inner_product_logits",
    "make_encoder",
    "masked_rows",
    "max_readout",
    "mean_readout",
    "sparse_columns",
    "sparse_matmul",
    "sum_readout",
    "torch_linear_init",
    "with_sparse_features",
]

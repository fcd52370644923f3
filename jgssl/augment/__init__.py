"""Pure, jittable graph augmentations.

Every augmentation is a function ``fn(key, graph, *, hyperparameters...) -> graph`` on a padded
:class:`jraph.GraphsTuple` (convention of :mod:`jgssl.graph`) that keeps all shapes and dtypes:
it changes masks, weights, features or the contents of slack edge slots, never sizes, so it runs
inside a jitted training step and ``vmap``s over keys. Padding stays padding.

Naming: the function is a verb (``drop_edges``); its factory is the same name in CamelCase
(``DropEdges(rate=0.2)``) and returns an :data:`Augmentation` ``(key, graph) -> graph`` that
:func:`compose` and :func:`random_choice` combine.

* :func:`drop_edges` / :class:`DropEdges` — ``edges['mask']`` (GRACE, GCA, BGRL, G-BT);
* :func:`add_edges` / :class:`AddEdges` — slack edge slots (GraphCL edge perturbation);
* :func:`mask_feature_columns` / :class:`MaskFeatureColumns` — columns of ``x`` zeroed (GRACE);
* :func:`mask_feature_rows` / :class:`MaskFeatureRows` — rows of ``x`` zeroed;
* :func:`dropout_features` / :class:`DropoutFeatures` — entries of ``x`` zeroed (and rescaled);
* :func:`shuffle_features` / :class:`ShuffleFeatures` — rows of ``x`` permuted per graph (DGI);
* :func:`drop_nodes` / :class:`DropNodes` — node and edge masks (GraphCL node dropping);
* :func:`sample_subgraph` / :class:`SampleSubgraph` — node and edge masks (GraphCL subgraph);
* :func:`mask_nodes_gaussian` / :class:`MaskNodesGaussian` — rows of ``x`` to Gaussian noise
  (GraphCL attribute masking);
* :func:`adaptive_drop_edges` / :class:`AdaptiveDropEdges` — ``edges['mask']`` (GCA);
* :func:`adaptive_mask_features` / :class:`AdaptiveMaskFeatures` — columns of ``x`` (GCA);
* :func:`graphmae_mask` — rows of ``x`` to a learnable [MASK] token, returns the mask too
  (GraphMAE; no factory, since the token is a model parameter).

Combinators: :func:`compose` (a chain), :func:`random_choice` (one drawn per call),
:func:`per_graph_choice` (one drawn per graph of a batch); :func:`two_views` builds the pair of
views of a two-view method (GRACE, GCA, BGRL, G-BT, CCA-SSG) from ``(factory, rates)`` steps;
:func:`graphcl_augmentation` is GraphCL's ``--aug`` table (:data:`GRAPHCL_AUGMENTATIONS`).

GCA's centralities and probabilities (:func:`gca_weights`, :func:`degree_centrality`,
:func:`pagerank_centrality`, :func:`eigenvector_centrality`, ...), CSGCL's communities and
community-strength weights (:func:`leiden_communities` on the host through a callback,
:func:`community_strength`, :func:`community_edge_weights` for CED,
:func:`community_feature_weights` for CAV) and MVGRL's diffusion views (:func:`ppr_diffusion`,
:func:`heat_diffusion`, host side) are computed once, outside the step.
"""

from jgssl.augment.adaptive import (
    AdaptiveDropEdges,
    AdaptiveMaskFeatures,
    adaptive_drop_edges,
    adaptive_mask_features,
    degree_centrality,
    edge_centrality_weights,
    eigenvector_centrality,
    feature_centrality_weights,
    gca_edge_drop_probs,
    gca_feature_drop_probs,
    gca_weights,
    pagerank_centrality,
)
from jgssl.augment.base import (Augmentation, compose, identity, per_graph_choice, random_choice,
                                two_views)
from jgssl.augment.community import (
    community_edge_drop_probs,
    community_edge_weights,
    community_feature_weights,
    community_strength,
    leiden_communities,
    leiden_membership,
)
from jgssl.augment.diffusion import (
    MVGRL_EPSILONS,
    clear_diffusion_cache,
    heat_diffusion,
    heat_matrix,
    ppr_diffusion,
    ppr_matrix,
    select_epsilon,
    sparsify,
)
from jgssl.augment.edges import AddEdges, DropEdges, add_edges, drop_edges
from jgssl.augment.features import (
    DropoutFeatures,
    MaskFeatureColumns,
    MaskFeatureRows,
    ShuffleFeatures,
    dropout_features,
    mask_feature_columns,
    mask_feature_rows,
    shuffle_features,
)
from jgssl.augment.graphcl import GRAPHCL_AUGMENTATIONS, graphcl_augmentation
from jgssl.augment.masking import graphmae_mask
from jgssl.augment.nodes import (DropNodes, MaskNodesGaussian, SampleSubgraph, drop_nodes,
                                 mask_nodes_gaussian, sample_subgraph)

__all__ = [
    "AdaptiveDropEdges",
    "AdaptiveMaskFeatures",
    "AddEdges",
    "Augmentation",
    "DropEdges",
    "DropNodes",
    "DropoutFeatures",
    "GRAPHCL_AUGMENTATIONS",
    "MVGRL_EPSILONS",
    "MaskFeatureColumns",
    "MaskFeatureRows",
    "MaskNodesGaussian",
    "SampleSubgraph",
    "ShuffleFeatures",
    "adaptive_drop_edges",
    "adaptive_mask_features",
    "add_edges",
    "clear_diffusion_cache",
    "community_edge_drop_probs",
    "community_edge_weights",
    "community_feature_weights",
    "community_strength",
    "compose",
    "degree_centrality",
    "drop_edges",
    "drop_nodes",
    "dropout_features",
    "edge_centrality_weights",
    "eigenvector_centrality",
    "feature_centrality_weights",
    "gca_edge_drop_probs",
    "gca_feature_drop_probs",
    "gca_weights",
    "graphcl_augmentation",
    "graphmae_mask",
    "heat_diffusion",
    "heat_matrix",
    "identity",
    "leiden_communities",
    "leiden_membership",
    "mask_feature_columns",
    "mask_feature_rows",
    "mask_nodes_gaussian",
    "pagerank_centrality",
    "per_graph_choice",
    "ppr_diffusion",
    "ppr_matrix",
    "random_choice",
    "sample_subgraph",
    "select_epsilon",
    "shuffle_features",
    "sparsify",
    "two_views",
]

"""Evaluation protocols on frozen embeddings, each named after the paper that defines it.

Papers in graph self-supervised learning differ more in protocol than in model (classifier,
split, restarts, which epoch is reported; the table below names each protocol and its users), so
every protocol is its own function whose docstring names the paper and the
official code it follows, and every result is an :class:`EvalResult` carrying the protocol tag,
the seeds, the settings and the jgssl version.

**Units.** All scores are fractions in ``[0, 1]`` (accuracy, F1, NMI, ROC-AUC, AP, Recall@K,
NDCG@K; ARI in ``[-1, 1]``). ``EvalResult.summary()`` prints percent.

=========================  ======================================================================
Tag                        Functions
=========================  ======================================================================
``LP-public``              :func:`lp_public_dgi`, :func:`lp_public_mvgrl`, :func:`lp_public_graphmae`,
                           :func:`lp_public_ccassg` (engine: :func:`linear_probe`,
                           :func:`fit_linear_probe`)
``LP-rand``                :func:`lp_random_splits` over :func:`random_splits`
``LR-rand-torch``          :func:`lr_rand_torch` (GCA, CSGCL, POT)
``LR-public-torch``        :func:`lr_public_torch` (POT on Planetoid; its swapped split too)
``LR-rand-sklearn``        :func:`lr_rand_sklearn_grace`, :func:`lr_rand_sklearn_bgrl`
``LR-public-sklearn``      :func:`lr_public_sklearn_grace` (GRACE on the public split, DGL),
                           :func:`lr_public_sklearn_bgrl` (BGRL's preset-split probe)
``SVM-10fold``             :func:`svm_10fold_graphmae`, :func:`svm_10fold_graphcl`,
                           :func:`svm_10fold_mvgrl` (engine: :func:`svm_kfold`)
``KMeans``                 :func:`kmeans_clustering`, :func:`clustering_scores`,
                           :func:`cluster_accuracy`
``Clustering-max``         :func:`clustering_max` (selection with labels: flagged)
``LinkPred-GAE``           :func:`split_edges`, :func:`linkpred_gae`, :func:`link_scores`,
                           :func:`roc_auc_ap`
``TopK-rec``               :func:`topk_recommendation` (LightGCL, DCCF)
=========================  ======================================================================

Nothing here imports Flax, configs or the file system; randomness comes from an explicit
``jax.random`` key (linear probes) or integer seeds (NumPy / scikit-learn), never a global RNG.
"""

from jgssl.evaluate._common import EvalResult
from jgssl.evaluate._common import mean_std
from jgssl.evaluate.clustering import CLUSTER_METRICS
from jgssl.evaluate.clustering import cluster_accuracy
from jgssl.evaluate.clustering import clustering_max
from jgssl.evaluate.clustering import clustering_scores
from jgssl.evaluate.clustering import kmeans_clustering
from jgssl.evaluate.linear_probe import LP_PUBLIC_SETTINGS
from jgssl.evaluate.linear_probe import ProbeRun
from jgssl.evaluate.linear_probe import fit_linear_probe
from jgssl.evaluate.linear_probe import linear_probe
from jgssl.evaluate.linear_probe import lp_public_ccassg
from jgssl.evaluate.linear_probe import lp_public_dgi
from jgssl.evaluate.linear_probe import lp_public_graphmae
from jgssl.evaluate.linear_probe import lp_public_mvgrl
from jgssl.evaluate.linear_probe import lp_random_splits
from jgssl.evaluate.linear_probe import lr_public_torch
from jgssl.evaluate.linear_probe import lr_rand_torch
from jgssl.evaluate.linear_probe import random_splits
from jgssl.evaluate.link_prediction import EdgeSplit
from jgssl.evaluate.link_prediction import link_scores
from jgssl.evaluate.link_prediction import linkpred_gae
from jgssl.evaluate.link_prediction import roc_auc_ap
from jgssl.evaluate.link_prediction import split_edges
from jgssl.evaluate.recommendation import topk_recommendation
from jgssl.evaluate.sklearn_lr import BGRL_C_GRID
from jgssl.evaluate.sklearn_lr import GRACE_C_GRID
from jgssl.evaluate.sklearn_lr import lr_public_sklearn_bgrl
from jgssl.evaluate.sklearn_lr import lr_public_sklearn_grace
from jgssl.evaluate.sklearn_lr import lr_rand_sklearn_bgrl
from jgssl.evaluate.sklearn_lr import lr_rand_sklearn_grace
from jgssl.evaluate.svm import GRAPHCL_C_GRID
from jgssl.evaluate.svm import GRAPHMAE_C_GRID
from jgssl.evaluate.svm import svm_10fold_graphcl
from jgssl.evaluate.svm import svm_10fold_graphmae
from jgssl.evaluate.svm import svm_10fold_mvgrl
from jgssl.evaluate.svm import svm_kfold

__all__ = [
    "BGRL_C_GRID",
    "CLUSTER_METRICS",
    "EdgeSplit",
    "EvalResult",
    "GRACE_C_GRID",
    "GRAPHCL_C_GRID",
    "GRAPHMAE_C_GRID",
    "LP_PUBLIC_SETTINGS",
    "ProbeRun",
    "cluster_accuracy",
    "clustering_max",
    "clustering_scores",
    "fit_linear_probe",
    "kmeans_clustering",
    "linear_probe",
    "link_scores",
    "linkpred_gae",
    "lp_public_ccassg",
    "lp_public_dgi",
    "lp_public_graphmae",
    "lp_public_mvgrl",
    "lp_random_splits",
    "lr_public_sklearn_bgrl",
    "lr_public_sklearn_grace",
    "lr_rand_sklearn_bgrl",
    "lr_rand_sklearn_grace",
    "lr_public_torch",
    "lr_rand_torch",
    "mean_std",
    "random_splits",
    "roc_auc_ap",
    "split_edges",
    "svm_10fold_graphcl",
    "svm_10fold_graphmae",
    "svm_10fold_mvgrl",
    "svm_kfold",
    "topk_recommendation",
]

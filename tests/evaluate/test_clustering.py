"""Tests of the clustering metrics, k-means protocol and Clustering-max bookkeeping."""

import itertools

import numpy as np
import pytest
from sklearn import metrics as sk_metrics

from jgssl import evaluate as ev


def test_permuted_labelling_scores_perfectly(rng):
  y = rng.integers(0, 4, 200)
  perm = np.array([2, 0, 3, 1])
  pred = perm[y] + 10  # renamed clusters with arbitrary ids
  scores = ev.clustering_scores(y, pred)
  for name in ("acc", "nmi", "ari", "f1"):
    assert scores[name] == pytest.approx(1.0)
  _, _, mapping = ev.cluster_accuracy(y, pred)
  assert mapping == {int(perm[c] + 10): c for c in range(4)}


def test_hungarian_accuracy_equals_brute_force_over_permutations(rng):
  for _ in range(5):
    y = rng.integers(0, 4, 60)
    pred = rng.integers(0, 4, 60)
    best = max(np.mean(np.array(p)[pred] == y) for p in itertools.permutations(range(4)))
    acc, _, _ = ev.cluster_accuracy(y, pred)
    assert acc == pytest.approx(best)


def test_nmi_ari_f1_against_sklearn(rng):
  y = rng.integers(0, 3, 150)
  pred = np.where(rng.random(150) < 0.7, y, rng.integers(0, 3, 150))
  s = ev.clustering_scores(y, pred)
  assert s["nmi"] == pytest.approx(sk_metrics.normalized_mutual_info_score(y, pred))
  assert s["ari"] == pytest.approx(sk_metrics.adjusted_rand_score(y, pred))
  # pred is already aligned with y (70 % kept), so the matching is the identity.
  assert s["acc"] == pytest.approx(np.mean(pred == y))
  assert s["f1"] == pytest.approx(sk_metrics.f1_score(y, pred, average="macro"))


def test_extra_clusters_count_as_errors():
  y = np.array([0, 0, 0, 1, 1, 1])
  pred = np.array([5, 5, 7, 6, 6, 6])  # cluster 7 has no class left to match
  acc, f1, mapping = ev.cluster_accuracy(y, pred)
  assert acc == pytest.approx(5 / 6)
  assert mapping == {5: 0, 6: 1}
  # class 0: precision 1, recall 2/3 -> F1 0.8; class 1: precision 1, recall 1 -> F1 1.
  assert f1 == pytest.approx((0.8 + 1.0) / 2)


def test_kmeans_on_separated_blobs(rng):
  y = rng.integers(0, 3, 150)
  x = rng.normal(size=(3, 4))[y] * 8 + rng.normal(size=(150, 4))
  res = ev.kmeans_clustering(x, y, seeds=(0, 1), n_init=3)
  assert res.protocol == "KMeans"
  assert res["acc"] == pytest.approx(1.0) and res["nmi"] == pytest.approx(1.0)
  assert res.settings["num_clusters"] == 3
  assert len(res.runs["ari"]) == 2


def test_clustering_max_per_run_best_epoch_per_metric():
  history = [
      [{"acc": 0.5, "nmi": 0.6}, {"acc": 0.7, "nmi": 0.4}, {"acc": 0.6, "nmi": 0.5}],
      [{"acc": 0.8, "nmi": 0.3}, {"acc": 0.4, "nmi": 0.9}],
  ]
  res = ev.clustering_max(history)
  assert res.runs["acc"] == (0.7, 0.8) and res.runs["nmi"] == (0.6, 0.9)
  assert res["acc"] == pytest.approx(0.75) and res["acc_std"] == pytest.approx(0.05)
  assert res["nmi_max"] == pytest.approx(0.9) and res["nmi_min"] == pytest.approx(0.6)
  assert "selection with labels" in res.note
  same = ev.clustering_max({"acc": [[0.5, 0.7, 0.6], [0.8, 0.4, 0.1]]})
  assert same.runs["acc"] == (0.7, 0.8)


def test_rejects_bad_inputs(rng):
  with pytest.raises(ValueError, match="differ in length"):
    ev.cluster_accuracy(np.zeros(3, int), np.zeros(4, int))
  with pytest.raises(ValueError, match="integer"):
    ev.clustering_scores(np.zeros(3, int), np.zeros(3))
  with pytest.raises(ValueError, match="empty"):
    ev.cluster_accuracy(np.zeros(0, int), np.zeros(0, int))
  x = rng.normal(size=(20, 3))
  x[2, 1] = np.nan
  with pytest.raises(ValueError, match="NaN"):
    ev.kmeans_clustering(x, rng.integers(0, 2, 20))
  with pytest.raises(ValueError, match="metrics"):
    ev.clustering_max([[{"acc": 0.1}], [{"nmi": 0.2}]])
  with pytest.raises(ValueError, match="runs, epochs"):
    ev.clustering_max({"acc": [0.1, 0.2]})

"""Mini-batches of many small graphs padded to one fixed budget (graph-level datasets)."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator, Optional, Sequence

import jax
import jraph
import numpy as np

from jgssl import graph as graph_lib
from jgssl.train.parallel import stack_graphs

__all__ = ["GraphLoader", "batch_budget", "fitted_budget"]


def batch_budget(n_node: Sequence[int], n_edge: Sequence[int], *, batch_size: int,
                 multiple: int = 1, edge_slack: int = 0) -> graph_lib.PaddingBudget:
  """The smallest budget any ``batch_size`` graphs of a dataset fit in.

  Sums the ``batch_size`` largest node counts and, separately, the largest edge counts, plus one
  padding node and one padding graph, so every batch of the dataset pads to the same shapes and
  the step compiles once.

  Args:
    n_node, n_edge: per-graph node and edge counts.
    batch_size: graphs per batch.
    multiple: round node and edge budgets up to a multiple of this.
    edge_slack: extra edge slots reserved beyond the largest batch (for
      :func:`jgssl.augment.add_edges`, which only writes into free slots).
  """
  if batch_size < 1:
    raise ValueError(f"batch_size must be >= 1, got {batch_size}")
  n_node = np.sort(np.asarray(n_node))[::-1]
  n_edge = np.sort(np.asarray(n_edge))[::-1]
  nodes = int(n_node[:batch_size].sum()) + 1
  edges = max(int(n_edge[:batch_size].sum()) + int(edge_slack), 1)
  return graph_lib.PaddingBudget.rounded(n_node=nodes, n_edge=edges, n_graph=batch_size + 1,
                                         multiple=multiple)


def fitted_budget(loader: "GraphLoader", epochs: Iterable[int], *, multiple: int = 8,
                  edge_slack: int = 0) -> graph_lib.PaddingBudget:
  """The smallest budget every batch ``loader`` yields in ``epochs`` fits (host side, cheap).

  Replays the loader's batch order (no padding, no batching: counts only) and takes the largest
  batch's node count plus one padding node, and its largest edge count, each rounded up to a
  multiple of ``multiple``; ``n_graph`` is ``batch_size + 1`` as in :func:`batch_budget`. Never
  larger than :func:`batch_budget`'s worst case (up to the rounding).

  Args:
    loader: the loader whose batches are measured (its ``budget`` is not read).
    epochs: the epoch numbers to cover.
    multiple: round node and edge budgets up to a multiple of this.
    edge_slack: extra edge slots reserved beyond the largest batch (for
      :func:`jgssl.augment.add_edges`: a fitted budget leaves the largest batch almost no free
      edge slots, where the worst case left many by accident).
  """
  n_node = np.asarray(loader.graphs.n_node)
  n_edge = np.asarray(loader.graphs.n_edge)
  nodes, edges = 1, 1
  for e in epochs:
    for chunks in loader.batch_indices(e):
      for chunk in chunks:
        nodes = max(nodes, int(n_node[chunk].sum()))
        edges = max(edges, int(n_edge[chunk].sum()))
  return graph_lib.PaddingBudget.rounded(n_node=nodes + 1, n_edge=edges + int(edge_slack),
                                         n_graph=loader.batch_size + 1, multiple=multiple)


@dataclasses.dataclass
class GraphLoader:
  """Shuffled, padded mini-batches over a batched :class:`jraph.GraphsTuple` of many graphs.

  Epoch ``e`` shuffles with ``numpy.random.default_rng([seed, e])``, so the batch order of an
  epoch does not depend on what ran before (a resumed run sees the same batches). Every batch is
  padded to :attr:`budget`; with ``replicas > 1`` each step yields that many batches stacked on a
  leading axis (for :func:`jgssl.train.make_train_step` with ``strategy='data'``).

  **Budget.** One budget means one compiled step. By default it is the worst case, the
  ``batch_size`` largest graphs together (:func:`batch_budget`), which any batch fits; on TU
  datasets a typical shuffled batch fills only a fifth to a third of it (PROTEINS, batch 32:
  7,233 node slots for 1,248 real nodes on average), and the padding is computed like real
  nodes. Since the order of every epoch is known in advance, ``epochs=E`` instead fits the budget
  to the largest batch of epochs ``1 .. E`` (:func:`fitted_budget`): still one shape, with
  1.2–1.9 × the real nodes on the official TU configs (``benchmarks/graph_padding.py``). The
  models are padding-invariant, so this changes speed, not the loss (random draws per node slot
  do change, as with any other budget).

  Attributes:
    graphs: all graphs batched into one unpadded GraphsTuple (``GraphDataset.graphs``).
    batch_size: graphs per padded batch.
    seed: shuffling seed.
    replicas: batches per step (0 means yield single batches without a leading axis); needs
      ``drop_last``.
    shuffle: shuffle every epoch.
    drop_last: drop the graphs that do not fill a whole step.
    budget: the padding budget; when ``None``, fitted to ``epochs`` or else the worst case.
    epochs: the epochs ``1 .. epochs`` this loader serves; with ``budget=None`` the budget is
      fitted to their batches and, when shuffling, other epochs are refused (their batches may
      not fit). Without shuffling every epoch has the same batches and any epoch is served.
    edge_slack: edge slots reserved in every batch beyond its edges, when the budget is computed
      here (augmentations that add edges, :func:`jgssl.augment.add_edges`, need them).
  """
  graphs: jraph.GraphsTuple
  batch_size: int
  seed: int = 0
  replicas: int = 0
  shuffle: bool = True
  drop_last: bool = True
  budget: Optional[graph_lib.PaddingBudget] = None
  epochs: Optional[int] = None
  edge_slack: int = 0

  def __post_init__(self):
    if self.batch_size < 1:
      raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
    if self.replicas < 0:
      raise ValueError(f"replicas must be >= 0, got {self.replicas}")
    if self.epochs is not None and self.epochs < 1:
      raise ValueError(f"epochs must be >= 1 or None, got {self.epochs}")
    if self.edge_slack < 0:
      raise ValueError(f"edge_slack must be >= 0, got {self.edge_slack}")
    # jraph.unbatch_np shifts senders / receivers of its input in place (np.split views):
    # give it a copy so the caller's dataset stays intact.
    self._graphs = jraph.unbatch_np(jax.tree_util.tree_map(np.array, self.graphs))
    self._fitted = self.budget is None and self.epochs is not None
    if self.replicas and not self.drop_last:
      raise ValueError("replicas > 0 needs drop_last=True: every replica must get a full batch "
                       "so the replica mean weights all graphs alike")
    per_step = self.batch_size * max(self.replicas, 1)
    if self.drop_last and len(self._graphs) < per_step:
      raise ValueError(f"{len(self._graphs)} graphs cannot fill one step of {per_step} "
                       f"(batch_size x replicas); lower batch_size or set drop_last=False")
    if self.budget is None:
      if self._fitted:
        self.budget = fitted_budget(self, range(1, self.epochs + 1),
                                    edge_slack=self.edge_slack)
      else:
        self.budget = batch_budget(self.graphs.n_node, self.graphs.n_edge,
                                   batch_size=self.batch_size, edge_slack=self.edge_slack)

  @property
  def num_graphs(self) -> int:
    return len(self._graphs)

  def steps_per_epoch(self) -> int:
    per_step = self.batch_size * max(self.replicas, 1)
    full, rest = divmod(self.num_graphs, per_step)
    return full + (0 if self.drop_last or not rest else 1)

  def order(self, epoch: int) -> np.ndarray:
    """The graph order of ``epoch`` (a permutation of ``range(num_graphs)``)."""
    if not self.shuffle:
      return np.arange(self.num_graphs)
    return np.random.default_rng([self.seed, epoch]).permutation(self.num_graphs)

  def batch_indices(self, epoch: int) -> Iterator[list]:
    """The graph indices of each step of ``epoch``: per step, one index array per batch."""
    order = self.order(epoch)
    per_step = self.batch_size * max(self.replicas, 1)
    for s in range(self.steps_per_epoch()):
      idx = order[s * per_step:(s + 1) * per_step]
      yield [c for c in (idx[i:i + self.batch_size] for i in range(0, per_step, self.batch_size))
             if len(c)]

  def epoch(self, epoch: int) -> Iterator[jraph.GraphsTuple]:
    """Yields the padded batches (or stacks of ``replicas`` batches) of ``epoch``.

    Raises:
      ValueError: for an epoch outside ``1 .. epochs`` when the budget was fitted to those
        epochs and batches are shuffled.
    """
    if self._fitted and self.shuffle and not 1 <= epoch <= self.epochs:
      raise ValueError(f"epoch {epoch} is outside the epochs 1..{self.epochs} this loader's "
                       f"budget was fitted to; build the loader with epochs >= {epoch}")
    for chunks in self.batch_indices(epoch):
      batches = [graph_lib.pad_graph(graph_lib.batch([self._graphs[i] for i in chunk]),
                                     self.budget) for chunk in chunks]
      yield stack_graphs(batches) if self.replicas else batches[0]

  __call__ = epoch


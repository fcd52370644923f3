"""GraphCL's augmentations by name: the ``--aug`` table of the unsupervised TU setting.

You et al., "Graph Contrastive Learning with Augmentations", NeurIPS 2020; official code
Shen-Lab/GraphCL ``unsupervised_TU/aug.py`` (the dataset's ``get`` augments every graph on its
own) and ``unsupervised_TU/gsimclr.py`` (``--aug``). Each entry is an :data:`Augmentation` at the
official ratios, written as jittable masks (shapes kept):

* ``'dnodes'`` — drop ``floor(ratio * n)`` nodes of each graph (:func:`drop_nodes`);
* ``'pedges'`` — drop a fraction ``ratio`` of the directed edge entries (:func:`drop_edges`; the
  official ``permute_edges`` only removes edges, its adding line is commented out);
* ``'subgraph'`` — keep ``subgraph_keep`` of each graph grown from a random node
  (:func:`sample_subgraph`);
* ``'mask_nodes'`` — ``floor(ratio * n)`` rows of each graph overwritten with ``N(0.5, 0.5)``
  noise (:func:`mask_nodes_gaussian`);
* ``'random2'`` / ``'random3'`` / ``'random4'`` — one of {dnodes, subgraph}, + pedges,
  + mask_nodes, drawn per graph (:func:`per_graph_choice`);
* ``'none'`` — :func:`identity`.

Nodes isolated by an augmentation stay present (the official code removes them, which changes
shapes).
"""

from __future__ import annotations

from jgssl.augment.base import Augmentation, identity, per_graph_choice
from jgssl.augment.edges import DropEdges
from jgssl.augment.nodes import DropNodes, MaskNodesGaussian, SampleSubgraph

__all__ = ["GRAPHCL_AUGMENTATIONS", "graphcl_augmentation"]

#: The names :func:`graphcl_augmentation` accepts (GraphCL's ``--aug`` values).
GRAPHCL_AUGMENTATIONS = ("dnodes", "pedges", "subgraph", "mask_nodes", "random2", "random3",
                         "random4", "none")


def graphcl_augmentation(name: str, *, ratio: float = 0.1,
                         subgraph_keep: float = 0.2) -> Augmentation:
  """The augmentation GraphCL's ``--aug name`` selects (module docstring).

  Args:
    name: one of :data:`GRAPHCL_AUGMENTATIONS`.
    ratio: node / edge / attribute ratio of ``dnodes``, ``pedges`` and ``mask_nodes`` (0.1 in
      ``aug.py``: ``int(n / 10)``).
    subgraph_keep: fraction of each graph ``subgraph`` keeps (0.2 in ``aug.py``).

  Returns:
    An :data:`Augmentation` ``(key, graph) -> graph``.

  Raises:
    ValueError: on an unknown name or a ratio outside ``[0, 1]``.
  """
  if name not in GRAPHCL_AUGMENTATIONS:
    raise ValueError(f"aug must be one of {GRAPHCL_AUGMENTATIONS}, got {name!r}")
  dnodes = DropNodes(rate=ratio)
  pedges = DropEdges(rate=ratio)
  subgraph = SampleSubgraph(rate=1.0 - subgraph_keep)
  masknodes = MaskNodesGaussian(rate=ratio)
  table = {"dnodes": dnodes, "pedges": pedges, "subgraph": subgraph, "mask_nodes": masknodes,
           "none": identity}
  if name in table:
    return table[name]
  return per_graph_choice([dnodes, subgraph, pedges, masknodes][:int(name[-1])])

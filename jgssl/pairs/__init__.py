"""Which rows are positives and negatives: same-scale, cross-scale, supervised, intra-view.

See :mod:`jgssl.pairs.pairs` for the representation; losses in :mod:`jgssl.losses` consume a
:class:`Pairs` tile by tile, so structured pairings never materialise ``[N, M]`` masks.
"""

from jgssl.pairs.pairs import KINDS
from jgssl.pairs.pairs import Pairs
from jgssl.pairs.pairs import by_label
from jgssl.pairs.pairs import cross_scale
from jgssl.pairs.pairs import from_masks
from jgssl.pairs.pairs import same_scale
from jgssl.pairs.pairs import sample_negative_edges

__all__ = [
    "KINDS",
    "Pairs",
    "by_label",
    "cross_scale",
    "from_masks",
    "same_scale",
    "sample_negative_edges",
]

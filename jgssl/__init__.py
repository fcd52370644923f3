"""jgssl: graph self-supervised learning in JAX.

Sub-packages, one per concern:

* :mod:`jgssl.graph` — helpers over :class:`jraph.GraphsTuple` (construction, padding, masks).
* :mod:`jgssl.data` — raw-format readers, registry (:func:`jgssl.data.load`), synthetic graphs.
* :mod:`jgssl.augment` — pure, jittable graph augmentations.
* :mod:`jgssl.models` — Flax Linen encoders, readouts, heads and decoders.
* :mod:`jgssl.pairs` — which rows are positives and negatives.
* :mod:`jgssl.losses` — self-supervised objectives as pure functions of arrays.
* :mod:`jgssl.methods` — the method contract, skeletons (two-view contrast, bootstrap,
  local–global, masked autoencoder) and the papers' recipes on them.
* :mod:`jgssl.train` — train state, jitted / sharded steps, Orbax checkpoints.
* :mod:`jgssl.evaluate` — evaluation protocols, each named after the paper that defines it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

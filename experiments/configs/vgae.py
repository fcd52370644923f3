"""VGAE configs: the GAE configs of ``gae.py`` with ``model gcn_vae`` (tkipf/gae ``train.py``).

Everything is as in :mod:`gae` (same sources); only the model is variational (``[train]`` model
``gcn_vae``: ``mu`` and ``log sigma`` heads, ``z = mu + eps * sigma``, the KL term of
``gae/optimizer.py``; the embedding is ``mu``) and the reference values are VGAE's
(``[paper]`` Kipf & Welling 2016 Table 1: Cora 91.4 / 92.6, CiteSeer 90.8 / 92.0 AUC / AP,
unconfirmed in REFERENCES.md §3.11).

Variants: ``cora`` (default), ``citeseer``, ``test``.
"""

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_jgssl_gae_config", pathlib.Path(__file__).resolve().parent / "gae.py")
_gae = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_gae)
_gae.VARIATIONAL = True             # [train] model gcn_vae
_gae.NAME = "vgae"
_gae.PAPER = {"cora": (91.4, 92.6), "citeseer": (90.8, 92.0)}  # [paper] Table 1

VARIANTS = _gae.VARIANTS
get_config = _gae.get_config
build = _gae.build

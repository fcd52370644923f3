"""Datasets for jgssl: raw-format readers, validation, registry, download / cache.

One way in::

  import jgssl.data
  ds = jgssl.data.load("cora")            # NodeDataset, public split
  ds = jgssl.data.load("mutag")           # GraphDataset
  jgssl.data.list_datasets()

Files live under ``<root>/<folder>/raw/<file>`` with ``root`` the argument, ``$JGSSL_DATA_DIR`` or
``~/.cache/jgssl``; missing files are downloaded (or taken from ``$JGSSL_DATA_MIRROR``) and
checked against their sha256, and files already present are checked too, once per file version
(remembered in ``$JGSSL_CACHE_DIR/verified.json`` or ``~/.cache/jgssl/verified.json``;
``verify=False`` checks sizes only). Every problem with a file is a :class:`DatasetError` naming
the file. Feature preprocessing: :func:`row_normalize`, :func:`normalize_node_features`.
``python -m jgssl.data stats`` prints the statistics of every dataset.
"""

from jgssl.data.download import (
    Archive,
    DownloadError,
    RemoteFile,
    default_root,
    ensure_files,
    sha256_file,
)
from jgssl.data.gnn_benchmark import read_gnn_benchmark
from jgssl.data.heco import read_heco
from jgssl.data.interactions import read_sslrec
from jgssl.data.planetoid import read_planetoid
from jgssl.data.registry import DatasetSpec, get_spec, list_datasets, load
from jgssl.data.text import read_citeseer_tag
from jgssl.data.transforms import FEATURE_NORMS, normalize_node_features, row_normalize
from jgssl.data.tu import read_gin, read_tu
from jgssl.data.types import (
    DatasetInfo,
    GraphDataset,
    HeteroDataset,
    InteractionDataset,
    NodeDataset,
    random_split,
)
from jgssl.data.validate import DatasetError, validate_dataset
from jgssl.data.synthetic import contextual_sbm, sbm

__all__ = [
    "Archive",
    "DatasetError",
    "DatasetInfo",
    "DatasetSpec",
    "FEATURE_NORMS",
    "DownloadError",
    "GraphDataset",
    "HeteroDataset",
    "InteractionDataset",
    "NodeDataset",
    "RemoteFile",
    "contextual_sbm",
    "default_root",
    "ensure_files",
    "get_spec",
    "list_datasets",
    "load",
    "normalize_node_features",
    "random_split",
    "read_citeseer_tag",
    "read_gin",
    "read_gnn_benchmark",
    "read_heco",
    "read_planetoid",
    "read_sslrec",
    "read_tu",
    "row_normalize",
    "sbm",
    "sha256_file",
    "validate_dataset",
]

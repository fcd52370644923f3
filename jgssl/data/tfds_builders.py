"""TensorFlow-Datasets builders for jgssl datasets, written as ``array_record``, read without TF.

Every dataset :func:`jgssl.data.load` returns can be exported to a TFDS dataset named
``'jgssl_<name>'`` (non-alphanumerics become ``_``: ``'imdb-binary'`` -> ``'jgssl_imdb_binary'``).
The builders are *offline*: they read the local raw files through the same readers as
:func:`jgssl.data.load` (root from the ``root=`` argument, else ``download_config.manual_dir``,
else jgssl's default root) and never download. Records are written in the ``array_record`` format
and read back with :func:`tfds.data_source` (random access, no TensorFlow: the TFRecord default
would need TensorFlow and is refused here). Example order is the dataset order
(``disable_shuffling``).

Record layouts (one TFDS feature dict per kind; dataset-level facts live in
``builder.info.metadata``: ``kind``, ``num_classes``, ``num_features``, provenance, ...):

* **node** datasets (:class:`~jgssl.data.types.NodeDataset`): one split ``'full'`` holding one
  example, the whole graph. Node features are stored as COO triplets ``x_rows``, ``x_cols``,
  ``x_values`` (the bag-of-words matrices of Planetoid / Amazon / Coauthor are 1-2 % dense, and
  Coauthor Physics would be 1.2 GB dense), ``senders`` / ``receivers`` int32 ``[E]`` (both
  directions stored, as in the in-memory graph), ``edge_weight`` float32 ``[E]``, ``labels``
  int64 ``[N]``, split masks ``train_mask`` / ``val_mask`` / ``test_mask`` bool ``[N]`` with
  ``has_splits``, and ``texts`` (UTF-8, empty unless text-attributed).
* **graph** datasets (:class:`~jgssl.data.types.GraphDataset`): one split ``'full'``, one example
  per graph: ``index``, ``x`` float32 ``[n, F]`` (zlib-compressed), ``senders`` / ``receivers``
  int32 ``[e]`` (local node ids), ``edge_weight`` float32 ``[e]``, ``label`` int64. Predefined
  folds go to ``info.metadata['folds']``.
* **interaction** datasets (:class:`~jgssl.data.types.InteractionDataset`): splits ``'train'``,
  ``'valid'``, ``'test'`` (an empty one is left out: TFDS cannot write it), one example per user
  with at least one interaction in that split: ``user`` int64 and ``items`` int64 ``[k]``.

Heterogeneous datasets (:class:`~jgssl.data.types.HeteroDataset`, HeCo ACM / DBLP) are not
exported: their node types, per-type feature matrices and meta-path graphs differ per dataset, so
no single record layout fits; :func:`build` raises :class:`NotImplementedError` for them. Node and
edge leaves other than ``x`` / ``weight`` / masks (e.g. edge types) are not exported either.

:func:`from_tfds` turns the records back into the jgssl dataset type.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, Dict, Optional, Type, Union

from etils import epath
import jraph
import numpy as np
import tensorflow_datasets as tfds
from tensorflow_datasets.core import utils as tfds_utils

from jgssl.data import types

__all__ = [
    "KINDS",
    "build",
    "builder_name",
    "from_tfds",
    "load_tfds",
    "make_builder",
]

KINDS = ("node", "graph", "interaction")
_VERSION = "1.0.0"
_BUILDERS: Dict[tuple, type] = {}
_LOCK = threading.Lock()

Dataset = Union[types.NodeDataset, types.GraphDataset, types.InteractionDataset]


def _spec(name: str):
  """The registry entry of ``name`` (aliases and case resolved), or ``None`` if unregistered."""
  from jgssl.data import registry          # local: jgssl.data's __init__ imports the readers
  try:
    return registry.get_spec(name)
  except ValueError:
    return None


def _canonical(name: str) -> str:
  if not isinstance(name, str) or not re.search(r"[A-Za-z0-9]", name):
    raise ValueError(f"dataset name must be a non-empty string, got {name!r}")
  spec = _spec(name)
  return spec.name if spec is not None else name


def builder_name(name: str) -> str:
  """The TFDS name of jgssl dataset ``name``: ``'jgssl_'`` + lower-case snake case.

  Registry aliases map to their canonical name (``'MUTAG'`` -> ``'jgssl_mutag'``,
  ``'photo'`` -> ``'jgssl_amazon_photo'``); other names (synthetic exports) are used as given.
  """
  return "jgssl_" + re.sub(r"[^a-z0-9]+", "_", _canonical(name).lower()).strip("_")


def _kind_of(dataset: Any) -> str:
  if isinstance(dataset, types.NodeDataset):
    return "node"
  if isinstance(dataset, types.GraphDataset):
    return "graph"
  if isinstance(dataset, types.InteractionDataset):
    return "interaction"
  if isinstance(dataset, types.HeteroDataset):
    raise NotImplementedError(
        f"TFDS export supports {', '.join(KINDS)} datasets (NodeDataset, GraphDataset, "
        f"InteractionDataset); {dataset.name!r} is a HeteroDataset, whose typed features and "
        "meta-path graphs have no single record layout. Use jgssl.data.load for it.")
  raise TypeError(f"expected a jgssl dataset, got {type(dataset).__name__}")


# ---------------------------------------------------------------------------------------------
# Feature specs
# ---------------------------------------------------------------------------------------------


def _features(kind: str) -> tfds.features.FeaturesDict:
  T, S = tfds.features.Tensor, tfds.features.Scalar
  if kind == "node":
    return tfds.features.FeaturesDict({
        "num_nodes": S(dtype=np.int64),
        "x_rows": T(shape=(None,), dtype=np.int32),
        "x_cols": T(shape=(None,), dtype=np.int32),
        "x_values": T(shape=(None,), dtype=np.float32),
        "senders": T(shape=(None,), dtype=np.int32),
        "receivers": T(shape=(None,), dtype=np.int32),
        "edge_weight": T(shape=(None,), dtype=np.float32),
        "labels": T(shape=(None,), dtype=np.int64),
        "has_splits": S(dtype=np.bool_),
        "train_mask": T(shape=(None,), dtype=np.bool_),
        "val_mask": T(shape=(None,), dtype=np.bool_),
        "test_mask": T(shape=(None,), dtype=np.bool_),
        "texts": tfds.features.Sequence(tfds.features.Text()),
    })
  if kind == "graph":
    return tfds.features.FeaturesDict({
        "index": S(dtype=np.int64),
        "x": T(shape=(None, None), dtype=np.float32, encoding="zlib"),
        "senders": T(shape=(None,), dtype=np.int32),
        "receivers": T(shape=(None,), dtype=np.int32),
        "edge_weight": T(shape=(None,), dtype=np.float32),
        "label": S(dtype=np.int64),
    })
  if kind == "interaction":
    return tfds.features.FeaturesDict({
        "user": S(dtype=np.int64),
        "items": T(shape=(None,), dtype=np.int64),
    })
  raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


# ---------------------------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------------------------


def _node_examples(ds: types.NodeDataset):
  g = ds.graph
  x = np.asarray(g.nodes["x"], np.float32)
  rows, cols = np.nonzero(x)
  n = ds.num_nodes
  masks = {}
  for split in ("train", "val", "test"):
    m = np.zeros(n, bool)
    if ds.splits is not None:
      m[np.asarray(ds.splits[split], np.int64)] = True
    masks[f"{split}_mask"] = m
  yield 0, {
      "num_nodes": n,
      "x_rows": rows.astype(np.int32),
      "x_cols": cols.astype(np.int32),
      "x_values": x[rows, cols],
      "senders": np.asarray(g.senders, np.int32),
      "receivers": np.asarray(g.receivers, np.int32),
      "edge_weight": np.asarray(g.edges["weight"], np.float32),
      "labels": np.asarray(ds.labels, np.int64),
      "has_splits": ds.splits is not None,
      **masks,
      "texts": [] if ds.texts is None else [str(t) for t in ds.texts],
  }


def _graph_examples(ds: types.GraphDataset):
  gs = ds.graphs
  node_off = np.concatenate([[0], np.cumsum(gs.n_node)]).astype(np.int64)
  edge_off = np.concatenate([[0], np.cumsum(gs.n_edge)]).astype(np.int64)
  x = np.asarray(gs.nodes["x"], np.float32)
  senders, receivers = np.asarray(gs.senders), np.asarray(gs.receivers)
  weight = np.asarray(gs.edges["weight"], np.float32)
  for i in range(ds.num_graphs):
    n0, n1, e0, e1 = node_off[i], node_off[i + 1], edge_off[i], edge_off[i + 1]
    yield i, {
        "index": i,
        "x": x[n0:n1],
        "senders": (senders[e0:e1] - n0).astype(np.int32),
        "receivers": (receivers[e0:e1] - n0).astype(np.int32),
        "edge_weight": weight[e0:e1],
        "label": int(ds.labels[i]),
    }


def _interaction_examples(pairs: np.ndarray):
  pairs = np.asarray(pairs, np.int64)
  order = np.lexsort((pairs[1], pairs[0]))
  users, items = pairs[0, order], pairs[1, order]
  uniq, start = np.unique(users, return_index=True)
  bounds = np.append(start, users.shape[0])
  for j, u in enumerate(uniq):
    yield int(u), {"user": int(u), "items": items[bounds[j]:bounds[j + 1]]}


def _metadata(ds: Dataset, kind: str) -> Dict[str, Any]:
  import jgssl
  meta = {
      "jgssl_name": ds.info.name, "kind": kind, "jgssl_version": jgssl.__version__,
      "source": ds.info.source, "license": ds.info.license, "citation": ds.info.citation,
      "description": ds.info.description,
  }
  if kind in ("node", "graph"):
    meta.update(num_classes=int(ds.num_classes), num_features=int(ds.num_features))
  if kind == "node":
    meta["has_texts"] = ds.texts is not None
  if kind == "graph":
    meta["num_graphs"] = int(ds.num_graphs)
    meta["folds"] = (None if ds.folds is None else
                     [[np.asarray(tr).tolist(), np.asarray(te).tolist()] for tr, te in ds.folds])
  if kind == "interaction":
    meta.update(num_users=int(ds.num_users), num_items=int(ds.num_items))
  return meta


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


class _JgsslBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
  """Base of the generated builders; subclasses set ``JGSSL_NAME`` and ``JGSSL_KIND``."""

  VERSION = tfds.core.Version(_VERSION)
  RELEASE_NOTES = {_VERSION: "First jgssl export."}
  MANUAL_DOWNLOAD_INSTRUCTIONS = (
      "Offline builder: put the raw files where jgssl.data.load(name, root=...) reads them "
      "(<root>/<dataset>/raw/...) and pass root= to the builder or "
      "download_config=tfds.download.DownloadConfig(manual_dir=<root>).")
  JGSSL_NAME: str = ""
  JGSSL_KIND: str = ""

  @tfds_utils.classproperty
  @classmethod
  def code_path(cls) -> epath.Path:
    # TFDS's default probes ``importlib_resources.abc`` (the backport, not installed) for any
    # builder defined inside a package and fails; our builders live in this file.
    return epath.Path(__file__)

  def __init__(self, *, root: Optional[Union[str, os.PathLike]] = None,
               dataset: Optional[Dataset] = None, **kwargs):
    """Args: ``root`` raw-data root for :func:`jgssl.data.load`; ``dataset`` an in-memory dataset
    to export instead of loading one; other keyword arguments go to the TFDS builder
    (``data_dir``, ``version``). ``file_format`` must be ``'array_record'`` (the default)."""
    fmt = kwargs.pop("file_format", None) or "array_record"
    if str(getattr(fmt, "value", fmt)) != "array_record":
      raise ValueError(f"jgssl builders write array_record only (TFRecord needs TensorFlow), "
                       f"got file_format={fmt!r}")
    if dataset is not None and _kind_of(dataset) != self.JGSSL_KIND:
      raise ValueError(f"builder {self.name!r} is for {self.JGSSL_KIND} datasets, got a "
                       f"{type(dataset).__name__}")
    self._root = root
    self._dataset = dataset
    super().__init__(file_format="array_record", **kwargs)

  def _info(self) -> tfds.core.DatasetInfo:
    spec = _spec(self.JGSSL_NAME)
    description = (f"jgssl dataset {self.JGSSL_NAME!r} ({self.JGSSL_KIND} dataset) exported "
                   "from jgssl.data.load; provenance and sizes in info.metadata.")
    if spec is not None and spec.notes:
      description += " " + spec.notes
    return tfds.core.DatasetInfo(
        builder=self,
        description=description,
        features=_features(self.JGSSL_KIND),
        citation=spec.citation if spec is not None else None,
        metadata=tfds.core.MetadataDict(),
        disable_shuffling=True,
    )

  def _load(self, dl_manager) -> Dataset:
    if self._dataset is not None:
      return self._dataset
    root = self._root
    if root is None and dl_manager is not None:
      try:
        root = dl_manager.manual_dir
      except (AssertionError, ValueError):   # no manual dir given / empty: jgssl default root
        root = None
    from jgssl import data as data_lib       # local: data/__init__ may import this module
    ds = data_lib.load(self.JGSSL_NAME, root=None if root is None else os.fspath(root),
                       download=False)
    if _kind_of(ds) != self.JGSSL_KIND:
      raise ValueError(f"jgssl.data.load({self.JGSSL_NAME!r}) returned a {type(ds).__name__}, "
                       f"but builder {self.name!r} is for {self.JGSSL_KIND} datasets")
    return ds

  def _split_generators(self, dl_manager):
    ds = self._load(dl_manager)
    self.info.metadata.update(_metadata(ds, self.JGSSL_KIND))
    if self.JGSSL_KIND == "node":
      return {"full": _node_examples(ds)}
    if self.JGSSL_KIND == "graph":
      return {"full": _graph_examples(ds)}
    # TFDS cannot write an empty split: splits without interactions are left out.
    return {k: _interaction_examples(getattr(ds, k)) for k in ("train", "valid", "test")
            if np.asarray(getattr(ds, k)).shape[-1] > 0}

  def _generate_examples(self, **kwargs):   # splits are generators made in _split_generators
    raise NotImplementedError("examples come from _split_generators")


def make_builder(name: str, *, kind: Optional[str] = None
                 ) -> Type[tfds.core.GeneratorBasedBuilder]:
  """The TFDS builder class for jgssl dataset ``name`` (cached; not added to TFDS's registry).

  Args:
    name: a :func:`jgssl.data.load` name (or any name when a ``dataset=`` is given to the builder).
    kind: ``'node'``, ``'graph'`` or ``'interaction'``: fixes the record layout. Default: the
      registry's kind of ``name`` (required for unregistered names).

  Returns:
    A ``GeneratorBasedBuilder`` subclass named :func:`builder_name` ``(name)``. Instantiate it with
    ``data_dir=`` and ``root=`` (or ``dataset=``) and call ``download_and_prepare()``; or pass
    ``download_config=tfds.download.DownloadConfig(manual_dir=root)``. It never downloads.

  Raises:
    NotImplementedError: for heterogeneous datasets.
    ValueError: unknown kind, or an unregistered name without ``kind``.
  """
  spec = _spec(name)
  if kind is None:
    if spec is None:
      raise ValueError(f"{name!r} is not a registered dataset: pass kind= (one of {KINDS})")
    kind = spec.kind
  if kind == "hetero":
    raise NotImplementedError(
        f"TFDS export supports {', '.join(KINDS)} datasets; {name!r} is heterogeneous, whose "
        "typed features and meta-path graphs have no single record layout. Use "
        "jgssl.data.load for it.")
  if kind not in KINDS:
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
  if spec is not None and spec.kind != kind:
    raise ValueError(f"{spec.name!r} is a {spec.kind} dataset in the registry, not {kind}")
  name = spec.name if spec is not None else name
  tfds_name = builder_name(name)
  with _LOCK:
    cls = _BUILDERS.get((tfds_name, kind))
    if cls is None:
      camel = "".join(p.capitalize() for p in tfds_name.split("_"))
      with tfds.core.registered.skip_registration():
        cls = type(camel, (_JgsslBuilder,), {
            "name": tfds_name, "JGSSL_NAME": name, "JGSSL_KIND": kind,
            "__module__": __name__,
            "__doc__": f"TFDS builder for jgssl dataset {name!r} ({kind} records)."})
      _BUILDERS[(tfds_name, kind)] = cls
  return cls


def _prepared_dir(name: str, data_dir) -> str:
  return os.path.join(os.fspath(data_dir), builder_name(name), _VERSION)  # aliases resolved


def build(name: str, *, data_dir: Union[str, os.PathLike],
          root: Optional[Union[str, os.PathLike]] = None,
          dataset: Optional[Dataset] = None,
          overwrite: bool = False) -> tfds.core.DatasetBuilder:
  """Writes dataset ``name`` as ``array_record`` under ``data_dir`` (offline) and returns the builder.

  Loads the raw files with ``jgssl.data.load(name, root=root, download=False)`` unless
  ``dataset`` is given (e.g. a synthetic graph), then runs ``download_and_prepare``. When the
  version is already prepared in ``data_dir`` it is reused as is (even for a different
  ``dataset=``) unless ``overwrite``.
  Nothing is downloaded.

  Args:
    name: dataset name (a registry name, or any name with ``dataset=``).
    data_dir: TFDS data directory; records go to ``<data_dir>/jgssl_<name>/1.0.0/``.
    root: raw-data root for :func:`jgssl.data.load` (default: jgssl's default root).
    dataset: an in-memory NodeDataset / GraphDataset / InteractionDataset to export instead.
    overwrite: regenerate even when prepared records exist.

  Returns:
    The TFDS builder (``builder.info`` holds splits, sizes and ``metadata``).

  Raises:
    NotImplementedError: for heterogeneous datasets (see the module docstring).
  """
  prepared = os.path.isfile(os.path.join(_prepared_dir(name, data_dir), "dataset_info.json"))
  if prepared and not overwrite:
    return tfds.builder_from_directory(_prepared_dir(name, data_dir))
  if dataset is None:
    spec = _spec(name)
    if spec is None:
      raise ValueError(f"{name!r} is not a registered dataset (jgssl.data.list_datasets()); "
                       "pass dataset= to export an in-memory one")
    if spec.kind == "hetero":
      make_builder(name)                           # raises the NotImplementedError
    from jgssl import data as data_lib
    dataset = data_lib.load(name, root=None if root is None else os.fspath(root), download=False)
  cls = make_builder(name, kind=_kind_of(dataset))
  builder = cls(data_dir=os.fspath(data_dir), root=root, dataset=dataset)
  builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
      download_mode=(tfds.download.GenerateMode.REUSE_DATASET_IF_EXISTS if not overwrite else
                     tfds.download.GenerateMode.FORCE_REDOWNLOAD)))
  return builder


def load_tfds(name: str, *, data_dir: Union[str, os.PathLike], split: Optional[str] = None):
  """``tfds.data_source`` over the prepared records of ``name`` (random access, no TensorFlow).

  Args:
    name: the jgssl dataset name given to :func:`build`.
    data_dir: the TFDS data directory passed to :func:`build`.
    split: ``'full'`` for node / graph datasets, ``'train'`` / ``'valid'`` / ``'test'`` for
      interaction datasets; ``None`` returns a dict of all splits.

  Returns:
    An ``ArrayRecordDataSource`` (or a dict of them): ``len(source)`` examples, ``source[i]`` a
    dict of numpy arrays (texts as UTF-8 ``bytes``).

  Raises:
    FileNotFoundError: when the dataset was not built in ``data_dir``.
  """
  path = _prepared_dir(name, data_dir)
  if not os.path.isfile(os.path.join(path, "dataset_info.json")):
    raise FileNotFoundError(f"no TFDS records for {name!r} in {path}; run "
                            f"jgssl.data.tfds_builders.build({name!r}, data_dir=...) first")
  return tfds.data_source(builder_name(name), data_dir=os.fspath(data_dir), split=split,
                          download=False)


def _info_from_meta(meta) -> types.DatasetInfo:
  return types.DatasetInfo(name=meta["jgssl_name"], source=meta.get("source", ""),
                           license=meta.get("license", ""), citation=meta.get("citation", ""),
                           description=meta.get("description", ""))


def _graph(x, senders, receivers, weight) -> jraph.GraphsTuple:
  return jraph.GraphsTuple(
      nodes={"x": x, "mask": np.ones(x.shape[0], bool)},
      edges={"weight": weight, "mask": np.ones(senders.shape[0], bool)},
      senders=senders, receivers=receivers,
      n_node=np.array([x.shape[0]], np.int32), n_edge=np.array([senders.shape[0]], np.int32),
      globals={"mask": np.ones(1, bool)})


def _read_all(src, chunk: int = 4096):
  """All records of a data source in order, read in batches (~4x faster than one by one)."""
  out = []
  for start in range(0, len(src), chunk):
    idx = list(range(start, min(start + chunk, len(src))))
    out.extend(src.__getitems__(idx) if hasattr(src, "__getitems__") else [src[i] for i in idx])
  return out


def from_tfds(name: str, *, data_dir: Union[str, os.PathLike]) -> Dataset:
  """Rebuilds the jgssl dataset (NodeDataset / GraphDataset / InteractionDataset) from records.

  Node features come back dense float32 ``[N, F]``; graphs are unpadded GraphsTuples with all
  masks True, exactly as :func:`jgssl.data.load` gives them (minus unexported extra leaves).
  """
  path = _prepared_dir(name, data_dir)
  if not os.path.isfile(os.path.join(path, "dataset_info.json")):
    raise FileNotFoundError(f"no TFDS records for {name!r} in {path}")
  meta = tfds.builder_from_directory(path).info.metadata
  kind, info = meta["kind"], _info_from_meta(meta)
  sources = load_tfds(name, data_dir=data_dir)
  if kind == "node":
    ex = sources["full"][0]
    n, f = int(ex["num_nodes"]), int(meta["num_features"])
    x = np.zeros((n, f), np.float32)
    x[ex["x_rows"], ex["x_cols"]] = ex["x_values"]
    splits = ({k: np.flatnonzero(ex[f"{k}_mask"]).astype(np.int64) for k in ("train", "val", "test")}
              if bool(ex["has_splits"]) else None)
    texts = ([t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in ex["texts"]]
             if meta.get("has_texts") else None)
    graph = _graph(x, ex["senders"].astype(np.int32), ex["receivers"].astype(np.int32),
                   ex["edge_weight"].astype(np.float32))
    return types.NodeDataset(info=info, graph=graph, labels=ex["labels"].astype(np.int64),
                             num_classes=int(meta["num_classes"]), splits=splits, texts=texts)
  if kind == "graph":
    src = sources["full"]
    f = int(meta["num_features"])
    graphs, labels = [], np.zeros(len(src), np.int64)
    for ex in _read_all(src):
      j = int(ex["index"])
      x = np.asarray(ex["x"], np.float32).reshape(-1, f)
      graphs.append((j, _graph(x, ex["senders"].astype(np.int32),
                               ex["receivers"].astype(np.int32),
                               ex["edge_weight"].astype(np.float32))))
      labels[j] = int(ex["label"])
    graphs = [g for _, g in sorted(graphs, key=lambda t: t[0])]
    folds = meta.get("folds")
    folds = (None if folds is None else
             [(np.asarray(tr, np.int64), np.asarray(te, np.int64)) for tr, te in folds])
    return types.GraphDataset(info=info, graphs=jraph.batch_np(graphs), labels=labels,
                              num_classes=int(meta["num_classes"]), folds=folds)
  if kind == "interaction":
    def pairs(src):
      users, items = [], []
      for ex in _read_all(src):
        items.append(np.asarray(ex["items"], np.int64))
        users.append(np.full(items[-1].shape[0], int(ex["user"]), np.int64))
      if not users:
        return np.zeros((2, 0), np.int64)
      return np.stack([np.concatenate(users), np.concatenate(items)])
    got = {k: pairs(sources[k]) if k in sources else np.zeros((2, 0), np.int64)
           for k in ("train", "valid", "test")}
    return types.InteractionDataset(info=info, num_users=int(meta["num_users"]),
                                    num_items=int(meta["num_items"]), **got)
  raise ValueError(f"unknown kind {kind!r} in the metadata of {path}")

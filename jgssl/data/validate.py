"""Validation of raw dataset files and of the containers built from them.

Every reader in :mod:`jgssl.data` funnels its file access through this module so that a truncated,
corrupted or inconsistent file surfaces as one exception type, :class:`DatasetError` (a
:class:`ValueError`), whose message names the file and says what is wrong — never a bare
``IndexError``, ``KeyError``, ``UnpicklingError``, ``EOFError`` or ``zipfile.BadZipFile``.

Three groups of helpers:

* file access: :func:`reading` (a context manager that converts low-level read errors),
  :func:`require_file`, :func:`load_pickle` (a restricted unpickler that only rebuilds numpy /
  scipy.sparse / list / dict objects), :func:`load_npz_arrays`, :func:`read_int_table` and
  :func:`read_float_table` (fast, strict text tables);
* array checks: :func:`check_shape`, :func:`check_finite`, :func:`check_integral`,
  :func:`check_index_range`, :func:`check_csr`, :func:`check_sparse`;
* container checks: :func:`validate_dataset` for the four dataset types of
  :mod:`jgssl.data.types`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import zipfile
import zlib
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import numpy as np
import scipy.sparse as sp

from jgssl.data import types

__all__ = [
    "DatasetError",
    "check_csr",
    "check_finite",
    "check_index_range",
    "check_integral",
    "check_shape",
    "check_sparse",
    "fail",
    "first_bad_token_line",
    "load_array",
    "load_matrix",
    "load_npz_arrays",
    "load_pickle",
    "load_sparse_npz",
    "parse_numbers",
    "read_float_table",
    "read_int_table",
    "reading",
    "require_file",
    "token_lines",
    "unreadable_message",
    "validate_dataset",
]

PathLike = Union[str, os.PathLike]


class DatasetError(ValueError):
  """A raw dataset file is missing, truncated, corrupted or inconsistent with the others.

  The message always starts with the offending file (or dataset) and says what is wrong.
  """


def _where(path: Optional[PathLike]) -> str:
  return os.fspath(path) if path is not None else "<dataset>"


def fail(path: Optional[PathLike], problem: str) -> None:
  """Raises :class:`DatasetError` ``"<path>: <problem>"``."""
  raise DatasetError(f"{_where(path)}: {problem}")


def unreadable_message(path: PathLike, error: OSError, *, what: str = "file",
                       prefix: str = "") -> str:
  """``"<path>: ..."`` for an :class:`OSError` raised while opening or reading ``path``.

  A permission error says the file is not readable (not that it is corrupted), a directory in
  the file's place says so; any other error is quoted.

  Args:
    path: the file.
    error: the exception.
    what: what the file is (e.g. ``'pickled feature matrix'``).
    prefix: text put right after ``"<path>: "`` (e.g. ``"dataset 'cora': "``).
  """
  where = _where(path)
  if isinstance(error, PermissionError):
    return (f"{where}: {prefix}{what} is not readable (permission denied for this user); make it "
            f"readable (e.g. chmod a+r {where}) or copy the data somewhere readable")
  if isinstance(error, IsADirectoryError) or os.path.isdir(where):
    return f"{where}: {prefix}is a directory, expected a file; remove it (expected: {what})"
  detail = str(error).strip() or type(error).__name__
  return f"{where}: {prefix}cannot read {what}: {type(error).__name__}: {detail}"


# Low-level errors that mean "this file is not what it should be".
_READ_ERRORS = (
    EOFError, pickle.UnpicklingError, zipfile.BadZipFile, zlib.error, struct.error, KeyError,
    IndexError, TypeError, AttributeError, UnicodeDecodeError, ImportError, OverflowError,
    ValueError, MemoryError, OSError,
)


@contextlib.contextmanager
def reading(path: PathLike, what: str = "file") -> Iterator[None]:
  """Context manager: low-level read errors inside become :class:`DatasetError` naming ``path``.

  A :class:`DatasetError` raised inside passes through unchanged; a missing file, an unreadable
  one (permission) and a directory in its place each get a message that says so.

  Args:
    path: the file being read.
    what: a short description used in the message (e.g. ``'pickled feature matrix'``).
  """
  try:
    yield
  except DatasetError:
    raise
  except FileNotFoundError as e:
    raise DatasetError(f"{_where(path)}: missing file ({what})") from e
  except (PermissionError, IsADirectoryError) as e:
    raise DatasetError(unreadable_message(path, e, what=what)) from e
  except _READ_ERRORS as e:
    detail = str(e).strip() or type(e).__name__
    raise DatasetError(
        f"{_where(path)}: cannot read {what} (truncated or corrupted?): "
        f"{type(e).__name__}: {detail}") from e


def require_file(path: PathLike, what: str = "file") -> str:
  """Returns ``path`` as a string; raises :class:`DatasetError` when it is missing, empty or not
  a regular file (a directory in its place)."""
  path = os.fspath(path)
  if not os.path.isfile(path):
    if os.path.isdir(path):
      fail(path, f"is a directory, expected a file; remove it (expected: {what})")
    if os.path.exists(path):
      fail(path, f"is not a regular file, expected a file; remove it (expected: {what})")
    fail(path, f"missing file ({what})")
  if os.path.getsize(path) == 0:
    fail(path, f"empty file ({what})")
  return path


# ---------------------------------------------------------------------------------------------
# Safe pickles, npz, text tables
# ---------------------------------------------------------------------------------------------


def _allowed_pickle_globals() -> dict:
  reconstruct = np.zeros(1).__reduce__()[0]          # numpy's ndarray _reconstruct
  scalar = np.float64(1.0).__reduce__()[0]           # numpy's scalar constructor
  allowed = {}
  for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
    allowed[(module, "_reconstruct")] = reconstruct
    allowed[(module, "scalar")] = scalar
  allowed[("numpy", "ndarray")] = np.ndarray
  allowed[("numpy", "dtype")] = np.dtype
  for fmt, cls in (("csr", sp.csr_matrix), ("csc", sp.csc_matrix), ("coo", sp.coo_matrix)):
    for module in ("scipy.sparse", f"scipy.sparse.{fmt}", f"scipy.sparse._{fmt}"):
      allowed[(module, f"{fmt}_matrix")] = cls
  import _codecs
  import collections
  allowed[("_codecs", "encode")] = _codecs.encode  # protocol-2 pickles of bytes use it
  allowed[("collections", "defaultdict")] = collections.defaultdict
  allowed[("collections", "OrderedDict")] = collections.OrderedDict
  for module in ("builtins", "__builtin__"):
    for name, obj in (("list", list), ("dict", dict), ("tuple", tuple), ("set", set),
                      ("int", int), ("float", float), ("bool", bool), ("object", object)):
      allowed[(module, name)] = obj
  return allowed


class _RestrictedUnpickler(pickle.Unpickler):
  """Unpickler that only rebuilds numpy arrays, scipy sparse matrices and plain containers."""

  _allowed = None

  def find_class(self, module, name):
    if _RestrictedUnpickler._allowed is None:
      _RestrictedUnpickler._allowed = _allowed_pickle_globals()
    try:
      return _RestrictedUnpickler._allowed[(module, name)]
    except KeyError:
      raise pickle.UnpicklingError(
          f"refusing to load {module}.{name}: a dataset pickle may only hold numpy arrays, "
          "scipy sparse matrices and plain containers") from None


def load_pickle(path: PathLike, *, encoding: str = "ASCII", what: str = "pickle") -> Any:
  """Loads a dataset pickle with a restricted unpickler (numpy / scipy.sparse / containers only).

  Args:
    path: the pickle file.
    encoding: ``'latin1'`` for Python-2 pickles (Planetoid), else the default.
    what: description for error messages.

  Raises:
    DatasetError: missing, empty, truncated or corrupted file, or a pickle that references any
      other class (arbitrary code is never executed).
  """
  path = require_file(path, what)
  with reading(path, what):
    with open(path, "rb") as f:
      obj = _RestrictedUnpickler(f, encoding=encoding).load()
      if f.read(1):
        fail(path, f"trailing bytes after the pickled {what}")
  return obj


def load_npz_arrays(path: PathLike, keys: Sequence[str], *, optional: Sequence[str] = (),
                    what: str = "npz archive") -> dict:
  """Reads the named members of an ``.npz`` without unpickling anything.

  Args:
    path: the ``.npz`` file (stored or deflated).
    keys: members that must be present.
    optional: members read when present.
    what: description for error messages.

  Returns:
    ``{key: ndarray}`` for every required key and the optional keys that exist.

  Raises:
    DatasetError: missing / corrupted file, a file that is no npz (zip) archive at all, a
      missing key (the message lists the keys present), or a member that needs pickle.
  """
  path = require_file(path, what)
  with reading(path, what):
    with open(path, "rb") as f:
      magic = f.read(6)
  if not magic.startswith(b"PK"):
    # np.load would take it for a pickle and suggest loading it "unsafely using allow_pickle".
    kind = " (it is a .npy array)" if magic == b"\x93NUMPY" else ""
    fail(path, f"{what} is not a valid npz archive: an npz is a zip file, which starts with "
               f"b'PK', this one starts with {magic!r}{kind}")
  out = {}
  with reading(path, what):
    with np.load(path, allow_pickle=False) as z:
      present = set(z.files)
      missing = [k for k in keys if k not in present]
      if missing:
        fail(path, f"{what} lacks member(s) {missing}; it has {sorted(present)}")
      for k in list(keys) + [k for k in optional if k in present]:
        try:
          out[k] = z[k]
        except ValueError as e:
          if "allow_pickle" in str(e):
            fail(path, f"member {k!r} is an object array (needs pickle); expected a numeric array")
          raise
  return out


def load_array(path: PathLike, *, allow_object: bool = False, what: str = "array") -> np.ndarray:
  """Reads one ``.npy`` array (whatever the file extension), unpickling object arrays safely.

  Object arrays (HeCo's ``nei_*.npy`` neighbour lists) are only accepted with
  ``allow_object=True`` and are rebuilt with the restricted unpickler of :func:`load_pickle`.

  Raises:
    DatasetError: missing, truncated or corrupted file, a file that is not ``.npy``, an object
      array when not allowed.
  """
  path = require_file(path, what)
  with reading(path, what):
    with open(path, "rb") as f:
      magic = f.read(6)
      if magic != b"\x93NUMPY":
        fail(path, f"{what} is not a .npy file (magic bytes {magic!r})")
      f.seek(0)
      version = np.lib.format.read_magic(f)
      if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
      else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
      if dtype.hasobject:
        if not allow_object:
          fail(path, f"{what} is an object array (needs pickle); expected a numeric array")
        arr = _RestrictedUnpickler(f).load()
        if not isinstance(arr, np.ndarray) or arr.shape != tuple(shape):
          fail(path, f"{what}: the pickled payload does not match the header shape {shape}")
        return arr
      count = int(np.prod(shape)) if len(shape) else 1
      data = f.read(count * dtype.itemsize)
      if len(data) != count * dtype.itemsize:
        fail(path, f"{what} is truncated: {len(data)} of {count * dtype.itemsize} data bytes")
      arr = np.frombuffer(data, dtype=dtype, count=count)
      arr = arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
      return arr.copy()


def load_sparse_npz(path: PathLike, *, what: str = "sparse matrix") -> sp.csr_matrix:
  """Reads a :func:`scipy.sparse.save_npz` file (csr / csc / coo) without pickle, validated.

  Returns:
    The matrix as CSR, with finite values and indices in range.

  Raises:
    DatasetError: missing / corrupted file, unknown format, inconsistent arrays.
  """
  path = require_file(path, what)
  arrays = load_npz_arrays(path, ["format", "shape"], optional=[
      "data", "indices", "indptr", "row", "col"], what=what)
  fmt = arrays["format"]
  fmt = fmt.item() if fmt.shape == () else fmt
  fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
  shape = check_integral(arrays["shape"], path, f"{what} shape").reshape(-1)
  if shape.shape[0] != 2 or shape.min() < 0:
    fail(path, f"{what}: shape {shape.tolist()} is not a 2-d shape")
  if fmt in ("csr", "csc"):
    missing = [k for k in ("data", "indices", "indptr") if k not in arrays]
    if missing:
      fail(path, f"{what}: {fmt} matrix lacks {missing}")
    dims = tuple(shape) if fmt == "csr" else tuple(shape[::-1])
    m = check_csr(arrays["indptr"], arrays["indices"], arrays["data"], dims, path, what)
    return m if fmt == "csr" else m.T.tocsr()
  if fmt == "coo":
    missing = [k for k in ("data", "row", "col") if k not in arrays]
    if missing:
      fail(path, f"{what}: coo matrix lacks {missing}")
    row = check_integral(arrays["row"].reshape(-1), path, f"{what} row indices")
    col = check_integral(arrays["col"].reshape(-1), path, f"{what} column indices")
    data = np.asarray(arrays["data"]).reshape(-1)
    if not row.shape == col.shape == data.shape:
      fail(path, f"{what}: row / col / data have lengths {row.shape[0]} / {col.shape[0]} / "
                 f"{data.shape[0]}")
    check_index_range(row, 0, int(shape[0]), path, f"{what} row indices")
    check_index_range(col, 0, int(shape[1]), path, f"{what} column indices")
    check_finite(data, path, f"{what} values")
    return sp.csr_matrix((data, (row, col)), shape=tuple(int(s) for s in shape))
  fail(path, f"{what}: unsupported sparse format {fmt!r}")


def load_matrix(path: PathLike, *, what: str = "matrix"):
  """A sparse ``save_npz`` file or a plain ``.npy`` array, told apart by the magic bytes.

  (HeCo's ``dblp/t_feat.npz`` is really a ``.npy``.) Returns CSR or a dense ndarray.
  """
  path = require_file(path, what)
  with reading(path, what):
    with open(path, "rb") as f:
      magic = f.read(6)
  if magic.startswith(b"PK"):
    return load_sparse_npz(path, what=what)
  if magic == b"\x93NUMPY":
    return load_array(path, what=what)
  fail(path, f"{what} is neither an .npz archive nor a .npy array (magic bytes {magic!r})")


def _table_bytes(path: PathLike, what: str, *, data: Optional[bytes] = None) -> bytes:
  if data is None:
    path = require_file(path, what)
    with reading(path, what):
      with open(path, "rb") as f:
        data = f.read()
  if not data.strip():
    fail(path, f"empty file ({what})")
  return data


def token_lines(buf: np.ndarray, is_sep: np.ndarray) -> tuple:
  """Token start offsets, the line of each token and the newline offsets (vectorised).

  Args:
    buf: uint8 ``[B]`` view of the text.
    is_sep: bool ``[B]``, True on separator bytes.
  """
  prev_sep = np.empty_like(is_sep)
  prev_sep[0] = True
  prev_sep[1:] = is_sep[:-1]
  starts = np.flatnonzero(~is_sep & prev_sep)
  newlines = np.flatnonzero(buf == 10)
  line_of = np.searchsorted(newlines, starts, side="right")
  return starts, line_of, newlines


def read_int_table(path: PathLike, ncols: Optional[int], *, what: str = "integer table",
                   data: Optional[bytes] = None) -> np.ndarray:
  """Reads a text table of integers with exactly ``ncols`` columns per non-empty line.

  Columns may be separated by commas and/or whitespace (the TU format writes ``"1, 2"``). Blank
  lines are ignored. Parsing is vectorised with numpy (millions of lines per second).

  Args:
    path: the text file (also used in messages when ``data`` is given).
    ncols: expected number of columns; ``None`` takes the width of the first non-empty line.
    what: description for error messages.
    data: the file's bytes when already in memory (e.g. a zip member).

  Returns:
    int64 ``[rows, ncols]``.

  Raises:
    DatasetError: empty file, a line with the wrong number of columns (the message gives the line
      number), or a token that is not an integer.
  """
  return _read_table(path, ncols, np.int64, what=what, data=data)


def read_float_table(path: PathLike, ncols: Optional[int] = None, *, what: str = "float table",
                     data: Optional[bytes] = None) -> np.ndarray:
  """Like :func:`read_int_table` for floats; ``ncols=None`` takes the width of the first line.

  Non-finite values (``nan``, ``inf``) are parsed, not rejected: callers decide with
  :func:`check_finite`.
  """
  return _read_table(path, ncols, np.float64, what=what, data=data)


def _read_table(path, ncols, dtype, *, what, data):
  data = _table_bytes(path, what, data=data)
  buf = np.frombuffer(data, np.uint8)
  is_sep = (buf == 32) | (buf == 9) | (buf == 10) | (buf == 13) | (buf == 44)
  starts, line_of, newlines = token_lines(buf, is_sep)
  num_lines = newlines.size + 1
  counts = np.bincount(line_of, minlength=num_lines)
  nonempty = counts > 0
  if ncols is None:
    ncols = int(counts[np.argmax(nonempty)])
  bad = np.flatnonzero(nonempty & (counts != ncols))
  if bad.size:
    line = int(bad[0])
    fail(path, f"{what}: line {line + 1} has {int(counts[line])} column(s), expected {ncols}")
  text = bytes(data).replace(b",", b" ")
  parse_dtype = np.float64 if dtype == np.float64 else np.int64
  kind = "number" if dtype == np.float64 else "integer"
  try:
    values = parse_numbers(text, parse_dtype)
  except ValueError:
    values = None
  if values is None or values.size != starts.size:
    line = first_bad_token_line(text, parse_dtype)
    fail(path, f"{what}: line {line} holds a token that is not a{'n' if kind == 'integer' else ''} "
               f"{kind}")
  if dtype != np.float64:
    # Integers parsed exactly; reject things like "1.5" that fromstring would truncate.
    if np.any((buf == 46) | (buf == 101) | (buf == 69)):
      bad_pos = np.flatnonzero((buf == 46) | (buf == 101) | (buf == 69))[0]
      line = int(np.searchsorted(newlines, bad_pos, side="right"))
      fail(path, f"{what}: line {line + 1} holds a token that is not an integer")
  return values.reshape(-1, ncols)


def first_bad_token_line(text: bytes, dtype) -> int:
  """1-based number of the first line holding a token that ``dtype`` cannot parse (error path)."""
  convert = int if np.issubdtype(dtype, np.integer) else float
  for number, line in enumerate(text.split(b"\n"), start=1):
    for token in line.replace(b",", b" ").split():
      try:
        convert(token)
      except ValueError:
        return number
  return 0


def parse_numbers(text: bytes, dtype) -> np.ndarray:
  """All whitespace-separated numbers of ``text`` (numpy's C parser; stops at a bad token)."""
  import warnings
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    return np.fromstring(text, dtype=dtype, sep=" ")


# ---------------------------------------------------------------------------------------------
# Array checks
# ---------------------------------------------------------------------------------------------


def check_shape(array: np.ndarray, shape: Sequence[Optional[int]], path: Optional[PathLike],
                what: str) -> np.ndarray:
  """Checks ``array.shape`` against ``shape`` (``None`` entries match anything)."""
  array = np.asarray(array)
  if array.ndim != len(shape) or any(s is not None and a != s for a, s in zip(array.shape, shape)):
    want = "[" + ", ".join("?" if s is None else str(s) for s in shape) + "]"
    fail(path, f"{what} has shape {list(array.shape)}, expected {want}")
  return array


def check_finite(array: Any, path: Optional[PathLike], what: str) -> None:
  """Rejects NaN / Inf values (dense arrays or scipy sparse matrices)."""
  data = array.data if sp.issparse(array) else np.asarray(array)
  if np.issubdtype(data.dtype, np.floating) or np.issubdtype(data.dtype, np.complexfloating):
    bad = ~np.isfinite(data)
    if np.any(bad):
      n_nan = int(np.isnan(data).sum())
      fail(path, f"{what} holds {int(bad.sum())} non-finite value(s) ({n_nan} NaN)")
  elif not (np.issubdtype(data.dtype, np.integer) or data.dtype == bool):
    fail(path, f"{what} has non-numeric dtype {data.dtype}")


def check_integral(array: Any, path: Optional[PathLike], what: str) -> np.ndarray:
  """Returns ``array`` as int64; rejects non-integral floats, NaN and non-numeric dtypes."""
  array = np.asarray(array)
  if array.dtype == bool:
    return array.astype(np.int64)
  if np.issubdtype(array.dtype, np.integer):
    return array.astype(np.int64)
  if np.issubdtype(array.dtype, np.floating):
    check_finite(array, path, what)
    if np.any(array != np.round(array)):
      fail(path, f"{what} holds non-integer values (e.g. {array[array != np.round(array)][0]})")
    return array.astype(np.int64)
  fail(path, f"{what} has dtype {array.dtype}, expected integers")


def check_index_range(index: np.ndarray, low: int, high: int, path: Optional[PathLike],
                      what: str) -> None:
  """Checks every entry of ``index`` lies in ``[low, high)``."""
  index = np.asarray(index)
  if index.size == 0:
    return
  lo, hi = int(index.min()), int(index.max())
  if lo < low or hi >= high:
    bad = lo if lo < low else hi
    fail(path, f"{what} holds index {bad}, outside [{low}, {high})")


def check_csr(indptr: np.ndarray, indices: np.ndarray, data: Optional[np.ndarray],
              shape: Sequence[int], path: Optional[PathLike], what: str) -> sp.csr_matrix:
  """Validates raw CSR arrays and returns the matrix (finite values, indices in range).

  Raises:
    DatasetError: wrong ``indptr`` length, decreasing ``indptr``, lengths that disagree, column
      indices out of range, or non-finite data.
  """
  shape = tuple(int(s) for s in np.asarray(shape).reshape(-1))
  if len(shape) != 2 or min(shape) < 0:
    fail(path, f"{what}: shape {shape} is not a 2-d shape")
  indptr = check_integral(np.asarray(indptr).reshape(-1), path, f"{what} indptr")
  indices = check_integral(np.asarray(indices).reshape(-1), path, f"{what} indices")
  if indptr.shape[0] != shape[0] + 1:
    fail(path, f"{what}: indptr has {indptr.shape[0]} entries for {shape[0]} rows "
               f"(expected {shape[0] + 1})")
  if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
    fail(path, f"{what}: indptr must start at 0 and never decrease")
  if indptr[-1] != indices.shape[0]:
    fail(path, f"{what}: indptr ends at {int(indptr[-1])} but there are {indices.shape[0]} "
               "column indices")
  if data is None:
    data = np.ones(indices.shape[0], np.float32)
  data = np.asarray(data).reshape(-1)
  if data.shape[0] != indices.shape[0]:
    fail(path, f"{what}: {data.shape[0]} values for {indices.shape[0]} column indices")
  check_index_range(indices, 0, shape[1], path, f"{what} column indices")
  check_finite(data, path, f"{what} values")
  return sp.csr_matrix((data, indices, indptr), shape=shape)


def check_sparse(matrix: Any, path: Optional[PathLike], what: str,
                 shape: Optional[Sequence[Optional[int]]] = None) -> sp.csr_matrix:
  """Validates an unpickled / loaded scipy sparse matrix and returns it as CSR.

  Raises:
    DatasetError: not a sparse matrix, inconsistent internals, wrong shape or non-finite values.
  """
  if not sp.issparse(matrix):
    fail(path, f"{what} is a {type(matrix).__name__}, expected a scipy sparse matrix")
  with reading(path, what):
    if sp.isspmatrix_coo(matrix) or getattr(matrix, "format", "") == "coo":
      rows, cols = np.asarray(matrix.row), np.asarray(matrix.col)
      n_r, n_c = matrix.shape
      if rows.shape != cols.shape or rows.shape != np.asarray(matrix.data).shape:
        fail(path, f"{what}: row / col / data arrays have different lengths")
      check_index_range(rows, 0, n_r, path, f"{what} row indices")
      check_index_range(cols, 0, n_c, path, f"{what} column indices")
      csr = matrix.tocsr()
    else:
      csr = matrix.tocsr()
      csr = check_csr(csr.indptr, csr.indices, csr.data, csr.shape, path, what)
  if shape is not None and (len(shape) != 2 or any(
      s is not None and a != s for a, s in zip(csr.shape, shape))):
    want = "[" + ", ".join("?" if s is None else str(s) for s in shape) + "]"
    fail(path, f"{what} has shape {list(csr.shape)}, expected {want}")
  check_finite(csr, path, f"{what} values")
  return csr


# ---------------------------------------------------------------------------------------------
# Container checks
# ---------------------------------------------------------------------------------------------


def _check_graph(graph, where: str, *, num_graphs: Optional[int] = None) -> None:
  n_node = np.asarray(graph.n_node)
  n_edge = np.asarray(graph.n_edge)
  total_nodes, total_edges = int(n_node.sum()), int(n_edge.sum())
  x = np.asarray(graph.nodes["x"])
  if x.ndim != 2 or x.shape[0] != total_nodes:
    fail(where, f"node features have shape {list(x.shape)} for {total_nodes} nodes")
  if x.dtype != np.float32:
    fail(where, f"node features have dtype {x.dtype}, expected float32")
  check_finite(x, where, "node features")
  senders, receivers = np.asarray(graph.senders), np.asarray(graph.receivers)
  if senders.shape != (total_edges,) or receivers.shape != (total_edges,):
    fail(where, f"{senders.shape[0]} senders / {receivers.shape[0]} receivers for "
                f"{total_edges} edges")
  check_index_range(senders, 0, total_nodes, where, "senders")
  check_index_range(receivers, 0, total_nodes, where, "receivers")
  if num_graphs is not None and n_node.shape[0] != num_graphs:
    fail(where, f"{n_node.shape[0]} graphs, expected {num_graphs}")
  if n_node.shape[0] > 1 and total_edges:
    # Every edge stays inside its own graph.
    graph_of_node = np.repeat(np.arange(n_node.shape[0]), n_node)
    graph_of_edge = np.repeat(np.arange(n_edge.shape[0]), n_edge)
    if np.any(graph_of_node[senders] != graph_of_edge) or np.any(
        graph_of_node[receivers] != graph_of_edge):
      fail(where, "an edge connects nodes of two different graphs")


def _check_labels(labels, num_classes, where, count):
  labels = np.asarray(labels)
  if labels.shape != (count,):
    fail(where, f"labels have shape {list(labels.shape)}, expected [{count}]")
  if not np.issubdtype(labels.dtype, np.integer):
    fail(where, f"labels have dtype {labels.dtype}, expected integers")
  check_index_range(labels, 0, num_classes, where, "labels")


def _check_split(splits: Optional[Mapping[str, np.ndarray]], count: int, where: str) -> None:
  if not splits:
    return
  for key, idx in splits.items():
    idx = np.asarray(idx)
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
      fail(where, f"split {key!r} must be a 1-d integer array, got {idx.dtype} {list(idx.shape)}")
    check_index_range(idx, 0, count, where, f"split {key!r}")
    if np.unique(idx).shape[0] != idx.shape[0]:
      fail(where, f"split {key!r} repeats an index")
  suffixes = {k.split("_", 1)[1] if "_" in k else "" for k in splits}
  for suffix in suffixes:
    group = {k: np.asarray(v) for k, v in splits.items()
             if (k.split("_", 1)[1] if "_" in k else "") == suffix}
    names = sorted(group)
    for i, a in enumerate(names):
      for b in names[i + 1:]:
        common = np.intersect1d(group[a], group[b])
        if common.size:
          fail(where, f"splits {a!r} and {b!r} share {common.size} index(es)")


def validate_dataset(dataset: Any) -> Any:
  """Checks the invariants of a loaded dataset and returns it unchanged.

  * graphs: feature rows match nodes, float32 and finite, edge endpoints in range, no edge
    between two graphs of a batch;
  * labels: integer, one per node / graph, in ``[0, num_classes)``;
  * splits: integer index arrays in range, no repeats, train / val / test disjoint (per suffix,
    e.g. ``train_20`` / ``val_20`` / ``test_20``);
  * interactions: pairs in range, no duplicate pair inside a set, train disjoint from valid and
    test.

  Raises:
    DatasetError: naming the dataset and the violated invariant.
  """
  where = f"dataset {getattr(dataset, 'name', '?')!r}"
  if isinstance(dataset, types.NodeDataset):
    _check_graph(dataset.graph, where, num_graphs=1)
    _check_labels(dataset.labels, dataset.num_classes, where, dataset.num_nodes)
    _check_split(dataset.splits, dataset.num_nodes, where)
  elif isinstance(dataset, types.GraphDataset):
    _check_graph(dataset.graphs, where)
    _check_labels(dataset.labels, dataset.num_classes, where, dataset.num_graphs)
    for i, (tr, te) in enumerate(dataset.folds or ()):
      _check_split({"train": tr, "test": te}, dataset.num_graphs, f"{where} fold {i + 1}")
  elif isinstance(dataset, types.HeteroDataset):
    n_target = int(dataset.num_nodes[dataset.target])
    for t, feat in dataset.features.items():
      feat = np.asarray(feat)
      if t not in dataset.num_nodes or feat.shape[0] != dataset.num_nodes[t]:
        fail(where, f"features of node type {t!r} have {feat.shape[0]} rows")
      check_finite(feat, where, f"features of node type {t!r}")
    for (src, dst), ei in dataset.relations.items():
      ei = np.asarray(ei)
      if ei.ndim != 2 or ei.shape[0] != 2:
        fail(where, f"relation {src}-{dst} must be [2, E], got {list(ei.shape)}")
      check_index_range(ei[0], 0, dataset.num_nodes[src], where, f"relation {src}-{dst} sources")
      check_index_range(ei[1], 0, dataset.num_nodes[dst], where, f"relation {src}-{dst} targets")
    for name, g in dataset.metapaths.items():
      _check_graph(g, f"{where} meta-path {name!r}", num_graphs=1)
      if int(np.sum(g.n_node)) != n_target:
        fail(where, f"meta-path {name!r} has {int(np.sum(g.n_node))} nodes, expected {n_target}")
    _check_labels(dataset.labels, dataset.num_classes, where, n_target)
    _check_split(dataset.splits, n_target, where)
    if dataset.positives is not None:
      pos = np.asarray(dataset.positives)
      check_index_range(pos, 0, n_target, where, "positive pairs")
  elif isinstance(dataset, types.InteractionDataset):
    sets = {"train": dataset.train, "valid": dataset.valid, "test": dataset.test}
    keys = {}
    for key, pairs in sets.items():
      pairs = np.asarray(pairs)
      if pairs.ndim != 2 or pairs.shape[0] != 2 or not np.issubdtype(pairs.dtype, np.integer):
        fail(where, f"{key} interactions must be int [2, E], got {pairs.dtype} "
                    f"{list(pairs.shape)}")
      check_index_range(pairs[0], 0, dataset.num_users, where, f"{key} user ids")
      check_index_range(pairs[1], 0, dataset.num_items, where, f"{key} item ids")
      k = pairs[0].astype(np.int64) * max(dataset.num_items, 1) + pairs[1]
      if np.unique(k).shape[0] != k.shape[0]:
        fail(where, f"{key} interactions repeat a (user, item) pair")
      keys[key] = k
    for other in ("valid", "test"):
      common = np.intersect1d(keys["train"], keys[other])
      if common.size:
        fail(where, f"train and {other} interactions share {common.size} (user, item) pair(s)")
  else:
    raise TypeError(f"validate_dataset() got {type(dataset).__name__}, expected a jgssl.data "
                    "dataset")
  return dataset

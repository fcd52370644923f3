"""Where raw dataset files live, and how a missing one is fetched.

Layout: ``<root>/<folder>/raw/<file>``, the layout of the shared benchmark collection (e.g.
``<root>/cora/raw/ind.cora.x``, ``<root>/HeCo-acm/raw/pa.txt``).

The root is, in order: the ``root`` argument, ``$JGSSL_DATA_DIR``, or the user cache
``$XDG_CACHE_HOME/jgssl`` (``~/.cache/jgssl`` when ``XDG_CACHE_HOME`` is unset).

A missing file is downloaded with :mod:`urllib` from its canonical URL (recorded in
:mod:`jgssl.data.registry`), or from a mirror — the ``mirror`` argument or ``$JGSSL_DATA_MIRROR``,
a base URL below which the file sits at ``<folder>/raw/<file>`` — written to a temporary file in
the target folder, checked against its sha256 and only then moved into place with
:func:`os.replace`, so a failed or corrupted download never leaves a partial file behind.
Files that only exist inside an archive (the TU text files come in zips) are taken from the
downloaded archive, whose own sha256 is checked first, and then checked one by one.

Files already present are checked by size and, by default, by sha256 — once per file version:
a file whose digest matched is remembered in a small JSON cache keyed by its absolute path, size,
``mtime_ns``, ``ctime_ns`` and inode (``$JGSSL_CACHE_DIR/verified.json``, else
``$XDG_CACHE_HOME/jgssl/verified.json`` or ``~/.cache/jgssl/verified.json``; the data root may be
read-only), so a second load hashes nothing while any rewrite of the file is hashed again. When
no cache is writable the check still runs and is remembered for the running process only.
``verify=True`` re-hashes every file (e.g. against bit rot, which leaves the metadata alone);
``verify=False`` checks sizes only. Set ``$JGSSL_OFFLINE=1`` (or pass ``download=False``) to never
touch the network: a missing or damaged file is then reported with its size, sha256, URL and the
path to put it at.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import shutil
import socket
import tempfile
import urllib.error
import urllib.request
import zipfile
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from jgssl.data.validate import DatasetError, unreadable_message

__all__ = [
    "Archive",
    "DownloadError",
    "RemoteFile",
    "clear_verification_memo",
    "default_root",
    "download_url",
    "ensure_files",
    "resolve_root",
    "sha256_file",
    "verification_cache_path",
]

ENV_DATA_DIR = "JGSSL_DATA_DIR"
ENV_MIRROR = "JGSSL_DATA_MIRROR"
ENV_OFFLINE = "JGSSL_OFFLINE"
ENV_CACHE_DIR = "JGSSL_CACHE_DIR"

PathLike = Union[str, os.PathLike]


class DownloadError(DatasetError):
  """A file could not be downloaded (offline, unreachable, HTTP error or checksum mismatch)."""


@dataclasses.dataclass(frozen=True)
class Archive:
  """A zip archive a raw file can be extracted from.

  Attributes:
    url: canonical download URL of the archive.
    size: archive size in bytes.
    sha256: hex sha256 of the archive.
    member: path of the file inside the archive; a member whose path ends with ``/<member>`` also
      matches (archives often prefix a folder), ``__MACOSX/`` entries never do.
  """
  url: str
  size: int
  sha256: str
  member: str


@dataclasses.dataclass(frozen=True)
class RemoteFile:
  """One raw file of a dataset: name, expected size and checksum, and where to get it.

  Attributes:
    name: file name inside ``<root>/<folder>/raw/``.
    size: size in bytes.
    sha256: hex sha256 of the file.
    url: canonical URL of this exact file, or ``None`` when it only comes inside ``archive``.
    archive: the archive holding the file, when there is one.
  """
  name: str
  size: int
  sha256: str
  url: Optional[str] = None
  archive: Optional[Archive] = None

  def __post_init__(self):
    if self.url is None and self.archive is None:
      raise ValueError(f"RemoteFile {self.name!r} needs a url or an archive")
    if len(self.sha256) != 64:
      raise ValueError(f"RemoteFile {self.name!r}: sha256 must be 64 hex digits")


def _user_cache() -> pathlib.Path:
  cache = os.environ.get("XDG_CACHE_HOME")
  base = pathlib.Path(cache).expanduser() if cache else pathlib.Path.home() / ".cache"
  return base / "jgssl"


def default_root() -> pathlib.Path:
  """``$JGSSL_DATA_DIR``, else ``$XDG_CACHE_HOME/jgssl``, else ``~/.cache/jgssl``."""
  env = os.environ.get(ENV_DATA_DIR)
  if env:
    return pathlib.Path(env).expanduser()
  return _user_cache()


def verification_cache_path() -> pathlib.Path:
  """Where verified digests are remembered: ``$JGSSL_CACHE_DIR/verified.json``, else
  ``$XDG_CACHE_HOME/jgssl/verified.json``, else ``~/.cache/jgssl/verified.json``."""
  env = os.environ.get(ENV_CACHE_DIR)
  base = pathlib.Path(env).expanduser() if env else _user_cache()
  return base / "verified.json"


def resolve_root(root: Optional[PathLike] = None) -> pathlib.Path:
  """The data root: ``root`` when given, else :func:`default_root`."""
  return pathlib.Path(root).expanduser() if root is not None else default_root()


def sha256_file(path: PathLike, chunk: int = 1 << 20) -> str:
  """Hex sha256 of a file, read in chunks."""
  h = hashlib.sha256()
  with open(path, "rb") as f:
    for block in iter(lambda: f.read(chunk), b""):
      h.update(block)
  return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Verified-digest cache
# ---------------------------------------------------------------------------------------------

_CACHE_VERSION = 1
_CACHE_MAX_ENTRIES = 20000
# In-process memory of verified files, {absolute path: (stat key, sha256)}: it makes the second
# load in a process free even when no cache file can be written.
_MEMO: Dict[str, Tuple[List[int], str]] = {}


def clear_verification_memo() -> None:
  """Forgets the files verified by this process (the cache file is left alone)."""
  _MEMO.clear()


def _stat_key(st: os.stat_result) -> List[int]:
  """What identifies one version of a file: any rewrite changes the ctime (and usually more)."""
  return [int(st.st_size), int(st.st_mtime_ns), int(st.st_ctime_ns), int(st.st_ino)]


def _read_cache_file(path: pathlib.Path) -> Dict[str, dict]:
  """The entries of a cache file; ``{}`` when it is missing, unreadable or malformed."""
  try:
    with open(path, "r", encoding="utf-8") as f:
      state = json.load(f)
  except (OSError, ValueError):
    return {}
  if (not isinstance(state, dict) or state.get("version") != _CACHE_VERSION
      or not isinstance(state.get("files"), dict)):
    return {}
  return {k: v for k, v in state["files"].items() if isinstance(v, dict)}


class _VerifiedFiles:
  """The verified-digest cache of one :func:`ensure_files` call: read lazily, written once."""

  def __init__(self):
    self._path = verification_cache_path()
    self._entries: Optional[Dict[str, dict]] = None
    self._forgotten = set()
    self._dirty = False

  def _load(self) -> Dict[str, dict]:
    if self._entries is None:
      self._entries = _read_cache_file(self._path)
    return self._entries

  def vouches(self, path: pathlib.Path, st: os.stat_result, sha256: str) -> bool:
    """Whether this exact file version was verified to have ``sha256`` before."""
    name, key = os.path.abspath(path), _stat_key(st)
    memo = _MEMO.get(name)
    if memo is not None and memo[0] == key and memo[1] == sha256:
      return True
    entry = self._load().get(name)
    if entry is not None and entry.get("key") == key and entry.get("sha256") == sha256:
      _MEMO[name] = (key, sha256)
      return True
    return False

  def record(self, path: pathlib.Path, sha256: str) -> None:
    """Remembers ``path`` (as it is now on disk) as verified to have ``sha256``."""
    try:
      st = os.stat(path)
    except OSError:
      return
    name, key = os.path.abspath(path), _stat_key(st)
    _MEMO[name] = (key, sha256)
    self._load()[name] = {"key": key, "sha256": sha256}
    self._forgotten.discard(name)
    self._dirty = True

  def forget(self, path: pathlib.Path) -> None:
    """Drops ``path``: it failed its check (e.g. bit rot under unchanged metadata)."""
    name = os.path.abspath(path)
    _MEMO.pop(name, None)
    self._load().pop(name, None)
    self._forgotten.add(name)
    self._dirty = True

  def save(self) -> None:
    """Writes the cache atomically, merged with what other processes wrote meanwhile and without
    entries whose file changed or vanished; any failure only costs a re-hash next time."""
    if not self._dirty:
      return
    self._dirty = False
    merged = _read_cache_file(self._path)
    merged.update(self._entries or {})
    kept = {}
    for name, entry in merged.items():
      if name in self._forgotten:
        continue
      try:
        if _stat_key(os.stat(name)) == entry.get("key"):
          kept[name] = entry
      except OSError:
        pass
    if len(kept) > _CACHE_MAX_ENTRIES:
      kept = dict(list(kept.items())[-_CACHE_MAX_ENTRIES:])
    tmp = None
    try:
      self._path.parent.mkdir(parents=True, exist_ok=True)
      fd, tmp = tempfile.mkstemp(prefix=".verified.", suffix=".tmp", dir=self._path.parent)
      with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"version": _CACHE_VERSION, "files": kept}, out, indent=1, sort_keys=True)
      os.replace(tmp, self._path)
      tmp = None
    except OSError:
      pass  # read-only home, full disk, a file in the way: the check still ran
    finally:
      if tmp is not None:
        try:
          os.unlink(tmp)
        except OSError:
          pass


def _offline_default() -> bool:
  return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


def _mirror_url(mirror: str, folder: str, name: str) -> str:
  return f"{mirror.rstrip('/')}/{folder}/raw/{name}"


def _not_a_file(path: pathlib.Path) -> str:
  kind = "a directory" if path.is_dir() else "not a regular file"
  return f"is {kind}, expected a file; remove it"


def _hand_instructions(f: RemoteFile, path: pathlib.Path) -> str:
  src = f.url or f"the member {f.archive.member!r} of {f.archive.url}"
  return (f"download {src} by hand and put it at {path} ({f.size} bytes, sha256 {f.sha256}), "
          f"or point ${ENV_MIRROR} (or mirror=) at a copy of the <folder>/raw/<file> layout")


def download_url(url: str, dest: PathLike, *, sha256: Optional[str] = None,
                 size: Optional[int] = None, progress: bool = True, timeout: float = 60.0,
                 what: Optional[str] = None, hint: str = "") -> pathlib.Path:
  """Downloads ``url`` to ``dest`` atomically, checking the sha256 (and size) when given.

  The data go to a temporary file next to ``dest`` that replaces ``dest`` only once the checksum
  matches; on any failure the temporary file is deleted.

  Args:
    url: ``http(s)://`` or ``file://`` URL.
    dest: final path; its folder is created.
    sha256: expected hex digest, or ``None`` to skip the check.
    size: expected size in bytes (also sizes the progress bar).
    progress: show a tqdm bar on stderr.
    timeout: socket timeout in seconds.
    what: name used in messages (default: the file name).
    hint: extra text appended to error messages (how to supply the file by hand).

  Returns:
    ``dest`` as a path.

  Raises:
    DownloadError: unreachable URL, HTTP error, truncated transfer or checksum mismatch.
  """
  dest = pathlib.Path(dest)
  what = what or dest.name
  suffix = f"; {hint}" if hint else ""
  if dest.is_dir():
    raise DownloadError(f"{dest}: {_not_a_file(dest)}")
  try:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
  except OSError as e:
    raise DownloadError(f"{dest}: cannot write to {dest.parent} ({e}); pass root= a writable "
                        f"folder{suffix}") from e
  tmp = pathlib.Path(tmp_name)
  h = hashlib.sha256()
  received = 0
  try:
    try:
      response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as e:
      raise DownloadError(f"{what}: download from {url} failed with HTTP {e.code} "
                          f"({e.reason}){suffix}") from e
    except (urllib.error.URLError, socket.timeout, OSError, ValueError) as e:
      reason = getattr(e, "reason", e)
      raise DownloadError(
          f"{what}: could not download {url} ({reason}): offline or unreachable{suffix}") from e
    with response, os.fdopen(fd, "wb") as out:
      fd = None
      total = size
      if total is None:
        length = response.headers.get("Content-Length") if response.headers else None
        total = int(length) if length and length.isdigit() else None
      bar = None
      if progress:
        from tqdm import tqdm
        bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                   desc=f"downloading {what}", leave=False)
      try:
        while True:
          try:
            block = response.read(1 << 16)
          except (socket.timeout, OSError) as e:
            raise DownloadError(f"{what}: connection to {url} broke after {received} bytes "
                                f"({e}){suffix}") from e
          if not block:
            break
          out.write(block)
          h.update(block)
          received += len(block)
          if bar is not None:
            bar.update(len(block))
      finally:
        if bar is not None:
          bar.close()
    if size is not None and received != size:
      raise DownloadError(f"{what}: downloaded {received} bytes from {url}, expected {size} "
                          f"(truncated transfer or a different file){suffix}")
    digest = h.hexdigest()
    if sha256 is not None and digest != sha256:
      raise DownloadError(f"{what}: checksum mismatch for {url}: expected sha256 {sha256}, got "
                          f"{digest}; the download was discarded{suffix}")
    try:
      os.replace(tmp, dest)
    except OSError as e:
      problem = _not_a_file(dest) if dest.is_dir() else f"cannot move the download into place ({e})"
      raise DownloadError(f"{dest}: {problem}") from e
    return dest
  finally:
    if fd is not None:
      os.close(fd)
    if tmp.exists():
      tmp.unlink()


def _find_member(zf: zipfile.ZipFile, member: str) -> Optional[str]:
  names = [n for n in zf.namelist() if not n.startswith("__MACOSX/") and not n.endswith("/")]
  if member in names:
    return member
  hits = [n for n in names if n.endswith("/" + member)]
  return hits[0] if len(hits) == 1 else None


def _extract_from_archives(items: List[RemoteFile], raw_dir: pathlib.Path, *, progress: bool,
                           timeout: float) -> None:
  by_archive: Dict[Archive, List[RemoteFile]] = {}
  for f in items:
    by_archive.setdefault(dataclasses.replace(f.archive, member=""), []).append(f)
  for archive, files in by_archive.items():
    tmp_dir = pathlib.Path(tempfile.mkdtemp(prefix=".archive.", dir=raw_dir))
    try:
      zip_path = tmp_dir / pathlib.PurePosixPath(archive.url).name
      hint = "; ".join(_hand_instructions(f, raw_dir / f.name) for f in files)
      download_url(archive.url, zip_path, sha256=archive.sha256, size=archive.size,
                   progress=progress, timeout=timeout, hint=hint)
      try:
        with zipfile.ZipFile(zip_path) as zf:
          for f in files:
            member = _find_member(zf, f.archive.member)
            if member is None:
              raise DownloadError(f"{f.name}: not found in {archive.url} (looked for "
                                  f"{f.archive.member!r})")
            part = tmp_dir / f.name
            with zf.open(member) as src, open(part, "wb") as dst:
              shutil.copyfileobj(src, dst)
            digest = sha256_file(part)
            if digest != f.sha256:
              raise DownloadError(f"{f.name}: checksum mismatch for member {member!r} of "
                                  f"{archive.url}: expected sha256 {f.sha256}, got {digest}")
            os.replace(part, raw_dir / f.name)
      except (zipfile.BadZipFile, OSError) as e:
        raise DownloadError(f"{archive.url}: cannot extract ({e})") from e
    finally:
      shutil.rmtree(tmp_dir, ignore_errors=True)


def _fix_hint(f: RemoteFile, path: pathlib.Path, download: bool) -> str:
  """How to replace a bad present file: let a download replace it, or supply it by hand."""
  if download:
    return "delete it to download it again"
  return (f"downloads are off (download=False or ${ENV_OFFLINE}): "
          + _hand_instructions(f, path))


def _check_digest(f: RemoteFile, path: pathlib.Path, st: os.stat_result, *, label: str,
                  verified: _VerifiedFiles, force: bool, download: bool) -> None:
  """Raises :class:`DatasetError` unless ``path`` has ``f.sha256`` (hashed unless cached)."""
  if not force and verified.vouches(path, st, f.sha256):
    return
  try:
    digest = sha256_file(path)
  except OSError as e:
    raise DatasetError(unreadable_message(path, e, what=f"{label}raw file")) from e
  if digest == f.sha256:
    verified.record(path, digest)
    return
  verified.forget(path)
  raise DatasetError(f"{path}: {label}checksum mismatch: expected sha256 {f.sha256}, got "
                     f"{digest} (the file is damaged or a different version); "
                     f"{_fix_hint(f, path, download)} (verify=False skips this check)")


def ensure_files(files: Sequence[RemoteFile], folder: str, *, root: Optional[PathLike] = None,
                 download: Optional[bool] = None, mirror: Optional[str] = None,
                 verify: Optional[bool] = None, progress: bool = True, timeout: float = 60.0,
                 dataset: Optional[str] = None) -> pathlib.Path:
  """Makes sure every file is in ``<root>/<folder>/raw/``, intact, downloading missing ones.

  Args:
    files: the raw files of one dataset.
    folder: the dataset's folder name (e.g. ``'cora'``, ``'HeCo-acm'``).
    root: data root (see :func:`resolve_root`).
    download: fetch missing files; ``None`` means yes unless ``$JGSSL_OFFLINE`` is set.
    mirror: base URL replacing the canonical URLs (default ``$JGSSL_DATA_MIRROR``).
    verify: sha256 of the files already present: ``None`` (default) checks each file version
      once and remembers it (:func:`verification_cache_path`), ``True`` re-hashes every file,
      ``False`` checks sizes only. Downloads are always checked.
    progress: tqdm progress bars for downloads.
    timeout: socket timeout of each download, in seconds.
    dataset: dataset name used in messages.

  Returns:
    The folder ``<root>/<folder>/raw``.

  Raises:
    DatasetError: a present file with the wrong size or sha256, that is not readable, or a
      directory in its place, or a missing file while downloads are off (the messages give its
      size, sha256, URL and the path to put it at).
    DownloadError: a download failed (offline, unreachable, checksum mismatch).
  """
  raw_dir = resolve_root(root) / folder / "raw"
  label = f"dataset {dataset!r}: " if dataset else ""
  if download is None:
    download = not _offline_default()
  if mirror is None:
    mirror = os.environ.get(ENV_MIRROR) or None
  verified = _VerifiedFiles()
  missing = []
  try:
    for f in files:
      path = raw_dir / f.name
      if not path.is_file():
        if path.exists():
          raise DatasetError(f"{path}: {label}{_not_a_file(path)}")
        missing.append(f)
        continue
      st = path.stat()
      if st.st_size != f.size:
        raise DatasetError(f"{path}: {label}size {st.st_size} bytes, expected {f.size} "
                           f"(truncated or a different version); "
                           f"{_fix_hint(f, path, download)}")
      if verify is not False:
        _check_digest(f, path, st, label=label, verified=verified, force=verify is True,
                      download=download)
    if not missing:
      return raw_dir
    if not download:
      lines = [f"{label}missing {', '.join(f.name for f in missing)} in {raw_dir} (downloads "
               "are off):"]
      for f in missing:
        lines.append(f"  {f.name}: {f.size} bytes, sha256 {f.sha256}; "
                     + _hand_instructions(f, raw_dir / f.name))
      raise DatasetError("\n".join(lines))
    archived = []
    for f in missing:
      target = raw_dir / f.name
      hint = _hand_instructions(f, target)
      if mirror:
        download_url(_mirror_url(mirror, folder, f.name), target, sha256=f.sha256, size=f.size,
                     progress=progress, timeout=timeout, what=f.name, hint=hint)
      elif f.url is not None:
        download_url(f.url, target, sha256=f.sha256, size=f.size, progress=progress,
                     timeout=timeout, what=f.name, hint=hint)
      else:
        archived.append(f)
        continue
      verified.record(target, f.sha256)  # checked while downloading
    if archived:
      raw_dir.mkdir(parents=True, exist_ok=True)
      _extract_from_archives(archived, raw_dir, progress=progress, timeout=timeout)
      for f in archived:
        verified.record(raw_dir / f.name, f.sha256)
    return raw_dir
  finally:
    verified.save()


def missing_files(files: Iterable[RemoteFile], folder: str,
                  root: Optional[PathLike] = None) -> List[str]:
  """Names of the files not present under ``<root>/<folder>/raw`` (no network, no checks)."""
  raw_dir = resolve_root(root) / folder / "raw"
  return [f.name for f in files if not (raw_dir / f.name).is_file()]

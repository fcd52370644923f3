"""Integrity of present files and honest messages (issue 21, item 8: faults found by a probe).

* A file damaged without changing its size is caught by default (sha256 checked once per file
  version and remembered in a small cache, so the second load hashes nothing).
* A directory where a data file should be is named as such, with or without a mirror.
* Messages give the right hint: not a valid npz archive, not readable (permission), and where to
  put the file when downloads are off instead of "delete it to download it again".
"""

import builtins
import io
import json
import os
import pathlib

import numpy as np
import pytest

import jgssl.data as jdata
from jgssl.data import DatasetError, DownloadError
from jgssl.data import __main__ as cli
from jgssl.data import download as dl
from jgssl.data import gnn_benchmark, planetoid, registry

CORA_GRAPH_SHA = registry.get_spec("cora").files[2].sha256


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
  """A fresh verification cache for this test (``$JGSSL_CACHE_DIR``), in-process memo cleared."""
  path = tmp_path / "verify-cache"
  monkeypatch.setenv("JGSSL_CACHE_DIR", str(path))
  dl.clear_verification_memo()
  yield path
  dl.clear_verification_memo()


@pytest.fixture
def count_hashes(monkeypatch):
  """Counts the files :mod:`jgssl.data.download` hashes: ``counter['n']``."""
  counter = {"n": 0, "names": []}
  real = dl.sha256_file

  def counting(path, *args, **kwargs):
    counter["n"] += 1
    counter["names"].append(pathlib.Path(path).name)
    return real(path, *args, **kwargs)

  monkeypatch.setattr(dl, "sha256_file", counting)
  return counter


def _flip_cora_graph(raw):
  """The probe's damage: byte 40208 of ``ind.cora.graph`` set to 0x7c (size unchanged)."""
  path = raw / "ind.cora.graph"
  data = bytearray(path.read_bytes())
  assert data[40208] != 0x7C
  data[40208] = 0x7C
  path.write_bytes(bytes(data))
  return path


# --------------------------------------------------------------------------------------------
# 1. Same-size damage is caught by default, cheaply
# --------------------------------------------------------------------------------------------


def test_flipped_byte_is_caught_by_default(copy_raw, cache_dir, monkeypatch):
  monkeypatch.delenv("JGSSL_OFFLINE", raising=False)
  raw = copy_raw("cora")
  _flip_cora_graph(raw)
  root = raw.parent.parent
  with pytest.raises(DatasetError) as info:
    jdata.load("cora", root=root, progress=False)
  message = str(info.value)
  assert message.startswith(f"{raw / 'ind.cora.graph'}: ")
  assert f"checksum mismatch: expected sha256 {CORA_GRAPH_SHA}, got " in message
  got = message.split(", got ")[1][:64]
  assert got == dl.sha256_file(raw / "ind.cora.graph") and got != CORA_GRAPH_SHA
  assert "damaged or a different version" in message and "delete it" in message
  # Downloads off: the hint says where to get the file and where to put it instead.
  with pytest.raises(DatasetError) as info:
    jdata.load("cora", root=root, download=False)
  message = str(info.value)
  assert "delete it to download it again" not in message
  assert "kimiyoung/planetoid" in message and f"put it at {raw / 'ind.cora.graph'}" in message
  # The opt-out: trusted by size alone (the probe's silently wrong 10558 edges).
  assert jdata.load("cora", root=root, download=False, verify=False).num_edges == 10558


def test_flipped_byte_reported_by_stats_cli(copy_raw, cache_dir, capsys):
  raw = copy_raw("cora")
  _flip_cora_graph(raw)
  assert cli.main(["stats", "--json", "--quiet", "--no-download", "--root",
                   str(raw.parent.parent), "cora"]) == 0
  (entry,) = json.loads(capsys.readouterr().out)
  assert "num_edges" not in entry
  assert "ind.cora.graph" in entry["error"] and "checksum mismatch" in entry["error"]
  # --no-verify trusts sizes only.
  assert cli.main(["stats", "--json", "--quiet", "--no-download", "--no-verify", "--root",
                   str(raw.parent.parent), "cora"]) == 0
  (entry,) = json.loads(capsys.readouterr().out)
  assert entry["num_edges"] == 10558


def test_many_single_bit_flips_are_all_caught(copy_raw, cache_dir):
  """The probe flipped 24 single bits and 12 went unnoticed; now every one is caught."""
  raw = copy_raw("cora")
  path = raw / "ind.cora.graph"
  good = path.read_bytes()
  rng = np.random.default_rng(21)
  for offset in rng.choice(len(good), size=24, replace=False):
    data = bytearray(good)
    data[offset] ^= 1 << int(rng.integers(8))
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="checksum mismatch"):
      jdata.load("cora", root=raw.parent.parent, download=False)
  path.write_bytes(good)
  assert jdata.load("cora", root=raw.parent.parent, download=False).num_edges == 10556


def test_verification_is_cached_per_file_version(copy_raw, cache_dir, count_hashes):
  raw = copy_raw("MUTAG")
  root = raw.parent.parent
  files = registry.get_spec("mutag").files
  jdata.load("mutag", root=root, download=False)
  assert count_hashes["n"] == len(files)  # first load: every file hashed once
  cache_file = cache_dir / "verified.json"
  assert cache_file.is_file()
  entries = json.loads(cache_file.read_text())["files"]
  assert {pathlib.Path(p).name for p in entries} == {f.name for f in files}

  dl.clear_verification_memo()  # a new process: only the cache file remembers
  count_hashes["n"] = 0
  jdata.load("mutag", root=root, download=False)
  assert count_hashes["n"] == 0  # second load: nothing hashed

  jdata.load("mutag", root=root, download=False, verify=True)
  assert count_hashes["n"] == len(files)  # verify=True always re-hashes

  count_hashes["n"] = 0
  jdata.load("mutag", root=root, download=False, verify=False)
  assert count_hashes["n"] == 0

  # Same-size damage after the file was verified, with its mtime put back: still caught (the
  # key holds size, mtime_ns, ctime_ns and the inode, and a rewrite changes the ctime).
  path = raw / "MUTAG_node_labels.txt"
  st = path.stat()
  data = bytearray(path.read_bytes())
  data[0:1] = b"1" if data[0:1] != b"1" else b"2"
  path.write_bytes(bytes(data))
  os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
  count_hashes["n"] = 0
  with pytest.raises(DatasetError, match=r"MUTAG_node_labels\.txt: .*checksum mismatch"):
    jdata.load("mutag", root=root, download=False)
  assert count_hashes["names"][-1] == "MUTAG_node_labels.txt" and count_hashes["n"] == 1


def test_cache_never_vouches_for_a_mismatch(copy_raw, cache_dir, count_hashes):
  """An entry whose digest is not the expected one is not trusted (the file is re-hashed)."""
  raw = copy_raw("MUTAG")
  jdata.load("mutag", root=raw.parent.parent, download=False)
  cache_file = cache_dir / "verified.json"
  state = json.loads(cache_file.read_text())
  for entry in state["files"].values():
    entry["sha256"] = "0" * 64
  cache_file.write_text(json.dumps(state))
  dl.clear_verification_memo()
  count_hashes["n"] = 0
  jdata.load("mutag", root=raw.parent.parent, download=False)  # good files: still loads
  assert count_hashes["n"] == len(registry.get_spec("mutag").files)


def test_verify_true_catches_damage_the_cache_vouches_for(copy_raw, cache_dir):
  """Bit rot leaves the metadata alone, so the cache still vouches: ``verify=True`` re-hashes,
  and the failed file is forgotten (later default loads report it too)."""
  raw = copy_raw("MUTAG")
  root = raw.parent.parent
  jdata.load("mutag", root=root, download=False)
  path = raw / "MUTAG_node_labels.txt"
  data = bytearray(path.read_bytes())
  data[0:1] = b"1" if data[0:1] != b"1" else b"2"
  path.write_bytes(bytes(data))
  # Simulate rot under unchanged metadata: the cache entry vouches for the new stat key.
  cache_file = cache_dir / "verified.json"
  state = json.loads(cache_file.read_text())
  state["files"][str(path.absolute())]["key"] = dl._stat_key(path.stat())
  cache_file.write_text(json.dumps(state))
  dl.clear_verification_memo()
  assert jdata.load("mutag", root=root, download=False).num_graphs == 188  # vouched for
  with pytest.raises(DatasetError, match=r"MUTAG_node_labels\.txt: .*checksum mismatch"):
    jdata.load("mutag", root=root, download=False, verify=True)
  assert str(path.absolute()) not in json.loads(cache_file.read_text())["files"]
  dl.clear_verification_memo()
  with pytest.raises(DatasetError, match=r"MUTAG_node_labels\.txt: .*checksum mismatch"):
    jdata.load("mutag", root=root, download=False)


@pytest.mark.parametrize("damage", ["garbage", "not-a-dict", "directory"])
def test_broken_or_unwritable_cache_degrades_gracefully(copy_raw, tmp_path, monkeypatch,
                                                        count_hashes, damage):
  raw = copy_raw("MUTAG")
  dl.clear_verification_memo()
  if damage == "directory":
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("JGSSL_CACHE_DIR", str(blocker / "cache"))  # cannot be created
  else:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "verified.json").write_text("{not json" if damage == "garbage" else "[1, 2]")
    monkeypatch.setenv("JGSSL_CACHE_DIR", str(cache))
  try:
    assert jdata.load("mutag", root=raw.parent.parent, download=False).num_graphs == 188
    assert count_hashes["n"] == 4
    count_hashes["n"] = 0
    assert jdata.load("mutag", root=raw.parent.parent, download=False).num_graphs == 188
    assert count_hashes["n"] == 0  # remembered in-process even when nothing is writable
    if damage != "directory":
      json.loads((tmp_path / "cache" / "verified.json").read_text())  # rewritten, valid
  finally:
    dl.clear_verification_memo()


def test_cache_location(tmp_path, monkeypatch):
  monkeypatch.setenv("JGSSL_CACHE_DIR", str(tmp_path / "explicit"))
  assert dl.verification_cache_path() == tmp_path / "explicit" / "verified.json"
  monkeypatch.delenv("JGSSL_CACHE_DIR")
  monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
  assert dl.verification_cache_path() == tmp_path / "xdg" / "jgssl" / "verified.json"
  monkeypatch.delenv("XDG_CACHE_HOME")
  monkeypatch.setenv("HOME", str(tmp_path / "home"))
  assert dl.verification_cache_path() == tmp_path / "home" / ".cache" / "jgssl" / "verified.json"


def test_downloaded_files_are_remembered_as_verified(data_root, tmp_path, cache_dir,
                                                     http_serve, count_hashes):
  cache = tmp_path / "cache"
  jdata.load("mutag", root=cache, mirror=http_serve(data_root), progress=False)
  count_hashes["n"] = 0
  dl.clear_verification_memo()
  jdata.load("mutag", root=cache, download=False)
  assert count_hashes["n"] == 0  # checked while downloading: not hashed again


def test_shared_read_only_collection_loads_with_default_verification(data_root, cache_dir):
  """The read-only shared datasets verify (the cache lives elsewhere) and load unchanged."""
  assert jdata.load("cora", root=data_root, download=False).num_edges == 10556
  entries = json.loads((cache_dir / "verified.json").read_text())["files"]
  assert str((data_root / "cora" / "raw" / "ind.cora.graph").absolute()) in entries


# --------------------------------------------------------------------------------------------
# 2. A directory where a data file should be
# --------------------------------------------------------------------------------------------


def _dir_in_place(raw, name):
  path = raw / name
  path.unlink()
  path.mkdir()
  (path / "inside").write_text("x")
  return path


def test_directory_instead_of_file_is_named(copy_raw, cache_dir):
  raw = copy_raw("cora")
  path = _dir_in_place(raw, "ind.cora.x")
  expected = rf"{path}: .*is a directory, expected a file; remove it"
  with pytest.raises(DatasetError, match=expected):
    jdata.load("cora", root=raw.parent.parent, download=False)
  with pytest.raises(DatasetError, match=expected):
    planetoid.read_planetoid(raw, "cora")


def test_directory_instead_of_file_with_a_mirror(copy_raw, data_root, cache_dir, http_serve,
                                                 monkeypatch):
  raw = copy_raw("cora")
  path = _dir_in_place(raw, "ind.cora.x")
  monkeypatch.setenv("JGSSL_DATA_MIRROR", http_serve(data_root))
  with pytest.raises(DatasetError, match=rf"{path}: .*is a directory, expected a file; remove "
                                         r"it"):
    jdata.load("cora", root=raw.parent.parent, progress=False)
  assert path.is_dir() and (path / "inside").is_file()  # nothing removed behind the user's back


def test_download_url_onto_a_directory(tmp_path, data_root, http_serve):
  dest = tmp_path / "target"
  dest.mkdir()
  url = http_serve(data_root) + "/MUTAG/raw/MUTAG_graph_labels.txt"
  with pytest.raises(DownloadError, match=rf"{dest}: is a directory, expected a file; remove it"):
    dl.download_url(url, dest, progress=False)
  assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


# --------------------------------------------------------------------------------------------
# 3. Honest hints
# --------------------------------------------------------------------------------------------


def test_text_in_place_of_npz_is_not_a_valid_archive(copy_raw):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  path.write_text("this is not an archive\n" * 100)
  with pytest.raises(DatasetError) as info:
    gnn_benchmark.read_gnn_benchmark(path)
  message = str(info.value)
  assert message.startswith(f"{path}: ") and "not a valid npz archive" in message
  assert "allow_pickle" not in message and "unsafely" not in message


def test_npy_in_place_of_npz_is_named(tmp_path):
  path = tmp_path / "data.npz"
  with open(path, "wb") as f:
    np.save(f, np.arange(3))
  with pytest.raises(DatasetError, match=r"data\.npz: .*not a valid npz archive.*a \.npy array"):
    jdata.validate.load_npz_arrays(path, ["x"])


@pytest.mark.parametrize("how", ["download=False", "JGSSL_OFFLINE"])
def test_size_mismatch_hint_when_downloads_are_off(copy_raw, cache_dir, monkeypatch, how):
  raw = copy_raw("MUTAG")
  with open(raw / "MUTAG_A.txt", "a") as f:
    f.write("1, 2\n")
  kwargs = {}
  if how == "JGSSL_OFFLINE":
    monkeypatch.setenv("JGSSL_OFFLINE", "1")
  else:
    kwargs["download"] = False
  with pytest.raises(DatasetError) as info:
    jdata.load("mutag", root=raw.parent.parent, **kwargs)
  message = str(info.value)
  assert "size 76945 bytes, expected 76940" in message
  assert "delete it to download it again" not in message
  assert "downloads are off" in message
  assert f"put it at {raw / 'MUTAG_A.txt'}" in message and "76940 bytes" in message
  assert "graph-neural-networks-for-graph-classification" in message  # where to get it


def _deny(monkeypatch, denied):
  """``open`` raises PermissionError for ``denied`` (the tests run as root, who reads all)."""
  real_open = builtins.open
  denied = os.fspath(denied)

  def fake_open(file, *args, **kwargs):
    if isinstance(file, (str, os.PathLike)) and os.fspath(file) == denied:
      raise PermissionError(13, "Permission denied", denied)
    return real_open(file, *args, **kwargs)

  monkeypatch.setattr(builtins, "open", fake_open)
  monkeypatch.setattr(io, "open", fake_open)


def test_unreadable_file_is_a_permission_problem(copy_raw, cache_dir, monkeypatch):
  raw = copy_raw("cora")
  path = raw / "ind.cora.tx"
  _deny(monkeypatch, path)
  for call in (lambda: planetoid.read_planetoid(raw, "cora"),
               lambda: jdata.load("cora", root=raw.parent.parent, download=False),
               lambda: jdata.load("cora", root=raw.parent.parent, download=False,
                                  verify=False)):
    with pytest.raises(DatasetError) as info:
      call()
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "not readable" in message and "permission" in message.lower()
    assert "truncated or corrupted" not in message


def test_unreadable_npz_is_a_permission_problem(copy_raw, monkeypatch):
  raw = copy_raw("amazon-photo")
  path = raw / "amazon_photo.npz"
  _deny(monkeypatch, path)
  with pytest.raises(DatasetError, match=rf"{path}: .*not readable") as info:
    gnn_benchmark.read_gnn_benchmark(path)
  assert "truncated or corrupted" not in str(info.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_chmod_000_file_is_a_permission_problem(copy_raw, cache_dir):
  raw = copy_raw("cora")
  path = raw / "ind.cora.tx"
  path.chmod(0)
  try:
    with pytest.raises(DatasetError, match=rf"{path}: .*not readable"):
      jdata.load("cora", root=raw.parent.parent, download=False)
  finally:
    path.chmod(0o644)

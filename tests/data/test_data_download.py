"""Download / cache path, exercised for real against a local HTTP server (never the internet)."""

import pathlib
import shutil
import zipfile

import pytest

import jgssl.data as jdata
from jgssl.data import DatasetError, DownloadError
from jgssl.data import download as dl
from jgssl.data import registry


def _no_leftovers(folder):
  """No temporary download files or archive folders remain."""
  names = [p.name for p in pathlib.Path(folder).rglob("*")]
  assert not [n for n in names if n.endswith(".part") or n.startswith(".archive.")], names


@pytest.mark.parametrize("name", ["mutag", "cora"])
def test_download_from_mirror_into_empty_cache(name, data_root, tmp_path, http_serve):
  mirror = http_serve(data_root)
  cache = tmp_path / "cache"
  ds = jdata.load(name, root=cache, mirror=mirror, progress=False)
  spec = registry.get_spec(name)
  raw = cache / spec.folder / "raw"
  assert sorted(p.name for p in raw.iterdir()) == sorted(f.name for f in spec.files)
  for f in spec.files:
    assert (raw / f.name).stat().st_size == f.size
    assert dl.sha256_file(raw / f.name) == f.sha256
  _no_leftovers(cache)
  reference = jdata.load(name, root=data_root, download=False)
  assert ds.num_nodes == reference.num_nodes and ds.num_edges == reference.num_edges
  # Second load: files present, nothing fetched (the server may be gone).
  again = jdata.load(name, root=cache, mirror="http://127.0.0.1:9/unused", verify=True,
                     progress=False)
  assert again.num_edges == reference.num_edges


def test_mirror_from_environment_and_data_dir(data_root, tmp_path, http_serve, monkeypatch):
  monkeypatch.setenv("JGSSL_DATA_MIRROR", http_serve(data_root))
  monkeypatch.setenv("JGSSL_DATA_DIR", str(tmp_path / "env-root"))
  ds = jdata.load("MUTAG", progress=False)  # case-insensitive; root from the environment
  assert ds.num_graphs == 188
  assert (tmp_path / "env-root" / "MUTAG" / "raw" / "MUTAG_A.txt").is_file()


def test_corrupted_file_on_mirror_gives_checksum_error(data_root, tmp_path, http_serve):
  served = tmp_path / "served"
  shutil.copytree(data_root / "MUTAG", served / "MUTAG")
  path = served / "MUTAG" / "raw" / "MUTAG_graph_labels.txt"
  path.chmod(0o644)
  data = bytearray(path.read_bytes())
  data[0:2] = b"-1" if data[0:2] != b"-1" else b" 1"  # same size, different bytes
  path.write_bytes(bytes(data))
  cache = tmp_path / "cache"
  with pytest.raises(DownloadError, match=r"MUTAG_graph_labels\.txt: checksum mismatch for .*: "
                                          r"expected sha256 a1518ea3\w{56}, got [0-9a-f]{64}; the "
                                          r"download was discarded"):
    jdata.load("mutag", root=cache, mirror=http_serve(served), progress=False)
  assert not (cache / "MUTAG" / "raw" / "MUTAG_graph_labels.txt").exists()
  _no_leftovers(cache)


def test_truncated_transfer_is_rejected(data_root, tmp_path, http_serve):
  served = tmp_path / "served"
  shutil.copytree(data_root / "MUTAG", served / "MUTAG")
  path = served / "MUTAG" / "raw" / "MUTAG_A.txt"
  path.chmod(0o644)
  path.write_bytes(path.read_bytes()[:1000])
  with pytest.raises(DownloadError, match=r"MUTAG_A\.txt: downloaded 1000 bytes from .*, expected "
                                          r"76940"):
    jdata.load("mutag", root=tmp_path / "cache", mirror=http_serve(served), progress=False)


def test_unreachable_mirror_gives_offline_message(tmp_path, closed_port_url):
  cache = tmp_path / "cache"
  with pytest.raises(DownloadError) as info:
    jdata.load("mutag", root=cache, mirror=closed_port_url, progress=False)
  message = str(info.value)
  assert "could not download" in message and "offline or unreachable" in message
  assert f"{closed_port_url}/MUTAG/raw/" in message  # the URL tried
  assert "by hand" in message and str(cache / "MUTAG" / "raw") in message  # how to supply it
  _no_leftovers(cache)


def test_http_404(tmp_path, http_serve):
  empty = tmp_path / "empty"
  empty.mkdir()
  with pytest.raises(DownloadError, match=r"MUTAG_A\.txt: download from .* failed with HTTP 404"):
    jdata.load("mutag", root=tmp_path / "cache", mirror=http_serve(empty), progress=False)


def test_downloads_off_lists_missing_files(tmp_path, monkeypatch):
  with pytest.raises(DatasetError) as info:
    jdata.load("mutag", root=tmp_path, download=False)
  message = str(info.value)
  for f in registry.get_spec("mutag").files:
    assert f.name in message and f.sha256 in message and str(f.size) in message
  assert "graph-neural-networks-for-graph-classification" in message  # the archive URL
  monkeypatch.setenv("JGSSL_OFFLINE", "1")
  with pytest.raises(DatasetError, match="downloads are off"):
    jdata.load("cora", root=tmp_path)


def test_files_inside_an_archive(data_root, tmp_path, http_serve):
  """TU-style files fetched from a zip: archive checksum first, then every member's."""
  served = tmp_path / "served"
  served.mkdir()
  spec = registry.get_spec("mutag")
  zip_path = served / "MUTAG.zip"
  with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
    for f in spec.files:
      zf.write(data_root / "MUTAG" / "raw" / f.name, f"MUTAG/{f.name}")
    zf.writestr("__MACOSX/MUTAG/._MUTAG_A.txt", "junk")
  base = http_serve(served)
  archive = dl.Archive(url=f"{base}/MUTAG.zip", size=zip_path.stat().st_size,
                       sha256=dl.sha256_file(zip_path), member="")
  files = [dl.RemoteFile(f.name, f.size, f.sha256, archive=dl.Archive(
      url=archive.url, size=archive.size, sha256=archive.sha256, member=f.name))
           for f in spec.files]
  raw = dl.ensure_files(files, "MUTAG", root=tmp_path / "cache", progress=False)
  for f in spec.files:
    assert dl.sha256_file(raw / f.name) == f.sha256
  assert not (raw / "MUTAG.zip").exists()
  _no_leftovers(tmp_path / "cache")
  assert jdata.read_tu(raw, "MUTAG").num_graphs == 188

  # A wrong archive checksum is refused before anything is extracted.
  bad = [dl.RemoteFile(f.name, f.size, f.sha256, archive=dl.Archive(
      url=archive.url, size=archive.size, sha256="0" * 64, member=f.name)) for f in spec.files]
  with pytest.raises(DownloadError, match=r"MUTAG\.zip: checksum mismatch .*expected sha256 0{64}"):
    dl.ensure_files(bad, "MUTAG", root=tmp_path / "cache2", progress=False)
  assert not any((tmp_path / "cache2" / "MUTAG" / "raw").glob("MUTAG_*"))


def test_default_root_follows_environment(tmp_path, monkeypatch):
  monkeypatch.delenv("JGSSL_DATA_DIR", raising=False)
  monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
  assert dl.default_root() == tmp_path / "xdg" / "jgssl"
  monkeypatch.delenv("XDG_CACHE_HOME")
  monkeypatch.setenv("HOME", str(tmp_path / "home"))
  assert dl.default_root() == tmp_path / "home" / ".cache" / "jgssl"
  monkeypatch.setenv("JGSSL_DATA_DIR", str(tmp_path / "data"))
  assert dl.default_root() == tmp_path / "data"
  assert dl.resolve_root(tmp_path / "explicit") == tmp_path / "explicit"


def test_present_file_with_wrong_size(data_root, tmp_path, copy_raw):
  raw = copy_raw("MUTAG", root=tmp_path / "root")
  with open(raw / "MUTAG_A.txt", "a") as f:
    f.write("1, 2\n")
  with pytest.raises(DatasetError, match=r"MUTAG_A\.txt: dataset 'mutag': size 76945 bytes, "
                                         r"expected 76940 .*delete it to download it again"):
    jdata.load("mutag", root=tmp_path / "root")


def test_registry_sizes_and_checksums_match_the_files(data_root):
  """Every registered file present in the shared collection has the recorded size and sha256."""
  checked = 0
  for name in jdata.list_datasets():
    spec = registry.get_spec(name)
    for f in spec.files:
      path = data_root / spec.folder / "raw" / f.name
      if name == "pubmed" and f.name == "ind.pubmed.allx":
        assert not path.exists()
        continue
      assert path.stat().st_size == f.size, path
      assert dl.sha256_file(path) == f.sha256, path
      checked += 1
  assert checked == 93  # all registered files but ind.pubmed.allx

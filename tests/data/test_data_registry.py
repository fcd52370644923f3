"""The registry: names, errors, options, provenance, and agreement with MANIFEST.md."""

import re

import pytest

import jgssl.data as jdata

EXPECTED_NAMES = [
    "cora", "citeseer", "pubmed", "amazon-computers", "amazon-photo", "coauthor-cs",
    "coauthor-physics", "mutag", "proteins", "nci1", "imdb-binary", "imdb-multi", "collab",
    "reddit-binary", "acm", "dblp", "yelp", "citeseer-tag",
]


def test_list_datasets():
  assert sorted(jdata.list_datasets()) == sorted(EXPECTED_NAMES)
  assert sorted(jdata.list_datasets("graph")) == sorted(
      ["mutag", "proteins", "nci1", "imdb-binary", "imdb-multi", "collab", "reddit-binary"])
  assert jdata.list_datasets("hetero") == ["acm", "dblp"]
  assert jdata.list_datasets("interaction") == ["yelp"]
  with pytest.raises(ValueError, match="kind must be"):
    jdata.list_datasets("graphs")


@pytest.mark.parametrize("spelling, name", [
    ("CORA", "cora"), ("Cora", "cora"), ("IMDB-BINARY", "imdb-binary"),
    ("imdb_binary", "imdb-binary"), ("HeCo-acm", "acm"), ("SSLRec-sparse_yelp", "yelp"),
    ("REDDIT-BINARY", "reddit-binary"), (" mutag ", "mutag"),
])
def test_names_are_case_insensitive(spelling, name):
  assert jdata.get_spec(spelling).name == name


def test_unknown_name_lists_known_and_suggests():
  with pytest.raises(ValueError) as info:
    jdata.load("corra")
  message = str(info.value)
  assert "unknown dataset 'corra'" in message and "Did you mean 'cora'?" in message
  for name in EXPECTED_NAMES:
    assert name in message
  with pytest.raises(ValueError, match=r"Did you mean 'imdb-multi'\?"):
    jdata.get_spec("imdb-mutli")
  with pytest.raises(ValueError, match="Known datasets"):
    jdata.get_spec("zzzz")


def test_unknown_option_is_rejected_before_any_file_access(tmp_path):
  with pytest.raises(ValueError, match=r"unknown option\(s\) \['max_degree'\] for dataset 'cora'; "
                                       r"accepted: none"):
    jdata.load("cora", root=tmp_path, max_degree=3)
  with pytest.raises(ValueError, match=r"accepted: node_features, max_degree, use_node_attr"):
    jdata.load("mutag", root=tmp_path, degree_cap=3)


def test_specs_carry_provenance():
  for name in EXPECTED_NAMES:
    spec = jdata.get_spec(name)
    assert spec.source and spec.license and spec.citation, name
    for f in spec.files:
      assert re.fullmatch(r"[0-9a-f]{64}", f.sha256) and f.size > 0
      url = f.url or f.archive.url
      # Canonical raw GitHub URLs pinned to a 40-hex commit.
      assert re.match(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/", url), url


def _manifest_tables(text):
  """``{section: {file: (size, sha256)}}`` from the per-file tables of MANIFEST.md."""
  out, section = {}, None
  for line in text.splitlines():
    m = re.match(r"^### (\S+)\s*$", line)
    if m:
      section = m.group(1)
      continue
    if line.startswith("## "):
      # A numbered section about one folder has its table right below it (e.g. SSLRec yelp).
      folders = re.findall(r"`([^`/]+)/`", line)
      section = folders[0] if len(folders) == 1 else None
    m = re.match(r"^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|", line)
    if m and section:
      out.setdefault(section, {})[m.group(1)] = (int(m.group(2)), m.group(3))
  return out


def test_registry_matches_manifest(data_root):
  text = (data_root / "MANIFEST.md").read_text()
  tables = _manifest_tables(text)
  for name in EXPECTED_NAMES:
    spec = jdata.get_spec(name)
    table = tables[spec.folder]
    for f in spec.files:
      if f.name == "ind.pubmed.allx":  # not in the collection: values quoted in the text
        assert "508e538e2abdccdd54c4d3e9f49d638b4af7107d85845f66ddea5a5152658b7e" in text
        assert f.sha256.startswith("508e538e") and f.size == 7578385
        continue
      assert table[f.name] == (f.size, f.sha256), (name, f.name)
    # Every MANIFEST file is used, except documentation and unused extras.
    unused = set(table) - {f.name for f in spec.files}
    assert unused <= {"README.txt", "README", "MUTAG_edge_labels.txt"}, (name, unused)
  # The TU zips' sha256 as quoted in the TU section.
  for name in ("mutag", "proteins", "nci1", "imdb-binary", "imdb-multi"):
    archive = jdata.get_spec(name).files[0].archive
    assert archive.sha256 in text and f"{archive.size} B" in text


def test_dataset_info_is_attached(data_root):
  ds = jdata.load("mutag", root=data_root, download=False)
  assert ds.info.name == "mutag"
  assert "Morris" in ds.info.citation and "MIT" in ds.info.license
  assert "one-hot node labels" in ds.info.description

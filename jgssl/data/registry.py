"""The dataset registry: one way in, :func:`load`.

Each entry records the dataset's folder in the shared layout (``<root>/<folder>/raw/<file>``),
every raw file with its size, sha256 and canonical public URL (raw GitHub URLs pinned to the
commits the files were taken from), the source, license and citation, and the reader that turns
the files into a dataset container.

The TU text files (MUTAG, PROTEINS, NCI1, IMDB-BINARY, IMDB-MULTI) are distributed as zips; the
registry records each zip (URL, size, sha256) and the member every file comes from, and checks
the extracted files against their own sha256. With a mirror, every file is fetched as
``<mirror>/<folder>/raw/<file>`` instead (extracted names included).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from jgssl.data import download as dl
from jgssl.data import gnn_benchmark, heco, interactions, planetoid, text, tu, types
from jgssl.data.validate import validate_dataset

__all__ = ["DatasetSpec", "REGISTRY", "get_spec", "list_datasets", "load"]

PathLike = Union[str, os.PathLike]


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
  """Registry entry of one dataset.

  Attributes:
    name: canonical lower-case name (``'cora'``).
    folder: folder name in the data root (``'cora'``, ``'HeCo-acm'``, ``'MUTAG'``).
    kind: ``'node'``, ``'graph'``, ``'hetero'`` or ``'interaction'``.
    files: the raw files the reader needs.
    reader: ``reader(raw_dir, *, info, **options) -> dataset``.
    options: keyword options :func:`load` passes on to the reader.
    source: where the raw files come from (repository @ commit).
    license: license statement of the source.
    citation: the paper to cite.
    notes: anything a user must know (missing upstream files, rebuilt parts).
  """
  name: str
  folder: str
  kind: str
  files: Tuple[dl.RemoteFile, ...]
  reader: Callable[..., Any]
  options: Tuple[str, ...] = ()
  source: str = ""
  license: str = ""
  citation: str = ""
  notes: str = ""

  @property
  def info(self) -> types.DatasetInfo:
    return types.DatasetInfo(name=self.name, source=self.source, license=self.license,
                             citation=self.citation, description=self.notes)


def _gh(repo: str, commit: str, path: str) -> str:
  return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


# ---------------------------------------------------------------------------------------------
# Planetoid
# ---------------------------------------------------------------------------------------------

_PLANETOID_REPO = "kimiyoung/planetoid"
_PLANETOID_COMMIT = "af6abf468a772cc055bec88c52e4d6f51b7c37e3"
_PLANETOID_FILES = {
    "cora": [
        ("allx", 257305, "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543"),
        ("ally", 47959, "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71"),
        ("graph", 59847, "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d"),
        ("test.index", 5000, "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875"),
        ("tx", 148025, "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a"),
        ("ty", 28135, "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad"),
        ("x", 22119, "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab"),
        ("y", 4054, "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1"),
    ],
    "citeseer": [
        ("allx", 595021, "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668"),
        ("ally", 55623, "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95"),
        ("graph", 61987, "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7"),
        ("test.index", 5000, "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4"),
        ("tx", 260321, "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21"),
        ("ty", 24135, "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce"),
        ("x", 31087, "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6"),
        ("y", 3014, "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924"),
    ],
    "pubmed": [
        # Not in the shared collection (7.2 MiB); size and sha256 from the FisherGCN LFS pointer.
        ("allx", 7578385, "508e538e2abdccdd54c4d3e9f49d638b4af7107d85845f66ddea5a5152658b7e"),
        ("ally", 224739, "0c37bbe3b5014ec365e9d393cf4791925e5ed94fb194305d74f064a8d7b50f0e"),
        ("graph", 471808, "5b89f0036ca22909471f1e6558eb42fa06e0c730a577bde5b058b40638f81dc9"),
        ("test.index", 6000, "b101d421688bbaecbd82e8a18f1e282378d6830f3a37666f28ebc47f844341b5"),
        ("tx", 405505, "4eb5f5d0f30f26497eb0ac6ac9719d09c67e284f1ed0385c93f3ef27a671da3d"),
        ("ty", 12135, "ee2e0d4819d9fbcc403689c3bf2e49face401b605932f093bc58ab6461130fdd"),
        ("x", 23172, "fbe9cb5c47200d1b7769a26e579be3b7130b556831f9d850e77c4c74f2599b33"),
        ("y", 854, "e6c807633307a07ed659249006536a147c7999c797f11a2560752990181b41b3"),
    ],
}
_PLANETOID_CITATION = ("Yang, Cohen, Salakhutdinov. Revisiting Semi-Supervised Learning with Graph "
                       "Embeddings. ICML 2016.")
_PLANETOID_ORIGIN = {
    "cora": "LINQS Cora (Sen et al., 2008)",
    "citeseer": "LINQS CiteSeer (Sen et al., 2008)",
    "pubmed": "Pubmed-Diabetes (Namata et al., 2012)",
}


def _planetoid_spec(name: str) -> DatasetSpec:
  files = tuple(
      dl.RemoteFile(f"ind.{name}.{k}", size, sha,
                    url=_gh(_PLANETOID_REPO, _PLANETOID_COMMIT, f"data/ind.{name}.{k}"))
      for k, size, sha in _PLANETOID_FILES[name])
  notes = f"Planetoid {name} ({_PLANETOID_ORIGIN[name]}), public split."
  if name == "pubmed":
    notes += (" ind.pubmed.allx (7578385 bytes) is not in the shared collection: place it by "
              "hand or download it.")
  return DatasetSpec(
      name=name, folder=name, kind="node", files=files,
      reader=functools.partial(planetoid.read_planetoid, name=name),
      source=f"https://github.com/{_PLANETOID_REPO}/tree/{_PLANETOID_COMMIT}/data",
      license="MIT (kimiyoung/planetoid, Copyright (c) 2016 Zhilin Yang)",
      citation=_PLANETOID_CITATION, notes=notes)


# ---------------------------------------------------------------------------------------------
# gnn-benchmark npz
# ---------------------------------------------------------------------------------------------

_GD_REPO, _GD_COMMIT = "EdisonLeeeee/GraphData", "e766147ccf09e2e29ea449a4029482c21a93aa7d"
_GNN_BENCHMARK = {
    # name: (folder, file, size, sha256, origin)
    "amazon-computers": ("amazon-computers", "amazon_cs.npz", 3407870,
                         "bffa1720ee30487a6f10f2ad57741d1a401d89a31a6a4c5c6de1ba42a1f2a0e0",
                         "Amazon co-purchase graph (McAuley et al., SIGIR 2015)"),
    "amazon-photo": ("amazon-photo", "amazon_photo.npz", 1769253,
                     "f0552bc8bcdb103c25b07cf4619bd9458af435c0728dc8366e86ffb912018c25",
                     "Amazon co-purchase graph (McAuley et al., SIGIR 2015)"),
    "coauthor-cs": ("coauthor-cs", "coauthor_cs.npz", 2796277,
                    "48e79e9e838aab635ca8fff852d25cb804c0d8ed79e5bae0f1a8f2d147b2188d",
                    "Microsoft Academic Graph co-authorship (KDD Cup 2016)"),
    "coauthor-physics": ("coauthor-physics", "coauthor_phy.npz", 3767567,
                         "121a85ee9fac9859693e649d3e9f3561e3a23a9aa4d8e8951e9e3eec8e9b52ef",
                         "Microsoft Academic Graph co-authorship (KDD Cup 2016)"),
}


def _gnn_benchmark_spec(name: str) -> DatasetSpec:
  folder, fname, size, sha, origin = _GNN_BENCHMARK[name]
  return DatasetSpec(
      name=name, folder=folder, kind="node",
      files=(dl.RemoteFile(fname, size, sha, url=_gh(_GD_REPO, _GD_COMMIT, f"datasets/{fname}")),),
      reader=lambda raw_dir, *, info: gnn_benchmark.read_gnn_benchmark(
          os.path.join(raw_dir, fname), name=name, info=info),
      source=(f"https://github.com/{_GD_REPO}/blob/{_GD_COMMIT}/datasets/{fname} (zip-deflated "
              "copy of the shchur/gnn-benchmark npz, byte-identical once re-stored)"),
      license="MIT (EdisonLeeeee/GraphData; shchur/gnn-benchmark)",
      citation=("Shchur, Mumme, Bojchevski, Günnemann. Pitfalls of Graph Neural Network "
                "Evaluation. arXiv:1811.05868, 2018."),
      notes=f"{origin}; no standard split (use random_split).")


# ---------------------------------------------------------------------------------------------
# TU text format (zips) and GIN format
# ---------------------------------------------------------------------------------------------

_TU_REPO, _TU_COMMIT = ("qbxlvnf11/graph-neural-networks-for-graph-classification",
                        "5d69ead58c786aa8e472ab0433156fe09fe6ca4b")
_TU = {
    # name: (folder/prefix, zip size, zip sha256, [(suffix, size, sha256)], citation)
    "mutag": ("MUTAG", 24244, "38e572babf0207a56b13ebfeb5ce8a1fc9c9a4ba6a48a2aad0894418845c6cc0", [
        ("A.txt", 76940, "d9656ca7493f3445d737c711710bb36fd432dddd1c0ea32e1d4713c86ebd28e2"),
        ("graph_indicator.txt", 11532,
         "7d520a4d6c7961c0cdeabe076d8fe27e795b6d373485c9a2b744987e560a2056"),
        ("graph_labels.txt", 439,
         "a1518ea39ba3426bd42f57396b9c4baffe68e9adc718caeeab0119c6591a5f2c"),
        ("node_labels.txt", 6742,
         "678f429965490e84dd27713017538c995fc05d1621beac910848b600015ee863"),
    ], "Debnath et al., J. Med. Chem. 1991"),
    "proteins": ("PROTEINS", 458204,
                 "dde9a6fe2cdac336d3b622bfa53663269304d10c01033c86083847a21ae3d4ba", [
        ("A.txt", 2022990, "4c4b33e272fc95cac6d27ed6d5d12b9a852c8610e91fff59f8f0dbdd5a20df67"),
        ("graph_indicator.txt", 169673,
         "8d4ff1e852a5c28561e9bffb44cf9490bc552b13a3b6156dd12dc7f44e9afc4a"),
        ("graph_labels.txt", 2226,
         "c0ef9810c440775252872318d0c8adc385588e14bc4c47a2c34aa96ee3c7cdcd"),
        ("node_attributes.txt", 478190,
         "54eef829abb37e458a5fbf3a3c581e48e5810e220463c2cd951856b9ceb08f07"),
        ("node_labels.txt", 86942,
         "f758e8ad3d6e3c026b50833d75f6f90735b94eb3345e4243707f495ca8afea8d"),
    ], "Borgwardt et al., Bioinformatics 2005; Dobson & Doig, J. Mol. Biol. 2003"),
    "nci1": ("NCI1", 800491, "79a2833ca93357b18c32406fa3f6ab7fa3709c121e4bd52b73740dde707622bb", [
        ("A.txt", 3235898, "2c028eda59a5fe96e2265a63d9ac236901bd9a7dc658498be13cd704a703076d"),
        ("graph_indicator.txt", 585267,
         "ffe5acfa754b057d5ce0dc725c5aadb631628161886cc040d38c719635257dc5"),
        ("graph_labels.txt", 8220,
         "fae44681e70113f496256ae87eaac33b7836e3a97fe8e023933b84fde6a5c8a2"),
        ("node_labels.txt", 245932,
         "dc0a22b6cbff0c939de00373e823977ba32b358f560e4288d7602f7b51407ee2"),
    ], "Wale & Karypis, Knowledge and Information Systems 2008"),
    "imdb-binary": ("IMDB-BINARY", 581861,
                    "d4e052793e9e5f91079abf6569ec490f6878e4cf8416305d8746b5636b6d0c3f", [
        ("A.txt", 4596012, "23c8964bab82f81469271186d721131714a265d0ca8c44ae048118da1d0c4092"),
        ("graph_indicator.txt", 76924,
         "415cc3ba25b8c647dcf34d3de034f675ee070616f3b803be939cb26773489f26"),
        ("graph_labels.txt", 2000,
         "63a44411fd6342b9c4429828c16e144a2a11ef5244e25bb60f0ffa8b3ee2ffce"),
    ], "Yanardag & Vishwanathan, Deep Graph Kernels, KDD 2015"),
    "imdb-multi": ("IMDB-MULTI", 588310,
                   "292dd877c6d7880608bce6136be5df537a0f82ca6583d77e72d2505818e87a9f", [
        ("A.txt", 4702980, "fb538b23758d78df199272301e57dc74ad5754d6c3d79d5ed0a343193ddf4ec6"),
        ("graph_indicator.txt", 82760,
         "0274532a0e47dad9cdd21c08995c2265e43040a2c2a3b36c62fdb790994571d3"),
        ("graph_labels.txt", 3000,
         "613c2357b6b996f6f04b91697a99da87774820f9d08bf22813992f4c7afda855"),
    ], "Yanardag & Vishwanathan, Deep Graph Kernels, KDD 2015"),
}
_TU_CITATION = ("Morris et al. TUDataset: A collection of benchmark datasets for learning with "
                "graphs. ICML GRL+ workshop, 2020.")
_GRAPH_OPTIONS = ("node_features", "max_degree", "use_node_attr")


def _tu_spec(name: str) -> DatasetSpec:
  folder, zip_size, zip_sha, members, origin = _TU[name]
  archive_url = _gh(_TU_REPO, _TU_COMMIT, f"datasets/{folder}.zip")
  files = tuple(
      dl.RemoteFile(f"{folder}_{suffix}", size, sha,
                    archive=dl.Archive(url=archive_url, size=zip_size, sha256=zip_sha,
                                       member=f"{folder}_{suffix}"))
      for suffix, size, sha in members)
  return DatasetSpec(
      name=name, folder=folder, kind="graph", files=files,
      reader=functools.partial(tu.read_tu, name=folder), options=_GRAPH_OPTIONS,
      source=(f"{archive_url} (the original TU Dortmund archive, "
              f"https://www.chrsmrrs.com/graphkerneldatasets/{folder}.zip; files extracted)"),
      license="MIT (the mirroring repository); no separate data license stated",
      citation=f"{_TU_CITATION} Original data: {origin}.",
      notes=f"TU {folder}.")


_GIN_REPO, _GIN_COMMIT = "yeweiysh/IHGNN", "b17214636dd0a0f83b05849cc6dc9ec2ebd4efbf"
_GIN = {
    "collab": ("COLLAB", 4164412,
               "9ecf84c958ac765b9e0f878f4bd002fec20926e0c3d037cb753ab251f59b41f3"),
    "reddit-binary": ("REDDIT-BINARY", 3288201,
                      "c45536bdd84db7a4913fd6a45ae7616a12a02bf1f444a4effbce903524d62121"),
}


def _gin_spec(name: str) -> DatasetSpec:
  folder, size, sha = _GIN[name]
  return DatasetSpec(
      name=name, folder=folder, kind="graph",
      files=(dl.RemoteFile(f"{folder}.zip", size, sha,
                           url=_gh(_GIN_REPO, _GIN_COMMIT, f"data/{folder}.zip")),),
      reader=lambda raw_dir, *, info, **options: tu.read_gin(
          os.path.join(raw_dir, f"{folder}.zip"), folder, info=info, **options),
      options=_GRAPH_OPTIONS,
      source=f"https://github.com/{_GIN_REPO}/blob/{_GIN_COMMIT}/data/{folder}.zip (GIN/DGCNN "
             "text format with 10 folds)",
      license="MIT (yeweiysh/IHGNN, Copyright (c) 2022 Wei Ye)",
      citation=("Yanardag & Vishwanathan. Deep Graph Kernels. KDD 2015 (data); Xu et al. How "
                "Powerful are Graph Neural Networks? ICLR 2019 (format)."),
      notes=f"{folder} in the GIN format with the DGCNN 10-fold split.")


# ---------------------------------------------------------------------------------------------
# HeCo
# ---------------------------------------------------------------------------------------------

_HECO_REPO, _HECO_COMMIT = "liun-online/HeCo", "20e8ca2042838877b2c815279920218b6bbea1db"
_HECO_SPLIT_FILES = {
    "acm": [
        ("test_20.npy", 8128, "eb90e38c882009c6439d749d160d39ed64f8813e9f672c02be54993914934afa"),
        ("test_40.npy", 8128, "f73d7e23459dd654a7567ee8bf123849f400096f8fac558dc37033d3fdc11aa6"),
        ("test_60.npy", 8128, "5181ccdeacc54b88ed53681ba9f2c789cc6d67a499f40a68ac6827a96932b976"),
        ("train_20.npy", 608, "6bf4c1cef638f3ffe1826091b9be7fbff23a4935dfbde03c24b492d264d67684"),
        ("train_40.npy", 1088, "98239282e69e9775a9b13bc54598cc780eca31dcaeb81963efbbd4c6c3e51435"),
        ("train_60.npy", 1568, "5b86f56415b84d1faa8c8f864cd37272589ec4ffff1b0ca347d4c39ee38dcc02"),
        ("val_20.npy", 8128, "4280dccb661a50196502a39973a462919399fcfcd97b1d43581dfa9ca02d1b5d"),
        ("val_40.npy", 8128, "19fb1e72b76bc24da95423d1a83583a42fe5b62d69b2b197312f630ff5096202"),
        ("val_60.npy", 8128, "e234b6c1e19445ed6cc3694a273b943bbded8e847a9d0246f18d59f76fb8cd5d"),
    ],
    "dblp": [
        ("test_20.npy", 8128, "a7fc6b67e477df8301915065b116fb7742d99f28323a2bf8bcb57663a2d5c490"),
        ("test_40.npy", 8128, "9af7116d1d11e656e4fc64dc11601353a3f37cad8fb9ffe8d71cf16d7e2a7ca6"),
        ("test_60.npy", 8128, "52122be025ae02256f82376bc62d1ba74083a4473a211e89a1389d67ca6e68bb"),
        ("train_20.npy", 768, "85f0e91265931c8b1433ed7bd04e7e8f4c8c4246784d4443c147d6f24cccc709"),
        ("train_40.npy", 1408, "82cead2b36410b52729e2034c0e75de55779e718e4a35f7cc0a31b25526d8c2b"),
        ("train_60.npy", 2048, "47086d378beda443b1a2aa1bb2d681e5a6d2b3e819a3e9850e365ea1f8f9b819"),
        ("val_20.npy", 8128, "6c06b017a4c45c7cd9d01c67fb409336ddcd5c076edb9c90792cc2d027565d38"),
        ("val_40.npy", 8128, "b4c0b94ed81eeb28fe9bf6dd4a057de9093aa512caf4197165a2634568e7b2d5"),
        ("val_60.npy", 8128, "7ba309a9daec8bd5d92e217cecc6a22d8547b7b0193a8a30855fffd41636cec6"),
    ],
}
_HECO_FILES = {
    "acm": [
        ("a_feat.npz", 1961252, "e2f2ac8d357310149fc7badbf32ea0b171dec25aad6c37ec45de592666c65555"),
        ("labels.npy", 32280, "019284b3e6a58fc8ebd432fb99aaaf183ad41dbf56b8ca7af0b56dca9dd844b5"),
        ("nei_a.npy", 323916, "1b60e195f2d3a7ead0b591f4ca1b25c5e048390decb37362a828780c4d761c05"),
        ("nei_s.npy", 32280, "c0c4b7fe18b569384e47a582e0656bd17eb8994a0835d51bac121bfb98a2663d"),
        ("p_feat.npz", 495879, "9e1019dfceaaabb19ee5b5f09de3147ffbaa818b43c3fc3f92bdfaf4ed5f02f4"),
        ("pa.txt", 128122, "e67385fc13c3b3b624d81de7eb6e4245d9aeafa063c5466c6fab0f151bcb84d6"),
        ("pap.npz", 64585, "3f25894497558f74356448f1a504c946efef9f23e7beb74d38bc9ecf95a4dbb6"),
        ("pos.npz", 37470, "d683afe2d8cad6b5d99724f027a03bf82a078ecf8835e8e9cb58a7962127e642"),
        ("ps.txt", 30181, "3da7615ef5567c5f7f1ab9ec770c4b4b8b6a54790baa1cda3d4499329dfc22d5"),
        ("psp.npz", 423908, "cd25669b884825155487308c7d4adb42d99edbc843215438219ad551f86c8f3e"),
    ],
    "dblp": [
        ("a_feat.npz", 68550, "997876bf8d90d29fdb90bf4801a9909893a9ee5646a85aeca079ce167595ec41"),
        ("apa.npz", 27575, "db86d949728d422cf388741d3cd80280e0ab79ac27242b3d0a0a0635a476a3bb"),
        ("apcpa.npz", 2434207, "25181174771506d9636daae4eb98fe048c61654cd1280cf35315c7c4adde0f56"),
        ("labels.npy", 32584, "817efdc3ebb9e96067b8770dad5894b06ecabde2ac95d4b17443985f0439fda7"),
        ("nei_p.npy", 376049, "f195754f35a26d18222c0124c85d6aa238e7a1ae4f6089cc664ec616e403f9ab"),
        ("p_feat.npz", 170259, "99c3d1836c44cda016f790d1cdbcc76fed729e48b9e2a9332eac145960716d9f"),
        ("pa.txt", 193719, "94cf38a92733d21664f55907305773bb6fb90dd9d1579392517596488f061382"),
        ("pc.txt", 110214, "316182e11f19fddfc3a01ebd6541134a7c3931ee62262e638be607bb3f9768e4"),
        ("pos.npz", 3367068, "593aba2899e5ae6e70da9943fc7e55fd07bfc7ad9bb92755fbd10f41ac979632"),
        ("pt.txt", 800835, "78f3d6f9a528ed112a2d29bd2a672cdf13a03779a87ce89856e6a622eda280b8"),
        ("t_feat.npz", 3089328, "462ea84b5eebfd4883910d0d15afff53e960ae8a80d7d62591f86a8d61fb5467"),
    ],
}


def _heco_spec(name: str) -> DatasetSpec:
  files = tuple(
      dl.RemoteFile(f, size, sha, url=_gh(_HECO_REPO, _HECO_COMMIT, f"data/{name}/{f}"))
      for f, size, sha in _HECO_FILES[name] + _HECO_SPLIT_FILES[name])
  notes = f"HeCo {name.upper()} heterogeneous graph with HeCo's 20/40/60 splits."
  if name == "dblp":
    notes += " aptpa.npz (>= 4 MiB upstream) is rebuilt from pa.txt / pt.txt."
  return DatasetSpec(
      name=name, folder=f"HeCo-{name}", kind="hetero", files=files,
      reader=functools.partial(heco.read_heco, name=name), options=("metapaths",),
      source=f"https://github.com/{_HECO_REPO}/tree/{_HECO_COMMIT}/data/{name}",
      license="no LICENSE file in liun-online/HeCo (research use; cite the paper)",
      citation=("Wang, Liu, Han, Shi. Self-supervised Heterogeneous Graph Neural Network with "
                "Co-contrastive Learning. KDD 2021."),
      notes=notes)


# ---------------------------------------------------------------------------------------------
# SSLRec Yelp
# ---------------------------------------------------------------------------------------------

_SSLREC_REPO, _SSLREC_COMMIT = "HKUDS/SSLRec", "7597c31ce3f78c7497918d886b90df6d4d02cad5"
_YELP_FILES = [
    ("train_mat.pkl", 2918135, "299c23b93952c3e4553c17d004a69651fda9419cfcbbce70df9c3f539de4ff43"),
    ("valid_mat.pkl", 208817, "c27cb28baba07184fa0331412ec7ec64e462b435b29483a94285f525fab74eb9"),
    ("test_mat.pkl", 1042465, "289b445aab82a5059dfd9585f7dec289fd5963a56891e58ea372da5b5edd8d8a"),
]


def _yelp_spec() -> DatasetSpec:
  files = tuple(
      dl.RemoteFile(f, size, sha, url=_gh(_SSLREC_REPO, _SSLREC_COMMIT,
                                          f"datasets/general_cf/sparse_yelp/{f}"))
      for f, size, sha in _YELP_FILES)
  return DatasetSpec(
      name="yelp", folder="SSLRec-sparse_yelp", kind="interaction", files=files,
      reader=functools.partial(interactions.read_sslrec, name="yelp"),
      source=(f"https://github.com/{_SSLREC_REPO}/tree/{_SSLREC_COMMIT}/datasets/general_cf/"
              "sparse_yelp"),
      license="Apache-2.0 (HKUDS/SSLRec); data derived from the Yelp dataset",
      citation=("Ren et al. SSLRec: A Self-Supervised Learning Framework for Recommendation. "
                "WSDM 2024."),
      notes=("Yelp user-item interactions as preprocessed by HKUDS (SSLRec), a stand-in for "
             "LightGCL's yelp files."))


def _normalise(name: str) -> str:
  return str(name).strip().lower().replace("_", "-").replace(" ", "-")


# ---------------------------------------------------------------------------------------------
# Text-attributed CiteSeer
# ---------------------------------------------------------------------------------------------

_TAPE_REPO, _TAPE_COMMIT = "XiaoxinHe/TAPE", "331e61664be928847af439b27de661eb8f182205"
_GB_REPO, _GB_COMMIT = "shchur/gnn-benchmark", "1e72912a0810cdf27ae54fd589a3b43358a2b161"


def _citeseer_tag_spec() -> DatasetSpec:
  files = (
      dl.RemoteFile("citeseer_texts.txt", 3319359,
                    "9070723640766aaa09875ce72397a4325feecac968ed9fb44152820b651f1f17",
                    url=_gh(_TAPE_REPO, _TAPE_COMMIT, "dataset/CiteSeer-Orig/citeseer_texts.txt")),
      dl.RemoteFile("citeseer.cites", 137062,
                    "cd9730630eaaa745058c2cd2cce6b9afb79ca71278a479aebec55f4cf5eb7f30",
                    url=_gh(_TAPE_REPO, _TAPE_COMMIT, "dataset/CiteSeer-Orig/citeseer.cites")),
      dl.RemoteFile("citeseer.npz", 1348784,
                    "280278b21b434c047922e8389518861416fb3ad39389c27865ff0e6bbb0aaab7",
                    url=_gh(_GB_REPO, _GB_COMMIT, "data/npz/citeseer.npz")),
  )
  return DatasetSpec(
      name="citeseer-tag", folder="citeseer-tag", kind="node", files=files,
      reader=functools.partial(text.read_citeseer_tag, name="citeseer-tag"),
      source=(f"https://github.com/{_TAPE_REPO}/tree/{_TAPE_COMMIT}/dataset/CiteSeer-Orig (texts, "
              f"citations; history only, not HEAD) and https://github.com/{_GB_REPO}/blob/"
              f"{_GB_COMMIT}/data/npz/citeseer.npz (LINQS CiteSeer with paper ids)"),
      license="MIT (XiaoxinHe/TAPE; shchur/gnn-benchmark)",
      citation=("He et al. Harnessing Explanations: LLM-to-LM Interpreter for Enhanced "
                "Text-Attributed Graph Representation Learning. ICLR 2024; Sen et al. Collective "
                "Classification in Network Data. AI Magazine 2008."),
      notes="Text-attributed CiteSeer (raw paper texts).")


REGISTRY: Dict[str, DatasetSpec] = {}
for _n in ("cora", "citeseer", "pubmed"):
  REGISTRY[_n] = _planetoid_spec(_n)
for _n in _GNN_BENCHMARK:
  REGISTRY[_n] = _gnn_benchmark_spec(_n)
for _n in _TU:
  REGISTRY[_n] = _tu_spec(_n)
for _n in _GIN:
  REGISTRY[_n] = _gin_spec(_n)
for _n in ("acm", "dblp"):
  REGISTRY[_n] = _heco_spec(_n)
REGISTRY["yelp"] = _yelp_spec()
REGISTRY["citeseer-tag"] = _citeseer_tag_spec()

_ALIASES = {_normalise(spec.folder): name for name, spec in REGISTRY.items()}
_ALIASES.update({"heco-acm": "acm", "heco-dblp": "dblp", "sslrec-yelp": "yelp",
                 "photo": "amazon-photo", "computers": "amazon-computers",
                 "coauthor-phy": "coauthor-physics", "citeseer-text": "citeseer-tag",
                 "citeseer-tape": "citeseer-tag"})


def list_datasets(kind: Optional[str] = None) -> List[str]:
  """Canonical names of the registered datasets, optionally only one ``kind``.

  Args:
    kind: ``'node'``, ``'graph'``, ``'hetero'``, ``'interaction'`` or ``None`` for all.
  """
  if kind is not None and kind not in ("node", "graph", "hetero", "interaction"):
    raise ValueError(f"kind must be 'node', 'graph', 'hetero' or 'interaction', got {kind!r}")
  return [n for n, s in REGISTRY.items() if kind is None or s.kind == kind]


def get_spec(name: str) -> DatasetSpec:
  """The registry entry for ``name`` (case-insensitive; ``_`` and ``-`` are the same).

  Raises:
    ValueError: unknown name; the message lists the known names and suggests a close match.
  """
  if not isinstance(name, str):
    raise ValueError(f"dataset name must be a string, got {type(name).__name__}")
  key = _normalise(name)
  key = _ALIASES.get(key, key)
  if key in REGISTRY:
    return REGISTRY[key]
  close = difflib.get_close_matches(key, list(REGISTRY) + list(_ALIASES), n=1, cutoff=0.6)
  hint = f" Did you mean {_ALIASES.get(close[0], close[0])!r}?" if close else ""
  raise ValueError(f"unknown dataset {name!r}.{hint} Known datasets: {', '.join(REGISTRY)}")


def load(name: str, *, root: Optional[PathLike] = None, download: Optional[bool] = None,
         mirror: Optional[str] = None, verify: Optional[bool] = None, progress: bool = True,
         **options) -> Any:
  """Loads a registered dataset: finds (or downloads) its raw files, reads and validates them.

  Args:
    name: dataset name, case-insensitive (:func:`list_datasets`).
    root: data root holding ``<folder>/raw/<file>``; default ``$JGSSL_DATA_DIR`` or the user
      cache (:func:`jgssl.data.download.default_root`).
    download: fetch missing files (default: yes unless ``$JGSSL_OFFLINE`` is set).
    mirror: base URL to download from instead of the canonical URLs (default
      ``$JGSSL_DATA_MIRROR``); files are fetched from ``<mirror>/<folder>/raw/<file>``.
    verify: sha256 of the files already present: ``None`` (default) checks each file once
      per version (size, mtime, ctime, inode) and remembers it in
      :func:`jgssl.data.download.verification_cache_path`, so later loads hash nothing;
      ``True`` re-hashes every file; ``False`` trusts sizes alone. Downloads are always checked.
    progress: show download progress bars.
    **options: reader options; graph datasets take ``node_features``, ``max_degree`` and
      ``use_node_attr`` (:mod:`jgssl.data.tu`), HeCo datasets ``metapaths``.

  Returns:
    A :class:`~jgssl.data.types.NodeDataset`, :class:`~jgssl.data.types.GraphDataset`,
    :class:`~jgssl.data.types.HeteroDataset` or :class:`~jgssl.data.types.InteractionDataset`.

  Raises:
    ValueError: unknown name or option.
    DatasetError: a missing file (downloads off or impossible), a failed download, a
      truncated / corrupted (checksum) / unreadable / inconsistent file, or a directory in a
      file's place.
  """
  spec = get_spec(name)
  unknown = sorted(set(options) - set(spec.options))
  if unknown:
    accepted = ", ".join(spec.options) if spec.options else "none"
    raise ValueError(f"unknown option(s) {unknown} for dataset {spec.name!r}; accepted: "
                     f"{accepted}")
  raw_dir = dl.ensure_files(spec.files, spec.folder, root=root, download=download,
                            mirror=mirror, verify=verify, progress=progress, dataset=spec.name)
  info = dataclasses.replace(spec.info, description="")
  dataset = spec.reader(os.fspath(raw_dir), info=info, **options)
  description = " ".join(d for d in (spec.notes, dataset.info.description) if d)
  dataset = dataclasses.replace(dataset, info=dataclasses.replace(dataset.info,
                                                                  description=description))
  return validate_dataset(dataset)

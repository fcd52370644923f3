"""Writes the jgssl Colab notebooks from the cell sources below (reproducible, outputs stripped).

``python notebooks/make_notebooks.py`` regenerates ``notebooks/*.ipynb``;
``python notebooks/make_notebooks.py --check`` exits 1 when a committed notebook differs from what
this script writes (the test suite runs the same comparison), and ``--strip FILE...`` removes
outputs and execution counts from notebooks edited by hand (e.g. downloaded from Colab).

Every notebook has one code cell tagged ``parameters`` (the papermill convention): the test suite
inserts a cell after it that overrides the values with small settings and points ``out_dir`` at a
temporary folder, then runs the notebook top to bottom with nbclient
(``tests/notebooks/test_notebooks.py``).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import textwrap
from typing import Dict, List, Sequence

import nbformat

HERE = pathlib.Path(__file__).resolve().parent

#: What the Colab install cell passes to pip when jgssl is not importable yet. Set
#: ``JGSSL_SOURCE`` in the Colab environment (or edit the cell) to install from a fork or a wheel.
PIP_SOURCE = "git+https://github.com/jgssl/jgssl.git"

NOTEBOOKS = ("quickstart", "compose_your_own", "multi_device", "checkpoints")


def _md(text: str) -> Dict:
  return {"kind": "markdown", "source": textwrap.dedent(text).strip("\n")}


def _code(text: str, *, tags: Sequence[str] = ()) -> Dict:
  return {"kind": "code", "source": textwrap.dedent(text).strip("\n"), "tags": list(tags)}


def _params(text: str) -> Dict:
  return _code(text, tags=("parameters",))


def _install() -> Dict:
  return _code(f'''
      # Colab: install jgssl when it is not importable yet (skipped locally and in the tests).
      # On a TPU runtime the matching TPU build of JAX is installed with it.
      import importlib.util
      import os
      import subprocess
      import sys

      try:
        import google.colab  # noqa: F401  pylint: disable=unused-import
        IN_COLAB = True
      except ImportError:
        IN_COLAB = False
      if IN_COLAB and importlib.util.find_spec("jgssl") is None:
        source = os.environ.get("JGSSL_SOURCE", "{PIP_SOURCE}")
        tpu = "COLAB_TPU_ADDR" in os.environ or os.path.exists("/dev/accel0")
        extra = ["jax[tpu]>=0.10,<0.11"] if tpu else []
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *extra,
                        f"jgssl @ {{source}}"], check=True)
      ''')


_PARAMS_NOTE = _md('''
    ### Parameters
    The defaults below are the real settings. The test suite overrides this cell (it is tagged
    `parameters`, as papermill expects) with tiny ones, so the notebook runs on CPU in seconds.
    `data_root=None` reads `$JGSSL_DATA_DIR`, else `~/.cache/jgssl`, downloading what is missing.
    ''')


# ---------------------------------------------------------------------------------------------
# quickstart.ipynb
# ---------------------------------------------------------------------------------------------


def quickstart() -> List[Dict]:
  return [
      _md('''
          # jgssl quickstart: GRACE on Cora

          Load Cora, train GRACE (Zhu et al., 2020) for a few hundred full-graph steps, score the
          frozen embeddings with a linear probe, and plot the loss curve and a t-SNE of the
          embeddings coloured by class. Runs on any Colab runtime (CPU, GPU or TPU); on CPU the
          default 200 steps take a few minutes.
          '''),
      _install(),
      _PARAMS_NOTE,
      _params('''
          data_root = None                # folder holding cora/raw/ (None: default root)
          out_dir = "quickstart_outputs"  # plots and summary.json go here
          seed = 0
          epochs = 200                    # one full-graph step per epoch (GRACE, Cora)
          hidden = 128                    # GRACE num_hidden (first GCN layer: 2 * hidden)
          proj_hidden = 128
          learning_rate = 5e-4
          probe_repeats = 3               # LR-rand-sklearn/GRACE: 3 random 10 % / 90 % splits
          tsne_points = 2708              # nodes shown in the t-SNE plot (all of Cora)
          tsne_iter = 1000
          '''),
      _code('''
          import json
          import pathlib

          import jax
          import matplotlib.pyplot as plt
          import numpy as np
          from sklearn.manifold import TSNE

          import jgssl
          from jgssl import data, evaluate, train
          from jgssl import graph as graph_lib
          from jgssl.methods import grace

          out = pathlib.Path(out_dir)
          out.mkdir(parents=True, exist_ok=True)
          print(f"jgssl {jgssl.__version__}, jax {jax.__version__}, devices: {jax.devices()}")
          '''),
      _md('''
          ## 1. Data
          `jgssl.data.load` returns a `NodeDataset`: one unpadded `jraph.GraphsTuple`
          (`nodes={'x', 'mask'}`, `edges={'weight', 'mask'}`), labels and the public Planetoid
          split. GRACE row-normalises the features. Padding to a `PaddingBudget` gives static
          shapes, so the training step compiles once.
          '''),
      _code('''
          ds = data.load("cora", root=data_root)
          print(ds.info.description)
          print(f"{ds.num_nodes} nodes, {ds.num_edges} directed edges, {ds.num_features} "
                f"features, {ds.num_classes} classes; split sizes "
                + ", ".join(f"{k} {len(v)}" for k, v in ds.splits.items()))

          x = np.asarray(ds.graph.nodes["x"], np.float32)
          x = x / np.maximum(x.sum(axis=1, keepdims=True), 1e-12)  # rows sum to 1
          graph = ds.graph._replace(nodes={**ds.graph.nodes, "x": x})
          budget = graph_lib.budget_for(graph)
          padded = jax.device_put(graph_lib.pad_graph(graph, budget))
          print(budget)
          '''),
      _md('''
          ## 2. Train GRACE
          A method is a value with `init` / `loss` / `embed`. `grace(...)` is GRACE's recipe: the
          two-view skeleton `TwoViewContrast` with the paper's GCN encoder, projection head, views
          and InfoNCE (any encoder module plugs in through `encoder=`). The engine wraps it in a
          `TrainState`, builds one jitted step (augmentations, encoder, loss and Adam update in
          one XLA program) and runs the epochs.
          '''),
      _code('''
          method = grace(features=(2 * hidden, hidden), hidden_features=proj_hidden,
                         drop_edge_rate=(0.2, 0.4), drop_feature_rate=(0.3, 0.4), temperature=0.4)
          tx = train.make_optimizer(name="adam", learning_rate=learning_rate, weight_decay=1e-5)
          state = train.create_train_state(jax.random.PRNGKey(seed), method, tx, padded)
          step = train.make_train_step(method)
          result = train.fit(state, step, padded, epochs=epochs)
          state = result.state
          losses = np.array([r.loss for r in result.history])
          print(f"{epochs} steps in {result.train_seconds:.1f} s (compilation included); "
                f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
          '''),
      _code('''
          fig, ax = plt.subplots(figsize=(6, 3.5))
          ax.plot(np.arange(1, len(losses) + 1), losses)
          ax.set(xlabel="step", ylabel="GRACE loss", title="GRACE on Cora: training loss")
          ax.grid(alpha=0.3)
          fig.tight_layout()
          fig.savefig(out / "loss.png", dpi=120)
          plt.show()
          '''),
      _md('''
          ## 3. Linear probe
          GRACE's own protocol, `LR-rand-sklearn/GRACE`: L2-normalised embeddings, a one-vs-rest
          logistic regression with `C` chosen by 5-fold grid search on 10 % of the nodes, micro-F1
          (= accuracy) on the other 90 %, mean and std over random splits. The same probe on the
          raw features is the baseline to beat.
          '''),
      _code('''
          embed = train.make_embed_fn(method)
          emb = np.asarray(embed(state.variables, padded))[:ds.num_nodes]
          probe = evaluate.lr_rand_sklearn_grace(emb, ds.labels, seed=seed, repeats=probe_repeats)
          raw = evaluate.lr_rand_sklearn_grace(x, ds.labels, seed=seed, repeats=probe_repeats)
          print("GRACE embeddings:", probe.summary())
          print("raw features:    ", raw.summary())
          '''),
      _md('''
          ## 4. t-SNE of the embeddings
          '''),
      _code('''
          rng = np.random.default_rng(seed)
          idx = np.sort(rng.choice(ds.num_nodes, size=min(tsne_points, ds.num_nodes),
                                   replace=False))
          xy = TSNE(n_components=2, init="pca", random_state=seed, max_iter=tsne_iter,
                    perplexity=min(30.0, (len(idx) - 1) / 3)).fit_transform(emb[idx])
          fig, ax = plt.subplots(figsize=(6, 6))
          sc = ax.scatter(xy[:, 0], xy[:, 1], c=ds.labels[idx], s=5, cmap="tab10")
          ax.legend(*sc.legend_elements(), title="class", fontsize=7)
          ax.set(xticks=[], yticks=[], title=f"GRACE embeddings of Cora ({len(idx)} nodes)")
          fig.tight_layout()
          fig.savefig(out / "tsne.png", dpi=120)
          plt.show()
          '''),
      _code('''
          summary = {"loss_first": float(losses[0]), "loss_last": float(losses[-1]),
                     "protocol": probe.protocol, "test_acc": probe.value,
                     "test_acc_std": probe.std, "raw_test_acc": raw.value,
                     "num_classes": ds.num_classes, "epochs": epochs,
                     "train_seconds": result.train_seconds}
          (out / "summary.json").write_text(json.dumps(summary, indent=2))
          summary
          '''),
  ]


# ---------------------------------------------------------------------------------------------
# compose_your_own.ipynb
# ---------------------------------------------------------------------------------------------


def compose_your_own() -> List[Dict]:
  return [
      _md('''
          # Compose your own method

          A new self-supervised method from public pieces only, in a few cells:

          1. a **custom augmentation** written as a pure function `(key, graph) -> graph`, chained
             with library augmentations by `jgssl.augment.compose`;
          2. an **encoder** and a **projection head** from `jgssl.models`;
          3. a **loss** from `jgssl.losses`: decoupled contrastive learning (DCL, Yeh et al. 2022)
             and InfoNCE with hard negative mixing (MoCHi, Kalantidis et al. 2020);
          4. trained with the **engine** (`jgssl.train`) and scored with a **named protocol**
             (`jgssl.evaluate.lr_rand_torch`, GCA's `LR-rand-torch`).
          '''),
      _install(),
      _PARAMS_NOTE,
      _params('''
          data_root = None
          out_dir = "compose_outputs"
          seed = 0
          epochs = 200
          hidden = 128
          proj_hidden = 128
          learning_rate = 1e-3
          temperature = 0.5
          noise_scale = 0.3     # the custom augmentation: noise norm / feature norm per node
          drop_edge = 0.3
          drop_feature = 0.3
          num_hard = 64         # MoCHi: hardest negatives to mix from
          num_mix = 64          # MoCHi: negative-negative mixes per anchor
          num_query_mix = 16    # MoCHi: query-negative mixes per anchor
          probe_seeds = (0, 1, 2, 3, 4)
          probe_epochs = 3000   # LR-rand-torch/GCA's setting
          '''),
      _code('''
          import dataclasses
          import functools
          import json
          import pathlib
          from typing import Callable

          import jax
          import jax.numpy as jnp
          import matplotlib.pyplot as plt
          import numpy as np

          from jgssl import augment, data, evaluate, losses, models, train
          from jgssl import graph as graph_lib
          from jgssl.methods import Method

          out = pathlib.Path(out_dir)
          out.mkdir(parents=True, exist_ok=True)
          ds = data.load("cora", root=data_root)
          x = np.asarray(ds.graph.nodes["x"], np.float32)
          x = x / np.maximum(x.sum(axis=1, keepdims=True), 1e-12)
          graph = ds.graph._replace(nodes={**ds.graph.nodes, "x": x})
          padded = jax.device_put(graph_lib.pad_graph(graph, graph_lib.budget_for(graph)))
          print(f"Cora: {ds.num_nodes} nodes, padded to {padded.nodes['x'].shape[0]}")
          '''),
      _md('''
          ## 1. A custom augmentation
          The contract (DESIGN.md): a jax key first, keyword-only hyperparameters, the same
          shapes and dtypes out as in, padding stays padding. This one adds Gaussian noise to the
          features of present nodes, scaled per node so that the noise norm is about `scale`
          times the norm of the node's features (whatever the feature normalisation). The cell
          after it checks the contract: shapes kept, padding rows untouched, `scale=0` is the
          identity, same key same output, the observed noise ratio, and `jit` / `vmap` over keys.
          '''),
      _code('''
          def relative_feature_noise(key, graph, *, scale):
            """Adds Gaussian noise of std ``scale * rms(x_i)`` to every present row ``x_i``.

            Changes nodes['x'] (float [N, F]) on present nodes only; masks, edges, shapes and
            padding rows are unchanged. ``scale=0`` is the identity.
            """
            x = graph.nodes["x"]
            rms = jnp.sqrt(jnp.mean(jnp.square(x), axis=1, keepdims=True))
            noise = scale * rms * jax.random.normal(key, x.shape, x.dtype)
            present = graph.nodes["mask"][:, None]
            return graph._replace(nodes={**graph.nodes, "x": jnp.where(present, x + noise, x)})
          '''),
      _code('''
          noisy = jax.jit(functools.partial(relative_feature_noise, scale=0.3))
          key = jax.random.PRNGKey(0)
          g1 = noisy(key, padded)
          shapes = lambda g: jax.tree_util.tree_map(lambda a: (a.shape, a.dtype), g)
          assert shapes(g1) == shapes(padded)
          x0, x1 = np.asarray(padded.nodes["x"]), np.asarray(g1.nodes["x"])
          pad_rows = ~np.asarray(padded.nodes["mask"])
          assert np.array_equal(x1[pad_rows], x0[pad_rows])  # padding stays padding
          assert np.array_equal(
              np.asarray(relative_feature_noise(key, padded, scale=0.0).nodes["x"]), x0)
          assert np.array_equal(np.asarray(noisy(key, padded).nodes["x"]), x1)  # same key
          norms = np.linalg.norm(x0, axis=1)
          rows = ~pad_rows & (norms > 0)
          ratio = np.linalg.norm(x1 - x0, axis=1)[rows] / norms[rows]
          assert abs(ratio.mean() - 0.3) < 0.01, ratio.mean()
          many = jax.vmap(noisy, in_axes=(0, None))(jax.random.split(key, 2), padded)
          assert not np.array_equal(many.nodes["x"][0], many.nodes["x"][1])  # new key, new noise
          print(f"noise norm / feature norm: {ratio.mean():.4f}; vmapped over 2 keys:",
                many.nodes["x"].shape)
          '''),
      _md('''
          The two views chain library augmentations (factories with fixed rates) and the custom
          one; `compose` splits the key, one independent key per augmentation.
          '''),
      _code('''
          view_1 = augment.compose(augment.DropEdges(rate=drop_edge),
                                   augment.MaskFeatureColumns(rate=drop_feature),
                                   functools.partial(relative_feature_noise, scale=noise_scale))
          view_2 = augment.compose(augment.DropEdges(rate=drop_edge),
                                   functools.partial(relative_feature_noise, scale=noise_scale))
          v = view_1(jax.random.PRNGKey(1), padded)
          print("edges kept in view 1:", int(v.edges["mask"].sum()), "of",
                int(padded.edges["mask"].sum()))
          '''),
      _md('''
          ## 2. Encoder, head and the method
          A method is a frozen dataclass subclassing `jgssl.methods.Method` with `init`, `loss`
          and `embed` (the contract in `jgssl/methods/base.py`). Here the encoder is a 2-layer
          `models.GCN`, the head a `models.Projector`, and the objective a field: any
          `(key, u, v, where) -> per-row losses` function, reduced with `losses.masked_mean` so
          padding contributes nothing.
          '''),
      _code('''
          @dataclasses.dataclass(frozen=True, kw_only=True)
          class TwoViewContrast(Method):
            """Two augmented views, a GCN encoder, a projection head and a pluggable objective."""
            view_1: Callable
            view_2: Callable
            objective: Callable
            hidden: int = 128
            proj_hidden: int = 128

            level = "node"

            def _encoder(self):
              return models.GCN(features=(2 * self.hidden, self.hidden), activation="prelu")

            def _head(self):
              return models.Projector(hidden_features=self.proj_hidden, out_features=self.hidden,
                                      activation="elu")

            def init(self, key, graph):
              k_enc, k_head = jax.random.split(key)
              enc = self._encoder().init(k_enc, graph)["params"]
              h = self._encoder().apply({"params": enc}, graph)
              head = self._head().init(k_head, h)["params"]
              return {"params": {"encoder": enc, "head": head}}

            def embed(self, variables, graph):
              return self._encoder().apply({"params": variables["params"]["encoder"]}, graph)

            def _project(self, params, graph):
              h = self._encoder().apply({"params": params["encoder"]}, graph)
              return self._head().apply({"params": params["head"]}, h, mask=graph.nodes["mask"])

            def loss(self, variables, key, graph):
              k1, k2, k_obj = jax.random.split(key, 3)
              params = variables["params"]
              z1 = self._project(params, self.view_1(k1, graph))
              z2 = self._project(params, self.view_2(k2, graph))
              where = graph.nodes["mask"]
              rows = self.objective(k_obj, z1, z2, where)
              cos = jnp.sum(losses.l2_normalize(z1) * losses.l2_normalize(z2), axis=-1)
              return losses.masked_mean(rows, where), {"pos_cos": losses.masked_mean(cos, where)}
          '''),
      _md('''
          ## 3. Two objectives from `jgssl.losses`
          * **DCL**: InfoNCE without the positive in the denominator, intra- and inter-view
            negatives.
          * **MoCHi**: InfoNCE whose denominator also holds synthetic hard negatives, mixed from
            each anchor's hardest negatives (and from the anchor itself), symmetrised.
          '''),
      _code('''
          def dcl(key, u, v, where):
            del key  # deterministic
            return losses.dcl_loss(u, v, temperature=temperature, where=where)


          def mochi(key, u, v, where):
            return losses.mochi_info_nce(key, u, v, temperature=temperature, num_hard=num_hard,
                                         num_mix=num_mix, num_query_mix=num_query_mix,
                                         where=where, symmetric=True)


          objectives = {"DCL": dcl, "MoCHi": mochi}
          '''),
      _md('''
          ## 4. Train with the engine, evaluate with a named protocol
          `LR-rand-torch/GCA`: a logistic regression per random 10/10/80 split, test accuracy at
          the best validation accuracy. The untrained encoder is the baseline.
          '''),
      _code('''
          tx = train.make_optimizer(name="adam", learning_rate=learning_rate, weight_decay=1e-5)
          histories, results, methods = {}, {}, {}
          eval_key = jax.random.PRNGKey(seed + 1)
          for name, objective in objectives.items():
            method = TwoViewContrast(view_1=view_1, view_2=view_2, objective=objective,
                                     hidden=hidden, proj_hidden=proj_hidden)
            state = train.create_train_state(jax.random.PRNGKey(seed), method, tx, padded)
            if not results:  # the untrained encoder, once
              emb0 = np.asarray(method.embed(state.variables, padded))[:ds.num_nodes]
              results["untrained"] = evaluate.lr_rand_torch(eval_key, emb0, ds.labels,
                                                            seeds=probe_seeds,
                                                            epochs=probe_epochs)
            fitted = train.fit(state, train.make_train_step(method), padded, epochs=epochs)
            histories[name] = np.array([r.loss for r in fitted.history])
            emb = np.asarray(train.make_embed_fn(method)(fitted.state.variables, padded))
            results[name] = evaluate.lr_rand_torch(eval_key, emb[:ds.num_nodes], ds.labels,
                                                   seeds=probe_seeds, epochs=probe_epochs)
            print(f"{name}: loss {histories[name][0]:.3f} -> {histories[name][-1]:.3f} in "
                  f"{fitted.train_seconds:.1f} s; pos. cosine "
                  f"{fitted.history[-1].metrics['pos_cos']:.3f}")
          for name, r in results.items():
            print(f"{name:>9}: {r.summary()}")
          '''),
      _code('''
          fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
          for name, h in histories.items():
            axes[0].plot(np.arange(1, len(h) + 1), h / h[0], label=name)
          axes[0].set(xlabel="step", ylabel="loss / first loss", title="training loss")
          axes[0].legend()
          axes[0].grid(alpha=0.3)
          names = list(results)
          accs = [100 * results[n].value for n in names]
          errs = [100 * results[n].std for n in names]
          axes[1].bar(names, accs, yerr=errs, color=["grey", "C0", "C1"][:len(names)])
          axes[1].set(ylabel="test accuracy (%)", title=results[names[0]].protocol)
          fig.tight_layout()
          fig.savefig(out / "compose.png", dpi=120)
          plt.show()
          '''),
      _code('''
          summary = {name: {"loss_first": float(h[0]), "loss_last": float(h[-1])}
                     for name, h in histories.items()}
          for name, r in results.items():
            summary.setdefault(name, {})["test_acc"] = r.value
          summary["protocol"] = results["untrained"].protocol
          summary["num_classes"] = ds.num_classes
          (out / "summary.json").write_text(json.dumps(summary, indent=2))
          summary
          '''),
  ]


# ---------------------------------------------------------------------------------------------
# multi_device.ipynb
# ---------------------------------------------------------------------------------------------


def multi_device() -> List[Dict]:
  return [
      _md('''
          # Data-parallel graph-level training on all devices

          GraphMAE (Hou et al., 2022) on MUTAG, data parallel: every step takes one padded batch
          of graphs per device, each device computes the loss and gradients of its batch, and the
          gradients are averaged across devices inside the one compiled step
          (`jax.shard_map` over a `jax.sharding.Mesh`).

          * **TPU runtime** (Runtime → Change runtime type → TPU): `jax.devices()` lists the TPU
            cores (8 on a v2-8) and nothing else is needed; the `host_devices` flag below only
            affects the CPU platform and is harmless there.
          * **CPU**: XLA splits the host into `host_devices` virtual devices, which shows the
            same program (and is how the test suite runs it). The flag must be set before JAX is
            first imported: after changing it, restart the runtime.
          '''),
      _install(),
      _PARAMS_NOTE,
      _params('''
          data_root = None
          out_dir = "multi_device_outputs"
          host_devices = 8           # virtual CPU devices (ignored by TPU / GPU backends)
          seed = 0
          epochs = 20                # GraphMAE's MUTAG setting: 20 epochs,
          batch_size = 8             # 8 graphs per device: batch 64 on 8 devices,
          learning_rate = 5e-4       # Adam lr 5e-4,
          hidden = 32                # 5 GIN layers of 32 units
          num_layers = 5
          compare_steps = 5          # steps run both data-parallel and on one device
          fold_seed = 0              # SVM-10fold/GraphMAE folds
          tsne_iter = 1000
          '''),
      _code('''
          import os

          flag = f"--xla_force_host_platform_device_count={host_devices}"
          if host_devices and "xla_force_host_platform_device_count" not in os.environ.get(
              "XLA_FLAGS", ""):
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + flag).strip()

          import jax  # after XLA_FLAGS

          print(f"backend {jax.default_backend()}: {jax.local_device_count()} local devices")
          print(jax.devices())
          '''),
      _code('''
          import json
          import pathlib

          import matplotlib.pyplot as plt
          import numpy as np
          from sklearn.manifold import TSNE

          from jgssl import data, evaluate, models, train
          from jgssl.methods import graphmae

          out = pathlib.Path(out_dir)
          out.mkdir(parents=True, exist_ok=True)
          num_devices = jax.local_device_count()
          ds = data.load("mutag", root=data_root)
          print(f"{ds.name}: {ds.num_graphs} graphs, {ds.num_features} node features, "
                f"{ds.num_classes} classes")
          '''),
      _md('''
          ## 1. Batches: one padded batch per device
          `GraphLoader(replicas=R)` yields `R` batches padded to one `PaddingBudget` and stacked
          on a leading axis; `shard_batches` places slice `r` on device `r` of the mesh.
          '''),
      _code('''
          mesh = train.make_mesh()  # one axis, 'data', over all local devices
          loader = train.GraphLoader(ds.graphs, batch_size=batch_size, replicas=num_devices,
                                     seed=seed)
          print(f"{loader.steps_per_epoch()} steps per epoch of {batch_size} x {num_devices} "
                f"graphs; budget {loader.budget}")
          first = next(iter(loader.epoch(1)))
          sharded = train.shard_batches(first, mesh)
          x = sharded.nodes["x"]
          print("stacked node features", x.shape, "->",
                {s.device.id: s.data.shape for s in x.addressable_shards})
          '''),
      _md('''
          ## 2. The same step on one device and on all of them
          `make_train_step(strategy='data')` without a mesh runs the replicas one after the other
          on one device (`vmap`); with the mesh it splits them over the devices. Both see the
          same batches and keys, so the losses agree up to float rounding.
          '''),
      _code('''
          # GIN encoder and decoder (the paper's for graphs, chosen by pooling); eps=1: the
          # self-loops GraphMAE adds to every TU graph.
          method = graphmae(features=(hidden,) * num_layers, norm="batch", mask_rate=0.75,
                            replace_rate=0.1, alpha=2.0, pooling="sum", eps=1.0)
          tx = train.make_optimizer(name="adam", learning_rate=learning_rate)
          example = jax.tree_util.tree_map(lambda a: a[0], first)  # one batch: the shapes


          def fresh_state():
            return train.create_train_state(jax.random.PRNGKey(seed), method, tx, example)


          parallel_step = train.make_train_step(method, strategy="data", mesh=mesh)
          single_step = train.make_train_step(method, strategy="data")
          batches = [b for _, b in zip(range(compare_steps), loader.epoch(1))]
          compare = {}
          for name, step, put in (
              ("one device", single_step, jax.device_put),
              (f"{num_devices} devices", parallel_step, lambda b: train.shard_batches(b, mesh))):
            state = fresh_state() if step is single_step else train.replicate(fresh_state(), mesh)
            compare[name] = []
            for b in batches:
              state, metrics = step(state, put(b))
              compare[name].append(float(metrics["loss"]))
          a, b = (np.array(v) for v in compare.values())
          max_diff = float(np.max(np.abs(a - b)))
          print("losses:", {k: np.round(v, 5).tolist() for k, v in compare.items()})
          print(f"largest difference: {max_diff:.2e}")
          '''),
      _md('''
          ## 3. Train data-parallel with the engine
          The state is replicated on the mesh; `fit` takes a function `epoch -> batches`.
          '''),
      _code('''
          state = train.replicate(fresh_state(), mesh)
          batches_of = lambda epoch: (train.shard_batches(b, mesh) for b in loader.epoch(epoch))
          result = train.fit(state, parallel_step, batches_of, epochs=epochs)
          losses = np.array([r.loss for r in result.history])
          leaf = jax.tree_util.tree_leaves(result.state.params)[0]
          print(f"{epochs} epochs in {result.train_seconds:.1f} s; loss {losses[0]:.3f} -> "
                f"{losses[-1]:.3f}; parameters live on {len(leaf.sharding.device_set)} devices")
          '''),
      _code('''
          fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
          for name, v in compare.items():
            axes[0].plot(np.arange(1, len(v) + 1), v, marker="o", label=name, alpha=0.7)
          axes[0].set(xlabel="step", ylabel="loss", title="same steps, one vs all devices")
          axes[0].legend()
          axes[1].plot(np.arange(1, len(losses) + 1), losses)
          axes[1].set(xlabel="epoch", ylabel="mean loss",
                      title=f"GraphMAE on MUTAG, {num_devices} devices")
          for ax in axes:
            ax.grid(alpha=0.3)
          fig.tight_layout()
          fig.savefig(out / "loss.png", dpi=120)
          plt.show()
          '''),
      _md('''
          ## 4. Embed every graph and evaluate
          Embedding needs no parallelism: the parameters come back to the host and every graph is
          embedded in padded batches (`shuffle=False`, `drop_last=False`), keeping the rows of
          real graphs. `SVM-10fold/GraphMAE`: an RBF SVM with a grid over `C` in every fold of a
          10-fold stratified CV; the sum of the raw node features is the baseline.
          '''),
      _code('''
          variables = jax.device_get(result.state.variables)
          embed = train.make_embed_fn(method)
          every = train.GraphLoader(ds.graphs, batch_size=64, shuffle=False, drop_last=False)
          emb = np.concatenate([np.asarray(embed(variables, b))[np.asarray(b.globals["mask"])]
                                for b in every.epoch(0)])
          raw = np.asarray(models.sum_readout(ds.graphs.nodes["x"], ds.graphs))
          svm = evaluate.svm_10fold_graphmae(emb, ds.labels, fold_seed=fold_seed)
          svm_raw = evaluate.svm_10fold_graphmae(raw, ds.labels, fold_seed=fold_seed)
          print("GraphMAE:    ", svm.summary())
          print("raw features:", svm_raw.summary())
          '''),
      _code('''
          xy = TSNE(n_components=2, init="pca", random_state=seed, max_iter=tsne_iter,
                    perplexity=min(30.0, (len(emb) - 1) / 3)).fit_transform(emb)
          fig, ax = plt.subplots(figsize=(5, 5))
          sc = ax.scatter(xy[:, 0], xy[:, 1], c=ds.labels, s=12, cmap="coolwarm")
          ax.legend(*sc.legend_elements(), title="class")
          ax.set(xticks=[], yticks=[], title="GraphMAE embeddings of MUTAG (t-SNE)")
          fig.tight_layout()
          fig.savefig(out / "tsne.png", dpi=120)
          plt.show()
          '''),
      _code('''
          summary = {"devices": num_devices, "backend": jax.default_backend(),
                     "param_devices": len(leaf.sharding.device_set),
                     "compare_losses": compare, "compare_max_diff": max_diff,
                     "loss_first": float(losses[0]), "loss_last": float(losses[-1]),
                     "num_embeddings": int(emb.shape[0]), "svm_acc": svm.value,
                     "svm_raw_acc": svm_raw.value}
          (out / "summary.json").write_text(json.dumps(summary, indent=2))
          summary
          '''),
  ]


# ---------------------------------------------------------------------------------------------
# checkpoints.ipynb
# ---------------------------------------------------------------------------------------------


def checkpoints() -> List[Dict]:
  return [
      _md('''
          # Checkpoints: interrupt, resume, reload, embed a new graph

          Colab runtimes disconnect. jgssl's `Checkpointer` (Orbax `CheckpointManager`) saves the
          whole `TrainState` (parameters, optimizer state, batch statistics and the random key
          stream) every few epochs, so a resumed run continues *exactly* where the interrupted one
          was and ends bit-identical to an uninterrupted run. Then we reload the trained encoder
          in a fresh state, as a new session would, and embed a molecule drawn by hand.

          Method: GraphCL (You et al., 2020), a GIN encoder on MUTAG (batches of 32 graphs here;
          GraphCL used 128). On Colab, point `out_dir` at a mounted Google Drive folder so the
          checkpoints outlive the runtime.
          '''),
      _install(),
      _PARAMS_NOTE,
      _params('''
          data_root = None
          out_dir = "checkpoints_outputs"  # checkpoints and plots (e.g. a Drive folder on Colab)
          seed = 0
          epochs = 20                # GraphCL: 20 epochs, Adam lr 0.01, 3 GIN layers of 32
          checkpoint_every = 5
          interrupt_after = 12       # the first run dies after this epoch (11 and 12 are lost)
          batch_size = 32
          hidden = 32
          num_layers = 3
          learning_rate = 0.01
          '''),
      _code('''
          import json
          import logging
          import pathlib
          import shutil

          import jax
          import matplotlib.pyplot as plt
          import numpy as np

          from jgssl import data, train
          from jgssl import graph as graph_lib
          from jgssl.methods import graphcl

          logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
          out = pathlib.Path(out_dir)
          for sub in ("run", "run.damaged", "reference"):
            shutil.rmtree(out / sub, ignore_errors=True)  # start clean when re-run
          out.mkdir(parents=True, exist_ok=True)

          ds = data.load("mutag", root=data_root)
          method = graphcl(features=(hidden,) * num_layers, aug="random2")
          loader = train.GraphLoader(ds.graphs, batch_size=batch_size, seed=seed)
          example = next(iter(loader.epoch(1)))
          tx = train.make_optimizer(name="adam", learning_rate=learning_rate)
          step = train.make_train_step(method)


          def fresh_state():
            """What a new session builds first: the template a checkpoint is restored into."""
            return train.create_train_state(jax.random.PRNGKey(seed), method, tx, example)


          print(f"{ds.num_graphs} graphs, {loader.steps_per_epoch()} steps per epoch")
          '''),
      _md('''
          ## 1. Train, and get interrupted
          A callback plays the disconnect: it raises after epoch `interrupt_after`. Checkpoints are
          written every `checkpoint_every` epochs (Orbax keeps the newest three).
          '''),
      _code('''
          class RuntimeDisconnected(Exception):
            pass


          def log_to(history):
            return lambda record, state: history.append(record.loss)


          def die_after(epoch):
            def callback(record, state):
              if record.epoch == epoch:
                raise RuntimeDisconnected(f"runtime lost after epoch {epoch}")
            return callback


          ckpt_dir = out / "run" / "checkpoints"
          first_run = []
          with train.Checkpointer(ckpt_dir) as ckpt:
            try:
              train.fit(fresh_state(), step, loader, epochs=epochs, checkpointer=ckpt,
                        checkpoint_every=checkpoint_every,
                        callbacks=[log_to(first_run), die_after(interrupt_after)])
            except RuntimeDisconnected as e:
              print("interrupted:", e)
            steps_after_interrupt = ckpt.all_steps()
          print("checkpoints on disk (epochs):", steps_after_interrupt)
          '''),
      _md('''
          ## 2. Resume
          A new session builds a fresh state and calls `fit` with the same checkpointer: it
          restores the newest checkpoint and continues at the next epoch. An uninterrupted run of
          the same length is the reference: the parameters agree bit for bit.
          '''),
      _code('''
          resumed_losses = []
          with train.Checkpointer(ckpt_dir) as ckpt:
            resumed = train.fit(fresh_state(), step, loader, epochs=epochs, checkpointer=ckpt,
                                checkpoint_every=checkpoint_every,
                                callbacks=[log_to(resumed_losses)])
          print(f"resumed after epoch {resumed.start_epoch}, trained epochs "
                f"{resumed.start_epoch + 1}-{epochs}")

          reference = train.fit(fresh_state(), step, loader, epochs=epochs)
          ref_losses = [r.loss for r in reference.history]
          same = (train.tree_checksum(resumed.state.params)
                  == train.tree_checksum(reference.state.params))
          print("resumed == uninterrupted, bit for bit:", same)
          assert same, "a resumed run must end where the uninterrupted run ends"
          '''),
      _code('''
          fig, ax = plt.subplots(figsize=(6, 3.5))
          ax.plot(np.arange(1, epochs + 1), ref_losses, color="grey", lw=4, alpha=0.4,
                  label="uninterrupted")
          ax.plot(np.arange(1, len(first_run) + 1), first_run, label="first run (interrupted)")
          ax.plot(np.arange(resumed.start_epoch + 1, epochs + 1), resumed_losses, "--",
                  label=f"resumed from epoch {resumed.start_epoch}")
          ax.axvline(interrupt_after, color="red", lw=0.8)
          ax.set(xlabel="epoch", ylabel="GraphCL loss", title="interrupt and resume")
          ax.legend()
          ax.grid(alpha=0.3)
          fig.tight_layout()
          fig.savefig(out / "resume.png", dpi=120)
          plt.show()
          '''),
      _md('''
          ## 3. Reload the trained encoder and embed a new graph
          Restore the newest checkpoint into a fresh template state, then embed a graph that is
          not in the dataset: nitrobenzene, drawn by hand with `jgssl.graph.from_edge_index`
          (MUTAG's node features are one-hot atom types C, N, O, F, I, Cl, Br; hydrogens are
          left out). `embed` runs in evaluation mode (batch-norm running averages), so the
          embedding does not depend on the batch or the padding.
          '''),
      _code('''
          with train.Checkpointer(ckpt_dir) as ckpt:
            restored, epoch = ckpt.restore_latest(fresh_state())
          print(f"restored epoch {epoch}, step {int(restored.step)}")
          variables = restored.variables
          embed = train.make_embed_fn(method)

          ATOMS = ("C", "N", "O", "F", "I", "Cl", "Br")


          def molecule(atoms, bonds):
            x = np.eye(len(ATOMS), dtype=np.float32)[[ATOMS.index(a) for a in atoms]]
            return graph_lib.from_edge_index(np.array(bonds).T, num_nodes=len(atoms),
                                             node_features=x)


          # nitrobenzene: a benzene ring (atoms 0-5), N on atom 0, two O on N
          nitrobenzene = molecule(["C"] * 6 + ["N", "O", "O"],
                                  [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0),
                                   (0, 6), (6, 7), (6, 8)])
          new_emb = np.asarray(embed(variables, graph_lib.pad_graph(
              nitrobenzene, graph_lib.budget_for(nitrobenzene))))[0]
          roomy = graph_lib.PaddingBudget(n_node=64, n_edge=128, n_graph=4)
          again = np.asarray(embed(variables, graph_lib.pad_graph(nitrobenzene, roomy)))[0]
          print("embedding", new_emb.shape, "| independent of the padding:",
                bool(np.allclose(new_emb, again, atol=1e-5)))

          every = train.GraphLoader(ds.graphs, batch_size=64, shuffle=False, drop_last=False)
          emb = np.concatenate([np.asarray(embed(variables, b))[np.asarray(b.globals["mask"])]
                                for b in every.epoch(0)])
          unit = lambda a: a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)
          cos = unit(emb) @ unit(new_emb)
          nearest = np.argsort(-cos)[:5]
          print("nearest MUTAG graphs (index, cosine, label 1 = mutagenic):")
          for i in nearest:
            print(f"  {i:4d}  {cos[i]:.3f}  {ds.labels[i]}")
          '''),
      _code('''
          centred = emb - emb.mean(axis=0)
          _, _, vt = np.linalg.svd(centred, full_matrices=False)
          xy, new_xy = centred @ vt[:2].T, (new_emb - emb.mean(axis=0)) @ vt[:2].T
          fig, ax = plt.subplots(figsize=(5.5, 5))
          sc = ax.scatter(xy[:, 0], xy[:, 1], c=ds.labels, s=12, cmap="coolwarm", alpha=0.8)
          ax.scatter(*new_xy, marker="*", s=300, c="gold", edgecolors="black",
                     label="nitrobenzene (new)")
          ax.legend(handles=sc.legend_elements()[0] + [ax.collections[-1]],
                    labels=["class 0", "class 1", "nitrobenzene (new)"])
          ax.set(xlabel="PC 1", ylabel="PC 2",
                 title="restored GraphCL encoder: MUTAG and a new graph")
          fig.tight_layout()
          fig.savefig(out / "new_graph.png", dpi=120)
          plt.show()
          '''),
      _md('''
          ## 4. A damaged newest checkpoint
          A crash in the middle of a write can leave the newest checkpoint unreadable. Restoring
          walks back to the newest checkpoint that restores cleanly, logs why it skipped the
          others and moves them aside to `checkpoints.damaged/`. Here we truncate every file of
          the newest one.
          '''),
      _code('''
          with train.Checkpointer(ckpt_dir) as ckpt:
            steps = ckpt.all_steps()
            newest = steps[-1]
            for f in (ckpt_dir / str(newest)).rglob("*"):  # cut every file to a third
              if f.is_file():
                f.write_bytes(f.read_bytes()[:f.stat().st_size // 3])
            _, fallback = ckpt.restore_latest(fresh_state())
            skipped = list(ckpt.skipped)
          print(f"checkpoints {steps}; newest {newest} damaged -> restored epoch {fallback}")
          print("skipped:", skipped)
          '''),
      _code('''
          summary = {"epochs": epochs, "interrupt_after": interrupt_after,
                     "checkpoints_after_interrupt": steps_after_interrupt,
                     "resumed_from": resumed.start_epoch, "bit_identical": bool(same),
                     "restored_epoch": epoch, "embedding_dim": int(new_emb.shape[0]),
                     "padding_independent": bool(np.allclose(new_emb, again, atol=1e-5)),
                     "damaged": newest, "fallback_epoch": fallback,
                     "skipped": [s for s, _ in skipped],
                     "loss_first": float(ref_losses[0]), "loss_last": float(ref_losses[-1])}
          (out / "summary.json").write_text(json.dumps(summary, indent=2))
          summary
          '''),
  ]


BUILDERS = {
    "quickstart": quickstart,
    "compose_your_own": compose_your_own,
    "multi_device": multi_device,
    "checkpoints": checkpoints,
}


# ---------------------------------------------------------------------------------------------
# Writing, checking, stripping
# ---------------------------------------------------------------------------------------------


def build(name: str) -> nbformat.NotebookNode:
  """The notebook ``name`` (one of :data:`NOTEBOOKS`) with deterministic cell ids, no outputs."""
  if name not in BUILDERS:
    raise ValueError(f"unknown notebook {name!r}; choose one of {NOTEBOOKS}")
  nb = nbformat.v4.new_notebook()
  nb.metadata = {
      "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
      "language_info": {"name": "python"},
      "colab": {"provenance": [], "name": f"{name}.ipynb"},
  }
  if name == "multi_device":
    nb.metadata["accelerator"] = "TPU"
  for i, cell in enumerate(BUILDERS[name]()):
    if cell["kind"] == "markdown":
      c = nbformat.v4.new_markdown_cell(cell["source"])
    else:
      c = nbformat.v4.new_code_cell(cell["source"])
      if cell["tags"]:
        c.metadata["tags"] = list(cell["tags"])
    c.id = f"{name}-{i:02d}"
    nb.cells.append(c)
  nbformat.validate(nb)
  return nb


def render(nb: nbformat.NotebookNode) -> str:
  return nbformat.writes(nb) + "\n"


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
  """Removes outputs, execution counts and per-run metadata (in place); returns ``nb``."""
  for cell in nb.cells:
    if cell.cell_type == "code":
      cell.outputs = []
      cell.execution_count = None
    for key in ("execution", "collapsed", "scrolled", "outputId"):
      cell.metadata.pop(key, None)
  nb.metadata.pop("widgets", None)
  return nb


def main(argv: Sequence[str] = ()) -> int:
  parser = argparse.ArgumentParser(description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--check", action="store_true",
                      help="compare instead of writing; exit 1 on a difference")
  parser.add_argument("--strip", nargs="+", metavar="FILE",
                      help="strip outputs of these notebooks in place and exit")
  args = parser.parse_args(list(argv))
  if args.strip:
    for path in args.strip:
      nb = nbformat.read(path, as_version=4)
      nbformat.write(strip(nb), path)
      print(f"stripped {path}")
    return 0
  stale = []
  for name in NOTEBOOKS:
    path = HERE / f"{name}.ipynb"
    text = render(build(name))
    if args.check:
      if not path.exists() or path.read_text() != text:
        stale.append(path.name)
    else:
      path.write_text(text)
      print(f"wrote {path}")
  if stale:
    print(f"out of date (run python notebooks/make_notebooks.py): {', '.join(stale)}")
    return 1
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv[1:]))

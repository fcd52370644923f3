"""BGRL on Cora with PyGCL (its ``examples/BGRL_L2L.py`` recipe, jgssl's Cora hyperparameters).

PyGCL parts: ``GCL.augmentors`` (``Compose([EdgeRemoving(pe), FeatureMasking(pf)])`` per view)
and ``GCL.models.BootstrapContrast(loss=GCL.losses.BootstrapLatent(), mode='L2L')``, which
returns the mean cosine similarity of each prediction with the other view's target. PyGCL's
example back-propagates that similarity itself (a loss with the wrong sign); here the loss is
BGRL's ``2 - 2 * similarity`` (same cost). Note that ``BootstrapLatent`` computes the full
``N x N`` cosine matrix and keeps its diagonal (``O(N^2 d)``), where BGRL needs ``O(N d)``: that
is PyGCL's cost, kept as is; ``bgrl_official.py`` times the ``O(N d)`` form.

The model (encoder, predictor, EMA target, AdamW + warm-up/cosine) is nerdslab/bgrl's, shared
with ``bgrl_official.py`` (``_bgrl.py``), with ``experiments/configs/bgrl.py:cora`` values; it
replaces the example's single-BatchNorm encoder with projection head and dropout so that both
sides compute the same network.
"""

import torch

import _bgrl
import _common


def main():
  args, cores, data, GCL = _common.start(__doc__, pygcl=True)
  A = GCL.augmentors

  aug1 = A.Compose([A.EdgeRemoving(pe=_bgrl.DROP_EDGE_1), A.FeatureMasking(pf=_bgrl.DROP_FEATURE_1)])
  aug2 = A.Compose([A.EdgeRemoving(pe=_bgrl.DROP_EDGE_2), A.FeatureMasking(pf=_bgrl.DROP_FEATURE_2)])
  model = _bgrl.BGRL(data.num_features)
  contrast_model = GCL.models.BootstrapContrast(loss=GCL.losses.BootstrapLatent(), mode="L2L")
  optimizer = _bgrl.make_optimizer(model)
  step = [0]

  def train_step():
    model.train()
    mm = _bgrl.schedule(optimizer, step[0])
    optimizer.zero_grad()
    x1, ei1, ew1 = aug1(data.x, data.edge_index, data.edge_attr)
    x2, ei2, ew2 = aug2(data.x, data.edge_index, data.edge_attr)
    h1 = model.online_encoder(x1, ei1, ew1)
    h2 = model.online_encoder(x2, ei2, ew2)
    p1, p2 = model.predictor(h1), model.predictor(h2)
    with torch.no_grad():
      t1 = model.target_encoder(x1, ei1, ew1)
      t2 = model.target_encoder(x2, ei2, ew2)
    similarity = contrast_model(h1_pred=p1, h2_pred=p2, h1_target=t1.detach(),
                                h2_target=t2.detach())
    loss = 2.0 - 2.0 * similarity
    loss.backward()
    optimizer.step()
    model.update_target(mm)
    step[0] += 1
    return loss.item()

  _common.finish("bgrl-pygcl", args, cores, train_step, num_nodes=data.num_nodes,
                 num_edges=data.edge_index.size(1),
                 pygcl_stubbed_dependencies=list(GCL.stubbed_dependencies))


if __name__ == "__main__":
  main()

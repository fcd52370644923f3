"""BGRL on Cora as nerdslab/bgrl ``train_transductive.py`` trains it (no PyGCL).

One epoch is upstream's ``train(step)``: set the learning rate and the momentum for the step, two
augmented copies of the graph (``DropEdges``: PyG ``dropout_adj``; ``DropFeatures``: the same
random columns zeroed for every node), ``q1, y2 = model(x1, x2)``, ``q2, y1 = model(x2, x1)``,
the loss ``2 - cos(q1, y2).mean() - cos(q2, y1).mean()`` (per node, ``O(N d)``), backward, AdamW
step, EMA update of the target. Model and hyperparameters: ``_bgrl.py``
(``experiments/configs/bgrl.py:cora``).
"""

import torch
import torch.nn.functional as F
from torch_geometric.utils import dropout_adj

import _bgrl
import _common


def main():
  args, cores, data, _ = _common.start(__doc__)
  model = _bgrl.BGRL(data.num_features)
  optimizer = _bgrl.make_optimizer(model)
  step = [0]

  def view(p_edge, p_feature):
    edge_index, _ = dropout_adj(data.edge_index, p=p_edge)
    return _common.drop_feature(data.x, p_feature), edge_index

  def forward(online, target):
    online_q = model.predictor(model.online_encoder(*online))
    with torch.no_grad():
      target_y = model.target_encoder(*target).detach()
    return online_q, target_y

  def train_step():
    model.train()
    mm = _bgrl.schedule(optimizer, step[0])
    optimizer.zero_grad()
    v1 = view(_bgrl.DROP_EDGE_1, _bgrl.DROP_FEATURE_1)
    v2 = view(_bgrl.DROP_EDGE_2, _bgrl.DROP_FEATURE_2)
    q1, y2 = forward(v1, v2)
    q2, y1 = forward(v2, v1)
    loss = (2 - F.cosine_similarity(q1, y2.detach(), dim=-1).mean()
            - F.cosine_similarity(q2, y1.detach(), dim=-1).mean())
    loss.backward()
    optimizer.step()
    model.update_target(mm)
    step[0] += 1
    return loss.item()

  _common.finish("bgrl-official", args, cores, train_step, num_nodes=data.num_nodes,
                 num_edges=data.edge_index.size(1))


if __name__ == "__main__":
  main()

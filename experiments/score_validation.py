"""Validation accuracy of finished node-level runs: ``python -m experiments.score_validation``.

``python -m experiments.score_validation DIR [DIR ...]`` re-scores the saved embeddings of each
finished ``experiments.train`` workdir with the run's own public-split protocol (same probe,
same settings, same seed), fitted on the training nodes as always but scored on the
**validation** nodes instead of the test nodes. This is the number to choose hyperparameters
on (e.g. the G-BT Planetoid epochs in ``experiments/configs/gbt.py``) without looking at the
test nodes. ``--json`` prints one JSON object per line.

Only public-split protocols (``experiments.protocols.Protocol.public_split``: ``LP-public/*``,
``LR-public-sklearn/*``) have validation nodes to score; random-split protocols are refused.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any, Dict, Sequence

import ml_collections
import numpy as np

from experiments import common
from experiments import registry


def score_validation(workdir) -> Dict[str, Any]:
  """``{'workdir', 'method', 'dataset', 'seed', 'epochs', 'protocol', 'val_acc', 'val_acc_std',
  'test_acc'}`` for one finished run (accuracies in percent).

  Raises:
    common.ConfigError: if the run is not finished, or its protocol has no public split.
  """
  from jgssl import data  # pylint: disable=import-outside-toplevel

  workdir = pathlib.Path(workdir)
  result_path = workdir / "result.json"
  if not result_path.is_file() or not (workdir / "embeddings.npy").is_file():
    raise common.ConfigError(f"{workdir} holds no finished run (result.json and embeddings.npy)")
  result = json.loads(result_path.read_text())
  config = result["config"]
  protocol_name = config["eval"]["protocol"]
  protocol = registry.get_protocol(protocol_name)
  if not protocol.public_split:
    raise common.ConfigError(f"{workdir}: protocol {protocol_name} draws random splits; only "
                             f"public-split protocols have validation nodes to score")
  cfg = ml_collections.ConfigDict(config["eval"])
  cfg.scored_split = "val"
  dataset = data.load(config["dataset"], progress=False)
  embeddings = np.load(workdir / "embeddings.npy")
  labels = np.load(workdir / "labels.npy")
  _, metrics, _ = protocol.evaluate(embeddings, labels, seed=int(result["seed"]), cfg=cfg,
                                    dataset=dataset, context=None)
  return {"workdir": str(workdir), "method": result["method"], "dataset": result["dataset"],
          "seed": int(result["seed"]), "epochs": int(result["epochs"]),
          "protocol": protocol_name, "val_acc": metrics["test_acc"],
          "val_acc_std": metrics.get("test_acc_std"),
          "test_acc": result["metrics"]["test_acc"]}


def main(argv: Sequence[str] = ()) -> int:
  parser = argparse.ArgumentParser(prog="python -m experiments.score_validation",
                                   description=__doc__.splitlines()[0])
  parser.add_argument("workdirs", nargs="+", help="finished experiments.train workdirs")
  parser.add_argument("--json", action="store_true", help="one JSON object per line")
  args = parser.parse_args(list(argv))
  if not args.json:
    print("| workdir | method | dataset | seed | epochs | protocol | val acc | test acc |")
    print("|---|---|---|---|---|---|---|---|")
  for workdir in args.workdirs:
    row = score_validation(workdir)
    if args.json:
      print(json.dumps(row))
    else:
      print(f"| {row['workdir']} | {row['method']} | {row['dataset']} | {row['seed']} | "
            f"{row['epochs']} | {row['protocol']} | {row['val_acc']:.2f} | "
            f"{row['test_acc']:.2f} |")
  return 0


if __name__ == "__main__":
  sys.exit(common.exit_status(lambda: main(sys.argv[1:])))

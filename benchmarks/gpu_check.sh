#!/bin/bash
# The issue-7 suites on one GPU, as one prepared run that ends in under 8 minutes.
#
# Runs the Cora suite (GRACE, DGI, BGRL, GraphMAE with their official Cora configs: s/epoch,
# compile time, counted compilations, FLOPs, host RSS and device peak memory, the GPU's matmul
# roofline) and the scaling suite at 10k, 50k and 200k nodes, and writes the JSON, the logs and
# the plot to $OUT (default benchmarks/results/gpu). The figures go beside the CPU ones in
# benchmarks/RESULTS.md.
#
# On this workplace's GPU machine (the `device` tool) the image already has jax (CUDA), flax,
# optax, chex and orbax; jraph and ml_collections travel as wheels and Cora travels as raw files,
# since ../shared does not. Prepare once, in the repository root:
#
#   echo /.whl/ >> .git/info/exclude; echo /.gpu_data/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 -d .whl \
#       jraph==0.0.6.dev0 ml-collections==1.1.0
#   mkdir -p .gpu_data/cora && cp -r ../shared/datasets/cora/raw .gpu_data/cora/
#
# then run it with carry [".whl", ".gpu_data"] and the command `bash benchmarks/gpu_check.sh`
# (timeout_s 540). Anywhere else: `JGSSL_DATA_DIR=... bash benchmarks/gpu_check.sh`.
set -u -o pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-benchmarks/results/gpu}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
if [ -d .whl ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
[ -d .gpu_data ] && export JGSSL_DATA_DIR=${JGSSL_DATA_DIR:-$PWD/.gpu_data}
export PYTHONUNBUFFERED=1
( nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true ) \
    | tee "$OUT/machine.txt"
$PY -c "import jax; print('jax', jax.__version__, jax.devices())" | tee -a "$OUT/machine.txt" \
    || exit 1
# Cora suites: 20 timed epochs after 3 warm-up epochs, each method in a fresh process.
timeout 240 $PY -m benchmarks.run --suite cora --epochs 20 --warmup 3 --timeout 120 \
    --out "$OUT/cora_gpu.json" 2>&1 | tee "$OUT/cora_gpu.log"
# Scaling: exact chunked GRACE, BGRL and GraphMAE; 2 timed epochs to 20k nodes, 1 above.
timeout 240 $PY -m benchmarks.run --suite scaling --sizes 10000,50000,200000 --epochs 2 \
    --timeout 90 --rss-cap-gb 100 --out "$OUT/scaling_gpu.json" \
    --plot "$OUT/scaling_gpu.png" 2>&1 | tee "$OUT/scaling_gpu.log"

#!/bin/sh
# The continual-learning benchmark: `track`'s learner vs a PyTorch reference of the same
# protocol vs Avalanche. Fashion-MNIST, MLP 784-256-256-10, one epoch per task, SGD lr 0.01,
# batch 32; Split 5x2 classes (class-incremental) and Permuted 5 tasks; strategies naive,
# replay (500, 2000), EWC, LwF, A-GEM, joint; single-threaded.
#
#   Benchmarks/continual.sh                 # everything, seeds 0,1,2
#   SEEDS=0 SCENARIOS=split IMPLS="ours torch" Benchmarks/continual.sh
#   PROTOCOL=issue16 SEEDS=11,12,13 IMPLS="ours torch" Benchmarks/continual.sh
#     (issue 16: momentum 0.9, DER++ and ER-ACE too; results/issue16.jsonl)
#
# Needs: apt-get install dataset-fashion-mnist; PyPI access for the throwaway venv.
# Results: Benchmarks/results/results.jsonl (one JSON line per run); summary:
#   python3 Benchmarks/summarize.py Benchmarks/results/results.jsonl
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SEEDS=${SEEDS:-0,1,2}
SCENARIOS=${SCENARIOS:-split,permuted}
IMPLS=${IMPLS:-ours torch avalanche}
VENV=${VENV:-/tmp/venv-continual-bench}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

(cd "$here/.." && swift build -c release --product ContinualBenchmark)

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch==2.13.0+cpu numpy
  # avalanche-lib's declared deps would pull the CUDA torch: install it without deps, then
  # what it imports. torchvision's wheel is CUDA-linked; reference.py works around that.
  "$VENV/bin/pip" install -q --no-deps avalanche-lib==0.6.0 torchvision==0.28.0
  "$VENV/bin/pip" install -q typing-extensions psutil scikit-learn matplotlib tqdm \
    torchmetrics dill packaging gputil pytorchcv qpsolvers pillow gdown tensorboard wandb
fi

for impl in $IMPLS; do
  "$VENV/bin/python" "$here/protocol.py" --impl "$impl" --scenarios "$SCENARIOS" \
    --seeds "$SEEDS" --python "$VENV/bin/python" ${STRATEGIES:+--strategies "$STRATEGIES"} \
    ${PROTOCOL:+--protocol "$PROTOCOL"}
done
if [ "${PROTOCOL:-}" = issue16 ]; then
  python3 "$here/summarize.py" "$here/results/issue16.jsonl"
else
  python3 "$here/summarize.py" "$here/results/results.jsonl"
fi

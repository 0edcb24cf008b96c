#!/usr/bin/env bash
# Numerics benchmarks: builds the Swift release benchmark and runs the same workloads in
# PyTorch and TensorFlow side by side, then prints every figure and the ratios.
#
#   Benchmarks/numerics.sh            # all workloads (~15 minutes on 2 cores)
#   SKIP_TF=1 Benchmarks/numerics.sh  # without TensorFlow
#   SKIP_STREAM=1 Benchmarks/numerics.sh  # without the Split Fashion-MNIST streams
#   CNN_EPOCHS=5 Benchmarks/numerics.sh   # also the CNN's 5-epoch accuracy (~5 more minutes)
#   REPEATS=1 Benchmarks/numerics.sh  # one run per one-epoch configuration (default 3;
#                                     # the seed workload runs 5 times unless REPEATS=1)
#
# Single runs of the frameworks vary by up to 2-3x on this shared machine (TensorFlow's
# seed workload: 2.2-8.8 s), so every figure is the median of repeated runs, interleaved
# so that a slow spell of the machine hits every framework alike.
#
# Python frameworks go into a throwaway venv ($VENV, default /tmp/venv-numerics):
# torch==2.13.0+cpu (CPU wheel) and tensorflow-cpu (or tensorflow). Every framework runs
# with the thread count named on its line (OMP/OpenBLAS/MKL pinned to match).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-/tmp/venv-numerics}
LOG=${LOG:-/tmp/numerics-bench.log}
DUMP=/tmp/numerics-bench
REPEATS=${REPEATS:-3}
SEED_REPEATS=$(( REPEATS == 1 ? 1 : REPEATS + 2 ))
: >"$LOG"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch==2.13.0+cpu numpy
fi
if [ -z "${SKIP_TF:-}" ] && ! "$VENV/bin/python" -c "import tensorflow" 2>/dev/null; then
  "$VENV/bin/pip" install -q tensorflow-cpu || "$VENV/bin/pip" install -q tensorflow
fi

swift build -c release --product NumericsBenchmarks >/dev/null
swift build -c release --product track >/dev/null
BIN=.build/release/NumericsBenchmarks
TRACK=.build/release/track
PY=("$VENV/bin/python" Benchmarks/numerics_reference.py)
export TF_CPP_MIN_LOG_LEVEL=2

run() {  # run THREADS COMMAND...: one benchmark with every thread knob set to THREADS
  local threads=$1; shift
  # Ours never uses OpenBLAS's threads (--threads drives its own pool): do not let OpenBLAS
  # start idle ones that spin on the second core for the first ~0.1 s.
  local blas=$threads
  if [ "$1" = "$BIN" ]; then blas=1; fi
  echo "+ $*" >&2
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$blas MKL_NUM_THREADS=$threads \
    "$@" 2>/dev/null | grep '^workload=' | tee -a "$LOG"
}

tf() { [ -z "${SKIP_TF:-}" ]; }

# 0. The machine: CPU model, OpenBLAS kernel (and who chose it), this core's measured fp32
#    FMA peak (every "share of peak" below is against it). OPENBLAS_CORETYPE, when set in the
#    shell, is kept (and named): unset it to see track's own choice.
"$BIN" machine | tee -a "$LOG"
"$BIN" peak --seconds 2 | tee -a "$LOG"

# 1. The seed workload: 10->64 ReLU->1, Adam 0.01, MSE, full batch 10,000 x 10, 1,000 steps.
#    All three start from the data and weights the Swift run dumps.
for _ in $(seq "$SEED_REPEATS"); do
  run 1 "$BIN" seed --threads 1 --dump "$DUMP"
  run 1 "${PY[@]}" torch seed --threads 1 --dump "$DUMP"
  if tf; then run 1 "${PY[@]}" tf seed --threads 1 --dump "$DUMP"; fi
  # The same workload as a user runs it: Examples/seed-regression.yaml through `track run`
  # (process start, data generation, a metric point per epoch into a fresh SQLite file).
  run 1 python3 Benchmarks/time_track_run.py seed "$TRACK" Examples/seed-regression.yaml
  # The narrow kernels' AVX2 version on the same data (the default is the widest: AVX-512
  # where the CPU has it), to show what the AVX-512 one gains.
  run 1 "$BIN" seed --threads 1 --narrow avx2
done

# 2. Fashion-MNIST 784->256->256->10, SGD 0.01, one epoch, batch 32 and 128, 1 and 2 threads.
for _ in $(seq "$REPEATS"); do
  for threads in 1 2; do
    for batch in 32 128; do
      run "$threads" "$BIN" fashion --batch "$batch" --threads "$threads"
      run "$threads" "${PY[@]}" torch fashion --batch "$batch" --threads "$threads"
      if tf; then run "$threads" "${PY[@]}" tf fashion --batch "$batch" --threads "$threads"; fi
    done
  done
done

# Accuracy after 5 epochs, batch 128, SGD momentum 0.9, 1 thread.
run 1 "$BIN" fashion --batch 128 --epochs 5 --momentum 0.9 --threads 1
run 1 "${PY[@]}" torch fashion --batch 128 --epochs 5 --momentum 0.9 --threads 1

# 4. The Split Fashion-MNIST stream as a user runs it (`track run`, tracking included) on the
#    issue-16 protocol (Benchmarks/specs/split-fmnist-issue16.yaml: 5 tasks, 1 epoch, batch
#    32, SGD 0.01 momentum 0.9, all images), naive and replay 500, against the plain-PyTorch
#    stream (reference.py, CPU seconds of the stream without its start-up). SKIP_STREAM=1
#    leaves it out.
if [ -z "${SKIP_STREAM:-}" ]; then
  SPEC=Benchmarks/specs/split-fmnist-issue16.yaml
  for _ in $(seq "$REPEATS"); do
    run 1 python3 Benchmarks/time_track_run.py stream "$TRACK" "$SPEC" \
      --set strategy.type=naive +strategy=naive
    run 1 python3 Benchmarks/time_track_run.py stream "$TRACK" "$SPEC" +strategy=replay500
    for strategy in naive replay; do
      label=$([ "$strategy" = replay ] && echo replay500 || echo naive)
      run 1 "$VENV/bin/python" Benchmarks/torch_stream.py "$label" --impl torch \
        --scenario split --strategy "$strategy" --memory 500 --seed 11 --momentum 0.9
    done
  done
fi

# 5. Issue 15's CNN (conv 32 3x3 -> pool -> conv 64 3x3 -> pool -> dense 128 -> 10, batch 64,
#    SGD 0.01 momentum 0.9) as a plain Fashion-MNIST classifier: one epoch through `track run`
#    (Benchmarks/specs/fashion-cnn.yaml; the whole process, with a test evaluation of 10,000
#    images before and after) against PyTorch's training loop; CNN_EPOCHS=5 adds the
#    5-epoch accuracy of both. SKIP_CNN=1 leaves it out.
if [ -z "${SKIP_CNN:-}" ]; then
  for epochs in 1 ${CNN_EPOCHS:-}; do
    [ "$epochs" = 1 ] || [ "$epochs" = 5 ] || continue
    run 1 python3 Benchmarks/time_track_run.py cnn "$TRACK" Benchmarks/specs/fashion-cnn.yaml \
      --set training.epochs="$epochs" +epochs="$epochs"
    run 1 "${PY[@]}" torch cnn --batch 64 --epochs "$epochs" --momentum 0.9 --threads 1
  done
fi

python3 Benchmarks/numerics_compare.py "$LOG"

#!/usr/bin/env bash
# Storage benchmark: track's batched and per-call metric logging, the raw SQLite C API inserting
# rows of the same shape, and MLflow's log_batch / log_metric into its SQLite store.
# Prints `name: value unit` lines, then the ratios the storage goals are stated in.
#
#   Benchmarks/storage.sh                 # 1,000,000 points for ours; MLflow 20,000 (batch) / 500 (per call)
#   POINTS=200000 Benchmarks/storage.sh   # quicker
#   SKIP_MLFLOW=1 Benchmarks/storage.sh   # no network / no venv
set -euo pipefail
cd "$(dirname "$0")/.."
points=${POINTS:-1000000}
venv=${MLFLOW_VENV:-/tmp/venv-track-mlflow}

swift build -c release --product storage-benchmark >&2
bin=$(swift build -c release --show-bin-path)
ours=$("$bin/storage-benchmark" "$points")
echo "$ours"

if [ -n "${SKIP_MLFLOW:-}" ]; then exit 0; fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mlflow" 2>/dev/null; then
  echo "creating $venv with mlflow (pip install mlflow)..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check mlflow >&2
fi
theirs=$("$venv/bin/python" Benchmarks/mlflow_logging.py \
  --batch-points "${MLFLOW_BATCH_POINTS:-20000}" --metric-points "${MLFLOW_METRIC_POINTS:-500}")
echo "$theirs"

value() { printf '%s\n' "$ours" "$theirs" | awk -v k="$1:" '$1 == k { print $2 }'; }
awk -v b="$(value track_batched)" -v r="$(value raw_sqlite_c_api)" \
    -v p="$(value track_per_call)" -v m="$(value mlflow_log_batch)" \
    -v s="$(value mlflow_log_metric)" 'BEGIN {
  printf "goal_batched_vs_raw (>= 0.5): %.2f x\n", b / r
  printf "goal_batched_vs_mlflow_log_batch (>= 50): %.1f x\n", b / m
  printf "goal_per_call_vs_batched (>= 0.5): %.2f x\n", p / b
  printf "track_per_call_vs_mlflow_log_metric: %.0f x\n", p / s
}'

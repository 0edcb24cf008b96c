#!/usr/bin/env bash
# MLflow tracking servers side by side on this machine: track serve (release build),
# FastTrackML (pip install fasttrackml; `fml server`, SQLite) and `mlflow server` (SQLite, one
# worker), with the in-process batched logging figure of Benchmarks/storage.sh beside them.
# Prints the CPU model and the load; every server runs on the same loopback, one at a time.
#
#   Benchmarks/server.sh              # full workloads (10,000 runs for search; a few minutes)
#   QUICK=1 Benchmarks/server.sh      # smaller workloads
#   PEERS=0 Benchmarks/server.sh      # track alone (no pip installs)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${SERVER_BENCH_VENV:-/tmp/venv-track-server-bench}

swift build -c release --product track --product storage-benchmark >&2
bin=$(swift build -c release --show-bin-path)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mlflow" 2>/dev/null; then
  echo "creating $venv with mlflow and fasttrackml (pip)..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check mlflow fasttrackml >&2
fi
peers=()
if [ "${PEERS:-1}" != 0 ]; then
  [ -x "$venv/bin/fml" ] && peers+=(--fml "$venv/bin/fml")
  [ -x "$venv/bin/mlflow" ] && peers+=(--mlflow "$venv/bin/mlflow")
fi
echo "in-process (Benchmarks/storage.sh, 200,000 points):"
"$bin/storage-benchmark" 200000 | grep -E "track_batched|raw_sqlite"
"$venv/bin/python" Benchmarks/server_benchmark.py --track "$bin/track" "${peers[@]}" \
  ${QUICK:+--quick}

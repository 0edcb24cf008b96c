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
# Three venvs: the client side (mlflow-skinny), FastTrackML and the mlflow server (their
# pinned dependencies conflict: fasttrackml's SQLAlchemy breaks mlflow's server).
make_venv() {  # make_venv DIR PACKAGES...
  local dir=$1; shift
  if [ ! -x "$dir/bin/python" ]; then
    echo "creating $dir (pip install $*)..." >&2
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
  fi
}
make_venv "$venv-client" mlflow-skinny
peers=()
if [ "${PEERS:-1}" != 0 ]; then
  make_venv "$venv-fml" fasttrackml && peers+=(--fml "$venv-fml/bin/fml")
  make_venv "$venv-mlflow" mlflow && peers+=(--mlflow "$venv-mlflow/bin/mlflow")
fi
echo "in-process (Benchmarks/storage.sh, 200,000 points):"
"$bin/storage-benchmark" 200000 | grep -E "track_batched|raw_sqlite"
"$venv-client/bin/python" Benchmarks/server_benchmark.py --track "$bin/track" "${peers[@]}" \
  ${QUICK:+--quick}

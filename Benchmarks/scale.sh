#!/usr/bin/env bash
# Scale benchmark (issue 11): a store of 10,000 runs (10 params, 3 tags, a 5-task matrix
# each) and 10,000,000 points built through the Swift API, then whole `track` processes
# timed on it, median of 5. Prints the CPU, bytes per point and one line per command.
#
#   Benchmarks/scale.sh                    # builds /tmp/track-scale.db once, then times
#   RUNS=2000 POINTS=1000 Benchmarks/scale.sh
#   SCALE_DB=/path/x.db Benchmarks/scale.sh   # reuse (or build) another file
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10000}
points=${POINTS:-1000}
db=${SCALE_DB:-/tmp/track-scale.db}

swift build -c release --product track >&2
swift build -c release --product scale-benchmark >&2
bin=$(swift build -c release --show-bin-path)
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores (no BLAS: storage only, 1 thread)"
if [ ! -f "$db" ]; then
  "$bin/scale-benchmark" "$db" "$runs" "$points"
fi
echo "store: $(du -h "$db" | cut -f1) ($db)"
sqlite3 "$db" "SELECT 'bytes_per_point: ' || printf('%.1f', (SELECT sum(pgsize) FROM dbstat WHERE name IN ('metric_values', 'metric_repeats', 'metric_series', 'sqlite_autoindex_metric_series_1')) * 1.0 / (SELECT count(*) FROM metric_points)) || ' B'"

median() {  # median wall seconds of 5 runs of "$@"
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e" "$@" > /dev/null 2>> /tmp/track-scale-times.$$ || true
    tail -n 1 /tmp/track-scale-times.$$
  done | sort -n | sed -n 3p
}
for command in "runs" "runs --format json" "runs --where strategy.type=replay --sort -acc --limit 20" \
  "show latest" "diff 1 2 3" "matrix latest" "check"; do
  # shellcheck disable=SC2086
  echo "track $command: $(median "$bin/track" $command --db "$db") s"
done
rm -f /tmp/track-scale-times.$$

#!/usr/bin/env bash
# PostgreSQL storage benchmark, side by side on one server:
#   - track's batched logging (log(batch:) of 1,000 points; RunLogger flushes 4,096 at a time)
#     into a fresh store, against psql's COPY of the same rows into a table of the same shape
#     (metric_points' columns and primary key) in the same database: the practical limit;
#   - WRITERS processes logging POINTS_PER_WRITER points each into one store at once: errors
#     and points lost (counted in the database afterwards).
# Prints the CPU and thread count, `name: value unit` lines, then the ratios the goals of
# issue 14 are stated in. Without TRACK_BENCH_POSTGRES_URL (a role that may create databases)
# it starts a throwaway cluster (scripts/postgres-test-cluster.sh) and stops it at the end.
#
#   Benchmarks/postgres.sh                  # 1,000,000 points; 8 writers x 100,000
#   POINTS=200000 WRITERS=4 Benchmarks/postgres.sh
set -euo pipefail
cd "$(dirname "$0")/.."
points=${POINTS:-1000000}
writers=${WRITERS:-8}
per_writer=${POINTS_PER_WRITER:-100000}

echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "threads: $(nproc) (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
swift build -c release --product postgres-benchmark >&2
bin=$(swift build -c release --show-bin-path)/postgres-benchmark

url=${TRACK_BENCH_POSTGRES_URL:-}
if [[ -z "$url" ]]; then
  cluster=$(mktemp -d -u /tmp/track-bench-postgres.XXXXXX)
  trap 'scripts/postgres-test-cluster.sh stop "$cluster"' EXIT
  url=$(PG_FSYNC=on scripts/postgres-test-cluster.sh start "$cluster")
fi
server=${url%/*}
psql_admin() { psql "$url" -X -q -v ON_ERROR_STOP=1 "$@"; }
fresh() {
  psql_admin -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null
  echo "$server/$1"
}
echo "server: $(psql_admin -At -c 'SHOW server_version') ($(psql_admin -At -c 'SHOW fsync') fsync," \
  "synchronous_commit $(psql_admin -At -c 'SHOW synchronous_commit'))"
echo "points_per_measurement: $points points"

# Ours.
ours=$("$bin" log "$(fresh track_bench_ours)" "$points")
echo "$ours"

# psql COPY of the same rows into a table shaped as metric_points (the store's tables exist
# there: the first measurement made them).
rows=$(mktemp /tmp/track-bench-rows.XXXXXX.csv)
"$bin" rows "$rows" "$points"
copy_db=$(fresh track_bench_copy)
"$bin" log "$copy_db" 1 >/dev/null
psql "$copy_db" -X -q -v ON_ERROR_STOP=1 \
  -c "CREATE TABLE copy_points (LIKE metric_points INCLUDING ALL)"
start=$(date +%s.%N)
psql "$copy_db" -X -q -v ON_ERROR_STOP=1 -c "\\copy copy_points FROM '$rows' WITH (FORMAT csv)"
end=$(date +%s.%N)
rm -f "$rows"
copied=$(psql "$copy_db" -X -At -c "SELECT count(*) FROM copy_points")
copy_rate=$(awk -v n="$copied" -v s="$start" -v e="$end" 'BEGIN { printf "%d", n / (e - s) }')
echo "psql_copy: $copy_rate points/s ($copied rows)"

# Several writers at once into one store.
many=$(fresh track_bench_writers)
"$bin" log "$many" 1 >/dev/null  # the schema first, so the writers measure logging
start=$(date +%s.%N)
pids=()
logs=()
for i in $(seq 1 "$writers"); do
  log=$(mktemp /tmp/track-bench-writer.XXXXXX)
  logs+=("$log")
  "$bin" writer "$many" "$per_writer" >"$log" 2>&1 &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
end=$(date +%s.%N)
for log in "${logs[@]}"; do grep -q writer_seconds "$log" || cat "$log" >&2; rm -f "$log"; done
stored=$(psql "$many" -X -At -c \
  "SELECT count(*) FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.name LIKE 'writer-%'")
expected=$((writers * per_writer))
echo "concurrent_writers: $writers processes x $per_writer points"
echo "concurrent_errors: $failed"
echo "concurrent_lost: $((expected - stored)) points (stored $stored of $expected)"
awk -v n="$expected" -v s="$start" -v e="$end" \
  'BEGIN { printf "concurrent_total: %d points/s\n", n / (e - s) }'

value() { printf '%s\n' "$ours" | awk -v k="$1:" '$1 == k { print $2 }'; }
awk -v b="$(value track_batched_postgres)" -v c="$copy_rate" 'BEGIN {
  printf "goal_batched_vs_psql_copy (>= 0.5): %.2f x\n", b / c
  printf "goal_batched_points_per_second (>= 100000): %d\n", b
}'
for database in track_bench_ours track_bench_copy track_bench_writers; do
  psql_admin -c "DROP DATABASE IF EXISTS $database" 2>/dev/null
done

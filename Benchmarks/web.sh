#!/usr/bin/env bash
# Web UI benchmark (issue 13): server time of the pages of `track serve` on real-sized
# stores, median of 7 requests over loopback (curl's time_total), and each page's size.
#   - runs page of a 10,000-run store (first page, a page deep in the listing, a filter);
#   - run page of a run with 4 metrics x 100,000 points;
#   - compare of 5 such runs; `track report` of 3 of them (whole process).
# Stores are built once through the Swift API (scale-benchmark) and reused.
#
#   Benchmarks/web.sh
#   WEB_DIR=/tmp/track-web-bench Benchmarks/web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${WEB_DIR:-/tmp/track-web-bench}
mkdir -p "$dir"
swift build -c release --product track >&2
swift build -c release --product scale-benchmark >&2
bin=$(swift build -c release --show-bin-path)
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; no BLAS (pages only); track serve on NIO's thread pool ($(nproc) threads)"
[ -f "$dir/runs.db" ] || "$bin/scale-benchmark" "$dir/runs.db" 10000 100 >&2
[ -f "$dir/curves.db" ] || "$bin/scale-benchmark" "$dir/curves.db" 5 400000 >&2

serve() {  # serve "$1" on a free port; sets port and pid
  "$bin/track" serve --db "$1" --port 0 --quiet 2> "$dir/serve.err" &
  pid=$!
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*at http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$dir/serve.err" | head -1)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "track serve did not start: $(cat "$dir/serve.err")" >&2
  exit 1
}
page() {  # page LABEL PATH: median time of 7 GETs (after one warm-up) and the size
  local url="http://127.0.0.1:$port$2"
  curl -s -o /dev/null "$url"
  local size
  size=$(curl -s -o /dev/null -w '%{size_download}' "$url")
  local median
  median=$(for _ in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done \
    | sort -n | sed -n 4p)
  printf '%-44s %8.1f ms %9s KB\n' "$1" "$(awk -v s="$median" 'BEGIN { print s * 1000 }')" "$(( size / 1024 ))"
}

serve "$dir/runs.db"
page "runs page, 10,000 runs (page 1 of 200)" "/"
page "runs page, page 150" "/?page=150"
page "runs page, filter + sort" "/?q=strategy.type%20%3D%20replay%20and%20acc%20%3E%200.5&sort=-acc"
kill "$pid"; wait "$pid" 2>/dev/null || true

serve "$dir/curves.db"
page "run page, 4 metrics x 100,000 points" "/runs/1"
page "compare, 5 runs x 4 metrics x 100,000 points" "/compare?run=1&run=2&run=3&run=4&run=5"
kill "$pid"; wait "$pid" 2>/dev/null || true

start=$(date +%s.%N)
"$bin/track" report 1 2 3 --db "$dir/curves.db" -o "$dir/report.html" 2>/dev/null
end=$(date +%s.%N)
printf '%-44s %8.1f ms %9s KB\n' "track report of 3 such runs (whole process)" \
  "$(awk -v a="$start" -v b="$end" 'BEGIN { print (b - a) * 1000 }')" "$(( $(stat -c %s "$dir/report.html") / 1024 ))"

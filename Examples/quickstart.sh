#!/usr/bin/env bash
# The README's quick start: installs what `track` needs (Debian/Ubuntu, apt-get), builds it
# in release, runs Split Fashion-MNIST (5 tasks x 2 classes, class-incremental) with naive
# fine-tuning and with replay into a fresh database, and shows `track diff` between them.
#
#   Examples/quickstart.sh            # database: ./quickstart.db (override with TRACK_DB)
#
# Needs a Swift 6 toolchain on PATH (https://swift.org/install).
set -euo pipefail
cd "$(dirname "$0")/.."

# sqlite3 (the shell) and pandas are not needed by track itself: the test suite (the README's
# second command) runs the schema docs' examples with them.
packages=(pkg-config libsqlite3-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist sqlite3)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "==> installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if command -v python3 >/dev/null && ! python3 -c 'import pandas' 2>/dev/null; then
  echo "==> installing pandas (used by the schema-docs tests)"
  python3 -m pip install --quiet --disable-pip-version-check pandas \
    || echo "warning: could not install pandas; the schema-docs Python test will say so" >&2
fi

if ! command -v swift >/dev/null; then
  echo "error: no swift toolchain on PATH; install Swift 6 from https://swift.org/install" >&2
  exit 1
fi

echo "==> building track (release)"
swift build -c release --product track
track="$(swift build -c release --show-bin-path)/track"

db="${TRACK_DB:-quickstart.db}"
rm -f "$db" "$db-wal" "$db-shm"
export TRACK_DB="$db"

echo "==> naive fine-tuning"
"$track" run Examples/split-fashion-mnist-naive.yaml
echo "==> replay"
"$track" run Examples/split-fashion-mnist-replay.yaml
echo "==> what replay changed"
"$track" diff split-fmnist-naive split-fmnist-replay
echo
echo "Next: $track runs --db $db, $track show latest --db $db, sqlite3 $db"

#!/bin/sh
# Fetches the Microsoft daily prices 1986-2017 (7,983 rows: Date, Open, High, Low, Close,
# Volume, OpenInt) that ship inside the `pmdarima` wheel on PyPI, into Examples/data/msft.csv.
# A wheel is a zip: no Python package is installed, only the file is extracted.
# Usage: Examples/fetch-prices.sh        (needs python3 with pip, tar; network to PyPI)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/data"
mkdir -p "$out"
if [ -s "$out/msft.csv" ]; then
  echo "$out/msft.csv already present"
  exit 0
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "error: fetch-prices.sh needs pip (python3 -m pip); install it (apt-get install" \
    "python3-pip) or put any CSV with Date and Close columns at $out/msft.csv" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --no-deps --only-binary=:all: --dest "$work" pmdarima >/dev/null
wheel=$(ls "$work"/pmdarima-*.whl | head -n 1)
python3 - "$wheel" "$work" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    wheel.extract("pmdarima/datasets/data/msft.tar.gz", sys.argv[2])
PY
tar -xzf "$work/pmdarima/datasets/data/msft.tar.gz" -C "$work" 2>/dev/null || true
csv=$(find "$work" -name 'msft.csv' | head -n 1)
cp "$csv" "$out/msft.csv"
echo "wrote $out/msft.csv ($(wc -l < "$out/msft.csv") lines)"

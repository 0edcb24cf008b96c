#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `start FOLDER` creates one in FOLDER (which
# must not exist yet), run by an unprivileged user, listening on 127.0.0.1 only on a free
# port, with password (SCRAM) authentication and TLS offered (a self-signed certificate); it
# prints the URL for TRACK_TEST_POSTGRES_URL.
# `stop FOLDER` stops it and deletes FOLDER. Used by .ci/run, and by hand:
#
#   url=$(scripts/postgres-test-cluster.sh start /tmp/track-pg)
#   TRACK_TEST_POSTGRES_URL=$url swift test --skip-build --filter StoreConformanceTests
#   scripts/postgres-test-cluster.sh stop /tmp/track-pg
#
# Needs Debian's PostgreSQL server (apt-get install postgresql); PG_BIN overrides where its
# programs are (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

command=${1:-}
folder=${2:-}
if [[ -z "$command" || -z "$folder" ]]; then
  echo "usage: $0 start|stop FOLDER" >&2
  exit 2
fi
folder=$(realpath -m "$folder")
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [[ ! -x "$bin/pg_ctl" ]]; then
  echo "error: no PostgreSQL server programs found (looked in ${bin:-/usr/lib/postgresql/*/bin});" \
    "install Debian's postgresql package or set PG_BIN" >&2
  exit 1
fi
# The server refuses to run as root: it runs as this unprivileged user.
owner=${PG_TEST_USER:-trackpg}
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    # From /: the caller's folder may be one the owner cannot enter (a root-owned clone).
    (cd / && runuser -u "$owner" -- "$@")
  else
    "$@"
  fi
}

case "$command" in
start)
  if [[ -e "$folder" ]]; then
    echo "error: $folder already exists; pick a new folder (or stop the cluster in it first)" >&2
    exit 1
  fi
  if [[ $(id -u) -eq 0 ]] && ! id "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
  [[ $(id -u) -eq 0 ]] || owner=$(id -un)
  mkdir -p "$folder"
  chmod 700 "$folder"
  [[ $(id -u) -eq 0 ]] && chown "$owner" "$folder"
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  printf '%s\n' "$password" > "$folder/password"
  chmod 600 "$folder/password"
  [[ $(id -u) -eq 0 ]] && chown "$owner" "$folder/password"
  as_owner "$bin/initdb" --pgdata="$folder/data" --username=track --pwfile="$folder/password" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }
  # A self-signed certificate, so that sslmode=require is tested too (clients that do not
  # ask for TLS still connect without it).
  openssl req -new -x509 -days 2 -nodes -subj "/CN=127.0.0.1" -keyout "$folder/server.key" \
    -out "$folder/server.crt" >/dev/null 2>&1
  chmod 600 "$folder/server.key"
  [[ $(id -u) -eq 0 ]] && chown "$owner" "$folder/server.key" "$folder/server.crt"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Tests create and drop a database each; fsync off (PG_FSYNC=on to keep it) is for
  # throwaway data only.
  as_owner "$bin/pg_ctl" --pgdata="$folder/data" --log="$folder/server.log" --wait \
    --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$folder \
      -c fsync=${PG_FSYNC:-off} -c max_connections=200 -c ssl=on \
      -c ssl_cert_file=$folder/server.crt -c ssl_key_file=$folder/server.key" start >/dev/null \
    || { cat "$folder/server.log" >&2; exit 1; }
  echo "postgres://track:$password@127.0.0.1:$port/postgres"
  ;;
stop)
  if [[ -d "$folder/data" ]]; then
    as_owner "$bin/pg_ctl" --pgdata="$folder/data" --mode=fast --wait stop >/dev/null || true
  fi
  rm -rf "$folder"
  ;;
*)
  echo "usage: $0 start|stop FOLDER" >&2
  exit 2
  ;;
esac

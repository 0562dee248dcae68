#!/usr/bin/env bash
# A throw-away PostgreSQL server for plaza-adapter's tests: a fresh cluster in
# a temporary directory, listening only on a free 127.0.0.1 port, run as the
# `postgres` user when invoked as root (PostgreSQL refuses root), and stopped
# by its PID.
#
# As a library (scripts/test.sh does this):
#   source scripts/postgres.sh
#   plaza_pg_start   # exports PLAZA_PG_URL, PLAZA_PG_PID, PLAZA_PG_DIR
#   ...              # PLAZA_PG_URL=postgresql://plaza@127.0.0.1:PORT/postgres
#   plaza_pg_stop
# As a command, for a manual session:
#   eval "$(bash scripts/postgres.sh start)"   # prints the export lines
#   bash scripts/postgres.sh stop PID DIR

PLAZA_PG_BIN=${PLAZA_PG_BIN:-/usr/lib/postgresql/15/bin}

# Runs a PostgreSQL program as the postgres user if we are root.
plaza_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

plaza_pg_start() {
  local dir port attempt pid
  dir=$(mktemp -d "${TMPDIR:-/tmp}/plaza-pg.XXXXXX") || return 1
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  if ! plaza_pg_as_owner "$PLAZA_PG_BIN/initdb" -D "$dir/data" -U plaza --auth=trust -E UTF8 \
      --no-sync >"$dir/initdb.log" 2>&1; then
    echo "postgres.sh: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  fi
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    ss -ltnH 2>/dev/null | grep -q ":$port " && continue
    # fsync off: the data is thrown away, and the tests run faster.
    if plaza_pg_as_owner "$PLAZA_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
        start >/dev/null 2>&1; then
      pid=$(head -n 1 "$dir/data/postmaster.pid")
      export PLAZA_PG_DIR=$dir PLAZA_PG_PID=$pid
      export PLAZA_PG_URL="postgresql://plaza@127.0.0.1:$port/postgres"
      echo "postgres.sh: PostgreSQL (pid $pid) on 127.0.0.1:$port" >&2
      return 0
    fi
  done
  echo "postgres.sh: could not start PostgreSQL:" >&2
  tail -n 20 "$dir/server.log" >&2 2>/dev/null
  rm -rf "$dir"
  return 1
}

# Stops the server by PID (SIGINT: fast shutdown) and removes its directory.
plaza_pg_stop() {
  local pid=${1:-${PLAZA_PG_PID:-}} dir=${2:-${PLAZA_PG_DIR:-}} i
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid"
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  [[ -n "$dir" && -d "$dir" ]] && rm -rf "$dir"
  unset PLAZA_PG_PID PLAZA_PG_DIR PLAZA_PG_URL
  return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      plaza_pg_start
      echo "export PLAZA_PG_URL=$PLAZA_PG_URL PLAZA_PG_PID=$PLAZA_PG_PID PLAZA_PG_DIR=$PLAZA_PG_DIR"
      ;;
    stop) plaza_pg_stop "${2:-}" "${3:-}" ;;
    *) echo "usage: postgres.sh start | stop PID DIR" >&2; exit 2 ;;
  esac
fi

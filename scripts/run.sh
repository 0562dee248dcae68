#!/usr/bin/env bash
# The main job on one machine: installs what is missing, builds, and runs
# plaza-broker on 127.0.0.1:1883 (and plaza-adapter on its embedded SQLite
# demo database once it is built) in the foreground. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh release

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [[ -x build/release/adapter/plaza-adapter && -f scripts/run-adapter.sh ]]; then
  bash scripts/run-adapter.sh &
  pids+=($!)
fi

build/release/broker/plaza-broker -c config/broker.yaml "$@" &
pids+=($!)
wait -n "${pids[@]}"

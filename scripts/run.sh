#!/usr/bin/env bash
# The main job on one machine: installs what is missing, builds, and runs
# the whole platform in the foreground: plaza-adapter on its embedded SQLite
# demo database (gRPC 127.0.0.1:50051) and plaza-broker on 127.0.0.1:1883,
# whose plugins (config/broker.yaml) take tokens, rooms and roles from the
# adapter. Ctrl-C stops both.
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

# config/broker.yaml's auth and rooms plugins ask plaza-adapter: without it
# every CONNECT would be refused (0x88).
if [[ ! -x build/release/adapter/plaza-adapter ]]; then
  echo "run.sh: build/release/adapter/plaza-adapter is missing, and config/broker.yaml" \
    "needs it (auth, rooms); for a plain MQTT broker remove its plugins: list" >&2
  exit 1
fi
bash scripts/run-adapter.sh &
pids+=($!)

build/release/broker/plaza-broker -c config/broker.yaml "$@" &
pids+=($!)
wait -n "${pids[@]}"

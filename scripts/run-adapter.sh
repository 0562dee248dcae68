#!/usr/bin/env bash
# Runs plaza-adapter from build/release in the foreground with
# config/adapter.yaml. On first run the adapter creates the SQLite database
# run/plaza-platform.db (git-ignored) with the schema and the demo data.
# Extra arguments go to plaza-adapter (e.g. --grpc-listen 127.0.0.1:50052).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/release/adapter/plaza-adapter
if [[ ! -x "$binary" ]]; then
  echo "run-adapter.sh: $binary is missing; build it with: bash scripts/build.sh release" >&2
  exit 1
fi
mkdir -p run
exec "$binary" -c config/adapter.yaml --demo-data "$@"

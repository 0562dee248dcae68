#!/usr/bin/env bash
# Two room clients meet in world:1 of a running platform: Aiko (demo token
# demo-token-aiko-0001) claims the ball, Ben (demo-token-ben-0002) watches;
# each learns its user id (1, 2) from the join's reply. Each prints the
# other in its member list and a line a second about the other's poses.
# Start the platform first, in another terminal: bash scripts/run.sh
#
# Environment: PLAZA_HOST (127.0.0.1), PLAZA_PORT (1883), DURATION (seconds,
# 6), ROOM (world:1), ROOM_CLIENT (the binary; default: the release build).
set -euo pipefail
cd "$(dirname "$0")/../.."

client=${ROOM_CLIENT:-build/release/examples/room_client/room_client}
if [[ ! -x $client ]]; then
  echo "run_two.sh: $client not found: build it with bash scripts/build.sh release" >&2
  exit 1
fi
common=(--host "${PLAZA_HOST:-127.0.0.1}" --port "${PLAZA_PORT:-1883}"
        --room "${ROOM:-world:1}" --duration "${DURATION:-6}")

# One client, its lines prefixed with its name; returns the client's status.
run_one() {
  local name=$1
  shift
  "$client" "${common[@]}" "$@" 2>&1 | sed -u "s/^/[$name] /"
  return "${PIPESTATUS[0]}"
}

run_one aiko --token demo-token-aiko-0001 --claim ball-1 &
aiko=$!
sleep 0.5  # Ben joins second: he finds Aiko in the member snapshot, she sees him arrive
run_one ben --token demo-token-ben-0002 &
ben=$!

status=0
wait "$aiko" || status=1
wait "$ben" || status=1
exit "$status"

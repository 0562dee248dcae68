#!/usr/bin/env bash
# Configures and builds one flavour of Plaza into build/<flavour>:
#   release (default), asan (ASan+UBSan) or tsan (ThreadSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DPLAZA_SANITIZE=address) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLAZA_SANITIZE=thread -DPLAZA_BUILD_ADAPTER=OFF) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, tsan)" >&2; exit 2 ;;
esac
jobs=${PLAZA_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" "${args[@]}" "$@" >/dev/null
cmake --build "build/$flavour" -j"$jobs"

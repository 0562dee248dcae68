#!/usr/bin/env bash
# Installs the Debian 12 packages Plaza needs, only those missing, so a second
# run costs nothing. `--test` adds what only the test suite needs.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format
  libyaml-cpp-dev
  libpaho-mqttpp-dev libpaho-mqtt-dev
  libmosquitto-dev mosquitto-dev mosquitto mosquitto-clients
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  prometheus-cpp-dev libsqlite3-dev libpq-dev
  curl
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev postgresql procps)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian starts a mosquitto service on port 1883 when the package is
# installed; Plaza uses mosquitto only as a library, a client and a bench
# reference, so keep the port free for plaza-broker.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi

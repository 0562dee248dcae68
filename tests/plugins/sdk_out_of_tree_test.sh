#!/bin/sh
# The plugin SDK as a plugin author gets it: installs this build into a
# temporary prefix, builds examples/plugins out of tree against it with
# find_package(Plaza) in C++17 with warnings as errors, then starts the
# installed plaza-broker on a free port with the built topic_guard and waits
# for the plugin's init line. Everything lives in one temporary directory,
# removed on exit.
#
# Usage: sdk_out_of_tree_test.sh CMAKE BUILD_DIR SOURCE_DIR
set -eu
cmake=$1 build=$2 source=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/plaza-sdk-test.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/broker.log" ] && sed 's/^/  broker: /' "$tmp/broker.log" >&2
  exit 1
}

"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log" >&2; fail "cmake --install"; }
for f in include/plaza/plugin.h include/plaza/plugin.hpp bin/plaza-broker; do
  [ -e "$tmp/prefix/$f" ] || fail "$f was not installed"
done

# A clean environment: no compiler flags or sanitizers from this build.
env -u CFLAGS -u CXXFLAGS -u LDFLAGS "$cmake" -S "$source/examples/plugins" -B "$tmp/build" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Wshadow -Werror" >"$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log" >&2; fail "configuring examples/plugins against the install"; }
"$cmake" --build "$tmp/build" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; fail "building examples/plugins against the install"; }
[ -f "$tmp/build/libtopic_guard.so" ] || fail "libtopic_guard.so was not built"

cat >"$tmp/broker.yaml" <<YAML
plugins:
  - path: $tmp/build/libtopic_guard.so
    config:
      protected:
        - prefix: announce/
          publishers: [admin]
YAML
"$tmp/prefix/bin/plaza-broker" --bind 127.0.0.1 -p 0 -c "$tmp/broker.yaml" 2>"$tmp/broker.log" &
pid=$!
tries=0
until grep -q "listening on" "$tmp/broker.log"; do
  kill -0 "$pid" 2>/dev/null || { pid=; fail "plaza-broker exited at start"; }
  tries=$((tries + 1))
  [ "$tries" -lt 200 ] || fail "plaza-broker did not start within 20 s"
  sleep 0.1
done
grep -q "\[topic_guard\] guarding 1 topic prefixes" "$tmp/broker.log" ||
  fail "no init line from the out-of-tree plugin"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || fail "plaza-broker exited with $status after SIGTERM"
echo "PASS: installed SDK, out-of-tree topic_guard, loaded by the installed broker"

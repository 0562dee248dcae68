#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then builds
# and runs every test three times -- a normal build, ASan+UBSan, and
# ThreadSanitizer -- and ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test || exit 1

# --- plaza-adapter: a throw-away PostgreSQL on loopback for the adapter's
# engine-parameterized tests (scripts/postgres.sh), stopped by PID on exit.
# PLAZA_TEST_POSTGRES_REQUIRED=1 makes those tests fail, not skip, if the
# server could not start.
source scripts/postgres.sh
export PLAZA_TEST_POSTGRES_REQUIRED=1
if plaza_pg_start; then
  export PLAZA_TEST_POSTGRES_URL=$PLAZA_PG_URL
  trap plaza_pg_stop EXIT
else
  echo "=== postgres: could not start; the adapter's PostgreSQL tests will fail"
fi
# --- end plaza-adapter

flavours=(${PLAZA_TEST_FLAVOURS:-release asan tsan})
total_passed=0
total_failed=0
status=0

for flavour in "${flavours[@]}"; do
  echo "=== $flavour: build"
  if ! bash scripts/build.sh "$flavour"; then
    echo "=== $flavour: BUILD FAILED"
    status=1
    total_failed=$((total_failed + 1))
    continue
  fi
  echo "=== $flavour: test"
  log=$(mktemp)
  # Sanitizers abort on the first report so a finding fails its test.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp \
    ctest --test-dir "build/$flavour" --output-on-failure -j2 --timeout 300 2>&1 | tee "$log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -n 1)
  if [[ -z "$line" ]]; then
    echo "=== $flavour: ctest printed no summary"
    status=1
    total_failed=$((total_failed + 1))
  else
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    all=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    total_passed=$((total_passed + all - failed))
    total_failed=$((total_failed + failed))
  fi
  rm -f "$log"
done

echo
echo "tests: $total_passed passed, $total_failed failed"
exit $status

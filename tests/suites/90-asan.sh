#!/usr/bin/env bash
# The test suites that run maildoctor (unit, real servers, replay, native messaging, hostile servers under the
# canary harness) again, on the clang build with AddressSanitizer + UndefinedBehaviorSanitizer. The build is the
# one 86-fuzz made its fuzz targets in (preset asan = preset fuzz), so this only adds the test executables.
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
out="$MAILDOCTOR_ARTIFACTS/asan"
mkdir -p "$out"
cmake --preset asan >/dev/null
cmake --build --preset asan -j2 >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; echo "asan build failed"; exit 1; }

# A sanitizer report must never pass for a diagnosis verdict (exit status 1): give it its own status.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
ctest --preset asan -j2

# Sanitizers cost memory and start-up time: the bounds widen, the tests stay the same.
export MAILDOCTOR_BIN="$MAILDOCTOR_ROOT/build/asan/host/maildoctor"
export MAILDOCTOR_RSS_LIMIT_MB=${MAILDOCTOR_ASAN_RSS_LIMIT_MB:-400}
export MAILDOCTOR_DEADLINE_SLACK=${MAILDOCTOR_ASAN_DEADLINE_SLACK:-1.0}
export MAILDOCTOR_ARTIFACTS="$out"
status=0
for suite in 30-integration 40-replay 50-native 85-hostile; do
  echo "--- $suite on the sanitizer build"
  bash "tests/suites/$suite.sh" || { echo "--- $suite FAILED on the sanitizer build"; status=1; }
done
exit $status

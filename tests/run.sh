#!/usr/bin/env bash
# The one test command: installs what the suites need, builds, then runs every suite in tests/suites/ in order.
# Usage: tests/run.sh [SUITE-NAME-PATTERN]   e.g. tests/run.sh unit
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export MAILDOCTOR_ROOT="$root"
export MAILDOCTOR_BUILD="$root/build/dev"
export MAILDOCTOR_BIN="$MAILDOCTOR_BUILD/host/maildoctor"
export MAILDOCTOR_ARTIFACTS="$root/tests/artifacts"
mkdir -p "$MAILDOCTOR_ARTIFACTS"
# Debian's python3 carries python3-pytest; a pyenv shim earlier in PATH would not.
export PYTHON=/usr/bin/python3

start=$(date +%s)
tests/setup/install-deps.sh || { echo "dependency installation failed"; exit 1; }
cmake --preset dev >/dev/null && cmake --build --preset dev || { echo "build failed"; exit 1; }

passed=0; failed=0; failures=()
for suite in tests/suites/*.sh; do
  name=$(basename "$suite" .sh)
  [[ -n ${1:-} && $name != *$1* ]] && continue
  echo "=== suite $name"
  t0=$(date +%s)
  if bash "$suite"; then
    passed=$((passed + 1)); echo "=== suite $name passed ($(( $(date +%s) - t0 )) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== suite $name FAILED ($(( $(date +%s) - t0 )) s)"
  fi
done
echo "total time $(( $(date +%s) - start )) s"
((failed)) && echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))

#!/usr/bin/env bash
# Windows: maildoctor.exe cross-built with MinGW-w64 (installer/windows/build.sh, libraries from Debian's sources,
# cached) and run under Wine in a throwaway prefix: its PE hardening, --version and a framed hello, the Catch2 unit
# tests built for Windows, the native-messaging suite against the .exe, real diagnoses of the test bed's good and
# wrong-password accounts (Dovecot and Postfix on loopback) under the canary harness, the installer's registry step
# read back with Wine's `reg query`, and the exe's start-up against the Linux host's (bench/windows_start_ratio.py).
#
# Every step runs even when an earlier one failed (only a failed build stops it), and each result is written to
# $MAILDOCTOR_ARTIFACTS/windows-results.txt; the suite fails when any step failed.
#
# Not in tests/suites/ (CI) yet; tests/suites/95-windows.sh.disabled is the file that enables it. By hand:
#   MAILDOCTOR_ROOT=$PWD MAILDOCTOR_BUILD=$PWD/build/dev bash tests/windows/suite.sh
# It needs wine64 (tests/setup/packages.txt) and the dev build (for the Linux side of the start-up ratio).
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
python=${PYTHON:-/usr/bin/python3}
artifacts=${MAILDOCTOR_ARTIFACTS:-$MAILDOCTOR_ROOT/tests/artifacts}
mkdir -p "$artifacts"
results=$artifacts/windows-results.txt
: >"$results"
t0=$(date +%s)
record() { echo "--- windows: $*" | tee -a "$results"; }
failed=()
# check NAME COMMAND...: runs one step and records whether it passed and how long it took.
check() {
  local name=$1 s r; shift
  s=$(date +%s)
  if "$@"; then r=passed; else r=FAILED; failed+=("$name"); fi
  record "$name $r ($(( $(date +%s) - s )) s, $(( $(date +%s) - t0 )) s in all)"
}

s=$(date +%s)
installer/windows/build.sh --tests
record "build passed ($(( $(date +%s) - s )) s, dependencies from $(readlink -f /var/cache/maildoctor-win/current))"
exe=$MAILDOCTOR_ROOT/dist/windows/maildoctor.exe
setup_exe=$MAILDOCTOR_ROOT/build/windows/installer/windows/maildoctor-setup.exe
unit_exe=$MAILDOCTOR_ROOT/build/windows/tests/unit/unit_tests.exe

check "PE hardening and static linking of maildoctor.exe and maildoctor-setup.exe" \
  "$python" tests/windows/pe_check.py "$exe" "$setup_exe"

wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
[[ -x $wine ]] || { record "no wine64 (tests/setup/packages.txt): nothing below ran"; exit 1; }
export MAILDOCTOR_WINE=$wine WINEDEBUG=-all
# No Mono or Gecko: nothing here needs .NET or HTML, and their installers would prompt.
export WINEDLLOVERRIDES="mscoree,mshtml="
WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-wine.XXXXXX")
export WINEPREFIX
scratch=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-win-tests.XXXXXX")
wineserver=$(dirname "$wine")/wineserver
cleanup() { WINEPREFIX=$WINEPREFIX "$wineserver" -k 2>/dev/null || true; rm -rf "$WINEPREFIX" "$scratch"; }
trap cleanup EXIT
s=$(date +%s)
"$wine" wineboot --init >/dev/null 2>&1
# Keep the prefix's server up between runs: otherwise each of the hundreds of runs below restarts it (seconds each).
# (exit status 2 when wineboot's server is still up, which is what we want anyway)
"$wineserver" -p </dev/null >/dev/null 2>&1 || true
record "fresh WINEPREFIX ready ($(( $(date +%s) - s )) s)"

version=$(sed -n 's/^project(maildoctor VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
version_under_wine() {
  local out
  out=$("$wine" "$exe" --version | tr -d '\r')
  echo "$out"
  [[ $out == "maildoctor $version"* ]]
}
check "maildoctor.exe --version" version_under_wine
check "native hello over binary stdio" "$python" tests/windows/hello.py "$wine" "$exe"

# The paths the tests hand over (source dir, --cacert, requests) are Unix paths; Wine reads them through drive Z:
# as long as the working folder is outside the prefix's drive C:.
check "Catch2 unit tests (unit_tests.exe)" "$wine" "$unit_exe"

# test_process_hygiene.py checks Linux process state (core files, /proc dumpable): its Windows counterpart is
# platform_windows_test.cpp in the unit tests above.
check "native-messaging suite against maildoctor.exe" env MAILDOCTOR_CMD_PREFIX="$wine" MAILDOCTOR_BIN="$exe" \
  PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider tests/native/test_native_host.py \
  tests/native/test_native_login.py

# A wrapper so that the canary harness and the integration helpers run the .exe like any binary.
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wine" "$exe" >"$scratch/maildoctor-wine"
chmod +x "$scratch/maildoctor-wine"
diagnose_test_bed() {
  (cd tests && MAILDOCTOR_BIN=$scratch/maildoctor-wine PYTHONDONTWRITEBYTECODE=1 "$python" security/canary_harness.py \
     -- "$python" -m pytest -q -p no:cacheprovider -rfEx integration/test_login.py)
}
check "real diagnoses (good and wrong-password accounts, IMAP/POP3/SMTP) through Wine, no secret in any output" \
  diagnose_test_bed

check "registry step (maildoctor-setup.exe, reg query)" env PYTHONDONTWRITEBYTECODE=1 \
  "$python" -m pytest -q -p no:cacheprovider tests/windows

# Timing is reported, never asserted (the machine is shared); the same numbers go to docs/PERFORMANCE.md by hand.
start_ratio() {
  "$python" bench/windows_start_ratio.py "${MAILDOCTOR_BUILD:-$MAILDOCTOR_ROOT/build/dev}/host/maildoctor" "$exe" 7 |
    tee "$artifacts/windows-start-ratio.json"
}
check "start-up under Wine against the Linux host" start_ratio

record "suite took $(( $(date +%s) - t0 )) s"
if ((${#failed[@]})); then
  record "failed: ${failed[*]}"
  exit 1
fi

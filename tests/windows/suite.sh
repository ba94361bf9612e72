#!/usr/bin/env bash
# Windows: maildoctor.exe cross-built with MinGW-w64 (installer/windows/build.sh, libraries from Debian's sources,
# cached) and run under Wine in a throwaway prefix: the Catch2 unit tests built for Windows, the native-messaging
# suite against the .exe, real diagnoses against the test bed's Dovecot and Postfix under the canary harness, and the
# installer's registry step read back with Wine's `reg query`.
# Not in tests/suites/ yet, so CI does not run it: the .exe has not been built end to end on this project's machines
# (issue 17 is open). Run it by hand: MAILDOCTOR_ROOT=$PWD MAILDOCTOR_BUILD=$PWD/build/dev bash tests/windows/suite.sh
# (it needs wine64: apt-get install wine64).
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
python=${PYTHON:-/usr/bin/python3}
step() { echo "--- windows: $1 ($(( $(date +%s) - t0 )) s)"; }
t0=$(date +%s)

installer/windows/build.sh --tests
exe=$MAILDOCTOR_ROOT/dist/windows/maildoctor.exe
step "built"

wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
[[ -x $wine ]] || { echo "no wine64 (tests/setup/packages.txt)"; exit 1; }
export MAILDOCTOR_WINE=$wine WINEDEBUG=-all
# No Mono or Gecko: nothing here needs .NET or HTML, and their installers would prompt.
export WINEDLLOVERRIDES="mscoree,mshtml="
WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-wine.XXXXXX")
export WINEPREFIX
scratch=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-win-tests.XXXXXX")
wineserver=$(dirname "$wine")/wineserver
cleanup() { "$wineserver" -k 2>/dev/null || true; rm -rf "$WINEPREFIX" "$scratch"; }
trap cleanup EXIT
"$wine" wineboot --init >/dev/null 2>&1
# Keep the prefix's server up between runs: otherwise each of the hundreds of runs below restarts it (seconds each).
"$wineserver" -p </dev/null >/dev/null 2>&1
step "fresh WINEPREFIX ready"

# The paths the tests hand over (source dir, --cacert, requests) are Unix paths; Wine reads them through drive Z:
# as long as the working folder is outside the prefix's drive C:.
"$wine" "$MAILDOCTOR_ROOT/build/windows/tests/unit/unit_tests.exe"
step "unit tests passed"

MAILDOCTOR_CMD_PREFIX=$wine MAILDOCTOR_BIN=$exe PYTHONDONTWRITEBYTECODE=1 \
  "$python" -m pytest -q -p no:cacheprovider tests/native
step "native-messaging suite passed"

# A wrapper so that the canary harness and the integration helpers run the .exe like any binary.
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wine" "$exe" >"$scratch/maildoctor-wine"
chmod +x "$scratch/maildoctor-wine"
(cd tests && MAILDOCTOR_BIN=$scratch/maildoctor-wine "$python" security/canary_harness.py -- \
   "$python" -m pytest -p no:cacheprovider -rfEx integration/test_login.py integration/test_tls.py)
step "real diagnoses through Wine passed, no secret in any output"

PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider tests/windows
step "registry step passed"

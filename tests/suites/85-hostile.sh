#!/usr/bin/env bash
# Hostile servers and the security guarantees (encryption, lockout, injection), run under the canary harness,
# which scans every output of every maildoctor run for every form of the password.
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
pytest=("$PYTHON" -m pytest -q -p no:cacheprovider)
# The harness itself must be able to fail: it catches a stand-in that leaks in each form.
"${pytest[@]}" tests/security
"$PYTHON" tests/security/canary_harness.py --require-delivery -- "${pytest[@]}" tests/hostile

#!/usr/bin/env bash
# Scripted provider dialogues (tests/replay/cases) against the real binary: cause, fix, one login, no secret;
# under the canary harness, which scans every output of every run for every form of every password.
set -euo pipefail
python=${PYTHON:-/usr/bin/python3}
exec "$python" "$MAILDOCTOR_ROOT/tests/security/canary_harness.py" -- "$python" "$MAILDOCTOR_ROOT/tests/replay/run_replay.py"

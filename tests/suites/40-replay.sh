#!/usr/bin/env bash
# Scripted provider dialogues (tests/replay/cases) against the real binary: cause, fix, one login, no secret.
set -euo pipefail
exec "${PYTHON:-/usr/bin/python3}" "$MAILDOCTOR_ROOT/tests/replay/run_replay.py"

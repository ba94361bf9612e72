#!/usr/bin/env bash
# Native-messaging host: the real binary over pipes (framing, malformed input, limits, concurrency, shutdown, and
# diagnoses that log in against hostile servers), under the canary harness, which scans every frame the host wrote
# (progress included), its stderr and its files for every form of every password. --require-delivery: some test
# server must have received the canary, so redaction was really exercised.
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
PYTHONDONTWRITEBYTECODE=1 "$PYTHON" tests/security/canary_harness.py --require-delivery -- \
  "$PYTHON" -m pytest -q -p no:cacheprovider tests/native

#!/usr/bin/env bash
# Native-messaging host: the real binary over pipes (framing, malformed input, limits, concurrency, shutdown).
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m pytest -q -p no:cacheprovider tests/native

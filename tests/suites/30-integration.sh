#!/usr/bin/env bash
# Integration tests: the real maildoctor binary against real Dovecot, Postfix and dnsmasq that the
# harness in tests/servers/ starts on loopback ports (see tests/servers/README.md), under the canary harness,
# which scans every output of every maildoctor run for every form of every password a request carried.
set -euo pipefail
cd "$MAILDOCTOR_ROOT/tests"
[[ -x $MAILDOCTOR_BIN ]] || { echo "no maildoctor binary at $MAILDOCTOR_BIN"; exit 1; }
# Debian's python3 carries python3-pytest; -p no:cacheprovider keeps the source tree clean.
python=${PYTHON:-/usr/bin/python3}
exec "$python" security/canary_harness.py -- "$python" -m pytest -p no:cacheprovider -rfEx --durations=8 \
  --junitxml="$MAILDOCTOR_ARTIFACTS/integration.xml" integration "$@"

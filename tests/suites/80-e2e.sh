#!/usr/bin/env bash
# End to end in the real Thunderbird 153 under Xvfb: Dovecot from tests/servers, the host installed into a temporary
# HOME, a fresh profile with a wrong saved password and the add-on. Inside `unshare --net`: loopback only.
set -euo pipefail
root=${MAILDOCTOR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
for tool in thunderbird Xvfb import unshare; do
  command -v "$tool" >/dev/null || { echo "80-e2e: $tool is missing (tests/setup/packages.txt)"; exit 1; }
done
export MAILDOCTOR_ARTIFACTS=${MAILDOCTOR_ARTIFACTS:-$root/tests/artifacts}
mkdir -p "$MAILDOCTOR_ARTIFACTS"
py=${PYTHON:-/usr/bin/python3}
# A hard bound, so a hung Thunderbird can never stall the whole run (install.sh builds the release host
# first: about 3 minutes on 2 cores when nothing is built yet; the Thunderbird part itself, two Thunderbirds (English,
# German), takes 75-160 s on this loaded 2-core machine; the early-warning and proxy modules add their own).
# Only this suite's own scenarios: tests/e2e/native-hello belongs to the native host's suite.
# test_cert_override.py runs before test_early_warnings.py: the latter's bind mounts of /etc/hosts and the CA bundle
# outlive its session (files since deleted), and a later session cannot bind over them.
# --mount: tb_session.py and test_early_warnings.py trust the test bed's CA for the host by bind mounts that must stay
# in this namespace.
timeout -k 10 900 unshare --net --mount -- env MAILDOCTOR_E2E_PRIVATE_MOUNTS=1 MAILDOCTOR_E2E_OWN_MOUNTS=1 bash -c 'ip link set lo up && exec "$0" -m pytest -q -p no:cacheprovider tests/e2e/test_thunderbird.py tests/e2e/test_thunderbird_de.py tests/e2e/test_cert_override.py tests/e2e/test_early_warnings.py tests/e2e/test_oauth2.py tests/e2e/test_thunderbird_proxy.py' "$py"

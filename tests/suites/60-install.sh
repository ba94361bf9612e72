#!/usr/bin/env bash
# Installers and packaging: per-OS manifest paths, per-user and --system install/uninstall, the .deb (dpkg -i / -r),
# and the real Thunderbird reaching the installed host (tests/e2e/native-hello).
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m pytest -q -rs -p no:cacheprovider tests/install tests/e2e/native-hello

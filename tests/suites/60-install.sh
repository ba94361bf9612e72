#!/usr/bin/env bash
# Installers and packaging: per-OS manifest paths, per-user and --system install/uninstall, the .deb (dpkg -i / -r),
# and the real Thunderbird reaching the installed host (tests/e2e/native-hello).
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# In a throwaway system (tests/install/throwaway_root.sh): the tests install for every user and dpkg -i for real, from
# a clean start whatever this machine has installed, and leave the machine as it was.
PYTHONDONTWRITEBYTECODE=1 tests/install/throwaway_root.sh "$PYTHON" -m pytest -q -rs -p no:cacheprovider tests/install tests/e2e/native-hello

#!/usr/bin/env bash
# Catch2 unit tests of the core library.
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
ctest --preset dev -j2

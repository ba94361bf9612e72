#!/usr/bin/env bash
# The Thunderbird add-on: node unit tests (logic and rendering, messenger API faked at its boundary),
# then addons-linter on the built .xpi.
set -euo pipefail
root=${MAILDOCTOR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root/extension"
# Dev tools come from the committed lock file; skip the install when it is already in place.
if ! cmp -s package-lock.json node_modules/.maildoctor-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.maildoctor-installed-lock
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./build.sh "$out/maildoctor.xpi" >/dev/null
cd "$root"
node --test tests/extension/
node tests/extension/lint.mjs "$out/maildoctor.xpi"

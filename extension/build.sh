#!/usr/bin/env bash
# Packs the add-on: extension/build.sh [OUTPUT.xpi]   (default: build/maildoctor.xpi at the repository root)
# Only the files the add-on runs are packed (no node_modules, no dev tools); the archive is reproducible.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$root/build/maildoctor.xpi}
case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
files=(manifest.json)
while IFS= read -r f; do files+=("$f"); done < <(find _locales api background icons options popup shared -type f | LC_ALL=C sort)
cp --parents "${files[@]}" "$tmp/"
find "$tmp" -exec touch -d '2020-01-01 00:00:00 UTC' {} +
(cd "$tmp" && zip -X -q -D "$tmp/out.xpi" "${files[@]}")
mv "$tmp/out.xpi" "$out"
echo "$out"

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
# Plain cp and touch -t: the macOS installer runs this with BSD tools, which have no cp --parents or touch -d.
for f in "${files[@]}"; do mkdir -p "$tmp/$(dirname "$f")" && cp "$f" "$tmp/$f"; done
find "$tmp" -exec env TZ=UTC touch -t 202001010000 {} +
(cd "$tmp" && zip -X -q -D "$tmp/out.xpi" "${files[@]}")
mv "$tmp/out.xpi" "$out"
echo "$out"

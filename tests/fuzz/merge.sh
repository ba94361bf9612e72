#!/usr/bin/env bash
# Adds to the checked-in corpus of a fuzz target only the inputs that reach new coverage (libFuzzer -merge=1), so
# the repository keeps a growing but small corpus. Nothing already checked in is removed.
# Usage: tests/fuzz/merge.sh TARGET [FOLDER...]   (default FOLDER: what the last 86-fuzz run found,
#        tests/artifacts/fuzz/corpus/TARGET). Needs the fuzz build: cmake --preset fuzz && cmake --build --preset fuzz
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:?usage: tests/fuzz/merge.sh TARGET [FOLDER...]}; shift
(($#)) || set -- "$root/tests/artifacts/fuzz/corpus/$target"
corpus="$root/tests/fuzz/corpus/$target"
binary="$root/build/asan/tests/fuzz/fuzz_$target"
[[ -x $binary ]] || { echo "no $binary: build the fuzz preset first" >&2; exit 1; }
before=$(ls "$corpus" | wc -l)
"$binary" -merge=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536 "$corpus" "$@" >/dev/null 2>&1
echo "fuzz_$target: $before -> $(ls "$corpus" | wc -l) inputs, $(du -s --apparent-size --block-size=1K "$corpus" | cut -f1) KiB"

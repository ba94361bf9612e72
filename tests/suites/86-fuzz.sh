#!/usr/bin/env bash
# Every libFuzzer target (tests/fuzz/fuzz_*.cpp): first replays the whole checked-in corpus and every saved crash
# (tests/fuzz/corpus/<target>/, tests/fuzz/regressions/<target>/), failing on any crash; then fuzzes for a short
# bounded run from a scratch copy of both. The checked-in folders are only read. What a run finds is kept in
# $MAILDOCTOR_ARTIFACTS/fuzz/corpus/<target>/ (tests/fuzz/merge.sh adds what adds coverage to the repository) and
# crashes in $MAILDOCTOR_ARTIFACTS/fuzz/ (copy each into tests/fuzz/regressions/<target>/ with its fix).
# MAILDOCTOR_FUZZ_SECONDS sets the fuzzing time per target (default 20).
set -euo pipefail
shopt -s nullglob
cd "$MAILDOCTOR_ROOT"
seconds=${MAILDOCTOR_FUZZ_SECONDS:-20}
out="$MAILDOCTOR_ARTIFACTS/fuzz"
mkdir -p "$out"
targets=(); for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "${targets[@]}" >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; echo "fuzz build failed"; exit 1; }

status=0
for name in "${targets[@]}"; do
  target=${name#fuzz_}
  seeds="tests/fuzz/corpus/$target"
  regressions="tests/fuzz/regressions/$target"
  if [[ ! -d $seeds ]] || [[ -z $(ls -A "$seeds") ]]; then
    echo "$name: no seed corpus in $seeds"; status=1; continue
  fi
  inputs=("$seeds"/*)
  [[ -d $regressions ]] && inputs+=("$regressions"/*)
  # Files (not folders) as arguments: libFuzzer runs each once and writes nothing.
  if ! build/asan/tests/fuzz/"$name" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >"$out/$name-replay.log" 2>&1; then
    echo "$name: FAILED replaying the checked-in corpus and regressions"
    grep -E 'Running:|ERROR|SUMMARY|==[0-9]+==' "$out/$name-replay.log" | tail -20; status=1; continue
  fi
  replayed=$(grep -c '^Executed ' "$out/$name-replay.log" || true)
  ((replayed == ${#inputs[@]})) || { echo "$name: replayed $replayed of ${#inputs[@]} inputs"; status=1; continue; }

  # The fuzzer adds what it finds to the first folder: a scratch copy, never the checked-in one.
  work="$out/corpus/$target"
  rm -rf "$work" && mkdir -p "$work" && cp "${inputs[@]}" "$work"/
  dict=(); [[ -f tests/fuzz/dict/$target.dict ]] && dict=(-dict="tests/fuzz/dict/$target.dict")
  if build/asan/tests/fuzz/"$name" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/$name-" "$work" >"$out/$name.log" 2>&1; then
    echo "$name: replayed $replayed inputs; $(grep -E 'stat::number_of_executed_units' "$out/$name.log" | awk '{print $2}') runs, $(grep -oE 'cov: [0-9]+' "$out/$name.log" | tail -1), no crash"
  else
    echo "$name: FAILED"; grep -E 'ERROR|SUMMARY|==[0-9]+==|artifact' "$out/$name.log" | head -20; status=1
  fi
done
exit $status

#!/usr/bin/env bash
# Every libFuzzer target (tests/fuzz/fuzz_*.cpp) for a short bounded run from its seed corpus.
# MAILDOCTOR_FUZZ_SECONDS sets the time per target (default 20). Crashes land in $MAILDOCTOR_ARTIFACTS/fuzz/.
set -euo pipefail
cd "$MAILDOCTOR_ROOT"
seconds=${MAILDOCTOR_FUZZ_SECONDS:-20}
out="$MAILDOCTOR_ARTIFACTS/fuzz"
mkdir -p "$out"
targets=(); for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "${targets[@]}" >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; echo "fuzz build failed"; exit 1; }

status=0
for src in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp)
  target=${name#fuzz_}
  seeds="tests/fuzz/corpus/$target"
  if [[ ! -d $seeds ]] || [[ -z $(ls -A "$seeds") ]]; then
    echo "$name: no seed corpus in $seeds"; status=1; continue
  fi
  # The fuzzer adds what it finds to the first corpus folder: a scratch copy keeps the checked-in seeds small.
  work=$(mktemp -d)
  cp "$seeds"/* "$work"/
  dict=(); [[ -f tests/fuzz/dict/$target.dict ]] && dict=(-dict="tests/fuzz/dict/$target.dict")
  if build/asan/tests/fuzz/"$name" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/$name-" "$work" >"$out/$name.log" 2>&1; then
    echo "$name: $(grep -E 'stat::number_of_executed_units' "$out/$name.log" | awk '{print $2}') runs, $(grep -oE 'cov: [0-9]+' "$out/$name.log" | tail -1), no crash"
  else
    echo "$name: FAILED"; grep -E 'ERROR|SUMMARY|==[0-9]+==|artifact' "$out/$name.log" | head -20; status=1
  fi
  rm -rf "$work"
done
exit $status

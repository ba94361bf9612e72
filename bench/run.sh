#!/bin/sh
# Reproduces every number in docs/PERFORMANCE.md: builds maildoctor and the bench helpers (release
# preset: what ships), starts real Dovecot, Postfix and dnsmasq (tests/servers), puts a latency proxy in
# front of them and runs the scenarios, the curl baseline, the cold start, peak RSS and the scaling runs.
#
#   bench/run.sh                 full run (7 repetitions, 50 ms RTT); exit 1 if a target is missed
#   bench/run.sh --smoke         1 repetition, no targets asserted (a quick "does the bench still run")
#   bench/run.sh --reps 11 --rtt-ms 100 --scenarios a,b ...   (any option of bench/bench.py)
#   bench/run.sh fleet [--accounts 1000 --jobs 16 --per-server 2 --smoke ...]   only the fleet bench
#                                (bench/fleet.py: `maildoctor batch` over 1,000 accounts; it also runs after
#                                 the full run, with --smoke when the full run has it)
# Environment: MAILDOCTOR_BENCH_PRESET (default release), MAILDOCTOR_BENCH_OUT (default build/<preset>/bench-results),
#              MAILDOCTOR_BENCH_NO_BUILD=1 to use what is built already.
# Needs root: the servers bind 127.0.0.2, and scenario (c) creates network namespaces.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PRESET=${MAILDOCTOR_BENCH_PRESET:-release}
BUILD="$ROOT/build/$PRESET"
OUT=${MAILDOCTOR_BENCH_OUT:-$BUILD/bench-results}

if [ -z "${MAILDOCTOR_BENCH_NO_BUILD:-}" ]; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$ROOT")}"
  cmake --preset "$PRESET" -DMAILDOCTOR_BENCH=ON >/dev/null
  cmake --build --preset "$PRESET" -j 2 --target maildoctor maildoctor_bench_endpoints maildoctor_bench_coldstart \
    maildoctor_bench_linkfloor
fi

fleet() {
  /usr/bin/python3 "$ROOT/bench/fleet.py" --bin "$BUILD/host/maildoctor" \
    --coldstart "$BUILD/bench/maildoctor_bench_coldstart" --linkfloor "$BUILD/bench/maildoctor_bench_linkfloor" \
    --out "$OUT" "$@"
}

if [ "${1:-}" = fleet ]; then
  shift
  fleet "$@"
  exit $?
fi

status=0
/usr/bin/python3 "$ROOT/bench/bench.py" \
  --bin "$BUILD/host/maildoctor" \
  --coldstart "$BUILD/bench/maildoctor_bench_coldstart" \
  --linkfloor "$BUILD/bench/maildoctor_bench_linkfloor" \
  --scale-driver "$BUILD/bench/maildoctor_bench_endpoints" \
  --out "$OUT" "$@" || status=1
case " $* " in
  *" --smoke "*) fleet --smoke || status=1 ;;
  *) fleet || status=1 ;;
esac
exit $status

#!/bin/bash
# Builds the Windows release on Debian 12 (as root): dist/windows/maildoctor.exe, statically linked, and
# dist/windows/maildoctor-windows-<version>.zip with the host, the installer step, the manifest template and the add-on.
#   installer/windows/build.sh [--no-deps] [--tests]
#     --no-deps   do not apt-get install installer/windows/packages.txt
#     --tests     also build unit_tests.exe (build/windows/tests/unit/unit_tests.exe) for the Wine suite
# The libraries come from Debian's sources through installer/windows/build-deps.sh, cached in
# /var/cache/maildoctor-win/<key>/ so that later runs skip that part.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
deps=1 tests=OFF
for a in "$@"; do
  case $a in
    --no-deps) deps=0 ;;
    --tests) tests=ON ;;
    *) echo "usage: $0 [--no-deps] [--tests]" >&2; exit 2 ;;
  esac
done

if ((deps)); then
  mapfile -t pkgs < <(grep -v '^#' installer/windows/packages.txt | grep .)
  missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

prefix=$(installer/windows/build-deps.sh | tail -n1)
export MAILDOCTOR_WINDOWS_DEPS=$prefix
cmake --preset windows -DMAILDOCTOR_WINDOWS_DEPS="$prefix" -DMAILDOCTOR_TESTS=$tests >/dev/null
targets=(maildoctor maildoctor-setup)
[[ $tests == ON ]] && targets+=(unit_tests)
cmake --build --preset windows --target "${targets[@]}"

out=dist/windows
version=$(sed -n 's/^project(maildoctor VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
rm -rf "$out" && mkdir -p "$out/stage"
cp build/windows/host/maildoctor.exe "$out/maildoctor.exe"
stage=$out/stage/maildoctor-$version
mkdir -p "$stage"
cp build/windows/host/maildoctor.exe build/windows/installer/windows/maildoctor-setup.exe "$stage/"
cp manifests/maildoctor.json.in "$stage/"
extension/build.sh "$stage/maildoctor.xpi" >/dev/null
cp installer/windows/README.txt "$stage/"
(cd "$out/stage" && zip -X -q -r "../maildoctor-windows-$version.zip" "maildoctor-$version")
rm -rf "$out/stage"
echo "$root/$out/maildoctor.exe"
echo "$root/$out/maildoctor-windows-$version.zip"

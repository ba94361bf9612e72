#!/bin/bash
# Builds the host's libraries for x86_64-w64-mingw32, static, from Debian 12's own source packages, into a cache
# outside the clone. Prints the prefix on its last line of stdout. Runs on Debian 12 as root.
#
# The cache is keyed by the exact Debian source versions, the cross compiler's version and RECIPE (raise it when a
# recipe below changes), so a later run with the same key is a no-op and a security update of any source rebuilds.
#   MAILDOCTOR_WIN_CACHE   cache root (default /var/cache/maildoctor-win)
#   MAILDOCTOR_WIN_JOBS    parallel jobs (default: nproc)
set -euo pipefail

RECIPE=1
CACHE_ROOT=${MAILDOCTOR_WIN_CACHE:-/var/cache/maildoctor-win}
JOBS=${MAILDOCTOR_WIN_JOBS:-$(nproc)}
HOST_TRIPLE=x86_64-w64-mingw32
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLCHAIN="$HERE/../../cmake/toolchains/x86_64-w64-mingw32.cmake"
# Source package names as Debian 12 calls them. catch2 is only for the Windows unit tests (header-only).
SOURCES=(openssl c-ares expat curl boost1.74 nlohmann-json3 catch2)

say() { echo "build-deps: $*" >&2; }

ensure_deb_src() {
  if apt-get source --print-uris openssl >/dev/null 2>&1; then return; fi
  say "adding deb-src entries for the configured Debian mirrors"
  local out=/etc/apt/sources.list.d/maildoctor-deb-src.sources
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$out"
  else
    out=/etc/apt/sources.list.d/maildoctor-deb-src.list
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' >"$out"
  fi
  apt-get update -qq
}

# The .dsc apt would fetch names the exact version (bookworm, bookworm-updates or bookworm-security, whichever wins).
dsc_of() { apt-get source --print-uris "$1" | grep -o "'[^']*\.dsc'" | tr -d "'" | sed 's#.*/##' | head -n1; }

ensure_deb_src
KEY_TEXT="recipe=$RECIPE compiler=$(dpkg-query -W -f='${Version}' g++-mingw-w64-x86-64-posix)"
for s in "${SOURCES[@]}"; do
  d=$(dsc_of "$s")
  [[ -n $d ]] || { say "no source package for $s"; exit 1; }
  KEY_TEXT+=" $d"
done
KEY=$(printf '%s' "$KEY_TEXT" | sha256sum | cut -c1-16)
PREFIX="$CACHE_ROOT/$KEY"
if [[ -f $PREFIX/.complete ]]; then
  say "cached: $PREFIX"
  ln -sfn "$KEY" "$CACHE_ROOT/current"
  echo "$PREFIX"
  exit 0
fi
say "building into $PREFIX ($KEY_TEXT)"
mkdir -p "$PREFIX"
printf '%s\n' "$KEY_TEXT" >"$PREFIX/versions.txt"
WORK="$CACHE_ROOT/work-$KEY"
mkdir -p "$WORK"

export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig" PKG_CONFIG_PATH=""
CMAKE_CROSS=(-G Ninja -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DMAILDOCTOR_WINDOWS_DEPS="$PREFIX"
             -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" -DBUILD_SHARED_LIBS=OFF)

# Fetches and unpacks (with Debian's patches) one source package in $WORK/<name>; echoes the source tree.
# A security update's .dsc and Debian part are sometimes missing from the mirror while its orig tarball is there
# (see issue 17: openssl, expat). Then the newest Debian revision of the same upstream version that the mirror has in
# full is built instead, which keeps Debian's patches up to that revision; built-from.txt says what was built.
fetch() {
  local name=$1 dir="$WORK/$1" wanted upstream v
  rm -rf "$dir"; mkdir -p "$dir"
  wanted=$(apt-cache showsrc --only-source "$name" | sed -n 's/^Version: //p' | sort -V -r | head -n1)
  upstream=${wanted%-*}
  for v in $(apt-cache showsrc --only-source "$name" | sed -n 's/^Version: //p' | grep -F -- "$upstream-" | sort -V -r -u); do
    if (cd "$dir" && apt-get source -q "$name=$v" >&2); then
      [[ $v == "$wanted" ]] || say "$name: Debian's $wanted is not complete on the mirror; building $v instead"
      echo "$name $v" >>"$PREFIX/built-from.txt"
      find "$dir" -mindepth 1 -maxdepth 1 -type d | head -n1
      return 0
    fi
    rm -rf "${dir:?}"/*
  done
  say "$name: no Debian revision of $upstream is complete on the mirror"
  return 1
}

step() { [[ -f $PREFIX/.done-$1 ]]; }
# mark NAME FILE...: NAME is done once each FILE (relative to the prefix) exists. A step is never marked done on a
# failure alone: `a && b` does not stop a `set -e` script when `a` fails, so each step also names what it installs.
mark() {
  local name=$1 f; shift
  for f in "$@"; do [[ -s $PREFIX/$f ]] || { say "$name: $f was not installed"; exit 1; }; done
  touch "$PREFIX/.done-$name"; rm -rf "${WORK:?}/$name"; say "$name done ($SECONDS s so far)"
}

if ! step openssl; then
  # apt fetches the upstream orig tarball of Debian's version, but the Debian part of that version is not always on
  # the mirror (see issue 17), so the orig tarball is unpacked alone; apt has checked it against the .dsc.
  dir="$WORK/openssl"; rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && apt-get source -q --download-only openssl >&2) || say "openssl: the Debian part failed; using the orig tarball"
  orig=$(ls "$dir"/openssl_*.orig.tar.gz | head -n1)
  tar -C "$dir" -xf "$orig"
  src=$(find "$dir" -mindepth 1 -maxdepth 1 -type d | head -n1)
  # OPENSSLDIR is compiled in, and OpenSSL reads openssl.cnf from there at start-up (a config can load modules). On
  # Windows it must be a folder only administrators can write, never a path any user can create, such as
  # C:\var\cache\... from this prefix. Configure only takes a Unix-absolute folder, so the three folders are set at
  # make time instead (the Makefile turns them into -D flags). Engines are off: nothing of ours loads one.
  ssldir="C:/Program Files/Common Files/maildoctor/SSL"
  (cd "$src" && ./Configure mingw64 --cross-compile-prefix=$HOST_TRIPLE- no-shared no-tests no-engine \
      --prefix="$PREFIX" --libdir=lib >&2 \
    && make -j"$JOBS" OPENSSLDIR="$ssldir" ENGINESDIR="$ssldir/engines" MODULESDIR="$ssldir/modules" build_libs >&2 \
    && make install_dev >&2)
  # grep reads everything (no -q): under pipefail, a grep that quits early fails the pipeline through SIGPIPE.
  strings "$PREFIX/lib/libcrypto.a" | grep -Fx "OPENSSLDIR: \"$ssldir\"" >/dev/null || { say "openssl: OPENSSLDIR is not $ssldir"; exit 1; }
  echo "openssl $(basename "$orig") (orig tarball alone)" >>"$PREFIX/built-from.txt"
  mark openssl lib/libssl.a lib/libcrypto.a
fi

if ! step c-ares; then
  src=$(fetch c-ares)
  # Debian's fix for CVE-2023-31130 spells the IPv4 address size INADDRSZ, which only glibc's <arpa/nameser.h>
  # defines; upstream's own fix (1.19.1) uses c-ares' NS_INADDRSZ, the same 4.
  cmake -S "$src" -B "$src/_build" "${CMAKE_CROSS[@]}" -DCARES_STATIC=ON -DCARES_SHARED=OFF \
    -DCARES_BUILD_TOOLS=OFF -DCARES_BUILD_TESTS=OFF -DCMAKE_C_FLAGS="-DINADDRSZ=NS_INADDRSZ" >&2
  cmake --build "$src/_build" -j"$JOBS" >&2
  cmake --install "$src/_build" >&2
  mark c-ares lib/libcares.a lib/pkgconfig/libcares.pc
fi

if ! step expat; then
  src=$(fetch expat)
  [[ -f $src/expat/CMakeLists.txt ]] && src="$src/expat"
  cmake -S "$src" -B "$src/_build" "${CMAKE_CROSS[@]}" -DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF \
    -DEXPAT_BUILD_EXAMPLES=OFF -DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF >&2
  # Debian builds expat with autotools, whose config header says "#define XML_DTD 1"; its security patches test
  # "#if XML_DTD == 1", which CMake's bare "#define XML_DTD" cannot compile. Same meaning, spelled as autotools does.
  sed -i 's/^#define \(XML_DTD\|XML_NS\)$/#define \1 1/' "$src/_build/expat_config.h"
  cmake --build "$src/_build" -j"$JOBS" >&2
  cmake --install "$src/_build" >&2
  mark expat lib/libexpat.a
fi

if ! step curl; then
  src=$(fetch curl)
  # Only what the host uses: IMAP/POP3/SMTP(S) and HTTPS over OpenSSL, names through c-ares.
  # curl's configure reads only -I and -l from libcares.pc, so the static c-ares needs CARES_STATICLIB (its headers
  # would declare dllimport functions) and its system library (iphlpapi) here.
  (cd "$src" && PKG_CONFIG="pkg-config --static" CPPFLAGS="-DCARES_STATICLIB" LIBS="-liphlpapi" \
      ./configure --host=$HOST_TRIPLE --prefix="$PREFIX" \
      --disable-shared --enable-static --with-openssl="$PREFIX" --enable-ares="$PREFIX" \
      --disable-ftp --disable-file --disable-dict --disable-telnet --disable-tftp --disable-rtsp --disable-gopher \
      --disable-mqtt --disable-smb \
      --without-zlib --without-brotli --without-zstd --without-libidn2 --without-libpsl --without-nghttp2 \
      --without-librtmp --without-libssh2 --without-gssapi --disable-ldap --disable-ldaps --disable-manual \
      --disable-docs --with-ca-fallback=no >&2 \
    && make -j"$JOBS" -C lib >&2 && make -C lib install >&2 && make -C include install >&2 \
    && make install-pkgconfigDATA >&2)
  mark curl lib/libcurl.a lib/pkgconfig/libcurl.pc
fi

if ! step boost; then
  src=$(fetch boost1.74)
  cat >"$src/user-config.jam" <<EOF
using gcc : mingw : $HOST_TRIPLE-g++-posix ;
EOF
  # Debian's +ds1 source drops b2's generated parser; debian/rules regenerates it with bison the same way.
  (cd "$src/tools/build" && bison -y -d -o src/engine/jamgram.cpp src/engine/jamgram.y) >&2
  (cd "$src" && ./bootstrap.sh --with-libraries=program_options >&2 \
    && ./b2 -j"$JOBS" --user-config=user-config.jam toolset=gcc-mingw target-os=windows threadapi=win32 address-model=64 architecture=x86 \
         link=static variant=release --layout=system --with-program_options --prefix="$PREFIX" install >&2)
  mark boost lib/libboost_program_options.a
fi

if ! step nlohmann-json3; then
  src=$(fetch nlohmann-json3)
  cmake -S "$src" -B "$src/_build" "${CMAKE_CROSS[@]}" -DJSON_BuildTests=OFF -DJSON_Install=ON >&2
  cmake --install "$src/_build" >&2
  mark nlohmann-json3 include/nlohmann/json.hpp
fi

if ! step catch2; then
  src=$(fetch catch2)
  cmake -S "$src" -B "$src/_build" "${CMAKE_CROSS[@]}" -DCATCH_BUILD_TESTING=OFF -DCATCH_INSTALL_DOCS=OFF \
    -DCATCH_INSTALL_HELPERS=ON >&2
  cmake --install "$src/_build" >&2
  mark catch2 include/catch2/catch.hpp
fi

rm -rf "$WORK"
touch "$PREFIX/.complete"
ln -sfn "$KEY" "$CACHE_ROOT/current"
say "complete in $SECONDS s: $PREFIX"
echo "$PREFIX"

#!/usr/bin/env bash
# macOS: builds maildoctor with Homebrew's libraries and installs the host and its Thunderbird manifest.
# Per user by default (~/.local/bin, ~/Library/Mozilla/NativeMessagingHosts: Thunderbird's folder, not Firefox's
# "Application Support" one); --system for every user (/usr/local/bin, /Library/Application Support/Mozilla/...).
# installer/uninstall.sh removes it again (it reads the same list of installed files).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=installer/lib.sh
. "$here/../lib.sh"

usage() { echo "usage: installer/macos/install.sh [--system] [--profile DIR] [--print-paths]"; }
system=0 print_paths=0 profile=""
while [ $# -gt 0 ]; do
  case $1 in
    --system) system=1 ;;
    --profile) profile=${2:?--profile needs a folder}; shift ;;
    --print-paths) print_paths=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

ext_id=$(md_extension_id)
if [ $system = 1 ]; then
  prefix=/usr/local
  manifest_dir="/Library/Application Support/Mozilla/NativeMessagingHosts"
else
  prefix=$HOME/.local
  manifest_dir=$HOME/Library/Mozilla/NativeMessagingHosts
fi
xpi_target=$prefix/share/maildoctor/$ext_id.xpi
list=$prefix/share/maildoctor/installed.txt

if [ $print_paths = 1 ]; then
  printf 'binary=%s\nmanifest=%s\naddon=%s\nlist=%s\n' "$prefix/bin/maildoctor" "$manifest_dir/maildoctor.json" "$xpi_target" "$list"
  exit 0
fi
[ "$(uname -s)" = Darwin ] || die "this installer is for macOS; on Linux use installer/install.sh"
[ $system = 0 ] || [ "$(id -u)" = 0 ] || die "--system needs root (sudo)"
[ -z "$profile" ] || profile=$(md_profile_dir "$profile")

if command -v brew >/dev/null; then
  say "installing build dependencies with Homebrew"
  brew install cmake ninja pkg-config curl openssl@3 c-ares nlohmann-json boost expat catch2 zip
  export PKG_CONFIG_PATH="$(brew --prefix curl)/lib/pkgconfig:$(brew --prefix c-ares)/lib/pkgconfig:${PKG_CONFIG_PATH:-}"
  export CMAKE_PREFIX_PATH="$(brew --prefix curl);$(brew --prefix openssl@3);$(brew --prefix expat);${CMAKE_PREFIX_PATH:-}"
else
  say "Homebrew not found: the build needs cmake, ninja, curl, OpenSSL 3, c-ares, nlohmann-json, Boost and expat"
fi

md_build "$prefix" "$manifest_dir" "$ext_id"
md_install_build
files=$md_installed
tmp_dir=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT
tmp_xpi=$tmp_dir/addon.xpi
if md_build_xpi "$tmp_xpi"; then
  md_install_xpi "$tmp_xpi" "$xpi_target"
  files="$files
$xpi_target"
  say "installed the add-on $xpi_target"
  if [ -n "$profile" ]; then
    md_install_xpi "$tmp_xpi" "$profile/extensions/$ext_id.xpi"
    files="$files
$profile/extensions/$ext_id.xpi"
    say "installed the add-on into the profile: $profile/extensions/$ext_id.xpi"
  fi
elif [ -f "$md_root/extension/manifest.json" ]; then
  die "packing the add-on with extension/build.sh failed"
else
  say "no add-on in this checkout (extension/manifest.json is missing): skipped the .xpi"
fi
old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2086
set -- $files  # one path a line; paths may hold spaces ("Application Support")
IFS=$old_ifs
md_record "$list" "$@"
say "done. Try: $prefix/bin/maildoctor --help"

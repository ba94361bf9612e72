#!/usr/bin/env bash
# Removes exactly what installer/install.sh (or installer/macos/install.sh) installed: the files and the folders it
# created, as listed in <prefix>/share/maildoctor/installed.txt. A folder that is no longer empty is kept.
# Idempotent: with nothing installed it says so and succeeds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=installer/lib.sh
. "$here/lib.sh"

prefix=""
case ${1:-} in
  "") prefix=${HOME:?HOME is not set}/.local ;;
  --system) prefix=/usr/local ;;
  --prefix) prefix=${2:?--prefix needs a folder} ;;
  -h|--help) echo "usage: installer/uninstall.sh [--system | --prefix DIR]"; exit 0 ;;
  *) echo "usage: installer/uninstall.sh [--system | --prefix DIR]" >&2; exit 2 ;;
esac
list=$prefix/share/maildoctor/installed.txt
if [ ! -f "$list" ]; then
  say "nothing to uninstall: $list does not exist"
  exit 0
fi

entries=$(cat "$list")
# Files first, then folders deepest first, so that a folder is empty by the time its turn comes.
while IFS= read -r path; do
  case $path in
    "" | */ | "$list") ;;
    *) if [ -e "$path" ] || [ -L "$path" ]; then rm -f -- "$path" && say "removed $path"; else say "already gone: $path"; fi ;;
  esac
done <<EOF_ENTRIES
$entries
EOF_ENTRIES
rm -f -- "$list"
say "removed $list"
printf '%s\n' "$entries" | grep '/$' | awk '{ print length($0) "\t" $0 }' | LC_ALL=C sort -rn | cut -f2- |
  while IFS= read -r dir; do
    dir=${dir%/}
    [ -d "$dir" ] || continue
    if rmdir -- "$dir" 2>/dev/null; then say "removed folder $dir"; else say "kept folder $dir (not empty)"; fi
  done
say "done"

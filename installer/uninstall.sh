#!/usr/bin/env bash
# Removes exactly what installer/install.sh (or installer/macos/install.sh) installed: the files and the folders it
# created, as listed in <prefix>/share/maildoctor/installed.txt. A folder that is no longer empty is kept.
# Idempotent: with nothing installed it says so and succeeds.
# The list is only a file: whatever it says, nothing is removed outside the prefix except the host manifest
# Thunderbird reads for this kind of install and the add-on file <add-on id>.xpi in an extensions folder, and a path
# that leaves its folder through a .. segment or a symlink counts as outside. With --prefix, only the prefix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=installer/lib.sh
. "$here/lib.sh"

prefix="" mode=user
case ${1:-} in
  "") prefix=${HOME:?HOME is not set}/.local ;;
  --system) prefix=/usr/local mode=system ;;
  --prefix) prefix=${2:?--prefix needs a folder} mode=prefix ;;
  -h|--help) echo "usage: installer/uninstall.sh [--system | --prefix DIR]"; exit 0 ;;
  *) echo "usage: installer/uninstall.sh [--system | --prefix DIR]" >&2; exit 2 ;;
esac
list=$prefix/share/maildoctor/installed.txt
if [ ! -f "$list" ]; then
  say "nothing to uninstall: $list does not exist"
  exit 0
fi
root=$(md_physical_dir "$prefix") || die "cannot resolve the prefix $prefix"
ext_id=$(md_extension_id)

# What the installers write outside the prefix (installer/install.sh, installer/macos/install.sh); the folders above
# these files may have been created by an install too (folders are only ever removed when empty).
outside=""
case $mode in
  user) outside="$HOME/.mozilla/native-messaging-hosts/maildoctor.json
$HOME/Library/Mozilla/NativeMessagingHosts/maildoctor.json" ;;
  system) outside="/usr/lib/mozilla/native-messaging-hosts/maildoctor.json
/usr/lib/thunderbird/extensions/$ext_id.xpi
/Library/Application Support/Mozilla/NativeMessagingHosts/maildoctor.json" ;;
esac

# Whether the uninstaller may remove this list entry (a file, or a folder ending in /). Prints why not.
may_remove() {
  local path=$1 real m
  case $path in
    /*) ;;
    *) echo "not an absolute path"; return 1 ;;
  esac
  case /${path%/}/ in
    */./* | */../*) echo "has a . or .. segment"; return 1 ;;
  esac
  real=$(md_physical_path "${path%/}") || { echo "cannot resolve its folder"; return 1; }
  case $real in "$root" | "$root"/*) return 0 ;; esac
  [ "$mode" = prefix ] && { echo "outside $prefix"; return 1; }
  case $path in
    # A profile's (or Thunderbird's own) extensions folder holds the add-on under its id; nothing else there is ours.
    */extensions/"$ext_id".xpi | */extensions/) return 0 ;;
    / | "${HOME:-}"/) echo "never removed"; return 1 ;;
  esac
  while IFS= read -r m; do
    case $path in
      */) case $m in "$path"?*) return 0 ;; esac ;;  # a folder the install may have created for that file
      *) [ "$path" = "$m" ] && return 0 ;;
    esac
  done <<EOF_OUTSIDE
$outside
EOF_OUTSIDE
  echo "outside $prefix and not a file an installer puts there"
  return 1
}

entries=$(cat "$list")
# Files first, then folders deepest first, so that a folder is empty by the time its turn comes.
while IFS= read -r path; do
  case $path in
    "" | */ | "$list") ;;
    *) if ! why=$(may_remove "$path"); then say "kept $path: $why"
       elif [ -e "$path" ] || [ -L "$path" ]; then rm -f -- "$path" && say "removed $path"
       else say "already gone: $path"; fi ;;
  esac
done <<EOF_ENTRIES
$entries
EOF_ENTRIES
rm -f -- "$list"
say "removed $list"
printf '%s\n' "$entries" | grep '/$' | awk '{ print length($0) "\t" $0 }' | LC_ALL=C sort -rn | cut -f2- |
  while IFS= read -r dir; do
    [ -d "${dir%/}" ] && [ ! -L "${dir%/}" ] || continue
    if ! why=$(may_remove "$dir"); then say "kept folder ${dir%/}: $why"; continue; fi
    dir=${dir%/}
    if rmdir -- "$dir" 2>/dev/null; then say "removed folder $dir"; else say "kept folder $dir (not empty)"; fi
  done
say "done"

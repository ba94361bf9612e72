#!/usr/bin/env bash
# Builds and installs maildoctor: the command-line tool / Thunderbird native-messaging host, its host manifest,
# and the Thunderbird add-on. Per user by default; --system installs for every user (as root).
# Idempotent: running it again rebuilds and replaces the same files. installer/uninstall.sh undoes it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=installer/lib.sh
. "$here/lib.sh"

usage() {
  cat <<USAGE
usage: installer/install.sh [--system] [--profile DIR] [--allow-extension ID] [--no-deps] [--print-paths]
  (default)             install for this user: ~/.local/bin/maildoctor, ~/.mozilla/native-messaging-hosts/maildoctor.json
  --system              install for every user: /usr/local/bin/maildoctor, /usr/lib/mozilla/native-messaging-hosts,
                        the add-on in /usr/lib/thunderbird/extensions (needs root)
  --profile DIR         also put the add-on into that Thunderbird profile (DIR/extensions/<add-on id>.xpi)
  --allow-extension ID  also allow the add-on with this id to start the host (a development build of the add-on)
  --no-deps             do not install missing Debian build dependencies
  --print-paths         print where things would go, and do nothing else
USAGE
}

system=0 deps=1 print_paths=0 profile="" extra_ids=()
while (($#)); do
  case $1 in
    --system) system=1 ;;
    --profile) profile=${2:?--profile needs a folder}; shift ;;
    --allow-extension) extra_ids+=("${2:?--allow-extension needs an add-on id}"); shift ;;
    --no-deps) deps=0 ;;
    --print-paths) print_paths=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

ext_id=$(md_extension_id)
if ((system)); then
  prefix=/usr/local
  manifest_dir=/usr/lib/mozilla/native-messaging-hosts
  xpi_target=/usr/lib/thunderbird/extensions/$ext_id.xpi
else
  [[ -n ${HOME:-} ]] || die "HOME is not set"
  prefix=$HOME/.local
  manifest_dir=$HOME/.mozilla/native-messaging-hosts
  xpi_target=$prefix/share/maildoctor/$ext_id.xpi
fi
list=$prefix/share/maildoctor/installed.txt

if ((print_paths)); then
  printf 'binary=%s\nmanifest=%s\naddon=%s\nlist=%s\n' "$prefix/bin/maildoctor" "$manifest_dir/maildoctor.json" "$xpi_target" "$list"
  exit 0
fi
((system == 0 || EUID == 0)) || die "--system needs root"
[[ -z $profile ]] || profile=$(md_profile_dir "$profile")

if ((deps)); then
  missing=()
  while IFS= read -r p; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done < <(grep -v '^\s*#' "$here/packages.txt" | sed '/^\s*$/d')
  if ((${#missing[@]})); then
    sudo=(); ((EUID == 0)) || sudo=(sudo)
    say "installing build dependencies: ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "build dependencies are present"
  fi
fi

ids=$ext_id
for id in "${extra_ids[@]}"; do ids="$ids;$id"; done
md_build "$prefix" "$manifest_dir" "$ids"
md_install_build
files=()
while IFS= read -r f; do [[ -n $f ]] && files+=("$f"); done <<<"$md_installed"


tmp_xpi=$(mktemp --suffix=.xpi)
trap 'rm -f "$tmp_xpi"' EXIT
if md_build_xpi "$tmp_xpi"; then
  md_install_xpi "$tmp_xpi" "$xpi_target"
  files+=("$xpi_target")
  say "installed the add-on $xpi_target"
  if [[ -n $profile ]]; then
    md_install_xpi "$tmp_xpi" "$profile/extensions/$ext_id.xpi"
    files+=("$profile/extensions/$ext_id.xpi")
    say "installed the add-on into the profile: $profile/extensions/$ext_id.xpi (Thunderbird asks to enable it at its next start)"
  fi
elif [[ -f $md_root/extension/manifest.json ]]; then
  die "packing the add-on with extension/build.sh failed"
else
  say "no add-on in this checkout (extension/manifest.json is missing): skipped the .xpi"
fi

md_record "$list" "${files[@]}"
say "done. Try: $prefix/bin/maildoctor --help"
if ((system == 0)) && [[ :$PATH: != *":$prefix/bin:"* ]]; then
  say "note: $prefix/bin is not on your PATH"
fi

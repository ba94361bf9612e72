# Shared by install.sh, uninstall.sh and macos/install.sh (bash 3.2 compatible: macOS ships that bash).
# Every step says what it did; every file and every folder an install creates goes into a list that
# uninstall.sh reads, so that uninstalling removes exactly what was installed.

md_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf 'maildoctor: %s\n' "$*"; }
die() { printf 'maildoctor: error: %s\n' "$*" >&2; exit 1; }

# A folder's path with every symlink resolved (no realpath on macOS' bash 3.2 userland). Fails when it does not exist.
md_physical_dir() { (cd -P -- "$1" 2>/dev/null && pwd -P); }

# A path with the symlinks of its folders resolved (the last component stays as it is: removing a symlink removes
# the link, not what it points to). A path whose folder does not exist is returned as given: nothing is there.
md_physical_path() {
  local dir
  case $1 in */*) dir=${1%/*} ;; *) dir=. ;; esac
  [ -n "$dir" ] || dir=/
  if [ -d "$dir" ]; then
    dir=$(md_physical_dir "$dir") || return 1
    printf '%s/%s\n' "${dir%/}" "${1##*/}"
  else
    printf '%s\n' "$1"
  fi
}

# The add-on id, from the one place that defines it (the CMake cache default). Fails when it cannot be read.
md_extension_id() {
  local id
  id=$(sed -n 's/^set(MAILDOCTOR_EXTENSION_ID "\([^"]*\)".*/\1/p' "$md_root/CMakeLists.txt")
  [ -n "$id" ] || die "cannot read MAILDOCTOR_EXTENSION_ID from CMakeLists.txt"
  printf '%s\n' "$id"
}

# The absolute path of a --profile folder, after checking that it exists and that there is an add-on to put in it.
# Absolute, because the list of installed files must name the same file wherever uninstall.sh runs from.
md_profile_dir() {
  [ -d "$1" ] || die "no such Thunderbird profile folder: $1"
  [ -f "$md_root/extension/manifest.json" ] || die "--profile needs the add-on, which this checkout does not have"
  (cd "$1" && pwd)
}

# Copies the packed add-on to a path, noting the folders that creates. Arguments: packed .xpi, target path.
md_install_xpi() {
  md_note_new_dirs "$2"
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
  chmod 0644 "$2"
}

# Records in $md_new_dirs every missing parent folder of the given paths, before anything is created there.
md_new_dirs=""
md_note_new_dirs() {
  local p d
  for p in "$@"; do
    d=$(dirname "$p")
    while [ ! -e "$d" ]; do
      md_new_dirs="$md_new_dirs$d/
"
      d=$(dirname "$d")
    done
  done
}

# Writes the list: previous entries, the new files, the new folders (folders end in /), sorted and unique.
md_record() {
  local list=$1; shift
  md_note_new_dirs "$list"
  mkdir -p "$(dirname "$list")"
  { [ -f "$list" ] && cat "$list"; printf '%s\n' "$@" "$list"; printf '%s' "$md_new_dirs"; } | sed '/^$/d' | LC_ALL=C sort -u > "$list.tmp"
  mv "$list.tmp" "$list"
  say "listed what was installed in $list (installer/uninstall.sh reads it)"
}

# Packs the add-on with its own packer (extension/build.sh). Fails when the checkout has no add-on or packing fails.
md_build_xpi() {
  [ -f "$md_root/extension/manifest.json" ] || return 1
  bash "$md_root/extension/build.sh" "$1" >/dev/null
}

# Configures (release preset) and builds the host. Arguments: prefix, manifest folder, allowed add-on ids (;-list).
md_build() {
  local prefix=$1 manifest_dir=$2 ids=$3 log="$md_root/build/install-build.log"
  md_build_dir="$md_root/build/release"
  mkdir -p "$md_root/build"
  say "building with cmake --preset release in $md_build_dir (log: $log)"
  if ! (cd "$md_root" &&
        cmake --preset release -DCMAKE_INSTALL_PREFIX="$prefix" -DMAILDOCTOR_MANIFEST_DIR="$manifest_dir" \
          -DMAILDOCTOR_ALLOWED_EXTENSIONS="$ids" -DMAILDOCTOR_TESTS=OFF -DMAILDOCTOR_XPI=OFF &&
        cmake --build "$md_build_dir" -j 2) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "the build failed; the whole log is in $log"
  fi
}

# Installs what the build's install rules name, after noting which folders it will create.
# Sets md_installed to the installed files, one a line.
md_install_build() {
  local stage="$md_root/build/release-stage" f
  rm -rf "$stage"
  DESTDIR="$stage" cmake --install "$md_build_dir" >/dev/null || die "cmake --install (staging) failed"
  md_installed=$(cd "$stage" && find . \( -type f -o -type l \) | sed 's|^\.||' | LC_ALL=C sort)
  rm -rf "$stage"
  while IFS= read -r f; do [ -n "$f" ] && md_note_new_dirs "$f"; done <<EOF_FILES
$md_installed
EOF_FILES
  cmake --install "$md_build_dir" | sed -n 's/^-- Installing: /installed /p; s/^-- Up-to-date: /up to date: /p' |
    while IFS= read -r line; do say "$line"; done
}

#!/usr/bin/env bash
# Runs a command in a throwaway system: a private mount namespace in which /usr, /etc and /var are overlays whose
# changes go to a tmpfs that disappears with the command. Inside, the install tests may install for every user,
# dpkg -i and dpkg -r as they like; outside, nothing changes. Before the command starts, any earlier maildoctor
# (an installer's files, the .deb) is removed inside, so the tests start from a clean system wherever they run:
# an earlier install can neither make them skip nor make them pass. Needs root (unshare, mount).
# Usage: tests/install/throwaway_root.sh COMMAND [ARG...]
set -euo pipefail
if [[ ${MAILDOCTOR_THROWAWAY_ROOT:-} != "$$" ]]; then
  ((EUID == 0)) || { echo "throwaway_root.sh: needs root for unshare and mount" >&2; exit 1; }
  # The inner shell has a new pid; it recognises itself by the marker it is given.
  exec unshare --mount --propagation private bash -c 'MAILDOCTOR_THROWAWAY_ROOT=$$ exec bash "$0" "$@"' "$0" "$@"
fi

scratch=$(mktemp -d)
mount -t tmpfs -o mode=0755 maildoctor-throwaway "$scratch"
for dir in /usr /etc /var; do
  mkdir -p "$scratch$dir/upper" "$scratch$dir/work"
  mount -t overlay maildoctor-throwaway -o "lowerdir=$dir,upperdir=$scratch$dir/upper,workdir=$scratch$dir/work" "$dir"
done

ext_id=$(sed -n 's/^set(MAILDOCTOR_EXTENSION_ID "\([^"]*\)".*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
if dpkg-query -W -f='${Status}' maildoctor 2>/dev/null | grep -q 'install ok installed'; then
  dpkg -r maildoctor >/dev/null
fi
rm -rf /usr/local/bin/maildoctor /usr/local/share/maildoctor /usr/bin/maildoctor \
       /usr/lib/mozilla/native-messaging-hosts/maildoctor.json "/usr/lib/thunderbird/extensions/$ext_id.xpi"
export MAILDOCTOR_THROWAWAY_ROOT=1
status=0
"$@" || status=$?
# The namespace goes with its last process; the empty scratch folder in the real /tmp is removed here.
umount -l /usr /etc /var "$scratch" && rmdir "$scratch"
exit $status

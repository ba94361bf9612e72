// POSIX definition of protect_process_memory(); a Windows port supplies its own file.
#if !defined(_WIN32)

#include <sys/resource.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "maildoctor/hygiene.hpp"

namespace maildoctor {

void protect_process_memory() noexcept {
  // A crash must not write the password to disk: no core file, whatever `ulimit -c` the parent set.
  const rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
#if defined(__linux__)
  // Also covers a core_pattern pipe (systemd-coredump, apport), which ignores RLIMIT_CORE, and keeps
  // ptrace and /proc/PID/mem away from other processes of the same user.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

}  // namespace maildoctor

#endif

// POSIX definition of protect_process_memory(); a Windows port supplies its own file.
#if !defined(_WIN32)

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include <curl/curl.h>
#include <openssl/crypto.h>

#if defined(__linux__)
#include <malloc.h>
#include <sys/prctl.h>
#endif

#include "maildoctor/hygiene.hpp"

namespace maildoctor {

#if defined(__linux__)
namespace {
// libcurl keeps copies of the password (the option, its connection's copy, the SASL message, the command line it
// sent) and frees them without wiping. With these callbacks every block curl frees is wiped first.
void wiping_free(void* p) {
  if (!p) return;
  OPENSSL_cleanse(p, malloc_usable_size(p));
  std::free(p);
}
void* wiping_realloc(void* p, std::size_t n) {
  if (!p) return std::malloc(n);
  if (n == 0) {
    wiping_free(p);
    return nullptr;
  }
  void* moved = std::malloc(n);
  if (!moved) return nullptr;  // like realloc: the old block stays valid
  const std::size_t old = malloc_usable_size(p);
  std::memcpy(moved, p, old < n ? old : n);
  wiping_free(p);
  return moved;
}
char* wiping_strdup(const char* s) {
  const std::size_t n = std::strlen(s) + 1;
  auto* copy = static_cast<char*>(std::malloc(n));
  if (copy) std::memcpy(copy, s, n);
  return copy;
}
}  // namespace
#endif

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

void prepare_curl() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__linux__)
    curl_global_init_mem(CURL_GLOBAL_DEFAULT, std::malloc, wiping_free, wiping_realloc, wiping_strdup, std::calloc);
#else
    curl_global_init(CURL_GLOBAL_DEFAULT);
#endif
  });
}

}  // namespace maildoctor

#endif

#include "platform/native_stdio.hpp"

#include <csignal>

#include <fcntl.h>
#include <unistd.h>

#include "platform/posix/fd_stream.hpp"

namespace maildoctor::platform {

std::optional<NativeStdio> claim_native_stdio() {
  std::signal(SIGPIPE, SIG_IGN);  // a closed port shows up as a failed write, not as a dead process
  const int frames = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (frames < 0) return std::nullopt;
  if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    ::close(frames);
    return std::nullopt;
  }
  return NativeStdio{std::make_unique<FdSource>(STDIN_FILENO), std::make_unique<FdSink>(frames)};
}

}  // namespace maildoctor::platform

#include "platform/posix/fd_stream.hpp"

#include <cerrno>

#include <unistd.h>

namespace maildoctor::platform {

std::size_t FdSource::read_some(char* buf, std::size_t n) {
  for (;;) {
    const ssize_t k = ::read(fd_, buf, n);
    if (k > 0) return static_cast<std::size_t>(k);
    if (k < 0 && errno == EINTR) continue;
    return 0;  // end of input, or an error that ends it just the same
  }
}

FdSink::~FdSink() { ::close(fd_); }

bool FdSink::write_all(const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t k = ::write(fd_, data, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;  // EPIPE once Thunderbird closed its end (SIGPIPE is ignored in native mode)
    data += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

}  // namespace maildoctor::platform

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <fcntl.h>
#include <unistd.h>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/native.hpp"
#include "native/fd_stream.hpp"
#include "native/session.hpp"

namespace maildoctor::native {
namespace {

// Thunderbird kills the host 3 s after closing stdin; we promise to be gone within 1 s.
constexpr std::chrono::milliseconds kShutdownGrace{800};

void log_line(std::string_view line) { std::cerr << "maildoctor native: " << line << '\n' << std::flush; }

// Frames get a private descriptor; fd 1 then points at stderr, so a stray print anywhere in the process (a library,
// a debug line) lands in Thunderbird's console instead of corrupting the frame stream.
int claim_stdout_for_frames() {
  const int frames = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (frames < 0) return -1;
  if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) return -1;
  return frames;
}

}  // namespace

int serve() {
  std::signal(SIGPIPE, SIG_IGN);  // a closed port shows up as a failed write, not as a dead process
  const int frames_fd = claim_stdout_for_frames();
  if (frames_fd < 0) {
    log_line("cannot set up stdout for frames");
    return 3;
  }
  FdSource in(STDIN_FILENO);
  FdSink out(frames_fd);
  bool stopped = false;
  {
    Session session(out, run_diagnosis, SessionOptions{.max_running = 4, .max_queued = 64, .max_message = kMaxMessageBytes, .log = log_line});
    session.read_all(in);
    stopped = session.finish(kShutdownGrace);
    if (!stopped) {
      // A probe ignored its cancel flag; ending the process is the only way to keep the 1 s promise.
      log_line("a diagnosis did not stop in time after the input closed; exiting anyway");
      std::_Exit(0);
    }
  }
  ::close(frames_fd);
  return 0;
}

}  // namespace maildoctor::native

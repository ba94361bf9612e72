#include <chrono>
#include <cstdlib>
#include <iostream>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/native.hpp"
#include "native/session.hpp"
#include "platform/native_stdio.hpp"

namespace maildoctor::native {
namespace {

// Thunderbird kills the host 3 s after closing stdin; we promise to be gone within 1 s.
constexpr std::chrono::milliseconds kShutdownGrace{800};

void log_line(std::string_view line) { std::cerr << "maildoctor native: " << line << '\n' << std::flush; }

}  // namespace

int serve() {
  auto stdio = platform::claim_native_stdio();
  if (!stdio) {
    log_line("cannot set up stdout for frames");
    return 3;
  }
  bool stopped = false;
  {
    Session session(*stdio->out, run_diagnosis,
                    SessionOptions{.max_running = 4, .max_queued = 64, .max_message = kMaxMessageBytes, .log = log_line});
    session.read_all(*stdio->in);
    stopped = session.finish(kShutdownGrace);
    if (!stopped) {
      // A probe ignored its cancel flag; ending the process is the only way to keep the 1 s promise.
      log_line("a diagnosis did not stop in time after the input closed; exiting anyway");
      std::_Exit(0);
    }
  }
  return 0;  // the frames' copy of stdout closes with `stdio`
}

}  // namespace maildoctor::native

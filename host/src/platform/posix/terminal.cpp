#include "platform/terminal.hpp"

#include <termios.h>
#include <unistd.h>

namespace maildoctor::platform {

struct EchoOff::Saved {
  termios mode{};
};

bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }
bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

EchoOff::EchoOff() {
  termios old{};
  if (tcgetattr(STDIN_FILENO, &old) != 0) return;
  saved_ = std::make_unique<Saved>(Saved{old});
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
}

EchoOff::~EchoOff() {
  if (saved_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_->mode);
}

}  // namespace maildoctor::platform

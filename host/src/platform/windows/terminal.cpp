#include "platform/terminal.hpp"

#include <windows.h>

namespace maildoctor::platform {

struct EchoOff::Saved {
  DWORD mode = 0;
};

// _isatty() is also true for the NUL device; only a console has a console mode.
bool stdin_is_terminal() {
  DWORD mode = 0;
  return ::GetConsoleMode(::GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
}

bool stderr_is_terminal() {
  DWORD mode = 0;
  return ::GetConsoleMode(::GetStdHandle(STD_ERROR_HANDLE), &mode) != 0;
}

EchoOff::EchoOff() {
  const HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE);
  DWORD mode = 0;
  if (!::GetConsoleMode(in, &mode)) return;
  saved_ = std::make_unique<Saved>(Saved{mode});
  ::SetConsoleMode(in, mode & ~static_cast<DWORD>(ENABLE_ECHO_INPUT));
}

EchoOff::~EchoOff() {
  if (saved_) ::SetConsoleMode(::GetStdHandle(STD_INPUT_HANDLE), saved_->mode);
}

}  // namespace maildoctor::platform

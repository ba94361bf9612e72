#pragma once
// What the CLI needs from the terminal for its password prompt.
#include <memory>

namespace maildoctor::platform {

bool stdin_is_terminal();
bool stderr_is_terminal();

// Turns off the echo of typed characters on stdin while it lives, when stdin is a terminal; otherwise does nothing.
class EchoOff {
 public:
  EchoOff();
  ~EchoOff();
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  struct Saved;  // the terminal state to restore, as each OS keeps it
  std::unique_ptr<Saved> saved_;
};

}  // namespace maildoctor::platform

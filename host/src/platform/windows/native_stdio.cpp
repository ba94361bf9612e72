#include "platform/native_stdio.hpp"

#include <fcntl.h>
#include <io.h>

#include <cstdio>

#include "platform/windows/handle_stream.hpp"

namespace maildoctor::platform {

std::optional<NativeStdio> claim_native_stdio() {
  // Frames are raw bytes: the C runtime must not turn \n into \r\n or stop at ^Z on either stream.
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  const HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE);
  const HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  if (in == INVALID_HANDLE_VALUE || in == nullptr || out == INVALID_HANDLE_VALUE || out == nullptr) return std::nullopt;
  // A private, non-inheritable copy for frames: the C runtime's fd 1 closes the original below.
  HANDLE frames = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), out, ::GetCurrentProcess(), &frames, 0, FALSE, DUPLICATE_SAME_ACCESS))
    return std::nullopt;
  std::fflush(stdout);
  // Everything else that writes to "stdout" (printf, std::cout, a library) goes to stderr from now on. Without a
  // stderr (a parent that gave none) it goes nowhere, which still keeps it out of the frames.
  const int err_fd = _fileno(stderr);
  const bool redirected = (err_fd >= 0 && _dup2(err_fd, _fileno(stdout)) == 0) ||
                          std::freopen("NUL", "wb", stdout) != nullptr;
  if (!redirected) {
    ::CloseHandle(frames);
    return std::nullopt;
  }
  ::SetStdHandle(STD_OUTPUT_HANDLE, ::GetStdHandle(STD_ERROR_HANDLE));
  return NativeStdio{std::make_unique<HandleSource>(in), std::make_unique<HandleSink>(frames)};
}

}  // namespace maildoctor::platform

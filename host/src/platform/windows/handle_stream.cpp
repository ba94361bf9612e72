#include "platform/windows/handle_stream.hpp"

#include <algorithm>

namespace maildoctor::platform {
namespace {
// ReadFile and WriteFile count in DWORD.
constexpr std::size_t kMaxChunk = 1u << 30;
}  // namespace

std::size_t HandleSource::read_some(char* buf, std::size_t n) {
  DWORD got = 0;
  // A pipe whose writer closed answers ERROR_BROKEN_PIPE; Wine's pipes over Unix descriptors may instead succeed
  // with no bytes. Both, and any other failure, are the end of input, as read() returning 0 is on POSIX.
  if (!::ReadFile(h_, buf, static_cast<DWORD>(std::min(n, kMaxChunk)), &got, nullptr)) return 0;
  return got;
}

HandleSink::~HandleSink() { ::CloseHandle(h_); }

bool HandleSink::write_all(const char* data, std::size_t n) {
  while (n > 0) {
    DWORD put = 0;
    // ERROR_NO_DATA or ERROR_BROKEN_PIPE once Thunderbird closed its end.
    if (!::WriteFile(h_, data, static_cast<DWORD>(std::min(n, kMaxChunk)), &put, nullptr) || put == 0) return false;
    data += put;
    n -= put;
  }
  return true;
}

}  // namespace maildoctor::platform

#pragma once
// The framing interfaces over Win32 handles (the host's stdin and its private copy of stdout).
#include <windows.h>

#include "native/framing.hpp"

namespace maildoctor::platform {

class HandleSource final : public native::ByteSource {
 public:
  explicit HandleSource(HANDLE h) : h_(h) {}
  std::size_t read_some(char* buf, std::size_t n) override;

 private:
  HANDLE h_;
};

// Owns its handle: closes it when destroyed.
class HandleSink final : public native::ByteSink {
 public:
  explicit HandleSink(HANDLE h) : h_(h) {}
  ~HandleSink() override;
  HandleSink(const HandleSink&) = delete;
  HandleSink& operator=(const HandleSink&) = delete;
  bool write_all(const char* data, std::size_t n) override;

 private:
  HANDLE h_;
};

}  // namespace maildoctor::platform

#pragma once
// The framing interfaces over POSIX file descriptors (the host's stdin and its private copy of stdout).
#include "native/framing.hpp"

namespace maildoctor::platform {

class FdSource final : public native::ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  std::size_t read_some(char* buf, std::size_t n) override;

 private:
  int fd_;
};

// Owns its descriptor: closes it when destroyed.
class FdSink final : public native::ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  ~FdSink() override;
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;
  bool write_all(const char* data, std::size_t n) override;

 private:
  int fd_;
};

}  // namespace maildoctor::platform

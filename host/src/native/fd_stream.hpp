#pragma once
// The framing interfaces over POSIX file descriptors (the host's stdin and its private copy of stdout).
#include "native/framing.hpp"

namespace maildoctor::native {

class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  std::size_t read_some(char* buf, std::size_t n) override;

 private:
  int fd_;
};

class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  bool write_all(const char* data, std::size_t n) override;

 private:
  int fd_;
};

}  // namespace maildoctor::native

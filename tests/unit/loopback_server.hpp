#pragma once
// A listening socket on 127.0.0.1 with a kernel-chosen port, whose connections a thread hands one at a time to a
// session function until the server stops. Everything a client sent is kept, so a test can assert what never went
// over the wire. The scripted plaintext servers and the TLS server of the probe tests differ only in their session.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace maildoctor::testing {

class LoopbackServer {
 public:
  // session: serves one accepted connection; it returns when the client is gone or stopping() turns true.
  // The server closes the socket afterwards.
  using Session = std::function<void(int fd)>;

  explicit LoopbackServer(Session session) : session_(std::move(session)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  ~LoopbackServer() { stop(); }

  // Ends the session in progress (at its next poll) and the accept loop. The owner calls it before freeing what
  // its session uses.
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] bool stopping() const { return stop_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Connections accepted so far: a test of "refused before anything is sent" asserts zero.
  [[nodiscard]] int accepted() const { return accepted_; }

  void record(const char* data, std::size_t n) {
    std::lock_guard<std::mutex> l(m_);
    received_.append(data, n);
  }
  std::string received() {
    std::lock_guard<std::mutex> l(m_);
    return received_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++accepted_;
      session_(c);
      ::close(c);
    }
  }

  Session session_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex m_;
  std::string received_;
  std::thread thread_;
};

// Cuts a byte stream into lines (without CR LF) and hands each to on_line; on_line returns false to stop.
class LineSplitter {
 public:
  template <class OnLine>
  bool feed(const char* data, std::size_t n, OnLine&& on_line) {
    buf_.append(data, n);
    std::size_t nl;
    while ((nl = buf_.find('\n')) != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      buf_.erase(0, nl + 1);
      if (!on_line(line)) return false;
    }
    return true;
  }

 private:
  std::string buf_;
};

}  // namespace maildoctor::testing

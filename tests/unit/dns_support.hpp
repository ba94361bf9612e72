#pragma once
// Test-only helpers: a real dnsmasq on a free loopback port, and tiny UDP responders for the failures dnsmasq
// cannot produce (SERVFAIL, silence).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace maildoctor::test {

inline std::uint16_t free_udp_port() {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

inline bool tcp_port_open(std::uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

// dnsmasq serving the given configuration lines (port, listen-address and the no-upstream settings are added).
class Dnsmasq {
 public:
  static constexpr const char* kBinary = "/usr/sbin/dnsmasq";
  static bool available() { return access(kBinary, X_OK) == 0; }

  explicit Dnsmasq(const std::vector<std::string>& records) {
    char dir_template[] = "/tmp/maildoctor-dnsmasq-XXXXXX";
    dir_ = mkdtemp(dir_template);
    chmod(dir_.c_str(), 0755);
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
      port_ = free_udp_port();
      const std::string conf = dir_ + "/dnsmasq.conf";
      {
        std::ofstream f(conf);
        f << "port=" << port_ << "\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\npid-file=\n"
          << "local=/test/\n";
        for (const auto& r : records) f << r << "\n";
      }
      const std::string log = dir_ + "/dnsmasq.log";
      pid_t pid = fork();
      if (pid == 0) {
        FILE* out = freopen(log.c_str(), "w", stderr);
        (void)out;
        execl(kBinary, kBinary, "--keep-in-foreground", ("--conf-file=" + conf).c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      for (int i = 0; i < 100; ++i) {
        if (tcp_port_open(port_)) {
          pid_ = pid;
          break;
        }
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) break;  // port taken meanwhile: try another
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (pid_ <= 0 && pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
      }
    }
  }
  ~Dnsmasq() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] std::string servers() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A UDP "DNS server" that answers every query with the given RCODE, or never answers when rcode < 0.
class FakeDnsServer {
 public:
  explicit FakeDnsServer(int rcode) : rcode_(rcode) {
    sock_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(sock_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(sock_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDnsServer() {
    stop_ = true;
    thread_.join();
    close(sock_);
  }
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  [[nodiscard]] std::string servers() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int queries() const { return queries_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{sock_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      unsigned char buf[1500];
      sockaddr_in from{};
      socklen_t flen = sizeof from;
      const ssize_t n = recvfrom(sock_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
      if (n < 12) continue;
      ++queries_;
      if (rcode_ < 0) continue;
      buf[2] = static_cast<unsigned char>(buf[2] | 0x80);  // QR: this is a response
      buf[3] = static_cast<unsigned char>(0x80 | (rcode_ & 0x0f));  // RA + RCODE
      sendto(sock_, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), flen);
    }
  }
  int rcode_;
  int sock_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace maildoctor::test

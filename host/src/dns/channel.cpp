#include "dns/channel.hpp"

#include <algorithm>
#include <array>
#include <mutex>

#include "platform/sockets.hpp"

namespace maildoctor::dns::detail {
namespace {

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
}

}  // namespace

Channel::Channel(const Resolver& resolver, Deadline deadline) : deadline_(deadline) {
  init_library_once();
  ares_options options{};
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  // c-ares doubles the per-try timeout on each round; three tries starting at a third of the budget (at most 2 s)
  // give a server that drops one packet a second chance while the deadline still bounds the whole lookup.
  options.timeout = std::clamp(remaining_ms(deadline) / 3, 250, 2000);
  options.tries = 3;
  const int rc = ares_init_options(&channel_, &options, mask);
  if (rc != ARES_SUCCESS) {
    channel_ = nullptr;
    error_ = std::string("the DNS resolver could not start: ") + ares_strerror(rc);
    return;
  }
  if (!resolver.servers.empty()) {
    const int set = ares_set_servers_ports_csv(channel_, resolver.servers.c_str());
    if (set != ARES_SUCCESS) error_ = "the DNS servers \"" + resolver.servers + "\" are not in the form ADDR[:PORT],...";
  }
}

Channel::~Channel() {
  if (channel_) ares_destroy(channel_);
}

bool Channel::run_until(const bool* done) {
  while (!*done) {
    const int left = remaining_ms(deadline_);
    if (left <= 0) {
      ares_cancel(channel_);
      return *done;
    }
    std::array<ares_socket_t, ARES_GETSOCK_MAXNUM> socks{};
    const int bits = ares_getsock(channel_, socks.data(), ARES_GETSOCK_MAXNUM);
    std::array<pollfd, ARES_GETSOCK_MAXNUM> fds{};
    platform::poll_count n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      const bool r = ARES_GETSOCK_READABLE(bits, i);
      const bool w = ARES_GETSOCK_WRITABLE(bits, i);
      if (!r && !w) continue;
      fds[n].fd = socks[i];
      fds[n].events = static_cast<short>((r ? POLLIN : 0) | (w ? POLLOUT : 0));
      ++n;
    }
    timeval max{left / 1000, (left % 1000) * 1000};
    timeval tv{};
    const timeval* t = ares_timeout(channel_, &max, &tv);
    const int wait_ms = static_cast<int>(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000);
    const int ready = platform::poll(fds.data(), n, std::min(wait_ms, left));
    if (ready <= 0) {
      // Nothing to read: let c-ares notice per-try timeouts and move to the next try or server.
      ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      continue;
    }
    for (platform::poll_count i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      const bool readable = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
      const bool writable = (fds[i].revents & POLLOUT) != 0;
      ares_process_fd(channel_, readable ? fds[i].fd : ARES_SOCKET_BAD, writable ? fds[i].fd : ARES_SOCKET_BAD);
    }
  }
  return true;
}

std::string describe_status(int status) {
  switch (status) {
    case ARES_ENOTFOUND: return "the name does not exist (NXDOMAIN)";
    case ARES_ENODATA: return "the name exists but has no records of this type";
    case ARES_ESERVFAIL: return "the DNS server failed to answer (SERVFAIL)";
    case ARES_EREFUSED: return "the DNS server refused the query (REFUSED)";
    case ARES_ETIMEOUT: return "no answer from the DNS server in time";
    case ARES_ECONNREFUSED: return "the DNS server could not be reached (connection refused)";
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION: return "the lookup did not finish before the deadline";
    case ARES_EFORMERR: return "the DNS server rejected the query as malformed (FORMERR)";
    case ARES_EBADRESP: return "the DNS server sent a malformed answer";
    case ARES_EBADNAME: return "the name is not a valid DNS name";
    default: return std::string("the DNS lookup failed: ") + ares_strerror(status);
  }
}

DnsEvidence::Status status_for(int ares_status) {
  if (ares_status == ARES_SUCCESS) return DnsEvidence::Status::ok;
  if (ares_status == ARES_ENOTFOUND || ares_status == ARES_ENODATA) return DnsEvidence::Status::not_found;
  return DnsEvidence::Status::failed;
}

int elapsed_ms(std::chrono::steady_clock::time_point since) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count());
}

}  // namespace maildoctor::dns::detail

namespace maildoctor::dns {

std::string check_servers(const std::string& servers) {
  if (servers.empty()) return "no DNS server was given";
  detail::Channel channel(Resolver{servers}, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  return channel.error();
}

}  // namespace maildoctor::dns

#include <algorithm>

#include "dns/channel.hpp"
#include "platform/sockets.hpp"

namespace maildoctor::dns {
namespace {

// "[::1]" and "::1" are both literals; brackets come from URLs and HOST:PORT forms.
std::string strip_brackets(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

bool is_ip_literal(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

std::string address_text(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  return buf;
}

struct Pending {
  bool done = false;
  int status = ARES_ECANCELLED;
  std::vector<std::string> addresses;
};

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* p = static_cast<Pending*>(arg);
  p->done = true;
  p->status = status;
  if (result) {
    for (const ares_addrinfo_node* n = result->nodes; n; n = n->ai_next) {
      std::string a = address_text(n->ai_addr);
      if (!a.empty() && std::find(p->addresses.begin(), p->addresses.end(), a) == p->addresses.end())
        p->addresses.push_back(std::move(a));
    }
    ares_freeaddrinfo(result);
  }
}

}  // namespace

DnsEvidence resolve_host(const Resolver& resolver, const std::string& host, Deadline deadline) {
  const auto start = std::chrono::steady_clock::now();
  DnsEvidence ev;
  const std::string name = strip_brackets(host);
  if (name.empty()) {
    ev.status = DnsEvidence::Status::failed;
    ev.error = "no host name was given";
    return ev;
  }
  if (is_ip_literal(name)) {
    ev.status = DnsEvidence::Status::ok;
    ev.addresses.push_back(name);
    return ev;
  }

  Pending pending;
  {
    detail::Channel channel(resolver, deadline);
    if (!channel.error().empty()) {
      ev.status = DnsEvidence::Status::failed;
      ev.error = channel.error();
      ev.ms = detail::elapsed_ms(start);
      return ev;
    }
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    ares_getaddrinfo(channel.get(), name.c_str(), nullptr, &hints, on_addrinfo, &pending);
    channel.run_until(&pending.done);
  }  // the channel is destroyed here, so a cancelled query cannot call back later

  ev.ms = detail::elapsed_ms(start);
  if (pending.status == ARES_SUCCESS && pending.addresses.empty()) pending.status = ARES_ENODATA;
  ev.status = detail::status_for(pending.status);
  if (ev.status == DnsEvidence::Status::ok)
    ev.addresses = std::move(pending.addresses);
  else
    ev.error = detail::describe_status(pending.status);
  return ev;
}

}  // namespace maildoctor::dns

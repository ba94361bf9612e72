// Thunderbird's proxy bypass list (network.proxy.no_proxies_on), decided as Thunderbird's network code decides it
// (nsProtocolProxyService: LoadHostFilters / CanUseProxy). libcurl's CURLOPT_NOPROXY differs: ".example.com" also
// matches example.com itself, "*.example.com" and "<local>" are unknown, entries carry no port. Deciding here and
// giving a bypassed connection no proxy at all keeps one judge, and the evidence can say which way it went.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include "maildoctor/request.hpp"
#include "platform/sockets.hpp"

namespace maildoctor {
namespace {

using Address = std::array<unsigned char, 16>;  // IPv4 as IPv4-mapped IPv6, as Thunderbird compares them

std::optional<Address> parse_address(std::string text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  Address a{};
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    a[10] = a[11] = 0xff;
    std::copy_n(reinterpret_cast<const unsigned char*>(&v4), 4, a.begin() + 12);
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::copy_n(reinterpret_cast<const unsigned char*>(&v6), 16, a.begin());
    return a;
  }
  return std::nullopt;
}

bool same_prefix(const Address& a, const Address& b, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// One entry: ( host | .domain | *.domain | ipaddr ["/" bits] ) [":" port], or "<local>".
bool entry_matches(std::string_view entry, std::string_view host, const std::optional<Address>& host_ip, std::uint16_t port) {
  if (entry.empty()) return false;
  if (iequal(entry, "<local>")) return !host_ip && host.find('.') == std::string_view::npos;
  std::size_t port_at = std::string_view::npos, mask_at = std::string_view::npos;
  for (std::size_t i = 0; i < entry.size(); ++i) {
    if (entry[i] == ':') port_at = i;
    else if (entry[i] == '/') mask_at = i;
    else if (entry[i] == ']') port_at = std::string_view::npos;  // the colons so far were an IPv6 literal's
  }
  // "::1" or "fd00::/8" without brackets: the colons are the address's, there is no port.
  if (entry.front() != '[' && std::count(entry.begin(), entry.end(), ':') > 1) port_at = std::string_view::npos;
  const std::size_t end = std::min({mask_at, port_at, entry.size()});
  std::string_view name = entry.substr(0, end);
  if (port_at != std::string_view::npos) {
    const long want = std::strtol(std::string(entry.substr(port_at + 1)).c_str(), nullptr, 10);
    if (want != 0 && want != port) return false;
  }
  if (auto ip = parse_address(std::string(name))) {
    if (!host_ip) return false;  // an address entry never matches a name: Thunderbird does not resolve to compare
    int bits = 128;
    if (mask_at != std::string_view::npos) {
      bits = std::atoi(std::string(entry.substr(mask_at + 1, (port_at == std::string_view::npos ? entry.size() : port_at) - mask_at - 1)).c_str());
      if (bits <= 0) return false;  // Thunderbird drops a zero mask as a mistake
      const bool v4 = (*ip)[10] == 0xff && (*ip)[11] == 0xff && std::all_of(ip->begin(), ip->begin() + 10, [](unsigned char c) { return c == 0; });
      if (v4 && bits <= 32) bits += 96;
      bits = std::min(bits, 128);
    }
    return same_prefix(*ip, *host_ip, bits);
  }
  if (host_ip) return false;
  if (!name.empty() && name.front() == '*') name.remove_prefix(1);  // "*.example.com" is ".example.com"
  if (name.empty() || name.size() > host.size()) return false;
  const std::string_view tail = host.substr(host.size() - name.size());
  if (!iequal(tail, name)) return false;
  // ".example.com" takes only names below it; "example.com" the name itself and the names below it, not "myexample.com".
  return name.front() == '.' || host.size() == name.size() || host[host.size() - name.size() - 1] == '.';
}

}  // namespace

bool bypasses_proxy(const Proxy& proxy, std::string_view host, std::uint16_t port) {
  if (proxy.no_proxy.empty()) return false;
  std::string bare(host);
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  const auto host_ip = parse_address(bare);
  return std::any_of(proxy.no_proxy.begin(), proxy.no_proxy.end(),
                     [&](const std::string& entry) { return entry_matches(entry, bare, host_ip, port); });
}

std::optional<Proxy> proxy_for(const std::optional<Proxy>& proxy, std::string_view host, std::uint16_t port) {
  if (proxy && bypasses_proxy(*proxy, host, port)) return std::nullopt;
  return proxy;
}

}  // namespace maildoctor

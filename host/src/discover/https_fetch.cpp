#include "discover/https_fetch.hpp"

#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <strings.h>

#include "discover/choose.hpp"
#include "platform/sockets.hpp"
#include "platform/trust.hpp"
#include "maildoctor/hygiene.hpp"

namespace maildoctor::discovery {
namespace {

struct Body {
  std::string data;
  std::size_t max = 0;
  bool too_large = false;
};

size_t on_write(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * nmemb;
  if (body->data.size() + n > body->max) {
    body->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, n);
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

bool split_url(const std::string& url, std::string& host, std::uint16_t& port, std::string& error) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    error = "not a valid URL";
    return false;
  }
  char* scheme = nullptr;
  char* h = nullptr;
  char* p = nullptr;
  curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(u.get(), CURLUPART_HOST, &h, 0);
  curl_url_get(u.get(), CURLUPART_PORT, &p, CURLU_DEFAULT_PORT);
  const bool https = scheme && strcasecmp(scheme, "https") == 0;
  if (h) host = h;
  const long port_value = p ? std::strtol(p, nullptr, 10) : 0;
  curl_free(scheme);
  curl_free(h);
  curl_free(p);
  if (!https) {
    error = "only https:// is fetched";
    return false;
  }
  if (host.empty() || port_value < 1 || port_value > 65535) {
    error = "not a valid URL";
    return false;
  }
  port = static_cast<std::uint16_t>(port_value);
  return true;
}

bool ip_literal(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1 ||
         host.find(':') != std::string::npos;
}

std::string host_in_url_form(const std::string& host) {
  return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

long remaining_ms(dns::Deadline deadline) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
}

// One request without following redirects; sets location when the server redirects.
FetchResult fetch_once(const std::string& url, const FetchOptions& options, dns::Deadline deadline, std::string& location) {
  FetchResult r;
  r.url = url;
  std::string host;
  std::uint16_t port = 0;
  if (!split_url(url, host, port, r.error)) return r;
  // A host on the proxy's bypass list is fetched directly, as Thunderbird's account setup fetches it.
  const std::optional<Proxy> via = proxy_for(options.proxy, host, port);
  if (ip_literal(host)) {
    r.error = "an IP address is not a place to fetch settings from";
    return r;
  }

  // Resolve the address curl will really connect to, with our resolver: curl's own would ignore --dns-servers.
  std::string connect_host = host;
  std::uint16_t connect_port = port;
  Slist connect_to;
  if (const ConnectTo* rule = matching_connect_to(options.connect_to, host, port)) {
    if (!rule->to_host.empty()) connect_host = rule->to_host;
    if (rule->to_port) connect_port = rule->to_port;
    const std::string entry = host_in_url_form(host) + ":" + std::to_string(port) + ":" + host_in_url_form(connect_host) +
                              ":" + std::to_string(connect_port);
    connect_to.reset(curl_slist_append(nullptr, entry.c_str()));
  }
  Slist resolve;
  if (!(via && via->remote_dns)) {  // with remote DNS the proxy resolves the name, not we
    const DnsEvidence dns = dns::resolve_host(options.resolver, connect_host, deadline);
    if (dns.status != DnsEvidence::Status::ok) {
      r.error = "could not resolve " + connect_host + ": " + dns.error;
      return r;
    }
    std::string addresses;
    for (const auto& a : dns.addresses) addresses += (addresses.empty() ? "" : ",") + (a.find(':') != std::string::npos ? "[" + a + "]" : a);
    const std::string resolve_entry = host_in_url_form(connect_host) + ":" + std::to_string(connect_port) + ":" + addresses;
    resolve.reset(curl_slist_append(nullptr, resolve_entry.c_str()));
  }

  const long left = remaining_ms(deadline);
  if (left <= 0) {
    r.error = "no time left before the deadline";
    return r;
  }
  if (options.gate && !options.gate->acquire(connect_host, connect_port, [&] { return remaining_ms(deadline) <= 0; })) {
    r.error = "no free connection to " + connect_host + ":" + std::to_string(connect_port) + " before the deadline";
    return r;
  }
  const ConnectionPermit permit(options.gate, connect_host, connect_port);
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) {
    r.error = "libcurl could not start";
    return r;
  }
  Body body;
  body.max = options.max_bytes;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  // Never through a proxy from the environment (https_proxy, ALL_PROXY): whoever sets one would read and answer
  // every settings document. A proxy, if ever needed, is configured explicitly.
  // Thunderbird's own SOCKS proxy is the one exception: the user configured it.
  const std::string proxy = via ? proxy_url(*via) : std::string();
  curl_easy_setopt(c, CURLOPT_PROXY, proxy.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, via ? "" : "*");  // the bypass list was applied above (proxy_for)
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left);
  if (resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  if (connect_to) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to.get());
  platform::use_trust_anchors(c, options.cacert);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "maildoctor/" MAILDOCTOR_VERSION);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.http_status);
  if (rc != CURLE_OK) {
    if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED)
      r.error = "the answer is larger than " + std::to_string(options.max_bytes / 1024) + " KiB";
    else
      r.error = *errbuf ? errbuf : curl_easy_strerror(rc);
    return r;
  }
  if (r.http_status >= 300 && r.http_status < 400) {
    char* next = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next);
    if (next) location = next;
    r.error = "HTTP " + std::to_string(r.http_status) + " without a usable Location";
    return r;
  }
  if (r.http_status != 200) {
    r.error = "HTTP " + std::to_string(r.http_status);
    return r;
  }
  r.ok = true;
  r.body = std::move(body.data);
  return r;
}

}  // namespace

const ConnectTo* matching_connect_to(const std::vector<ConnectTo>& rules, const std::string& host, std::uint16_t port) {
  for (const auto& rule : rules)
    if ((rule.host.empty() || strcasecmp(rule.host.c_str(), host.c_str()) == 0) && (rule.port == 0 || rule.port == port))
      return &rule;
  return nullptr;
}

std::string redirect_refusal(const std::string& first_host, const std::string& to_url) {
  std::string host, error;
  std::uint16_t port = 0;
  if (!split_url(to_url, host, port, error)) return error;
  if (ip_literal(host)) return "it points to an IP address";
  if (strcasecmp(host.c_str(), kIspdbHost) == 0) return {};
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  if (registrable_domain(lower(host)) != registrable_domain(lower(first_host))) return "it leaves " + registrable_domain(lower(first_host));
  return {};
}

FetchResult fetch_https(const std::string& url, const FetchOptions& options, dns::Deadline deadline) {
  prepare_curl();
  std::string current = url;
  for (int hop = 0;; ++hop) {
    std::string location;
    FetchResult r = fetch_once(current, options, deadline, location);
    if (r.ok || location.empty()) return r;
    if (hop >= options.max_redirects) {
      r.error = "too many redirects";
      return r;
    }
    // Redirects are followed by hand so that each new host goes through our resolver and rules too, and only within
    // the domain that was asked: a redirect elsewhere would let anyone who controls one hop choose the settings.
    std::string first_host, ignored_error;
    std::uint16_t ignored_port = 0;
    split_url(url, first_host, ignored_port, ignored_error);
    if (const std::string why = redirect_refusal(first_host, location); !why.empty()) {
      r.error = "redirect to " + location + " refused: " + why;
      return r;
    }
    current = location;
  }
}

}  // namespace maildoctor::discovery

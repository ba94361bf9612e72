#pragma once
// One bounded HTTPS GET for autoconfig documents, resolved through our own resolver so that --dns-servers,
// --connect-to and --cacert apply exactly as they do to the mail probes.
#include <cstddef>
#include <string>
#include <vector>

#include "maildoctor/connection_gate.hpp"
#include "maildoctor/dns.hpp"
#include "maildoctor/request.hpp"

namespace maildoctor::discovery {

struct FetchOptions {
  dns::Resolver resolver;
  std::vector<ConnectTo> connect_to;
  std::string cacert;
  std::size_t max_bytes = 256 * 1024;
  int max_redirects = 3;
  // Batch mode's --per-server cap: each fetch's connection takes a slot for the host:port it connects to.
  ConnectionGate* gate = nullptr;
};

struct FetchResult {
  bool ok = false;        // a 200 answer with a body within the size limit
  long http_status = 0;
  std::string body;
  std::string url;        // the URL that answered (after redirects)
  std::string error;      // why not ok
};

FetchResult fetch_https(const std::string& url, const FetchOptions& options, dns::Deadline deadline);

// Why a redirect away from the document first asked for (on first_host) may not be followed to to_url, or empty when it
// may: https only, a host name and never an IP literal, in the same registrable domain as first_host, or the ISPDB host.
std::string redirect_refusal(const std::string& first_host, const std::string& to_url);

// The ISPDB's host: the one place outside a domain that may answer for it.
inline constexpr const char* kIspdbHost = "live.thunderbird.net";

// The connect-to rule that applies to host:port, if any (curl's first-match semantics; empty fields match all).
const ConnectTo* matching_connect_to(const std::vector<ConnectTo>& rules, const std::string& host, std::uint16_t port);

}  // namespace maildoctor::discovery

#pragma once
// The EWS URL of an Exchange account (Thunderbird 145+), probed without credentials: DNS, TCP, TLS with the same
// certificate analysis as the mail probes, then one HTTPS GET whose 401 answer names the sign-in schemes offered.
#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "maildoctor/connection_gate.hpp"
#include "maildoctor/dns.hpp"
#include "maildoctor/evidence.hpp"
#include "maildoctor/request.hpp"
#include "probe/probe.hpp"

namespace maildoctor::probe {

struct EwsSpec {
  EwsServer server;
  std::vector<ConnectTo> connect_to;
  std::string cacert;
  dns::Resolver resolver;
  std::optional<Proxy> proxy;
  Clock::time_point t0;
  Clock::time_point deadline;
  ConnectionGate* gate = nullptr;
};

struct EwsOutput {
  EwsEvidence evidence;
  std::vector<TranscriptEntry> transcript;  // the request line and the answer's headers, bounded
  std::vector<Check> checks;
};

// Response headers beyond this many bytes end the probe (bad_reply): a 401 needs a few hundred.
inline constexpr std::size_t kEwsMaxHeaderBytes = 32 * 1024;

// Never throws, never sends a credential; returns by the deadline (or when cancel is set).
EwsOutput run_ews_probe(const EwsSpec& spec, const std::atomic<bool>& cancel);

// The auth schemes of one WWW-Authenticate value (RFC 9110 section 11.6.1: challenges separated by commas, each a
// scheme token followed by a token68 or auth-params, quoted strings may hold commas). Known schemes in their usual
// spelling (Basic, NTLM, Negotiate, Bearer, Digest), others as sent.
std::vector<std::string> auth_schemes(std::string_view header_value);

}  // namespace maildoctor::probe

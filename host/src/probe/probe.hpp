#pragma once
// One probe: one connection to one host:port with one security, driven by libcurl's connect-only mode, with or
// without credentials, followed by the post-login checks over the same connection.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "maildoctor/connection_gate.hpp"
#include "maildoctor/dns.hpp"
#include "maildoctor/evidence.hpp"
#include "maildoctor/request.hpp"
#include "transcript/session_log.hpp"

namespace maildoctor::probe {

using Clock = std::chrono::steady_clock;

struct ProbeSpec {
  Endpoint endpoint;           // the password is used only when use_credentials is set
  bool use_credentials = false;
  std::string not_attempted_reason;  // why no login, when use_credentials is false
  bool alternative = false;
  std::string account_email;   // MAIL FROM / RCPT TO of the sender check
  std::vector<ConnectTo> connect_to;
  std::string cacert;
  dns::Resolver resolver;
  std::optional<Proxy> proxy;  // every connection goes through it; with remote_dns no local lookup is made
  std::string proxy_bypassed;  // run_probe: "host:port" of the proxy this server's bypass entry sent it around
  Clock::time_point t0;        // start of the diagnosis: every time offset is relative to it
  Clock::time_point deadline;
  bool legacy_tls = false;     // allow TLS 1.0/1.1 at OpenSSL security level 0 (the version re-probe)
  bool stop_after_handshake = false;  // the version re-probe needs the handshake only
  // IMAP/POP3 "password": let curl use the protocol's own LOGIN / USER+PASS (second connection, see probe.cpp).
  bool allow_cleartext_command = false;
  // Batch mode: a slot per connection to the connect target. The wait for it does not count against the deadline.
  ConnectionGate* gate = nullptr;
};

// What the orchestrator may watch while a probe runs, and how it stops one early.
struct ProbeProgress {
  std::atomic<bool> connected{false};
  std::atomic<bool> server_spoke{false};
  std::atomic<bool> tls_done{false};
  // The server sent a certificate: it speaks TLS on this port, even when the certificate is then refused.
  std::atomic<bool> tls_spoken{false};
  std::atomic<bool> finished{false};
  std::atomic<bool> cancel{false};
};

struct ProbeOutput {
  ProbeResult result;
  std::vector<transcript::LogLine> log;
};

// Never throws; every failure is described in the result.
ProbeOutput run_probe(const ProbeSpec& spec, ProbeProgress& progress, const std::atomic<bool>& global_cancel);

// The URL scheme for a protocol and security: imaps, imap, pop3s, pop3, smtps, smtp.
std::string scheme_for(Protocol protocol, Security security);

// CURLOPT_LOGIN_OPTIONS for the configured auth method; empty when maildoctor cannot log in that way.
// allow_cleartext: IMAP LOGIN / POP3 USER+PASS allowed (curl's default choice).
std::string login_options_for(AuthMethod auth, bool allow_cleartext);

// The host:port curl really connects to after the --connect-to rules (the first matching rule wins, as in curl).
struct ConnectTarget {
  std::string host;
  std::uint16_t port = 0;
  const ConnectTo* rule = nullptr;
};
ConnectTarget apply_connect_to(const std::vector<ConnectTo>& rules, const std::string& host, std::uint16_t port);

}  // namespace maildoctor::probe

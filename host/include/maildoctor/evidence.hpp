#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "maildoctor/request.hpp"
#include "maildoctor/result.hpp"

namespace maildoctor {

// What the probes saw. The probe stage fills this in; the diagnose stage reads it and nothing else.
// No field ever holds a credential.

// A complete server reply: every line (continuations included) and what was parsed out of the last one.
struct Reply {
  std::vector<std::string> lines;
  int code = 0;              // SMTP: 250, 535 ...; 0 elsewhere
  std::string status;        // IMAP: OK | NO | BAD | BYE | PREAUTH; POP3: +OK | -ERR; SMTP: the code as text
  std::string enhanced;      // RFC 3463 "5.7.8", when present
  std::string response_code; // RFC 5530 / RFC 2449 / RFC 3206 bracketed code without brackets: "AUTHENTICATIONFAILED", "SYS/TEMP"
  // The server's own lines, as received, when masking the password changed them (a password that is an ordinary
  // word, "password", is masked in "Application-specific password required" too). In memory for classification
  // only: never shown, serialised or saved. Empty when masking changed nothing.
  std::vector<std::string> unmasked;
  [[nodiscard]] bool empty() const { return lines.empty(); }
  [[nodiscard]] std::string text() const;   // lines joined with '\n': what may be shown
  [[nodiscard]] std::string words() const;  // the server's real words joined with '\n': what is classified
};

struct DnsEvidence {
  // left_to_proxy: a SOCKS proxy with remote DNS resolves the name (socks5h / socks4a); no local lookup was made.
  enum class Status { ok, not_found, failed, skipped, left_to_proxy } status = Status::skipped;
  std::vector<std::string> addresses;
  int ms = 0;
  std::string error;
};

struct ConnectEvidence {
  // proxy_failed: the SOCKS proxy itself failed (see proxy_failure); the mail server was never reached.
  enum class Status { ok, refused, timeout, unreachable, failed, skipped, proxy_failed } status = Status::skipped;
  std::string address;
  int ms = 0;
  int os_errno = 0;
  std::string error;
  std::string proxy;          // "host:port" of the SOCKS proxy the connection went through; empty: direct
  // With proxy_failed, what failed: "refused" (nothing listens at the proxy), "unreachable" (no route, no answer, or
  // its name does not resolve), "authentication" (the proxy wants a login), "target_refused" (the proxy would not
  // connect to the mail server: its rules, or a general failure), "protocol" (it does not speak that SOCKS version).
  std::string proxy_failure;
  // "host:port" of the request's proxy this connection did not use: the server is on the proxy's bypass list
  // (proxy.no_proxy), so it went direct, as Thunderbird's would. Empty otherwise.
  std::string proxy_bypassed;
};

struct CertInfo {
  std::string subject;
  std::string issuer;
  std::vector<std::string> names;  // DNS subjectAltNames, else the CN
  std::string not_before;          // ISO 8601 UTC
  std::string not_after;
  bool self_signed = false;
  std::string sha256;              // "AB:CD:..." over the DER, as Thunderbird shows and stores it
};

struct CertReport {
  bool present = false;
  std::vector<CertInfo> chain;  // as the server sent it, leaf first
  bool verified = false;        // chain to a trusted root AND names the host AND in its dates
  bool expired = false;
  bool not_yet_valid = false;
  bool hostname_mismatch = false;
  bool self_signed = false;
  bool untrusted = false;       // unknown issuer or incomplete chain
  int verify_error = 0;         // OpenSSL X509_V_ERR_*
  std::string verify_error_text;
  int days_left = 0;            // whole days from now to the leaf's notAfter
  // The leaf ends within kExpiresSoonSeconds from now and has not ended yet (tls.cert_expires_soon).
  bool expires_soon = false;
  // Thunderbird's certificate exception for this host:port (the request's cert_override): given, and whether the
  // leaf is the certificate it accepted. A matched exception lets the login go ahead as in Thunderbird; the flags
  // above still say what is wrong with the chain.
  bool override_given = false;
  bool override_matched = false;
};

// How close to its end a certificate gets a warning: 14 days.
inline constexpr long kExpiresSoonSeconds = 14L * 24 * 3600;

struct TlsEvidence {
  enum class Status { ok, failed, skipped } status = Status::skipped;
  enum class Failure {
    none,
    plaintext_answer,      // implicit TLS spoken to a plaintext/STARTTLS port ("wrong version number")
    no_answer,             // plaintext/STARTTLS spoken to an implicit-TLS port: the server waits for a ClientHello
    silent,                // implicit TLS: the connection was accepted and the ClientHello never answered (no server at all spoke)
    starttls_unavailable,  // STARTTLS configured, not offered or refused
    starttls_pipelined,    // more server bytes followed the STARTTLS go-ahead: libcurl stops (RFC 3207 injection guard)
    version_too_old,       // the server only speaks TLS 1.1 or older
    certificate,           // see cert
    handshake              // anything else
  } failure = Failure::none;
  bool starttls = false;
  std::string version;  // "TLSv1.3"
  std::string cipher;
  std::string error;
  CertReport cert;
  int ms = 0;
};

struct GreetingEvidence {
  enum class Status { ok, silent, unexpected, unavailable, skipped } status = Status::skipped;
  Reply reply;
  int ms = 0;
};

struct Capabilities {
  bool known = false;  // false when the step never ran
  std::vector<std::string> items;            // as advertised (IMAP atoms, POP3 CAPA lines, SMTP EHLO keywords)
  std::vector<std::string> sasl_mechanisms;  // upper case
  bool starttls = false;                     // STARTTLS / STLS
  bool login_disabled = false;               // IMAP LOGINDISABLED
  bool id = false;                           // IMAP ID
  bool sasl_ir = false;                      // IMAP SASL-IR
  bool auth_advertised = false;              // SMTP: an AUTH keyword is present (possibly empty)
  bool enhanced_status_codes = false;        // SMTP ENHANCEDSTATUSCODES
  bool pipelining = false;                   // SMTP PIPELINING (RFC 2920)
};

struct LoginEvidence {
  enum class Status {
    not_attempted,
    ok,
    refused,          // the server said no to the credentials
    no_mechanism,     // nothing the server offers matches the configured auth method
    tls_required,     // the server refuses to authenticate before encryption
    skipped_by_server,// SMTP: EHLO offered no AUTH, so no login happened at all
    error             // connection lost, timeout, protocol error during AUTH
  } status = Status::not_attempted;
  std::string reason;     // for not_attempted: why (no password, options.login false, connection not verified ...)
  std::string mechanism;  // what was used: LOGIN, PLAIN, CRAM-MD5, XOAUTH2 ...
  Reply reply;            // the server's final answer to the login, every line
  std::string error;      // transport error text, when status is error
  // status error only: the deadline (or a cancel) cut the exchange before the server's final answer. Nothing was
  // refused, and the login must not be retried: the password went out once already.
  bool unanswered = false;
  int ms = 0;
};

struct AfterLoginEvidence {
  bool attempted = false;
  Reply mailbox;    // IMAP EXAMINE INBOX / POP3 STAT
  Reply mail_from;  // SMTP MAIL FROM:<account>
  Reply rcpt_to;    // SMTP RCPT TO:<account>
  std::string error;  // transport failure during these commands (e.g. the server closed the connection)
  bool unanswered = false;  // the deadline (or a cancel) cut a command before its reply: the server stopped answering
};

// One connection to one host:port with one security, with or without credentials.
struct ProbeResult {
  Endpoint endpoint;  // the settings probed; password always empty here
  bool alternative = false;  // probed without credentials in place of the configured settings
  bool with_credentials = false;
  bool cancelled = false;    // stopped by the orchestrator or the deadline before it ended by itself
  DnsEvidence dns;
  ConnectEvidence connect;
  TlsEvidence tls;
  GreetingEvidence greeting;
  Capabilities caps_before_tls;
  Capabilities caps;  // after STARTTLS when there was one, else the same as caps_before_tls
  LoginEvidence login;
  AfterLoginEvidence after_login;
  // The server greeted, then the session broke off before any login could go out (capabilities, STARTTLS):
  // whether it simply stopped answering, and curl's error. Without this the login would only read "not tested".
  struct BrokeOff {
    bool happened = false;
    bool stalled = false;
    std::string error;
    Reply refusal;  // the server said it will not serve (IMAP BYE, SMTP 421) before it closed: not a malformed reply
  } broke_off;
  int elapsed_ms = 0;
  [[nodiscard]] std::string target() const;  // "host:port security"
};

// Where discovered settings came from, for a request that gave only an e-mail address.
struct DiscoveryEvidence {
  bool ran = false;
  std::vector<std::string> mx_hosts;
  struct Srv { std::string service; std::string target; std::uint16_t port = 0; int priority = 0; int weight = 0; };
  std::vector<Srv> srv;
  std::string autoconfig_url;  // the document that answered, if one did
  struct Choice { Subject subject = Subject::incoming; std::string source; std::string detail; };
  std::vector<Choice> chosen;  // which source each endpoint came from
  std::vector<std::string> notes;
  // RFC 6186 section 6 and RFC 7817: a chosen server that nothing the user chose or authenticated vouches for (found by
  // DNS alone outside the address's domain, or a setting without encryption) gets credentials only when the user
  // confirmed it. Each such server is listed here, confirmed or not.
  struct Unconfirmed {
    Endpoint endpoint;  // password always empty here
    std::string source;
    std::string reason;
    bool confirmed = false;
  };
  std::vector<Unconfirmed> unconfirmed;
  // Host names published for the address's own domain by a document fetched over verified https (its autoconfig,
  // /.well-known/, its ISPDB entry), with the URL: an independent source that may confirm a certificate's name.
  // Filled by discovery, or after the probes when a certificate names another host.
  std::vector<std::pair<std::string, std::string>> confirmed_hosts;
  // A configured server whose name does not resolve: what the address's own trusted sources (provider knowledge, its
  // documents over verified https) publish instead, and the URL or source it came from. Probed without credentials;
  // the probe is Evidence::replacements.
  struct Replacement {
    Subject subject = Subject::incoming;
    std::string source;  // provider | autoconfig | well-known | ispdb
    std::string detail;  // the URL or "provider <id>"
    Endpoint endpoint;   // password always empty here
  };
  std::vector<Replacement> replacements;
};

// The credential-free probe of an EWS URL (Account::ews): one HTTPS request without credentials, to read the sign-in
// schemes the server offers in its 401 answer (WWW-Authenticate).
struct EwsEvidence {
  std::string url;
  ProbeResult probe;  // dns, connect and tls as for a mail probe; endpoint: the URL's host and port, security tls
  // challenged: a 401 with WWW-Authenticate; answered: another HTTP status (no sign-in asked); no_answer: connected,
  // but no complete HTTP answer before the deadline or the connection closed; bad_reply: headers over the limit or
  // not HTTP; not_reached: DNS, the connection or TLS failed (see probe).
  enum class Outcome { challenged, answered, no_answer, bad_reply, not_reached } outcome = Outcome::not_reached;
  long http_status = 0;
  std::vector<std::string> schemes;  // the offered schemes in the server's order: "Bearer", "NTLM", "Basic", ...
  std::string error;
};

struct Evidence {
  std::vector<ProbeResult> primary;       // the configured (or discovered) endpoints, with credentials when allowed
  std::vector<ProbeResult> alternatives;  // other ports and securities of the same hosts, never with credentials
  std::vector<ProbeResult> replacements;  // DiscoveryEvidence::replacements, probed never with credentials
  DiscoveryEvidence discovery;
  std::optional<EwsEvidence> ews;         // the EWS URL of an EWS account, probed without credentials
  std::vector<Check> checks;
  std::vector<TranscriptEntry> transcript;
  int elapsed_ms = 0;
};

}  // namespace maildoctor

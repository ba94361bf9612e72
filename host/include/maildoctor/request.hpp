#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "maildoctor/secret.hpp"
#include "maildoctor/types.hpp"

namespace maildoctor {

// One server the account uses (CONTRACT section 1).
struct Endpoint {
  Subject subject = Subject::incoming;
  Protocol protocol = Protocol::imap;
  std::string host;
  std::uint16_t port = 0;
  Security security = Security::tls;
  std::string username;
  AuthMethod auth = AuthMethod::password;
  // The password, or with auth oauth2 the access token (the request's "access_token"): either way the one secret
  // this server's login sends, so every guarantee of the password (scrubber, one attempt) covers the token too.
  Secret password;
  // Thunderbird's certificate exception for this host:port: the SHA-256 of the server certificate the user accepted,
  // 64 lower-case hex digits; empty: none. It only changes how this endpoint's chain is judged (CONTRACT 1).
  std::string cert_override;
  // auth oauth2 only: what Thunderbird's OAuth2 module said when it could not get a token (no token then).
  std::string oauth_error;
};

// A SHA-256 fingerprint as Thunderbird writes it ("AB:CD:...") or as plain hex, in either case: 64 lower-case hex
// digits, or nothing when it is not one.
std::optional<std::string> normalise_sha256(std::string_view text);
// An Exchange (EWS) incoming server of Thunderbird 145+ (CONTRACT section 1: incoming protocol "ews" with "url"). It is
// probed without credentials only: DNS, TLS and the certificate, and the sign-in schemes the URL offers.
struct EwsServer {
  std::string url;   // https only
  std::string host;  // from the URL
  std::uint16_t port = 443;
  std::string username;
  AuthMethod auth = AuthMethod::password;
};

struct Account {
  std::string email;
  std::string name;
  std::optional<Endpoint> incoming;
  std::optional<Endpoint> outgoing;
  std::optional<EwsServer> ews;  // in place of incoming for an EWS account
  // For endpoints that discovery fills in (the CLI's --email with --user / --password-stdin and no server):
  // the user name (else the address) and the password they get.
  std::string username;
  Secret password;
};

// "host:port:host2:port2" as curl's --connect-to; empty host or port fields match anything.
struct ConnectTo {
  std::string host;
  std::uint16_t port = 0;
  std::string to_host;
  std::uint16_t to_port = 0;
};

// Thunderbird's manual SOCKS proxy (CONTRACT section 1, "proxy"): every connection of the diagnosis goes through it.
struct Proxy {
  enum class Type { socks4, socks5 } type = Type::socks5;
  std::string host;
  std::uint16_t port = 0;
  bool remote_dns = false;  // names are resolved by the proxy (socks5h / socks4a); local DNS decides nothing
  // Thunderbird's network.proxy.no_proxies_on, one entry a string, as Thunderbird wrote them (see bypasses_proxy).
  std::vector<std::string> no_proxy;
};

// Whether Thunderbird connects to host:port directly despite the proxy: the host matches an entry of no_proxy,
// judged by Thunderbird's rules, not curl's (CONTRACT section 1, "proxy.no_proxy"). host without brackets.
bool bypasses_proxy(const Proxy& proxy, std::string_view host, std::uint16_t port);
// The proxy a connection to host:port uses: none when the host is on the bypass list.
std::optional<Proxy> proxy_for(const std::optional<Proxy>& proxy, std::string_view host, std::uint16_t port);

// libcurl's CURLOPT_PROXY form: socks5h://, socks5://, socks4a:// or socks4:// + host:port.
std::string proxy_url(const Proxy& proxy);
// "host:port" for messages.
std::string proxy_address(const Proxy& proxy);

// The CLI's --proxy value: socks5h|socks5|socks4a|socks4://HOST:PORT. Sets error (a sentence) when it is not one.
std::optional<Proxy> parse_proxy_url(std::string_view text, std::string& error);
// The CLI's --no-proxy value, Thunderbird's no_proxies_on form: entries separated by commas or spaces. Sets error
// when an entry is too long or holds a control character.
std::optional<std::vector<std::string>> parse_no_proxy_list(std::string_view text, std::string& error);

struct Options {
  bool login = true;
  bool alternatives = true;
  int deadline_ms = 10000;
  // With one server given: discover the other one as with an address alone (the CLI's flag form, the add-on for an
  // account without an outgoing server). Off by default, so a request about one server stays about that server.
  bool discover_missing = false;
  // Front-door settings (CLI flags), not part of the JSON request.
  std::vector<ConnectTo> connect_to;
  std::string cacert;
  std::string dns_servers;  // c-ares "ADDR[:PORT],..." form
  bool verbose = false;
  // --trust-discovered: the user confirms in advance every discovered server that would otherwise need confirmation.
  bool trust_discovered = false;
  // The request's top-level "proxy" or the CLI's --proxy; none: direct connections.
  std::optional<Proxy> proxy;
};

struct Request {
  Account account;
  std::string observed_error;
  Options options;
};

// Why a request was refused: the JSON path of the offending field and a sentence a user understands.
struct RequestError {
  std::string field;
  std::string message;
};

// Parses and validates a request object. Never throws; every refusal names the field.
// Host names and user names with CR, LF or NUL, ports outside 1..65535, unknown enum values and wrong types
// are refused here, before anything can reach a socket.
struct ParsedRequest {
  std::optional<Request> request;
  std::optional<RequestError> error;
};
ParsedRequest parse_request(const nlohmann::json& j);
ParsedRequest parse_request_text(std::string_view text);

// True when s can be put into a protocol command without injecting another one.
bool safe_for_command(std::string_view s);

// A password goes into a command line too (PASS, LOGIN, a SASL line): CR, LF and NUL are refused at every entry.
bool password_is_safe(std::string_view password);
inline constexpr const char* kUnsafePasswordText = "contains a line break or a NUL character, which could inject a command.";

// Checks a login once every password is in place (the CLI adds its password after parsing): no login without a
// user name. parse_request runs it too. (A password's CR, LF and NUL are refused where it enters.)
std::optional<RequestError> credentials_error(const Request& request);

// Overwrites every string value of a parsed document in place (a request's DOM holds the password) and empties it.
void wipe_strings(nlohmann::json& j) noexcept;

}  // namespace maildoctor

#pragma once
// The command line of `maildoctor` (CONTRACT section 4) as data, and the request it describes.
// Pure functions: no file, terminal or network access, so every rule is unit-testable.
#include <optional>
#include <string>
#include <vector>

#include "maildoctor/request.hpp"

namespace maildoctor::cli {

struct CommandLine {
  enum class Command { diagnose, batch, help, version } command = Command::help;
  std::string request_path;  // --request FILE, "-" for stdin
  std::string email;
  std::string imap, pop3, smtp;  // HOST[:PORT]
  std::string incoming_security, outgoing_security;
  std::string user;
  std::string auth;  // --auth METHOD, for both servers
  std::string observed_error;
  bool password_stdin = false;
  bool token_stdin = false;   // --token-stdin: the first line of stdin is the OAuth2 access token (needs --auth oauth2)
  std::string oauth_error;    // --oauth-error: what Thunderbird's OAuth2 token refresh said
  bool no_login = false;
  bool no_alternatives = false;
  bool trust_discovered = false;
  bool json = false;
  bool verbose = false;
  std::optional<double> deadline_seconds;
  std::string cacert;
  std::vector<std::string> connect_to;
  std::string dns_servers;
  std::string proxy;  // --proxy URL, checked by parse_command_line
  std::string no_proxy;  // --no-proxy LIST (only with --proxy), checked by parse_command_line
  std::vector<std::string> cert_overrides;  // --cert-override HOST:PORT=SHA256, checked by parse_command_line
  // batch
  std::string input = "-", output = "-", resume, summary, state;
  int jobs = 16;
  int per_server = 2;
  std::optional<double> min_interval_s;
};

struct UsageError {
  std::string message;
};

struct ParsedCommandLine {
  std::optional<CommandLine> command_line;
  std::optional<UsageError> error;
};
// args without argv[0].
ParsedCommandLine parse_command_line(const std::vector<std::string>& args);

// "host", "host:port", "[v6]:port"; nullopt with why when malformed.
struct HostPort {
  std::string host;
  std::optional<std::uint16_t> port;
};
std::optional<HostPort> parse_host_port(const std::string& text, std::string& why);

// curl's --connect-to "HOST:PORT:HOST2:PORT2" (any field may be empty; IPv6 in brackets).
std::optional<ConnectTo> parse_connect_to(const std::string& text, std::string& why);

// --cert-override "HOST:PORT=SHA256" ("[v6]:PORT=..."): Thunderbird's security exception for one configured server.
struct CertOverride {
  std::string host;
  std::uint16_t port = 0;
  std::string sha256;  // 64 lower-case hex digits
};
std::optional<CertOverride> parse_cert_override(const std::string& text, std::string& why);

// The request of a command line. request_text is the --request document (already read) when one was given.
// Errors name the flag when the flag form is used, else the JSON field of the document.
ParsedRequest build_request(const CommandLine& cl, const std::optional<std::string>& request_text);

// A password from --password-stdin or the prompt goes to every endpoint that has none, and to endpoints that
// discovery fills in.
void apply_password(Request& request, const Secret& password);

// True when the request could use a password it lacks (a login is wanted and some endpoint has none).
bool wants_password(const Request& request);

std::string usage_text();

}  // namespace maildoctor::cli

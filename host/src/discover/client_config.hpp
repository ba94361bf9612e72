#pragma once
// Thunderbird's autoconfig format (clientConfig version 1.1), as served by a domain's autoconfig host,
// its /.well-known/ path and the ISPDB.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "maildoctor/request.hpp"
#include "maildoctor/types.hpp"

namespace maildoctor::discovery {

// One incomingServer / outgoingServer element, placeholders already replaced.
struct ConfigServer {
  Protocol protocol = Protocol::imap;
  std::string host;
  std::uint16_t port = 0;
  Security security = Security::tls;
  std::string username;
  std::vector<std::string> auth;  // the <authentication> values, in document order (the provider's preference)
};

struct ClientConfig {
  std::string provider_id;
  std::string display_name;
  std::vector<std::string> domains;
  std::vector<ConfigServer> incoming;  // imap and pop3 only, in document order
  std::vector<ConfigServer> outgoing;  // smtp only
  std::vector<std::string> warnings;   // servers that were skipped, and why
};

struct ParsedConfig {
  std::optional<ClientConfig> config;
  std::string error;
};

// Refuses documents over max_bytes, with a DOCTYPE (so no entity can be declared, let alone expanded),
// nested deeper than a clientConfig ever is, or with too many elements. Never throws.
ParsedConfig parse_client_config(std::string_view xml, const std::string& email, std::size_t max_bytes = 256 * 1024);

// Maps an <authentication> value to ours; nullopt for values we cannot test (e.g. client-IP-address).
std::optional<AuthMethod> auth_from_config(std::string_view value);

// The endpoint a mail client would set up from this server: the first authentication it can use, except that a
// password method is preferred when the user gave a password (a password is what can be diagnosed).
Endpoint to_endpoint(const ConfigServer& server, Subject subject, bool have_password);

}  // namespace maildoctor::discovery

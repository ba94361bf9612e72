#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maildoctor {

enum class Protocol { imap, pop3, smtp };
enum class Security { tls, starttls, none };
enum class AuthMethod { password, password_encrypted, oauth2, ntlm, gssapi, tls_certificate, none };
enum class Subject { incoming, outgoing, account };
enum class Severity { error, warning, info };

// Wire names are the ones of CONTRACT.md; parse functions return nullopt for anything else.
std::string_view to_string(Protocol);
std::string_view to_string(Security);
std::string_view to_string(AuthMethod);
std::string_view to_string(Subject);
std::string_view to_string(Severity);
std::optional<Protocol> parse_protocol(std::string_view);
std::optional<Security> parse_security(std::string_view);
std::optional<AuthMethod> parse_auth_method(std::string_view);

// The port a protocol uses by default with a given security (993, 143, 995, 110, 465, 587).
std::uint16_t default_port(Protocol, Security);

}  // namespace maildoctor

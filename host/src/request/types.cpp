#include "maildoctor/types.hpp"

#include <array>
#include <utility>

namespace maildoctor {
namespace {
template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [value, name] : table)
    if (name == s) return value;
  return std::nullopt;
}
template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "?";
}

constexpr std::array<std::pair<Protocol, std::string_view>, 3> kProtocols{
    {{Protocol::imap, "imap"}, {Protocol::pop3, "pop3"}, {Protocol::smtp, "smtp"}}};
constexpr std::array<std::pair<Security, std::string_view>, 3> kSecurities{
    {{Security::tls, "tls"}, {Security::starttls, "starttls"}, {Security::none, "none"}}};
constexpr std::array<std::pair<AuthMethod, std::string_view>, 7> kAuthMethods{{{AuthMethod::password, "password"},
                                                                                {AuthMethod::password_encrypted, "password-encrypted"},
                                                                                {AuthMethod::oauth2, "oauth2"},
                                                                                {AuthMethod::ntlm, "ntlm"},
                                                                                {AuthMethod::gssapi, "gssapi"},
                                                                                {AuthMethod::tls_certificate, "tls-certificate"},
                                                                                {AuthMethod::none, "none"}}};
constexpr std::array<std::pair<Subject, std::string_view>, 3> kSubjects{
    {{Subject::incoming, "incoming"}, {Subject::outgoing, "outgoing"}, {Subject::account, "account"}}};
constexpr std::array<std::pair<Severity, std::string_view>, 3> kSeverities{
    {{Severity::error, "error"}, {Severity::warning, "warning"}, {Severity::info, "info"}}};
}  // namespace

std::string_view to_string(Protocol p) { return name_of(kProtocols, p); }
std::string_view to_string(Security s) { return name_of(kSecurities, s); }
std::string_view to_string(AuthMethod a) { return name_of(kAuthMethods, a); }
std::string_view to_string(Subject s) { return name_of(kSubjects, s); }
std::string_view to_string(Severity s) { return name_of(kSeverities, s); }
std::optional<Protocol> parse_protocol(std::string_view s) { return lookup(kProtocols, s); }
std::optional<Security> parse_security(std::string_view s) { return lookup(kSecurities, s); }
std::optional<AuthMethod> parse_auth_method(std::string_view s) { return lookup(kAuthMethods, s); }

std::uint16_t default_port(Protocol p, Security s) {
  const bool implicit = s == Security::tls;
  switch (p) {
    case Protocol::imap: return implicit ? 993 : 143;
    case Protocol::pop3: return implicit ? 995 : 110;
    case Protocol::smtp: return implicit ? 465 : 587;
  }
  return 0;
}

}  // namespace maildoctor

#include "kb/text.hpp"
#include "maildoctor/kb.hpp"

namespace maildoctor::kb {
namespace {
std::string email_domain(const std::string& email) {
  const auto at = email.rfind('@');
  return at == std::string::npos ? std::string() : lower(email.substr(at + 1));
}

const Provider* by_host(const std::vector<Provider>& among, const std::string& host, std::string& matched) {
  for (const auto& p : among)
    for (const auto& s : p.host_suffixes)
      if (host_has_suffix(host, s)) {
        matched = host;
        return &p;
      }
  return nullptr;
}
}  // namespace

Detection detect_provider(const Request& request, const Evidence& evidence) { return detect_provider(providers(), request, evidence); }

Detection detect_provider(const std::vector<Provider>& among, const Request& request, const Evidence& evidence) {
  // The address is what the user chose; the server names are what the account was set up with; MX and banner
  // only hint, since a hosting company can front for someone else.
  const std::string domain = email_domain(request.account.email);
  if (!domain.empty())
    for (const auto& p : among)
      for (const auto& d : p.domains)
        if (d == domain) return {&p, "domain", domain, true};

  std::vector<std::string> hosts;
  for (const auto* e : {&request.account.incoming, &request.account.outgoing})
    if (*e) hosts.push_back((*e)->host);
  for (const auto& pr : evidence.primary) hosts.push_back(pr.endpoint.host);
  for (const auto& h : hosts) {
    std::string m;
    if (const Provider* p = by_host(among, h, m)) return {p, "host", m, true};
  }
  for (const auto& mx : evidence.discovery.mx_hosts)
    for (const auto& p : among)
      for (const auto& s : p.mx_suffixes)
        if (host_has_suffix(mx, s)) return {&p, "mx", mx, false};
  for (const auto& pr : evidence.primary) {
    // Only implicit TLS greets inside the encryption; a STARTTLS or plain greeting is anyone's text.
    const bool inside_verified_tls =
        pr.endpoint.security == Security::tls && pr.tls.status == TlsEvidence::Status::ok && pr.tls.cert.verified;
    for (const auto& line : pr.greeting.reply.lines)
      for (const auto& p : among)
        for (const auto& b : p.banner_patterns)
          if (!b.empty() && contains_nocase(line, b)) return {&p, "banner", line, inside_verified_tls};
  }
  return {};
}

}  // namespace maildoctor::kb

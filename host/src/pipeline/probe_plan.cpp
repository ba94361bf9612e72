#include "pipeline/probe_plan.hpp"

#include <algorithm>

namespace maildoctor::pipeline {

std::string login_refusal(const Request& request, const Endpoint& ep) {
  if (ep.password.empty() && ep.auth == AuthMethod::oauth2)
    return ep.oauth_error.empty() ? "no access token given" : "Thunderbird could not get an access token";
  if (ep.password.empty()) return "no password given";
  if (!request.options.login) return "login switched off for this diagnosis";
  if (ep.username.empty()) return "no user name given";
  switch (ep.auth) {
    case AuthMethod::none: return "the account is configured without authentication";
    case AuthMethod::tls_certificate: return "logins with a TLS client certificate are not tested";
    default: break;
  }
  return {};
}

std::vector<PortSecurity> alternatives_for(const Endpoint& ep) {
  std::vector<PortSecurity> standard;
  switch (ep.protocol) {
    case Protocol::imap: standard = {{993, Security::tls}, {143, Security::starttls}}; break;
    case Protocol::pop3: standard = {{995, Security::tls}, {110, Security::starttls}}; break;
    case Protocol::smtp: standard = {{465, Security::tls}, {587, Security::starttls}, {25, Security::starttls}}; break;
  }
  // The configured port with the other encryption: catches "SSL/TLS on a STARTTLS port" and the reverse.
  if (ep.security == Security::tls) standard.push_back({ep.port, Security::starttls});
  else if (ep.security == Security::starttls) standard.push_back({ep.port, Security::tls});
  else standard.push_back({ep.port, Security::starttls});
  std::vector<PortSecurity> out;
  for (const auto& ps : standard) {
    if (ps.port == ep.port && ps.security == ep.security) continue;
    bool dup = std::any_of(out.begin(), out.end(), [&](const PortSecurity& o) { return o.port == ps.port && o.security == ps.security; });
    if (!dup) out.push_back(ps);
  }
  return out;
}

namespace {
probe::ProbeSpec base_spec(const Request& request, const Endpoint& ep, probe::Clock::time_point t0, probe::Clock::time_point deadline) {
  probe::ProbeSpec s;
  s.endpoint = ep;
  s.account_email = request.account.email;
  s.connect_to = request.options.connect_to;
  s.cacert = request.options.cacert;
  s.resolver.servers = request.options.dns_servers;
  s.proxy = request.options.proxy;
  s.t0 = t0;
  s.deadline = deadline;
  return s;
}
}  // namespace

PlannedProbe plan_replacement(const Request& request, const Endpoint& endpoint, probe::Clock::time_point t0,
                              probe::Clock::time_point deadline) {
  probe::ProbeSpec s = base_spec(request, endpoint, t0, deadline);
  s.endpoint.password = Secret();
  s.alternative = true;
  s.not_attempted_reason = "a server published in place of one that does not resolve is probed without credentials";
  return {std::move(s), false};
}

std::vector<PlannedProbe> plan_probes(const Request& request, probe::Clock::time_point t0, probe::Clock::time_point deadline,
                                      const std::map<Subject, std::string>& held) {
  std::vector<PlannedProbe> out;
  auto base = [&](const Endpoint& ep) { return base_spec(request, ep, t0, deadline); };
  std::vector<const Endpoint*> endpoints;
  if (request.account.incoming) endpoints.push_back(&*request.account.incoming);
  if (request.account.outgoing) endpoints.push_back(&*request.account.outgoing);
  for (const Endpoint* ep : endpoints) {
    probe::ProbeSpec s = base(*ep);
    s.not_attempted_reason = login_refusal(request, *ep);
    if (const auto h = held.find(ep->subject); h != held.end() && !request.account.password.empty() && request.options.login)
      s.not_attempted_reason = h->second;
    s.use_credentials = s.not_attempted_reason.empty();
    if (!s.use_credentials) s.endpoint.password = Secret();
    out.push_back({std::move(s), true});
  }
  if (request.options.alternatives) {
    for (const Endpoint* ep : endpoints) {
      for (const auto& ps : alternatives_for(*ep)) {
        probe::ProbeSpec s = base(*ep);
        s.endpoint.password = Secret();
        // Thunderbird keeps an exception per host:port: another port is judged without it.
        if (ps.port != ep->port) s.endpoint.cert_override.clear();
        s.endpoint.port = ps.port;
        s.endpoint.security = ps.security;
        s.alternative = true;
        s.not_attempted_reason = "alternative settings are probed without credentials";
        out.push_back({std::move(s), false});
      }
    }
  }
  return out;
}

}  // namespace maildoctor::pipeline

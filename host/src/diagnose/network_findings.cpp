#include "diagnose/context.hpp"

namespace maildoctor::diagnose {
namespace {
Reply error_reply(const std::string& text) {
  Reply r;
  if (!text.empty()) r.lines.push_back(text);
  return r;
}

// A port that times out while another port of the same server answers is being filtered on the way.
std::vector<int> answering_ports(const Context& ctx, const ProbeResult& p) {
  std::vector<int> out;
  for (const ProbeResult* a : alternatives_of(ctx, p))
    if (a->connect.status == ConnectEvidence::Status::ok && a->endpoint.port != p.endpoint.port) out.push_back(a->endpoint.port);
  return out;
}
const char* proxy_failure_text(const std::string& what) {
  if (what == "refused") return "The proxy refused the connection: nothing listens at that address and port. Check the proxy's "
                                "address and port in Thunderbird's connection settings, or start the proxy.";
  if (what == "authentication") return "The proxy asks for a login. Thunderbird's mail connections cannot log in to a SOCKS "
                                       "proxy: use a proxy that needs none, or allow this computer on it.";
  if (what == "target_refused") return "The proxy answered but would not connect to the mail server {host} port {port}: its "
                                       "rules forbid it, or it could not resolve or reach the server. Ask whoever runs the proxy.";
  if (what == "protocol") return "Something answers at the proxy's address, but not as a SOCKS proxy of the configured version. Check "
                                 "the proxy type and port in Thunderbird's connection settings.";
  return "The proxy did not answer: its host cannot be reached from this computer or its name does not resolve. Check the "
         "proxy's address in Thunderbird's connection settings, or whether the proxy is running.";
}

// One finding for the whole diagnosis, not one per server: every connection goes through the same proxy.
void proxy_finding(Context& ctx, const ProbeResult& p) {
  for (const auto& r : ctx.out)
    if (r.finding.code == "net.proxy_failed") return;
  Finding f = make_finding("net.proxy_failed", Severity::error, p, ctx, "The proxy " + p.connect.proxy + " does not work",
                           proxy_failure_text(p.connect.proxy_failure));
  f.subject = Subject::account;
  f.params["proxy"] = p.connect.proxy;
  f.params["failed"] = p.connect.proxy_failure;
  if (!p.connect.error.empty()) f.params["error"] = p.connect.error;
  f.evidence = {p.connect.error.empty() ? "proxy " + p.connect.proxy + ": " + p.connect.proxy_failure : p.connect.error};
  f.fixes.push_back({});
  f.fixes.back().kind = "steps";
  f.fixes.back().steps = {"Thunderbird: Settings > General > Network & Disk Space > Connection Settings: check the SOCKS host and port, "
                          "or choose \"No proxy\" if this network does not need one."};
  ctx.add(std::move(f), kRankConnect - 5);
}

// The server the address's own trusted sources publish in place of p's unresolvable host, when its probe (without
// credentials) reached it: TLS verified, greeting and capabilities. Its settings become the fixes.
bool replacement_fixes(const Context& ctx, const ProbeResult& p, Finding& f) {
  const auto& found = ctx.evidence.discovery.replacements;
  for (std::size_t i = 0; i < found.size() && i < ctx.evidence.replacements.size(); ++i) {
    const auto& r = found[i];
    const ProbeResult& probe = ctx.evidence.replacements[i];
    if (r.subject != p.endpoint.subject) continue;
    const bool proven = reached_server(probe) && probe.endpoint.security != Security::none;
    f.params["replacement"] = {{"protocol", to_string(r.endpoint.protocol)}, {"host", r.endpoint.host}, {"port", r.endpoint.port},
                               {"security", to_string(r.endpoint.security)}, {"source", r.source}, {"published_by", r.detail},
                               {"proven", proven}};
    if (!proven) return false;
    const std::string why = "published by " + r.detail + " and it answers";
    const Subject subj = p.endpoint.subject;
    if (r.endpoint.protocol != p.endpoint.protocol)
      f.fixes.push_back(change_setting(subj, "protocol", std::string(to_string(r.endpoint.protocol)), why));
    f.fixes.push_back(change_setting(subj, "host", r.endpoint.host, why));
    if (r.endpoint.port != p.endpoint.port) f.fixes.push_back(change_setting(subj, "port", r.endpoint.port, why));
    if (r.endpoint.security != p.endpoint.security)
      f.fixes.push_back(change_setting(subj, "security", std::string(to_string(r.endpoint.security)), why));
    f.detail += " " + r.endpoint.host + " port " + std::to_string(r.endpoint.port) + " (" + r.detail +
                ") answered here instead, with a valid certificate: use it.";
    return true;
  }
  return false;
}

}  // namespace

bool network_findings(Context& ctx, const ProbeResult& p) {
  using D = DnsEvidence::Status;
  using C = ConnectEvidence::Status;
  if (p.dns.status == D::not_found || p.dns.status == D::failed) {
    const bool matched = apply_rules(ctx, p, "connect", error_reply(p.dns.error), kRankConnect);
    Finding f = p.dns.status == D::not_found
                    ? make_finding("dns.not_found", Severity::error, p, ctx, "The server name {host} does not exist",
                                   "The name {host} of your {server} was not found in DNS. It is probably misspelled, or the "
                                   "provider no longer uses it.")
                    : make_finding("dns.failed", Severity::error, p, ctx, "The server name {host} could not be looked up",
                                   "Looking up {host} failed: the DNS resolver did not answer or returned an error. Check the "
                                   "internet connection and the DNS settings of this computer or network.");
    if (!p.dns.error.empty()) f.params["error"] = p.dns.error;
    if (p.dns.status == D::not_found && !replacement_fixes(ctx, p, f)) f.fixes = provider_settings_fixes(ctx, p);
    // A bridge rule (Proton) explains the missing name better; the DNS fact still follows it.
    (void)matched;
    ctx.add(std::move(f), kRankConnect);
    return false;
  }
  if (p.connect.status == C::ok || p.connect.status == C::skipped) return true;
  if (p.connect.status == C::proxy_failed) {
    proxy_finding(ctx, p);
    return false;  // the mail server was never reached: nothing about it is known
  }

  apply_rules(ctx, p, "connect", error_reply(p.connect.error), kRankConnect);
  Finding f;
  switch (p.connect.status) {
    case C::refused:
      f = make_finding("net.refused", Severity::error, p, ctx, "Nothing answers on {host} port {port}",
                       "The server {host} refused the connection on port {port}: no mail service listens there. The port "
                       "is probably wrong, or the service is down.");
      break;
    case C::timeout: {
      const auto ports = answering_ports(ctx, p);
      if (!ports.empty()) {
        f = make_finding("net.port_blocked", Severity::error, p, ctx, "Port {port} is blocked on this network",
                         "{host} gives no answer on port {port}, but it does answer on port " + std::to_string(ports.front()) +
                             ". A firewall on this computer or network (or the internet provider) is blocking port {port}.");
        f.params["open_ports"] = ports;
      } else {
        f = make_finding("net.timeout", Severity::error, p, ctx, "No answer from {host} on port {port}",
                         "The connection to {host} on port {port} got no answer at all. A firewall may be dropping it, or "
                         "the server is down.");
      }
      break;
    }
    default:
      f = make_finding("net.unreachable", Severity::error, p, ctx, "{host} cannot be reached",
                       "This computer has no route to {host}: the network is down or the address cannot be reached from here.");
      break;
  }
  if (!p.connect.address.empty()) f.params["address"] = p.connect.address;
  if (!p.connect.error.empty()) f.params["error"] = p.connect.error;
  ctx.add(std::move(f), kRankConnect);
  return false;
}

}  // namespace maildoctor::diagnose

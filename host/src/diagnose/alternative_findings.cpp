#include "diagnose/context.hpp"
#include "kb/text.hpp"

namespace maildoctor::diagnose {
namespace {
int preference(const ProbeResult& a) {
  // Implicit TLS first (RFC 8314), then STARTTLS; a plaintext-only alternative is never proposed.
  int score = a.endpoint.security == Security::tls ? 0 : 10;
  if (a.endpoint.port == default_port(a.endpoint.protocol, a.endpoint.security)) score -= 1;
  return score;
}
}  // namespace

void alternative_findings(Context& ctx, const ProbeResult& p) {
  const ProbeResult* best = nullptr;
  for (const ProbeResult* a : alternatives_of(ctx, p)) {
    if (a->endpoint.security == Security::none || !reached_server(*a)) continue;
    if (!best || preference(*a) < preference(*best)) best = a;
  }
  if (!best) return;
  Finding f = make_finding("config.better_settings", Severity::warning, p, ctx, "Other settings for {host} work",
                           "Port " + std::to_string(best->endpoint.port) + " with " +
                               (best->endpoint.security == Security::tls ? std::string("SSL/TLS") : std::string("STARTTLS")) +
                               " reached the server where the configured settings failed. Change the settings as shown.");
  f.params["port_value"] = best->endpoint.port;
  f.params["security_value"] = to_string(best->endpoint.security);
  if (best->endpoint.port != p.endpoint.port) f.fixes.push_back(change_setting(p.endpoint.subject, "port", best->endpoint.port));
  if (best->endpoint.security != p.endpoint.security)
    f.fixes.push_back(change_setting(p.endpoint.subject, "security", std::string(to_string(best->endpoint.security))));
  ctx.add(std::move(f), kRankAlternative);
}

void provider_settings_finding(Context& ctx, const ProbeResult& p, bool failed) {
  if (!ctx.provider) return;
  const auto& list = p.endpoint.subject == Subject::outgoing ? ctx.provider->outgoing : ctx.provider->incoming;
  if (list.empty()) return;
  for (const auto& s : list)
    if (s.protocol == p.endpoint.protocol && kb::lower(s.host) == kb::lower(p.endpoint.host) && s.port == p.endpoint.port &&
        s.security == p.endpoint.security)
      return;
  auto fixes = provider_settings_fixes(ctx, p);
  if (fixes.empty()) return;
  Finding f = make_finding("config.differs_from_provider", failed ? Severity::warning : Severity::info, p, ctx,
                           "The {server} settings differ from what {provider} publishes",
                           "{provider} publishes other settings for this server than the ones configured. Unless you know you "
                           "need yours, use the published ones.");
  f.fixes = std::move(fixes);
  nlohmann::json pub = nlohmann::json::array();
  for (const auto& s : list)
    pub.push_back({{"protocol", to_string(s.protocol)}, {"host", s.host}, {"port", s.port}, {"security", to_string(s.security)}});
  f.params["published"] = pub;
  ctx.add(std::move(f), kRankProvider);
}

void missing_server_findings(Context& ctx) {
  const auto& found = ctx.evidence.discovery.replacements;
  for (std::size_t i = 0; i < found.size() && i < ctx.evidence.replacements.size(); ++i) {
    const auto& r = found[i];
    if (endpoint_of(ctx.request, r.subject)) continue;  // a replacement for a configured server: network_findings
    const ProbeResult& probe = ctx.evidence.replacements[i];
    const bool proven = reached_server(probe) && probe.endpoint.security != Security::none;
    const std::string where = r.endpoint.host + " port " + std::to_string(r.endpoint.port) + " (" +
                              (r.endpoint.security == Security::tls ? "SSL/TLS" : "STARTTLS") + ")";
    Finding f = make_finding(
        "config.server_missing", Severity::warning, probe, ctx,
        r.subject == Subject::outgoing ? "The account has no outgoing (SMTP) server" : "The account has no incoming server",
        proven ? r.detail + " publishes " + where + " for this address, and it answers here with a valid certificate. Add it "
                 "to the account; maildoctor did not send the password to it."
               : r.detail + " publishes " + where + " for this address, but it did not answer here. Ask the provider "
                 "which server to use.");
    f.params["replacement"] = {{"protocol", to_string(r.endpoint.protocol)}, {"host", r.endpoint.host}, {"port", r.endpoint.port},
                               {"security", to_string(r.endpoint.security)}, {"source", r.source}, {"published_by", r.detail},
                               {"proven", proven}};
    if (proven) {
      Fix steps;
      steps.kind = "steps";
      steps.steps = {r.subject == Subject::outgoing
                         ? "Thunderbird: Account Settings > Outgoing Server (SMTP) > Add: server name " + r.endpoint.host + ", port " +
                               std::to_string(r.endpoint.port) + ", connection security " +
                               (r.endpoint.security == Security::tls ? "SSL/TLS" : "STARTTLS") +
                               "; then choose it for this account's identity."
                         : "Thunderbird: add the incoming server " + r.endpoint.host + ", port " + std::to_string(r.endpoint.port) +
                               ", connection security " + (r.endpoint.security == Security::tls ? "SSL/TLS" : "STARTTLS") + "."};
      f.fixes.push_back(std::move(steps));
    }
    ctx.add(std::move(f), kRankProvider);
  }
}

}  // namespace maildoctor::diagnose

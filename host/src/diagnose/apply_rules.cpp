#include "diagnose/context.hpp"

namespace maildoctor::diagnose {

namespace {
// A rule that fires on what the provider's data says, not on the server's words alone.
bool depends_on_provider(const rules::Rule& r) {
  const auto& m = r.match;
  return !m.providers.empty() || m.provider_account_password || m.provider_app_password ||
         m.provider_oauth2 || m.provider_bridge || m.provider_access_default;
}
// The wait in words a reader takes in at once: seconds below two minutes, then whole minutes, then hours.
std::string wait_sentence(long long secs) {
  std::string span;
  if (secs < 120)
    span = std::to_string(secs) + (secs == 1 ? " second" : " seconds");
  else if (secs < 2 * 3600)
    span = "about " + std::to_string((secs + 30) / 60) + " minutes";
  else
    span = "about " + std::to_string((secs + 1800) / 3600) + " hours";
  return "The server asks to wait " + span + " before the next attempt.";
}
}  // namespace

rules::MatchInput match_input(const Context& ctx, const ProbeResult& p) {
  rules::MatchInput in;
  in.protocol = p.endpoint.protocol;
  in.mechanisms = p.caps.sasl_mechanisms;
  in.provider = ctx.provider;
  in.auth = p.endpoint.auth;
  in.security = p.endpoint.security;
  in.host = p.endpoint.host;
  in.observed_error = ctx.request.observed_error;
  return in;
}

bool apply_rules(Context& ctx, const ProbeResult& p, const std::string& stage, const Reply& reply, int rank) {
  rules::MatchInput in = match_input(ctx, p);
  in.stage = stage;
  in.reply = reply;
  const rules::Rule* r = rules::first_match(ctx.rules, in);
  if (!r) return false;
  Finding f = make_finding(r->code, r->severity, p, ctx, r->title, r->detail);
  f.rule = r->id;
  for (const auto& [k, v] : r->params.items()) f.params[k] = v.is_string() ? nlohmann::json(fill(v.get<std::string>(), vars_for(ctx, p))) : v;
  f.params["stage"] = stage;
  if (r->wait)
    if (auto secs = rules::wait_seconds(*r->wait, reply.text())) {
      f.params["wait_seconds"] = *secs;
      f.detail += " " + wait_sentence(*secs);
    }
  f.evidence = reply.lines;
  f.fixes = resolve_fixes(r->fixes, ctx, p);
  if (depends_on_provider(*r))
    for (auto& fix : f.fixes) fix.from_provider = true;
  ctx.add(std::move(f), rank - 1);
  return true;
}

}  // namespace maildoctor::diagnose

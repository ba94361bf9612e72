#include "diagnose/context.hpp"

namespace maildoctor::diagnose {

namespace {
// A rule that fires on what the provider's data says, not on the server's words alone.
bool depends_on_provider(const rules::Rule& r) {
  const auto& m = r.match;
  return !m.providers.empty() || m.provider_account_password || m.provider_app_password ||
         m.provider_oauth2 || m.provider_bridge || m.provider_access_default;
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
  f.evidence = reply.lines;
  f.fixes = resolve_fixes(r->fixes, ctx, p);
  if (depends_on_provider(*r))
    for (auto& fix : f.fixes) fix.from_provider = true;
  ctx.add(std::move(f), rank - 1);
  return true;
}

}  // namespace maildoctor::diagnose

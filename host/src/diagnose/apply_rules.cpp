#include "diagnose/context.hpp"

namespace maildoctor::diagnose {

bool apply_rules(Context& ctx, const ProbeResult& p, const std::string& stage, const Reply& reply, int rank) {
  rules::MatchInput in;
  in.protocol = p.endpoint.protocol;
  in.stage = stage;
  in.reply = reply;
  in.mechanisms = p.caps.sasl_mechanisms;
  in.provider = ctx.provider;
  in.auth = p.endpoint.auth;
  in.security = p.endpoint.security;
  in.host = p.endpoint.host;
  in.observed_error = ctx.request.observed_error;
  const rules::Rule* r = rules::first_match(ctx.rules, in);
  if (!r) return false;
  Finding f = make_finding(r->code, r->severity, p, ctx, r->title, r->detail);
  f.rule = r->id;
  for (const auto& [k, v] : r->params.items()) f.params[k] = v.is_string() ? nlohmann::json(fill(v.get<std::string>(), vars_for(ctx, p))) : v;
  f.params["stage"] = stage;
  f.evidence = reply.lines;
  f.fixes = resolve_fixes(r->fixes, ctx, p);
  ctx.add(std::move(f), rank - 1);
  return true;
}

}  // namespace maildoctor::diagnose

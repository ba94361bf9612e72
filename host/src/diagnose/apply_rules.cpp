#include "diagnose/context.hpp"

namespace maildoctor::diagnose {
namespace {
// Thunderbird's text is free-form: only rules that look at the reply itself may judge it, not rules that fire on
// provider knowledge alone (those would turn "connection timed out" into a password finding).
bool looks_at_reply(const rules::Rule& r) {
  const auto& m = r.match;
  return !m.codes.empty() || !m.enhanced.empty() || !m.response_codes.empty() || !m.text_any.empty() || !m.text_all.empty();
}

// A rule that fires on what the provider's data says, not on the server's words alone.
bool depends_on_provider(const rules::Rule& r) {
  const auto& m = r.match;
  return !m.providers.empty() || m.provider_account_password || m.provider_app_password ||
         m.provider_oauth2 || m.provider_bridge || m.provider_access_default;
}

const rules::Rule* first_reply_match(const std::vector<rules::Rule>& all, const rules::MatchInput& in) {
  for (const auto& r : all)
    if (looks_at_reply(r) && rules::matches(r, in)) return &r;
  return nullptr;
}
}  // namespace

bool apply_rules(Context& ctx, const ProbeResult& p, const std::string& stage, const Reply& reply, int rank,
                 const std::string& observed_text) {
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
  const bool observed = stage == "observed";
  const rules::Rule* r = observed ? first_reply_match(ctx.rules, in) : rules::first_match(ctx.rules, in);
  // Replies seen by Thunderbird are tried against the login rules too: they are the same server texts.
  if (!r && observed) {
    in.stage = "auth";
    r = first_reply_match(ctx.rules, in);
  }
  if (!r) return false;
  Finding f = make_finding(r->code, r->severity, p, ctx, r->title, r->detail);
  f.rule = r->id;
  for (const auto& [k, v] : r->params.items()) f.params[k] = v.is_string() ? nlohmann::json(fill(v.get<std::string>(), vars_for(ctx, p))) : v;
  f.params["stage"] = stage;
  if (!observed_text.empty()) {
    f.evidence = {observed_text};
    f.params["from_observed_error"] = true;
    f.detail += " (This is based on the message Thunderbird showed; the login itself was not tried here.)";
  } else {
    f.evidence = reply.lines;
  }
  f.fixes = resolve_fixes(r->fixes, ctx, p);
  if (depends_on_provider(*r))
    for (auto& fix : f.fixes) fix.from_provider = true;
  ctx.add(std::move(f), rank - 1);
  return true;
}

}  // namespace maildoctor::diagnose

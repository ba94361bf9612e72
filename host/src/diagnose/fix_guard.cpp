#include "diagnose/context.hpp"
#include "kb/text.hpp"

namespace maildoctor::diagnose {
namespace {
std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }
}  // namespace

const Endpoint* endpoint_of(const Request& request, Subject subject) {
  if (subject == Subject::incoming && request.account.incoming) return &*request.account.incoming;
  if (subject == Subject::outgoing && request.account.outgoing) return &*request.account.outgoing;
  return nullptr;
}

std::string fix_refusal(const Context& ctx, const Finding& finding, const Fix& fix) {
  if (fix.from_provider && !ctx.provider_trusted)
    return "the provider was recognised only from unauthenticated data (" + ctx.provider_basis + ")";
  if (fix.kind != "change_setting") return {};
  const std::string value = value_text(fix.value);
  if (fix.setting == "security" && value == "none") return "it would switch off encryption";
  if (fix.setting == "auth") {
    const Endpoint* e = endpoint_of(ctx.request, fix.subject.value_or(finding.subject));
    const AuthMethod current = e ? e->auth : AuthMethod::password;
    // "password" sends it as it is (PLAIN, LOGIN); from any other method that exposes more than before.
    if (value == "password" && current != AuthMethod::password && current != AuthMethod::none)
      return "it would send the password as clear text instead of " + std::string(to_string(current));
    if (value == "none") return "it would switch off authentication";
  }
  if (fix.setting == "host" && ctx.confirmed_hosts.count(kb::lower(value)) == 0)
    return "no independent source (provider knowledge, the domain's autoconfig over verified https) publishes this server";
  return {};
}

void guard_fixes(Context& ctx) {
  for (auto& ranked : ctx.out) {
    Finding& f = ranked.finding;
    std::vector<Fix> kept;
    for (auto& fix : f.fixes) {
      const std::string why = fix_refusal(ctx, f, fix);
      if (why.empty()) {
        kept.push_back(std::move(fix));
        continue;
      }
      nlohmann::json w{{"kind", fix.kind}, {"reason", why}};
      if (fix.kind == "change_setting") {
        w["setting"] = fix.setting;
        w["value"] = fix.value;
      }
      if (!f.params.contains("withheld_fixes")) f.params["withheld_fixes"] = nlohmann::json::array();
      f.params["withheld_fixes"].push_back(std::move(w));
    }
    f.fixes = std::move(kept);
  }
}

}  // namespace maildoctor::diagnose

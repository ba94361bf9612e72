#include <algorithm>
#include <ctime>
#include <set>

#include "diagnose/context.hpp"
#include "kb/text.hpp"
#include "maildoctor/cutoffs.hpp"

// Announced cut-offs (host/data/cutoffs): before the date an account that uses what ends gets config.cutoff_ahead;
// from the date on, a refused login of such an account is explained by the cut-off. The match rests only on what
// the user configured (server host, address, authentication method), never on anything the network said.
namespace maildoctor::diagnose {
namespace {
std::string human_date(const std::string& iso) {
  static const char* const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
  if (iso.size() != 10) return iso;
  const int m = std::stoi(iso.substr(5, 2)), d = std::stoi(iso.substr(8, 2));
  if (m < 1 || m > 12) return iso;
  return std::to_string(d) + " " + months[m - 1] + " " + iso.substr(0, 4);
}

// "at the end of December 2026" when the source names no day, else "on 16 September 2024".
std::string when(const kb::Cutoff& c) { return c.date_text.empty() ? "on " + human_date(c.date) : "at " + c.date_text; }

std::string date_source(const kb::Cutoff& c) {
  for (const auto& s : c.sources)
    if (s.fact == "date") return s.url;
  return c.sources.empty() ? std::string() : c.sources.front().url;
}

const kb::Provider* provider_of(const kb::Cutoff& c) { return kb::find_provider(c.provider); }

nlohmann::json cutoff_params(const kb::Cutoff& c) {
  const kb::Provider* p = provider_of(c);
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : c.sources) sources.push_back(s.url);
  nlohmann::json j{{"cutoff", c.id},
                   {"date", c.date},
                   {"provider", p ? p->name : c.provider},
                   {"provider_id", c.provider},
                   {"breaks", c.breaks},
                   {"source", date_source(c)},
                   {"sources", sources}};
  if (!c.date_text.empty()) j["date_text"] = c.date_text;
  return j;
}

// The cut-off's fix for this endpoint: its steps, the provider's page, and a switch to OAuth2 only where the
// provider's data says Thunderbird can sign in to this server with it.
std::vector<Fix> cutoff_fixes(const kb::Cutoff& c, const ProbeResult& p) {
  std::vector<Fix> out;
  if (c.fix_oauth2 && kb::thunderbird_oauth2(provider_of(c), p.endpoint.host))
    out.push_back(change_setting(p.endpoint.subject, "auth", "oauth2", "Use OAuth2"));
  if (!c.fix_url.empty()) {
    Fix f;
    f.kind = "open_url";
    f.url = c.fix_url;
    f.label = "What the provider says";
    out.push_back(std::move(f));
  }
  if (!c.fix_steps.empty()) {
    Fix f;
    f.kind = "steps";
    f.steps = c.fix_steps;
    out.push_back(std::move(f));
  }
  return out;
}

// Refusals that the end of a login method explains; not the ones with a cause of their own (encryption first,
// too many attempts, a locked account, a wrong user name form, a missing bridge, a sign-in the provider blocked until
// it is confirmed on the web: Microsoft's "log in via a web browser to verify" is not a password method ending).
bool explained_by_cutoff(const Finding& f) {
  static const std::set<std::string> codes{"auth.wrong_password", "auth.oauth_required",    "auth.failed",
                                           "auth.tenant_disabled", "auth.app_password_required",
                                           "auth.mechanism_unsupported", "auth.protocol_disabled"};
  if (f.severity == Severity::error && codes.count(f.code)) return true;
  // Thunderbird saw the login fail and nothing else was known: the cut-off is what is known now.
  return f.code == "auth.not_tested" && f.params.value("observed_failure", false);
}

void ahead(Context& ctx, const kb::Cutoff& c, const ProbeResult& p, long days) {
  const kb::Provider* prov = provider_of(c);
  const std::string provider = prov ? prov->name : c.provider;
  Finding f = make_finding("config.cutoff_ahead", Severity::warning, p, ctx, "", "");
  f.title = provider + " ends this login method " + when(c);
  f.detail = c.breaks + " This account's " + fill("{server} ({host}) uses it, so it will stop working ", vars_for(ctx, p)) +
             when(c) + " unless the setting is changed first.";
  if (!c.date_text.empty()) f.detail += " (" + provider + " names no exact day; maildoctor counts from " + human_date(c.date) + ".)";
  const nlohmann::json params = cutoff_params(c);  // named: items() of a temporary would dangle
  for (const auto& [k, v] : params.items()) f.params[k] = v;
  f.params["days_left"] = days;
  f.params["auth"] = to_string(p.endpoint.auth);
  f.fixes = cutoff_fixes(c, p);
  ctx.add(std::move(f), kRankProvider);
}

// From the date on: the refusal of this subject names the cut-off as its cause.
void explain(Context& ctx, const kb::Cutoff& c, const ProbeResult& p) {
  const kb::Provider* prov = provider_of(c);
  const std::string provider = prov ? prov->name : c.provider;
  for (auto& r : ctx.out) {
    Finding& f = r.finding;
    if (f.subject != p.endpoint.subject || !explained_by_cutoff(f) || f.params.contains("cutoff")) continue;
    f.detail += " This is the announced end: " + provider + " stopped it " + when(c) + ". " + c.breaks;
    f.params["cutoff"] = c.id;
    f.params["cutoff_date"] = c.date;
    if (!c.date_text.empty()) f.params["cutoff_date_text"] = c.date_text;
    f.params["cutoff_provider"] = provider;
    f.params["cutoff_breaks"] = c.breaks;
    f.params["cutoff_source"] = date_source(c);
    f.params["explained_by"] = "cutoff";
    for (auto& fix : cutoff_fixes(c, p)) {
      const bool dup = std::any_of(f.fixes.begin(), f.fixes.end(), [&](const Fix& have) {
        return have.kind == fix.kind && have.setting == fix.setting && have.value == fix.value && have.url == fix.url;
      });
      if (!dup) f.fixes.push_back(std::move(fix));
    }
  }
}
}  // namespace

void cutoff_findings(Context& ctx, std::time_t now) {
  const std::string today = kb::local_date(now);
  std::set<std::pair<int, std::string>> seen;  // one verdict per subject and cut-off
  for (const auto& p : ctx.evidence.primary) {
    for (const auto& c : kb::cutoffs()) {
      if (!kb::cutoff_matches(c, p.endpoint, ctx.request.account.email)) continue;
      if (!seen.emplace(static_cast<int>(p.endpoint.subject), c.id).second) continue;
      const auto days = kb::days_until(c.date, today);
      if (!days) continue;
      if (*days > 0) ahead(ctx, c, p, *days);
      else explain(ctx, c, p);
    }
  }
}

}  // namespace maildoctor::diagnose

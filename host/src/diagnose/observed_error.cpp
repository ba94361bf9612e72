#include <algorithm>
#include <array>
#include <string_view>

#include "diagnose/context.hpp"
#include "kb/text.hpp"

// A diagnosis without the password (CONTRACT 2.1): Thunderbird's failure, the configured authentication, the
// provider's policy and the server's words, when Thunderbird quoted them, name the most likely cause.
namespace maildoctor::diagnose {
namespace {

// Thunderbird's own words for "the server refused the login" (en-US): messenger.properties mailServerLoginFailed2 /
// mailServerLoginFailedTitleWithAccount, composeMsgs smtpAuthFailure, localMsgs pop3PasswordFailed.
constexpr std::array<std::string_view, 4> kLoginFailedTexts{
    "Login to server ",
    "Login to account ",
    "Unable to authenticate to Outgoing server",
    "Sending of password for user ",
};
// Where Thunderbird quotes the server: imapServerCommandFailed / pop3ServerSaid / smtpServerError /
// smtp-error-sending-from-command ("... responded: <words>") and imapServerAlert ("Alert from account X: <words>").
constexpr std::string_view kResponded = "responded:";
constexpr std::string_view kAlert = "Alert from account ";

bool thunderbird_says_login_failed(const std::string& text) {
  return std::any_of(kLoginFailedTexts.begin(), kLoginFailedTexts.end(), [&](std::string_view t) {
    return kb::contains_nocase(text, std::string(t)) && (t.back() != ' ' || kb::contains_nocase(text, "fail") ||
                                                         kb::contains_nocase(text, "did not succeed"));
  });
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The server's own words inside Thunderbird's message, or empty when it quoted none.
std::string server_words(const std::string& text) {
  const std::string low = kb::lower(text);
  if (const auto at = low.find(kResponded); at != std::string::npos) return trim(text.substr(at + kResponded.size()));
  if (const auto at = low.find(kb::lower(std::string(kAlert))); at != std::string::npos) {
    const auto colon = text.find(':', at + kAlert.size());
    if (colon != std::string::npos) return trim(text.substr(colon + 1));
  }
  return {};
}

bool looks_at_reply(const rules::Rule& r) {
  const auto& m = r.match;
  return !m.codes.empty() || !m.enhanced.empty() || !m.response_codes.empty() || !m.text_any.empty() ||
         !m.text_all.empty() || !m.observed_any.empty();
}

// A text any refused login produces ("authentication failed", 535 5.7.8): it says a login failed, not why.
bool generic_credentials(const rules::Rule& r) { return r.code == "auth.wrong_password" || r.code == "auth.failed"; }

// A rule that fires on the provider's facts alone (80-provider-policy): it needs a failed login to apply.
bool provider_policy(const rules::Rule& r) {
  const auto& m = r.match;
  return !looks_at_reply(r) && (m.provider_account_password || m.provider_app_password || m.provider_oauth2 ||
                                m.provider_bridge || m.provider_access_default);
}

rules::MatchInput input_for(const Context& ctx, const ProbeResult& p, const std::string& text) {
  rules::MatchInput in = match_input(ctx, p);
  in.reply.lines.push_back(text);
  return in;
}

// The first rule, in file order, that `accept` allows and that matches at one of the stages the text can come from.
template <typename Accept>
std::pair<const rules::Rule*, std::string> first_rule(const Context& ctx, rules::MatchInput in, Accept accept) {
  static constexpr std::array<const char*, 4> kStages{"observed", "auth", "sender", "after_auth"};
  for (const auto& r : ctx.rules) {
    if (!accept(r)) continue;
    for (const char* stage : kStages) {
      in.stage = stage;
      if (rules::matches(r, in)) return {&r, stage};
    }
  }
  return {nullptr, {}};
}

// What the provider's policy says, as the finding's detail states it ("iCloud Mail refuses account passwords ...").
std::string policy_sentence(const kb::Provider& prov) {
  if (prov.bridge) return prov.name + " is reached through its Bridge, which has its own password";
  if (prov.oauth2 == "required") return prov.name + " accepts only OAuth2 sign-in from mail programs, no password";
  if (prov.account_password == "refused") {
    if (prov.app_password_policy == "with_2fa")
      return prov.name + " refuses account passwords from mail programs and wants an app password once 2-step verification is on";
    return prov.name + " refuses account passwords from mail programs";
  }
  if (prov.app_password_policy == "with_2fa") return prov.name + " wants an app password once 2-step verification is on";
  if (prov.app_password_policy == "required") return prov.name + " wants an app password from mail programs";
  if (prov.enable_access && prov.enable_access->default_state == "off")
    return "at " + prov.name + ", access by mail programs is off until it is switched on";
  return prov.name + "'s policy explains the refusal";
}

// The causes still open, most likely first: the rule's own ranking, then what the provider's policy allows.
nlohmann::json ranked_causes(const Finding& f, const kb::Provider* prov, bool add_policy) {
  std::vector<std::string> out{f.code};
  auto add = [&](const std::string& c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  if (auto it = f.params.find("possible_causes"); it != f.params.end() && it->is_array())
    for (const auto& c : *it)
      if (c.is_string()) add(c.get<std::string>());
  if (add_policy && prov) {
    if (prov->oauth2 == "required") add("auth.oauth_required");
    if (prov->account_password == "refused" || prov->app_password_policy == "required" || prov->app_password_policy == "with_2fa")
      add("auth.app_password_required");
    if (prov->enable_access && prov->enable_access->default_state == "off") add("auth.protocol_disabled");
    add("auth.wrong_password");
  }
  return out;
}

void add_inferred(Context& ctx, const ProbeResult& p, const rules::Rule& r, const std::string& stage, const std::string& basis,
                  const std::string& grounds) {
  Finding f = make_finding(r.code, r.severity, p, ctx, r.title, r.detail);
  f.rule = r.id;
  for (const auto& [k, v] : r.params.items())
    f.params[k] = v.is_string() ? nlohmann::json(fill(v.get<std::string>(), vars_for(ctx, p))) : v;
  f.params["stage"] = stage;
  f.params["from_observed_error"] = true;
  f.params["inferred"] = true;
  f.params["basis"] = basis;
  f.params["possible_causes"] = ranked_causes(f, ctx.provider, basis == "provider_policy");
  f.detail = grounds + " " + f.detail;
  f.evidence = {ctx.request.observed_error};
  f.fixes = resolve_fixes(r.fixes, ctx, p);
  ctx.add(std::move(f), kRankAuth - 1);
}

// Nothing known tells why the login failed: offer the one test that would settle it (CONTRACT 2.1).
void test_password_action(Context& ctx, const ProbeResult& p) {
  // The account's own security decides how the test login goes; never call a plain connection encrypted.
  const std::string how = p.endpoint.security == Security::none ? "over the configured connection, which is not encrypted"
                                                                : "over the configured encrypted connection";
  // An OAuth2 account has no password to test: the add-on asks Thunderbird's OAuth2 module for an access token.
  const bool oauth = p.endpoint.auth == AuthMethod::oauth2;
  Finding f = oauth ? make_finding("auth.not_tested", Severity::warning, p, ctx, "Test the sign-in once?",
                                   "Thunderbird could not log in to {host}, and nothing known about this server tells why: the "
                                   "login was not tried here. One test login with a fresh access token from Thunderbird's own "
                                   "sign-in (one attempt, " + how + ") would show the server's own answer.")
                    : make_finding("auth.not_tested", Severity::warning, p, ctx, "Test the saved password once?",
                                   "Thunderbird could not log in to {host}, and nothing known about this server tells why: the "
                                   "login was not tried here. One test login with the saved password (one attempt, " + how +
                                       ") would show the server's own answer.");
  f.params["observed_failure"] = true;
  f.params["action"] = oauth ? "test_token" : "test_password";
  f.params["inferred"] = true;
  f.params["basis"] = "observed_failure";
  f.params["from_observed_error"] = true;
  f.params["possible_causes"] = oauth ? nlohmann::json{"auth.oauth_signin_required", "auth.oauth_consent_required", "auth.protocol_disabled"}
                                      : nlohmann::json{"auth.wrong_password", "auth.username_format", "auth.app_password_required"};
  if (!p.login.reason.empty()) f.params["reason"] = p.login.reason;
  f.evidence = {ctx.request.observed_error};
  // It takes the place of the plain "not tested" note of the same server.
  ctx.out.erase(std::remove_if(ctx.out.begin(), ctx.out.end(),
                               [&](const Ranked& r) {
                                 return r.finding.code == "auth.not_tested" && r.finding.subject == p.endpoint.subject &&
                                        r.finding.params.value("host", std::string()) == p.endpoint.host;
                               }),
                ctx.out.end());
  ctx.add(std::move(f), kRankNotTested);
}

const ProbeResult* observed_target(const Context& ctx, const std::string& text) {
  const ProbeResult* target = nullptr;
  const bool mentions_smtp = kb::contains_nocase(text, "smtp") || kb::contains_nocase(text, "outgoing") ||
                             kb::contains_nocase(text, "sending");
  for (const auto& p : ctx.evidence.primary) {
    if (p.login.status != LoginEvidence::Status::not_attempted || p.broke_off.happened) continue;
    if (mentions_smtp ? p.endpoint.subject != Subject::outgoing : p.endpoint.subject == Subject::outgoing) continue;
    if (kb::contains_nocase(text, p.endpoint.host) || !target) target = &p;
  }
  if (target) return target;
  for (const auto& p : ctx.evidence.primary)
    if (p.login.status == LoginEvidence::Status::not_attempted && !p.broke_off.happened) return &p;
  return nullptr;
}

}  // namespace

void observed_error_findings(Context& ctx) {
  const std::string& text = ctx.request.observed_error;
  if (text.empty()) return;
  const ProbeResult* target = observed_target(ctx, text);
  if (!target) return;
  const ProbeResult& p = *target;
  // Only a server that was reached can be judged: a DNS or connection failure already explains what Thunderbird saw.
  const bool reached = std::none_of(ctx.out.begin(), ctx.out.end(), [&](const Ranked& r) {
    return r.finding.subject == p.endpoint.subject && r.finding.severity == Severity::error;
  });
  // A failed proxy (net.proxy_failed, subject account) means the server was never reached either.
  if (!reached || p.connect.status == ConnectEvidence::Status::proxy_failed) return;

  const bool thunderbird_login_failed = thunderbird_says_login_failed(text);
  // Rules judge the server's words only: Thunderbird's own sentences ("... try again.") are not a server reply. A
  // text in none of Thunderbird's forms is taken as the server's words as they are.
  std::string words = server_words(text);
  if (words.empty() && !thunderbird_login_failed) words = text;
  rules::MatchInput in = input_for(ctx, p, words);
  if (words.empty()) in.reply = {};

  // 1. Explicit server words ([ALERT] texts, [WEBALERT], 5.7.9, ...) name the cause themselves.
  if (auto [r, stage] = first_rule(ctx, in, [](const rules::Rule& x) { return looks_at_reply(x) && !generic_credentials(x); }); r) {
    add_inferred(ctx, p, *r, stage, "server_words",
                 "This rests on the server's own words in Thunderbird's message; the login was not tried here.");
    return;
  }
  const auto [generic, generic_stage] = first_rule(ctx, in, [](const rules::Rule& x) { return looks_at_reply(x) && generic_credentials(x); });
  const bool login_failed = thunderbird_login_failed || generic != nullptr;
  if (!login_failed) return;

  // 2. The provider's policy explains a failed login better than a generic "authentication failed".
  if (ctx.provider) {
    rules::MatchInput policy_in = in;
    policy_in.reply = {};
    if (auto [r, stage] = first_rule(ctx, policy_in, provider_policy); r) {
      add_inferred(ctx, p, *r, stage, "provider_policy",
                   "The login was not tried here; " + policy_sentence(*ctx.provider) + ".");
      return;
    }
  }
  // 3. The server's generic refusal, when Thunderbird quoted it.
  if (generic && !words.empty()) {
    add_inferred(ctx, p, *generic, generic_stage, "server_words",
                 "This rests on the server's own words in Thunderbird's message; the login was not tried here.");
    return;
  }
  // 4. Nothing tells the causes apart: the one test login would.
  test_password_action(ctx, p);
}

}  // namespace maildoctor::diagnose

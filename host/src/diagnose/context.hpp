#pragma once
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "diagnose/clock_evidence.hpp"
#include "maildoctor/diagnosis.hpp"
#include "maildoctor/kb.hpp"
#include "maildoctor/rules.hpp"

// Shared by the diagnose stage's parts; not a public interface.
namespace maildoctor::diagnose {

// Within a subject findings are sorted by the step they come from: an earlier step is the likelier root cause
// (a DNS failure explains everything after it). Rule findings sit just before the structural ones of their step.
enum Rank : int {
  kRankConnect = 10,
  kRankTls = 30,
  kRankGreeting = 40,
  kRankAuth = 60,
  kRankMailbox = 70,
  kRankSender = 80,
  kRankAlternative = 85,
  kRankProvider = 90,
  kRankNotTested = 95,
};

struct Ranked {
  Finding finding;
  int rank = 0;
};

using Vars = std::map<std::string, std::string>;

struct Context {
  const Request& request;
  const Evidence& evidence;
  const kb::Provider* provider = nullptr;
  const std::vector<rules::Rule>& rules;
  std::vector<Ranked> out;
  // What may become a one-click fix (see fix_guard.cpp): whether the provider was recognised from authenticated data,
  // and the host names an independent trusted source publishes for this account (lower case -> that source).
  bool provider_trusted = false;
  std::string provider_basis;  // how the provider was recognised, for the reason a fix was withheld
  std::map<std::string, std::string> confirmed_hosts;
  // This computer's clock, when the evidence shows it is off (config.clock_wrong): certificate dates it explains are
  // not the server's fault. now: the local clock the diagnosis judges by.
  std::optional<ClockSkew> clock;
  std::time_t now = 0;

  void add(Finding f, int rank) { out.push_back({std::move(f), rank}); }
};

// {name} placeholders filled from vars; unknown placeholders are left as written.
std::string fill(const std::string& text, const Vars& vars);
Vars vars_for(const Context& ctx, const ProbeResult& p);
// Thunderbird can sign in to this probe's server with OAuth2 (provider data, oauth2.thunderbird and hosts).
bool oauth2_usable(const Context& ctx, const ProbeResult& p);
nlohmann::json params_for(const Context& ctx, const ProbeResult& p);

Finding make_finding(const std::string& code, Severity severity, const ProbeResult& p, const Context& ctx, std::string title,
                     std::string detail);

// Fix templates of a rule made concrete for one probe (provider pages, published settings).
std::vector<Fix> resolve_fixes(const std::vector<rules::FixTemplate>& templates, const Context& ctx, const ProbeResult& p);
std::vector<Fix> provider_settings_fixes(const Context& ctx, const ProbeResult& p);
Fix change_setting(Subject subject, const std::string& setting, nlohmann::json value, std::string label = {});

// Tries the rules on one reply; adds the finding and returns true when one matched.
// What the rules see of one probe: its endpoint, capabilities, the provider and Thunderbird's text; stage and reply
// are the caller's.
rules::MatchInput match_input(const Context& ctx, const ProbeResult& p);
bool apply_rules(Context& ctx, const ProbeResult& p, const std::string& stage, const Reply& reply, int rank);

// The steps of one probe, in order; each returns false when the dialogue stopped there.
bool network_findings(Context& ctx, const ProbeResult& p);
bool tls_findings(Context& ctx, const ProbeResult& p);
bool greeting_findings(Context& ctx, const ProbeResult& p);
void login_findings(Context& ctx, const ProbeResult& p);
void alternative_findings(Context& ctx, const ProbeResult& p);
void provider_settings_finding(Context& ctx, const ProbeResult& p, bool failed);
// Announced cut-offs (host/data/cutoffs) for the probed endpoints: a warning before the date (config.cutoff_ahead),
// the cause named on a refused login from the date on. `now` is the local clock that decides before and after.
void cutoff_findings(Context& ctx, std::time_t now);
// config.clock_wrong from ctx.clock, first of all findings: the one cause that makes sound certificates look bad.
void clock_findings(Context& ctx);
// OAuth2 accounts: a refused login judged with the server's decoded XOAUTH2/OAUTHBEARER challenge; the failure of
// Thunderbird's token refresh (endpoint oauth_error) when no token came. Each returns true when it added a finding.
bool oauth_refused(Context& ctx, const ProbeResult& p);
bool oauth_token_findings(Context& ctx, const ProbeResult& p);
// The JSON object of a server's OAuth2 failure challenge in a login reply, or null.
nlohmann::json oauth_failure_challenge(Protocol protocol, const Reply& reply);
// The credential-free probe of an EWS account's URL: DNS, connection and certificate findings as for the mail probes,
// then the sign-in schemes offered (ews.*), and the configured method not among them (auth.oauth_required,
// auth.mechanism_unsupported).
void ews_findings(Context& ctx);
// A server the account lacks (options.discover_missing): what its trusted sources publish, probed without credentials,
// as config.server_missing with params.replacement (never a change_setting: there is no server to change).
void missing_server_findings(Context& ctx);
// The cause of the failure Thunderbird reported, for a server whose login was not tried here (CONTRACT 2.1).
void observed_error_findings(Context& ctx);

// The one gate every fix passes before the result is built: no fix lowers security (security none, a clear-text
// authentication method), names a host no independent source confirms, or rests on a provider recognised from
// unauthenticated data. Withheld fixes are listed in the finding's params ("withheld_fixes") with the reason.
void guard_fixes(Context& ctx);
// Why one fix of a finding may not be offered; empty when it may.
std::string fix_refusal(const Context& ctx, const Finding& finding, const Fix& fix);
// The configured (or discovered) endpoint of a subject, if the request has one.
const Endpoint* endpoint_of(const Request& request, Subject subject);

// Alternatives probed for the same server as p (same subject and host), excluding p's own port+security.
std::vector<const ProbeResult*> alternatives_of(const Context& ctx, const ProbeResult& p);
bool reached_server(const ProbeResult& alt);  // TLS (when used), greeting and capabilities all worked

}  // namespace maildoctor::diagnose

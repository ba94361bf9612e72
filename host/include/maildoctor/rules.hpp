#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "maildoctor/evidence.hpp"
#include "maildoctor/kb.hpp"
#include "maildoctor/types.hpp"

// Rules as data: host/data/rules/*.json (schema in docs/KNOWLEDGE.md), embedded, tried in file-name order and
// then in the order written; the first rule that matches a server reply names its cause.
namespace maildoctor::rules {

// Where in a dialogue a reply came from.
//   greeting: the server's first words; connect: DNS or TCP failed (the text is the error);
//   auth: the answer to the login; after_auth: the answer to selecting the INBOX / STAT;
//   sender: the answer to MAIL FROM / RCPT TO; observed: the text Thunderbird showed, when no login ran here;
//   token: what Thunderbird's OAuth2 module said when it could not get an access token (the endpoint's oauth_error).
inline constexpr const char* kStages[] = {"greeting", "connect", "auth", "after_auth", "sender", "observed", "token"};

struct Match {
  std::vector<std::string> protocols;       // imap | pop3 | smtp
  std::vector<std::string> stages;          // kStages; empty = auth
  std::vector<int> codes;                   // SMTP reply codes
  std::vector<std::string> enhanced;        // RFC 3463: "5.7.8", or a prefix such as "5.7"
  std::vector<std::string> response_codes;  // IMAP RFC 5530 / POP3 RFC 2449, RFC 3206, without brackets
  std::vector<std::string> statuses;        // NO | BAD | BYE | -ERR ...
  std::vector<std::string> text_any;        // case-insensitive substrings; one must occur
  std::vector<std::string> text_all;        // every one must occur
  std::vector<std::string> text_none;       // none may occur
  std::vector<std::string> observed_any;    // substrings of the request's observed_error
  std::vector<std::string> mechanisms_any;  // one of these SASL mechanisms is advertised
  bool oauth_only = false;                  // the server advertises only XOAUTH2 / OAUTHBEARER
  std::vector<std::string> providers;       // detected provider ids
  std::vector<std::string> not_providers;
  std::vector<std::string> auth_methods;    // configured: password | password-encrypted | oauth2 ...
  std::vector<std::string> securities;      // configured: tls | starttls | none
  std::vector<std::string> host_suffixes;   // configured server host ends with one of these
  std::vector<std::string> not_host_suffixes;
  std::optional<std::string> provider_account_password;  // provider auth.account_password
  std::optional<std::string> provider_app_password;      // provider auth.app_password
  std::optional<std::string> provider_oauth2;            // provider auth.oauth2
  std::optional<bool> provider_bridge;
  std::optional<std::string> provider_access_default;    // provider enable_access.default (on | off | unknown)
};

// A fix as written in a rule; provider kinds are filled in from the detected provider's file.
//   open_url, steps, change_setting: literal
//   app_password, enable_access: the provider's page and steps
//   provider_settings: change_setting fixes towards the provider's published server for this subject
struct FixTemplate {
  std::string kind;
  std::string label;
  std::string url;
  std::vector<std::string> steps;
  std::string setting;
  nlohmann::json value;
};

// A wait the server names in its reply ("Suggested Backoff Time: 299910 milliseconds"): the number right after one of
// the markers, read in the unit, becomes the finding's params.wait_seconds, so that the user is told how long.
struct WaitSpec {
  std::vector<std::string> after;  // case-insensitive markers the number follows
  int unit_ms = 1000;              // milliseconds: 1, seconds: 1000, minutes: 60000
};

struct Rule {
  std::string id;
  Match match;
  std::string code;
  Severity severity = Severity::error;
  std::string title;   // {provider} {host} {port} {protocol} {security} {username} {email} are filled in
  std::string detail;
  nlohmann::json params = nlohmann::json::object();
  std::vector<FixTemplate> fixes;
  std::optional<WaitSpec> wait;
  std::vector<std::string> sources;  // where the reply text was seen in public
  std::string file;
};

std::optional<Rule> parse_rule(const nlohmann::json& j, std::vector<std::string>& errors);

const std::vector<Rule>& rules();
const std::vector<kb::LoadProblem>& rule_problems();
// CI checks: unique ids, known finding codes and stages, https URLs, at least one condition per rule.
std::vector<kb::LoadProblem> validate_rules(const std::vector<Rule>& all);

// Everything a rule can look at, for one reply of one probe.
struct MatchInput {
  Protocol protocol = Protocol::imap;
  std::string stage;
  Reply reply;  // for connect/observed: one line holding the error / observed text
  std::vector<std::string> mechanisms;
  const kb::Provider* provider = nullptr;
  AuthMethod auth = AuthMethod::password;
  Security security = Security::tls;
  std::string host;
  std::string observed_error;
};

bool matches(const Rule& rule, const MatchInput& in);
const Rule* first_match(const std::vector<Rule>& all, const MatchInput& in);

// The wait a reply names, in whole seconds rounded up, when a marker of the spec is followed by a number.
std::optional<long long> wait_seconds(const WaitSpec& spec, const std::string& text);

// The server offers SASL mechanisms, and every one of them is an OAuth2 flavour: a password cannot log in.
bool oauth_only(const std::vector<std::string>& mechanisms);

// The codes a Reply may not have parsed (servers vary): SMTP code, enhanced code and bracketed response code,
// taken from the text when the fields are empty.
int reply_code(const Reply& r);
std::string enhanced_code(const Reply& r);
std::string response_code(const Reply& r);

}  // namespace maildoctor::rules

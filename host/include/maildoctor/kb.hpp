#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "maildoctor/evidence.hpp"
#include "maildoctor/request.hpp"
#include "maildoctor/types.hpp"

// Provider knowledge: one data file per provider (host/data/providers/<id>.json, schema in docs/KNOWLEDGE.md),
// embedded into the binary and loaded once.
namespace maildoctor::kb {

// One published server; username is a template (%EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%).
struct ServerSetting {
  Protocol protocol = Protocol::imap;
  std::string host;
  std::uint16_t port = 0;
  Security security = Security::tls;
  std::string username;
};

struct HowTo {
  std::string url;  // https
  std::vector<std::string> steps;
};

struct EnableAccess : HowTo {
  std::string default_state = "unknown";  // on | off | unknown
  // The provider's own words when access is off. Explicit wording outranks the default: where the provider has
  // such words, a refusal without them is not taken for access switched off.
  std::vector<std::string> off_words;
};

struct Source {
  std::string fact;
  std::string url;
};

struct Provider {
  std::string id;
  std::string name;
  std::vector<std::string> domains;
  std::vector<std::string> mx_suffixes;
  std::vector<std::string> host_suffixes;
  std::vector<std::string> banner_patterns;
  std::vector<ServerSetting> incoming;
  std::vector<ServerSetting> outgoing;
  std::string account_password = "unknown";  // refused | accepted | unknown
  std::string app_password_policy = "unknown";  // required | with_2fa | none | unknown
  std::string oauth2 = "none";                // required | supported | none
  bool bridge = false;
  // Whether Thunderbird itself can sign in to this provider with OAuth2 (its built-in OAuth2Providers list), and
  // for which server host suffixes. Only then may a fix switch the account to OAuth2: elsewhere it breaks the account.
  bool oauth2_thunderbird = false;
  std::vector<std::string> oauth2_hosts;
  std::string oauth2_source;
  std::optional<HowTo> app_password;
  std::optional<EnableAccess> enable_access;
  std::vector<std::string> notes;
  std::vector<Source> sources;
  std::string file;  // the data file it came from
};

// Parses one provider document. Unknown fields are ignored so the schema can grow; a missing or mistyped
// required field makes it nullopt with the reasons in errors.
std::optional<Provider> parse_provider(const nlohmann::json& j, std::vector<std::string>& errors);

struct LoadProblem {
  std::string file;
  std::string message;
};

// Every embedded provider that parsed, in file-name order, and what went wrong with the rest.
const std::vector<Provider>& providers();
const std::vector<LoadProblem>& provider_problems();
const Provider* find_provider(const std::string& id);

// True when Thunderbird has built-in OAuth2 for this provider and `host` lies under one of its OAuth2 hosts.
bool thunderbird_oauth2(const Provider* provider, const std::string& host);

// Strict checks for CI on top of parsing: unique ids, https URLs, no e-mail domain claimed twice, ports set.
std::vector<LoadProblem> validate_providers(const std::vector<Provider>& all);

// Which provider the account belongs to, by e-mail domain, server host names, MX hosts and greeting banners,
// in that order of trust.
struct Detection {
  const Provider* provider = nullptr;
  std::string by;      // domain | host | mx | banner
  std::string detail;  // the name or text that matched
  // The match rests on what the user chose (the address, a configured host) or on a greeting received inside a
  // verified implicit-TLS connection. MX answers and a greeting before TLS are unauthenticated: such a provider may
  // be named, but nothing it implies becomes a fix.
  bool authenticated = false;
};
Detection detect_provider(const Request& request, const Evidence& evidence);
Detection detect_provider(const std::vector<Provider>& among, const Request& request, const Evidence& evidence);

// The settings a provider publishes for an e-mail domain (for discovery). Usernames are expanded when an
// address is given, else left as templates.
struct PublishedSettings {
  const Provider* provider = nullptr;
  std::vector<Endpoint> incoming;
  std::vector<Endpoint> outgoing;
};
std::optional<PublishedSettings> settings_for_domain(const std::string& domain, const std::string& email = {});

// %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% in a user or host name template replaced from the address, in one
// pass (an address may itself hold a "%"). Without an address the template is returned as it is.
std::string expand_email_placeholders(std::string_view pattern, const std::string& email);

// True when host equals suffix or ends with "." + suffix (case-insensitive).
bool host_has_suffix(const std::string& host, const std::string& suffix);

}  // namespace maildoctor::kb

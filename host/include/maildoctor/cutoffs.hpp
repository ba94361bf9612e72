#pragma once
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "maildoctor/kb.hpp"
#include "maildoctor/request.hpp"
#include "maildoctor/types.hpp"

// Announced cut-offs: dates on which a provider stops accepting a way of logging in (host/data/cutoffs/<id>.json,
// schema in docs/KNOWLEDGE.md), embedded into the binary like the provider files.
namespace maildoctor::kb {

// Which account settings a cut-off hits. Every given key must hold; a list means "one of".
struct CutoffMatch {
  std::vector<Protocol> protocols;
  std::vector<AuthMethod> auth;
  std::vector<std::string> hosts;        // configured server host suffixes (label boundaries)
  std::vector<std::string> domains;      // the address's domain must be one of these ...
  std::vector<std::string> not_domains;  // ... and none of these; "provider" stands for the e-mail domains of the cut-off's provider, "provider:<id>" for another's
};

struct Cutoff {
  std::string id;
  std::string provider;    // id of a provider file: its name is shown, its OAuth2 data decides an OAuth2 fix
  std::string title;       // what ends, e.g. "Basic authentication for SMTP AUTH"
  std::string date;        // YYYY-MM-DD, the first day on which it no longer works
  std::string date_text;   // the source's own words when it names no exact day ("the end of December 2026")
  std::string date_note;   // why this day was chosen when the source names none
  std::string breaks;      // what stops working, for the user
  std::optional<CutoffMatch> match;  // absent: no Thunderbird setting shows who is hit (then no_match says why)
  std::string no_match;
  std::vector<std::string> fix_steps;
  std::string fix_url;     // https, the provider's own page for the fix
  bool fix_oauth2 = false; // the fix is a switch to OAuth2 (offered only where Thunderbird can sign in there)
  std::vector<Source> sources;
  std::string file;
};

std::optional<Cutoff> parse_cutoff(const nlohmann::json& j, std::vector<std::string>& errors);

// Every embedded cut-off that parsed, in file-name order, and what went wrong with the rest.
const std::vector<Cutoff>& cutoffs();
const std::vector<LoadProblem>& cutoff_problems();

// Strict checks for CI: unique ids named as their files, a real calendar date, a known provider, https sources and
// fix URL, a match or the reason there is none, an OAuth2 fix only for a provider Thunderbird can sign in to.
std::vector<LoadProblem> validate_cutoffs(const std::vector<Cutoff>& all, const std::vector<Provider>& among);

// Whether an endpoint of the account with this address is hit by the cut-off (never when it has no match).
bool cutoff_matches(const Cutoff& c, const Endpoint& endpoint, const std::string& email,
                    const std::vector<Provider>& among = providers());

// The local calendar day of `now` as YYYY-MM-DD: the user's clock decides "before" and "after".
std::string local_date(std::time_t now);
// Whole days from the local day `today` to the cut-off's date (negative once it has passed); nullopt for a bad date.
std::optional<long> days_until(const std::string& date, const std::string& today);

}  // namespace maildoctor::kb

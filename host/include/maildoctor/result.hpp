#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "maildoctor/types.hpp"

namespace maildoctor {

enum class CheckStatus { pass, fail, skip };
std::string_view to_string(CheckStatus);

// One finished step of one probe; also the payload of a progress message.
struct Check {
  Subject subject = Subject::incoming;
  std::string step;    // dns | connect | tls | greeting | capabilities | starttls | auth | mailbox | sender | discover
  CheckStatus status = CheckStatus::skip;
  int ms = 0;
  std::string detail;
  std::string target;  // "host:port security", names the probe
  bool alternative = false;
};

struct TranscriptEntry {
  Subject subject = Subject::incoming;
  char dir = '*';  // C client, S server, * note
  int ms = 0;
  std::string line;
  std::string target;
};

struct Fix {
  std::string kind;  // open_url | change_setting | steps | oauth_signin (Thunderbird's own sign-in for subject)
  std::string label;
  std::string url;                       // open_url
  std::optional<Subject> subject;        // change_setting, oauth_signin
  std::string setting;                   // change_setting: port | security | auth | host | username
  nlohmann::json value;                  // change_setting
  std::vector<std::string> steps;        // steps
  // Not serialised: the fix exists only because of the detected provider (its data, or a rule that fires on it).
  // The fix guard drops such fixes when the provider was recognised from unauthenticated data.
  bool from_provider = false;
};

struct Finding {
  std::string code;
  Severity severity = Severity::error;
  Subject subject = Subject::account;
  std::string title;
  std::string detail;
  std::vector<std::string> evidence;
  std::vector<Fix> fixes;
  nlohmann::json params = nlohmann::json::object();  // what the add-on needs to localize the text by code
  std::string rule;                                   // id of the rule that produced it, when one did
};

struct ProviderRef {
  std::string id;
  std::string name;
};

struct Result {
  std::string verdict = "inconclusive";  // ok | problem | inconclusive
  std::optional<ProviderRef> provider;
  std::vector<Finding> findings;
  std::vector<Check> checks;
  std::vector<TranscriptEntry> transcript;
  int elapsed_ms = 0;
  nlohmann::json discovery;  // where each discovered setting came from (null when nothing was discovered)
  // Discovered servers that nothing the user chose or authenticated vouches for (null when nothing was discovered):
  // they got no credentials unless the user confirmed them (CONTRACT section 2, "candidates").
  nlohmann::json candidates;
};

nlohmann::json to_json(const Check&);
nlohmann::json to_json(const TranscriptEntry&);
nlohmann::json to_json(const Fix&);
nlohmann::json to_json(const Finding&);
nlohmann::json to_json(const Result&);

}  // namespace maildoctor

#include <algorithm>
#include <cctype>

#include "kb/text.hpp"
#include "maildoctor/rules.hpp"
#include "transcript/reply_parser.hpp"

namespace maildoctor::rules {
namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }

template <typename List, typename Pred>
bool any_of(const List& l, Pred p) {
  return std::any_of(l.begin(), l.end(), p);
}

bool in(const std::vector<std::string>& list, std::string_view v) {
  return list.empty() || any_of(list, [&](const std::string& s) { return s == v; });
}
}  // namespace

int reply_code(const Reply& r) {
  if (r.code != 0) return r.code;
  if (r.lines.empty()) return 0;
  const std::string& l = r.lines.back();
  if (l.size() >= 3 && is_digit(l[0]) && is_digit(l[1]) && is_digit(l[2]) && (l.size() == 3 || l[3] == ' ' || l[3] == '-'))
    return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
  return 0;
}

std::string enhanced_code(const Reply& r) {
  if (!r.enhanced.empty()) return r.enhanced;
  for (const auto& l : r.lines)
    for (std::size_t i = 0; i < l.size(); ++i)
      if ((i == 0 || l[i - 1] == ' ' || l[i - 1] == '-' || l[i - 1] == '(' || l[i - 1] == '#') && is_digit(l[i])) {
        std::string e = transcript::enhanced_code_at(l, i);
        if (!e.empty()) return e;
      }
  return {};
}

std::string response_code(const Reply& r) {
  if (!r.response_code.empty()) return r.response_code;
  for (auto it = r.lines.rbegin(); it != r.lines.rend(); ++it) {
    const auto open = it->find('[');
    if (open == std::string::npos) continue;
    const auto close = it->find_first_of("] ", open + 1);
    if (close == std::string::npos || close == open + 1) continue;
    std::string code = it->substr(open + 1, close - open - 1);
    for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return code;
  }
  return {};
}

bool matches(const Rule& rule, const MatchInput& in_) {
  const Match& m = rule.match;
  if (!in(m.protocols, to_string(in_.protocol))) return false;
  if (m.stages.empty() ? in_.stage != "auth" : !in(m.stages, in_.stage)) return false;
  if (!in(m.auth_methods, to_string(in_.auth))) return false;
  if (!in(m.securities, to_string(in_.security))) return false;

  const std::string pid = in_.provider ? in_.provider->id : std::string();
  if (!m.providers.empty() && !in(m.providers, pid)) return false;
  if (!m.not_providers.empty() && !pid.empty() && any_of(m.not_providers, [&](const std::string& p) { return p == pid; })) return false;
  if (m.provider_account_password && (!in_.provider || in_.provider->account_password != *m.provider_account_password)) return false;
  if (m.provider_app_password && (!in_.provider || in_.provider->app_password_policy != *m.provider_app_password)) return false;
  if (m.provider_oauth2 && (!in_.provider || in_.provider->oauth2 != *m.provider_oauth2)) return false;
  if (m.provider_bridge && (in_.provider ? in_.provider->bridge : false) != *m.provider_bridge) return false;
  if (m.provider_access_default &&
      (!in_.provider || !in_.provider->enable_access || in_.provider->enable_access->default_state != *m.provider_access_default))
    return false;
  if (m.provider_access_default && *m.provider_access_default == "off") {
    // The provider says so in its own words when access is off: a generic refusal without them is something else.
    const auto& words = in_.provider->enable_access->off_words;
    const std::string said = in_.reply.words();
    if (!words.empty() && !any_of(words, [&](const std::string& w) { return kb::contains_nocase(said, w); })) return false;
  }
  if (!m.host_suffixes.empty() && !any_of(m.host_suffixes, [&](const std::string& s) { return kb::host_has_suffix(in_.host, s); }))
    return false;
  if (any_of(m.not_host_suffixes, [&](const std::string& s) { return kb::host_has_suffix(in_.host, s); })) return false;

  if (!m.codes.empty()) {
    const int c = reply_code(in_.reply);
    if (!any_of(m.codes, [&](int x) { return x == c; })) return false;
  }
  if (!m.enhanced.empty()) {
    const std::string e = enhanced_code(in_.reply);
    if (e.empty() || !any_of(m.enhanced, [&](const std::string& x) {
          return e == x || (e.size() > x.size() && e.compare(0, x.size(), x) == 0 && e[x.size()] == '.');
        }))
      return false;
  }
  if (!m.response_codes.empty() && !in(m.response_codes, response_code(in_.reply))) return false;
  if (!m.statuses.empty()) {
    std::string st = in_.reply.status;
    for (auto& c : st) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!in(m.statuses, st)) return false;
  }
  const std::string text = kb::lower(in_.reply.words());
  auto has = [&](const std::string& p) { return text.find(kb::lower(p)) != std::string::npos; };
  if (!m.text_any.empty() && !any_of(m.text_any, has)) return false;
  if (!std::all_of(m.text_all.begin(), m.text_all.end(), has)) return false;
  if (any_of(m.text_none, has)) return false;
  if (!m.observed_any.empty() &&
      !any_of(m.observed_any, [&](const std::string& p) { return kb::contains_nocase(in_.observed_error, p); }))
    return false;
  if (!m.mechanisms_any.empty() &&
      !any_of(m.mechanisms_any, [&](const std::string& x) { return any_of(in_.mechanisms, [&](const std::string& y) { return x == y; }); }))
    return false;
  if (m.oauth_only && !oauth_only(in_.mechanisms)) return false;
  return true;
}

bool oauth_only(const std::vector<std::string>& mechanisms) {
  if (mechanisms.empty()) return false;
  for (const auto& mech : mechanisms)
    if (mech != "XOAUTH2" && mech != "OAUTHBEARER" && mech != "XOAUTH") return false;
  return true;
}

const Rule* first_match(const std::vector<Rule>& all, const MatchInput& in_) {
  for (const auto& r : all)
    if (matches(r, in_)) return &r;
  return nullptr;
}

std::optional<long long> wait_seconds(const WaitSpec& spec, const std::string& text) {
  const std::string hay = kb::lower(text);
  for (const auto& marker : spec.after) {
    auto at = hay.find(kb::lower(marker));
    if (at == std::string::npos) continue;
    at += marker.size();
    while (at < hay.size() && (hay[at] == ' ' || hay[at] == '\t')) ++at;
    long long n = 0;
    std::size_t digits = 0;
    // Twelve digits are more than any real wait; a longer run is not a time.
    for (; at < hay.size() && std::isdigit(static_cast<unsigned char>(hay[at])) && digits < 13; ++at, ++digits)
      n = n * 10 + (hay[at] - '0');
    if (digits == 0 || digits > 12) continue;
    return (n * spec.unit_ms + 999) / 1000;
  }
  return std::nullopt;
}

}  // namespace maildoctor::rules

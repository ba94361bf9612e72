// Rule matching: server replies are attacker-controlled text. Against the real embedded rules and provider
// knowledge, two oracles that do not reuse the matcher's own logic:
//  - planted: pick a rule, build an input that satisfies each of its conditions as the rule schema
//    (docs/KNOWLEDGE.md) defines them; then that rule matches and first_match returns it or an earlier rule;
//  - necessary conditions: whatever first_match returns, for a planted or an arbitrary input, fulfils the
//    conditions this file can judge on its own (protocol, stage, configuration, status, texts, mechanisms, host).
// Classifying evidence made of arbitrary replies yields findings that each carry a code and a title, and a result
// that serialises. Every enum value comes from tests/fuzz/enum_values.hpp, which a unit test ties to the enums.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enum_values.hpp"
#include "maildoctor/diagnosis.hpp"
#include "maildoctor/kb.hpp"
#include "maildoctor/rules.hpp"

using namespace maildoctor;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

Reply fuzz_reply(FuzzedDataProvider& fdp, Protocol p) {
  Reply r;
  const int n = fdp.ConsumeIntegralInRange<int>(0, 6);
  for (int i = 0; i < n; ++i) r.lines.push_back(fdp.ConsumeRandomLengthString(300));
  if (p == Protocol::smtp) r.code = fdp.ConsumeIntegralInRange<int>(0, 999);
  r.status = fdp.ConsumeRandomLengthString(8);
  r.enhanced = fdp.ConsumeRandomLengthString(10);
  r.response_code = fdp.ConsumeRandomLengthString(24);
  return r;
}

template <typename E, std::size_t N>
E pick(FuzzedDataProvider& fdp, const std::array<E, N>& values) {
  return values[fdp.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

// The oracle's own text helpers: ASCII case folding, as the schema says matching ignores case.
std::string folded(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}
bool contains_folded(const std::string& haystack, const std::string& needle) {
  return folded(haystack).find(folded(needle)) != std::string::npos;
}
std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (std::size_t i = 0; i < lines.size(); ++i) all += (i ? "\n" : "") + lines[i];
  return all;
}
// Necessary for "host ends with the domain suffix" in any reading: the folded host, trailing dots dropped, ends so.
bool ends_with_folded(std::string host, const std::string& suffix) {
  host = folded(host);
  while (!host.empty() && host.back() == '.') host.pop_back();
  const std::string s = folded(suffix);
  return !s.empty() && host.size() >= s.size() && host.compare(host.size() - s.size(), s.size(), s) == 0;
}
template <typename List, typename T>
bool listed(const List& list, const T& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}
bool is_oauth(const std::string& m) { return m == "XOAUTH2" || m == "OAUTHBEARER" || m == "XOAUTH"; }

// What any rule that matched must fulfil, judged without the matcher.
void require_necessary(const rules::Rule& rule, const rules::MatchInput& in) {
  const rules::Match& m = rule.match;
  require(m.protocols.empty() || listed(m.protocols, std::string(to_string(in.protocol))));
  require(m.stages.empty() ? in.stage == "auth" : listed(m.stages, in.stage));
  require(m.securities.empty() || listed(m.securities, std::string(to_string(in.security))));
  require(m.auth_methods.empty() || listed(m.auth_methods, std::string(to_string(in.auth))));
  if (!m.providers.empty()) require(in.provider && listed(m.providers, in.provider->id));
  if (in.provider) require(!listed(m.not_providers, in.provider->id));
  if (m.provider_bridge && *m.provider_bridge) require(in.provider && in.provider->bridge);
  if (!m.statuses.empty()) {
    std::string st = in.reply.status;
    for (auto& c : st) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    require(listed(m.statuses, st));
  }
  const std::string text = joined(in.reply.lines);
  if (!m.text_any.empty())
    require(std::any_of(m.text_any.begin(), m.text_any.end(), [&](const std::string& t) { return contains_folded(text, t); }));
  for (const auto& t : m.text_all) require(contains_folded(text, t));
  for (const auto& t : m.text_none) require(!contains_folded(text, t));
  if (!m.observed_any.empty())
    require(std::any_of(m.observed_any.begin(), m.observed_any.end(),
                        [&](const std::string& t) { return contains_folded(in.observed_error, t); }));
  if (!m.mechanisms_any.empty())
    require(std::any_of(m.mechanisms_any.begin(), m.mechanisms_any.end(), [&](const std::string& x) { return listed(in.mechanisms, x); }));
  if (m.oauth_only) require(!in.mechanisms.empty() && std::all_of(in.mechanisms.begin(), in.mechanisms.end(), is_oauth));
  if (!m.host_suffixes.empty())
    require(std::any_of(m.host_suffixes.begin(), m.host_suffixes.end(), [&](const std::string& x) { return ends_with_folded(in.host, x); }));
}

bool provider_fits(const rules::Match& m, const kb::Provider& p) {
  if (!m.providers.empty() && !listed(m.providers, p.id)) return false;
  if (listed(m.not_providers, p.id)) return false;
  if (m.provider_account_password && p.account_password != *m.provider_account_password) return false;
  if (m.provider_app_password && p.app_password_policy != *m.provider_app_password) return false;
  if (m.provider_oauth2 && p.oauth2 != *m.provider_oauth2) return false;
  if (m.provider_bridge && p.bridge != *m.provider_bridge) return false;
  if (m.provider_access_default && (!p.enable_access || p.enable_access->default_state != *m.provider_access_default)) return false;
  return true;
}

// An input built to satisfy every condition of `rule`, with fuzzed noise where a condition leaves room; nullopt
// when the rule's conditions cannot all be met together (e.g. a wanted text that contains an unwanted one).
std::optional<rules::MatchInput> planted(FuzzedDataProvider& fdp, const rules::Rule& rule) {
  const rules::Match& m = rule.match;
  rules::MatchInput in;
  const auto protocol = m.protocols.empty() ? std::optional(pick(fdp, fuzz_enums::kProtocols)) : parse_protocol(m.protocols.front());
  const auto security = m.securities.empty() ? std::optional(pick(fdp, fuzz_enums::kSecurities)) : parse_security(m.securities.front());
  const auto auth = m.auth_methods.empty() ? std::optional(pick(fdp, fuzz_enums::kAuthMethods)) : parse_auth_method(m.auth_methods.front());
  if (!protocol || !security || !auth) return std::nullopt;
  in.protocol = *protocol;
  in.security = *security;
  in.auth = *auth;
  in.stage = m.stages.empty() ? "auth" : m.stages.front();

  const bool wants_provider = !m.providers.empty() || m.provider_account_password || m.provider_app_password ||
                              m.provider_oauth2 || (m.provider_bridge && *m.provider_bridge) || m.provider_access_default;
  if (wants_provider) {
    for (const auto& p : kb::providers())
      if (provider_fits(m, p)) {
        in.provider = &p;
        break;
      }
    if (!in.provider) return std::nullopt;
  }

  if (!m.codes.empty()) in.reply.code = m.codes.front();
  if (!m.enhanced.empty()) in.reply.enhanced = m.enhanced.front();
  if (!m.response_codes.empty()) in.reply.response_code = m.response_codes.front();
  in.reply.status = m.statuses.empty() ? fdp.ConsumeRandomLengthString(8) : m.statuses.front();
  in.reply.lines = m.text_all;
  if (!m.text_any.empty()) in.reply.lines.push_back(m.text_any[fdp.ConsumeIntegralInRange<std::size_t>(0, m.text_any.size() - 1)]);
  const int noise = fdp.ConsumeIntegralInRange<int>(0, 2);
  for (int i = 0; i < noise; ++i)
    in.reply.lines.insert(in.reply.lines.begin() + fdp.ConsumeIntegralInRange<std::size_t>(0, in.reply.lines.size()),
                          fdp.ConsumeRandomLengthString(200));
  for (const auto& t : m.text_none)
    if (contains_folded(joined(in.reply.lines), t)) return std::nullopt;

  in.observed_error = fdp.ConsumeRandomLengthString(100);
  if (!m.observed_any.empty()) in.observed_error += m.observed_any.front();

  if (m.oauth_only) {
    if (m.mechanisms_any.empty()) {
      in.mechanisms = {"XOAUTH2"};
    } else {
      const auto it = std::find_if(m.mechanisms_any.begin(), m.mechanisms_any.end(), is_oauth);
      if (it == m.mechanisms_any.end()) return std::nullopt;
      in.mechanisms = {*it};
    }
  } else {
    const int mechs = fdp.ConsumeIntegralInRange<int>(0, 3);
    for (int i = 0; i < mechs; ++i) in.mechanisms.push_back(fdp.ConsumeRandomLengthString(16));
    if (!m.mechanisms_any.empty()) in.mechanisms.push_back(m.mechanisms_any.front());
  }

  in.host = m.host_suffixes.empty() ? fdp.ConsumeRandomLengthString(64) : "mail." + m.host_suffixes.front();
  for (const auto& s : m.not_host_suffixes)
    if (ends_with_folded(in.host, s)) return std::nullopt;
  return in;
}

void plant_one(FuzzedDataProvider& fdp) {
  const auto& all = rules::rules();
  if (all.empty()) return;
  const std::size_t k = fdp.ConsumeIntegralInRange<std::size_t>(0, all.size() - 1);
  const auto in = planted(fdp, all[k]);
  if (!in) return;
  require(rules::matches(all[k], *in));
  const rules::Rule* first = rules::first_match(all, *in);
  require(first != nullptr && first >= all.data() && first <= &all[k]);
  require_necessary(*first, *in);
}

void match_one(FuzzedDataProvider& fdp) {
  rules::MatchInput in;
  in.protocol = pick(fdp, fuzz_enums::kProtocols);
  in.stage = rules::kStages[fdp.ConsumeIntegralInRange<std::size_t>(0, std::size(rules::kStages) - 1)];
  in.reply = fuzz_reply(fdp, in.protocol);
  const int mechs = fdp.ConsumeIntegralInRange<int>(0, 4);
  for (int i = 0; i < mechs; ++i) in.mechanisms.push_back(fdp.ConsumeRandomLengthString(16));
  const auto& providers = kb::providers();
  if (!providers.empty() && fdp.ConsumeBool())
    in.provider = &providers[fdp.ConsumeIntegralInRange<std::size_t>(0, providers.size() - 1)];
  in.auth = pick(fdp, fuzz_enums::kAuthMethods);
  in.security = pick(fdp, fuzz_enums::kSecurities);
  in.host = fdp.ConsumeRandomLengthString(64);
  in.observed_error = fdp.ConsumeRandomLengthString(300);

  if (const rules::Rule* first = rules::first_match(rules::rules(), in)) require_necessary(*first, in);
  (void)rules::reply_code(in.reply);
  (void)rules::enhanced_code(in.reply);
  (void)rules::response_code(in.reply);
}

void classify_one(FuzzedDataProvider& fdp) {
  Request request;
  request.account.email = "bob@" + fdp.ConsumeRandomLengthString(24);
  request.observed_error = fdp.ConsumeRandomLengthString(200);
  Evidence ev;
  const int probes = fdp.ConsumeIntegralInRange<int>(1, 3);
  for (int i = 0; i < probes; ++i) {
    ProbeResult pr;
    const bool outgoing = fdp.ConsumeBool();
    pr.endpoint.subject = outgoing ? Subject::outgoing : Subject::incoming;
    pr.endpoint.protocol = outgoing ? Protocol::smtp : (fdp.ConsumeBool() ? Protocol::imap : Protocol::pop3);
    pr.endpoint.host = fdp.ConsumeRandomLengthString(40);
    pr.endpoint.port = fdp.ConsumeIntegral<std::uint16_t>();
    pr.endpoint.security = pick(fdp, fuzz_enums::kSecurities);
    pr.endpoint.auth = pick(fdp, fuzz_enums::kAuthMethods);
    pr.with_credentials = fdp.ConsumeBool();
    pr.dns.status = pick(fdp, fuzz_enums::kDnsStatuses);
    pr.connect.status = pick(fdp, fuzz_enums::kConnectStatuses);
    pr.tls.status = pick(fdp, fuzz_enums::kTlsStatuses);
    pr.tls.failure = pick(fdp, fuzz_enums::kTlsFailures);
    pr.tls.error = fdp.ConsumeRandomLengthString(80);
    pr.tls.cert.present = fdp.ConsumeBool();
    pr.tls.cert.expired = fdp.ConsumeBool();
    pr.tls.cert.hostname_mismatch = fdp.ConsumeBool();
    pr.tls.cert.self_signed = fdp.ConsumeBool();
    pr.tls.cert.untrusted = fdp.ConsumeBool();
    if (pr.tls.cert.present) pr.tls.cert.chain.push_back({fdp.ConsumeRandomLengthString(40), "", {fdp.ConsumeRandomLengthString(40)}, "", "", false, fdp.ConsumeRandomLengthString(64)});
    pr.greeting.status = pick(fdp, fuzz_enums::kGreetingStatuses);
    pr.greeting.reply = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.caps.known = fdp.ConsumeBool();
    const int mechs = fdp.ConsumeIntegralInRange<int>(0, 4);
    for (int m = 0; m < mechs; ++m) pr.caps.sasl_mechanisms.push_back(fdp.ConsumeRandomLengthString(12));
    pr.caps.starttls = fdp.ConsumeBool();
    pr.caps.login_disabled = fdp.ConsumeBool();
    pr.caps.auth_advertised = fdp.ConsumeBool();
    pr.caps_before_tls = pr.caps;
    pr.login.status = pick(fdp, fuzz_enums::kLoginStatuses);
    pr.login.reply = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.login.mechanism = fdp.ConsumeRandomLengthString(12);
    pr.after_login.attempted = fdp.ConsumeBool();
    pr.after_login.mailbox = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.after_login.mail_from = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.after_login.rcpt_to = fuzz_reply(fdp, pr.endpoint.protocol);
    (pr.endpoint.subject == Subject::outgoing ? request.account.outgoing : request.account.incoming) = pr.endpoint;
    pr.alternative = i > 0 && fdp.ConsumeBool();
    (pr.alternative ? ev.alternatives : ev.primary).push_back(pr);
  }
  const Result result = classify(request, ev);
  require(result.verdict == "ok" || result.verdict == "problem" || result.verdict == "inconclusive");
  for (const auto& f : result.findings) require(!f.code.empty() && !f.title.empty());
  (void)to_json(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  switch (fdp.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: plant_one(fdp); break;
    case 1: match_one(fdp); break;
    default: classify_one(fdp); break;
  }
  return 0;
}

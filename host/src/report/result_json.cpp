#include "maildoctor/evidence.hpp"
#include "maildoctor/result.hpp"

namespace maildoctor {

using nlohmann::json;

std::string_view to_string(CheckStatus s) {
  switch (s) {
    case CheckStatus::pass: return "pass";
    case CheckStatus::fail: return "fail";
    case CheckStatus::skip: return "skip";
  }
  return "skip";
}

json to_json(const Check& c) {
  json j{{"subject", to_string(c.subject)}, {"step", c.step}, {"status", to_string(c.status)}, {"ms", c.ms}, {"detail", c.detail}};
  if (!c.target.empty()) j["target"] = c.target;
  if (c.alternative) j["alternative"] = true;
  return j;
}

json to_json(const TranscriptEntry& t) {
  json j{{"subject", to_string(t.subject)}, {"dir", std::string(1, t.dir)}, {"ms", t.ms}, {"line", t.line}};
  if (!t.target.empty()) j["target"] = t.target;
  return j;
}

json to_json(const Fix& f) {
  json j{{"kind", f.kind}};
  if (!f.label.empty()) j["label"] = f.label;
  if (f.kind == "open_url") j["url"] = f.url;
  if (f.kind == "change_setting") {
    if (f.subject) j["subject"] = to_string(*f.subject);
    j["setting"] = f.setting;
    j["value"] = f.value;
  }
  if (f.kind == "steps") j["steps"] = f.steps;
  if (f.kind == "oauth_signin" && f.subject) j["subject"] = to_string(*f.subject);
  return j;
}

json to_json(const Finding& f) {
  json fixes = json::array();
  for (const auto& x : f.fixes) fixes.push_back(to_json(x));
  json j{{"code", f.code},         {"severity", to_string(f.severity)}, {"subject", to_string(f.subject)},
         {"title", f.title},       {"detail", f.detail},                {"evidence", f.evidence},
         {"fixes", std::move(fixes)}, {"params", f.params}};
  if (!f.rule.empty()) j["rule"] = f.rule;
  return j;
}

json to_json(const Result& r) {
  json findings = json::array(), checks = json::array(), transcript = json::array();
  for (const auto& f : r.findings) findings.push_back(to_json(f));
  for (const auto& c : r.checks) checks.push_back(to_json(c));
  for (const auto& t : r.transcript) transcript.push_back(to_json(t));
  json j{{"version", 1},
         {"verdict", r.verdict},
         {"provider", r.provider ? json{{"id", r.provider->id}, {"name", r.provider->name}} : json(nullptr)},
         {"findings", std::move(findings)},
         {"checks", std::move(checks)},
         {"transcript", std::move(transcript)},
         {"elapsed_ms", r.elapsed_ms}};
  if (!r.discovery.is_null()) j["discovery"] = r.discovery;
  if (!r.candidates.is_null()) j["candidates"] = r.candidates;
  return j;
}

std::string Reply::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::string Reply::words() const {
  if (unmasked.empty()) return text();
  std::string out;
  for (const auto& l : unmasked) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::string ProbeResult::target() const {
  return endpoint.host + ":" + std::to_string(endpoint.port) + " " + std::string(to_string(endpoint.security));
}

}  // namespace maildoctor

#include <map>
#include <set>

#include "diagnose/codes.hpp"
#include "kb/text.hpp"
#include "maildoctor/embedded.hpp"
#include "maildoctor/rules.hpp"

namespace maildoctor::rules {
namespace {
using nlohmann::json;

struct Reader {
  std::vector<std::string>& errors;
  std::string where;
  void fail(const std::string& what) { errors.push_back(where + what); }

  std::vector<std::string> strings(const json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (it->is_string()) return {it->get<std::string>()};  // one value may be written without a list
    if (!it->is_array()) {
      fail(std::string(key) + ": must be a string or a list of strings");
      return out;
    }
    for (const auto& e : *it)
      if (e.is_string())
        out.push_back(e.get<std::string>());
      else
        fail(std::string(key) + ": must be a list of strings");
    return out;
  }

  std::string string(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) {
      fail(std::string(key) + ": must be a string");
      return {};
    }
    return it->get<std::string>();
  }

  std::optional<std::string> opt_string(const json& j, const char* key) {
    if (!j.contains(key)) return std::nullopt;
    return string(j, key);
  }
};

std::vector<std::string> upper_all(std::vector<std::string> v) {
  for (auto& s : v)
    for (auto& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return v;
}

struct Loaded {
  std::vector<Rule> rules;
  std::vector<kb::LoadProblem> problems;
};

const Loaded& loaded() {
  static const Loaded all = [] {
    Loaded l;
    for (const EmbeddedFile* f = embedded::rules; f->name != nullptr; ++f) {
      auto j = json::parse(f->data, f->data + f->size, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("rules") || !j["rules"].is_array()) {
        l.problems.push_back({f->name, "must be a JSON object with a \"rules\" list"});
        continue;
      }
      for (const auto& rj : j["rules"]) {
        std::vector<std::string> errors;
        auto r = parse_rule(rj, errors);
        for (auto& e : errors) l.problems.push_back({f->name, e});
        if (!r) continue;
        r->file = f->name;
        l.rules.push_back(std::move(*r));
      }
    }
    return l;
  }();
  return all;
}
}  // namespace

std::optional<Rule> parse_rule(const json& j, std::vector<std::string>& errors) {
  const auto before = errors.size();
  if (!j.is_object()) {
    errors.emplace_back("a rule must be a JSON object");
    return std::nullopt;
  }
  Rule r;
  Reader rd{errors, ""};
  r.id = rd.string(j, "id");
  if (r.id.empty()) rd.fail("id: missing");
  rd.where = r.id + ": ";
  const json m = j.value("match", json::object());
  if (!m.is_object()) rd.fail("match: must be an object");
  if (m.is_object()) {
    Match& x = r.match;
    x.protocols = rd.strings(m, "protocol");
    x.stages = rd.strings(m, "stage");
    if (auto c = m.find("code"); c != m.end()) {
      for (const auto& e : c->is_array() ? *c : json::array({*c})) {
        if (e.is_number_integer())
          x.codes.push_back(e.get<int>());
        else
          rd.fail("code: must be a number or a list of numbers");
      }
    }
    x.enhanced = rd.strings(m, "enhanced");
    x.response_codes = upper_all(rd.strings(m, "response_code"));
    x.statuses = upper_all(rd.strings(m, "status"));
    x.text_any = rd.strings(m, "text_any");
    x.text_all = rd.strings(m, "text_all");
    x.text_none = rd.strings(m, "text_none");
    x.observed_any = rd.strings(m, "observed_any");
    x.mechanisms_any = upper_all(rd.strings(m, "mechanisms_any"));
    x.oauth_only = m.value("oauth_only", false);
    x.providers = rd.strings(m, "provider");
    x.not_providers = rd.strings(m, "not_provider");
    x.auth_methods = rd.strings(m, "auth");
    x.securities = rd.strings(m, "security");
    x.host_suffixes = rd.strings(m, "host_suffix");
    x.not_host_suffixes = rd.strings(m, "not_host_suffix");
    x.provider_account_password = rd.opt_string(m, "provider_account_password");
    x.provider_app_password = rd.opt_string(m, "provider_app_password");
    x.provider_oauth2 = rd.opt_string(m, "provider_oauth2");
    x.provider_access_default = rd.opt_string(m, "provider_access_default");
    if (m.contains("provider_bridge")) {
      if (m["provider_bridge"].is_boolean())
        x.provider_bridge = m["provider_bridge"].get<bool>();
      else
        rd.fail("provider_bridge: must be true or false");
    }
    for (const auto& s : x.stages) {
      bool known = false;
      for (const char* k : kStages) known = known || s == k;
      if (!known) rd.fail("stage: unknown stage \"" + s + "\"");
    }
    for (const auto& p : x.protocols)
      if (!parse_protocol(p)) rd.fail("protocol: unknown protocol \"" + p + "\"");
    for (const auto& a : x.auth_methods)
      if (!parse_auth_method(a)) rd.fail("auth: unknown auth method \"" + a + "\"");
    for (const auto& s : x.securities)
      if (!parse_security(s)) rd.fail("security: unknown security \"" + s + "\"");
  }
  const json f = j.value("finding", json::object());
  if (!f.is_object()) {
    rd.fail("finding: must be an object");
  } else {
    r.code = rd.string(f, "code");
    if (!diagnose::is_known_code(r.code)) rd.fail("finding.code: unknown finding code \"" + r.code + "\"");
    const std::string sev = rd.string(f, "severity");
    if (sev == "warning")
      r.severity = Severity::warning;
    else if (sev == "info")
      r.severity = Severity::info;
    else if (!sev.empty() && sev != "error")
      rd.fail("finding.severity: must be error, warning or info");
    r.title = rd.string(f, "title");
    r.detail = rd.string(f, "detail");
    if (r.title.empty() || r.detail.empty()) rd.fail("finding: title and detail are required");
    if (f.contains("params")) {
      if (f["params"].is_object())
        r.params = f["params"];
      else
        rd.fail("finding.params: must be an object");
    }
  }
  if (auto fx = j.find("fixes"); fx != j.end()) {
    if (!fx->is_array()) rd.fail("fixes: must be a list");
    for (const auto& e : fx->is_array() ? *fx : json::array()) {
      if (!e.is_object()) {
        rd.fail("fixes: each fix must be an object");
        continue;
      }
      FixTemplate t;
      t.kind = rd.string(e, "kind");
      t.label = rd.string(e, "label");
      t.url = rd.string(e, "url");
      t.steps = rd.strings(e, "steps");
      t.setting = rd.string(e, "setting");
      if (e.contains("value")) t.value = e["value"];
      static const std::set<std::string> kinds{"open_url",      "steps",           "change_setting", "app_password",
                                                "enable_access", "provider_settings", "oauth_signin"};
      if (!kinds.count(t.kind)) rd.fail("fixes: unknown kind \"" + t.kind + "\"");
      if (t.kind == "open_url" && !kb::is_https_url(t.url)) rd.fail("fixes: open_url needs an https url");
      if (t.kind == "steps" && t.steps.empty()) rd.fail("fixes: steps needs steps");
      if (t.kind == "change_setting" && (t.setting.empty() || t.value.is_null())) rd.fail("fixes: change_setting needs setting and value");
      r.fixes.push_back(std::move(t));
    }
  }
  if (auto w = j.find("wait"); w != j.end()) {
    static const std::map<std::string, int> units{{"milliseconds", 1}, {"seconds", 1000}, {"minutes", 60000}};
    WaitSpec spec;
    spec.after = w->is_object() ? rd.strings(*w, "after") : std::vector<std::string>{};
    const std::string unit = w->is_object() ? rd.string(*w, "unit") : "";
    if (spec.after.empty() || !units.count(unit))
      rd.fail("wait: needs \"after\" (markers) and \"unit\" (milliseconds, seconds or minutes)");
    else
      spec.unit_ms = units.at(unit);
    r.wait = std::move(spec);
  }
  r.sources = rd.strings(j, "sources");
  if (errors.size() != before) return std::nullopt;
  return r;
}

const std::vector<Rule>& rules() { return loaded().rules; }
const std::vector<kb::LoadProblem>& rule_problems() { return loaded().problems; }

std::vector<kb::LoadProblem> validate_rules(const std::vector<Rule>& all) {
  std::vector<kb::LoadProblem> out;
  std::set<std::string> ids;
  for (const auto& r : all) {
    auto bad = [&](const std::string& m) { out.push_back({r.file, r.id + ": " + m}); };
    if (!ids.insert(r.id).second) bad("id is used twice");
    const Match& m = r.match;
    const bool has_condition = !m.codes.empty() || !m.enhanced.empty() || !m.response_codes.empty() || !m.text_any.empty() ||
                               !m.text_all.empty() || !m.observed_any.empty() || !m.mechanisms_any.empty() || m.oauth_only ||
                               !m.providers.empty() || m.provider_account_password || m.provider_app_password.has_value() || m.provider_oauth2 || m.provider_bridge || m.provider_access_default ||
                               !m.host_suffixes.empty();
    if (!has_condition) bad("matches every reply: give it at least one condition");
    if (r.sources.empty()) bad("no sources: say where this reply was seen");
    for (const auto& s : r.sources)
      if (!kb::is_https_url(s)) bad("source is not an https URL: " + s);
    // Only meaningful once provider files exist; an empty knowledge base is reported by the provider checks.
    for (const auto& p : m.providers)
      if (!kb::providers().empty() && !kb::find_provider(p)) bad("unknown provider \"" + p + "\"");
  }
  return out;
}

}  // namespace maildoctor::rules

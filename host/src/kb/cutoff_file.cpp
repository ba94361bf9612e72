#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "kb/field_reader.hpp"
#include "kb/text.hpp"
#include "maildoctor/civil_date.hpp"
#include "maildoctor/cutoffs.hpp"
#include "maildoctor/embedded.hpp"

namespace maildoctor::kb {
namespace {
using nlohmann::json;

// Cut-off hosts, domains and protocols compare case-insensitively: read them lowered.
std::vector<std::string> lowered(std::vector<std::string> list) {
  for (auto& e : list) e = lower(e);
  return list;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// YYYY-MM-DD naming a real calendar day, as year, month, day.
std::optional<std::array<int, 3>> parse_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (d[i] < '0' || d[i] > '9') return std::nullopt;
  const int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || day < 1) return std::nullopt;
  if (day > len[m - 1] + (m == 2 && leap(y) ? 1 : 0)) return std::nullopt;
  return std::array<int, 3>{y, m, day};
}

const Provider* provider_in(const std::vector<Provider>& among, const std::string& id) {
  for (const auto& p : among)
    if (p.id == id) return &p;
  return nullptr;
}

// The provider a domain-list entry stands for: "provider" is the cut-off's own, "provider:<id>" another one.
const Provider* provider_named(const std::string& entry, const Cutoff& c, const std::vector<Provider>& among) {
  if (entry == "provider") return provider_in(among, c.provider);
  if (entry.rfind("provider:", 0) == 0) return provider_in(among, entry.substr(9));
  return nullptr;
}

bool is_provider_entry(const std::string& entry) { return entry == "provider" || entry.rfind("provider:", 0) == 0; }

bool domain_in(const std::vector<std::string>& list, const std::string& domain, const Cutoff& c,
               const std::vector<Provider>& among) {
  for (const auto& d : list) {
    if (is_provider_entry(d)) {
      if (const Provider* p = provider_named(d, c, among))
        for (const auto& pd : p->domains)
          if (pd == domain) return true;
    } else if (d == domain) {
      return true;
    }
  }
  return false;
}

struct Loaded {
  std::vector<Cutoff> cutoffs;
  std::vector<LoadProblem> problems;
};

const Loaded& loaded() {
  static const Loaded all = [] {
    Loaded l;
    for (const EmbeddedFile* f = embedded::cutoffs; f->name != nullptr; ++f) {
      auto j = json::parse(f->data, f->data + f->size, nullptr, false);
      if (j.is_discarded()) {
        l.problems.push_back({f->name, "not valid JSON"});
        continue;
      }
      std::vector<std::string> errors;
      auto c = parse_cutoff(j, errors);
      for (auto& e : errors) l.problems.push_back({f->name, e});
      if (!c) continue;
      c->file = f->name;
      l.cutoffs.push_back(std::move(*c));
    }
    return l;
  }();
  return all;
}
}  // namespace

std::optional<Cutoff> parse_cutoff(const json& j, std::vector<std::string>& errors) {
  const auto before = errors.size();
  if (!j.is_object()) {
    errors.emplace_back("the document must be a JSON object");
    return std::nullopt;
  }
  FieldReader r{errors, ""};
  Cutoff c;
  c.id = r.string(j, "id", true);
  c.provider = r.string(j, "provider", true);
  c.title = r.string(j, "title", true);
  c.date = r.string(j, "date", true);
  if (!c.date.empty() && !parse_date(c.date)) r.fail("date", "must be a calendar day written YYYY-MM-DD");
  c.date_text = r.string(j, "date_text", false);
  c.date_note = r.string(j, "date_note", false);
  c.breaks = r.string(j, "breaks", true);
  c.no_match = r.string(j, "no_match", false);
  if (auto m = j.find("match"); m != j.end() && m->is_object()) {
    CutoffMatch cm;
    for (const auto& p : lowered(r.strings(*m, "protocols"))) {
      if (auto v = parse_protocol(p)) cm.protocols.push_back(*v);
      else r.fail("match.protocols", "unknown protocol \"" + p + "\"");
    }
    for (const auto& a : lowered(r.strings(*m, "auth"))) {
      if (auto v = parse_auth_method(a)) cm.auth.push_back(*v);
      else r.fail("match.auth", "unknown authentication method \"" + a + "\"");
    }
    cm.hosts = lowered(r.strings(*m, "hosts"));
    cm.domains = lowered(r.strings(*m, "domains"));
    cm.not_domains = lowered(r.strings(*m, "not_domains"));
    c.match = std::move(cm);
  } else if (m != j.end() && !m->is_null()) {
    r.fail("match", "must be an object or null");
  }
  if (auto f = j.find("fix"); f != j.end() && f->is_object()) {
    // Steps are shown as written: not through strings(), which lowers its values for matching.
    if (auto s = f->find("steps"); s != f->end() && !s->is_null()) {
      if (!s->is_array()) r.fail("fix.steps", "must be a list of strings");
      else
        for (const auto& e : *s)
          if (e.is_string()) c.fix_steps.push_back(e.get<std::string>());
          else r.fail("fix.steps", "must be a list of strings");
    }
    c.fix_url = r.string(*f, "url", false);
    if (auto o = f->find("oauth2"); o != f->end() && !o->is_null()) {
      if (o->is_boolean()) c.fix_oauth2 = o->get<bool>();
      else r.fail("fix.oauth2", "must be true or false");
    }
  } else {
    r.fail("fix", "missing: every cut-off says what to do");
  }
  if (auto s = j.find("sources"); s != j.end() && s->is_array()) {
    for (const auto& e : *s)
      if (e.is_object()) c.sources.push_back({r.string(e, "fact", false), r.string(e, "url", true)});
      else r.fail("sources", "each source must be an object");
  }
  if (errors.size() != before) return std::nullopt;
  return c;
}

const std::vector<Cutoff>& cutoffs() { return loaded().cutoffs; }
const std::vector<LoadProblem>& cutoff_problems() { return loaded().problems; }

std::vector<LoadProblem> validate_cutoffs(const std::vector<Cutoff>& all, const std::vector<Provider>& among) {
  std::vector<LoadProblem> out;
  std::set<std::string> ids;
  for (const auto& c : all) {
    auto bad = [&](const std::string& m) { out.push_back({c.file.empty() ? c.id : c.file, m}); };
    if (c.id.empty() || c.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
      bad("id must be lower-case letters, digits or '-'");
    if (!ids.insert(c.id).second) bad("id \"" + c.id + "\" is used twice");
    if (!c.file.empty() && c.file != c.id + ".json") bad("file name must be <id>.json");
    if (!parse_date(c.date)) bad("date must be a calendar day written YYYY-MM-DD");
    const Provider* p = provider_in(among, c.provider);
    if (!p) bad("provider \"" + c.provider + "\" has no provider file");
    if (c.breaks.empty()) bad("breaks: say what stops working");
    if (c.fix_steps.empty() && c.fix_url.empty()) bad("fix: needs steps or a url");
    if (!c.fix_url.empty() && !is_https_url(c.fix_url)) bad("fix.url is not an https URL: " + c.fix_url);
    if (c.sources.empty()) bad("no sources: every cut-off needs a public source");
    for (const auto& s : c.sources)
      if (!is_https_url(s.url)) bad("source url is not https: " + s.url);
    if (c.fix_oauth2 && !(p && p->oauth2_thunderbird)) bad("fix.oauth2 is true, but Thunderbird has no OAuth2 sign-in for this provider");
    if (!c.match) {
      if (c.no_match.empty()) bad("no match: say in no_match why no account setting shows who is hit");
      continue;
    }
    const CutoffMatch& m = *c.match;
    if (m.protocols.empty()) bad("match.protocols is empty");
    if (m.auth.empty()) bad("match.auth is empty");
    if (m.hosts.empty() && m.domains.empty()) bad("match needs hosts or domains: otherwise every account would match");
    for (const auto* list : {&m.domains, &m.not_domains})
      for (const auto& d : *list)
        if (is_provider_entry(d)) {
          const Provider* named = provider_named(d, c, among);
          if (!named) bad("\"" + d + "\" names no provider file");
          else if (named->domains.empty()) bad("\"" + d + "\" stands for no domains: " + named->id + " lists none");
        }
  }
  return out;
}

bool cutoff_matches(const Cutoff& c, const Endpoint& e, const std::string& email, const std::vector<Provider>& among) {
  if (!c.match) return false;
  const CutoffMatch& m = *c.match;
  if (std::find(m.protocols.begin(), m.protocols.end(), e.protocol) == m.protocols.end()) return false;
  if (std::find(m.auth.begin(), m.auth.end(), e.auth) == m.auth.end()) return false;
  if (!m.hosts.empty()) {
    bool any = false;
    for (const auto& h : m.hosts) any = any || host_has_suffix(e.host, h);
    if (!any) return false;
  }
  const auto at = email.rfind('@');
  const std::string domain = at == std::string::npos ? std::string() : lower(email.substr(at + 1));
  if (!m.domains.empty() && !domain_in(m.domains, domain, c, among)) return false;
  if (!m.not_domains.empty() && domain_in(m.not_domains, domain, c, among)) return false;
  return true;
}

std::string local_date(std::time_t now) {
  std::tm tm{};
#ifdef _WIN32
  localtime_s(&tm, &now);
#else
  localtime_r(&now, &tm);
#endif
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::optional<long> days_until(const std::string& date, const std::string& today) {
  auto a = parse_date(date), b = parse_date(today);
  if (!a || !b) return std::nullopt;
  return day_number((*a)[0], (*a)[1], (*a)[2]) - day_number((*b)[0], (*b)[1], (*b)[2]);
}

}  // namespace maildoctor::kb

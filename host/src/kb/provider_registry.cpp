#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "kb/text.hpp"
#include "maildoctor/embedded.hpp"
#include "maildoctor/kb.hpp"

namespace maildoctor::kb {
namespace {
struct Loaded {
  std::vector<Provider> providers;
  std::vector<LoadProblem> problems;
};

// Parsed once; the embedded files cannot change while the program runs. A broken file is reported and skipped
// instead of taking the whole diagnosis down.
const Loaded& loaded() {
  static const Loaded all = [] {
    Loaded l;
    for (const EmbeddedFile* f = embedded::providers; f->name != nullptr; ++f) {
      auto j = nlohmann::json::parse(f->data, f->data + f->size, nullptr, false);
      if (j.is_discarded()) {
        l.problems.push_back({f->name, "not valid JSON"});
        continue;
      }
      std::vector<std::string> errors;
      auto p = parse_provider(j, errors);
      for (auto& e : errors) l.problems.push_back({f->name, e});
      if (!p) continue;
      p->file = f->name;
      l.providers.push_back(std::move(*p));
    }
    return l;
  }();
  return all;
}
}  // namespace

const std::vector<Provider>& providers() { return loaded().providers; }
const std::vector<LoadProblem>& provider_problems() { return loaded().problems; }

const Provider* find_provider(const std::string& id) {
  for (const auto& p : providers())
    if (p.id == id) return &p;
  return nullptr;
}

std::vector<LoadProblem> validate_providers(const std::vector<Provider>& all) {
  std::vector<LoadProblem> out;
  std::set<std::string> ids;
  std::map<std::string, std::string> domain_owner;
  for (const auto& p : all) {
    auto bad = [&](const std::string& m) { out.push_back({p.file.empty() ? p.id : p.file, m}); };
    if (p.id.empty() || p.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos)
      bad("id must be lower-case letters, digits, '-', '_' or '.'");
    if (!ids.insert(p.id).second) bad("id \"" + p.id + "\" is used twice");
    if (!p.file.empty() && p.file != p.id + ".json") bad("file name must be <id>.json");
    if (p.domains.empty() && p.host_suffixes.empty()) bad("neither domains nor host_suffixes: the provider can never be detected");
    for (const auto& d : p.domains) {
      auto [it, fresh] = domain_owner.emplace(d, p.id);
      if (!fresh) bad("domain " + d + " is also claimed by " + it->second);
    }
    if (p.incoming.empty() && p.outgoing.empty() && !p.bridge) bad("no incoming or outgoing server");
    for (const auto* list : {&p.incoming, &p.outgoing})
      for (const auto& s : *list)
        if (s.host.empty() || s.port == 0) bad("a server lacks host or port");
    auto url_ok = [&](const std::string& u, const std::string& what) {
      if (!u.empty() && !is_https_url(u)) bad(what + " is not an https URL: " + u);
    };
    if (p.app_password) url_ok(p.app_password->url, "app_password.url");
    if (p.enable_access) url_ok(p.enable_access->url, "enable_access.url");
    for (const auto& s : p.sources) url_ok(s.url, "source url");
    if (p.sources.empty()) bad("no sources: every fact needs a public source");
    // Whether a fix may switch to OAuth2 is decided per provider, with its source: no silent default.
    if (p.oauth2_source.empty()) bad("oauth2: {thunderbird, hosts, source} is required");
    url_ok(p.oauth2_source, "oauth2.source");
    if (p.oauth2_thunderbird && p.oauth2_hosts.empty()) bad("oauth2.thunderbird is true but oauth2.hosts is empty");
    if (!p.oauth2_thunderbird && !p.oauth2_hosts.empty()) bad("oauth2.hosts given while oauth2.thunderbird is false");
    if (p.oauth2_thunderbird && p.oauth2 == "none") bad("oauth2.thunderbird is true but auth.oauth2 is none");
  }
  return out;
}

bool thunderbird_oauth2(const Provider* provider, const std::string& host) {
  if (!provider || !provider->oauth2_thunderbird) return false;
  for (const auto& h : provider->oauth2_hosts)
    if (host_has_suffix(host, h)) return true;
  return false;
}

std::string expand_email_placeholders(std::string_view pattern, const std::string& email) {
  if (email.empty()) return std::string(pattern);
  const auto at = email.rfind('@');
  const std::string local = at == std::string::npos ? email : email.substr(0, at);
  const std::string domain = at == std::string::npos ? std::string() : email.substr(at + 1);
  const std::pair<std::string_view, const std::string*> table[] = {
      {"%EMAILADDRESS%", &email}, {"%EMAILLOCALPART%", &local}, {"%EMAILDOMAIN%", &domain}};
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    bool replaced = false;
    for (const auto& [key, value] : table) {
      if (pattern.substr(i, key.size()) == key) {
        out += *value;
        i += key.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += pattern[i++];
  }
  return out;
}

bool host_has_suffix(const std::string& host, const std::string& suffix) {
  if (suffix.empty()) return false;
  std::string h = lower(host), s = lower(suffix);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h == s) return true;
  return h.size() > s.size() && h.compare(h.size() - s.size(), s.size(), s) == 0 && h[h.size() - s.size() - 1] == '.';
}

std::optional<PublishedSettings> settings_for_domain(const std::string& domain, const std::string& email) {
  const std::string d = lower(domain);
  for (const auto& p : providers()) {
    for (const auto& pd : p.domains) {
      if (pd != d) continue;
      PublishedSettings out;
      out.provider = &p;
      auto convert = [&](const ServerSetting& s, Subject subject) {
        Endpoint e;
        e.subject = subject;
        e.protocol = s.protocol;
        e.host = s.host;
        e.port = s.port;
        e.security = s.security;
        e.username = expand_email_placeholders(s.username, email);
        e.auth = p.oauth2 == "required" ? AuthMethod::oauth2 : AuthMethod::password;
        return e;
      };
      for (const auto& s : p.incoming) out.incoming.push_back(convert(s, Subject::incoming));
      for (const auto& s : p.outgoing) out.outgoing.push_back(convert(s, Subject::outgoing));
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace maildoctor::kb

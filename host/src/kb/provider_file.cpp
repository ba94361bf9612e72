#include <nlohmann/json.hpp>

#include "kb/field_reader.hpp"
#include "kb/text.hpp"
#include "maildoctor/kb.hpp"

namespace maildoctor::kb {
namespace {
using nlohmann::json;

struct Reader : FieldReader {
  std::string one_of(const json& j, const char* key, std::initializer_list<const char*> allowed, const char* fallback) {
    std::string v = string(j, key, false);
    if (v.empty()) return fallback;
    for (const char* a : allowed)
      if (v == a) return v;
    fail(key, "unknown value \"" + v + "\"");
    return fallback;
  }

  std::vector<ServerSetting> servers(const json& j, const char* key) {
    std::vector<ServerSetting> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) {
      fail(key, "must be a list of servers");
      return out;
    }
    for (const auto& s : *it) {
      if (!s.is_object()) {
        fail(key, "each server must be an object");
        continue;
      }
      ServerSetting st;
      auto proto = parse_protocol(string(s, "protocol", true));
      auto sec = parse_security(string(s, "security", true));
      if (!proto) fail(key, "protocol must be imap, pop3 or smtp");
      if (!sec) fail(key, "security must be tls, starttls or none");
      st.host = lower(string(s, "host", true));
      auto p = s.find("port");
      if (p == s.end() || !p->is_number_integer() || p->get<long long>() < 1 || p->get<long long>() > 65535)
        fail(key, "port must be a number from 1 to 65535");
      else
        st.port = static_cast<std::uint16_t>(p->get<long long>());
      st.username = string(s, "username", false);
      if (st.username.empty()) st.username = "%EMAILADDRESS%";
      if (proto) st.protocol = *proto;
      if (sec) st.security = *sec;
      out.push_back(std::move(st));
    }
    return out;
  }

  std::optional<HowTo> howto(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_object()) {
      fail(key, "must be an object or null");
      return std::nullopt;
    }
    HowTo h;
    h.url = string(*it, "url", false);
    h.steps = strings(*it, "steps");
    return h;
  }
};

std::vector<std::string> lowered(std::vector<std::string> v) {
  for (auto& s : v) s = lower(s);
  return v;
}
}  // namespace

std::optional<Provider> parse_provider(const json& j, std::vector<std::string>& errors) {
  const auto before = errors.size();
  if (!j.is_object()) {
    errors.emplace_back("the document must be a JSON object");
    return std::nullopt;
  }
  Reader r{{errors, ""}};
  Provider p;
  p.id = r.string(j, "id", true);
  p.name = r.string(j, "name", true);
  p.domains = lowered(r.strings(j, "domains"));
  p.mx_suffixes = lowered(r.strings(j, "mx_suffixes"));
  p.host_suffixes = lowered(r.strings(j, "host_suffixes"));
  p.banner_patterns = r.strings(j, "banner_patterns");
  p.incoming = r.servers(j, "incoming");
  p.outgoing = r.servers(j, "outgoing");
  if (auto a = j.find("auth"); a != j.end() && a->is_object()) {
    p.account_password = r.one_of(*a, "account_password", {"refused", "accepted", "unknown"}, "unknown");
    p.app_password_policy = r.one_of(*a, "app_password", {"required", "with_2fa", "none", "unknown"}, "unknown");
    p.oauth2 = r.one_of(*a, "oauth2", {"required", "supported", "none", "unknown"}, "none");
    if (auto b = a->find("bridge"); b != a->end() && !b->is_null()) {
      if (b->is_boolean())
        p.bridge = b->get<bool>();
      else
        r.fail("auth.bridge", "must be true or false");
    }
  } else if (a != j.end() && !a->is_null()) {
    r.fail("auth", "must be an object");
  }
  if (auto o = j.find("oauth2"); o != j.end() && o->is_object()) {
    if (auto t = o->find("thunderbird"); t != o->end() && t->is_boolean())
      p.oauth2_thunderbird = t->get<bool>();
    else
      r.fail("oauth2.thunderbird", "must be true or false");
    p.oauth2_hosts = lowered(r.strings(*o, "hosts"));
    p.oauth2_source = r.string(*o, "source", true);
  } else if (o != j.end() && !o->is_null()) {
    r.fail("oauth2", "must be an object");
  }
  p.app_password = r.howto(j, "app_password");
  if (auto h = r.howto(j, "enable_access")) {
    EnableAccess e;
    static_cast<HowTo&>(e) = *h;
    e.default_state = r.one_of(j["enable_access"], "default", {"on", "off", "unknown"}, "unknown");
    e.off_words = r.strings(j["enable_access"], "off_words");
    p.enable_access = e;
  }
  p.notes = r.strings(j, "notes");
  if (auto s = j.find("sources"); s != j.end() && s->is_array()) {
    for (const auto& e : *s)
      if (e.is_object()) p.sources.push_back({r.string(e, "fact", false), r.string(e, "url", true)});
      else r.fail("sources", "each source must be an object");
  }
  for (auto* list : {&p.incoming, &p.outgoing})
    for (const auto& st : *list)
      if ((list == &p.incoming) == (st.protocol == Protocol::smtp))
        r.fail(list == &p.incoming ? "incoming" : "outgoing", "protocol " + std::string(to_string(st.protocol)) + " does not belong here");
  if (errors.size() != before) return std::nullopt;
  return p;
}

}  // namespace maildoctor::kb

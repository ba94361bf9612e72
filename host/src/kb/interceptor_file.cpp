#include <set>

#include <nlohmann/json.hpp>

#include "kb/text.hpp"
#include "maildoctor/embedded.hpp"
#include "maildoctor/interceptors.hpp"

namespace maildoctor::kb {
namespace {
using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct Loaded {
  std::vector<Interceptor> all;
  std::vector<LoadProblem> problems;
};

const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded out;
    for (const EmbeddedFile* f = embedded::interceptors; f->name != nullptr; ++f) {
      auto j = json::parse(f->data, f->data + f->size, nullptr, false);
      if (!j.is_object()) {
        out.problems.push_back({f->name, "not a JSON object"});
        continue;
      }
      Interceptor i;
      i.file = f->name;
      i.id = str(j, "id");
      i.product = str(j, "product");
      i.switch_off = str(j, "switch_off");
      if (auto n = j.find("names"); n != j.end() && n->is_array())
        for (const auto& e : *n)
          if (e.is_string() && !e.get<std::string>().empty()) i.names.push_back(lower(e.get<std::string>()));
      if (auto s = j.find("sources"); s != j.end() && s->is_array())
        for (const auto& e : *s)
          if (e.is_object()) i.sources.push_back({str(e, "fact"), str(e, "url")});
      if (i.id.empty() || i.product.empty() || i.names.empty()) {
        out.problems.push_back({f->name, "needs id, product and names"});
        continue;
      }
      out.all.push_back(std::move(i));
    }
    return out;
  }();
  return l;
}

bool names_product(const std::string& dn, const Interceptor& i) {
  const std::string low = lower(dn);
  for (const auto& n : i.names)
    if (low.find(n) != std::string::npos) return true;
  return false;
}
}  // namespace

const std::vector<Interceptor>& interceptors() { return loaded().all; }
const std::vector<LoadProblem>& interceptor_problems() { return loaded().problems; }

std::vector<LoadProblem> validate_interceptors(const std::vector<Interceptor>& all) {
  std::vector<LoadProblem> out;
  std::set<std::string> ids;
  for (const auto& i : all) {
    auto bad = [&](const std::string& m) { out.push_back({i.file.empty() ? i.id : i.file, m}); };
    if (i.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
      bad("id must be lower-case letters, digits or '-'");
    if (!ids.insert(i.id).second) bad("id \"" + i.id + "\" is used twice");
    if (!i.file.empty() && i.file != i.id + ".json") bad("file name must be <id>.json");
    for (const auto& n : i.names)
      if (n.size() < 6) bad("name \"" + n + "\" is too short to name one product");
    if (i.switch_off.empty()) bad("switch_off: say where the mail scanning is switched off");
    bool intercepts = false, switch_off = false;
    for (const auto& s : i.sources) {
      if (!is_https_url(s.url)) bad("source url is not https: " + s.url);
      intercepts = intercepts || s.fact == "intercepts";
      switch_off = switch_off || s.fact == "switch_off";
    }
    if (!intercepts || !switch_off) bad("sources must cite the facts \"intercepts\" and \"switch_off\"");
  }
  return out;
}

const Interceptor* intercepting_product(const CertReport& cert, const std::vector<Interceptor>& among) {
  for (const auto& i : among)
    for (std::size_t k = 0; k < cert.chain.size(); ++k)
      if (names_product(cert.chain[k].issuer, i) || (k > 0 && names_product(cert.chain[k].subject, i))) return &i;
  return nullptr;
}

}  // namespace maildoctor::kb

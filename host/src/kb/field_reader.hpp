#pragma once
// Reading the knowledge base's JSON files: every read records what is wrong and carries on, so one report lists all
// the mistakes of a file.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace maildoctor::kb {

struct FieldReader {
  std::vector<std::string>& errors;
  std::string where;  // prefix of every message, e.g. the provider's id

  void fail(const std::string& field, const std::string& why) { errors.push_back(where + field + ": " + why); }

  std::string string(const nlohmann::json& j, const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) fail(key, "missing");
      return {};
    }
    if (!it->is_string()) {
      fail(key, "must be a string");
      return {};
    }
    return it->get<std::string>();
  }

  std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) {
      fail(key, "must be a list of strings");
      return out;
    }
    for (const auto& e : *it) {
      if (e.is_string())
        out.push_back(e.get<std::string>());
      else
        fail(key, "must be a list of strings");
    }
    return out;
  }
};

}  // namespace maildoctor::kb

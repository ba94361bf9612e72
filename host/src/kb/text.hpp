#pragma once
#include <string>
#include <string_view>

// ASCII-only case folding: server replies and host names are matched byte-wise, and non-ASCII patterns
// (Cyrillic, Chinese) are written in the exact form the servers send.
namespace maildoctor::kb {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline bool contains_nocase(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

inline bool is_https_url(std::string_view u) {
  return u.size() > 8 && u.substr(0, 8) == "https://" && u.find_first_of(" \t\r\n\"<>") == std::string_view::npos;
}

}  // namespace maildoctor::kb

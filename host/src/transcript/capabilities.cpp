#include "transcript/capabilities.hpp"

#include <algorithm>

#include "transcript/reply_parser.hpp"
#include "transcript/text_util.hpp"

namespace maildoctor::transcript {

namespace {
// Capability lists are bounded too: a server may advertise thousands of atoms.
constexpr std::size_t kMaxItems = 256;

void add_mechanism(Capabilities& caps, const std::string& mech) {
  std::string m = upper(mech);
  if (m.empty()) return;
  if (std::find(caps.sasl_mechanisms.begin(), caps.sasl_mechanisms.end(), m) == caps.sasl_mechanisms.end() &&
      caps.sasl_mechanisms.size() < kMaxItems)
    caps.sasl_mechanisms.push_back(m);
}

void add_item(Capabilities& caps, const std::string& item) {
  if (caps.items.size() < kMaxItems) caps.items.push_back(bound_line(item));
}

void add_imap_atoms(Capabilities& caps, const std::vector<std::string>& atoms) {
  caps.known = true;
  for (const auto& a : atoms) {
    std::string u = upper(a);
    add_item(caps, a);
    if (u.rfind("AUTH=", 0) == 0) add_mechanism(caps, u.substr(5));
    else if (u == "STARTTLS") caps.starttls = true;
    else if (u == "LOGINDISABLED") caps.login_disabled = true;
    else if (u == "ID") caps.id = true;
    else if (u == "SASL-IR") caps.sasl_ir = true;
  }
}
}  // namespace

Capabilities parse_imap_capabilities(const std::vector<std::string>& lines) {
  Capabilities caps;
  for (const auto& line : lines) {
    auto l = parse_imap_line(line);
    if (l.kind == ImapLine::Kind::untagged && l.status.empty()) {
      auto words = split_words(l.text);
      if (!words.empty() && iequals(words[0], "CAPABILITY")) {
        words.erase(words.begin());
        add_imap_atoms(caps, words);
      }
    } else if (l.response_code == "CAPABILITY") {
      add_imap_atoms(caps, split_words(l.response_code_args));
    }
  }
  return caps;
}

Capabilities parse_pop3_capabilities(const std::vector<std::string>& lines) {
  Capabilities caps;
  if (lines.empty() || parse_pop3_line(lines.front()).kind != Pop3Line::Kind::ok) return caps;
  caps.known = true;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view l = trim(lines[i]);
    if (l == ".") break;
    auto words = split_words(l);
    if (words.empty()) continue;
    add_item(caps, std::string(l));
    std::string key = upper(words[0]);
    if (key == "STLS") caps.starttls = true;
    else if (key == "SASL")
      for (std::size_t w = 1; w < words.size(); ++w) add_mechanism(caps, words[w]);
  }
  return caps;
}

Capabilities parse_smtp_capabilities(const std::vector<std::string>& lines) {
  Capabilities caps;
  if (lines.empty()) return caps;
  auto first = parse_smtp_line(lines.front());
  if (!first.valid || first.code != 250) return caps;
  caps.known = true;
  // The first line names the server; keywords follow, one per line.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto l = parse_smtp_line(lines[i]);
    if (!l.valid) continue;
    // The enhanced-code parser must not eat a keyword: take the raw text after "250-".
    std::string_view raw = lines[i].size() > 4 ? std::string_view(lines[i]).substr(4) : std::string_view{};
    auto words = split_words(trim(raw));
    if (words.empty()) continue;
    add_item(caps, std::string(trim(raw)));
    std::string key = upper(words[0]);
    if (key == "STARTTLS") caps.starttls = true;
    else if (key == "ENHANCEDSTATUSCODES") caps.enhanced_status_codes = true;
    else if (key == "PIPELINING") caps.pipelining = true;
    else if (key == "AUTH" || key.rfind("AUTH=", 0) == 0) {
      caps.auth_advertised = true;
      if (key.size() > 5 && key[4] == '=') add_mechanism(caps, key.substr(5));
      for (std::size_t w = 1; w < words.size(); ++w) add_mechanism(caps, words[w]);
    }
  }
  return caps;
}

bool has_mechanism(const Capabilities& caps, const std::string& mechanism) {
  std::string m = upper(mechanism);
  return std::find(caps.sasl_mechanisms.begin(), caps.sasl_mechanisms.end(), m) != caps.sasl_mechanisms.end();
}

}  // namespace maildoctor::transcript

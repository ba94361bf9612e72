// Request parsing and validation: whatever bytes arrive (from the add-on or a file), parse_request_text either
// refuses them with a named field or yields a request that is safe to put on the wire. The oracle does not use the
// product's own checks (safe_for_command, valid_host): it reads the same JSON itself and holds the result to a
// simpler, stricter rule set of its own:
//  - a CR, LF or NUL anywhere in account.email or in an endpoint's host, username or password means refusal;
//  - an accepted endpoint carries exactly the JSON's host, username (or the e-mail address) and password, so
//    nothing was rewritten on the way, and its host is 1-253 bytes of [A-Za-z0-9._:[]-] only.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "maildoctor/request.hpp"

using nlohmann::json;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool has_line_break_or_nul(std::string_view s) {
  for (const char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}

bool plain_host(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (const char c : h) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                    c == '_' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

// The string at key, or "" when the member is missing, null or not a string (then the product refuses or ignores).
std::string text_at(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Whether the raw JSON asks for a command-breaking byte in any field that reaches a server.
bool asks_for_injection(const json& j) {
  if (!j.is_object() || !j.contains("account") || !j.at("account").is_object()) return false;
  const json& account = j.at("account");
  if (has_line_break_or_nul(text_at(account, "email"))) return true;
  for (const char* side : {"incoming", "outgoing"}) {
    if (!account.contains(side)) continue;
    for (const char* field : {"host", "username", "password"})
      if (has_line_break_or_nul(text_at(account.at(side), field))) return true;
  }
  return false;
}

void check(const maildoctor::Endpoint& e, const json& raw, const std::string& email) {
  require(plain_host(e.host) && e.host == text_at(raw, "host"));
  const std::string user = text_at(raw, "username");
  require(e.username == (user.empty() ? email : user));
  require(e.password.reveal() == text_at(raw, "password"));
  require(!has_line_break_or_nul(e.username) && !has_line_break_or_nul(e.password.reveal()));
  require(e.port != 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = maildoctor::parse_request_text(text);
  require(parsed.request.has_value() != parsed.error.has_value());
  const json raw = json::parse(text, nullptr, false);
  if (raw.is_discarded() || asks_for_injection(raw)) require(parsed.error.has_value());
  if (parsed.error) {
    require(!parsed.error->message.empty());
    return 0;
  }
  const auto& r = *parsed.request;
  const json& account = raw.at("account");
  require(r.account.email == text_at(account, "email") && !has_line_break_or_nul(r.account.email));
  require(r.account.incoming || r.account.outgoing || !r.account.email.empty());
  if (r.account.incoming) check(*r.account.incoming, account.at("incoming"), r.account.email);
  if (r.account.outgoing) check(*r.account.outgoing, account.at("outgoing"), r.account.email);
  require(r.options.deadline_ms >= 100 && r.options.deadline_ms <= 120000);
  return 0;
}

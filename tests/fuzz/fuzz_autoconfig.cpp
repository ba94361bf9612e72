// Autoconfig XML parsing: a domain's autoconfig document or the ISPDB's is attacker-controlled. Whatever it holds,
// parsing never throws or crashes, and every server it yields is safe to put into a command. The oracle is its own,
// simpler and stricter than the product's checks (it does not call safe_for_command): a host is 1-253 bytes of
// [a-z0-9._-] (lower case: the parser folds it), a user name holds no control character at all (so no CR, LF or
// NUL, written raw or as &#13;&#10;, can reach a socket), and the endpoint made from a server carries exactly the
// server's host and user name and never a password.
#include <cstdlib>
#include <string>
#include <string_view>

#include "discover/client_config.hpp"
#include "maildoctor/kb.hpp"

using namespace maildoctor;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool plain_host(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (const char c : h)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) return false;
  return true;
}

bool no_control_character(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

void check(const discovery::ConfigServer& s, Subject subject) {
  require(plain_host(s.host) && no_control_character(s.username) && s.port != 0);
  for (bool have_password : {false, true}) {
    const Endpoint e = discovery::to_endpoint(s, subject, have_password);
    require(e.host == s.host && e.username == s.username && e.port == s.port);
    require(e.password.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  const auto parsed = discovery::parse_client_config(xml, "bob@example.test", 64 * 1024);
  if (!parsed.config) {
    require(!parsed.error.empty());
    return 0;
  }
  for (const auto& s : parsed.config->incoming) {
    require(s.protocol != Protocol::smtp);
    check(s, Subject::incoming);
  }
  for (const auto& s : parsed.config->outgoing) {
    require(s.protocol == Protocol::smtp);
    check(s, Subject::outgoing);
  }
  (void)kb::expand_email_placeholders(xml.substr(0, 256), "bob@example.test");
  return 0;
}

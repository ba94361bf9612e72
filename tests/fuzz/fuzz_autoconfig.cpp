// Autoconfig XML parsing: a domain's autoconfig document or the ISPDB's is attacker-controlled. Whatever it holds,
// parsing never throws or crashes, and every server it yields is safe to put into a command: a host name or a
// user name with CR, LF or NUL (e.g. written as &#13;&#10;) must not reach a socket.
#include <cstdlib>
#include <string>
#include <string_view>

#include "discover/client_config.hpp"
#include "maildoctor/kb.hpp"
#include "maildoctor/request.hpp"

using namespace maildoctor;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check(const discovery::ConfigServer& s, Subject subject) {
  require(safe_for_command(s.host) && safe_for_command(s.username));
  for (bool have_password : {false, true}) {
    const Endpoint e = discovery::to_endpoint(s, subject, have_password);
    require(safe_for_command(e.host) && safe_for_command(e.username));
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

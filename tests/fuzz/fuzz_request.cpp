// Request parsing and validation: whatever bytes arrive (from the add-on or a file), parse_request_text
// either refuses them with a named field or yields a request that is safe to put on the wire.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "maildoctor/request.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check(const maildoctor::Endpoint& e) {
  require(!e.host.empty() && maildoctor::safe_for_command(e.host));
  require(maildoctor::safe_for_command(e.username));
  require(maildoctor::safe_for_command(e.password.reveal()));
  require(e.port != 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = maildoctor::parse_request_text(text);
  require(parsed.request.has_value() != parsed.error.has_value());
  if (parsed.error) {
    require(!parsed.error->message.empty());
    return 0;
  }
  const auto& r = *parsed.request;
  require(maildoctor::safe_for_command(r.account.email));
  require(r.account.incoming || r.account.outgoing || !r.account.email.empty());
  if (r.account.incoming) check(*r.account.incoming);
  if (r.account.outgoing) check(*r.account.outgoing);
  require(r.options.deadline_ms >= 100 && r.options.deadline_ms <= 120000);
  return 0;
}

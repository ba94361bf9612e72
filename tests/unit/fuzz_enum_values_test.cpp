// The fuzz targets generate enum values from tests/fuzz/enum_values.hpp. These checks tie each list to its enum:
// the values are listed in declaration order with no gap, each has a name, and the value right after the last
// listed one has none. The name tables are complete because their switches are (-Wswitch under -Werror), so a new
// enum value (a new TLS failure, say) makes this test fail until the fuzz list names it too.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "../fuzz/enum_values.hpp"
#include "maildoctor/evidence_json.hpp"

using namespace maildoctor;

namespace {

template <typename E, std::size_t N, typename Name>
void check_complete(const std::array<E, N>& listed, Name name, const std::string& unknown) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < N; ++i) {
    INFO("listed value " << i);
    CHECK(static_cast<std::size_t>(listed[i]) == i);
    const std::string n = name(listed[i]);
    CHECK(n != unknown);
    names.insert(n);
  }
  CHECK(names.size() == N);
  INFO("a value after the last one listed in tests/fuzz/enum_values.hpp has the name " << name(static_cast<E>(N)));
  CHECK(name(static_cast<E>(N)) == unknown);
}

// The evidence enums are named only inside the JSON writer: set one field of a probe and read it back.
template <typename Set>
std::string probe_field(Set set, const char* section, const char* field) {
  ProbeResult p;
  set(p);
  return to_json(p).at(section).at(field).get<std::string>();
}

}  // namespace

TEST_CASE("the fuzz targets' enum lists hold every value of their enums", "[fuzz]") {
  auto wire = [](auto e) { return std::string(to_string(e)); };
  check_complete(fuzz_enums::kProtocols, wire, "?");
  check_complete(fuzz_enums::kSecurities, wire, "?");
  check_complete(fuzz_enums::kAuthMethods, wire, "?");
  check_complete(fuzz_enums::kDnsStatuses, [](DnsEvidence::Status s) {
    return probe_field([&](ProbeResult& p) { p.dns.status = s; }, "dns", "status");
  }, "?");
  check_complete(fuzz_enums::kConnectStatuses, [](ConnectEvidence::Status s) {
    return probe_field([&](ProbeResult& p) { p.connect.status = s; }, "connect", "status");
  }, "?");
  check_complete(fuzz_enums::kTlsStatuses, [](TlsEvidence::Status s) {
    return probe_field([&](ProbeResult& p) { p.tls.status = s; }, "tls", "status");
  }, "?");
  check_complete(fuzz_enums::kTlsFailures, [](TlsEvidence::Failure f) {
    return probe_field([&](ProbeResult& p) { p.tls.failure = f; }, "tls", "failure");
  }, "?");
  check_complete(fuzz_enums::kGreetingStatuses, [](GreetingEvidence::Status s) {
    return probe_field([&](ProbeResult& p) { p.greeting.status = s; }, "greeting", "status");
  }, "?");
  check_complete(fuzz_enums::kLoginStatuses, [](LoginEvidence::Status s) {
    return probe_field([&](ProbeResult& p) { p.login.status = s; }, "login", "status");
  }, "?");
}

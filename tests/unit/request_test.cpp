#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "maildoctor/request.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {
json good() {
  return json::parse(R"({"account":{"email":"bob@example.test",
    "incoming":{"protocol":"imap","host":"mail.example.test","port":993,"security":"tls","username":"bob","auth":"password","password":"pw"},
    "outgoing":{"protocol":"smtp","host":"mail.example.test","port":587,"security":"starttls"}},
    "options":{"login":false,"alternatives":false,"deadline_ms":5000}})");
}
std::string refused_field(const json& j) {
  auto p = parse_request(j);
  REQUIRE_FALSE(p.request);
  REQUIRE(p.error);
  CHECK_FALSE(p.error->message.empty());
  return p.error->field;
}
}  // namespace

TEST_CASE("a complete request is read field by field", "[request]") {
  auto p = parse_request(good());
  REQUIRE(p.request);
  const Request& r = *p.request;
  CHECK(r.account.email == "bob@example.test");
  REQUIRE(r.account.incoming);
  CHECK(r.account.incoming->protocol == Protocol::imap);
  CHECK(r.account.incoming->port == 993);
  CHECK(r.account.incoming->security == Security::tls);
  CHECK(r.account.incoming->username == "bob");
  CHECK(r.account.incoming->password.reveal() == "pw");
  REQUIRE(r.account.outgoing);
  CHECK(r.account.outgoing->security == Security::starttls);
  CHECK(r.account.outgoing->username == "bob@example.test");  // defaults to the address
  CHECK(r.account.outgoing->password.empty());
  CHECK_FALSE(r.options.login);
  CHECK_FALSE(r.options.alternatives);
  CHECK(r.options.deadline_ms == 5000);
}

TEST_CASE("a missing port takes the protocol's default for the security", "[request]") {
  json j = good();
  j["account"]["incoming"].erase("port");
  j["account"]["incoming"]["security"] = "starttls";
  j["account"]["outgoing"].erase("port");
  j["account"]["outgoing"]["security"] = "tls";
  auto p = parse_request(j);
  REQUIRE(p.request);
  CHECK(p.request->account.incoming->port == 143);
  CHECK(p.request->account.outgoing->port == 465);
}

TEST_CASE("an address alone is a valid request (discovery)", "[request]") {
  auto p = parse_request(json::parse(R"({"account":{"email":"a@b.test"}})"));
  REQUIRE(p.request);
  CHECK_FALSE(p.request->account.incoming);
  CHECK(p.request->options.login);
  CHECK(p.request->options.deadline_ms == 10000);
}

TEST_CASE("bad values are refused with the field named", "[request]") {
  json j;
  j = good(); j["account"]["incoming"]["port"] = 0;                 CHECK(refused_field(j) == "account.incoming.port");
  j = good(); j["account"]["incoming"]["port"] = 65536;             CHECK(refused_field(j) == "account.incoming.port");
  j = good(); j["account"]["incoming"]["port"] = "993";             CHECK(refused_field(j) == "account.incoming.port");
  j = good(); j["account"]["incoming"]["port"] = 99.5;              CHECK(refused_field(j) == "account.incoming.port");
  j = good(); j["account"]["incoming"]["protocol"] = "nntp";        CHECK(refused_field(j) == "account.incoming.protocol");
  j = good(); j["account"]["incoming"]["protocol"] = "smtp";        CHECK(refused_field(j) == "account.incoming.protocol");
  j = good(); j["account"]["outgoing"]["protocol"] = "imap";        CHECK(refused_field(j) == "account.outgoing.protocol");
  j = good(); j["account"]["incoming"]["security"] = "ssl";         CHECK(refused_field(j) == "account.incoming.security");
  j = good(); j["account"]["incoming"]["auth"] = "kerberos";        CHECK(refused_field(j) == "account.incoming.auth");
  j = good(); j["account"]["incoming"]["host"] = "";                CHECK(refused_field(j) == "account.incoming.host");
  j = good(); j["account"]["incoming"]["host"] = "a b";             CHECK(refused_field(j) == "account.incoming.host");
  j = good(); j["account"]["incoming"]["host"] = "evil\r\nA1 LOGOUT"; CHECK(refused_field(j) == "account.incoming.host");
  j = good(); j["account"]["incoming"]["host"] = 5;                 CHECK(refused_field(j) == "account.incoming.host");
  j = good(); j["account"]["incoming"].erase("host");               CHECK(refused_field(j) == "account.incoming.host");
  j = good(); j["account"]["incoming"]["username"] = "bob\nx";      CHECK(refused_field(j) == "account.incoming.username");
  j = good(); j["account"]["incoming"]["username"] = std::string("bob\0x", 5); CHECK(refused_field(j) == "account.incoming.username");
  j = good(); j["account"]["incoming"]["password"] = 12;            CHECK(refused_field(j) == "account.incoming.password");
  j = good(); j["account"]["incoming"] = "imap";                    CHECK(refused_field(j) == "account.incoming.");
  j = good(); j["account"]["email"] = "no-at-sign";                 CHECK(refused_field(j) == "account.email");
  j = good(); j["account"]["email"] = "a@b\r\nRCPT TO:<x>";          CHECK(refused_field(j) == "account.email");
  j = good(); j["options"]["login"] = "yes";                        CHECK(refused_field(j) == "options.login");
  j = good(); j["options"]["deadline_ms"] = 10;                     CHECK(refused_field(j) == "options.deadline_ms");
  j = good(); j["options"]["deadline_ms"] = 1e12;                   CHECK(refused_field(j) == "options.deadline_ms");
  j = good(); j["options"] = 1;                                     CHECK(refused_field(j) == "options");
  j = good(); j["account"] = json::array();                         CHECK(refused_field(j) == "account");
  j = json::parse(R"({"account":{}})");                             CHECK(refused_field(j) == "account");
  CHECK(refused_field(json::array()) == "");
}

TEST_CASE("text that is not JSON is refused, not thrown", "[request]") {
  for (const char* t : {"", "{", "nul", "{\"account\":", "\xff\xfe"}) {
    auto p = parse_request_text(t);
    CHECK_FALSE(p.request);
    REQUIRE(p.error);
  }
}

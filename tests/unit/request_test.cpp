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

TEST_CASE("a password with CR, LF or NUL is refused by the request itself", "[request][security]") {
  for (const std::string& bad : {std::string("pw\rDELE 1"), std::string("pw\nA2 LOGOUT"), std::string("pw\r\n"), std::string("pw\0x", 4)}) {
    json j = good();
    j["account"]["incoming"]["password"] = bad;
    CHECK(refused_field(j) == "account.incoming.password");
    j = good();
    j["account"]["outgoing"]["password"] = bad;
    CHECK(refused_field(j) == "account.outgoing.password");
  }
  CHECK_FALSE(password_is_safe(std::string("a\0b", 3)));
  CHECK(password_is_safe("se\"cret\\ with spaces"));
}

TEST_CASE("a login without a user name is refused with a clear error", "[request][security]") {
  // No username and no address: curl would put the password where the user name belongs.
  json j = json::parse(R"({"account":{"incoming":{"protocol":"imap","host":"mail.example.test","password":"pw"}}})");
  auto p = parse_request(j);
  REQUIRE(p.error);
  CHECK(p.error->field == "account.incoming.username");
  CHECK_THAT(p.error->message, Catch::Contains("user name"));
  // The same endpoint without a password, or with login switched off, is a fine credential-free diagnosis.
  j["account"]["incoming"].erase("password");
  CHECK(parse_request(j).request);
  j["account"]["incoming"]["password"] = "pw";
  j["options"] = {{"login", false}};
  CHECK(parse_request(j).request);
  // A password added later (the CLI's stdin) is checked by credentials_error.
  j["account"]["incoming"].erase("password");
  j.erase("options");
  auto r = parse_request(j);
  REQUIRE(r.request);
  CHECK_FALSE(credentials_error(*r.request));
  r.request->account.incoming->password = Secret("pw");
  auto e = credentials_error(*r.request);
  REQUIRE(e);
  CHECK(e->field == "account.incoming.username");
}

TEST_CASE("wipe_strings overwrites the DOM's strings in place", "[request][security]") {
  json j = json::parse(R"({"account":{"incoming":{"password":"a-long-password-beyond-any-inline-buffer-0123456789"}},"n":[1,"x"]})");
  std::string& pw = j["account"]["incoming"]["password"].get_ref<std::string&>();
  const char* data = pw.data();
  const std::size_t n = pw.size();
  wipe_strings(j);
  // The string object and its buffer are still alive (only cleared): every byte of it is zero now.
  CHECK(pw.empty());
  CHECK(pw.data() == data);
  for (std::size_t i = 0; i < n; ++i) CHECK(data[i] == '\0');
  CHECK(j["n"][0] == 1);
  CHECK(j["n"][1].get<std::string>().empty());
}

TEST_CASE("the request's proxy is read and checked", "[request][proxy]") {
  json j = good();
  j["proxy"] = json::parse(R"({"type":"socks5","host":"127.0.0.1","port":1080,"remote_dns":true})");
  auto p = parse_request(j);
  REQUIRE(p.request);
  REQUIRE(p.request->options.proxy);
  CHECK(p.request->options.proxy->type == Proxy::Type::socks5);
  CHECK(p.request->options.proxy->host == "127.0.0.1");
  CHECK(p.request->options.proxy->port == 1080);
  CHECK(p.request->options.proxy->remote_dns);
  CHECK(proxy_url(*p.request->options.proxy) == "socks5h://127.0.0.1:1080");

  j["proxy"] = json::parse(R"({"type":"socks4","host":"::1","port":9050})");
  p = parse_request(j);
  REQUIRE(p.request);
  CHECK_FALSE(p.request->options.proxy->remote_dns);
  CHECK(proxy_url(*p.request->options.proxy) == "socks4://[::1]:9050");

  CHECK_FALSE(parse_request(good()).request->options.proxy);  // no "proxy": direct

  for (const char* bad : {R"({"type":"http","host":"h","port":1})", R"({"type":"socks5h","host":"h","port":1})",
                          R"({"type":5,"host":"h","port":1})", R"({"host":"h","port":1})"}) {
    j["proxy"] = json::parse(bad);
    CHECK(refused_field(j) == "proxy.type");
  }
  for (const char* bad : {R"({"type":"socks5","host":"h","port":0})", R"({"type":"socks5","host":"h","port":65536})",
                          R"({"type":"socks5","host":"h","port":"1080"})", R"({"type":"socks5","host":"h"})",
                          R"({"type":"socks5","host":"h","port":1.5})"}) {
    j["proxy"] = json::parse(bad);
    CHECK(refused_field(j) == "proxy.port");
  }
  for (const char* bad : {R"({"type":"socks5","host":"","port":1})", R"({"type":"socks5","host":"a b","port":1})",
                          R"({"type":"socks5","host":"a\r\nb","port":1})", R"({"type":"socks5","host":"u@h","port":1})",
                          R"({"type":"socks5","host":"h/x","port":1})", R"({"type":"socks5","port":1})"}) {
    j["proxy"] = json::parse(bad);
    CHECK(refused_field(j) == "proxy.host");
  }
  j["proxy"] = json::parse(R"({"type":"socks5","host":"h","port":1,"remote_dns":"yes"})");
  CHECK(refused_field(j) == "proxy.remote_dns");
  j["proxy"] = "socks5h://127.0.0.1:1080";
  CHECK(refused_field(j) == "proxy");
}

TEST_CASE("proxy URLs of the CLI", "[request][proxy]") {
  std::string why;
  auto p = parse_proxy_url("socks5h://127.0.0.1:1080", why);
  REQUIRE(p);
  CHECK(p->type == Proxy::Type::socks5);
  CHECK(p->remote_dns);
  CHECK(p->port == 1080);
  p = parse_proxy_url("socks5://proxy.example.test:9050/", why);
  REQUIRE(p);
  CHECK_FALSE(p->remote_dns);
  CHECK(p->host == "proxy.example.test");
  p = parse_proxy_url("socks4a://[::1]:1", why);
  REQUIRE(p);
  CHECK(p->type == Proxy::Type::socks4);
  CHECK(p->remote_dns);
  CHECK(p->host == "::1");
  CHECK(proxy_url(*p) == "socks4a://[::1]:1");
  p = parse_proxy_url("socks4://10.0.0.1:65535", why);
  REQUIRE(p);
  CHECK_FALSE(p->remote_dns);
  for (const char* bad : {"", "127.0.0.1:1080", "http://127.0.0.1:3128", "https://h:1", "socks5h://", "socks5h://h",
                          "socks5h://h:", "socks5h://h:0", "socks5h://h:65536", "socks5h://h:99999999999", "socks5h://h:-1",
                          "socks5h://h:10x", "socks5h://user:pw@h:1080", "socks5h://h:1/path", "socks5h://h:1?q", "socks5h://a b:1",
                          "socks5h://[::1:1", "socks5h://a:b:1", "socks5h://:1080"}) {
    INFO(bad);
    why.clear();
    CHECK_FALSE(parse_proxy_url(bad, why));
    CHECK_FALSE(why.empty());
  }
  CHECK_FALSE(parse_proxy_url(std::string("socks5h://h\r\nx:1", 16), why));
}

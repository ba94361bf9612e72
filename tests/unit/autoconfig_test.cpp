#include <catch2/catch.hpp>
#include <string>

#include "discover/client_config.hpp"
#include "maildoctor/kb.hpp"

using namespace maildoctor;
using namespace maildoctor::discovery;

namespace {

const char* kExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.test">
    <domain>example.test</domain>
    <domain>Example.ORG</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="pop3">
      <hostname>pop.%EMAILDOMAIN%</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname> imap.example.test </hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-encrypted</authentication>
    </incomingServer>
    <incomingServer type="exchange">
      <hostname>ews.example.test</hostname>
      <port>443</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.test</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <documentation url="https://example.test/help"><descr lang="en">Help</descr></documentation>
  </emailProvider>
</clientConfig>)";

}  // namespace

TEST_CASE("a good clientConfig is read completely", "[autoconfig]") {
  auto parsed = parse_client_config(kExample, "bob@example.test");
  REQUIRE(parsed.config);
  CHECK(parsed.error.empty());
  const auto& c = *parsed.config;
  CHECK(c.provider_id == "example.test");
  CHECK(c.display_name == "Example Mail");
  CHECK(c.domains == std::vector<std::string>{"example.test", "example.org"});
  REQUIRE(c.incoming.size() == 2);
  CHECK(c.incoming[0].protocol == Protocol::pop3);
  CHECK(c.incoming[0].host == "pop.example.test");
  CHECK(c.incoming[0].port == 995);
  CHECK(c.incoming[0].security == Security::tls);
  CHECK(c.incoming[0].username == "bob");
  CHECK(c.incoming[1].protocol == Protocol::imap);
  CHECK(c.incoming[1].host == "imap.example.test");
  CHECK(c.incoming[1].security == Security::starttls);
  CHECK(c.incoming[1].username == "bob@example.test");
  CHECK(c.incoming[1].auth == std::vector<std::string>{"OAuth2", "password-encrypted"});
  REQUIRE(c.outgoing.size() == 1);
  CHECK(c.outgoing[0].protocol == Protocol::smtp);
  CHECK(c.outgoing[0].port == 587);
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Catch::Contains("exchange"));
}

TEST_CASE("placeholders are replaced", "[autoconfig]") {
  CHECK(kb::expand_email_placeholders("%EMAILLOCALPART%+x@%EMAILDOMAIN%", "a.b@mail.example") == "a.b+x@mail.example");
  CHECK(kb::expand_email_placeholders("%EMAILADDRESS%", "a@b.c") == "a@b.c");
  CHECK(kb::expand_email_placeholders("%UNKNOWN%%", "a@b.c") == "%UNKNOWN%%");
}

TEST_CASE("authentication choice follows the provider, preferring a password when one was given", "[autoconfig]") {
  ConfigServer s;
  s.protocol = Protocol::imap;
  s.host = "imap.example.test";
  s.port = 993;
  s.auth = {"client-IP-address", "OAuth2", "password-cleartext"};
  CHECK(to_endpoint(s, Subject::incoming, false).auth == AuthMethod::oauth2);
  CHECK(to_endpoint(s, Subject::incoming, true).auth == AuthMethod::password);
  s.auth = {"OAuth2"};
  CHECK(to_endpoint(s, Subject::incoming, true).auth == AuthMethod::oauth2);
  s.auth = {};
  CHECK(to_endpoint(s, Subject::incoming, true).auth == AuthMethod::password);
  CHECK(auth_from_config("password-encrypted") == AuthMethod::password_encrypted);
  CHECK(auth_from_config("GSSAPI") == AuthMethod::gssapi);
  CHECK(auth_from_config("NTLM") == AuthMethod::ntlm);
  CHECK(auth_from_config("TLS-client-cert") == AuthMethod::tls_certificate);
  CHECK_FALSE(auth_from_config("client-IP-address"));
}

TEST_CASE("servers with wrong values are skipped with a warning", "[autoconfig]") {
  const char* doc = R"(<clientConfig><emailProvider id="x">
    <incomingServer type="imap"><hostname>ok.example</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap"><hostname>ok.example</hostname><port>12a</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap"><hostname>ok.example</hostname><port>993</port><socketType>quantum</socketType></incomingServer>
    <incomingServer type="imap"><hostname>bad host;rm</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap"><hostname>ok.example</hostname><port>993</port><socketType>SSL</socketType><username>a&#13;&#10;LOGOUT</username></incomingServer>
    <outgoingServer type="imap"><hostname>ok.example</hostname><port>993</port><socketType>SSL</socketType></outgoingServer>
    <incomingServer type="imap"><hostname>good.example</hostname><port>993</port><socketType>plain</socketType></incomingServer>
  </emailProvider></clientConfig>)";
  auto parsed = parse_client_config(doc, "a@b.example");
  REQUIRE(parsed.config);
  CHECK(parsed.config->warnings.size() == 6);
  REQUIRE(parsed.config->incoming.size() == 1);
  CHECK(parsed.config->incoming[0].host == "good.example");
  CHECK(parsed.config->incoming[0].security == Security::none);
  CHECK(parsed.config->outgoing.empty());
}

TEST_CASE("a user name with any control character is not used, however it is written", "[autoconfig]") {
  // fuzz_autoconfig's oracle holds a document's user names to "no control character at all": a tab or a DEL has no
  // business in a login name that a network document chose. (XML itself refuses the other C0 characters.)
  for (const char* name : {"a&#9;b", "a\tb", "a&#127;b", "a\x7f" "b"}) {
    const std::string doc = std::string(R"(<clientConfig><emailProvider id="x"><incomingServer type="imap">)"
                                         "<hostname>ok.example</hostname><port>993</port><socketType>SSL</socketType><username>") +
                            name + "</username></incomingServer></emailProvider></clientConfig>";
    INFO(name);
    auto parsed = parse_client_config(doc, "a@b.example");
    REQUIRE(parsed.config);
    CHECK(parsed.config->incoming.empty());
    CHECK(parsed.config->warnings.size() == 1);
  }
}

TEST_CASE("hostile and broken documents are refused without expanding anything", "[autoconfig]") {
  SECTION("billion laughs") {
    const char* doc = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<clientConfig><emailProvider id="&lol3;"/></clientConfig>)";
    auto parsed = parse_client_config(doc, "a@b.c");
    CHECK_FALSE(parsed.config);
    CHECK_THAT(parsed.error, Catch::Contains("DTD"));
  }
  SECTION("external entity") {
    const char* doc = R"(<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<clientConfig><emailProvider id="x"><incomingServer type="imap"><hostname>&x;</hostname></incomingServer></emailProvider></clientConfig>)";
    auto parsed = parse_client_config(doc, "a@b.c");
    CHECK_FALSE(parsed.config);
  }
  SECTION("undeclared entity") {
    auto parsed = parse_client_config("<clientConfig>&nope;</clientConfig>", "a@b.c");
    CHECK_FALSE(parsed.config);
    CHECK_THAT(parsed.error, Catch::Contains("not well-formed"));
  }
  SECTION("deep nesting") {
    std::string doc = "<clientConfig>";
    for (int i = 0; i < 100000; ++i) doc += "<a>";
    auto parsed = parse_client_config(doc, "a@b.c", 1 << 20);
    CHECK_FALSE(parsed.config);
    CHECK_THAT(parsed.error, Catch::Contains("nested"));
  }
  SECTION("too large") {
    std::string doc = "<clientConfig>" + std::string(300 * 1024, ' ') + "</clientConfig>";
    auto parsed = parse_client_config(doc, "a@b.c");
    CHECK_FALSE(parsed.config);
    CHECK_THAT(parsed.error, Catch::Contains("larger"));
  }
  SECTION("too many elements") {
    std::string doc = "<clientConfig>";
    for (int i = 0; i < 6000; ++i) doc += "<x/>";
    doc += "</clientConfig>";
    auto parsed = parse_client_config(doc, "a@b.c");
    CHECK_FALSE(parsed.config);
  }
  SECTION("a huge text field") {
    std::string doc = "<clientConfig><emailProvider><displayName>" + std::string(100000, 'x') + "</displayName></emailProvider></clientConfig>";
    CHECK_FALSE(parse_client_config(doc, "a@b.c").config);
  }
  SECTION("wrong root, HTML error page, empty, truncated") {
    CHECK_FALSE(parse_client_config("<html><body>404</body></html>", "a@b.c").config);
    CHECK_FALSE(parse_client_config("", "a@b.c").config);
    CHECK_FALSE(parse_client_config("<clientConfig><emailProvider>", "a@b.c").config);
    CHECK_FALSE(parse_client_config(std::string("<clientConfig>\0</clientConfig>", 30), "a@b.c").config);
  }
}

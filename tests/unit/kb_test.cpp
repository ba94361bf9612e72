#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "maildoctor/kb.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {
json gmail_doc() {
  return json::parse(R"({"id":"gmail","name":"Gmail","domains":["gmail.com","GoogleMail.com"],"mx_suffixes":["google.com"],
    "host_suffixes":["gmail.com"],"banner_patterns":["Gimap ready"],
    "incoming":[{"protocol":"imap","host":"imap.gmail.com","port":993,"security":"tls","username":"%EMAILADDRESS%"}],
    "outgoing":[{"protocol":"smtp","host":"smtp.gmail.com","port":465,"security":"tls"}],
    "auth":{"account_password":"refused","app_password":"with_2fa","oauth2":"supported","bridge":false},
    "oauth2":{"thunderbird":true,"hosts":["gmail.com"],"source":"https://example.org/OAuth2Providers.sys.mjs"},
    "app_password":{"url":"https://myaccount.google.com/apppasswords","steps":["Turn on 2-Step Verification"]},
    "enable_access":null,"notes":["n"],"sources":[{"fact":"servers","url":"https://example.org/ispdb"}],
    "some_future_field":{"x":1}})");
}

kb::Provider parse_ok(const json& j) {
  std::vector<std::string> errors;
  auto p = kb::parse_provider(j, errors);
  INFO(json(errors).dump());
  REQUIRE(p);
  return *p;
}
}  // namespace

TEST_CASE("a provider file parses, tolerating unknown fields", "[kb]") {
  auto p = parse_ok(gmail_doc());
  CHECK(p.id == "gmail");
  CHECK(p.domains == std::vector<std::string>{"gmail.com", "googlemail.com"});
  REQUIRE(p.incoming.size() == 1);
  CHECK(p.incoming[0].port == 993);
  CHECK(p.outgoing[0].username == "%EMAILADDRESS%");
  CHECK(p.account_password == "refused");
  REQUIRE(p.app_password);
  CHECK(p.app_password->url == "https://myaccount.google.com/apppasswords");
  CHECK_FALSE(p.enable_access);
}

TEST_CASE("a broken provider file names each mistake", "[kb]") {
  auto j = gmail_doc();
  j.erase("id");
  j["incoming"][0]["port"] = 70000;
  j["incoming"][0]["security"] = "ssl";
  j["auth"]["oauth2"] = "maybe";
  j["outgoing"][0]["protocol"] = "imap";
  std::vector<std::string> errors;
  CHECK_FALSE(kb::parse_provider(j, errors));
  CHECK(errors.size() >= 5);
  errors.clear();
  CHECK_FALSE(kb::parse_provider(json::array(), errors));
}

TEST_CASE("provider validation: ids, domains, https URLs, sources", "[kb]") {
  auto a = parse_ok(gmail_doc());
  a.file = "gmail.json";
  auto b = a;
  b.file = "gmail.json";
  b.app_password->url = "http://insecure.example";
  auto problems = kb::validate_providers({a, b});
  auto mentions = [&](const std::string& what) {
    for (const auto& p : problems)
      if (p.message.find(what) != std::string::npos) return true;
    return false;
  };
  CHECK(mentions("used twice"));
  CHECK(mentions("also claimed"));
  CHECK(mentions("https"));
  CHECK(kb::validate_providers({a}).empty());
  a.sources.clear();
  CHECK_FALSE(kb::validate_providers({a}).empty());
}

TEST_CASE("Thunderbird's OAuth2 support is stated per provider, with hosts and a source", "[kb][oauth2]") {
  auto p = parse_ok(gmail_doc());
  p.file = "gmail.json";
  CHECK(p.oauth2_thunderbird);
  CHECK(p.oauth2_hosts == std::vector<std::string>{"gmail.com"});
  CHECK(kb::validate_providers({p}).empty());
  auto without_hosts = p;
  without_hosts.oauth2_hosts.clear();
  CHECK_FALSE(kb::validate_providers({without_hosts}).empty());
  auto unsourced = p;
  unsourced.oauth2_source = "http://example.org/list";
  CHECK_FALSE(kb::validate_providers({unsourced}).empty());
  auto contradicts = p;
  contradicts.oauth2 = "none";
  CHECK_FALSE(kb::validate_providers({contradicts}).empty());

  auto j = gmail_doc();
  j["oauth2"]["thunderbird"] = "yes";
  std::vector<std::string> errors;
  CHECK_FALSE(kb::parse_provider(j, errors));
  j = gmail_doc();
  j.erase("oauth2");
  auto silent = parse_ok(j);
  silent.file = "gmail.json";
  CHECK_FALSE(silent.oauth2_thunderbird);
  CHECK_FALSE(kb::validate_providers({silent}).empty());  // no statement at all is a data error, not "no OAuth2"
}

TEST_CASE("every embedded provider file parses and validates", "[kb]") {
  for (const auto& p : kb::provider_problems()) FAIL_CHECK(p.file << ": " << p.message);
  for (const auto& p : kb::validate_providers(kb::providers())) FAIL_CHECK(p.file << ": " << p.message);
}

TEST_CASE("host suffixes match on label boundaries only", "[kb]") {
  CHECK(kb::host_has_suffix("imap.gmail.com", "gmail.com"));
  CHECK(kb::host_has_suffix("GMAIL.com.", "gmail.com"));
  CHECK_FALSE(kb::host_has_suffix("notgmail.com", "gmail.com"));
  CHECK_FALSE(kb::host_has_suffix("gmail.com", ""));
}

TEST_CASE("username templates expand", "[kb]") {
  CHECK(kb::expand_email_placeholders("%EMAILADDRESS%", "bob@example.org") == "bob@example.org");
  CHECK(kb::expand_email_placeholders("%EMAILLOCALPART%", "bob@example.org") == "bob");
  CHECK(kb::expand_email_placeholders("%EMAILLOCALPART%@%EMAILDOMAIN%", "bob@example.org") == "bob@example.org");
  CHECK(kb::expand_email_placeholders("%EMAILADDRESS%", "") == "%EMAILADDRESS%");
  // One pass: a "%EMAILDOMAIN%" inside the address itself is not expanded again.
  CHECK(kb::expand_email_placeholders("%EMAILADDRESS%", "x%EMAILDOMAIN%@d.example") == "x%EMAILDOMAIN%@d.example");
}

TEST_CASE("detection order: domain, then host, then MX, then banner", "[kb]") {
  auto g = parse_ok(gmail_doc());
  auto m = g;
  m.id = "m365";
  m.domains = {};
  m.host_suffixes = {"office365.com"};
  m.mx_suffixes = {"outlook.com"};
  m.banner_patterns = {"Microsoft Exchange"};
  std::vector<kb::Provider> all{g, m};
  Request r;
  Evidence e;
  r.account.email = "bob@gmail.com";
  Endpoint ep;
  ep.host = "outlook.office365.com";
  r.account.incoming = ep;
  CHECK(kb::detect_provider(all, r, e).provider->id == "gmail");
  r.account.email = "bob@company.example";
  auto d = kb::detect_provider(all, r, e);
  REQUIRE(d.provider);
  CHECK(d.provider->id == "m365");
  CHECK(d.by == "host");
  r.account.incoming->host = "mail.company.example";
  CHECK_FALSE(kb::detect_provider(all, r, e).provider);
  e.discovery.mx_hosts = {"company-example.mail.protection.outlook.com"};
  CHECK(kb::detect_provider(all, r, e).by == "mx");
  e.discovery.mx_hosts.clear();
  ProbeResult p;
  p.greeting.reply.lines = {"* OK Gimap ready for requests from 1.2.3.4"};
  e.primary.push_back(p);
  d = kb::detect_provider(all, r, e);
  REQUIRE(d.provider);
  CHECK(d.provider->id == "gmail");
  CHECK(d.by == "banner");
}

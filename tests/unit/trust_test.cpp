// What an attacker on the network controls (certificate names, DNS answers, a greeting before TLS, a stripped
// capability list) never becomes a one-click fix that moves the account or lowers its security.
#include <catch2/catch.hpp>

#include "maildoctor/diagnosis.hpp"
#include "report/text_report.hpp"

using namespace maildoctor;

namespace {
ProbeResult reached(Subject subject, Protocol proto, const std::string& host, std::uint16_t port, Security sec) {
  ProbeResult p;
  p.endpoint.subject = subject;
  p.endpoint.protocol = proto;
  p.endpoint.host = host;
  p.endpoint.port = port;
  p.endpoint.security = sec;
  p.endpoint.username = "bob@example.test";
  p.with_credentials = true;
  p.dns.status = DnsEvidence::Status::ok;
  p.connect.status = ConnectEvidence::Status::ok;
  if (sec != Security::none) {
    p.tls.status = TlsEvidence::Status::ok;
    p.tls.cert.present = true;
    p.tls.cert.verified = true;
  }
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {"* OK ready"};
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"PLAIN", "LOGIN"};
  p.caps_before_tls = p.caps;
  p.login.status = LoginEvidence::Status::ok;
  return p;
}

// A handshake refused because the (otherwise sound) certificate names other hosts.
ProbeResult mismatch(const std::string& host, std::vector<std::string> names) {
  ProbeResult p = reached(Subject::incoming, Protocol::imap, host, 993, Security::tls);
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::certificate;
  p.tls.cert.verified = false;
  p.tls.cert.hostname_mismatch = true;
  CertInfo leaf;
  leaf.names = std::move(names);
  p.tls.cert.chain = {leaf};
  p.login.status = LoginEvidence::Status::not_attempted;
  return p;
}

Request account(const std::string& email, const ProbeResult& p, AuthMethod auth = AuthMethod::password) {
  Request r;
  r.account.email = email;
  Endpoint e = p.endpoint;
  e.auth = auth;
  (p.endpoint.subject == Subject::outgoing ? r.account.outgoing : r.account.incoming) = e;
  return r;
}

Result classify_one(const Request& req, const ProbeResult& p, const DiscoveryEvidence& d = {}) {
  Evidence e;
  ProbeResult probe = p;
  if (const auto& ep = p.endpoint.subject == Subject::outgoing ? req.account.outgoing : req.account.incoming) probe.endpoint.auth = ep->auth;
  e.primary.push_back(probe);
  e.discovery = d;
  return classify(req, e);
}

const Finding* find(const Result& r, const std::string& code) {
  for (const auto& f : r.findings)
    if (f.code == code) return &f;
  return nullptr;
}

std::vector<const Fix*> all_settings(const Result& r, const std::string& setting) {
  std::vector<const Fix*> out;
  for (const auto& f : r.findings)
    for (const auto& x : f.fixes)
      if (x.kind == "change_setting" && x.setting == setting) out.push_back(&x);
  return out;
}
}  // namespace

TEST_CASE("a certificate's names alone never become a host fix", "[trust][classify]") {
  const auto p = mismatch("imap.example.test", {"mail.attacker.test"});
  const auto r = classify_one(account("bob@example.test", p), p);
  const Finding* f = find(r, "tls.cert_hostname_mismatch");
  REQUIRE(f);
  CHECK(all_settings(r, "host").empty());
  // Shown as text, with the warning.
  CHECK(f->params["names"] == nlohmann::json::array({"mail.attacker.test"}));
  CHECK(f->detail.find("mail.attacker.test") != std::string::npos);
  CHECK(f->detail.find("interception") != std::string::npos);
  CHECK(f->params["interception_possible"] == true);
}

TEST_CASE("a certificate name the domain's own autoconfig publishes may become a host fix", "[trust][classify]") {
  auto p = mismatch("mail.example.test", {"*.example-hosting.test"});
  DiscoveryEvidence d;
  d.confirmed_hosts = {{"imap.example-hosting.test", "https://autoconfig.example.test/mail/config-v1.1.xml"}};
  SECTION("sound chain: the published host the certificate covers is offered") {
    const auto r = classify_one(account("bob@example.test", p), p, d);
    const auto hosts = all_settings(r, "host");
    REQUIRE(hosts.size() == 1);
    CHECK(hosts[0]->value == "imap.example-hosting.test");
    CHECK(find(r, "tls.cert_hostname_mismatch")->params["confirmed_by"] == "https://autoconfig.example.test/mail/config-v1.1.xml");
  }
  SECTION("nothing from an unverified chain") {
    p.tls.cert.untrusted = true;
    CHECK(all_settings(classify_one(account("bob@example.test", p), p, d), "host").empty());
  }
  SECTION("a published host the certificate does not cover is not offered") {
    d.confirmed_hosts = {{"imap.elsewhere.test", "https://autoconfig.example.test/"}};
    CHECK(all_settings(classify_one(account("bob@example.test", p), p, d), "host").empty());
  }
}

TEST_CASE("the provider knowledge of the e-mail domain confirms a certificate name", "[trust][classify]") {
  const auto p = mismatch("mail.gmail.com", {"imap.gmail.com"});
  const auto r = classify_one(account("bob@gmail.com", p), p);
  const auto hosts = all_settings(r, "host");
  REQUIRE_FALSE(hosts.empty());
  CHECK(hosts[0]->value == "imap.gmail.com");
}

TEST_CASE("no fix ever switches encryption off", "[trust][classify]") {
  // The host is GoDaddy's relay (a provider recognised from the configured host), whose data publishes port 25 without
  // encryption: the port may be proposed, the security never.
  auto p = reached(Subject::outgoing, Protocol::smtp, "relay-hosting.secureserver.net", 587, Security::starttls);
  p.login.status = LoginEvidence::Status::refused;
  p.login.reply.lines = {"535 5.7.8 Error: authentication failed"};
  p.login.reply.code = 535;
  const auto r = classify_one(account("bob@shop.test", p), p);
  REQUIRE(r.provider);
  CHECK(r.provider->id == "godaddy-cpanel");
  CHECK(all_settings(r, "security").empty());
  CHECK_FALSE(all_settings(r, "port").empty());
  const Finding* f = find(r, "config.differs_from_provider");
  REQUIRE(f);
  REQUIRE(f->params.contains("withheld_fixes"));
  CHECK(f->params["withheld_fixes"][0]["value"] == "none");
}

TEST_CASE("a provider recognised from a greeting before TLS is named but yields no fix", "[trust][classify]") {
  auto p = reached(Subject::outgoing, Protocol::smtp, "smtp.shop.test", 587, Security::starttls);
  p.greeting.reply.lines = {"220-sg2plcpnl0074.prod.sin2.secureserver.net ESMTP Exim 4.87 #1"};
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::starttls_unavailable;
  p.tls.cert = {};
  p.login.status = LoginEvidence::Status::not_attempted;
  const auto r = classify_one(account("bob@shop.test", p), p);
  REQUIRE(r.provider);
  CHECK(r.provider->id == "godaddy-cpanel");
  CHECK(find(r, "tls.starttls_unavailable"));
  for (const auto& f : r.findings) CHECK(f.fixes.empty());
  CHECK(all_settings(r, "security").empty());
}

TEST_CASE("the same banner inside verified implicit TLS may shape fixes", "[trust][classify]") {
  auto p = reached(Subject::outgoing, Protocol::smtp, "smtp.shop.test", 465, Security::tls);
  p.greeting.reply.lines = {"220-sg2plcpnl0074.prod.sin2.secureserver.net ESMTP Exim 4.87 #1"};
  p.login.status = LoginEvidence::Status::refused;
  p.login.reply.lines = {"535 5.7.8 Error: authentication failed"};
  p.login.reply.code = 535;
  const auto r = classify_one(account("bob@shop.test", p), p);
  REQUIRE(r.provider);
  CHECK_FALSE(all_settings(r, "port").empty());   // the provider's published port
  CHECK(all_settings(r, "security").empty());     // but never its "none"
}

TEST_CASE("a provider recognised from the MX alone yields no fix", "[trust][classify]") {
  auto p = reached(Subject::incoming, Protocol::imap, "mail.company.test", 993, Security::tls);
  p.login.status = LoginEvidence::Status::refused;
  p.login.reply.lines = {"A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"};
  p.login.reply.status = "NO";
  p.login.reply.response_code = "AUTHENTICATIONFAILED";
  DiscoveryEvidence d;
  d.mx_hosts = {"aspmx.l.google.com"};
  const auto r = classify_one(account("bob@company.test", p), p, d);
  REQUIRE(r.provider);
  CHECK(r.provider->id == "gmail");
  for (const auto& f : r.findings)
    for (const auto& x : f.fixes) CHECK((x.kind != "change_setting" || x.setting == "auth"));
  CHECK(all_settings(r, "host").empty());
}

TEST_CASE("no fix turns an encrypted-password account into a clear-text one", "[trust][classify]") {
  // CRAM-MD5 stripped from the capability list: only PLAIN is left.
  auto p = reached(Subject::incoming, Protocol::imap, "mail.example.test", 993, Security::tls);
  p.login.status = LoginEvidence::Status::no_mechanism;
  p.caps.sasl_mechanisms = {"PLAIN"};
  const auto r = classify_one(account("bob@example.test", p, AuthMethod::password_encrypted), p);
  const Finding* f = find(r, "auth.mechanism_unsupported");
  REQUIRE(f);
  CHECK(all_settings(r, "auth").empty());
  REQUIRE(f->params.contains("withheld_fixes"));
  CHECK(f->params["withheld_fixes"][0]["value"] == "password");
  SECTION("the other direction is an upgrade and stays") {
    p.caps.sasl_mechanisms = {"CRAM-MD5"};
    const auto up = classify_one(account("bob@example.test", p, AuthMethod::password), p);
    const auto auth = all_settings(up, "auth");
    REQUIRE(auth.size() == 1);
    CHECK(auth[0]->value == "password-encrypted");
  }
}

TEST_CASE("candidates of discovery are listed in the result", "[trust][classify]") {
  auto p = reached(Subject::incoming, Protocol::imap, "mail.attacker.test", 993, Security::tls);
  p.login.status = LoginEvidence::Status::not_attempted;
  DiscoveryEvidence d;
  d.ran = true;
  DiscoveryEvidence::Unconfirmed u;
  u.endpoint = p.endpoint;
  u.source = "srv";
  u.reason = "mail.attacker.test was named by DNS alone";
  d.unconfirmed.push_back(u);
  const auto r = classify_one(account("bob@example.test", p), p, d);
  const auto j = to_json(r);
  REQUIRE(j["candidates"].size() == 1);
  CHECK(j["candidates"][0]["host"] == "mail.attacker.test");
  CHECK(j["candidates"][0]["source"] == "srv");
  CHECK(j["candidates"][0]["confirmed"] == false);
  CHECK(j["candidates"][0]["reason"] == "mail.attacker.test was named by DNS alone");
  const std::string text = report::text_report(r, {false});
  CHECK_THAT(text, Catch::Contains("need your confirmation") && Catch::Contains("mail.attacker.test:993") &&
                       Catch::Contains("no password was sent") && Catch::Contains("--trust-discovered"));
  // Without discovery there is no such member.
  CHECK_FALSE(to_json(classify_one(account("bob@example.test", p), p)).contains("candidates"));
}

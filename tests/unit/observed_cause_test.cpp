#include <catch2/catch.hpp>

#include <algorithm>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/kb.hpp"

// A diagnosis without the password (CONTRACT 2.1): what Thunderbird showed, the configured auth and the provider's
// policy name the cause when no login runs here.
using namespace maildoctor;

namespace {
// Connected, TLS and greeting fine, capabilities known, no login tried (no password).
ProbeResult untested(Subject subject, Protocol proto, const std::string& host, const std::string& user) {
  ProbeResult p;
  p.endpoint.subject = subject;
  p.endpoint.protocol = proto;
  p.endpoint.host = host;
  p.endpoint.port = proto == Protocol::smtp ? 587 : 993;
  p.endpoint.security = proto == Protocol::smtp ? Security::starttls : Security::tls;
  p.endpoint.username = user;
  p.dns.status = DnsEvidence::Status::ok;
  p.dns.addresses = {"127.0.0.2"};
  p.connect.status = ConnectEvidence::Status::ok;
  p.tls.status = TlsEvidence::Status::ok;
  p.tls.cert.present = true;
  p.tls.cert.verified = true;
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {proto == Protocol::smtp ? "220 ready" : "* OK ready"};
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"PLAIN", "LOGIN"};
  p.caps.starttls = proto == Protocol::smtp;
  p.caps_before_tls = p.caps;
  p.login.status = LoginEvidence::Status::not_attempted;
  p.login.reason = "no password given";
  return p;
}

Result diagnose_observed(const std::string& email, ProbeResult p, const std::string& observed) {
  Request r;
  r.account.email = email;
  r.observed_error = observed;
  Evidence e;
  e.primary.push_back(std::move(p));
  return classify(r, e);
}

Result icloud(const std::string& observed) {
  return diagnose_observed("alice@icloud.com", untested(Subject::incoming, Protocol::imap, "imap.mail.me.com", "alice@icloud.com"),
                           observed);
}

bool offers_oauth2(const Finding& f) {
  return std::any_of(f.fixes.begin(), f.fixes.end(), [](const Fix& x) { return x.setting == "auth" && x.value == "oauth2"; });
}
bool sets(const Finding& f, const std::string& setting) {
  return std::any_of(f.fixes.begin(), f.fixes.end(), [&](const Fix& x) { return x.setting == setting; });
}

const std::string kIcloudGeneric = "Login to server imap.mail.me.com with username alice@icloud.com failed.";
}  // namespace

TEST_CASE("iCloud, Thunderbird's generic text: the app password is named as the cause, from the provider's policy",
          "[classify][observed]") {
  auto r = icloud(kIcloudGeneric);
  CHECK(r.verdict == "problem");
  REQUIRE_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  CHECK(f.code == "auth.app_password_required");
  CHECK(f.severity == Severity::error);
  CHECK(f.params.at("inferred") == true);
  CHECK(f.params.at("basis") == "provider_policy");
  CHECK(f.params.at("possible_causes") == nlohmann::json{"auth.app_password_required", "auth.wrong_password"});
  CHECK(f.detail.find("The login was not tried here; iCloud Mail refuses account passwords from mail programs") == 0);
  CHECK(f.evidence == std::vector<std::string>{kIcloudGeneric});
  CHECK(f.detail.find("OAuth2") == std::string::npos);
  CHECK_FALSE(offers_oauth2(f));
  CHECK_FALSE(sets(f, "username"));
}

TEST_CASE("iCloud, server words \"Authentication failed.\": still the app password, no user-name fix",
          "[classify][observed]") {
  auto r = icloud(kIcloudGeneric + " The mail server for account alice@icloud.com responded: Authentication failed.");
  REQUIRE_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  CHECK(f.code == "auth.app_password_required");
  CHECK(f.params.at("basis") == "provider_policy");
  CHECK_FALSE(sets(f, "username"));
  CHECK_FALSE(offers_oauth2(f));
}

TEST_CASE("explicit server words come before the provider's policy", "[classify][observed]") {
  auto r = diagnose_observed("bob@gmail.com", untested(Subject::incoming, Protocol::imap, "imap.gmail.com", "bob@gmail.com"),
                             "Alert from account bob@gmail.com: [ALERT] Application-specific password required: "
                             "https://support.google.com/accounts/answer/185833 (Failure)");
  REQUIRE_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  CHECK(f.code == "auth.app_password_required");
  CHECK(f.rule == "app-password.google-asp");
  CHECK(f.params.at("basis") == "server_words");
  CHECK(f.params.at("inferred") == true);
  // Gmail's servers are in Thunderbird's OAuth2 list: OAuth2 may be offered there.
  CHECK(offers_oauth2(f));
  CHECK(f.detail.find("(or switch the account to OAuth2)") != std::string::npos);
}

TEST_CASE("Outlook.com with a password configured: OAuth2 is the cause, and Thunderbird can do it", "[classify][observed]") {
  auto r = diagnose_observed("carol@outlook.com",
                             untested(Subject::incoming, Protocol::imap, "outlook.office365.com", "carol@outlook.com"),
                             "Login to server outlook.office365.com with username carol@outlook.com failed.");
  const Finding& f = r.findings.front();
  CHECK(f.code == "auth.oauth_required");
  CHECK(f.params.at("basis") == "provider_policy");
  CHECK(offers_oauth2(f));
}

TEST_CASE("an unknown server with Thunderbird's generic text asks to test the saved password once", "[classify][observed]") {
  auto r = diagnose_observed("bob@example.test", untested(Subject::incoming, Protocol::imap, "mail.example.test", "bob"),
                             "Login to server mail.example.test with username bob failed.");
  CHECK(r.verdict == "inconclusive");
  REQUIRE(r.findings.size() == 1);  // the action replaces the plain "not tested" note
  const Finding& f = r.findings.front();
  CHECK(f.code == "auth.not_tested");
  CHECK(f.severity == Severity::warning);
  CHECK(f.title == "Test the saved password once?");
  CHECK(f.params.at("action") == "test_password");
  CHECK(f.params.at("observed_failure") == true);
  CHECK(f.params.at("basis") == "observed_failure");
  CHECK(f.params.at("possible_causes").at(0) == "auth.wrong_password");
}

TEST_CASE("the offer to test the password says whether the connection is encrypted", "[classify][observed]") {
  auto p = untested(Subject::incoming, Protocol::imap, "mail.example.test", "bob");
  CHECK(diagnose_observed("bob@example.test", p, "Login to server mail.example.test with username bob failed.")
            .findings.front()
            .detail.find("over the configured encrypted connection") != std::string::npos);
  p.endpoint.security = Security::none;
  const auto plain = diagnose_observed("bob@example.test", p, "Login to server mail.example.test with username bob failed.");
  CHECK(plain.findings.front().detail.find("encrypted connection") == std::string::npos);
  CHECK(plain.findings.front().detail.find("not encrypted") != std::string::npos);
}

TEST_CASE("an unknown server whose words Thunderbird quoted: the server's refusal, marked as inferred",
          "[classify][observed]") {
  auto r = diagnose_observed("bob@example.test", untested(Subject::incoming, Protocol::imap, "mail.example.test", "bob"),
                             "Login to server mail.example.test with username bob failed. The mail server for account bob "
                             "responded: [AUTHENTICATIONFAILED] Authentication failed.");
  const Finding& f = r.findings.front();
  CHECK(f.code == "auth.wrong_password");
  CHECK(f.params.at("basis") == "server_words");
  CHECK(r.verdict == "problem");
}

TEST_CASE("a text that is no login failure leaves the plain note without an action", "[classify][observed]") {
  auto r = diagnose_observed("bob@example.test", untested(Subject::incoming, Protocol::imap, "mail.example.test", "bob"),
                             "Connection to server mail.example.test timed out.");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings.front().code == "auth.not_tested");
  CHECK(r.findings.front().severity == Severity::info);
  CHECK_FALSE(r.findings.front().params.contains("action"));
}

TEST_CASE("Thunderbird's sentence around the server's words is not matched as a server reply", "[classify][observed]") {
  // "try again" belongs to Thunderbird's sentence; the server's words name a sender refusal.
  auto r = diagnose_observed(
      "bob@example.org", untested(Subject::outgoing, Protocol::smtp, "mail.example.org", "bob@example.org"),
      "An error occurred while sending mail. The mail server responded: 553 5.7.1 <bob@example.org>: Sender address "
      "rejected: not owned by user bob@example.org. Please verify that your email address is correct in your account "
      "settings and try again.");
  const Finding& f = r.findings.front();
  CHECK(f.code == "smtp.sender_not_authorized");
  CHECK(f.subject == Subject::outgoing);
  CHECK(f.params.at("basis") == "server_words");
}

TEST_CASE("Thunderbird's OAuth2 list decides per server host", "[kb][oauth2]") {
  CHECK(kb::thunderbird_oauth2(kb::find_provider("gmail"), "imap.gmail.com"));
  CHECK(kb::thunderbird_oauth2(kb::find_provider("microsoft365"), "outlook.office365.com"));
  CHECK(kb::thunderbird_oauth2(kb::find_provider("godaddy-microsoft365"), "smtp.office365.com"));
  CHECK_FALSE(kb::thunderbird_oauth2(kb::find_provider("icloud"), "imap.mail.me.com"));
  CHECK_FALSE(kb::thunderbird_oauth2(kb::find_provider("netease163"), "imap.163.com"));
  CHECK_FALSE(kb::thunderbird_oauth2(kb::find_provider("netease126"), "smtp.126.com"));
  // Verizon mail lives on AOL's servers (listed); its own SMTP host is not in Thunderbird's list.
  CHECK(kb::thunderbird_oauth2(kb::find_provider("verizon"), "imap.aol.com"));
  CHECK_FALSE(kb::thunderbird_oauth2(kb::find_provider("verizon"), "smtp.verizon.net"));
  CHECK_FALSE(kb::thunderbird_oauth2(nullptr, "imap.gmail.com"));
}

TEST_CASE("no provider file leaves out its Thunderbird OAuth2 statement", "[kb][oauth2]") {
  for (const auto& p : kb::providers()) {
    INFO(p.id);
    CHECK_FALSE(p.oauth2_source.empty());
  }
}

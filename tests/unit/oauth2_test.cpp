// OAuth2 accounts (issue 14 item 4): the request's access_token / oauth_error, the server's decoded failure
// challenge, the token refresh's words, and that the token is masked like a password.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/request.hpp"
#include "transcript/redactor.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {
json oauth_request(const json& extra) {
  json j = json::parse(R"({"account":{"email":"bob@example.test",
    "incoming":{"protocol":"imap","host":"imap.example.test","port":993,"security":"tls","auth":"oauth2"}}})");
  for (const auto& [k, v] : extra.items()) j["account"]["incoming"][k] = v;
  return j;
}

ProbeResult oauth_probe(Protocol proto = Protocol::imap) {
  ProbeResult p;
  p.endpoint.subject = proto == Protocol::smtp ? Subject::outgoing : Subject::incoming;
  p.endpoint.protocol = proto;
  p.endpoint.host = proto == Protocol::smtp ? "smtp.example.test" : "imap.example.test";
  p.endpoint.port = proto == Protocol::smtp ? 465 : 993;
  p.endpoint.security = Security::tls;
  p.endpoint.username = "bob@example.test";
  p.endpoint.auth = AuthMethod::oauth2;
  p.with_credentials = true;
  p.dns.status = DnsEvidence::Status::ok;
  p.dns.addresses = {"127.0.0.2"};
  p.connect.status = ConnectEvidence::Status::ok;
  p.tls.status = TlsEvidence::Status::ok;
  p.tls.cert.present = true;
  p.tls.cert.verified = true;
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {"* OK ready"};
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"XOAUTH2", "OAUTHBEARER"};
  p.caps_before_tls = p.caps;
  return p;
}

Result classify_one(const ProbeResult& p, const std::string& observed = {}) {
  Request r;
  r.account.email = "bob@example.test";
  r.observed_error = observed;
  Evidence e;
  e.primary.push_back(p);
  return classify(r, e);
}

const Finding& first_error(const Result& r) {
  for (const auto& f : r.findings)
    if (f.severity == Severity::error) return f;
  FAIL("no error finding");
  return r.findings.front();
}

bool offers_signin(const Finding& f) {
  for (const auto& x : f.fixes)
    if (x.kind == "oauth_signin" && x.subject == f.subject) return true;
  return false;
}

ProbeResult refused_with(std::vector<std::string> lines, Protocol proto = Protocol::imap) {
  ProbeResult p = oauth_probe(proto);
  p.login.status = LoginEvidence::Status::refused;
  p.login.mechanism = "XOAUTH2";
  p.login.reply.lines = std::move(lines);
  return p;
}

ProbeResult token_failed(const std::string& said) {
  ProbeResult p = oauth_probe();
  p.with_credentials = false;
  p.endpoint.oauth_error = said;
  p.login.status = LoginEvidence::Status::not_attempted;
  p.login.reason = "Thunderbird could not get an access token";
  return p;
}
}  // namespace

TEST_CASE("access_token is the endpoint's secret, only with auth oauth2", "[oauth2][request]") {
  auto p = parse_request(oauth_request({{"access_token", "ya29.token-value"}}));
  REQUIRE(p.request);
  CHECK(p.request->account.incoming->password.reveal() == "ya29.token-value");

  auto plain = oauth_request({{"access_token", "ya29.token-value"}});
  plain["account"]["incoming"]["auth"] = "password";
  auto refused = parse_request(plain);
  REQUIRE(refused.error);
  CHECK(refused.error->field == "account.incoming.access_token");

  auto both = parse_request(oauth_request({{"access_token", "t"}, {"password", "p"}}));
  REQUIRE(both.error);
  CHECK(both.error->field == "account.incoming.access_token");

  auto injected = parse_request(oauth_request({{"access_token", "tok\r\nA1 LOGOUT"}}));
  REQUIRE(injected.error);
  CHECK(injected.error->field == "account.incoming.access_token");

  auto number = parse_request(oauth_request({{"access_token", 5}}));
  REQUIRE(number.error);

  auto huge = parse_request(oauth_request({{"access_token", std::string(16385, 'a')}}));
  REQUIRE(huge.error);
}

TEST_CASE("oauth_error is read with auth oauth2 and refused otherwise", "[oauth2][request]") {
  auto p = parse_request(oauth_request({{"oauth_error", "invalid_grant"}}));
  REQUIRE(p.request);
  CHECK(p.request->account.incoming->oauth_error == "invalid_grant");
  CHECK(p.request->account.incoming->password.empty());
  auto plain = oauth_request({{"oauth_error", "invalid_grant"}});
  plain["account"]["incoming"]["auth"] = "password";
  auto refused = parse_request(plain);
  REQUIRE(refused.error);
  CHECK(refused.error->field == "account.incoming.oauth_error");
}

TEST_CASE("Gmail's base64 JSON challenge to XOAUTH2 is decoded and asks to sign in again", "[oauth2][classify]") {
  // {"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"} + newline, as Google documents it.
  const std::string challenge =
      "+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K";
  auto r = classify_one(refused_with({challenge, "A2 NO SASL authentication failed"}));
  const Finding& f = first_error(r);
  CHECK(f.code == "auth.oauth_signin_required");
  CHECK(f.rule == "oauth.server-json-refused");
  CHECK(f.params["oauth2_error"]["status"] == "401");
  CHECK(f.params["oauth2_error"]["scope"] == "https://mail.google.com/");
  CHECK(f.evidence == std::vector<std::string>{challenge, "A2 NO SASL authentication failed"});
  CHECK(offers_signin(f));
}

TEST_CASE("the same challenge on SMTP (334) is decoded too", "[oauth2][classify]") {
  // {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}
  auto r = classify_one(refused_with({"334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
                                      "535-5.7.8 Username and Password not accepted. Learn more at",
                                      "535 5.7.8  https://support.google.com/mail/?p=BadCredentials"},
                                     Protocol::smtp));
  const Finding& f = first_error(r);
  CHECK(f.code == "auth.oauth_signin_required");
  CHECK(f.params["oauth2_error"]["status"] == "400");
  CHECK(f.subject == Subject::outgoing);
}

TEST_CASE("a challenge that is not base64 JSON is left to the other rules", "[oauth2][classify]") {
  auto r = classify_one(refused_with({"+ bm90IGpzb24=", "A2 NO [AUTHENTICATIONFAILED] Authentication failed."}));
  const Finding& f = first_error(r);
  CHECK(f.params.find("oauth2_error") == f.params.end());
}

TEST_CASE("insufficient_scope asks for consent", "[oauth2][classify]") {
  // {"status":"insufficient_scope","scope":"mail"}
  auto r = classify_one(refused_with({"+ eyJzdGF0dXMiOiJpbnN1ZmZpY2llbnRfc2NvcGUiLCJzY29wZSI6Im1haWwifQ==", "A2 NO failed"}));
  CHECK(first_error(r).code == "auth.oauth_consent_required");
}

TEST_CASE("Microsoft's AUTHENTICATE failed with a token asks to sign in again, not for a password", "[oauth2][classify]") {
  auto r = classify_one(refused_with({"A2 NO AUTHENTICATE failed."}));
  const Finding& f = first_error(r);
  CHECK(f.code == "auth.oauth_signin_required");
  CHECK(f.rule == "oauth.microsoft-authenticate-failed");
  // With a password the same words stay a password problem.
  ProbeResult pw = refused_with({"A2 NO AUTHENTICATE failed."});
  pw.endpoint.auth = AuthMethod::password;
  CHECK(first_error(classify_one(pw)).code == "auth.wrong_password");
}

TEST_CASE("Microsoft 365 with SMTP AUTH off for the mailbox stays auth.tenant_disabled", "[oauth2][classify]") {
  auto r = classify_one(refused_with({"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."},
                                     Protocol::smtp));
  CHECK(first_error(r).code == "auth.tenant_disabled");
}

TEST_CASE("the token refresh's words name the cause without a login", "[oauth2][classify]") {
  struct Case {
    const char* said;
    const char* code;
    const char* rule;
  };
  for (const Case& c : {
           Case{"invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.", "auth.oauth_signin_required", "oauth.token-inactive"},
           Case{"invalid_grant: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new "
                "location, you must use multi-factor authentication to access", "auth.oauth_signin_required", "oauth.token-mfa"},
           Case{"AADSTS50079: Due to a configuration change made by your administrator, you must enroll in multi-factor authentication",
                "auth.oauth_signin_required", "oauth.token-mfa"},
           Case{"invalid_grant: AADSTS65001: The user or administrator has not consented to use the application", "auth.oauth_consent_required",
                "oauth.token-consent"},
           Case{"invalid_grant: AADSTS53003: Access has been blocked by Conditional Access policies.", "auth.oauth_blocked_by_policy",
                "oauth.token-conditional-access"},
           Case{"invalid_grant: Token has been expired or revoked.", "auth.oauth_signin_required", "oauth.token-invalid-grant"},
       }) {
    CAPTURE(c.said);
    auto r = classify_one(token_failed(c.said));
    const Finding& f = first_error(r);
    CHECK(f.code == c.code);
    CHECK(f.rule == c.rule);
    CHECK(f.params["stage"] == "token");
    CHECK(f.params["basis"] == "token_refresh");
    CHECK(f.evidence == std::vector<std::string>{c.said});
    CHECK(r.verdict == "problem");
    const bool blocked = std::string(c.code) == "auth.oauth_blocked_by_policy";
    CHECK(offers_signin(f) == !blocked);  // signing in again cannot lift a policy
  }
}

TEST_CASE("unknown refresh words are auth.failed with the words as evidence", "[oauth2][classify]") {
  auto r = classify_one(token_failed("temporarily_unavailable"));
  const Finding& f = first_error(r);
  CHECK(f.code == "auth.failed");
  CHECK(f.evidence == std::vector<std::string>{"temporarily_unavailable"});
}

TEST_CASE("no token and a failed login seen by Thunderbird: the action tests a token", "[oauth2][classify]") {
  ProbeResult p = oauth_probe();
  p.with_credentials = false;
  p.login.status = LoginEvidence::Status::not_attempted;
  p.login.reason = "no access token given";
  auto r = classify_one(p, "Login to server imap.example.test with username bob@example.test failed.");
  const Finding* f = nullptr;
  for (const auto& x : r.findings)
    if (x.code == "auth.not_tested") f = &x;
  REQUIRE(f);
  CHECK(f->params["action"] == "test_token");
  CHECK(f->params["possible_causes"][0] == "auth.oauth_signin_required");
}

TEST_CASE("the same refresh words in observed_error are recognised", "[oauth2][classify]") {
  ProbeResult p = oauth_probe();
  p.with_credentials = false;
  p.login.status = LoginEvidence::Status::not_attempted;
  auto r = classify_one(p, "AADSTS65001: The user or administrator has not consented to use the application");
  CHECK(first_error(r).code == "auth.oauth_consent_required");
}

TEST_CASE("the scrubber masks an access token inside the XOAUTH2 and OAUTHBEARER strings", "[oauth2][redaction]") {
  const Secret token("ya29.a0AfB_byC-token-0123456789");
  transcript::SecretScrubber scrubber(token, "bob@example.test");
  for (const std::string& blob : {std::string("user=bob@example.test\x01" "auth=Bearer ya29.a0AfB_byC-token-0123456789\x01\x01"),
                                 std::string("n,a=bob@example.test,\x01host=imap.example.test\x01port=993\x01"
                                             "auth=Bearer ya29.a0AfB_byC-token-0123456789\x01\x01")}) {
    std::string b64(4 * ((blob.size() + 2) / 3) + 1, '\0');
    b64.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                                        reinterpret_cast<const unsigned char*>(blob.data()), static_cast<int>(blob.size()))));
    // A whole base64 group that lies inside the token: it must be gone, whatever surrounds it.
    const std::size_t at = blob.find("ya29.");
    const std::string inside = b64.substr((at + 2) / 3 * 4, 16);
    std::string line = "A1 AUTHENTICATE XOAUTH2 " + b64;
    CHECK(scrubber.scrub(line));
    CHECK(line.find(inside) == std::string::npos);
  }
}

TEST_CASE("a hostile challenge (nested, huge, not base64) is ignored, never a crash", "[oauth2][classify]") {
  std::string nested = "{\"status\":";
  for (int i = 0; i < 4000; ++i) nested += "[";
  for (int i = 0; i < 4000; ++i) nested += "]";
  nested += "}";
  std::string b64(4 * ((nested.size() + 2) / 3) + 1, '\0');
  b64.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                                      reinterpret_cast<const unsigned char*>(nested.data()), static_cast<int>(nested.size()))));
  for (const std::string& line : {"+ " + b64, "+ " + std::string(100000, 'A'), std::string("+ !!!!====")}) {
    auto r = classify_one(refused_with({line, "A2 NO failed"}));
    const Finding& f = first_error(r);
    CHECK(f.params.find("oauth2_error") == f.params.end());
  }
}

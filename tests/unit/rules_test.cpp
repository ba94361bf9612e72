#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "maildoctor/rules.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {
rules::Rule rule(const char* text) {
  std::vector<std::string> errors;
  auto r = rules::parse_rule(json::parse(text), errors);
  INFO(json(errors).dump());
  REQUIRE(r);
  return *r;
}

rules::MatchInput input(Protocol proto, std::vector<std::string> lines, const kb::Provider* provider = nullptr, std::string stage = "auth") {
  rules::MatchInput in;
  in.protocol = proto;
  in.stage = std::move(stage);
  in.reply.lines = std::move(lines);
  in.provider = provider;
  in.host = "mail.example.test";
  return in;
}

kb::Provider provider(const std::string& id, const std::string& account_password = "unknown", const std::string& oauth2 = "supported") {
  kb::Provider p;
  p.id = id;
  p.name = id;
  p.account_password = account_password;
  p.oauth2 = oauth2;
  return p;
}

std::string classify_reply(Protocol proto, std::vector<std::string> lines, const kb::Provider* prov = nullptr, std::string stage = "auth") {
  const rules::Rule* r = rules::first_match(rules::rules(), input(proto, std::move(lines), prov, std::move(stage)));
  return r ? r->code : std::string("(none)");
}
}  // namespace

TEST_CASE("every embedded rule file parses and validates", "[rules]") {
  CHECK_FALSE(rules::rules().empty());
  for (const auto& p : rules::rule_problems()) FAIL_CHECK(p.file << ": " << p.message);
  for (const auto& p : rules::validate_rules(rules::rules())) FAIL_CHECK(p.file << ": " << p.message);
}

TEST_CASE("rule parsing refuses mistakes", "[rules]") {
  std::vector<std::string> errors;
  CHECK_FALSE(rules::parse_rule(json::parse(R"({"id":"x","match":{"stage":"login"},"finding":{"code":"auth.failed","title":"t","detail":"d"}})"), errors));
  CHECK_FALSE(rules::parse_rule(json::parse(R"({"id":"x","match":{},"finding":{"code":"auth.nope","title":"t","detail":"d"}})"), errors));
  CHECK_FALSE(rules::parse_rule(json::parse(R"({"id":"x","match":{},"finding":{"code":"auth.failed","title":"t","detail":"d"},
    "fixes":[{"kind":"open_url","url":"http://x.example"}]})"), errors));
  CHECK_FALSE(rules::parse_rule(json::parse(R"({"id":"x","finding":{"code":"auth.failed"}})"), errors));
  CHECK(errors.size() >= 4);
  auto dup = rule(R"({"id":"a","match":{"text_any":"x"},"finding":{"code":"auth.failed","title":"t","detail":"d"},"sources":["https://e.example"]})");
  CHECK(rules::validate_rules({dup, dup}).size() == 1);
  auto bare = rule(R"({"id":"b","match":{},"finding":{"code":"auth.failed","title":"t","detail":"d"},"sources":["https://e.example"]})");
  CHECK(rules::validate_rules({bare}).size() == 1);
  // Each kind of condition counts as one, the provider's app-password policy too.
  auto by_policy = rule(R"({"id":"c","match":{"provider_app_password":"required"},"finding":{"code":"auth.failed","title":"t","detail":"d"},"sources":["https://e.example"]})");
  CHECK(rules::validate_rules({by_policy}).empty());
}

TEST_CASE("reply codes are read from the text when the probe left them empty", "[rules]") {
  Reply r;
  r.lines = {"535-5.7.8 Username and Password not accepted. For more information, go to", "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp"};
  CHECK(rules::reply_code(r) == 535);
  CHECK(rules::enhanced_code(r) == "5.7.8");
  r.lines = {"A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"};
  CHECK(rules::response_code(r) == "AUTHENTICATIONFAILED");
  CHECK(rules::reply_code(r) == 0);
  r.lines = {"-ERR [SYS/TEMP] try later"};
  CHECK(rules::response_code(r) == "SYS/TEMP");
  r.lines = {"535 5.7.0 (#AUTH005) Too many bad auth attempts."};
  CHECK(rules::enhanced_code(r) == "5.7.0");
}

TEST_CASE("match conditions", "[rules]") {
  auto r = rule(R"({"id":"t","match":{"protocol":"smtp","code":535,"enhanced":"5.7","text_all":["password"],"text_none":["tenant"]},
                    "finding":{"code":"auth.failed","title":"t","detail":"d"}})");
  CHECK(rules::matches(r, input(Protocol::smtp, {"535 5.7.8 bad PASSWORD"})));
  CHECK_FALSE(rules::matches(r, input(Protocol::imap, {"535 5.7.8 bad PASSWORD"})));
  CHECK_FALSE(rules::matches(r, input(Protocol::smtp, {"535 5.7.8 bad PASSWORD for tenant"})));
  CHECK_FALSE(rules::matches(r, input(Protocol::smtp, {"535 5.5.8 bad password"})));
  CHECK_FALSE(rules::matches(r, input(Protocol::smtp, {"535 5.7.8 bad password"}, nullptr, "sender")));
  auto o = rule(R"({"id":"o","match":{"oauth_only":true},"finding":{"code":"auth.oauth_required","title":"t","detail":"d"}})");
  auto in = input(Protocol::imap, {});
  in.mechanisms = {"XOAUTH2", "OAUTHBEARER"};
  CHECK(rules::matches(o, in));
  in.mechanisms.push_back("PLAIN");
  CHECK_FALSE(rules::matches(o, in));
  auto pr = rule(R"({"id":"p","match":{"provider":["gmail"],"auth":["password"]},"finding":{"code":"auth.failed","title":"t","detail":"d"}})");
  auto g = provider("gmail");
  CHECK(rules::matches(pr, input(Protocol::imap, {"x"}, &g)));
  CHECK_FALSE(rules::matches(pr, input(Protocol::imap, {"x"})));
}

// The acceptance list of the classification issue, reply by reply, through the embedded rules.
TEST_CASE("real provider replies map to their causes", "[rules]") {
  auto gmail = provider("gmail", "refused");
  auto icloud = provider("icloud", "refused", "none");
  auto yahoo = provider("yahoo", "refused");
  auto outlook = provider("outlook", "refused", "required");
  auto plain = provider("example", "accepted", "none");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"}, &gmail) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::smtp, {"534-5.7.9 Application-specific password required. Learn more at", "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor o13sm2119833lfg.90 - gsmtp"}, &gmail) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"}, &gmail) == "auth.web_login_required");
  CHECK(classify_reply(Protocol::smtp, {"534-5.7.14 <https://accounts.google.com/signin/continue?x> Please log in via your web browser and", "534 5.7.14 then try again."}, &gmail) == "auth.web_login_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)"}, &gmail) == "auth.protocol_disabled");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] IMAP access is disabled for your domain. Please contact your domain administrator for questions about this feature. (Failure)"}, &gmail) == "auth.protocol_disabled");
  CHECK(classify_reply(Protocol::smtp, {"535-5.7.8 Username and Password not accepted. For more information, go to", "535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp"}, &gmail) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTHENTICATIONFAILED] Authentication failed."}, &icloud) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials"}, &yahoo) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::smtp, {"535 5.7.0 (#AUTH005) Too many bad auth attempts."}, &yahoo) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::smtp, {"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [PH7P220CA0132.NAMP220.PROD.OUTLOOK.COM]"}, &outlook) == "auth.oauth_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO AUTHENTICATE failed."}, &outlook) == "auth.oauth_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO LOGIN failed."}, &outlook) == "auth.oauth_required");
  CHECK(classify_reply(Protocol::smtp, {"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."}, &outlook) == "auth.tenant_disabled");
  CHECK(classify_reply(Protocol::smtp, {"535 Login Fail. Please enter your authorization code to login. More information in http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256"}) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTH] NEOBHODIM parol prilozheniya https://help.mail.ru/mail/security/protection/external / Application password is REQUIRED"}) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::imap, {"2 NO [AUTHENTICATIONFAILED] LOGIN invalid credentials or IMAP is disabled sc=cYXlpv732Cg1_010534_2-1e59ad28a72c"}) == "auth.protocol_disabled");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] Please use full email address as user name"}, &plain) == "auth.username_format");
  CHECK(classify_reply(Protocol::smtp, {"530 5.7.0 Must issue a STARTTLS command first"}) == "auth.tls_required");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [PRIVACYREQUIRED] Authentication not allowed until SSL/TLS is enabled."}) == "auth.tls_required");
  CHECK(classify_reply(Protocol::smtp, {"553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user bob"}, nullptr, "sender") == "smtp.sender_not_authorized");
  CHECK(classify_reply(Protocol::smtp, {"554 5.7.1 <x@elsewhere.example>: Relay access denied"}, nullptr, "sender") == "smtp.relay_denied");
  CHECK(classify_reply(Protocol::smtp, {"454 4.7.0 Too many login attempts, please try later."}) == "auth.rate_limited");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] Too many simultaneous connections. (Failure)"}, &gmail) == "proto.too_many_connections");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [UNAVAILABLE] Temporary authentication failure."}) == "proto.server_unavailable");
  CHECK(classify_reply(Protocol::smtp, {"454 4.7.0 Temporary authentication failure"}) == "proto.server_unavailable");
  CHECK(classify_reply(Protocol::smtp, {"220-p3plcpnl0123.prod.phx3.secureserver.net ESMTP Exim 4.91 #1"}, nullptr, "greeting") == "net.intercepted");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTHENTICATIONFAILED] Authentication failed."}, &plain) == "auth.wrong_password");
  CHECK(classify_reply(Protocol::pop3, {"-ERR [AUTH] Authentication failed."}, &plain) == "auth.wrong_password");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [CONTACTADMIN] Your account is suspended"}) == "auth.account_locked");
  CHECK(classify_reply(Protocol::imap, {"A4 NO SELECT Unsafe Login. Please contact kefu@188.com for help"}, nullptr, "after_auth") == "proto.mailbox_unusable");
}

TEST_CASE("explicit wording outranks the provider default: a generic refusal is not 'access switched off'", "[rules]") {
  kb::Provider zoho = provider("example", "accepted", "none");
  kb::EnableAccess access;
  access.default_state = "off";
  zoho.enable_access = access;
  // Without own words, the default decides (GMX, web.de answer the same for both causes).
  CHECK(classify_reply(Protocol::pop3, {"-ERR authentication failed"}, &zoho) == "auth.protocol_disabled");
  zoho.enable_access->off_words = {"yet to enable IMAP"};
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTHENTICATIONFAILED] Invalid credentials(Failure)"}, &zoho) == "auth.wrong_password");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [ALERT] You are yet to enable IMAP for your account. (Failure)"}, &zoho) == "auth.protocol_disabled");
}

TEST_CASE("RFC 5530 codes are read for what they say", "[rules]") {
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTHORIZATIONFAILED] Authorization failed"}) == "auth.failed");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [EXPIRED] That password is expired"}) == "auth.password_expired");
  CHECK(classify_reply(Protocol::imap, {"A1 NO [AUTHENTICATIONFAILED] Authentication failed."}) == "auth.wrong_password");
}

TEST_CASE("RFC 4954 AUTH reply codes", "[rules]") {
  CHECK(classify_reply(Protocol::smtp, {"504 5.7.4 Unrecognized authentication type"}) == "auth.mechanism_unsupported");
  CHECK(classify_reply(Protocol::smtp, {"534 5.7.9 Authentication mechanism is too weak"}) == "auth.mechanism_unsupported");
  CHECK(classify_reply(Protocol::smtp, {"534-5.7.9 Application-specific password required."}) == "auth.app_password_required");
  CHECK(classify_reply(Protocol::smtp, {"432 4.7.12 A password transition is needed"}) == "auth.mechanism_unsupported");
  CHECK(classify_reply(Protocol::smtp, {"432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"}) == "proto.server_unavailable");
  CHECK(classify_reply(Protocol::smtp, {"538 5.7.11 Encryption required for requested authentication mechanism"}) == "auth.tls_required");
}

TEST_CASE("a wait the server names is read in the rule's unit, rounded up to whole seconds", "[rules]") {
  auto r = rule(R"({"id":"w","match":{"text_any":"throttled"},"finding":{"code":"auth.rate_limited","title":"t","detail":"d"},
    "wait":{"after":["Suggested Backoff Time:"],"unit":"milliseconds"},"sources":["https://e.example"]})");
  REQUIRE(r.wait);
  CHECK(rules::wait_seconds(*r.wait, "NO Request is throttled. Suggested Backoff Time: 299910 milliseconds") == 300);
  CHECK(rules::wait_seconds(*r.wait, "suggested backoff time:1 milliseconds") == 1);
  CHECK(rules::wait_seconds(*r.wait, "Suggested Backoff Time: 0 milliseconds") == 0);
  // No number, a number elsewhere, or a run of digits too long to be a time: no wait.
  CHECK_FALSE(rules::wait_seconds(*r.wait, "Request is throttled. Suggested Backoff Time: soon"));
  CHECK_FALSE(rules::wait_seconds(*r.wait, "Request 42 is throttled"));
  CHECK_FALSE(rules::wait_seconds(*r.wait, "Suggested Backoff Time: 99999999999999999999999 milliseconds"));
  rules::WaitSpec minutes{{"try again in"}, 60000};
  CHECK(rules::wait_seconds(minutes, "Try again in 5 minutes") == 300);

  std::vector<std::string> errors;
  CHECK_FALSE(rules::parse_rule(json::parse(R"({"id":"x","match":{"text_any":"t"},"finding":{"code":"auth.rate_limited","title":"t","detail":"d"},
    "wait":{"after":["x"],"unit":"fortnights"}})"), errors));
  CHECK_FALSE(rules::parse_rule(json::parse(R"({"id":"x","match":{"text_any":"t"},"finding":{"code":"auth.rate_limited","title":"t","detail":"d"},
    "wait":{"unit":"seconds"}})"), errors));
}

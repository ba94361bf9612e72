#include <catch2/catch.hpp>

#include "maildoctor/diagnosis.hpp"

using namespace maildoctor;

namespace {
// A probe that got all the way to a successful login; each test breaks the step it is about.
ProbeResult good_probe(Subject subject = Subject::incoming, Protocol proto = Protocol::imap, const std::string& host = "mail.example.test",
                       std::uint16_t port = 993, Security sec = Security::tls) {
  ProbeResult p;
  p.endpoint.subject = subject;
  p.endpoint.protocol = proto;
  p.endpoint.host = host;
  p.endpoint.port = port;
  p.endpoint.security = sec;
  p.endpoint.username = "bob@example.test";
  p.with_credentials = true;
  p.dns.status = DnsEvidence::Status::ok;
  p.dns.addresses = {"127.0.0.2"};
  p.connect.status = ConnectEvidence::Status::ok;
  if (sec != Security::none) {
    p.tls.status = TlsEvidence::Status::ok;
    p.tls.version = "TLSv1.3";
    p.tls.cert.present = true;
    p.tls.cert.verified = true;
  }
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {"* OK ready"};
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"PLAIN", "LOGIN"};
  p.caps_before_tls = p.caps;
  p.login.status = LoginEvidence::Status::ok;
  p.login.mechanism = "PLAIN";
  return p;
}

ProbeResult alternative(const ProbeResult& base, std::uint16_t port, Security sec) {
  ProbeResult a = good_probe(base.endpoint.subject, base.endpoint.protocol, base.endpoint.host, port, sec);
  a.alternative = true;
  a.with_credentials = false;
  a.login.status = LoginEvidence::Status::not_attempted;
  a.login.reason = "alternative";
  return a;
}

Request request_for(const std::string& email = "bob@example.test") {
  Request r;
  r.account.email = email;
  return r;
}

Result run(const ProbeResult& p, std::vector<ProbeResult> alts = {}, const Request& req = request_for()) {
  Evidence e;
  e.primary.push_back(p);
  e.alternatives = std::move(alts);
  return classify(req, e);
}

const Finding& first(const Result& r) {
  REQUIRE_FALSE(r.findings.empty());
  return r.findings.front();
}

bool has_fix(const Finding& f, const std::string& setting, const nlohmann::json& value) {
  for (const auto& x : f.fixes)
    if (x.kind == "change_setting" && x.setting == setting && x.value == value) return true;
  return false;
}
}  // namespace

TEST_CASE("a clean login is verdict ok with no error findings", "[classify]") {
  auto r = run(good_probe());
  CHECK(r.verdict == "ok");
  for (const auto& f : r.findings) CHECK(f.severity == Severity::info);
}

TEST_CASE("checks, transcript and elapsed time are copied from the evidence", "[classify]") {
  Evidence e;
  e.primary.push_back(good_probe());
  e.checks.push_back(Check{Subject::incoming, "dns", CheckStatus::pass, 3, "ok", "x", false});
  e.transcript.push_back(TranscriptEntry{Subject::incoming, 'S', 5, "* OK ready", "x"});
  e.elapsed_ms = 77;
  auto r = classify(request_for(), e);
  CHECK(r.checks.size() == 1);
  CHECK(r.transcript.size() == 1);
  CHECK(r.elapsed_ms == 77);
}

TEST_CASE("no password means inconclusive with an info finding", "[classify]") {
  auto p = good_probe();
  p.login.status = LoginEvidence::Status::not_attempted;
  p.login.reason = "no password given";
  auto r = run(p);
  CHECK(r.verdict == "inconclusive");
  CHECK(first(r).code == "auth.not_tested");
  CHECK(first(r).severity == Severity::info);
}

TEST_CASE("DNS failures", "[classify]") {
  auto p = good_probe();
  p.dns.status = DnsEvidence::Status::not_found;
  p.connect.status = ConnectEvidence::Status::skipped;
  auto r = run(p);
  CHECK(r.verdict == "problem");
  CHECK(first(r).code == "dns.not_found");
  CHECK(first(r).params["host"] == "mail.example.test");
  p.dns.status = DnsEvidence::Status::failed;
  CHECK(first(run(p)).code == "dns.failed");
}

TEST_CASE("connection failures", "[classify]") {
  auto p = good_probe();
  p.connect.status = ConnectEvidence::Status::refused;
  CHECK(first(run(p)).code == "net.refused");
  p.connect.status = ConnectEvidence::Status::unreachable;
  CHECK(first(run(p)).code == "net.unreachable");
  p.connect.status = ConnectEvidence::Status::timeout;
  CHECK(first(run(p)).code == "net.timeout");
}

TEST_CASE("a timeout where another port answers is a blocked port, with better settings", "[classify]") {
  auto p = good_probe(Subject::outgoing, Protocol::smtp, "smtp.example.test", 465, Security::tls);
  p.connect.status = ConnectEvidence::Status::timeout;
  auto r = run(p, {alternative(p, 587, Security::starttls)});
  CHECK(first(r).code == "net.port_blocked");
  CHECK(first(r).params["open_ports"] == nlohmann::json::array({587}));
  bool better = false;
  for (const auto& f : r.findings)
    if (f.code == "config.better_settings") {
      better = true;
      CHECK(has_fix(f, "port", 587));
      CHECK(has_fix(f, "security", "starttls"));
    }
  CHECK(better);
}

TEST_CASE("implicit TLS on a STARTTLS port is tls.wrong_mode, confirmed by the same port", "[classify]") {
  auto p = good_probe(Subject::outgoing, Protocol::smtp, "smtp.example.test", 587, Security::tls);
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::plaintext_answer;
  auto r = run(p, {alternative(p, 587, Security::starttls)});
  CHECK(first(r).code == "tls.wrong_mode");
  CHECK(first(r).params["confirmed"] == true);
  CHECK(has_fix(first(r), "security", "starttls"));
}

TEST_CASE("STARTTLS on an implicit-TLS port is tls.wrong_mode towards tls", "[classify]") {
  auto p = good_probe(Subject::incoming, Protocol::imap, "imap.example.test", 993, Security::starttls);
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::no_answer;
  auto r = run(p);
  CHECK(first(r).code == "tls.wrong_mode");
  CHECK(first(r).params["confirmed"] == false);
  CHECK(has_fix(first(r), "security", "tls"));
}

TEST_CASE("TLS failures map to their codes", "[classify]") {
  auto p = good_probe();
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::starttls_unavailable;
  CHECK(first(run(p)).code == "tls.starttls_unavailable");
  p.tls.failure = TlsEvidence::Failure::starttls_pipelined;
  CHECK(first(run(p)).code == "tls.starttls_injected");
  p.tls.failure = TlsEvidence::Failure::version_too_old;
  CHECK(first(run(p)).code == "tls.version_too_old");
  p.tls.failure = TlsEvidence::Failure::handshake;
  CHECK(first(run(p)).code == "tls.handshake_failed");
}

TEST_CASE("certificate problems", "[classify]") {
  auto p = good_probe();
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::certificate;
  p.tls.cert.verified = false;
  CertInfo leaf;
  leaf.names = {"other.example.test", "*.other.example.test"};
  p.tls.cert.chain = {leaf};
  SECTION("expired") {
    p.tls.cert.expired = true;
    CHECK(first(run(p)).code == "tls.cert_expired");
  }
  SECTION("not yet valid") {
    p.tls.cert.not_yet_valid = true;
    CHECK(first(run(p)).code == "tls.cert_not_yet_valid");
  }
  SECTION("hostname mismatch names what the certificate holds") {
    p.tls.cert.hostname_mismatch = true;
    auto r = run(p);
    CHECK(first(r).code == "tls.cert_hostname_mismatch");
    CHECK(first(r).params["names"] == nlohmann::json::array({"other.example.test", "*.other.example.test"}));
    CHECK(first(r).detail.find("other.example.test") != std::string::npos);
  }
  SECTION("a name in the certificate is shown as written, never as a template") {
    p.tls.cert.hostname_mismatch = true;
    p.tls.cert.chain.front().names = {"{email}.{username}.evil.test"};
    CHECK(first(run(p)).detail.find("({email}.{username}.evil.test)") != std::string::npos);
  }
  SECTION("self-signed") {
    p.tls.cert.self_signed = true;
    p.tls.cert.untrusted = true;
    CHECK(first(run(p)).code == "tls.cert_self_signed");
  }
  SECTION("untrusted") {
    p.tls.cert.untrusted = true;
    CHECK(first(run(p)).code == "tls.cert_untrusted");
  }
  SECTION("a certificate failure without flags is a handshake failure") {
    CHECK(first(run(p)).code == "tls.handshake_failed");
  }
}

TEST_CASE("greeting problems", "[classify]") {
  auto p = good_probe();
  p.greeting.status = GreetingEvidence::Status::silent;
  p.greeting.reply = {};
  CHECK(first(run(p)).code == "proto.no_greeting");
  p.greeting.status = GreetingEvidence::Status::unexpected;
  p.greeting.reply.lines = {"220 smtp.example.test ESMTP"};
  auto r = run(p);
  CHECK(first(r).code == "proto.unexpected_greeting");
  CHECK(first(r).evidence == std::vector<std::string>{"220 smtp.example.test ESMTP"});
  p.greeting.status = GreetingEvidence::Status::unavailable;
  p.greeting.reply.lines = {"* BYE going down"};
  CHECK(first(run(p)).code == "proto.server_unavailable");
}

TEST_CASE("login refused before TLS is auth.tls_required with a STARTTLS fix", "[classify]") {
  auto p = good_probe(Subject::incoming, Protocol::imap, "mail.example.test", 143, Security::none);
  p.login.status = LoginEvidence::Status::tls_required;
  p.login.reply.lines = {"A1 NO [PRIVACYREQUIRED] Authentication not allowed until SSL/TLS is enabled."};
  auto r = run(p);
  CHECK(first(r).code == "auth.tls_required");
  CHECK(has_fix(first(r), "security", "starttls"));
  CHECK(first(r).evidence == p.login.reply.lines);
}

TEST_CASE("LOGINDISABLED without encryption is auth.tls_required even without a login", "[classify]") {
  auto p = good_probe(Subject::incoming, Protocol::imap, "mail.example.test", 143, Security::none);
  p.caps.login_disabled = true;
  p.login.status = LoginEvidence::Status::not_attempted;
  CHECK(first(run(p)).code == "auth.tls_required");
}

TEST_CASE("no matching mechanism: OAuth-only server vs other methods", "[classify]") {
  auto p = good_probe();
  p.login.status = LoginEvidence::Status::no_mechanism;
  p.caps.sasl_mechanisms = {"XOAUTH2", "OAUTHBEARER"};
  auto r = run(p);
  CHECK(first(r).code == "auth.oauth_required");
  // Thunderbird has no OAuth2 for an unknown server: switching to it would leave the account unable to log in.
  CHECK_FALSE(has_fix(first(r), "auth", "oauth2"));
  auto g = good_probe(Subject::incoming, Protocol::imap, "imap.gmail.com");
  g.login.status = LoginEvidence::Status::no_mechanism;
  g.caps.sasl_mechanisms = {"XOAUTH2", "OAUTHBEARER"};
  auto rg = run(g, {}, request_for("bob@gmail.com"));
  CHECK(first(rg).code == "auth.oauth_required");
  CHECK(has_fix(first(rg), "auth", "oauth2"));
  p.caps.sasl_mechanisms = {"CRAM-MD5"};
  r = run(p);
  CHECK(first(r).code == "auth.mechanism_unsupported");
  CHECK(has_fix(first(r), "auth", "password-encrypted"));
}

TEST_CASE("POP3 in clear text with STLS offered and no method is auth.tls_required, not a method problem", "[classify]") {
  // Dovecot with disable_plaintext_auth hides its SASL list until STLS.
  auto p = good_probe(Subject::incoming, Protocol::pop3, "mail.example.test", 110, Security::none);
  p.login.status = LoginEvidence::Status::no_mechanism;
  p.caps.sasl_mechanisms = {};
  p.caps.starttls = true;
  p.caps_before_tls = p.caps;
  auto r = run(p);
  CHECK(first(r).code == "auth.tls_required");
  CHECK(has_fix(first(r), "security", "starttls"));
  // Without STLS on offer the method really is the problem.
  p.caps.starttls = false;
  p.caps_before_tls = p.caps;
  CHECK(first(run(p)).code == "auth.mechanism_unsupported");
}

TEST_CASE("SMTP without AUTH is reported, not taken for success", "[classify]") {
  auto p = good_probe(Subject::outgoing, Protocol::smtp, "smtp.example.test", 587, Security::starttls);
  p.login.status = LoginEvidence::Status::skipped_by_server;
  auto r = run(p);
  CHECK(r.verdict == "problem");
  CHECK(first(r).code == "auth.mechanism_unsupported");
}

TEST_CASE("an unknown refusal is auth.failed with every server line", "[classify]") {
  auto p = good_probe();
  p.login.status = LoginEvidence::Status::refused;
  p.login.reply.lines = {"* NO first line of a strange refusal", "A1 NO zzz-unknown-provider-text qwerty"};
  p.login.reply.status = "NO";
  auto r = run(p);
  CHECK(first(r).code == "auth.failed");
  CHECK(first(r).evidence == p.login.reply.lines);
}

TEST_CASE("sender checks after an SMTP login", "[classify]") {
  auto p = good_probe(Subject::outgoing, Protocol::smtp, "smtp.example.test", 587, Security::starttls);
  p.after_login.attempted = true;
  p.after_login.mail_from.lines = {"250 2.1.0 Ok"};
  p.after_login.mail_from.code = 250;
  p.after_login.rcpt_to.lines = {"553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user bob"};
  p.after_login.rcpt_to.code = 553;
  CHECK(first(run(p)).code == "smtp.sender_not_authorized");
  p.after_login.rcpt_to.lines = {"554 5.7.1 <bob@example.test>: Relay access denied"};
  p.after_login.rcpt_to.code = 554;
  CHECK(first(run(p)).code == "smtp.relay_denied");
}

TEST_CASE("errors come first, earlier steps before later ones", "[classify]") {
  Evidence e;
  auto in = good_probe();
  in.login.status = LoginEvidence::Status::not_attempted;
  auto out = good_probe(Subject::outgoing, Protocol::smtp, "smtp.example.test", 465, Security::tls);
  out.connect.status = ConnectEvidence::Status::refused;
  e.primary = {in, out};
  auto r = classify(request_for(), e);
  CHECK(r.verdict == "problem");
  CHECK(first(r).code == "net.refused");
  CHECK(first(r).subject == Subject::outgoing);
}

TEST_CASE("STARTTLS to a silent implicit-TLS port is tls.wrong_mode", "[classify]") {
  auto p = good_probe(Subject::incoming, Protocol::imap, "imap.example.test", 993, Security::starttls);
  p.tls.status = TlsEvidence::Status::skipped;
  p.greeting.status = GreetingEvidence::Status::silent;
  p.greeting.reply = {};
  auto r = run(p);
  CHECK(first(r).code == "tls.wrong_mode");
  CHECK(has_fix(first(r), "security", "tls"));
  p.endpoint.port = 2143;
  CHECK(first(run(p)).code == "proto.no_greeting");
}

TEST_CASE("a failing proxy is the one first finding, and no mail server is blamed", "[classify][proxy]") {
  Request req = request_for();
  req.observed_error = "Login to server mail.example.test with username bob@example.test failed.";
  Evidence e;
  for (Subject s : {Subject::incoming, Subject::outgoing}) {
    ProbeResult p = good_probe(s, s == Subject::incoming ? Protocol::imap : Protocol::smtp, "mail.example.test",
                               s == Subject::incoming ? 993 : 465);
    p.dns = {};
    p.dns.status = DnsEvidence::Status::left_to_proxy;
    p.connect = {};
    p.connect.status = ConnectEvidence::Status::proxy_failed;
    p.connect.proxy = "127.0.0.1:1080";
    p.connect.proxy_failure = "refused";
    p.connect.error = "Failed to connect to 127.0.0.1 port 1080: Connection refused";
    p.tls = {};
    p.greeting = {};
    p.login = {};
    p.login.reason = "no connection";
    e.primary.push_back(p);
  }
  const Result r = classify(req, e);
  CHECK(r.verdict == "problem");
  REQUIRE_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  CHECK(f.code == "net.proxy_failed");
  CHECK(f.subject == Subject::account);
  CHECK(f.params["failed"] == "refused");
  CHECK(f.params["proxy"] == "127.0.0.1:1080");
  int proxy_findings = 0;
  for (const auto& g : r.findings) {
    if (g.code == "net.proxy_failed") ++proxy_findings;
    else CHECK(g.severity != Severity::error);  // nothing blames the servers the proxy never reached
  }
  CHECK(proxy_findings == 1);
}

TEST_CASE("a server port refused as the proxy saw it is net.refused, not a proxy failure", "[classify][proxy]") {
  ProbeResult p = good_probe();
  p.dns = {};
  p.dns.status = DnsEvidence::Status::left_to_proxy;
  p.connect = {};
  p.connect.status = ConnectEvidence::Status::refused;
  p.connect.proxy = "127.0.0.1:1080";
  p.tls = {};
  p.greeting = {};
  p.login = {};
  const Result r = run(p);
  CHECK(first(r).code == "net.refused");
  for (const auto& g : r.findings) CHECK(g.code != "net.proxy_failed");
  for (const auto& g : r.findings) CHECK(g.code != "dns.not_found");
}

TEST_CASE("an implicit-TLS port that never answers the TLS hello is proto.no_greeting, not a failed handshake", "[classify]") {
  auto p = good_probe();
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::silent;
  p.tls.error = "the server did not answer the TLS handshake";
  p.greeting.status = GreetingEvidence::Status::silent;
  p.greeting.reply = {};
  p.login.status = LoginEvidence::Status::not_attempted;
  auto r = run(p);
  CHECK(first(r).code == "proto.no_greeting");
  for (const auto& f : r.findings) CHECK(f.code != "tls.handshake_failed");
}

TEST_CASE("a service refusal in the pre-login dialogue is proto.server_unavailable with the server's words", "[classify]") {
  auto p = good_probe();
  p.login.status = LoginEvidence::Status::not_attempted;
  p.broke_off.happened = true;
  p.broke_off.error = "the session ended";
  p.broke_off.refusal.lines = {"* BYE Internal error occurred. Refer to server log for more information."};
  p.broke_off.refusal.status = "BYE";
  auto r = run(p);
  CHECK(first(r).code == "proto.server_unavailable");
  CHECK(first(r).evidence == p.broke_off.refusal.lines);
  p.broke_off.refusal = {};
  CHECK(first(run(p)).code == "proto.bad_reply");  // without the server's refusal it stays a malformed dialogue
}

TEST_CASE("an untagged BYE instead of the mailbox is the server closing, not an unusable mailbox", "[classify]") {
  auto p = good_probe();
  p.after_login.attempted = true;
  p.after_login.mailbox.lines = {"* BYE Connection closed. 14"};
  p.after_login.mailbox.status = "BYE";
  CHECK(first(run(p)).code == "proto.server_unavailable");
  p.after_login.mailbox.lines = {"M1 NO Mailbox doesn't exist: INBOX"};
  p.after_login.mailbox.status = "NO";
  CHECK(first(run(p)).code == "proto.mailbox_unusable");
}

// --- a server that stopped answering is no refusal (the deadline cut the dialogue) --------------------

TEST_CASE("a login cut by the deadline is proto.stalled at step login, never a refusal", "[classify]") {
  auto p = good_probe();
  p.login.status = LoginEvidence::Status::error;
  p.login.error = "Timeout was reached";
  p.login.unanswered = true;
  p.login.reply.lines = {"+ "};  // a SASL challenge came, the answer to the response did not
  auto r = run(p);
  CHECK(r.verdict == "problem");
  CHECK(first(r).code == "proto.stalled");
  CHECK(first(r).params["step"] == "login");
  for (const auto& f : r.findings) CHECK(f.code.rfind("auth.", 0) != 0);
  // The same exchange broken off by the server (a reset) stays a login that did not complete.
  p.login.unanswered = false;
  p.login.error = "Recv failure: Connection reset by peer";
  CHECK(first(run(p)).code == "auth.failed");
}

TEST_CASE("a command after the login cut by the deadline is proto.stalled at step after_login", "[classify]") {
  for (Protocol proto : {Protocol::imap, Protocol::pop3, Protocol::smtp}) {
    auto p = good_probe(proto == Protocol::smtp ? Subject::outgoing : Subject::incoming, proto);
    p.after_login.attempted = true;
    p.after_login.error = "no complete reply before the deadline";
    p.after_login.unanswered = true;
    auto r = run(p);
    CHECK(r.verdict == "problem");
    CHECK(first(r).code == "proto.stalled");
    CHECK(first(r).params["step"] == "after_login");
  }
  // A refusal that did arrive decides: MAIL FROM refused, RCPT TO then unanswered.
  auto p = good_probe(Subject::outgoing, Protocol::smtp);
  p.after_login.attempted = true;
  p.after_login.mail_from.lines = {"553 5.7.1 Sender address rejected: not owned by user"};
  p.after_login.mail_from.code = 553;
  p.after_login.mail_from.status = "553";
  p.after_login.error = "no complete reply before the deadline";
  p.after_login.unanswered = true;
  const auto r = run(p);
  CHECK(first(r).code != "proto.stalled");
  CHECK(first(r).evidence == p.after_login.mail_from.lines);
}

TEST_CASE("a pre-login stall names its step", "[classify]") {
  auto p = good_probe();
  p.login.status = LoginEvidence::Status::not_attempted;
  p.broke_off.happened = true;
  p.broke_off.stalled = true;
  p.broke_off.error = "no answer before the deadline";
  auto r = run(p);
  CHECK(first(r).code == "proto.stalled");
  CHECK(first(r).params["step"] == "before_login");
}

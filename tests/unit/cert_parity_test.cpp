// Issue 14: Thunderbird's certificate exception, intercepting security programs, and a wrong local clock, judged on
// hand-made evidence (the integration tests run the same against the test bed's Dovecot and Postfix).
#include <catch2/catch.hpp>

#include <ctime>

#include "diagnose/clock_evidence.hpp"
#include "cli/command_line.hpp"
#include "maildoctor/diagnosis.hpp"
#include "maildoctor/interceptors.hpp"
#include "maildoctor/request.hpp"

using namespace maildoctor;

namespace {
constexpr std::time_t kNow = 1796688000;  // 2026-12-08T00:00:00Z
constexpr long kDay = 86400;

std::string iso(std::time_t t) {
  const std::tm tm = *std::gmtime(&t);  // single-threaded test; gmtime_r is not in MinGW
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

CertInfo leaf(const std::string& fp, std::time_t nb, std::time_t na, const std::string& issuer = "CN=Test CA") {
  CertInfo c;
  c.subject = "CN=mail.example.test";
  c.issuer = issuer;
  c.names = {"mail.example.test"};
  c.not_before = iso(nb);
  c.not_after = iso(na);
  c.sha256 = fp;
  return c;
}

ProbeResult probe(Subject subject, std::uint16_t port, const CertInfo& cert) {
  ProbeResult p;
  p.endpoint.subject = subject;
  p.endpoint.protocol = subject == Subject::outgoing ? Protocol::smtp : Protocol::imap;
  p.endpoint.host = "mail.example.test";
  p.endpoint.port = port;
  p.endpoint.security = Security::tls;
  p.endpoint.username = "bob@example.test";
  p.dns.status = DnsEvidence::Status::ok;
  p.connect.status = ConnectEvidence::Status::ok;
  p.tls.status = TlsEvidence::Status::ok;
  p.tls.cert.present = true;
  p.tls.cert.chain = {cert};
  const auto nb = diagnose::parse_iso_utc(cert.not_before), na = diagnose::parse_iso_utc(cert.not_after);
  p.tls.cert.expired = na && *na < kNow;
  p.tls.cert.not_yet_valid = nb && *nb > kNow;
  p.tls.cert.verified = !p.tls.cert.expired && !p.tls.cert.not_yet_valid;
  if (!p.tls.cert.verified) {
    p.tls.status = TlsEvidence::Status::failed;
    p.tls.failure = TlsEvidence::Failure::certificate;
  }
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {subject == Subject::outgoing ? "220 mail.example.test ESMTP" : "* OK ready"};
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"PLAIN"};
  p.login.status = p.tls.cert.verified ? LoginEvidence::Status::ok : LoginEvidence::Status::not_attempted;
  return p;
}

Result classify_at(std::vector<ProbeResult> primary, std::time_t now = kNow) {
  Request r;
  r.account.email = "bob@example.test";
  Evidence e;
  e.primary = std::move(primary);
  return classify(r, e, now);
}

bool has(const Result& r, const std::string& code) {
  for (const auto& f : r.findings)
    if (f.code == code) return true;
  return false;
}
}  // namespace

TEST_CASE("a clock three years ahead: two different certificates all expired make config.clock_wrong first", "[clock]") {
  // Two leaves issued in the last year, valid 825 days; the clock reads three years on.
  const std::time_t now = kNow + 3 * 365 * kDay;
  auto in = probe(Subject::incoming, 993, leaf("AA", kNow - 10 * kDay, kNow + 815 * kDay));
  auto out = probe(Subject::outgoing, 465, leaf("BB", kNow - 30 * kDay, kNow + 795 * kDay));
  in.tls.cert.expired = out.tls.cert.expired = true;
  in.tls.cert.verified = out.tls.cert.verified = false;
  in.tls.status = out.tls.status = TlsEvidence::Status::failed;
  in.tls.failure = out.tls.failure = TlsEvidence::Failure::certificate;
  const Result r = classify_at({in, out}, now);
  REQUIRE_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  CHECK(f.code == "config.clock_wrong");
  CHECK(f.subject == Subject::account);
  CHECK(f.severity == Severity::error);
  CHECK(f.params["ahead"] == true);
  // Bounded below by the earlier end: the clock is at least 3 years - 795 days ahead.
  CHECK(f.params["offset_at_least_seconds"] == 3 * 365 * kDay - 795 * kDay);
  CHECK(f.params["basis"] == nlohmann::json::array({"certificates"}));
  CHECK_FALSE(has(r, "tls.cert_expired"));
  CHECK_FALSE(has(r, "tls.handshake_failed"));
  CHECK(r.verdict == "problem");
}

TEST_CASE("a clock behind: certificates not yet valid, one shift fits them all", "[clock]") {
  const std::time_t now = kNow - 2 * 365 * kDay;
  auto in = probe(Subject::incoming, 993, leaf("AA", kNow - 10 * kDay, kNow + 80 * kDay));
  auto out = probe(Subject::outgoing, 465, leaf("BB", kNow - 40 * kDay, kNow + 50 * kDay));
  for (auto* p : {&in, &out}) {
    p->tls.cert.not_yet_valid = true;
    p->tls.cert.verified = false;
    p->tls.status = TlsEvidence::Status::failed;
    p->tls.failure = TlsEvidence::Failure::certificate;
  }
  const Result r = classify_at({in, out}, now);
  CHECK(r.findings.front().code == "config.clock_wrong");
  CHECK(r.findings.front().params["ahead"] == false);
  CHECK_FALSE(has(r, "tls.cert_not_yet_valid"));
}

TEST_CASE("one expired certificate with the other server fine stays tls.cert_expired", "[clock]") {
  const Result r = classify_at({probe(Subject::incoming, 993, leaf("AA", kNow - 400 * kDay, kNow - 10 * kDay)),
                                probe(Subject::outgoing, 465, leaf("BB", kNow - 30 * kDay, kNow + 60 * kDay))});
  CHECK_FALSE(has(r, "config.clock_wrong"));
  CHECK(has(r, "tls.cert_expired"));
}

TEST_CASE("one expired certificate served on two ports is one witness: still the server's fault", "[clock]") {
  const CertInfo same = leaf("AA", kNow - 400 * kDay, kNow - 10 * kDay);
  const Result r = classify_at({probe(Subject::incoming, 993, same), probe(Subject::outgoing, 465, same)});
  CHECK_FALSE(has(r, "config.clock_wrong"));
  CHECK(has(r, "tls.cert_expired"));
}

TEST_CASE("expired certificates no single clock shift explains are each the server's fault", "[clock]") {
  // One ended long ago, the other began recently: a clock far enough back for the first is before the second.
  const Result r = classify_at({probe(Subject::incoming, 993, leaf("AA", kNow - 900 * kDay, kNow - 800 * kDay)),
                                probe(Subject::outgoing, 465, leaf("BB", kNow - 20 * kDay, kNow - 1 * kDay))});
  CHECK_FALSE(has(r, "config.clock_wrong"));
  CHECK(has(r, "tls.cert_expired"));
}

TEST_CASE("a server's date in its greeting measures the offset when a certificate confirms it", "[clock]") {
  const std::time_t now = kNow + 3 * 365 * kDay;
  auto out = probe(Subject::outgoing, 465, leaf("BB", kNow - 30 * kDay, kNow + 795 * kDay));
  out.tls.cert.expired = true;
  out.tls.cert.verified = false;
  out.tls.status = TlsEvidence::Status::failed;
  out.tls.failure = TlsEvidence::Failure::certificate;
  out.greeting.reply.lines = {"220 mail.example.test ESMTP Sendmail 8.17.1; Tue, 8 Dec 2026 00:00:10 +0000"};
  const Result r = classify_at({out}, now);
  const Finding& f = r.findings.front();
  REQUIRE(f.code == "config.clock_wrong");
  CHECK(f.params["offset_seconds"] == 3 * 365 * kDay - 10);
  CHECK(f.params["offset_text"] == "about 3 years");
  CHECK_FALSE(has(r, "tls.cert_expired"));
}

TEST_CASE("one server's odd date alone, with every certificate fine, blames no clock", "[clock]") {
  auto in = probe(Subject::incoming, 993, leaf("AA", kNow - 30 * kDay, kNow + 60 * kDay));
  in.greeting.reply.lines = {"220 mx ESMTP Exim 4.96 Mon, 07 Dec 2026 22:00:00 +0000"};
  CHECK_FALSE(has(classify_at({in}), "config.clock_wrong"));
}

TEST_CASE("dates in greetings: RFC 5322 forms with zones, nothing from other text", "[clock]") {
  using diagnose::date_in_text;
  CHECK(date_in_text("220 x ESMTP Sendmail; Tue, 8 Dec 2026 01:00:00 +0100") == std::optional<std::time_t>(kNow));
  CHECK(date_in_text("220 x Microsoft ESMTP MAIL Service ready at Mon, 7 Dec 2026 19:00:00 -0500") ==
        std::optional<std::time_t>(kNow));
  CHECK(date_in_text("220 x ESMTP Exim 4.96 Tue, 08 Dec 2026 00:00:00 GMT") == std::optional<std::time_t>(kNow));
  CHECK_FALSE(date_in_text("* OK [CAPABILITY IMAP4rev1] Dovecot ready."));
  CHECK_FALSE(date_in_text("220 x 99 Foo 2026 00:00:00 +0000"));
}

TEST_CASE("a matched exception is info and the login goes on; no fix, no other host", "[override]") {
  auto p = probe(Subject::incoming, 993, leaf("AB:CD", kNow - 30 * kDay, kNow + 60 * kDay, "CN=mail.example.test"));
  p.tls.cert.self_signed = true;
  p.tls.cert.verified = false;
  p.tls.cert.override_given = p.tls.cert.override_matched = true;
  p.tls.status = TlsEvidence::Status::ok;  // the probe accepted it, as Thunderbird does
  p.tls.failure = TlsEvidence::Failure::none;
  p.login.status = LoginEvidence::Status::refused;
  p.login.reply.lines = {"a NO [AUTHENTICATIONFAILED] Authentication failed."};
  p.login.reply.status = "NO";
  p.login.reply.response_code = "AUTHENTICATIONFAILED";
  p.with_credentials = true;
  const Result r = classify_at({p});
  CHECK_FALSE(has(r, "tls.cert_self_signed"));
  const Finding* accepted = nullptr;
  for (const auto& f : r.findings)
    if (f.code == "tls.cert_override_accepted") accepted = &f;
  REQUIRE(accepted);
  CHECK(accepted->severity == Severity::info);
  CHECK(accepted->fixes.empty());
  CHECK(accepted->params["faults"] == nlohmann::json::array({"self_signed"}));
  // The login was judged: the refusal is the finding that counts.
  CHECK(r.findings.front().code.rfind("auth.", 0) == 0);
}

TEST_CASE("an exception for another certificate: the usual error, and it says the certificate changed", "[override]") {
  auto p = probe(Subject::incoming, 993, leaf("AB:CD", kNow - 30 * kDay, kNow + 60 * kDay, "CN=mail.example.test"));
  p.tls.cert.self_signed = true;
  p.tls.cert.verified = false;
  p.tls.cert.override_given = true;
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::certificate;
  const Result r = classify_at({p});
  REQUIRE(r.findings.front().code == "tls.cert_self_signed");
  CHECK(r.findings.front().params["exception_for_other_certificate"] == true);
}

TEST_CASE("a chain from an antivirus mail shield is tls.intercepted naming the product, not the provider's fault",
          "[intercept]") {
  auto p = probe(Subject::incoming, 993,
                 leaf("AA", kNow - 30 * kDay, kNow + 60 * kDay, "CN=Avast Web/Mail Shield Root,O=Avast Web/Mail Shield"));
  p.tls.cert.untrusted = true;
  p.tls.cert.verified = false;
  p.tls.status = TlsEvidence::Status::failed;
  p.tls.failure = TlsEvidence::Failure::certificate;
  const Result r = classify_at({p});
  const Finding& f = r.findings.front();
  REQUIRE(f.code == "tls.intercepted");
  CHECK(f.severity == Severity::error);
  CHECK(f.params["product"] == "Avast Mail Shield");
  CHECK(f.params["product_id"] == "avast");
  CHECK(f.title.find("Avast Mail Shield") != std::string::npos);
  CHECK(f.detail.find("full certificate chain") == std::string::npos);
  CHECK_FALSE(has(r, "tls.cert_untrusted"));
  REQUIRE(f.fixes.size() == 1);
  CHECK(f.fixes[0].kind == "steps");
}

TEST_CASE("a leaf whose own subject names a vendor is no interception", "[intercept]") {
  CertReport c;
  c.present = true;
  c.chain = {leaf("AA", kNow, kNow + kDay, "CN=R11,O=Let's Encrypt")};
  c.chain[0].subject = "CN=mail.eset.test,O=ESET SSL Filter fans";
  CHECK(kb::intercepting_product(c) == nullptr);
  c.chain.push_back(leaf("BB", kNow, kNow + kDay, "CN=ESET SSL Filter CA"));
  CHECK(kb::intercepting_product(c) != nullptr);
}

TEST_CASE("every interceptor file loads and passes the strict checks", "[intercept]") {
  for (const auto& p : kb::interceptor_problems()) FAIL_CHECK(p.file << ": " << p.message);
  for (const auto& p : kb::validate_interceptors(kb::interceptors())) FAIL_CHECK(p.file << ": " << p.message);
  CHECK(kb::interceptors().size() >= 4);
  kb::Interceptor bad{"x", "X", {"ab"}, "", {{"intercepts", "http://x"}}, "y.json"};
  CHECK(kb::validate_interceptors({bad}).size() >= 4);
}

TEST_CASE("cert_override in the request: normalised, refused when malformed", "[override]") {
  const std::string hex(64, 'a');
  auto ok = parse_request_text(R"({"account":{"incoming":{"protocol":"imap","host":"h","port":993,"cert_override":{"sha256":")" +
                               std::string("AA:") + std::string(62, 'B') + R"("}}}})");
  REQUIRE(ok.request);
  CHECK(ok.request->account.incoming->cert_override == "aa" + std::string(62, 'b'));
  auto bad = parse_request_text(R"({"account":{"incoming":{"protocol":"imap","host":"h","cert_override":{"sha256":"zz"}}}})");
  REQUIRE(bad.error);
  CHECK(bad.error->field == "account.incoming.cert_override.sha256");
  auto wrong = parse_request_text(R"({"account":{"incoming":{"protocol":"imap","host":"h","cert_override":"x"}}})");
  REQUIRE(wrong.error);
  CHECK(wrong.error->field == "account.incoming.cert_override");
  CHECK(normalise_sha256(hex) == hex);
  CHECK_FALSE(normalise_sha256(hex + "a"));
}

TEST_CASE("the flag --cert-override sets the configured endpoint's exception and refuses anything else", "[override][cli]") {
  const std::string fp = "AA:" + std::string(62, 'B');
  auto build = [](const std::vector<std::string>& args) {
    auto cl = cli::parse_command_line(args);
    if (cl.error) return ParsedRequest{std::nullopt, RequestError{"usage", cl.error->message}};
    return cli::build_request(*cl.command_line, std::nullopt);
  };
  auto ok = build({"diagnose", "--email", "b@e.test", "--imap", "Mail.E.test:993", "--smtp", "mail.e.test:465",
                   "--cert-override", "mail.e.test:993=" + fp});
  REQUIRE(ok.request);
  CHECK(ok.request->account.incoming->cert_override == "aa" + std::string(62, 'b'));
  CHECK(ok.request->account.outgoing->cert_override.empty());
  // Another port of the same host, no port, or a bad fingerprint: refused, never applied elsewhere.
  auto other = build({"diagnose", "--email", "b@e.test", "--imap", "mail.e.test:993", "--cert-override", "mail.e.test:143=" + fp});
  REQUIRE(other.error);
  CHECK(other.error->field == "--cert-override");
  CHECK(build({"diagnose", "--email", "b@e.test", "--imap", "mail.e.test:993", "--cert-override", "mail.e.test=" + fp}).error);
  CHECK(build({"diagnose", "--email", "b@e.test", "--imap", "mail.e.test:993", "--cert-override", "mail.e.test:993=abc"}).error);
  CHECK(cli::parse_command_line({"batch", "--cert-override", "mail.e.test:993=" + fp}).error);
  std::string why;
  auto v6 = cli::parse_cert_override("[::1]:993=" + fp, why);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 993);
}

#include <catch2/catch.hpp>

#include "pipeline/probe_plan.hpp"
#include "probe/probe.hpp"

using namespace maildoctor;

namespace {
bool has(const std::vector<pipeline::PortSecurity>& v, std::uint16_t port, Security s) {
  for (const auto& x : v)
    if (x.port == port && x.security == s) return true;
  return false;
}
}  // namespace

TEST_CASE("alternatives: the other standard ports and the configured port with the other security", "[plan]") {
  Endpoint imap;
  imap.protocol = Protocol::imap;
  imap.port = 993;
  imap.security = Security::tls;
  auto a = pipeline::alternatives_for(imap);
  CHECK(has(a, 143, Security::starttls));
  CHECK(has(a, 993, Security::starttls));
  CHECK_FALSE(has(a, 993, Security::tls));
  CHECK(a.size() == 2);

  Endpoint smtp;
  smtp.protocol = Protocol::smtp;
  smtp.port = 2525;
  smtp.security = Security::starttls;
  auto s = pipeline::alternatives_for(smtp);
  CHECK(has(s, 465, Security::tls));
  CHECK(has(s, 587, Security::starttls));
  CHECK(has(s, 25, Security::starttls));
  CHECK(has(s, 2525, Security::tls));
  CHECK(s.size() == 4);
}

TEST_CASE("the plan: credentials only on primaries, and only when allowed", "[plan]") {
  Request r;
  r.account.email = "bob@example.test";
  Endpoint in;
  in.protocol = Protocol::pop3;
  in.host = "mail.example.test";
  in.port = 995;
  in.security = Security::tls;
  in.username = "bob";
  in.password = Secret("pw-pw-pw");
  r.account.incoming = in;
  auto now = probe::Clock::now();
  auto plan = pipeline::plan_probes(r, now, now);
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].primary);
  CHECK(plan[0].spec.use_credentials);
  for (std::size_t i = 1; i < plan.size(); ++i) {
    CHECK_FALSE(plan[i].primary);
    CHECK_FALSE(plan[i].spec.use_credentials);
    CHECK(plan[i].spec.endpoint.password.empty());
  }
  r.options.login = false;
  plan = pipeline::plan_probes(r, now, now);
  CHECK_FALSE(plan[0].spec.use_credentials);
  CHECK(plan[0].spec.endpoint.password.empty());
  CHECK_FALSE(plan[0].spec.not_attempted_reason.empty());
  r.options.alternatives = false;
  CHECK(pipeline::plan_probes(r, now, now).size() == 1);
}

TEST_CASE("connect-to rules follow curl: empty fields match anything, first match wins", "[plan]") {
  std::vector<ConnectTo> rules{{"mail.example.test", 993, "127.0.0.2", 10993}, {"", 0, "127.0.0.3", 0}};
  auto t = probe::apply_connect_to(rules, "mail.example.test", 993);
  CHECK(t.host == "127.0.0.2");
  CHECK(t.port == 10993);
  t = probe::apply_connect_to(rules, "mail.example.test", 587);
  CHECK(t.host == "127.0.0.3");
  CHECK(t.port == 587);
  t = probe::apply_connect_to({}, "mail.example.test", 587);
  CHECK(t.rule == nullptr);
  CHECK(t.host == "mail.example.test");
}

TEST_CASE("auth methods map to curl login options without silent fallback", "[plan]") {
  CHECK(probe::login_options_for(AuthMethod::password, false) == "AUTH=PLAIN;AUTH=LOGIN");
  CHECK(probe::login_options_for(AuthMethod::password_encrypted, false) == "AUTH=CRAM-MD5;AUTH=DIGEST-MD5");
  CHECK(probe::login_options_for(AuthMethod::oauth2, false) == "AUTH=XOAUTH2;AUTH=OAUTHBEARER");
  CHECK(probe::scheme_for(Protocol::pop3, Security::tls) == "pop3s");
  CHECK(probe::scheme_for(Protocol::smtp, Security::starttls) == "smtp");
}

TEST_CASE("Thunderbird's certificate exception stays with its host:port: other ports are judged without it", "[plan][override]") {
  Request r;
  r.account.email = "bob@example.test";
  Endpoint in;
  in.protocol = Protocol::imap;
  in.host = "mail.example.test";
  in.port = 993;
  in.security = Security::tls;
  in.username = "bob";
  in.cert_override = std::string(64, 'a');
  r.account.incoming = in;
  auto now = probe::Clock::now();
  const auto plan = pipeline::plan_probes(r, now, now);
  REQUIRE(plan.size() > 1);
  for (const auto& p : plan) {
    INFO(p.spec.endpoint.port << " " << to_string(p.spec.endpoint.security));
    if (p.spec.endpoint.port == 993) CHECK(p.spec.endpoint.cert_override == in.cert_override);
    else CHECK(p.spec.endpoint.cert_override.empty());
  }
}

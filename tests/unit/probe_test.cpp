#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <chrono>
#include <thread>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/evidence_json.hpp"
#include "probe/probe.hpp"
#include "loopback_server.hpp"

using namespace maildoctor;

// Tiny scripted servers on 127.0.0.1 with a kernel-chosen port: each answers one line at a time and records
// everything the client sent, so a test can assert what never went over the wire.
namespace {
const std::string kCanary = "Canary-Pw-9d1f";

class ScriptServer {
 public:
  using Responder = std::function<std::string(const std::string& line)>;
  // greeting: sent on accept (empty: stay silent). respond: the answer to each client line ("<close>" hangs up).
  ScriptServer(std::string greeting, Responder respond)
      : greeting_(std::move(greeting)), respond_(std::move(respond)), server_([this](int fd) { session(fd); }) {}
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }
  [[nodiscard]] int connections() const { return server_.accepted(); }
  std::string received() { return server_.received(); }

 private:
  void session(int c) {
    if (!greeting_.empty()) (void)!::write(c, greeting_.data(), greeting_.size());
    testing::LineSplitter lines;
    while (!server_.stopping()) {
      pollfd q{c, POLLIN, 0};
      if (::poll(&q, 1, 20) <= 0) continue;
      char tmp[4096];
      ssize_t n = ::read(c, tmp, sizeof tmp);
      if (n <= 0) return;
      server_.record(tmp, static_cast<std::size_t>(n));
      const bool open = lines.feed(tmp, static_cast<std::size_t>(n), [&](const std::string& line) {
        std::string answer = respond_ ? respond_(line) : std::string();
        if (answer == "<close>") return false;
        if (!answer.empty()) (void)!::write(c, answer.data(), answer.size());
        return true;
      });
      if (!open) return;
    }
  }

  std::string greeting_;
  Responder respond_;
  testing::LoopbackServer server_;  // last: its thread starts once the members its session uses exist
};

std::string tag_of(const std::string& line) { return line.substr(0, line.find(' ')); }

probe::ProbeSpec spec_for(Protocol p, std::uint16_t port, Security sec, int deadline_ms, bool with_password) {
  probe::ProbeSpec s;
  s.endpoint.protocol = p;
  s.endpoint.subject = p == Protocol::smtp ? Subject::outgoing : Subject::incoming;
  s.endpoint.host = "127.0.0.1";
  s.endpoint.port = port;
  s.endpoint.security = sec;
  s.endpoint.username = "bob@example.test";
  if (with_password) s.endpoint.password = Secret(kCanary);
  s.use_credentials = with_password;
  s.not_attempted_reason = with_password ? "" : "no password given";
  s.account_email = "bob@example.test";
  s.t0 = probe::Clock::now();
  s.deadline = s.t0 + std::chrono::milliseconds(deadline_ms);
  return s;
}

probe::ProbeOutput run(const probe::ProbeSpec& s) {
  probe::ProbeProgress progress;
  std::atomic<bool> cancel{false};
  return probe::run_probe(s, progress, cancel);
}

void no_canary(const probe::ProbeOutput& out) {
  for (const auto& l : out.log) CHECK(l.line.find(kCanary) == std::string::npos);
  CHECK(to_json(out.result).dump().find(kCanary) == std::string::npos);
}

std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}
}  // namespace

TEST_CASE("a closed port is refused at once", "[probe]") {
  auto out = run(spec_for(Protocol::imap, closed_port(), Security::tls, 3000, true));
  CHECK(out.result.connect.status == ConnectEvidence::Status::refused);
  CHECK(out.result.elapsed_ms < 1000);
  CHECK(out.result.login.status == LoginEvidence::Status::not_attempted);
  CHECK(out.result.tls.status == TlsEvidence::Status::skipped);
}

TEST_CASE("a server that accepts and never speaks: greeting silent within the deadline", "[probe]") {
  ScriptServer server("", nullptr);
  auto start = probe::Clock::now();
  auto out = run(spec_for(Protocol::imap, server.port(), Security::starttls, 800, true));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(probe::Clock::now() - start).count();
  CHECK(out.result.connect.status == ConnectEvidence::Status::ok);
  CHECK(out.result.greeting.status == GreetingEvidence::Status::silent);
  CHECK(out.result.cancelled);
  CHECK(took < 800 + 200);
  CHECK(server.received().empty());
}

TEST_CASE("implicit TLS to a silent server ends at the deadline with the greeting silent", "[probe]") {
  ScriptServer server("", nullptr);
  auto out = run(spec_for(Protocol::imap, server.port(), Security::tls, 600, false));
  CHECK(out.result.greeting.status == GreetingEvidence::Status::silent);
  CHECK(out.result.tls.status == TlsEvidence::Status::failed);
  CHECK(out.result.elapsed_ms < 800);
}

TEST_CASE("implicit TLS to a plaintext server fails at once as a plaintext answer", "[probe]") {
  ScriptServer server("* OK IMAP ready\r\n", [](const std::string&) { return std::string("* BAD what\r\n"); });
  auto out = run(spec_for(Protocol::imap, server.port(), Security::tls, 3000, true));
  CHECK(out.result.connect.status == ConnectEvidence::Status::ok);
  CHECK(out.result.tls.failure == TlsEvidence::Failure::plaintext_answer);
  CHECK(out.result.elapsed_ms < 1500);
  CHECK(server.received().find(kCanary) == std::string::npos);
}

TEST_CASE("STARTTLS configured but not offered: starttls_unavailable and no credential sent", "[probe]") {
  ScriptServer server("* OK IMAP ready\r\n", [](const std::string& line) {
    std::string tag = tag_of(line);
    if (line.find("CAPABILITY") != std::string::npos) return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n";
    if (line.find("LOGOUT") != std::string::npos) return "* BYE bye\r\n" + tag + " OK done\r\n";
    return tag + " BAD unexpected\r\n";
  });
  auto out = run(spec_for(Protocol::imap, server.port(), Security::starttls, 3000, true));
  CHECK(out.result.greeting.status == GreetingEvidence::Status::ok);
  CHECK(out.result.tls.status == TlsEvidence::Status::failed);
  CHECK(out.result.tls.failure == TlsEvidence::Failure::starttls_unavailable);
  CHECK(out.result.caps_before_tls.known);
  CHECK_FALSE(out.result.caps_before_tls.starttls);
  CHECK(out.result.login.status == LoginEvidence::Status::not_attempted);
  std::string seen = server.received();
  CHECK(seen.find("LOGIN ") == std::string::npos);
  CHECK(seen.find("AUTHENTICATE") == std::string::npos);
  CHECK(seen.find(kCanary) == std::string::npos);
  no_canary(out);
}

TEST_CASE("lines pipelined behind the STARTTLS go-ahead: starttls_pipelined and no credential sent", "[probe]") {
  ScriptServer server("* OK IMAP ready\r\n", [](const std::string& line) {
    std::string tag = tag_of(line);
    if (line.find("CAPABILITY") != std::string::npos)
      return "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n" + tag + " OK done\r\n";
    if (line.find("STARTTLS") != std::string::npos)
      return tag + " OK Begin TLS negotiation now\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n";
    return tag + " BAD unexpected\r\n";
  });
  auto out = run(spec_for(Protocol::imap, server.port(), Security::starttls, 3000, true));
  CHECK(out.result.tls.status == TlsEvidence::Status::failed);
  CHECK(out.result.tls.failure == TlsEvidence::Failure::starttls_pipelined);
  CHECK(out.result.login.status == LoginEvidence::Status::not_attempted);
  CHECK(out.result.elapsed_ms < 1500);
  CHECK(server.received().find(kCanary) == std::string::npos);
  no_canary(out);
}

TEST_CASE("SMTP without AUTH in EHLO: skipped_by_server, and the sender check still runs", "[probe]") {
  ScriptServer server("220 test ESMTP\r\n", [](const std::string& line) -> std::string {
    if (line.rfind("EHLO", 0) == 0) return "250-test\r\n250 8BITMIME\r\n";
    if (line.rfind("MAIL FROM", 0) == 0) return "250 2.1.0 Ok\r\n";
    if (line.rfind("RCPT TO", 0) == 0) return "554 5.7.1 <bob@example.test>: Relay access denied\r\n";
    if (line.rfind("RSET", 0) == 0) return "250 2.0.0 Ok\r\n";
    if (line.rfind("QUIT", 0) == 0) return "221 2.0.0 Bye\r\n";
    return "502 5.5.2 Error\r\n";
  });
  auto out = run(spec_for(Protocol::smtp, server.port(), Security::none, 3000, true));
  CHECK(out.result.greeting.status == GreetingEvidence::Status::ok);
  CHECK(out.result.caps.known);
  CHECK_FALSE(out.result.caps.auth_advertised);
  CHECK(out.result.login.status == LoginEvidence::Status::skipped_by_server);
  CHECK(out.result.after_login.mail_from.code == 250);
  CHECK(out.result.after_login.rcpt_to.code == 554);
  CHECK(out.result.after_login.rcpt_to.enhanced == "5.7.1");
  CHECK(server.received().find("AUTH") == std::string::npos);
  no_canary(out);
}

TEST_CASE("a plaintext IMAP login over security none: refusal with every reply line, redacted transcript", "[probe]") {
  std::string auth_tag;
  ScriptServer server("* OK IMAP ready\r\n", [&auth_tag](const std::string& line) {
    std::string tag = tag_of(line);
    if (line.find("CAPABILITY") != std::string::npos) return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n";
    if (line.find("AUTHENTICATE PLAIN") != std::string::npos) {
      auth_tag = tag;
      return std::string("+ \r\n");
    }
    if (line.find("LOGOUT") != std::string::npos) return "* BYE bye\r\n" + tag + " OK done\r\n";
    // The SASL answer itself.
    return "* NO [ALERT] Application-specific password required\r\n" + auth_tag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n";
  });
  auto out = run(spec_for(Protocol::imap, server.port(), Security::none, 3000, true));
  CHECK(out.result.login.status == LoginEvidence::Status::refused);
  CHECK(out.result.login.mechanism == "PLAIN");
  CHECK(out.result.login.reply.response_code == "AUTHENTICATIONFAILED");
  CHECK(out.result.login.reply.lines.size() == 3);  // "+ ", the untagged ALERT and the tagged NO
  CHECK(out.result.login.reply.status == "NO");
  CHECK(out.result.login.reply.text().find("Application-specific password required") != std::string::npos);
  CHECK(server.received().find("AUTHENTICATE PLAIN") != std::string::npos);  // the login really went out
  no_canary(out);
  bool masked = false;
  for (const auto& l : out.log) masked = masked || (l.dir == 'C' && l.line.find("<redacted>") != std::string::npos);
  CHECK(masked);
}

TEST_CASE("a successful POP3 login over security none runs STAT and QUIT", "[probe]") {
  ScriptServer server("+OK ready\r\n", [](const std::string& line) -> std::string {
    if (line == "CAPA") return "+OK\r\nUSER\r\n.\r\n";
    if (line.rfind("USER ", 0) == 0) return "+OK\r\n";
    if (line.rfind("PASS ", 0) == 0) return line == "PASS " + kCanary ? "+OK logged in\r\n" : "-ERR [AUTH] wrong\r\n";
    // A server that echoes the password after the login: the reply is evidence, and must not carry it.
    if (line == "STAT") return "+OK 3 4200 " + kCanary + "\r\n";
    if (line == "QUIT") return "+OK bye\r\n";
    return "-ERR what\r\n";
  });
  auto out = run(spec_for(Protocol::pop3, server.port(), Security::none, 3000, true));
  CHECK(out.result.login.status == LoginEvidence::Status::ok);
  CHECK(out.result.after_login.mailbox.status == "+OK");
  no_canary(out);
  // QUIT goes out without waiting for its reply: the server's thread may read it a moment after the probe ends.
  for (int i = 0; i < 200 && server.received().find("QUIT") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(server.received().find("QUIT") != std::string::npos);
  no_canary(out);
}

TEST_CASE("gather_evidence: one deadline, checks through the hook, cancel stops everything", "[pipeline]") {
  ScriptServer silent("", nullptr);
  Request req;
  req.account.email = "bob@example.test";
  Endpoint in;
  in.protocol = Protocol::imap;
  in.host = "127.0.0.1";
  in.port = silent.port();
  in.security = Security::starttls;
  in.username = "bob";
  in.password = Secret(kCanary);
  req.account.incoming = in;
  Endpoint out_ep = in;
  out_ep.subject = Subject::outgoing;
  out_ep.protocol = Protocol::smtp;
  out_ep.port = closed_port();
  req.account.outgoing = out_ep;
  req.options.alternatives = false;
  req.options.deadline_ms = 700;

  std::mutex m;
  std::vector<Check> seen;
  RunHooks hooks;
  hooks.on_check = [&](const Check& c) {
    std::lock_guard<std::mutex> l(m);
    seen.push_back(c);
  };
  auto start = probe::Clock::now();
  Evidence ev = gather_evidence(req, hooks);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(probe::Clock::now() - start).count();
  CHECK(took < 700 + 250);
  REQUIRE(ev.primary.size() == 2);
  CHECK(ev.alternatives.empty());
  CHECK(ev.checks.size() == seen.size());
  CHECK(ev.primary[1].connect.status == ConnectEvidence::Status::refused);
  CHECK(ev.primary[0].greeting.status == GreetingEvidence::Status::silent);
  CHECK(evidence_to_json(ev).dump().find(kCanary) == std::string::npos);

  RunHooks cancel_hooks;
  cancel_hooks.cancel->store(true);
  req.options.deadline_ms = 5000;
  start = probe::Clock::now();
  ev = gather_evidence(req, cancel_hooks);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(probe::Clock::now() - start).count();
  CHECK(took < 500);
}

namespace {
std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}
ScriptServer::Responder imap_without_sasl() {
  return [](const std::string& line) {
    std::string tag = tag_of(line);
    if (line.find("CAPABILITY") != std::string::npos) return "* CAPABILITY IMAP4rev1\r\n" + tag + " OK done\r\n";
    if (line.find(" LOGIN ") != std::string::npos) return tag + " OK logged in\r\n";
    if (line.find("EXAMINE") != std::string::npos) return "* 0 EXISTS\r\n" + tag + " OK [READ-ONLY] done\r\n";
    if (line.find("LOGOUT") != std::string::npos) return "* BYE\r\n" + tag + " OK bye\r\n";
    return tag + " BAD what\r\n";
  };
}
}  // namespace

TEST_CASE("a password account on a server without SASL uses IMAP LOGIN, once", "[probe]") {
  ScriptServer server("* OK IMAP ready\r\n", imap_without_sasl());
  auto out = run(spec_for(Protocol::imap, server.port(), Security::none, 3000, true));
  CHECK(out.result.login.status == LoginEvidence::Status::ok);
  CHECK(out.result.login.mechanism == "LOGIN");
  CHECK(count_of(server.received(), " LOGIN ") == 1);
  CHECK(out.result.after_login.mailbox.status == "OK");
  no_canary(out);
}

TEST_CASE("an encrypted-password account on a PLAIN-only server: no_mechanism, nothing sent", "[probe]") {
  ScriptServer server("* OK IMAP ready\r\n", [](const std::string& line) {
    std::string tag = tag_of(line);
    if (line.find("CAPABILITY") != std::string::npos) return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n";
    if (line.find("LOGOUT") != std::string::npos) return "* BYE\r\n" + tag + " OK bye\r\n";
    return tag + " NO refused\r\n";
  });
  auto spec = spec_for(Protocol::imap, server.port(), Security::none, 3000, true);
  spec.endpoint.auth = AuthMethod::password_encrypted;
  auto out = run(spec);
  CHECK(out.result.login.status == LoginEvidence::Status::no_mechanism);
  CHECK(server.received().find("AUTHENTICATE") == std::string::npos);
  CHECK(server.received().find(" LOGIN ") == std::string::npos);
}

// --- credentials: what the probe refuses to send, and how often it logs in --------------------------------------

TEST_CASE("a password with CR, LF or NUL never leaves the probe: no connection at all", "[probe][security]") {
  for (Protocol p : {Protocol::imap, Protocol::pop3, Protocol::smtp}) {
    for (const std::string& bad : {std::string("pw\rDELE 1"), std::string("pw\nQUIT"), std::string("pw\0x", 4)}) {
      ScriptServer server(p == Protocol::smtp ? "220 ready\r\n" : p == Protocol::pop3 ? "+OK ready\r\n" : "* OK ready\r\n",
                          [](const std::string&) { return std::string("<close>"); });
      auto spec = spec_for(p, server.port(), Security::none, 2000, true);
      spec.endpoint.password = Secret(bad);
      auto out = run(spec);
      CHECK(out.result.connect.status == ConnectEvidence::Status::failed);
      CHECK(out.result.login.status == LoginEvidence::Status::not_attempted);
      CHECK(server.connections() == 0);
    }
  }
}

TEST_CASE("a login without a user name never leaves the probe", "[probe][security]") {
  // IMAP LOGIN only: curl would send `LOGIN  <password>`, the password where the user name belongs.
  ScriptServer server("* OK IMAP ready\r\n", imap_without_sasl());
  auto spec = spec_for(Protocol::imap, server.port(), Security::none, 2000, true);
  spec.endpoint.username.clear();
  auto out = run(spec);
  CHECK(out.result.connect.status == ConnectEvidence::Status::failed);
  CHECK_THAT(out.result.connect.error, Catch::Contains("user name"));
  CHECK(server.connections() == 0);
  CHECK(server.received().find(kCanary) == std::string::npos);
}

namespace {
// A refusing IMAP server whose CAPABILITY reply curl reads one way and the transcript another.
ScriptServer::Responder imap_refusing_plain(std::function<std::string(const std::string& tag)> capability_reply) {
  auto auth_tag = std::make_shared<std::string>();
  return [=](const std::string& line) -> std::string {
    std::string tag = tag_of(line);
    if (line.find("CAPABILITY") != std::string::npos) return capability_reply(tag);
    if (line.find("AUTHENTICATE") != std::string::npos || line.find(" LOGIN ") != std::string::npos) {
      *auth_tag = tag;
      if (line.find(" LOGIN ") != std::string::npos) return tag + " NO [AUTHENTICATIONFAILED] wrong\r\n";
      return "+ \r\n";
    }
    if (line.find("LOGOUT") != std::string::npos) return "* BYE\r\n" + tag + " OK bye\r\n";
    return *auth_tag + " NO [AUTHENTICATIONFAILED] wrong\r\n";  // the SASL answer
  };
}
std::size_t credentialed_attempts(const std::string& received) {
  return count_of(received, "AUTHENTICATE ") + count_of(received, " LOGIN ");
}
}  // namespace

TEST_CASE("a capability reply the transcript misreads does not bring a second login (issue 12 §5)", "[probe][security]") {
  // curl takes the numbered "* 1 CAPABILITY" and the tagged "OKAY" (it compares two letters) and sends
  // AUTHENTICATE PLAIN; the transcript finds neither, so it saw no mechanism and no login.
  ScriptServer server("* OK IMAP ready\r\n", imap_refusing_plain([](const std::string& tag) {
                        return "* 1 CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OKAY capabilities\r\n";
                      }));
  auto out = run(spec_for(Protocol::imap, server.port(), Security::none, 3000, true));
  CHECK(credentialed_attempts(server.received()) == 1);
  CHECK(server.connections() == 1);
  no_canary(out);
}

TEST_CASE("more lines before the login than the transcript keeps do not bring a second login", "[probe][security]") {
  ScriptServer server("* OK IMAP ready\r\n", imap_refusing_plain([](const std::string& tag) {
                        std::string r;
                        for (std::size_t i = 0; i < transcript::kMaxLogLines + 50; ++i) r += "* OK filler " + std::to_string(i) + "\r\n";
                        return r + "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n";
                      }));
  auto out = run(spec_for(Protocol::imap, server.port(), Security::none, 5000, true));
  CHECK(credentialed_attempts(server.received()) == 1);
  CHECK(server.connections() == 1);
  no_canary(out);
}

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli/command_line.hpp"
#include "cli/run_cli.hpp"
#include "report/text_report.hpp"

using namespace maildoctor;
using namespace maildoctor::cli;

namespace {

ParsedRequest build(const std::vector<std::string>& args, const std::optional<std::string>& text = std::nullopt) {
  auto cl = parse_command_line(args);
  if (cl.error) return {std::nullopt, RequestError{"usage", cl.error->message}};
  return build_request(*cl.command_line, text);
}

struct Run {
  int status = -1;
  std::string out, err;
  std::optional<Request> seen;  // what the diagnosis was asked to do
};

Run run(const std::vector<std::string>& args, const std::string& stdin_text = {}, Result result = {}, bool throws = false) {
  Run r;
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  r.status = run_cli(args, Io{in, out, err, false}, [&](Request req, const RunHooks& hooks) -> Result {
    if (throws) throw std::runtime_error("boom");
    Check c;
    c.step = "connect";
    c.status = CheckStatus::pass;
    c.target = "imap.example.test:993 tls";
    if (hooks.on_check) hooks.on_check(c);
    r.seen = std::move(req);
    return result;
  });
  r.out = out.str();
  r.err = err.str();
  return r;
}

Result problem_result() {
  Result r;
  r.verdict = "problem";
  r.provider = ProviderRef{"gmail", "Gmail"};
  Finding f;
  f.code = "auth.app_password_required";
  f.subject = Subject::incoming;
  f.title = "An app password is needed";
  f.detail = "The account has 2-step verification.";
  f.evidence = {"NO [ALERT] Application-specific password required\n* BYE \x1b[31mred"};
  Fix url;
  url.kind = "open_url";
  url.url = "https://myaccount.google.com/apppasswords";
  url.label = "Create an app password";
  Fix port;
  port.kind = "change_setting";
  port.subject = Subject::outgoing;
  port.setting = "port";
  port.value = 587;
  Fix steps;
  steps.kind = "steps";
  steps.steps = {"Sign in", "Create the password"};
  f.fixes = {url, port, steps};
  r.findings.push_back(f);
  Check c;
  c.subject = Subject::incoming;
  c.step = "auth";
  c.status = CheckStatus::fail;
  c.ms = 40;
  c.target = "imap.gmail.com:993 tls";
  c.detail = "refused";
  r.checks.push_back(c);
  r.transcript.push_back({Subject::incoming, 'S', 12, "* OK Gimap ready", "imap.gmail.com:993 tls"});
  r.elapsed_ms = 812;
  return r;
}

}  // namespace

TEST_CASE("flag form builds the request", "[cli]") {
  SECTION("ports decide the security, missing ports follow the security") {
    auto p = build({"diagnose", "--email", "bob@example.test", "--imap", "imap.example.test:143", "--smtp", "smtp.example.test:465"});
    REQUIRE(p.request);
    const auto& a = p.request->account;
    CHECK(a.email == "bob@example.test");
    REQUIRE(a.incoming);
    CHECK(a.incoming->protocol == Protocol::imap);
    CHECK(a.incoming->host == "imap.example.test");
    CHECK(a.incoming->port == 143);
    CHECK(a.incoming->security == Security::starttls);
    CHECK(a.incoming->username == "bob@example.test");
    REQUIRE(a.outgoing);
    CHECK(a.outgoing->port == 465);
    CHECK(a.outgoing->security == Security::tls);

    auto q = build({"diagnose", "--email", "bob@example.test", "--pop3", "pop.example.test", "--incoming-security", "starttls",
                    "--smtp", "smtp.example.test", "--outgoing-security", "starttls", "--user", "bob"});
    REQUIRE(q.request);
    CHECK(q.request->account.incoming->protocol == Protocol::pop3);
    CHECK(q.request->account.incoming->port == 110);
    CHECK(q.request->account.outgoing->port == 587);
    CHECK(q.request->account.incoming->username == "bob");
    CHECK(q.request->account.username == "bob");

    auto d = build({"diagnose", "--email", "b@e.test", "--imap", "imap.e.test"});
    CHECK(d.request->account.incoming->port == 993);
    CHECK(d.request->account.incoming->security == Security::tls);
    auto v6 = build({"diagnose", "--email", "b@e.test", "--imap", "[::1]:1143", "--smtp", "::1"});
    REQUIRE(v6.request);
    CHECK(v6.request->account.incoming->host == "::1");
    CHECK(v6.request->account.incoming->port == 1143);
    CHECK(v6.request->account.outgoing->host == "::1");
  }
  SECTION("address alone: discovery, no endpoints") {
    auto p = build({"diagnose", "--email", "bob@example.test"});
    REQUIRE(p.request);
    CHECK_FALSE(p.request->account.incoming);
    CHECK_FALSE(p.request->account.outgoing);
  }
  SECTION("options and front-door settings") {
    auto p = build({"diagnose", "--email", "b@e.test", "--no-login", "--no-alternatives", "--deadline", "2.5", "--cacert", "/tmp/ca.pem",
                    "--connect-to", "imap.e.test:993:127.0.0.2:10993", "--connect-to", "::[::1]:", "--dns-servers", "127.0.0.1:5353", "-v",
                    "--auth", "password-encrypted", "--imap", "imap.e.test", "--observed-error", "Login failed"});
    REQUIRE(p.request);
    const auto& o = p.request->options;
    CHECK_FALSE(o.login);
    CHECK_FALSE(o.alternatives);
    CHECK(o.deadline_ms == 2500);
    CHECK(o.cacert == "/tmp/ca.pem");
    CHECK(o.dns_servers == "127.0.0.1:5353");
    CHECK(o.verbose);
    REQUIRE(o.connect_to.size() == 2);
    CHECK(o.connect_to[0].host == "imap.e.test");
    CHECK(o.connect_to[0].port == 993);
    CHECK(o.connect_to[0].to_host == "127.0.0.2");
    CHECK(o.connect_to[0].to_port == 10993);
    CHECK(o.connect_to[1].host.empty());
    CHECK(o.connect_to[1].port == 0);
    CHECK(o.connect_to[1].to_host == "::1");
    CHECK(p.request->account.incoming->auth == AuthMethod::password_encrypted);
    CHECK(p.request->observed_error == "Login failed");
  }
}

TEST_CASE("a request document is read and flags add to it", "[cli]") {
  const std::string doc = R"({"account": {"email": "bob@example.test",
      "incoming": {"protocol": "imap", "host": "imap.example.test", "port": 993, "security": "tls", "password": "pw-in"},
      "outgoing": {"protocol": "smtp", "host": "smtp.example.test", "port": 587, "security": "starttls"}},
      "options": {"deadline_ms": 5000}})";
  auto p = build({"diagnose", "--request", "req.json", "--no-alternatives", "--dns-servers", "127.0.0.1"}, doc);
  REQUIRE(p.request);
  CHECK(p.request->options.deadline_ms == 5000);
  CHECK_FALSE(p.request->options.alternatives);
  CHECK(p.request->options.dns_servers == "127.0.0.1");
  apply_password(*p.request, Secret("pw-stdin"));
  CHECK(p.request->account.incoming->password.reveal() == "pw-in");
  CHECK(p.request->account.outgoing->password.reveal() == "pw-stdin");

  auto bad = build({"diagnose", "--request", "req.json"}, R"({"account": {"incoming": {"protocol": "imap", "host": "x", "port": 0}}})");
  REQUIRE(bad.error);
  CHECK(bad.error->field == "account.incoming.port");
}

TEST_CASE("bad flag values are refused naming the flag", "[cli]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"diagnose", "--email", "bob"}, "--email"},
      {{"diagnose", "--email", "b@e.test", "--imap", "imap.e.test:0"}, "--imap"},
      {{"diagnose", "--email", "b@e.test", "--imap", "imap.e.test:99999"}, "--imap"},
      {{"diagnose", "--email", "b@e.test", "--pop3", "bad host"}, "--pop3"},
      {{"diagnose", "--email", "b@e.test", "--smtp", "smtp.e.test", "--outgoing-security", "ssl"}, "--outgoing-security"},
      {{"diagnose", "--email", "b@e.test", "--imap", "i.e.test", "--user", "a\r\nLOGOUT"}, "--user"},
      {{"diagnose", "--email", "b@e.test", "--imap", "i.e.test", "--auth", "magic"}, "--auth"},
      {{"diagnose", "--email", "b@e.test", "--deadline", "500"}, "--deadline"},
  };
  for (const auto& [args, flag] : cases) {
    auto p = build(args);
    INFO(args.back());
    REQUIRE(p.error);
    CHECK(p.error->field == flag);
    CHECK_THAT(p.error->message, Catch::StartsWith(flag));
  }
}

TEST_CASE("usage errors", "[cli]") {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"diagnose"},
      {"frobnicate"},
      {"diagnose", "extra", "--email", "b@e.test"},
      {"diagnose", "--email", "b@e.test", "--password", "secret"},
      {"diagnose", "--email", "b@e.test", "--password"},
      {"diagnose", "--email", "b@e.test", "--imap", "a", "--pop3", "b"},
      {"diagnose", "--request", "x.json", "--email", "b@e.test"},
      {"diagnose", "--request", "-", "--password-stdin"},
      {"diagnose", "--email", "b@e.test", "--incoming-security", "tls"},
      {"diagnose", "--email", "b@e.test", "--auth", "oauth2"},
      {"diagnose", "--email", "b@e.test", "--deadline", "soon"},
      {"diagnose", "--email", "b@e.test", "--connect-to", "a:1:b"},
      {"diagnose", "--email", "b@e.test", "--connect-to", "a:x:b:1"},
      {"diagnose", "--email"},
  };
  for (const auto& args : cases) {
    INFO((args.empty() ? std::string("(none)") : args.back()));
    CHECK(parse_command_line(args).error);
  }
}

TEST_CASE("run_cli exit statuses and output streams", "[cli]") {
  SECTION("bad usage is 2, on stderr") {
    auto r = run({"diagnose", "--email", "b@e.test", "--bogus"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("bogus"));
    CHECK_FALSE(r.seen);
  }
  SECTION("bad request is 2, naming the field") {
    auto r = run({"diagnose", "--request", "-"}, R"({"account": {"email": "bob@e.test", "incoming": {"protocol": "nntp", "host": "x"}}})");
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("account.incoming.protocol"));
    auto j = run({"diagnose", "--request", "-"}, "{not json");
    CHECK(j.status == 2);
    auto missing = run({"diagnose", "--request", "/nonexistent/request.json"});
    CHECK(missing.status == 2);
    CHECK_THAT(missing.err, Catch::Contains("cannot read"));
  }
  SECTION("bad --dns-servers and --cacert are 2") {
    CHECK(run({"diagnose", "--email", "b@e.test", "--dns-servers", "nonsense"}).status == 2);
    CHECK(run({"diagnose", "--email", "b@e.test", "--cacert", "/nonexistent/ca.pem"}).status == 2);
  }
  SECTION("help and version are 0 on stdout") {
    auto h = run({"--help"});
    CHECK(h.status == 0);
    CHECK_THAT(h.out, Catch::Contains("--password-stdin"));
    CHECK(run({"help"}).status == 0);
    auto v = run({"--version"});
    CHECK(v.status == 0);
    CHECK(v.out == std::string("maildoctor ") + MAILDOCTOR_VERSION + "\n");
  }
  SECTION("ok is 0, problem and inconclusive are 1") {
    Result ok;
    ok.verdict = "ok";
    CHECK(run({"diagnose", "--email", "b@e.test"}, "", ok).status == 0);
    CHECK(run({"diagnose", "--email", "b@e.test"}, "", problem_result()).status == 1);
    CHECK(run({"diagnose", "--email", "b@e.test"}, "", Result{}).status == 1);
  }
  SECTION("an exception inside is 3") {
    auto r = run({"diagnose", "--email", "b@e.test"}, "", {}, true);
    CHECK(r.status == 3);
    CHECK_THAT(r.err, Catch::Contains("internal error"));
  }
  SECTION("--json prints only the result JSON on stdout") {
    auto r = run({"diagnose", "--email", "b@e.test", "--json"}, "", problem_result());
    CHECK(r.status == 1);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j == to_json(problem_result()));
    CHECK(r.err.empty());  // no progress unless -v
  }
  SECTION("readable report on stdout, progress on stderr") {
    auto r = run({"diagnose", "--email", "b@e.test"}, "", problem_result());
    CHECK_THAT(r.err, Catch::Contains("[pass] incoming connect imap.example.test:993 tls"));
    CHECK_THAT(r.out, Catch::Contains("PROBLEM"));
    CHECK(r.out.find("[pass] incoming connect") == std::string::npos);
  }
  SECTION("--password-stdin reaches every endpoint and never an output") {
    auto r = run({"diagnose", "--email", "b@e.test", "--imap", "i.e.test", "--smtp", "s.e.test", "--password-stdin", "-v"},
                 "canary-Pa55word\nsecond line\n", problem_result());
    REQUIRE(r.seen);
    CHECK(r.seen->account.incoming->password.reveal() == "canary-Pa55word");
    CHECK(r.seen->account.outgoing->password.reveal() == "canary-Pa55word");
    CHECK(r.out.find("canary-Pa55word") == std::string::npos);
    CHECK(r.err.find("canary-Pa55word") == std::string::npos);
    auto discovery = run({"diagnose", "--email", "b@e.test", "--password-stdin"}, "pw\r\n");
    REQUIRE(discovery.seen);
    CHECK(discovery.seen->account.password.reveal() == "pw");
  }
  SECTION("no prompt when stdin is not a terminal") {
    auto r = run({"diagnose", "--email", "b@e.test", "--imap", "i.e.test"}, "not-a-password\n");
    REQUIRE(r.seen);
    CHECK(r.seen->account.incoming->password.empty());
  }
}

TEST_CASE("a discovered server that needs confirmation is asked about on a terminal only", "[cli][trust]") {
  DiscoveryEvidence::Unconfirmed u;
  u.endpoint.host = "mail.attacker.test";
  u.endpoint.port = 993;
  u.source = "srv";
  u.reason = "mail.attacker.test was named by DNS alone";
  auto ask = [&](const std::vector<std::string>& args, const std::string& typed, bool terminal, std::string& err) {
    std::istringstream in(typed);
    std::ostringstream out, e;
    std::optional<bool> answer;
    bool trust = false;
    run_cli(args, Io{in, out, e, terminal}, [&](Request req, const RunHooks& hooks) -> Result {
      trust = req.options.trust_discovered;
      if (hooks.confirm_discovered) answer = hooks.confirm_discovered(u);
      return {};
    });
    err = e.str();
    return std::make_pair(answer, trust);
  };
  std::string err;
  // The password prompt comes first (empty here: no password), then the question.
  auto yes = ask({"diagnose", "--email", "bob@spoofed.test"}, "\ny\n", true, err);
  REQUIRE(yes.first);
  CHECK(*yes.first);
  CHECK_THAT(err, Catch::Contains("mail.attacker.test:993") && Catch::Contains("named by DNS alone") && Catch::Contains("[y/N]"));
  auto no = ask({"diagnose", "--email", "bob@spoofed.test"}, "\n\n", true, err);
  REQUIRE(no.first);
  CHECK_FALSE(*no.first);
  auto piped = ask({"diagnose", "--email", "bob@spoofed.test", "--password-stdin"}, "pw\ny\n", false, err);
  CHECK_FALSE(piped.first);  // no one to ask: never confirmed
  CHECK_FALSE(piped.second);
  auto flag = ask({"diagnose", "--email", "bob@spoofed.test", "--password-stdin", "--trust-discovered"}, "pw\n", false, err);
  CHECK(flag.second);
}

TEST_CASE("readable report", "[cli][report]") {
  const auto text = report::text_report(problem_result(), {true});
  CHECK_THAT(text, Catch::Contains("Provider: Gmail (gmail)"));
  CHECK_THAT(text, Catch::Contains("auth.app_password_required"));
  CHECK_THAT(text, Catch::Contains("Create an app password: https://myaccount.google.com/apppasswords"));
  CHECK_THAT(text, Catch::Contains("set outgoing port to 587"));
  CHECK_THAT(text, Catch::Contains("2. Create the password"));
  CHECK_THAT(text, Catch::Contains("| NO [ALERT] Application-specific password required"));
  CHECK_THAT(text, Catch::Contains("| * BYE \\x1B[31mred"));  // every evidence line, escapes made visible
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(report::printable("a\xC2\x9B" "31mb\r\n\xC3\xA9") == "a\\u009B31mb\\x0D\\x0A\xC3\xA9");
  CHECK_THAT(text, Catch::Contains("imap.gmail.com:993 tls - refused"));
  CHECK_THAT(text, Catch::Contains("* OK Gimap ready"));
  CHECK_THAT(report::text_report(problem_result()), !Catch::Contains("Gimap ready"));

  Fix security;
  security.kind = "change_setting";
  security.subject = Subject::incoming;
  security.setting = "security";
  security.value = "starttls";
  CHECK(report::describe_fix(security) == "set incoming security to starttls");

  Result discovered;
  discovered.discovery = {{"chosen", {{{"subject", "incoming"}, {"source", "srv"}, {"detail", "imap mail.e.test:993 tls from SRV"}}}},
                          {"mx", {"mx.e.test"}}};
  const auto d = report::text_report(discovered);
  CHECK_THAT(d, Catch::Contains("Where the settings came from"));
  CHECK_THAT(d, Catch::Contains("imap mail.e.test:993 tls from SRV  [srv]"));
  CHECK_THAT(d, Catch::Contains("No problems found."));
}

namespace {
// The prompt path: stdin "is" a terminal (run() above says it is not).
Run run_at_terminal(const std::vector<std::string>& args, const std::string& typed) {
  Run r;
  std::istringstream in(typed);
  std::ostringstream out, err;
  r.status = run_cli(args, Io{in, out, err, true}, [&](Request req, const RunHooks&) -> Result {
    r.seen = std::move(req);
    return {};
  });
  r.out = out.str();
  r.err = err.str();
  return r;
}
}  // namespace

TEST_CASE("a password with CR or NUL is refused on stdin and at the prompt, before any diagnosis", "[cli][security]") {
  const std::vector<std::string> flags = {"diagnose", "--email", "b@e.test", "--pop3", "p.e.test:110", "--incoming-security", "none"};
  for (const std::string& typed : {std::string("pw\rDELE 1\n"), std::string("pw\rDELE 1\r\n"), std::string("pw\0x\n", 5),
                                  std::string("\rpw\n")}) {
    INFO(typed);
    auto with_stdin = flags;
    with_stdin.push_back("--password-stdin");
    auto r = run(with_stdin, typed);
    CHECK(r.status == 2);
    CHECK_FALSE(r.seen);
    CHECK_THAT(r.err, Catch::Contains("line break or a NUL"));
    auto t = run_at_terminal(flags, typed);
    CHECK(t.status == 2);
    CHECK_FALSE(t.seen);
    CHECK_THAT(t.err, Catch::Contains("line break or a NUL"));
  }
  // A line ending, LF or CRLF, is not part of the password.
  auto ok = run_at_terminal(flags, "pw\r\n");
  REQUIRE(ok.seen);
  CHECK(ok.seen->account.incoming->password.reveal() == "pw");
  // Too long is refused too, not silently dropped.
  auto longer = run(std::vector<std::string>{"diagnose", "--email", "b@e.test", "--password-stdin"}, std::string(5000, 'x') + "\n");
  CHECK(longer.status == 2);
  CHECK_FALSE(longer.seen);
}

TEST_CASE("a request without any user name gets no password from stdin: refused", "[cli][security]") {
  const std::string path = "cli_test_no_user.json";
  {
    std::ofstream f(path);
    f << R"({"account": {"incoming": {"protocol": "imap", "host": "i.e.test", "port": 143, "security": "none"}}})";
  }
  auto r = run({"diagnose", "--request", path, "--password-stdin"}, "canary-pw\n");
  std::remove(path.c_str());
  CHECK(r.status == 2);
  CHECK_FALSE(r.seen);
  CHECK_THAT(r.err, Catch::Contains("user name"));
  CHECK(r.err.find("canary-pw") == std::string::npos);
}

TEST_CASE("the --proxy flag is parsed into the request and wins over the request's proxy", "[cli][proxy]") {
  auto p = build({"diagnose", "--email", "b@e.test", "--imap", "i.e.test", "--proxy", "socks5h://127.0.0.1:1080"});
  REQUIRE(p.request);
  REQUIRE(p.request->options.proxy);
  CHECK(p.request->options.proxy->type == Proxy::Type::socks5);
  CHECK(p.request->options.proxy->remote_dns);
  CHECK(p.request->options.proxy->host == "127.0.0.1");
  CHECK(p.request->options.proxy->port == 1080);

  const std::string doc = R"({"account": {"email": "bob@example.test",
      "incoming": {"protocol": "imap", "host": "imap.example.test"}},
      "proxy": {"type": "socks5", "host": "10.1.1.1", "port": 9050, "remote_dns": false}})";
  p = build({"diagnose", "--request", "req.json"}, doc);
  REQUIRE(p.request);
  REQUIRE(p.request->options.proxy);
  CHECK(p.request->options.proxy->host == "10.1.1.1");
  p = build({"diagnose", "--request", "req.json", "--proxy", "socks4://127.0.0.1:1081"}, doc);
  REQUIRE(p.request);
  CHECK(p.request->options.proxy->type == Proxy::Type::socks4);
  CHECK(p.request->options.proxy->port == 1081);

  CHECK_FALSE(build({"diagnose", "--email", "b@e.test", "--imap", "i.e.test"}).request->options.proxy);

  for (const char* bad : {"http://127.0.0.1:3128", "socks5h://127.0.0.1", "socks5h://127.0.0.1:0", "socks5h://u:p@127.0.0.1:1080", "127.0.0.1:1080"}) {
    INFO(bad);
    auto cl = parse_command_line({"diagnose", "--email", "b@e.test", "--proxy", bad});
    REQUIRE(cl.error);
    CHECK_THAT(cl.error->message, Catch::StartsWith("--proxy"));
    CHECK(parse_command_line({"batch", "--proxy", bad}).error);
  }
  auto batch = parse_command_line({"batch", "--proxy", "socks5h://127.0.0.1:1080"});
  CHECK_FALSE(batch.error);
}

TEST_CASE("OAuth2 on the command line: --token-stdin and --oauth-error need --auth oauth2", "[cli][oauth2]") {
  const std::vector<std::string> base{"diagnose", "--email", "b@e.test", "--imap", "imap.e.test:993"};
  auto with = [&](std::initializer_list<std::string> more) {
    std::vector<std::string> a = base;
    a.insert(a.end(), more);
    return a;
  };
  CHECK(parse_command_line(with({"--token-stdin"})).error);
  CHECK(parse_command_line(with({"--auth", "password", "--token-stdin"})).error);
  CHECK(parse_command_line(with({"--oauth-error", "invalid_grant"})).error);
  CHECK(parse_command_line(with({"--auth", "oauth2", "--token-stdin", "--password-stdin"})).error);
  CHECK(parse_command_line({"diagnose", "--request", "-", "--token-stdin"}).error);
  CHECK(parse_command_line({"batch", "--token-stdin"}).error);

  // The token comes from stdin's first line and becomes the endpoint's one secret; never shown.
  Run r = run(with({"--auth", "oauth2", "--token-stdin", "--no-alternatives"}), "ya29.cli-token\n");
  REQUIRE(r.seen);
  CHECK(r.seen->account.incoming->auth == AuthMethod::oauth2);
  CHECK(r.seen->account.incoming->password.reveal() == "ya29.cli-token");
  CHECK(r.out.find("ya29.cli-token") == std::string::npos);
  CHECK(r.err.find("ya29.cli-token") == std::string::npos);

  Run e = run(with({"--auth", "oauth2", "--oauth-error", "invalid_grant: AADSTS700082", "--no-alternatives"}));
  REQUIRE(e.seen);
  CHECK(e.seen->account.incoming->oauth_error == "invalid_grant: AADSTS700082");
  CHECK(e.seen->account.incoming->password.empty());

  Run bad = run(with({"--auth", "oauth2", "--token-stdin"}), std::string("ya29.to\rken\n"));
  CHECK(bad.status == 2);
  CHECK_FALSE(bad.seen);
}

#include <catch2/catch.hpp>

#include <mutex>

#include "discover/choose.hpp"
#include "discover/https_fetch.hpp"
#include "dns_support.hpp"
#include "maildoctor/discover.hpp"

using namespace maildoctor;
using namespace maildoctor::discovery;

namespace {

Endpoint ep(Subject subject, Protocol protocol, const std::string& host, std::uint16_t port, Security security) {
  Endpoint e;
  e.subject = subject;
  e.protocol = protocol;
  e.host = host;
  e.port = port;
  e.security = security;
  return e;
}

SrvAnswer answer(const char* label, DnsEvidence::Status status, std::vector<dns::SrvRecord> records) {
  for (const auto& s : srv_services())
    if (std::string_view(s.label) == label) return {s, {status, std::move(records), {}}};
  FAIL("no such service " << label);
  return {};
}

// Records what the autoconfig fetches ask of batch mode's --per-server gate; refuses everything when closed.
class CountingGate : public ConnectionGate {
 public:
  explicit CountingGate(bool open) : open_(open) {}
  bool acquire(const std::string& host, std::uint16_t port, const std::function<bool()>&) override {
    std::lock_guard lock(mutex_);
    asked.push_back(host + ":" + std::to_string(port));
    if (open_) ++held;
    return open_;
  }
  void release(const std::string&, std::uint16_t) override {
    std::lock_guard lock(mutex_);
    --held;
  }
  std::unique_ptr<ConnectionGate> reserve(const std::vector<ServerTarget>&, const std::function<bool()>&) override { return nullptr; }
  std::vector<std::string> asked;
  int held = 0;

 private:
  bool open_;
  std::mutex mutex_;
};

}  // namespace

TEST_CASE("choose takes each subject from the most trusted source that has one", "[discover]") {
  Candidate autoconfig{"autoconfig", "https://autoconfig.example.test/x", {}, {ep(Subject::outgoing, Protocol::smtp, "smtp.a", 465, Security::tls)}};
  Candidate ispdb{"ispdb", "https://live.thunderbird.net/autoconfig/v1.1/example.test",
                  {ep(Subject::incoming, Protocol::pop3, "pop.b", 995, Security::tls), ep(Subject::incoming, Protocol::imap, "imap.b", 993, Security::tls)},
                  {ep(Subject::outgoing, Protocol::smtp, "smtp.b", 587, Security::starttls)}};
  Candidate srv{"srv", "SRV", {ep(Subject::incoming, Protocol::imap, "imap.c", 993, Security::tls)}, {}};
  auto chosen = choose({autoconfig, ispdb, srv});
  REQUIRE(chosen.incoming);
  CHECK(chosen.incoming->host == "imap.b");  // IMAP before POP3 within one source
  REQUIRE(chosen.outgoing);
  CHECK(chosen.outgoing->host == "smtp.a");
  REQUIRE(chosen.choices.size() == 2);
  CHECK(chosen.choices[0].subject == Subject::outgoing);
  CHECK(chosen.choices[0].source == "autoconfig");
  CHECK(chosen.choices[1].source == "ispdb");

  auto only_srv = choose({srv});
  CHECK(only_srv.incoming->host == "imap.c");
  CHECK_FALSE(only_srv.outgoing);
  CHECK_FALSE(choose({}).incoming);
}

TEST_CASE("SRV candidates follow RFC 6186 and RFC 8314", "[discover]") {
  SECTION("implicit TLS first, lowest priority first, '.' means not offered") {
    auto c = srv_candidate({answer("_imap._tcp", DnsEvidence::Status::ok, {{"starttls.example.test", 143, 0, 0}}),
                            answer("_imaps._tcp", DnsEvidence::Status::ok, {{"second.example.test.", 993, 20, 0}, {"first.example.test", 9993, 10, 0}}),
                            answer("_submissions._tcp", DnsEvidence::Status::ok, {{".", 0, 0, 0}}),
                            answer("_submission._tcp", DnsEvidence::Status::ok, {{"smtp.example.test", 587, 0, 1}})},
                           "example.test");
    REQUIRE(c);
    // Records come sorted from lookup_srv; srv_candidate trusts that order.
    REQUIRE(c->incoming.size() == 2);
    CHECK(c->incoming[0].host == "second.example.test");
    CHECK(c->incoming[0].security == Security::tls);
    CHECK(c->incoming[1].security == Security::starttls);
    REQUIRE(c->outgoing.size() == 1);
    CHECK(c->outgoing[0].host == "smtp.example.test");
    CHECK(c->outgoing[0].security == Security::starttls);
    CHECK_THAT(c->detail, Catch::Contains("_imaps._tcp.example.test"));
  }
  SECTION("nothing offered") {
    CHECK_FALSE(srv_candidate({answer("_imaps._tcp", DnsEvidence::Status::ok, {{".", 0, 0, 0}}),
                               answer("_imap._tcp", DnsEvidence::Status::not_found, {}),
                               answer("_pop3._tcp", DnsEvidence::Status::failed, {})},
                              "example.test"));
  }
}

TEST_CASE("RFC 6186 section 6: which discovered servers need the user's confirmation", "[discover][trust]") {
  const auto tls = ep(Subject::incoming, Protocol::imap, "mail.attacker.test", 993, Security::tls);
  const auto inside = ep(Subject::incoming, Protocol::imap, "imap.Example.test.", 993, Security::tls);
  const auto plain = ep(Subject::incoming, Protocol::imap, "imap.example.test", 143, Security::none);
  CHECK_FALSE(why_unconfirmed("srv", tls, "example.test").empty());
  CHECK_FALSE(why_unconfirmed("ispdb-mx", tls, "example.test").empty());
  CHECK(why_unconfirmed("srv", inside, "example.test").empty());
  CHECK(why_unconfirmed("provider", tls, "example.test").empty());
  CHECK(why_unconfirmed("autoconfig", tls, "example.test").empty());
  for (const char* source : {"provider", "autoconfig", "well-known", "ispdb", "ispdb-mx", "srv"})
    CHECK_FALSE(why_unconfirmed(source, plain, "example.test").empty());
  CHECK(within_domain("example.test", "example.test"));
  CHECK_FALSE(within_domain("badexample.test", "example.test"));
  CHECK_FALSE(within_domain("example.test.attacker.test", "example.test"));
}

TEST_CASE("autoconfig redirects stay in the domain, on https, on a name", "[discover][trust]") {
  CHECK(redirect_refusal("autoconfig.example.com", "https://config.example.com/x").empty());
  CHECK(redirect_refusal("example.co.uk", "https://autoconfig.example.co.uk/x").empty());
  CHECK(redirect_refusal("autoconfig.example.com", "https://live.thunderbird.net/autoconfig/v1.1/example.com").empty());
  CHECK_FALSE(redirect_refusal("autoconfig.example.com", "https://attacker.test/x").empty());
  CHECK_FALSE(redirect_refusal("autoconfig.example.co.uk", "https://other.co.uk/x").empty());
  CHECK_FALSE(redirect_refusal("autoconfig.example.com", "http://config.example.com/x").empty());
  CHECK_FALSE(redirect_refusal("autoconfig.example.com", "https://192.0.2.1/x").empty());
  CHECK_FALSE(redirect_refusal("autoconfig.example.com", "https://[2001:db8::1]/x").empty());
}

TEST_CASE("registrable domain of an MX host", "[discover]") {
  CHECK(registrable_domain("aspmx.l.google.com") == "google.com");
  CHECK(registrable_domain("example-com.mail.protection.outlook.com.") == "outlook.com");
  CHECK(registrable_domain("mx1.mail.example.co.uk") == "example.co.uk");
  CHECK(registrable_domain("mx.example.de") == "example.de");
  CHECK(registrable_domain("example.org") == "example.org");
}

TEST_CASE("discover finds servers through SRV records and MX from a real dnsmasq", "[discover][dnsmasq]") {
  // tests/setup installs dnsmasq: a missing one is a broken set-up, not a reason to pass.
  REQUIRE(test::Dnsmasq::available());
  test::Dnsmasq dnsmasq({
      "host-record=mail.example.test,127.0.0.2",
      "mx-host=example.test,mx.example.test,10",
      "srv-host=_imaps._tcp.example.test,mail.example.test,10993,0,1",
      "srv-host=_submission._tcp.example.test,mail.example.test,10587,0,1",
      "srv-host=_pop3s._tcp.example.test",
      "srv-host=_imaps._tcp.nothing.test",
      "srv-host=_imaps._tcp.spoofed.test,mail.attacker.test,993,0,1",
      "srv-host=_submissions._tcp.spoofed.test,smtp.spoofed.test,465,0,1",
  });
  REQUIRE(dnsmasq.running());

  SECTION("address only") {
    Request request;
    request.account.email = "bob@example.test";
    request.account.password = Secret("canary-pw");
    request.options.dns_servers = dnsmasq.servers();
    std::vector<Check> checks;
    DiscoverHooks hooks;
    hooks.on_check = [&](const Check& c) { checks.push_back(c); };
    const auto start = std::chrono::steady_clock::now();
    auto ev = discover(request, start + std::chrono::seconds(4), hooks);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(ev.ran);
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->protocol == Protocol::imap);
    CHECK(request.account.incoming->host == "mail.example.test");
    CHECK(request.account.incoming->port == 10993);
    CHECK(request.account.incoming->security == Security::tls);
    CHECK(request.account.incoming->username == "bob@example.test");
    CHECK(request.account.incoming->password.reveal() == "canary-pw");
    REQUIRE(request.account.outgoing);
    CHECK(request.account.outgoing->port == 10587);
    CHECK(request.account.outgoing->security == Security::starttls);
    CHECK(ev.mx_hosts == std::vector<std::string>{"mx.example.test"});
    REQUIRE(ev.chosen.size() == 2);
    CHECK(ev.chosen[0].source == "srv");
    CHECK(ev.autoconfig_url.empty());
    // the "." record is kept as evidence
    CHECK(std::any_of(ev.srv.begin(), ev.srv.end(), [](const auto& s) { return s.service == "_pop3s._tcp.example.test" && s.target == "."; }));
    CHECK(std::any_of(checks.begin(), checks.end(), [](const Check& c) { return c.step == "discover" && c.target == "MX example.test"; }));
    auto j = to_json(ev);
    CHECK(j["chosen"].size() == 2);
    CHECK(j.dump().find("canary-pw") == std::string::npos);
  }
  SECTION("a configured endpoint is kept, only the missing one is discovered") {
    Request request;
    request.account.email = "bob@example.test";
    request.account.username = "bob";
    request.account.incoming = ep(Subject::incoming, Protocol::pop3, "pop.other.test", 995, Security::tls);
    request.options.dns_servers = dnsmasq.servers();
    discover(request, std::chrono::steady_clock::now() + std::chrono::seconds(4));
    CHECK(request.account.incoming->host == "pop.other.test");
    REQUIRE(request.account.outgoing);
    CHECK(request.account.outgoing->username == "bob");
  }
  SECTION("provider knowledge comes first") {
    Request request;
    request.account.email = "bob@example.test";
    request.options.dns_servers = dnsmasq.servers();
    DiscoverHooks hooks;
    hooks.known_settings = [](const std::string& domain, const std::string&) -> std::optional<KnownSettings> {
      if (domain != "example.test") return std::nullopt;
      return KnownSettings{"provider example", {ep(Subject::incoming, Protocol::imap, "imap.known.test", 993, Security::tls)}, {}};
    };
    auto ev = discover(request, std::chrono::steady_clock::now() + std::chrono::seconds(4), hooks);
    CHECK(request.account.incoming->host == "imap.known.test");
    CHECK(request.account.outgoing->host == "mail.example.test");
    REQUIRE(ev.chosen.size() == 2);
    CHECK(ev.chosen[0].source == "provider");
    CHECK(ev.chosen[1].source == "srv");
  }
  SECTION("an SRV target outside the domain gets no password unless the user confirms it") {
    Request request;
    request.account.email = "bob@spoofed.test";
    request.account.password = Secret("canary-pw");
    request.options.dns_servers = dnsmasq.servers();
    auto ev = discover(request, std::chrono::steady_clock::now() + std::chrono::seconds(4));
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "mail.attacker.test");
    CHECK(request.account.incoming->password.empty());
    REQUIRE(ev.unconfirmed.size() == 1);
    CHECK(ev.unconfirmed[0].endpoint.host == "mail.attacker.test");
    CHECK(ev.unconfirmed[0].source == "srv");
    CHECK_FALSE(ev.unconfirmed[0].confirmed);
    CHECK(ev.unconfirmed[0].reason.find("outside spoofed.test") != std::string::npos);
    CHECK(candidates_json(ev)[0]["host"] == "mail.attacker.test");
    // A target inside the domain is trusted as before.
    REQUIRE(request.account.outgoing);
    CHECK(request.account.outgoing->password.reveal() == "canary-pw");

    SECTION("confirmed by the user") {
      Request again;
      again.account.email = "bob@spoofed.test";
      again.account.password = Secret("canary-pw");
      again.options.dns_servers = dnsmasq.servers();
      DiscoverHooks hooks;
      hooks.confirm = [](const DiscoveryEvidence::Unconfirmed&) { return true; };
      auto ev2 = discover(again, std::chrono::steady_clock::now() + std::chrono::seconds(4), hooks);
      CHECK(again.account.incoming->password.reveal() == "canary-pw");
      CHECK(ev2.unconfirmed[0].confirmed);
    }
    SECTION("confirmed in advance (--trust-discovered)") {
      Request again;
      again.account.email = "bob@spoofed.test";
      again.account.password = Secret("canary-pw");
      again.options.dns_servers = dnsmasq.servers();
      again.options.trust_discovered = true;
      discover(again, std::chrono::steady_clock::now() + std::chrono::seconds(4));
      CHECK(again.account.incoming->password.reveal() == "canary-pw");
    }
  }
  SECTION("nothing offered") {
    Request request;
    request.account.email = "bob@nothing.test";
    request.options.dns_servers = dnsmasq.servers();
    auto ev = discover(request, std::chrono::steady_clock::now() + std::chrono::seconds(4));
    CHECK_FALSE(request.account.incoming);
    CHECK_FALSE(request.account.outgoing);
    CHECK(ev.chosen.empty());
    CHECK_FALSE(ev.notes.empty());
  }
}

TEST_CASE("discover ends by its deadline when DNS never answers", "[discover]") {
  test::FakeDnsServer silent(-1);
  Request request;
  request.account.email = "bob@example.test";
  request.options.dns_servers = silent.servers();
  const auto start = std::chrono::steady_clock::now();
  auto ev = discover(request, start + std::chrono::milliseconds(800));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500));
  CHECK_FALSE(request.account.incoming);
  CHECK(ev.ran);
}

TEST_CASE("discover refuses an address without a usable domain", "[discover]") {
  Request request;
  request.account.email = "bob@bad domain";
  auto ev = discover(request, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  CHECK_FALSE(request.account.incoming);
  REQUIRE(ev.notes.size() == 1);
}

namespace {

// The HTTPS side of discovery against a local server with a certificate made here; names reach it through
// dnsmasq and --connect-to, exactly as in a real diagnosis.
class AutoconfigServer {
 public:
  AutoconfigServer() {
    char dir_template[] = "/tmp/maildoctor-autoconfig-XXXXXX";
    dir_ = mkdtemp(dir_template);
    const std::string make_cert =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=maildoctor-test"
        " -addext subjectAltName=DNS:autoconfig.example.test,DNS:autoconfig.redirect.test,DNS:autoconfig.huge.test,"
        "DNS:settings.redirect.test,DNS:autoconfig.away.test,DNS:autoconfig.literal.test,DNS:autoconfig.plain.test,IP:127.0.0.1"
        " -keyout " + dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
    if (std::system(make_cert.c_str()) != 0) return;
    const std::string cmd = "exec /usr/bin/python3 " MAILDOCTOR_SOURCE_DIR "/tests/unit/data/autoconfig_server.py " + dir_ +
                            "/cert.pem " + dir_ + "/key.pem & echo $!";
    pipe_ = popen(cmd.c_str(), "r");
    char line[64] = {};
    if (pipe_ && fgets(line, sizeof line, pipe_)) pid_ = std::atoi(line);
    if (pipe_ && fgets(line, sizeof line, pipe_)) port_ = static_cast<std::uint16_t>(std::atoi(line));
  }
  ~AutoconfigServer() {
    if (pid_ > 0) kill(pid_, SIGTERM);
    if (pipe_) pclose(pipe_);
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  AutoconfigServer(const AutoconfigServer&) = delete;
  AutoconfigServer& operator=(const AutoconfigServer&) = delete;

  [[nodiscard]] bool running() const { return port_ != 0; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string cacert() const { return dir_ + "/cert.pem"; }

 private:
  std::string dir_;
  FILE* pipe_ = nullptr;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("discover reads autoconfig over HTTPS through the resolver, --connect-to and --cacert", "[discover][https][dnsmasq]") {
  REQUIRE(test::Dnsmasq::available());
  REQUIRE(access("/usr/bin/python3", X_OK) == 0);
  AutoconfigServer https;
  REQUIRE(https.running());
  test::Dnsmasq dnsmasq({
      "host-record=autoconfig.example.test,127.0.0.1",
      "host-record=autoconfig.redirect.test,127.0.0.1",
      "host-record=autoconfig.huge.test,127.0.0.1",
      "host-record=settings.redirect.test,127.0.0.1",
      "host-record=autoconfig.away.test,127.0.0.1",
      "host-record=autoconfig.literal.test,127.0.0.1",
      "host-record=autoconfig.plain.test,127.0.0.1",
      "srv-host=_imaps._tcp.example.test,srv.example.test,993,0,1",
      "srv-host=_imaps._tcp.away.test,srv.away.test,993,0,1",
      "srv-host=_imaps._tcp.literal.test,srv.literal.test,993,0,1",
      "srv-host=_imaps._tcp.huge.test,srv.huge.test,993,0,1",
  });
  REQUIRE(dnsmasq.running());
  auto make_request = [&](const std::string& email) {
    Request r;
    r.account.email = email;
    r.options.dns_servers = dnsmasq.servers();
    r.options.connect_to.push_back(ConnectTo{"", 443, "", https.port()});
    r.options.cacert = https.cacert();
    return r;
  };
  const auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(5); };

  SECTION("the domain's own autoconfig wins over SRV") {
    auto request = make_request("bob@example.test");
    auto ev = discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "imap.example.test");
    CHECK(request.account.incoming->port == 1993);
    CHECK(request.account.incoming->username == "bob");
    REQUIRE(request.account.outgoing);
    CHECK(request.account.outgoing->security == Security::starttls);
    CHECK(request.account.outgoing->username == "bob@example.test");
    REQUIRE(ev.chosen.size() == 2);
    CHECK(ev.chosen[0].source == "autoconfig");
    CHECK_THAT(ev.autoconfig_url, Catch::StartsWith("https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=bob%40example.test"));
  }
  SECTION("an untrusted certificate is not believed: SRV is used instead") {
    auto request = make_request("bob@example.test");
    request.options.cacert.clear();
    auto ev = discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "srv.example.test");
    CHECK(std::any_of(ev.notes.begin(), ev.notes.end(), [](const std::string& n) { return n.find("autoconfig.example.test") != std::string::npos; }));
  }
  SECTION("redirects within the domain are followed through the same resolver") {
    auto request = make_request("bob@redirect.test");
    // The address decides the placeholders, not the document's location.
    auto ev = discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "imap.redirect.test");
    CHECK_THAT(ev.autoconfig_url, Catch::StartsWith("https://settings.redirect.test/"));
  }
  SECTION("a redirect to another domain is refused") {
    auto request = make_request("bob@away.test");
    auto ev = discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "srv.away.test");
    CHECK(ev.autoconfig_url.empty());
    CHECK(std::any_of(ev.notes.begin(), ev.notes.end(), [](const std::string& n) { return n.find("leaves away.test") != std::string::npos; }));
  }
  SECTION("a redirect to an IP address is refused") {
    auto request = make_request("bob@literal.test");
    auto ev = discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "srv.literal.test");
    CHECK(std::any_of(ev.notes.begin(), ev.notes.end(), [](const std::string& n) { return n.find("IP address") != std::string::npos; }));
  }
  SECTION("a proxy from the environment is not used") {
    // Nothing listens on port 9: through that proxy every fetch would fail.
    setenv("https_proxy", "http://127.0.0.1:9", 1);
    setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
    auto request = make_request("bob@example.test");
    auto ev = discover(request, deadline());
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "imap.example.test");
    CHECK(ev.chosen[0].source == "autoconfig");
  }
  SECTION("a host on Thunderbird's proxy bypass list is fetched directly; the others only through the proxy") {
    // Nothing listens on port 9: a fetch through that SOCKS proxy fails, one that bypasses it succeeds.
    auto request = make_request("bob@example.test");
    request.options.proxy = Proxy{Proxy::Type::socks5, "127.0.0.1", 9, false, {".example.test"}};
    discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "imap.example.test");

    // An environment NO_PROXY must not send around the proxy what the bypass list does not name.
    setenv("NO_PROXY", "*", 1);
    setenv("no_proxy", "*", 1);
    auto proxied = make_request("bob@example.test");
    proxied.options.proxy = Proxy{Proxy::Type::socks5, "127.0.0.1", 9, false, {"other.test"}};
    auto ev = discover(proxied, deadline());
    unsetenv("NO_PROXY");
    unsetenv("no_proxy");
    CHECK(ev.autoconfig_url.empty());
    REQUIRE(proxied.account.incoming);
    CHECK(proxied.account.incoming->host != "imap.example.test");
  }
  SECTION("a plain-text setting gets no password without confirmation, whatever its source") {
    auto request = make_request("bob@plain.test");
    request.account.password = Secret("canary-pw");
    std::vector<std::string> asked;
    DiscoverHooks hooks;
    hooks.confirm = [&](const DiscoveryEvidence::Unconfirmed& u) {
      asked.push_back(u.endpoint.host);
      return false;
    };
    auto ev = discover(request, deadline(), hooks);
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->security == Security::none);
    CHECK(request.account.incoming->password.empty());
    CHECK(asked == std::vector<std::string>{"imap.plain.test"});
    REQUIRE(ev.unconfirmed.size() == 1);
    CHECK(ev.unconfirmed[0].source == "autoconfig");
    CHECK_FALSE(ev.unconfirmed[0].confirmed);
    // The encrypted outgoing server from the same document is trusted.
    REQUIRE(request.account.outgoing);
    CHECK(request.account.outgoing->password.reveal() == "canary-pw");
    // The domain's document over verified https vouches for its hosts.
    CHECK(std::any_of(ev.confirmed_hosts.begin(), ev.confirmed_hosts.end(), [](const auto& h) { return h.first == "smtp.plain.test"; }));
  }
  SECTION("each fetch takes a --per-server slot for the server it connects to, and gives it back") {
    auto request = make_request("bob@example.test");
    CountingGate gate(true);
    DiscoverHooks hooks;
    hooks.connection_gate = &gate;
    auto ev = discover(request, deadline(), hooks);
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "imap.example.test");
    // The slot is for the server connected to: the document's host, on the port --connect-to maps 443 to.
    CHECK(std::count(gate.asked.begin(), gate.asked.end(), "autoconfig.example.test:" + std::to_string(https.port())) == 1);
    CHECK(gate.held == 0);
  }
  SECTION("a fetch that gets no slot before the deadline does not connect") {
    auto request = make_request("bob@example.test");
    CountingGate gate(false);
    DiscoverHooks hooks;
    hooks.connection_gate = &gate;
    auto ev = discover(request, deadline(), hooks);
    CHECK_FALSE(gate.asked.empty());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "srv.example.test");  // SRV, since no document could be read
    CHECK(ev.autoconfig_url.empty());
    CHECK(std::any_of(ev.notes.begin(), ev.notes.end(), [](const std::string& n) { return n.find("no free connection") != std::string::npos; }));
  }
  SECTION("an oversized answer is refused") {
    auto request = make_request("bob@huge.test");
    auto ev = discover(request, deadline());
    REQUIRE(request.account.incoming);
    CHECK(request.account.incoming->host == "srv.huge.test");
    CHECK(std::any_of(ev.notes.begin(), ev.notes.end(), [](const std::string& n) { return n.find("larger than 256 KiB") != std::string::npos; }));
  }
}

TEST_CASE("the provider knowledge base is discovery's first source", "[discover]") {
  // DNS goes to a server that never answers, so nothing but the embedded knowledge can supply the settings.
  test::FakeDnsServer silent(-1);
  Request request;
  request.account.email = "someone@gmail.com";
  request.options.dns_servers = silent.servers();
  auto ev = discover(request, std::chrono::steady_clock::now() + std::chrono::milliseconds(600));
  REQUIRE(request.account.incoming);
  CHECK(request.account.incoming->host == "imap.gmail.com");
  REQUIRE(request.account.outgoing);
  CHECK(request.account.outgoing->host == "smtp.gmail.com");
  REQUIRE_FALSE(ev.chosen.empty());
  CHECK(ev.chosen[0].source == "provider");
}

#include <catch2/catch.hpp>

#include <future>

#include "dns_support.hpp"
#include "maildoctor/dns.hpp"

using namespace maildoctor;
using Clock = std::chrono::steady_clock;

namespace {

dns::Deadline in_ms(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

const std::vector<std::string> kZone = {
    "host-record=mail.example.test,127.0.0.2,::2",
    "host-record=v4only.example.test,127.0.0.3",
    "mx-host=example.test,mail.example.test,10",
    "mx-host=example.test,backup.example.test,5",
    "srv-host=_imaps._tcp.example.test,mail.example.test,993,0,1",
    "srv-host=_submission._tcp.example.test,second.example.test,2587,20,1",
    "srv-host=_submission._tcp.example.test,first.example.test,1587,10,1",
    "srv-host=_pop3s._tcp.nopop.example.test",
};

}  // namespace

TEST_CASE("resolve_host returns IP literals without a lookup", "[dns]") {
  // No server at all: a lookup would fail, so success proves no query was made.
  dns::Resolver r{"127.0.0.1:1"};
  auto v4 = dns::resolve_host(r, "127.0.0.2", in_ms(500));
  CHECK(v4.status == DnsEvidence::Status::ok);
  CHECK(v4.addresses == std::vector<std::string>{"127.0.0.2"});
  auto v6 = dns::resolve_host(r, "[::1]", in_ms(500));
  CHECK(v6.status == DnsEvidence::Status::ok);
  CHECK(v6.addresses == std::vector<std::string>{"::1"});
}

TEST_CASE("check_servers accepts curl's --dns-servers form and refuses garbage", "[dns]") {
  CHECK(dns::check_servers("127.0.0.1:5353").empty());
  CHECK(dns::check_servers("127.0.0.1,[::1]:53").empty());
  CHECK_FALSE(dns::check_servers("not an address").empty());
  CHECK_FALSE(dns::check_servers("").empty());
}

TEST_CASE("lookups against a real dnsmasq", "[dns][dnsmasq]") {
  // tests/setup installs dnsmasq: a missing one is a broken set-up, not a reason to pass.
  REQUIRE(test::Dnsmasq::available());
  test::Dnsmasq server(kZone);
  REQUIRE(server.running());
  dns::Resolver r{server.servers()};

  SECTION("A and AAAA") {
    auto ev = dns::resolve_host(r, "mail.example.test", in_ms(3000));
    REQUIRE(ev.status == DnsEvidence::Status::ok);
    CHECK(std::find(ev.addresses.begin(), ev.addresses.end(), "127.0.0.2") != ev.addresses.end());
    CHECK(std::find(ev.addresses.begin(), ev.addresses.end(), "::2") != ev.addresses.end());
    CHECK(ev.error.empty());
    auto v4 = dns::resolve_host(r, "v4only.example.test", in_ms(3000));
    REQUIRE(v4.status == DnsEvidence::Status::ok);
    CHECK(v4.addresses == std::vector<std::string>{"127.0.0.3"});
  }
  SECTION("NXDOMAIN is not_found") {
    auto ev = dns::resolve_host(r, "nosuchhost.example.test", in_ms(3000));
    CHECK(ev.status == DnsEvidence::Status::not_found);
    CHECK(ev.addresses.empty());
    CHECK_THAT(ev.error, Catch::Contains("does not exist"));
  }
  SECTION("MX sorted by preference") {
    auto mx = dns::lookup_mx(r, "example.test", in_ms(3000));
    REQUIRE(mx.status == DnsEvidence::Status::ok);
    REQUIRE(mx.records.size() == 2);
    CHECK(mx.records[0].host == "backup.example.test");
    CHECK(mx.records[0].preference == 5);
    CHECK(mx.records[1].host == "mail.example.test");
  }
  SECTION("no MX is not_found") {
    auto mx = dns::lookup_mx(r, "nothing.example.test", in_ms(3000));
    CHECK(mx.status == DnsEvidence::Status::not_found);
    CHECK(mx.records.empty());
  }
  SECTION("SRV sorted by priority with target and port") {
    auto srv = dns::lookup_srv(r, "_submission._tcp.example.test", in_ms(3000));
    REQUIRE(srv.status == DnsEvidence::Status::ok);
    REQUIRE(srv.records.size() == 2);
    CHECK(srv.records[0].target == "first.example.test");
    CHECK(srv.records[0].port == 1587);
    CHECK(srv.records[0].priority == 10);
    CHECK(srv.records[1].target == "second.example.test");
  }
  SECTION("SRV with no target means not offered") {
    auto srv = dns::lookup_srv(r, "_pop3s._tcp.nopop.example.test", in_ms(3000));
    REQUIRE(srv.status == DnsEvidence::Status::ok);
    REQUIRE(srv.records.size() == 1);
    CHECK(srv.records[0].target == ".");
  }
  SECTION("missing SRV is not_found") {
    auto srv = dns::lookup_srv(r, "_pop3._tcp.example.test", in_ms(3000));
    CHECK(srv.status == DnsEvidence::Status::not_found);
  }
  SECTION("many threads at once") {
    std::vector<std::future<DnsEvidence>> all;
    for (int i = 0; i < 16; ++i)
      all.push_back(std::async(std::launch::async, [&] { return dns::resolve_host(r, "mail.example.test", in_ms(3000)); }));
    for (auto& f : all) CHECK(f.get().status == DnsEvidence::Status::ok);
  }
}

TEST_CASE("SERVFAIL and REFUSED are failed, not not_found", "[dns]") {
  for (int rcode : {2, 5}) {
    test::FakeDnsServer server(rcode);
    dns::Resolver r{server.servers()};
    auto ev = dns::resolve_host(r, "mail.example.test", in_ms(3000));
    CHECK(ev.status == DnsEvidence::Status::failed);
    CHECK_FALSE(ev.error.empty());
    auto mx = dns::lookup_mx(r, "example.test", in_ms(3000));
    CHECK(mx.status == DnsEvidence::Status::failed);
    auto srv = dns::lookup_srv(r, "_imaps._tcp.example.test", in_ms(3000));
    CHECK(srv.status == DnsEvidence::Status::failed);
    CHECK(server.queries() > 0);
  }
}

TEST_CASE("a DNS server that never answers fails by the deadline", "[dns]") {
  test::FakeDnsServer server(-1);
  dns::Resolver r{server.servers()};
  const auto start = Clock::now();
  auto ev = dns::resolve_host(r, "mail.example.test", in_ms(700));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  CHECK(ev.status == DnsEvidence::Status::failed);
  CHECK(took < 1000);
  CHECK(ev.ms >= 600);
  CHECK(server.queries() > 0);

  const auto start2 = Clock::now();
  auto srv = dns::lookup_srv(r, "_imaps._tcp.example.test", in_ms(400));
  CHECK(srv.status == DnsEvidence::Status::failed);
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start2).count() < 700);
}

TEST_CASE("a deadline already passed fails at once", "[dns]") {
  test::FakeDnsServer server(-1);
  dns::Resolver r{server.servers()};
  auto ev = dns::resolve_host(r, "mail.example.test", Clock::now());
  CHECK(ev.status == DnsEvidence::Status::failed);
}

TEST_CASE("a nameserver that refuses connections is failed", "[dns]") {
  // Nothing listens on this port: ICMP port unreachable turns into a connection error.
  dns::Resolver r{"127.0.0.1:" + std::to_string(test::free_udp_port())};
  auto ev = dns::resolve_host(r, "mail.example.test", in_ms(2000));
  CHECK(ev.status == DnsEvidence::Status::failed);
}

// Thunderbird's proxy bypass list (network.proxy.no_proxies_on): the request field, the --no-proxy flag, and the
// per-connection decision by Thunderbird's rules (nsProtocolProxyService), where they differ from curl's NOPROXY.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/command_line.hpp"
#include "maildoctor/request.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {

Proxy with(std::vector<std::string> list) {
  Proxy p;
  p.host = "127.0.0.1";
  p.port = 1080;
  p.no_proxy = std::move(list);
  return p;
}

bool direct(std::vector<std::string> list, const char* host, std::uint16_t port = 993) {
  return bypasses_proxy(with(std::move(list)), host, port);
}

json request_with(const json& no_proxy) {
  json j = json::parse(R"({"account": {"incoming": {"protocol": "imap", "host": "imap.example.test", "port": 993,
      "security": "tls"}}, "proxy": {"type": "socks5", "host": "127.0.0.1", "port": 1080}})");
  j["proxy"]["no_proxy"] = no_proxy;
  return j;
}

std::string refusal(const json& j) {
  auto p = parse_request(j);
  if (p.request) return "";
  return p.error ? p.error->field + ": " + p.error->message : "?";
}

}  // namespace

TEST_CASE("a host name entry takes the name and the names below it, never a longer name ending alike", "[proxy][bypass]") {
  CHECK(direct({"example.com"}, "example.com"));
  CHECK(direct({"example.com"}, "imap.example.com"));
  CHECK(direct({"EXAMPLE.com"}, "Imap.Example.COM"));
  CHECK_FALSE(direct({"example.com"}, "myexample.com"));
  CHECK_FALSE(direct({"example.com"}, "example.com.evil.test"));
  CHECK_FALSE(direct({"imap.example.com"}, "example.com"));
  CHECK_FALSE(direct({}, "example.com"));
}

TEST_CASE("a leading dot or *. takes only the names below the domain (curl's NOPROXY would also take the domain)", "[proxy][bypass]") {
  CHECK(direct({".example.com"}, "imap.example.com"));
  CHECK_FALSE(direct({".example.com"}, "example.com"));
  CHECK(direct({"*.example.com"}, "a.b.example.com"));
  CHECK_FALSE(direct({"*.example.com"}, "example.com"));
  CHECK_FALSE(direct({"*"}, "example.com"));  // Thunderbird has no "everything" entry; "*" is an empty domain
}

TEST_CASE("address entries and CIDR match address literals only; Thunderbird does not resolve to compare", "[proxy][bypass]") {
  CHECK(direct({"127.0.0.1"}, "127.0.0.1"));
  CHECK_FALSE(direct({"127.0.0.1"}, "127.0.0.2"));
  CHECK(direct({"192.168.0.0/16"}, "192.168.44.3"));
  CHECK_FALSE(direct({"192.168.0.0/16"}, "192.169.0.1"));
  CHECK(direct({"10.1.2.3/8"}, "10.200.0.1"));  // host bits in the entry are masked away
  CHECK_FALSE(direct({"10.0.0.0/0"}, "10.0.0.1"));  // a zero mask is dropped as a mistake, as Thunderbird does
  CHECK_FALSE(direct({"127.0.0.1"}, "localhost"));
  CHECK_FALSE(direct({"127.0.0.0/8"}, "mail.example.com"));
  CHECK(direct({"::1"}, "::1"));
  CHECK(direct({"[::1]"}, "[::1]"));
  CHECK(direct({"fd00::/8"}, "fd12:3456::1"));
  CHECK_FALSE(direct({"fd00::/8"}, "fe80::1"));
  CHECK(direct({"::ffff:10.0.0.0/104"}, "10.9.9.9"));  // IPv4 compares as IPv4-mapped IPv6
  CHECK_FALSE(direct({"1.2.3.4"}, "x1.2.3.4"));
}

TEST_CASE("<local> takes plain names without a dot, never an address", "[proxy][bypass]") {
  CHECK(direct({"<local>"}, "mailhost"));
  CHECK(direct({"<LOCAL>"}, "mailhost"));
  CHECK_FALSE(direct({"<local>"}, "mail.example.com"));
  CHECK_FALSE(direct({"<local>"}, "::1"));
  CHECK_FALSE(direct({"<local>"}, "127.0.0.1"));
}

TEST_CASE("an entry with a port takes only that port", "[proxy][bypass]") {
  CHECK(direct({"example.com:993"}, "imap.example.com", 993));
  CHECK_FALSE(direct({"example.com:993"}, "imap.example.com", 143));
  CHECK(direct({"[::1]:25"}, "::1", 25));
  CHECK_FALSE(direct({"[::1]:25"}, "::1", 587));
  CHECK(direct({"10.0.0.0/8:587"}, "10.1.1.1", 587));
  CHECK_FALSE(direct({"10.0.0.0/8:587"}, "10.1.1.1", 465));
}

TEST_CASE("proxy_for drops the proxy for a bypassed host and keeps it otherwise", "[proxy][bypass]") {
  const std::optional<Proxy> p = with({"internal.test", "<local>"});
  CHECK_FALSE(proxy_for(p, "imap.internal.test", 993));
  REQUIRE(proxy_for(p, "imap.example.test", 993));
  CHECK(proxy_for(p, "imap.example.test", 993)->host == "127.0.0.1");
  CHECK_FALSE(proxy_for(std::nullopt, "imap.example.test", 993));
}

TEST_CASE("the request's proxy.no_proxy is read and bounded", "[request][proxy]") {
  auto p = parse_request(request_with(json::array({".example.com", "192.168.0.0/16", "<local>"})));
  REQUIRE(p.request);
  REQUIRE(p.request->options.proxy);
  CHECK(p.request->options.proxy->no_proxy == std::vector<std::string>{".example.com", "192.168.0.0/16", "<local>"});
  CHECK(parse_request(request_with(json::array())).request->options.proxy->no_proxy.empty());

  CHECK_THAT(refusal(request_with("a.test,b.test")), Catch::StartsWith("proxy.no_proxy"));
  CHECK_THAT(refusal(request_with(json::array({1}))), Catch::StartsWith("proxy.no_proxy"));
  CHECK_THAT(refusal(request_with(json::array({""}))), Catch::StartsWith("proxy.no_proxy"));
  CHECK_THAT(refusal(request_with(json::array({"a\nb"}))), Catch::StartsWith("proxy.no_proxy"));
  CHECK_THAT(refusal(request_with(json::array({"a b"}))), Catch::StartsWith("proxy.no_proxy"));
  CHECK_THAT(refusal(request_with(json::array({std::string(256, 'a')}))), Catch::StartsWith("proxy.no_proxy"));
  CHECK(refusal(request_with(json::array({std::string(255, 'a')}))).empty());
  CHECK_THAT(refusal(request_with(json(std::vector<std::string>(257, "a.test")))), Catch::StartsWith("proxy.no_proxy"));
  CHECK(refusal(request_with(json(std::vector<std::string>(256, "a.test")))).empty());
}

TEST_CASE("the flag --no-proxy takes Thunderbird's list form and needs --proxy", "[cli][proxy]") {
  using cli::parse_command_line;
  std::string why;
  auto list = parse_no_proxy_list(" .example.com, 10.0.0.0/8  <local>,,", why);
  REQUIRE(list);
  CHECK(*list == std::vector<std::string>{".example.com", "10.0.0.0/8", "<local>"});
  CHECK_FALSE(parse_no_proxy_list("a.test,b\x01.test", why));

  auto ok = parse_command_line({"diagnose", "--email", "b@e.test", "--imap", "i.e.test", "--proxy", "socks5h://127.0.0.1:1080",
                                "--no-proxy", "e.test"});
  CHECK_FALSE(ok.error);
  auto alone = parse_command_line({"diagnose", "--email", "b@e.test", "--imap", "i.e.test", "--no-proxy", "e.test"});
  REQUIRE(alone.error);
  CHECK_THAT(alone.error->message, Catch::Contains("--proxy"));
  auto bad = parse_command_line({"diagnose", "--email", "b@e.test", "--proxy", "socks5h://127.0.0.1:1080", "--no-proxy", "a\x7f"});
  REQUIRE(bad.error);
  CHECK_THAT(bad.error->message, Catch::StartsWith("--no-proxy"));
}

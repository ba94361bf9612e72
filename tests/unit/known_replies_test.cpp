// Every reply a provider file documents (`known_replies`) is tied to the finding code it must produce. The rule files
// are the one place the classifier reads; the provider files' samples are checked against them here, so that a rule
// change or a new sample that drifts apart fails CI instead of leaving the host blind to a documented reply.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "maildoctor/diagnosis.hpp"
#include "transcript/reply_parser.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {
bool digits3(const std::string& s) { return s.size() >= 3 && std::isdigit(static_cast<unsigned char>(s[0])) &&
                                            std::isdigit(static_cast<unsigned char>(s[1])) && std::isdigit(static_cast<unsigned char>(s[2])); }

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// The reply as the server sends it: the sample's full text when it has one, in the protocol's own line form.
std::string server_line(Protocol proto, const json& r) {
  std::string text = r.value("full_text", r.value("text", std::string()));
  switch (proto) {
    case Protocol::imap:
      if (starts_with(text, "NO ") || starts_with(text, "BAD ") || starts_with(text, "BYE ")) return "A002 " + text;
      return "A002 NO " + text;
    case Protocol::pop3: return starts_with(text, "-ERR") ? text : "-ERR " + text;
    case Protocol::smtp: {
      if (digits3(text)) return text;
      const std::string code = r.value("code", std::string(r.value("stage", "auth") == "sender" ? "550" : "535"));
      const std::string enhanced = r.value("enhanced", std::string());
      return code + " " + (enhanced.empty() || starts_with(text, enhanced) ? "" : enhanced + " ") + text;
    }
  }
  return text;
}

Protocol protocol_of(const std::string& s) { return s == "smtp" ? Protocol::smtp : s == "pop3" ? Protocol::pop3 : Protocol::imap; }

// The provider's published server for that protocol (so host- and provider-bound rules see what a user would have).
std::pair<std::string, std::uint16_t> server_of(const json& provider, const std::string& protocol) {
  for (const char* side : {"incoming", "outgoing"})
    for (const auto& s : provider.value(side, json::array()))
      if (s.value("protocol", "") == protocol) return {s.value("host", ""), static_cast<std::uint16_t>(s.value("port", 0))};
  return {"mail.example.test", static_cast<std::uint16_t>(protocol == "smtp" ? 465 : protocol == "pop3" ? 995 : 993)};
}

ProbeResult probe_for(const json& provider, const json& r, const std::string& email) {
  const std::string protocol = r.value("protocol", "imap");
  const Protocol proto = protocol_of(protocol);
  const std::string stage = r.value("stage", "auth");
  auto [host, port] = server_of(provider, protocol);
  if (r.contains("seen_on")) host = r["seen_on"].get<std::string>();  // a reply met under another host name (interception)
  ProbeResult p;
  p.endpoint.subject = proto == Protocol::smtp ? Subject::outgoing : Subject::incoming;
  p.endpoint.protocol = proto;
  p.endpoint.host = host;
  p.endpoint.port = port;
  p.endpoint.security = port == 993 || port == 995 || port == 465 ? Security::tls : Security::starttls;
  p.endpoint.username = email;
  p.with_credentials = true;
  p.dns.status = DnsEvidence::Status::ok;
  p.dns.addresses = {"127.0.0.2"};
  p.connect.status = ConnectEvidence::Status::ok;
  p.tls.status = TlsEvidence::Status::ok;
  p.tls.cert.present = true;
  p.tls.cert.verified = true;
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply = transcript::make_reply(proto, {proto == Protocol::smtp ? "220 " + host + " ESMTP" : proto == Protocol::pop3 ? "+OK ready" : "* OK ready"});
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"PLAIN", "LOGIN"};
  p.caps_before_tls = p.caps;
  p.login.mechanism = "PLAIN";
  const Reply reply = transcript::make_reply(proto, {server_line(proto, r)});
  if (stage == "greeting") {
    const std::string text = r.value("full_text", r.value("text", std::string()));
    p.greeting.reply = transcript::make_reply(proto, {proto != Protocol::smtp || digits3(text) ? text : "220 " + text});
    p.login.status = LoginEvidence::Status::refused;
    p.login.reply = transcript::make_reply(proto, {proto == Protocol::smtp ? "535 5.7.8 Incorrect authentication data" : "A002 NO failed"});
  } else if (stage == "after_auth") {
    p.login.status = LoginEvidence::Status::ok;
    p.after_login.attempted = true;
    p.after_login.mailbox = reply;
  } else if (stage == "sender") {
    p.login.status = LoginEvidence::Status::ok;
    p.after_login.attempted = true;
    p.after_login.mail_from = reply;
  } else {
    p.login.status = LoginEvidence::Status::refused;
    p.login.reply = reply;
  }
  return p;
}
}  // namespace

TEST_CASE("every known reply in the provider files produces the finding code it documents", "[kb][rules]") {
  const std::filesystem::path dir = std::filesystem::path(MAILDOCTOR_SOURCE_DIR) / "host" / "data" / "providers";
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const json provider = json::parse(in);
    // Providers without domains of their own (hosting, Microsoft 365) are recognised by their server host names.
    const auto& domains = provider.value("domains", json::array());
    const std::string email = "bob@" + (domains.empty() ? std::string("example.test") : domains[0].get<std::string>());
    for (const auto& r : provider.value("known_replies", json::array())) {
      Request req;
      req.account.email = email;
      Evidence e;
      e.primary.push_back(probe_for(provider, r, email));
      const Result result = classify(req, e);
      const auto error = std::find_if(result.findings.begin(), result.findings.end(), [](const Finding& f) {
        return f.severity == Severity::error || f.severity == Severity::warning;
      });
      INFO(provider["id"].get<std::string>() << " " << r.value("protocol", "") << ": " << server_line(protocol_of(r.value("protocol", "imap")), r));
      REQUIRE(error != result.findings.end());
      INFO("rule " << error->rule);
      CHECK(error->code == r.value("meaning", ""));
      ++checked;
    }
  }
  CHECK(checked >= 60);
}

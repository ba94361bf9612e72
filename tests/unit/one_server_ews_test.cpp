// Issue 14 items 5 and 6: a replacement for a configured server whose name does not resolve (only from trusted
// sources, only when proven), and the EWS URL of an Exchange account probed without credentials.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/discover.hpp"
#include "probe/ews_probe.hpp"

using namespace maildoctor;

namespace {

const Finding* find(const Result& r, const std::string& code) {
  for (const auto& f : r.findings)
    if (f.code == code) return &f;
  return nullptr;
}

ProbeResult reached(Subject subject, const std::string& host, std::uint16_t port) {
  ProbeResult p;
  p.endpoint.subject = subject;
  p.endpoint.protocol = subject == Subject::outgoing ? Protocol::smtp : Protocol::imap;
  p.endpoint.host = host;
  p.endpoint.port = port;
  p.endpoint.security = Security::starttls;
  p.dns.status = DnsEvidence::Status::ok;
  p.connect.status = ConnectEvidence::Status::ok;
  p.tls.status = TlsEvidence::Status::ok;
  p.tls.cert.present = true;
  p.tls.cert.verified = true;
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {"220 ready"};
  p.caps.known = true;
  p.login.status = LoginEvidence::Status::not_attempted;
  return p;
}

// An account whose outgoing host does not resolve, and (optionally) the replacement the domain's autoconfig named.
Evidence unresolvable_outgoing(Request& req, bool with_replacement, bool proven) {
  req.account.email = "bob@example.test";
  Endpoint out;
  out.subject = Subject::outgoing;
  out.protocol = Protocol::smtp;
  out.host = "smtp.gone.example.test";
  out.port = 587;
  out.security = Security::starttls;
  out.username = "bob@example.test";
  req.account.outgoing = out;
  Evidence e;
  ProbeResult broken;
  broken.endpoint = out;
  broken.dns.status = DnsEvidence::Status::not_found;
  broken.dns.error = "NXDOMAIN";
  e.primary.push_back(broken);
  if (with_replacement) {
    DiscoveryEvidence::Replacement r;
    r.subject = Subject::outgoing;
    r.source = "autoconfig";
    r.detail = "https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=bob%40example.test";
    r.endpoint = out;
    r.endpoint.host = "mail.example.test";
    r.endpoint.port = 465;
    r.endpoint.security = Security::tls;
    e.discovery.replacements.push_back(r);
    ProbeResult probe = reached(Subject::outgoing, "mail.example.test", 465);
    probe.endpoint.security = Security::tls;
    if (!proven) probe.connect.status = ConnectEvidence::Status::refused;
    e.replacements.push_back(probe);
    e.discovery.confirmed_hosts.emplace_back("mail.example.test", r.detail);
  }
  return e;
}

EwsEvidence ews_answer(std::vector<std::string> schemes) {
  EwsEvidence ev;
  ev.url = "https://mail.example.test/EWS/Exchange.asmx";
  ev.probe = reached(Subject::incoming, "mail.example.test", 443);
  ev.probe.endpoint.security = Security::tls;
  ev.outcome = EwsEvidence::Outcome::challenged;
  ev.http_status = 401;
  ev.schemes = std::move(schemes);
  return ev;
}

Result classify_ews(EwsEvidence ev, AuthMethod auth) {
  Request req;
  req.account.email = "bob@example.test";
  EwsServer s;
  s.url = ev.url;
  s.host = "mail.example.test";
  s.auth = auth;
  req.account.ews = s;
  ev.probe.endpoint.auth = auth;
  Evidence e;
  e.ews = std::move(ev);
  return classify(req, e);
}

}  // namespace

TEST_CASE("an unresolvable server gets the host fix of a proven replacement from the domain's own https autoconfig") {
  Request req;
  const Evidence e = unresolvable_outgoing(req, true, true);
  const Result r = classify(req, e);
  const Finding* f = find(r, "dns.not_found");
  REQUIRE(f);
  CHECK(f->params["replacement"]["proven"] == true);
  CHECK(f->params["replacement"]["source"] == "autoconfig");
  std::map<std::string, nlohmann::json> fixes;
  for (const auto& x : f->fixes)
    if (x.kind == "change_setting") fixes[x.setting] = x.value;
  CHECK(fixes.at("host") == "mail.example.test");
  CHECK(fixes.at("port") == 465);
  CHECK(fixes.at("security") == "tls");
  CHECK_FALSE(f->params.contains("withheld_fixes"));
}

TEST_CASE("a replacement that did not answer, or none, is no host fix") {
  for (const bool with : {true, false}) {
    Request req;
    const Evidence e = unresolvable_outgoing(req, with, false);
    const Result r = classify(req, e);
    const Finding* f = find(r, "dns.not_found");
    REQUIRE(f);
    for (const auto& x : f->fixes) CHECK(x.setting != "host");
    CHECK(f->params.contains("replacement") == with);
    if (with) CHECK(f->params["replacement"]["proven"] == false);
  }
}

TEST_CASE("a replacement host that no trusted source confirms is withheld by the fix guard") {
  Request req;
  Evidence e = unresolvable_outgoing(req, true, true);
  e.discovery.confirmed_hosts.clear();  // as if DNS alone had named it
  const Result r = classify(req, e);
  const Finding* f = find(r, "dns.not_found");
  REQUIRE(f);
  for (const auto& x : f->fixes) CHECK(x.setting != "host");
  REQUIRE(f->params.contains("withheld_fixes"));
  CHECK(f->params["withheld_fixes"][0]["setting"] == "host");
}

TEST_CASE("the discovery JSON lists replacements") {
  DiscoveryEvidence d;
  DiscoveryEvidence::Replacement r;
  r.subject = Subject::outgoing;
  r.source = "provider";
  r.detail = "provider gmail";
  r.endpoint.protocol = Protocol::smtp;
  r.endpoint.host = "smtp.gmail.com";
  r.endpoint.port = 465;
  d.replacements.push_back(r);
  const auto j = to_json(d);
  REQUIRE(j.is_object());
  CHECK(j["replacements"][0]["host"] == "smtp.gmail.com");
  CHECK(j["replacements"][0]["subject"] == "outgoing");
}

TEST_CASE("options.discover_missing is read, off by default") {
  nlohmann::json j{{"account", {{"email", "bob@example.test"}, {"incoming", {{"protocol", "imap"}, {"host", "mail.example.test"}}}}}};
  CHECK_FALSE(parse_request(j).request->options.discover_missing);
  j["options"] = {{"discover_missing", true}};
  CHECK(parse_request(j).request->options.discover_missing);
  j["options"] = {{"discover_missing", "yes"}};
  CHECK(parse_request(j).error);
}

TEST_CASE("an EWS incoming server is a URL: https only, no user name in it, never a password") {
  auto req = [](nlohmann::json incoming) {
    return parse_request(nlohmann::json{{"account", {{"email", "bob@example.test"}, {"incoming", incoming}}}});
  };
  auto ok = req({{"protocol", "ews"}, {"url", "https://mail.example.test:8443/EWS/Exchange.asmx"}, {"auth", "ntlm"}, {"password", "x"}});
  REQUIRE(ok.request);
  REQUIRE(ok.request->account.ews);
  CHECK_FALSE(ok.request->account.incoming);
  CHECK(ok.request->account.ews->host == "mail.example.test");
  CHECK(ok.request->account.ews->port == 8443);
  CHECK(ok.request->account.ews->auth == AuthMethod::ntlm);
  CHECK(ok.request->account.ews->username == "bob@example.test");
  CHECK(req({{"protocol", "ews"}, {"url", "https://mail.example.test/EWS/Exchange.asmx"}}).request->account.ews->port == 443);
  for (const char* bad : {"http://mail.example.test/EWS/Exchange.asmx", "https://bob:pw@mail.example.test/EWS", "not a url", ""}) {
    auto p = req({{"protocol", "ews"}, {"url", bad}});
    REQUIRE(p.error);
    CHECK(p.error->field == "account.incoming.url");
  }
  CHECK(req({{"protocol", "ews"}}).error->field == "account.incoming.url");
}

TEST_CASE("WWW-Authenticate values give their schemes, quoted commas and auth-params aside") {
  using probe::auth_schemes;
  CHECK(auth_schemes(" Negotiate") == std::vector<std::string>{"Negotiate"});
  CHECK(auth_schemes("basic realm=\"mail, example\"") == std::vector<std::string>{"Basic"});
  CHECK(auth_schemes("Bearer authorization_uri=\"https://login.example/x\", error=\"invalid_token\"") ==
        std::vector<std::string>{"Bearer"});
  CHECK(auth_schemes("NTLM, Basic realm=\"x\", Negotiate") == std::vector<std::string>{"NTLM", "Basic", "Negotiate"});
  CHECK(auth_schemes("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"") ==
        std::vector<std::string>{"Newauth", "Basic"});
  CHECK(auth_schemes("").empty());
  CHECK(auth_schemes("<script>alert(1)</script>").empty());
}

TEST_CASE("EWS: the schemes offered are reported; only Bearer with a password account means OAuth2 is needed") {
  const Result only_bearer = classify_ews(ews_answer({"Bearer"}), AuthMethod::password);
  const Finding* offered = find(only_bearer, "ews.auth_offered");
  REQUIRE(offered);
  CHECK(offered->severity == Severity::info);
  CHECK(offered->params["schemes"] == nlohmann::json::array({"Bearer"}));
  CHECK(offered->params["protocol"] == "ews");
  CHECK(offered->params["login_tested"] == false);
  const Finding* oauth = find(only_bearer, "auth.oauth_required");
  REQUIRE(oauth);
  CHECK(oauth->severity == Severity::error);
  CHECK(only_bearer.verdict == "problem");

  const Result fine = classify_ews(ews_answer({"Negotiate", "NTLM", "Basic"}), AuthMethod::password);
  CHECK(find(fine, "ews.auth_offered"));
  CHECK_FALSE(find(fine, "auth.oauth_required"));
  CHECK_FALSE(find(fine, "auth.mechanism_unsupported"));
  CHECK(fine.verdict == "inconclusive");  // nothing logged in: never "ok"

  const Result no_basic = classify_ews(ews_answer({"NTLM", "Negotiate"}), AuthMethod::password);
  const Finding* unsupported = find(no_basic, "auth.mechanism_unsupported");
  REQUIRE(unsupported);
  CHECK(unsupported->params["basic"] == false);
  CHECK(unsupported->params["ntlm"] == true);
  CHECK(classify_ews(ews_answer({"Bearer"}), AuthMethod::oauth2).verdict == "inconclusive");
}

TEST_CASE("EWS: certificate problems are the tls.* findings, without IMAP/SMTP settings fixes") {
  EwsEvidence ev = ews_answer({"Basic"});
  ev.probe.tls.cert.verified = false;
  ev.probe.tls.cert.expired = true;
  const Result r = classify_ews(ev, AuthMethod::password);
  const Finding* f = find(r, "tls.cert_expired");
  REQUIRE(f);
  CHECK(f->params["protocol"] == "ews");
  CHECK(f->params["url"] == "https://mail.example.test/EWS/Exchange.asmx");
  for (const auto& x : f->fixes) CHECK(x.kind != "change_setting");
  CHECK_FALSE(find(r, "ews.auth_offered"));
}

TEST_CASE("EWS: no answer, a bad answer, an answer without sign-in, and a name that does not resolve") {
  EwsEvidence silent = ews_answer({});
  silent.outcome = EwsEvidence::Outcome::no_answer;
  silent.error = "no complete HTTP answer before the deadline";
  CHECK(find(classify_ews(silent, AuthMethod::password), "ews.no_answer"));

  EwsEvidence huge = ews_answer({});
  huge.outcome = EwsEvidence::Outcome::bad_reply;
  CHECK(find(classify_ews(huge, AuthMethod::password), "ews.bad_reply"));

  EwsEvidence page = ews_answer({});
  page.outcome = EwsEvidence::Outcome::answered;
  page.http_status = 200;
  const Result r = classify_ews(page, AuthMethod::password);
  REQUIRE(find(r, "ews.no_sign_in"));
  CHECK(find(r, "ews.no_sign_in")->params["http_status"] == 200);

  EwsEvidence gone = ews_answer({});
  gone.probe.dns.status = DnsEvidence::Status::not_found;
  gone.outcome = EwsEvidence::Outcome::not_reached;
  const Result g = classify_ews(gone, AuthMethod::password);
  REQUIRE(find(g, "dns.not_found"));
  CHECK(find(g, "dns.not_found")->params["protocol"] == "ews");
  CHECK(g.findings.size() == 1);
}

TEST_CASE("a missing server is proposed from its trusted source, never as a setting to change") {
  for (const bool proven : {true, false}) {
    Request req;
    Evidence e = unresolvable_outgoing(req, true, proven);
    req.account.outgoing.reset();  // the account has no outgoing server at all
    e.primary.clear();
    const Result r = classify(req, e);
    const Finding* f = find(r, "config.server_missing");
    REQUIRE(f);
    CHECK(f->severity == Severity::warning);
    CHECK(f->subject == Subject::outgoing);
    CHECK(f->params["replacement"]["proven"] == proven);
    CHECK(f->params["replacement"]["host"] == "mail.example.test");
    for (const auto& x : f->fixes) CHECK(x.kind == "steps");
    CHECK(f->fixes.size() == (proven ? 1u : 0u));
    CHECK_FALSE(find(r, "dns.not_found"));
  }
}

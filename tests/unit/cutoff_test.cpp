#include <catch2/catch.hpp>

#include <ctime>
#include <functional>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "maildoctor/cutoffs.hpp"
#include "maildoctor/diagnosis.hpp"

using namespace maildoctor;
using nlohmann::json;

namespace {
// Noon of a local calendar day: the local clock decides before and after, and noon keeps clear of DST edges.
std::time_t local_noon(const std::string& iso, int plus_days = 0) {
  std::tm tm{};
  tm.tm_year = std::stoi(iso.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(iso.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(iso.substr(8, 2)) + plus_days;
  tm.tm_hour = 12;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

Endpoint endpoint(Subject s, Protocol p, const std::string& host, AuthMethod auth = AuthMethod::password) {
  Endpoint e;
  e.subject = s;
  e.protocol = p;
  e.host = host;
  e.port = p == Protocol::smtp ? 587 : p == Protocol::imap ? 993 : 995;
  e.security = p == Protocol::smtp ? Security::starttls : Security::tls;
  e.username = "bob";
  e.auth = auth;
  return e;
}

// The probe of a reachable server; `login` says how the login went (not_attempted: the quiet check).
ProbeResult probe(const Endpoint& e, LoginEvidence::Status login, std::vector<std::string> reply = {}) {
  ProbeResult p;
  p.endpoint = e;
  p.with_credentials = login != LoginEvidence::Status::not_attempted;
  p.dns.status = DnsEvidence::Status::ok;
  p.dns.addresses = {"127.0.0.2"};
  p.connect.status = ConnectEvidence::Status::ok;
  p.tls.status = TlsEvidence::Status::ok;
  p.tls.cert.present = true;
  p.tls.cert.verified = true;
  p.greeting.status = GreetingEvidence::Status::ok;
  p.greeting.reply.lines = {e.protocol == Protocol::smtp ? "220 ready" : "* OK ready"};
  p.caps.known = true;
  p.caps.sasl_mechanisms = {"PLAIN", "LOGIN", "XOAUTH2"};
  p.caps_before_tls = p.caps;
  p.login.status = login;
  p.login.reply.lines = std::move(reply);
  if (login == LoginEvidence::Status::not_attempted) p.login.reason = "options.login is false";
  return p;
}

Result diagnose(const std::string& email, const ProbeResult& p, std::time_t now) {
  Request r;
  r.account.email = email;
  (p.endpoint.subject == Subject::incoming ? r.account.incoming : r.account.outgoing) = p.endpoint;
  Evidence ev;
  ev.primary.push_back(p);
  return classify(r, ev, now);
}

const Finding* find(const Result& r, const std::string& code) {
  for (const auto& f : r.findings)
    if (f.code == code) return &f;
  return nullptr;
}

std::vector<const Finding*> explained(const Result& r) {
  std::vector<const Finding*> out;
  for (const auto& f : r.findings)
    if (f.params.value("explained_by", "") == "cutoff") out.push_back(&f);
  return out;
}

const kb::Cutoff& cutoff(const std::string& id) {
  for (const auto& c : kb::cutoffs())
    if (c.id == id) return c;
  FAIL("no cut-off " << id);
  throw 0;
}

// One account per cut-off that its match hits: the subject, protocol, server host and address.
struct Case {
  const char* id;
  Subject subject;
  Protocol protocol;
  const char* host;
  const char* email;
  const char* refusal;  // what the server says once the date has passed
};
const Case kCases[] = {
    {"microsoft365-smtp-basic-auth", Subject::outgoing, Protocol::smtp, "smtp.office365.com", "bob@contoso.example",
     "550 5.7.30 Basic authentication is not supported for Client Submission."},
    {"outlook-com-passwords", Subject::incoming, Protocol::imap, "outlook.office365.com", "bob@hotmail.com",
     "A1 NO AUTHENTICATE failed."},
    {"exchange-online-imap-pop-basic-auth", Subject::incoming, Protocol::pop3, "outlook.office365.com",
     "bob@contoso.example", "-ERR Logon failure: unknown user name or bad password."},
    {"google-workspace-passwords", Subject::incoming, Protocol::imap, "imap.gmail.com", "bob@school.example",
     "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"},
    {"gmail-account-passwords", Subject::outgoing, Protocol::smtp, "smtp.gmail.com", "bob@gmail.com",
     "535-5.7.8 Username and Password not accepted."},
};
}  // namespace

TEST_CASE("every embedded cut-off file parses and validates", "[cutoffs]") {
  for (const auto& p : kb::cutoff_problems()) FAIL_CHECK(p.file << ": " << p.message);
  for (const auto& p : kb::validate_cutoffs(kb::cutoffs(), kb::providers())) FAIL_CHECK(p.file << ": " << p.message);
  std::set<std::string> ids;
  for (const auto& c : kb::cutoffs()) ids.insert(c.id);
  for (const char* id : {"microsoft365-smtp-basic-auth", "outlook-com-passwords", "google-workspace-passwords",
                         "gmail-pop-fetching", "exchange-online-imap-pop-basic-auth", "gmail-account-passwords"})
    CHECK(ids.count(id) == 1);
  // Every cut-off with a match has an account above that exercises it on both sides of its date.
  for (const auto& c : kb::cutoffs()) {
    if (!c.match) continue;
    bool covered = false;
    for (const auto& k : kCases) covered = covered || c.id == k.id;
    CHECK((covered || !(std::cerr << c.id << " has no case in cutoff_test.cpp\n")));
  }
}

TEST_CASE("cut-off validation: dates, provider, https, a match or why not, OAuth2 only where Thunderbird has it", "[cutoffs]") {
  const json good = json::parse(R"({
    "id": "x-cut", "provider": "microsoft365", "title": "t", "date": "2028-02-29", "breaks": "b",
    "match": {"protocols": ["smtp"], "auth": ["password"], "hosts": ["smtp.example.test"]},
    "fix": {"oauth2": true, "url": "https://example.test/fix", "steps": ["Do It"]},
    "sources": [{"fact": "date", "url": "https://example.test/a"}]})");
  std::vector<std::string> errors;
  auto c = kb::parse_cutoff(good, errors);
  REQUIRE(c);
  CHECK(errors.empty());
  CHECK(c->fix_steps == std::vector<std::string>{"Do It"});  // shown as written, not lowered
  c->file = "x-cut.json";
  CHECK(kb::validate_cutoffs({*c}, kb::providers()).empty());

  auto invalid = [&](const std::function<void(kb::Cutoff&)>& change) {
    kb::Cutoff bad = *c;
    change(bad);
    return !kb::validate_cutoffs({bad}, kb::providers()).empty();
  };
  CHECK(invalid([](kb::Cutoff& x) { x.date = "2027-02-29"; }));  // no such day
  CHECK(invalid([](kb::Cutoff& x) { x.date = "31.12.2026"; }));
  CHECK(invalid([](kb::Cutoff& x) { x.provider = "nobody"; }));
  CHECK(invalid([](kb::Cutoff& x) { x.sources = {{"date", "http://example.test/a"}}; }));
  CHECK(invalid([](kb::Cutoff& x) { x.sources.clear(); }));
  CHECK(invalid([](kb::Cutoff& x) { x.fix_url = "http://example.test/fix"; }));
  CHECK(invalid([](kb::Cutoff& x) { x.provider = "posteo"; }));  // Thunderbird has no OAuth2 for it: no OAuth2 fix
  CHECK(invalid([](kb::Cutoff& x) { x.match.reset(); }));        // no match and no word why
  CHECK_FALSE(invalid([](kb::Cutoff& x) { x.match.reset(); x.no_match = "why"; }));
  CHECK(invalid([](kb::Cutoff& x) { x.match->hosts.clear(); }));  // would match every account
  CHECK(invalid([](kb::Cutoff& x) { x.match->not_domains = {"provider:nobody"}; }));
  CHECK(invalid([](kb::Cutoff& x) { x.file = "other.json"; }));

  json no_fix = good;
  no_fix.erase("fix");
  CHECK_FALSE(kb::parse_cutoff(no_fix, errors));
  json bad_auth = good;
  bad_auth["match"]["auth"] = {"basic"};
  CHECK_FALSE(kb::parse_cutoff(bad_auth, errors));
}

TEST_CASE("cut-off matching: protocol, method, host and address domain", "[cutoffs]") {
  const auto& m365 = cutoff("microsoft365-smtp-basic-auth");
  CHECK(kb::cutoff_matches(m365, endpoint(Subject::outgoing, Protocol::smtp, "smtp.office365.com"), "a@contoso.example"));
  CHECK(kb::cutoff_matches(m365, endpoint(Subject::outgoing, Protocol::smtp, "SMTP.Office365.com."), "a@contoso.example"));
  CHECK_FALSE(kb::cutoff_matches(m365, endpoint(Subject::outgoing, Protocol::smtp, "smtp.office365.com", AuthMethod::oauth2),
                                 "a@contoso.example"));
  CHECK_FALSE(kb::cutoff_matches(m365, endpoint(Subject::outgoing, Protocol::smtp, "smtp.example.test"), "a@contoso.example"));
  CHECK_FALSE(kb::cutoff_matches(m365, endpoint(Subject::outgoing, Protocol::smtp, "evilsmtp.office365.com.example"), "a@contoso.example"));
  // Outlook.com addresses lost passwords long before: that cut-off is theirs, not this one.
  CHECK_FALSE(kb::cutoff_matches(m365, endpoint(Subject::outgoing, Protocol::smtp, "smtp.office365.com"), "a@hotmail.com"));

  const auto& outlook = cutoff("outlook-com-passwords");
  CHECK(kb::cutoff_matches(outlook, endpoint(Subject::incoming, Protocol::imap, "outlook.office365.com"), "a@Outlook.DE"));
  CHECK_FALSE(kb::cutoff_matches(outlook, endpoint(Subject::incoming, Protocol::imap, "outlook.office365.com"), "a@contoso.example"));

  const auto& workspace = cutoff("google-workspace-passwords");
  const auto& gmail = cutoff("gmail-account-passwords");
  const auto gimap = endpoint(Subject::incoming, Protocol::imap, "imap.gmail.com");
  CHECK(kb::cutoff_matches(workspace, gimap, "a@school.example"));
  CHECK_FALSE(kb::cutoff_matches(workspace, gimap, "a@gmail.com"));
  CHECK(kb::cutoff_matches(gmail, gimap, "a@googlemail.com"));
  CHECK_FALSE(kb::cutoff_matches(gmail, gimap, "a@school.example"));

  // Gmail's own fetching of other mailboxes shows in no Thunderbird setting: Thunderbird's POP to Gmail is no match.
  const auto& fetching = cutoff("gmail-pop-fetching");
  CHECK_FALSE(fetching.match);
  CHECK_FALSE(kb::cutoff_matches(fetching, endpoint(Subject::incoming, Protocol::pop3, "pop.gmail.com"), "a@gmail.com"));
}

TEST_CASE("days until a cut-off count local calendar days", "[cutoffs]") {
  CHECK(kb::days_until("2026-12-31", "2026-12-30") == 1);
  CHECK(kb::days_until("2026-12-31", "2026-12-31") == 0);
  CHECK(kb::days_until("2026-12-31", "2027-01-01") == -1);
  CHECK(kb::days_until("2024-03-01", "2024-02-28") == 2);  // leap day
  CHECK(kb::days_until("2027-01-01", "2026-01-01") == 365);
  CHECK_FALSE(kb::days_until("2026-13-01", "2026-12-01"));
  CHECK(kb::local_date(local_noon("2026-12-31")) == "2026-12-31");
}

TEST_CASE("each cut-off: a warning the day before, the failure explained on the day", "[cutoffs]") {
  for (const auto& k : kCases) {
    INFO(k.id);
    const auto& c = cutoff(k.id);
    const Endpoint e = endpoint(k.subject, k.protocol, k.host);

    // The day before, in the quiet check (no login): the warning, with date, provider, what breaks and the fix.
    auto before = diagnose(k.email, probe(e, LoginEvidence::Status::not_attempted), local_noon(c.date, -1));
    const Finding* w = find(before, "config.cutoff_ahead");
    REQUIRE(w);
    CHECK(w->severity == Severity::warning);
    CHECK(w->subject == k.subject);
    CHECK(w->params["cutoff"] == c.id);
    CHECK(w->params["date"] == c.date);
    CHECK(w->params["days_left"] == 1);
    CHECK(w->params["breaks"] == c.breaks);
    CHECK(w->params["provider"] == kb::find_provider(c.provider)->name);
    CHECK(w->params["source"].get<std::string>().rfind("https://", 0) == 0);
    CHECK(w->detail.find(c.breaks) != std::string::npos);
    bool oauth2 = false, url = false;
    for (const auto& f : w->fixes) {
      oauth2 = oauth2 || (f.kind == "change_setting" && f.setting == "auth" && f.value == "oauth2");
      url = url || (f.kind == "open_url" && f.url == c.fix_url);
    }
    CHECK(oauth2 == (c.fix_oauth2 && kb::thunderbird_oauth2(kb::find_provider(c.provider), k.host)));
    CHECK(url);
    CHECK(before.verdict == "inconclusive");
    // A long way ahead counts the days.
    auto earlier = diagnose(k.email, probe(e, LoginEvidence::Status::not_attempted), local_noon(c.date, -30));
    REQUIRE(find(earlier, "config.cutoff_ahead"));
    CHECK(find(earlier, "config.cutoff_ahead")->params["days_left"] == 30);

    // On the day: no warning any more; the refused login names the cut-off as its cause.
    auto after = diagnose(k.email, probe(e, LoginEvidence::Status::refused, {k.refusal}), local_noon(c.date));
    CHECK_FALSE(find(after, "config.cutoff_ahead"));
    auto ex = explained(after);
    REQUIRE(ex.size() == 1);
    CHECK(ex[0]->severity == Severity::error);
    CHECK(ex[0]->params["cutoff"] == c.id);
    CHECK(ex[0]->params["cutoff_date"] == c.date);
    CHECK(ex[0]->detail.find("announced end") != std::string::npos);
    CHECK(after.verdict == "problem");

    // The same refusal the day before is not blamed on it (the warning still stands).
    auto refused_before = diagnose(k.email, probe(e, LoginEvidence::Status::refused, {k.refusal}), local_noon(c.date, -1));
    CHECK(explained(refused_before).empty());
    CHECK(find(refused_before, "config.cutoff_ahead"));

    // After the date, a login that works (an administrator kept it on) or no login at all: nothing about it.
    for (auto st : {LoginEvidence::Status::ok, LoginEvidence::Status::not_attempted}) {
      auto quiet = diagnose(k.email, probe(e, st), local_noon(c.date, 1));
      CHECK_FALSE(find(quiet, "config.cutoff_ahead"));
      CHECK(explained(quiet).empty());
    }
  }
}

TEST_CASE("an account that uses OAuth2 or another server gets no cut-off warning", "[cutoffs]") {
  const std::time_t before_all = local_noon("2020-01-01");
  auto oauth = diagnose("bob@contoso.example",
                        probe(endpoint(Subject::outgoing, Protocol::smtp, "smtp.office365.com", AuthMethod::oauth2),
                              LoginEvidence::Status::not_attempted),
                        before_all);
  CHECK_FALSE(find(oauth, "config.cutoff_ahead"));
  auto other = diagnose("bob@example.test",
                        probe(endpoint(Subject::incoming, Protocol::imap, "mail.example.test"), LoginEvidence::Status::ok),
                        before_all);
  for (const auto& f : other.findings) CHECK(f.severity == Severity::info);
  CHECK(other.verdict == "ok");
}

TEST_CASE("a refusal with a cause of its own is not blamed on a cut-off", "[cutoffs]") {
  const auto& c = cutoff("microsoft365-smtp-basic-auth");
  auto p = probe(endpoint(Subject::outgoing, Protocol::smtp, "smtp.office365.com"), LoginEvidence::Status::refused,
                 {"454 4.7.0 Too many login attempts, please try again later."});
  auto r = diagnose("bob@contoso.example", p, local_noon(c.date, 3));
  REQUIRE_FALSE(r.findings.empty());
  for (const auto& f : r.findings)
    if (f.code == "auth.rate_limited") CHECK_FALSE(f.params.contains("cutoff"));
}

TEST_CASE("a certificate that ends within 14 days is a warning, in the quiet check too", "[cutoffs][tls]") {
  auto p = probe(endpoint(Subject::incoming, Protocol::imap, "mail.example.test"), LoginEvidence::Status::not_attempted);
  CertInfo leaf;
  leaf.subject = "CN=mail.example.test";
  leaf.issuer = "CN=Test CA";
  leaf.not_after = "2026-12-20T12:00:00Z";
  p.tls.cert.chain = {leaf};
  p.tls.cert.days_left = 9;
  p.tls.cert.expires_soon = true;
  auto r = diagnose("bob@example.test", p, local_noon("2026-12-11"));
  const Finding* f = find(r, "tls.cert_expires_soon");
  REQUIRE(f);
  CHECK(f->severity == Severity::warning);
  CHECK(f->params["not_after"] == "2026-12-20T12:00:00Z");
  CHECK(f->params["days_left"] == 9);
  CHECK(f->detail.find("2026-12-20") != std::string::npos);
  CHECK(f->detail.find("9 days") != std::string::npos);
  CHECK(r.verdict == "inconclusive");

  p.tls.cert.expires_soon = false;
  p.tls.cert.days_left = 15;
  CHECK_FALSE(find(diagnose("bob@example.test", p, local_noon("2026-12-05")), "tls.cert_expires_soon"));
}

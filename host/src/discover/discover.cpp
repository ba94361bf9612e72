#include "maildoctor/discover.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <future>
#include <mutex>

#include "discover/choose.hpp"
#include "discover/client_config.hpp"
#include "discover/https_fetch.hpp"
#include "maildoctor/kb.hpp"

namespace maildoctor {
namespace {

using Clock = std::chrono::steady_clock;
using discovery::Candidate;

int ms_since(Clock::time_point start) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

bool valid_domain(const std::string& d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.find("..") != std::string::npos) return false;
  return std::all_of(d.begin(), d.end(), [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == '_'; });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string url_escape(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// Progress and notes arrive from several threads at once.
class Reporter {
 public:
  Reporter(const DiscoverHooks& hooks, DiscoveryEvidence& ev) : hooks_(hooks), ev_(ev) {}
  void check(CheckStatus status, int ms, const std::string& target, const std::string& detail, Subject subject = Subject::account) {
    std::lock_guard lock(mu_);
    if (!hooks_.on_check) return;
    Check c;
    c.subject = subject;
    c.step = "discover";
    c.status = status;
    c.ms = ms;
    c.target = target;
    c.detail = detail;
    hooks_.on_check(c);
  }
  void note(const std::string& text) {
    std::lock_guard lock(mu_);
    ev_.notes.push_back(text);
  }

 private:
  const DiscoverHooks& hooks_;
  DiscoveryEvidence& ev_;
  std::mutex mu_;
};

struct AutoconfigSource {
  std::string source;
  std::string url;
};

// The documents a mail client reads for a domain, most authoritative first.
std::vector<AutoconfigSource> domain_documents(const std::string& domain, const std::string& email) {
  return {
      {"autoconfig", "https://autoconfig." + domain + "/mail/config-v1.1.xml?emailaddress=" + url_escape(email)},
      {"well-known", "https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml"},
      {"ispdb", "https://live.thunderbird.net/autoconfig/v1.1/" + domain},
  };
}

std::optional<Candidate> fetch_autoconfig(const AutoconfigSource& src, const std::string& email, const discovery::FetchOptions& options,
                                          Clock::time_point deadline, Reporter& report, bool have_password) {
  const auto start = Clock::now();
  const auto fetched = discovery::fetch_https(src.url, options, deadline);
  if (!fetched.ok) {
    report.note(src.url + ": " + fetched.error);
    report.check(CheckStatus::skip, ms_since(start), src.url, fetched.error);
    return std::nullopt;
  }
  const auto parsed = discovery::parse_client_config(fetched.body, email, options.max_bytes);
  if (!parsed.config) {
    report.note(fetched.url + ": " + parsed.error);
    report.check(CheckStatus::fail, ms_since(start), src.url, parsed.error);
    return std::nullopt;
  }
  for (const auto& w : parsed.config->warnings) report.note(fetched.url + ": " + w);
  Candidate c;
  c.source = src.source;
  c.detail = fetched.url;
  for (const auto& s : parsed.config->incoming) c.incoming.push_back(discovery::to_endpoint(s, Subject::incoming, have_password));
  for (const auto& s : parsed.config->outgoing) c.outgoing.push_back(discovery::to_endpoint(s, Subject::outgoing, have_password));
  if (c.incoming.empty() && c.outgoing.empty()) {
    report.note(fetched.url + ": no server maildoctor can test");
    report.check(CheckStatus::fail, ms_since(start), src.url, "the document names no IMAP, POP3 or SMTP server");
    return std::nullopt;
  }
  report.check(CheckStatus::pass, ms_since(start), src.url,
               std::to_string(c.incoming.size()) + " incoming and " + std::to_string(c.outgoing.size()) + " outgoing servers");
  return c;
}

discovery::SrvAnswer lookup_service(const discovery::SrvService& service, const std::string& domain, const dns::Resolver& resolver,
                                   Clock::time_point deadline, Reporter& report) {
  const auto start = Clock::now();
  const std::string name = std::string(service.label) + "." + domain;
  discovery::SrvAnswer a{service, dns::lookup_srv(resolver, name, deadline)};
  std::string detail;
  for (const auto& r : a.lookup.records)
    detail += (detail.empty() ? "" : ", ") + (r.target == "." ? std::string("not offered") : r.target + ":" + std::to_string(r.port));
  if (a.lookup.status == DnsEvidence::Status::ok)
    report.check(CheckStatus::pass, ms_since(start), "SRV " + name, detail);
  else
    report.check(a.lookup.status == DnsEvidence::Status::failed ? CheckStatus::fail : CheckStatus::skip, ms_since(start), "SRV " + name,
                 a.lookup.error);
  if (a.lookup.status == DnsEvidence::Status::failed) report.note("SRV " + name + ": " + a.lookup.error);
  return a;
}

void fill_account_details(Endpoint& e, const Account& account) {
  if (e.username.empty()) e.username = account.username.empty() ? account.email : account.username;
  if (!account.username.empty()) e.username = account.username;
  if (e.password.empty() && !account.password.empty()) e.password = account.password;
}

std::optional<KnownSettings> provider_settings(const std::string& domain, const std::string& email) {
  auto published = kb::settings_for_domain(domain, email);
  if (!published || !published->provider) return std::nullopt;
  return KnownSettings{"provider " + published->provider->id, std::move(published->incoming), std::move(published->outgoing)};
}

}  // namespace

DiscoveryEvidence discover(Request& request, Clock::time_point deadline, const DiscoverHooks& hooks) {
  DiscoveryEvidence ev;
  ev.ran = true;
  Reporter report(hooks, ev);
  const std::string email = request.account.email;
  const auto at = email.rfind('@');
  const std::string domain = at == std::string::npos ? std::string() : lower(email.substr(at + 1));
  if (!valid_domain(domain)) {
    ev.notes.push_back("\"" + email + "\" has no domain that can be looked up");
    return ev;
  }
  const bool have_password = !request.account.password.empty();
  const dns::Resolver resolver{request.options.dns_servers};
  discovery::FetchOptions fetch;
  fetch.resolver = resolver;
  fetch.connect_to = request.options.connect_to;
  fetch.cacert = request.options.cacert;
  fetch.gate = hooks.connection_gate;
  fetch.proxy = request.options.proxy;
  // With the proxy resolving names (Thunderbird's socks_remote_dns), local DNS decides nothing: no SRV or MX lookup.
  const bool local_dns = !(request.options.proxy && request.options.proxy->remote_dns);

  std::vector<Candidate> candidates;
  {
    const auto& lookup_known = hooks.known_settings ? hooks.known_settings : provider_settings;
    if (auto known = lookup_known(domain, email)) {
      Candidate c{"provider", known->source, known->incoming, known->outgoing};
      report.check(CheckStatus::pass, 0, "provider knowledge", known->source);
      candidates.push_back(std::move(c));
    }
  }

  // Every network source starts at once; each is bounded by the same deadline.
  const std::vector<AutoconfigSource> direct = domain_documents(domain, email);
  std::vector<std::future<std::optional<Candidate>>> autoconfig;
  for (const auto& src : direct)
    autoconfig.push_back(std::async(std::launch::async, [&, src] { return fetch_autoconfig(src, email, fetch, deadline, report, have_password); }));
  std::vector<std::future<discovery::SrvAnswer>> srv;
  if (!local_dns)
    report.check(CheckStatus::skip, 0, "SRV and MX " + domain,
                 "left to the proxy " + proxy_address(*request.options.proxy) + " (remote DNS): no local DNS lookup");
  for (const auto& service : discovery::srv_services())
    if (local_dns) srv.push_back(std::async(std::launch::async, [&, service] { return lookup_service(service, domain, resolver, deadline, report); }));
  // The MX tells which provider hosts the mail (a custom domain on Google, Microsoft ...): its ISPDB entry is
  // the next best source when the domain itself has none.
  auto mx = std::async(std::launch::async, [&]() -> std::pair<dns::MxLookup, std::optional<Candidate>> {
    if (!local_dns) return {dns::MxLookup{}, std::nullopt};
    const auto start = Clock::now();
    auto lookup = dns::lookup_mx(resolver, domain, deadline);
    std::string hosts;
    for (const auto& r : lookup.records) hosts += (hosts.empty() ? "" : ", ") + r.host;
    report.check(lookup.status == DnsEvidence::Status::ok ? CheckStatus::pass
                 : lookup.status == DnsEvidence::Status::failed ? CheckStatus::fail
                                                                : CheckStatus::skip,
                 ms_since(start), "MX " + domain, lookup.status == DnsEvidence::Status::ok ? hosts : lookup.error);
    if (lookup.status != DnsEvidence::Status::ok || lookup.records.empty()) return {lookup, std::nullopt};
    const std::string mx_domain = discovery::registrable_domain(lower(lookup.records.front().host));
    if (mx_domain == domain || !valid_domain(mx_domain)) return {lookup, std::nullopt};
    auto c = fetch_autoconfig({"ispdb-mx", "https://live.thunderbird.net/autoconfig/v1.1/" + mx_domain}, email, fetch, deadline, report,
                              have_password);
    return {lookup, c};
  });

  std::vector<discovery::SrvAnswer> srv_answers;
  for (auto& f : srv) srv_answers.push_back(f.get());
  for (std::size_t i = 0; i < autoconfig.size(); ++i) {
    auto c = autoconfig[i].get();
    if (c) candidates.push_back(std::move(*c));
  }
  auto [mx_lookup, mx_candidate] = mx.get();
  if (mx_candidate) candidates.push_back(std::move(*mx_candidate));
  if (auto c = discovery::srv_candidate(srv_answers, domain)) candidates.push_back(std::move(*c));

  for (const auto& r : mx_lookup.records) ev.mx_hosts.push_back(r.host);
  if (mx_lookup.status == DnsEvidence::Status::failed) ev.notes.push_back("MX " + domain + ": " + mx_lookup.error);
  for (const auto& a : srv_answers)
    for (const auto& r : a.lookup.records)
      ev.srv.push_back({std::string(a.service.label) + "." + domain, r.target, r.port, r.priority, r.weight});

  // Documents for the domain itself, fetched over verified https, publish host names that may later confirm a
  // certificate's name. The ISPDB entry found through the MX does not: DNS chose it.
  for (const auto& c : candidates) {
    if (c.source != "autoconfig" && c.source != "well-known" && c.source != "ispdb") continue;
    for (const auto* list : {&c.incoming, &c.outgoing})
      for (const auto& e : *list) ev.confirmed_hosts.emplace_back(lower(e.host), c.detail);
  }

  auto chosen = discovery::choose(candidates);
  Account& account = request.account;
  const bool password_would_go = !account.password.empty() && request.options.login;
  // Only what discovery filled in is reported as chosen: a server the request gave stays the user's.
  std::vector<Subject> adopted;
  auto adopt = [&](std::optional<Endpoint>& slot, std::optional<Endpoint>& found, Subject subject) {
    if (slot || !found) return;
    slot = std::move(found);
    adopted.push_back(subject);
    fill_account_details(*slot, account);
    for (const auto& choice : chosen.choices) {
      if (choice.subject != subject) continue;
      const std::string why = discovery::why_unconfirmed(choice.source, *slot, domain);
      if (why.empty()) break;
      DiscoveryEvidence::Unconfirmed u;
      u.endpoint = *slot;
      u.endpoint.password = Secret();
      u.source = choice.source;
      u.reason = why;
      // Asked only when a password would really go there; the native host has no one to ask.
      u.confirmed = password_would_go && (request.options.trust_discovered || (hooks.confirm && hooks.confirm(u)));
      if (!u.confirmed) slot->password = Secret();
      ev.unconfirmed.push_back(std::move(u));
      break;
    }
  };
  adopt(account.incoming, chosen.incoming, Subject::incoming);
  adopt(account.outgoing, chosen.outgoing, Subject::outgoing);
  for (const auto& choice : chosen.choices) {
    if (std::find(adopted.begin(), adopted.end(), choice.subject) == adopted.end()) continue;
    ev.chosen.push_back(choice);
    for (const auto& c : candidates)
      if (c.source == choice.source && c.detail.rfind("https://", 0) == 0 && ev.autoconfig_url.empty()) ev.autoconfig_url = c.detail;
    report.check(CheckStatus::pass, 0, std::string(to_string(choice.subject)) + " server", choice.detail, choice.subject);
  }
  if (!account.incoming && !account.ews) report.check(CheckStatus::fail, 0, "incoming server", "no source named an incoming server for " + domain, Subject::incoming);
  if (!account.outgoing) report.check(CheckStatus::fail, 0, "outgoing server", "no source named an outgoing server for " + domain, Subject::outgoing);
  return ev;
}

namespace {

std::string domain_of(const std::string& email) {
  const auto at = email.rfind('@');
  return at == std::string::npos ? std::string() : lower(email.substr(at + 1));
}

// The address's own documents over verified https, fetched at once, in order of authority; quiet (no checks).
std::vector<Candidate> domain_candidates(const Request& request, Clock::time_point deadline, ConnectionGate* gate) {
  std::vector<Candidate> out;
  const std::string email = request.account.email;
  const std::string domain = domain_of(email);
  if (!valid_domain(domain)) return out;
  discovery::FetchOptions fetch;
  fetch.resolver = dns::Resolver{request.options.dns_servers};
  fetch.connect_to = request.options.connect_to;
  fetch.cacert = request.options.cacert;
  fetch.gate = gate;
  fetch.proxy = request.options.proxy;
  DiscoveryEvidence scratch;
  DiscoverHooks silent;
  Reporter report(silent, scratch);
  std::vector<std::future<std::optional<Candidate>>> docs;
  for (const auto& src : domain_documents(domain, email))
    docs.push_back(std::async(std::launch::async, [&, src] { return fetch_autoconfig(src, email, fetch, deadline, report, false); }));
  for (auto& d : docs)
    if (auto c = d.get()) out.push_back(std::move(*c));
  return out;
}

void collect_hosts(const std::vector<Candidate>& candidates, std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& c : candidates)
    for (const auto* list : {&c.incoming, &c.outgoing})
      for (const auto& e : *list) out.emplace_back(lower(e.host), c.detail);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> published_hosts(const Request& request, Clock::time_point deadline, ConnectionGate* gate) {
  std::vector<std::pair<std::string, std::string>> out;
  collect_hosts(domain_candidates(request, deadline, gate), out);
  return out;
}

std::optional<DiscoveryEvidence::Replacement> find_replacement(const Request& request, Subject subject, Clock::time_point deadline,
                                                               ConnectionGate* gate,
                                                               std::vector<std::pair<std::string, std::string>>& published) {
  const Endpoint* broken = subject == Subject::incoming ? (request.account.incoming ? &*request.account.incoming : nullptr)
                                                        : (request.account.outgoing ? &*request.account.outgoing : nullptr);
  const std::string domain = domain_of(request.account.email);
  if (!valid_domain(domain)) return std::nullopt;
  // A missing server: what a mail client would set up (IMAP first), with the source's user name and method.
  const Protocol wanted = broken ? broken->protocol : subject == Subject::outgoing ? Protocol::smtp : Protocol::imap;
  const std::string broken_host = broken ? lower(broken->host) : std::string();
  std::vector<Candidate> candidates;
  if (auto known = provider_settings(domain, request.account.email)) {
    candidates.push_back({"provider", known->source, known->incoming, known->outgoing});
    collect_hosts({candidates.back()}, published);
  }
  auto docs = domain_candidates(request, deadline, gate);
  collect_hosts(docs, published);
  for (auto& d : docs) candidates.push_back(std::move(d));
  // The same protocol first (an IMAP account stays IMAP), then any the sources name, in their order of trust.
  for (const bool same_protocol : {true, false}) {
    for (const auto& c : candidates) {
      for (const auto& e : subject == Subject::incoming ? c.incoming : c.outgoing) {
        if (same_protocol != (e.protocol == wanted)) continue;
        if (lower(e.host) == broken_host || !discovery::why_unconfirmed(c.source, e, domain).empty()) continue;
        DiscoveryEvidence::Replacement r;
        r.subject = subject;
        r.source = c.source;
        r.detail = c.detail;
        // What the fix would leave: the account's own user name and login method on the published server.
        r.endpoint = broken ? *broken : e;
        r.endpoint.password = Secret();
        r.endpoint.subject = subject;
        if (r.endpoint.username.empty()) r.endpoint.username = request.account.email;
        r.endpoint.protocol = e.protocol;
        r.endpoint.host = e.host;
        r.endpoint.port = e.port;
        r.endpoint.security = e.security;
        return r;
      }
    }
  }
  return std::nullopt;
}

nlohmann::json candidates_json(const DiscoveryEvidence& ev) {
  if (!ev.ran) return nullptr;
  nlohmann::json j = nlohmann::json::array();
  for (const auto& u : ev.unconfirmed)
    j.push_back({{"subject", to_string(u.endpoint.subject)},
                 {"protocol", to_string(u.endpoint.protocol)},
                 {"host", u.endpoint.host},
                 {"port", u.endpoint.port},
                 {"security", to_string(u.endpoint.security)},
                 {"source", u.source},
                 {"reason", u.reason},
                 {"confirmed", u.confirmed}});
  return j;
}

nlohmann::json to_json(const DiscoveryEvidence& ev) {
  if (!ev.ran && ev.replacements.empty()) return nullptr;
  nlohmann::json j;
  j["mx"] = ev.mx_hosts;
  j["srv"] = nlohmann::json::array();
  for (const auto& s : ev.srv)
    j["srv"].push_back({{"service", s.service}, {"target", s.target}, {"port", s.port}, {"priority", s.priority}, {"weight", s.weight}});
  j["autoconfig_url"] = ev.autoconfig_url.empty() ? nlohmann::json(nullptr) : nlohmann::json(ev.autoconfig_url);
  j["chosen"] = nlohmann::json::array();
  for (const auto& c : ev.chosen) j["chosen"].push_back({{"subject", to_string(c.subject)}, {"source", c.source}, {"detail", c.detail}});
  j["notes"] = ev.notes;
  if (!ev.replacements.empty()) {
    j["replacements"] = nlohmann::json::array();
    for (const auto& r : ev.replacements)
      j["replacements"].push_back({{"subject", to_string(r.subject)}, {"source", r.source}, {"detail", r.detail},
                                   {"protocol", to_string(r.endpoint.protocol)}, {"host", r.endpoint.host},
                                   {"port", r.endpoint.port}, {"security", to_string(r.endpoint.security)}});
  }
  return j;
}

}  // namespace maildoctor

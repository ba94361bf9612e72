#include "discover/choose.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace maildoctor::discovery {
namespace {

std::optional<Endpoint> preferred_incoming(const std::vector<Endpoint>& list) {
  for (Protocol p : {Protocol::imap, Protocol::pop3})
    for (const auto& e : list)
      if (e.protocol == p) return e;
  return std::nullopt;
}

std::string describe(const Endpoint& e) {
  return std::string(to_string(e.protocol)) + " " + e.host + ":" + std::to_string(e.port) + " " + std::string(to_string(e.security));
}

std::vector<std::string> split_labels(const std::string& host) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = host.find('.', start);
    const auto end = dot == std::string::npos ? host.size() : dot;
    if (end > start) labels.push_back(host.substr(start, end - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return labels;
}

}  // namespace

Chosen choose(const std::vector<Candidate>& candidates) {
  Chosen out;
  for (const auto& c : candidates) {
    if (!out.incoming) {
      if (auto e = preferred_incoming(c.incoming)) {
        out.incoming = e;
        out.choices.push_back({Subject::incoming, c.source, describe(*e) + " from " + c.detail});
      }
    }
    if (!out.outgoing && !c.outgoing.empty()) {
      out.outgoing = c.outgoing.front();
      out.choices.push_back({Subject::outgoing, c.source, describe(c.outgoing.front()) + " from " + c.detail});
    }
  }
  return out;
}

const std::vector<SrvService>& srv_services() {
  static const std::vector<SrvService> services = {
      {"_imaps._tcp", Subject::incoming, Protocol::imap, Security::tls},
      {"_imap._tcp", Subject::incoming, Protocol::imap, Security::starttls},
      {"_pop3s._tcp", Subject::incoming, Protocol::pop3, Security::tls},
      {"_pop3._tcp", Subject::incoming, Protocol::pop3, Security::starttls},
      {"_submissions._tcp", Subject::outgoing, Protocol::smtp, Security::tls},
      {"_submission._tcp", Subject::outgoing, Protocol::smtp, Security::starttls},
  };
  return services;
}

std::optional<Candidate> srv_candidate(const std::vector<SrvAnswer>& answers, const std::string& domain) {
  Candidate c;
  c.source = "srv";
  std::vector<std::string> used;
  // answers may come in any order; walk the services in preference order.
  for (const auto& service : srv_services()) {
    for (const auto& a : answers) {
      if (std::string_view(a.service.label) != service.label || a.lookup.status != DnsEvidence::Status::ok) continue;
      const auto it = std::find_if(a.lookup.records.begin(), a.lookup.records.end(),
                                   [](const dns::SrvRecord& r) { return r.target != "." && !r.target.empty() && r.port != 0; });
      if (it == a.lookup.records.end()) continue;
      Endpoint e;
      e.subject = service.subject;
      e.protocol = service.protocol;
      e.security = service.security;
      e.host = it->target;
      if (e.host.size() > 1 && e.host.back() == '.') e.host.pop_back();
      e.port = it->port;
      e.auth = AuthMethod::password;
      (service.subject == Subject::incoming ? c.incoming : c.outgoing).push_back(e);
      used.push_back(std::string(service.label) + "." + domain);
    }
  }
  if (c.incoming.empty() && c.outgoing.empty()) return std::nullopt;
  for (const auto& u : used) c.detail += (c.detail.empty() ? "SRV " : ", ") + u;
  return c;
}

std::string registrable_domain(const std::string& host) {
  std::string h = host;
  if (!h.empty() && h.back() == '.') h.pop_back();
  const auto labels = split_labels(h);
  if (labels.size() <= 2) return h;
  static const std::array<std::string_view, 10> registry_labels = {"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gv"};
  const auto& second = labels[labels.size() - 2];
  const bool country_tld = labels.back().size() == 2;
  const std::size_t keep =
      country_tld && std::find(registry_labels.begin(), registry_labels.end(), second) != registry_labels.end() ? 3 : 2;
  std::string out;
  for (std::size_t i = labels.size() - keep; i < labels.size(); ++i) out += (out.empty() ? "" : ".") + labels[i];
  return out;
}

bool within_domain(const std::string& host, const std::string& domain) {
  std::string h = host, d = domain;
  for (std::string* s : {&h, &d}) {
    if (!s->empty() && s->back() == '.') s->pop_back();
    std::transform(s->begin(), s->end(), s->begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  if (d.empty()) return false;
  return h == d || (h.size() > d.size() + 1 && h.compare(h.size() - d.size() - 1, std::string::npos, "." + d) == 0);
}

std::string why_unconfirmed(const std::string& source, const Endpoint& endpoint, const std::string& domain) {
  if (endpoint.security == Security::none)
    return "the " + source + " setting for " + endpoint.host + " has no encryption: the password would cross the network as "
           "clear text";
  const bool dns_alone = source == "srv" || source == "ispdb-mx";
  if (dns_alone && !within_domain(endpoint.host, domain))
    return endpoint.host + " was named by DNS alone (" + (source == "srv" ? "an SRV record" : "the MX record") + ") and lies "
           "outside " + domain + "; DNS answers can be forged";
  return {};
}

}  // namespace maildoctor::discovery

#pragma once
// Which discovered settings a mail client would take: pure functions, so the policy is testable on its own.
#include <optional>
#include <string>
#include <vector>

#include "maildoctor/dns.hpp"
#include "maildoctor/evidence.hpp"
#include "maildoctor/request.hpp"

namespace maildoctor::discovery {

// What one source offered. Endpoints are in the source's own order of preference.
struct Candidate {
  std::string source;  // provider | autoconfig | well-known | ispdb | ispdb-mx | srv
  std::string detail;  // the URL or record names it came from
  std::vector<Endpoint> incoming;
  std::vector<Endpoint> outgoing;
};

struct Chosen {
  std::optional<Endpoint> incoming;
  std::optional<Endpoint> outgoing;
  std::vector<DiscoveryEvidence::Choice> choices;
};

// candidates are in order of trust; for each subject the first candidate that has a server supplies it.
// Within a candidate IMAP is taken before POP3, as mail clients default to IMAP.
Chosen choose(const std::vector<Candidate>& candidates);

// The RFC 6186 / RFC 8314 services, in the order a client prefers them: IMAP before POP3, implicit TLS first.
struct SrvService {
  const char* label;  // "_imaps._tcp"
  Subject subject;
  Protocol protocol;
  Security security;
};
const std::vector<SrvService>& srv_services();

struct SrvAnswer {
  SrvService service;
  dns::SrvLookup lookup;
};
// The SRV records as a candidate: per service the lowest-priority record whose target is not "." (a "." target
// means the service is deliberately not offered). nullopt when no service is offered.
std::optional<Candidate> srv_candidate(const std::vector<SrvAnswer>& answers, const std::string& domain);

// "mx1.mail.example.co.uk" -> "example.co.uk": the domain an ISPDB entry would be filed under. Without a public
// suffix list this keeps three labels when the second-level label is a common registry label (co, com, net ...).
std::string registrable_domain(const std::string& host);

// host is domain itself or a name under it (case-insensitive, a trailing dot ignored).
bool within_domain(const std::string& host, const std::string& domain);

// RFC 6186 section 6 and RFC 7817: why a server that source chose may not get the password without the user's
// confirmation, or empty when it may. A setting without encryption never may, whatever its source; a host that DNS
// alone named (SRV, or the ISPDB entry of the MX's domain) may only inside the address's own domain. The provider
// knowledge base and the documents fetched over verified https for the domain itself are trusted.
std::string why_unconfirmed(const std::string& source, const Endpoint& endpoint, const std::string& domain);

}  // namespace maildoctor::discovery

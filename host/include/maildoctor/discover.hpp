#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "maildoctor/connection_gate.hpp"
#include "maildoctor/evidence.hpp"
#include "maildoctor/request.hpp"
#include "maildoctor/result.hpp"

namespace maildoctor {

// Settings a provider knowledge base publishes for an e-mail domain: discovery's first choice.
struct KnownSettings {
  std::string source;  // e.g. "provider gmail"
  std::vector<Endpoint> incoming;
  std::vector<Endpoint> outgoing;
};

struct DiscoverHooks {
  // Called as each lookup finishes (step "discover", subject account) and once per chosen endpoint.
  std::function<void(const Check&)> on_check;
  // Consulted before anything goes on the network; empty means the provider knowledge base (kb::settings_for_domain).
  std::function<std::optional<KnownSettings>(const std::string& domain, const std::string& email)> known_settings;
  // Asked, only when a password would go there, about a chosen server that needs the user's confirmation (see
  // DiscoveryEvidence::unconfirmed). Empty, or false: the server is probed without credentials.
  std::function<bool(const DiscoveryEvidence::Unconfirmed&)> confirm;
  // Batch mode's --per-server cap, which the autoconfig fetches count against like every probe; null: no cap.
  ConnectionGate* connection_gate = nullptr;
};

// Finds the servers of request.account.email the way a mail client does, all sources at once under the
// deadline: provider knowledge, the domain's autoconfig document (autoconfig.<domain>, /.well-known/), the
// Thunderbird ISPDB (for the domain and for its MX's domain), RFC 6186 SRV records, MX. Fills only the
// endpoints the request lacks, honours options.dns_servers / connect_to / cacert, and says where each came from.
// Give it part of the diagnosis budget, not all of it: the probes still need time afterwards.
DiscoveryEvidence discover(Request& request, std::chrono::steady_clock::time_point deadline, const DiscoverHooks& hooks = {});

// The host names the address's own domain publishes over verified https (its autoconfig, /.well-known/ and ISPDB
// documents, fetched at once under the deadline), with the URL of each: what may confirm a certificate's name for an
// account whose servers were configured, not discovered. Each fetch counts against gate (batch mode's --per-server).
std::vector<std::pair<std::string, std::string>> published_hosts(const Request& request, std::chrono::steady_clock::time_point deadline,
                                                                 ConnectionGate* gate = nullptr);

// For a configured server of `subject` whose host does not resolve, or for a subject the account lacks: the server
// the address's own trusted sources
// publish instead (provider knowledge first, then its autoconfig, /.well-known/ and ISPDB documents over verified
// https; never SRV, MX or a document that says "plain"). The same protocol is preferred; a host equal to the broken
// one is skipped. `published` collects every host those documents name (confirmed hosts, see above).
std::optional<DiscoveryEvidence::Replacement> find_replacement(const Request& request, Subject subject,
                                                               std::chrono::steady_clock::time_point deadline, ConnectionGate* gate,
                                                               std::vector<std::pair<std::string, std::string>>& published);

// The "discovery" member of the result JSON.
nlohmann::json to_json(const DiscoveryEvidence&);
// The "candidates" member of the result JSON: DiscoveryEvidence::unconfirmed (null when discovery did not run).
nlohmann::json candidates_json(const DiscoveryEvidence&);

}  // namespace maildoctor

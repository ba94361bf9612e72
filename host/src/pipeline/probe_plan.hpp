#pragma once
// Which probes a diagnosis runs: the configured endpoints, and the other standard ports and securities of
// the same hosts, credential-free.
#include <map>
#include <string>
#include <vector>

#include "maildoctor/request.hpp"
#include "probe/probe.hpp"

namespace maildoctor::pipeline {

struct PlannedProbe {
  probe::ProbeSpec spec;
  bool primary = true;
};

// Why a primary probe will not log in, or empty when it will.
std::string login_refusal(const Request& request, const Endpoint& ep);

// The (port, security) pairs other than the configured one that a mail client could use for this protocol.
struct PortSecurity {
  std::uint16_t port;
  Security security;
};
std::vector<PortSecurity> alternatives_for(const Endpoint& ep);

// held: per subject, why a discovered endpoint gets no credentials although a password is known (it needs the user's
// confirmation); that reason is what the probe reports.
std::vector<PlannedProbe> plan_probes(const Request& request, probe::Clock::time_point t0, probe::Clock::time_point deadline,
                                      const std::map<Subject, std::string>& held = {});

// The probe of a server that replaces an unresolvable configured one (DiscoveryEvidence::Replacement): never with
// credentials, as every alternative.
PlannedProbe plan_replacement(const Request& request, const Endpoint& endpoint, probe::Clock::time_point t0,
                              probe::Clock::time_point deadline);

}  // namespace maildoctor::pipeline

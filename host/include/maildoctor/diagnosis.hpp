#pragma once
#include <ctime>
#include <atomic>
#include <functional>
#include <memory>

#include "maildoctor/connection_gate.hpp"
#include "maildoctor/evidence.hpp"
#include "maildoctor/request.hpp"
#include "maildoctor/result.hpp"

namespace maildoctor {

struct RunHooks {
  // Called from probe threads as each check finishes (serialised by the caller of the hook: it must be thread-safe).
  std::function<void(const Check&)> on_check;
  // Set to true to stop every probe at once (native host: the peer went away).
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  // Batch mode: every probe connection asks it for a slot at its server first (null: no limit).
  std::shared_ptr<ConnectionGate> connection_gate;
  // Asks the user about a discovered server that needs confirmation before it gets the password (the CLI on a
  // terminal). Empty: never confirmed, as in the native host. The time it takes does not count against the deadline.
  std::function<bool(const DiscoveryEvidence::Unconfirmed&)> confirm_discovered;
};

// Probe stage: discovery when only an address is given, then every probe in parallel under one deadline.
// Discovered endpoints are written back into request.account.
Evidence gather_evidence(Request& request, const RunHooks& hooks);

// Diagnose stage: evidence + provider knowledge + rules -> findings, verdict, provider.
// `now` is the local clock that decides whether an announced cut-off (host/data/cutoffs) lies ahead or has passed;
// the two-argument form reads the system clock.
Result classify(const Request& request, const Evidence& evidence);
Result classify(const Request& request, const Evidence& evidence, std::time_t now);

// The whole pipeline, as the CLI and the native host run it.
Result run_diagnosis(Request request, const RunHooks& hooks);

}  // namespace maildoctor

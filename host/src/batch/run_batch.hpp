#pragma once
// `maildoctor batch`: many diagnoses in one process, JSONL in and out (docs/FLEET.md).
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "maildoctor/diagnosis.hpp"

namespace maildoctor::batch {

struct BatchSettings {
  std::string input = "-";
  std::string output = "-";
  std::string resume;   // an earlier output: its answered ids are skipped
  std::string summary;  // the summary as JSON
  std::string state;    // --min-interval-per-account history
  int jobs = 16;
  int per_server = 2;
  std::optional<double> min_interval_s;
  // The common options of diagnose, applied to every line.
  std::optional<int> deadline_ms;
  std::vector<ConnectTo> connect_to;
  std::string cacert;
  std::string dns_servers;
  std::optional<Proxy> proxy;  // --proxy: replaces a line's own "proxy"
  bool no_login = false;
  bool no_alternatives = false;
  // Discovered servers that need the user's confirmation get the password (no prompt in batch mode).
  bool trust_discovered = false;
};

struct BatchIo {
  std::istream& in;    // for --input -
  std::ostream& out;   // for --output -
  std::ostream& err;   // progress bar and summary table
  bool err_is_terminal = false;
};

using Diagnose = std::function<Result(Request, const RunHooks&)>;

// Returns the exit status: 0 every line ok, 1 some line is not (or is an error line), 2 a file cannot be opened.
int run_batch(const BatchSettings& settings, BatchIo io, const Diagnose& diagnose);

// The default --state file: $XDG_STATE_HOME/maildoctor/batch-state.json, else ~/.local/state/maildoctor/...
std::string default_state_path();

}  // namespace maildoctor::batch

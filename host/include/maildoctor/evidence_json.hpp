#pragma once
#include <nlohmann/json.hpp>

#include "maildoctor/evidence.hpp"

namespace maildoctor {

// Everything the probes saw, as JSON (for `-v` output, bug reports and tests). Holds no credential: the Evidence
// never does.
nlohmann::json evidence_to_json(const Evidence& evidence);
nlohmann::json to_json(const ProbeResult& probe);

}  // namespace maildoctor

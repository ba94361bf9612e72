#pragma once
// The per-step checks (progress lines and the result's "checks") that one finished probe yields.
#include <vector>

#include "maildoctor/evidence.hpp"

namespace maildoctor::probe {

std::vector<Check> checks_for(const ProbeResult& r);

}  // namespace maildoctor::probe

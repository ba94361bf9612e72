#pragma once
#include <string>

namespace maildoctor::diagnose {
// The finding codes of CONTRACT section 3 plus the ones this project added; rules may only yield these, so a
// typo in a data file fails validation instead of reaching the add-on as an unknown code.
bool is_known_code(const std::string& code);
}  // namespace maildoctor::diagnose

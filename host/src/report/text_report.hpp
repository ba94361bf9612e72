#pragma once
// The readable report of the CLI. Server text is shown as text: control characters (terminal escapes included)
// are made visible instead of being passed to the terminal.
#include <string>

#include "maildoctor/result.hpp"

namespace maildoctor::report {

struct TextOptions {
  bool transcript = false;  // -v
};

// One line for a check as it finishes (the CLI's progress output).
std::string progress_line(const Check& check);

// Verdict, provider, findings with their fixes, where discovered settings came from, the checks table.
std::string text_report(const Result& result, const TextOptions& options = {});

// s with every control character other than tab shown as \xNN, so it cannot move the cursor or recolour the terminal.
std::string printable(const std::string& s);

// "set outgoing port to 587"
std::string describe_fix(const Fix& fix);

}  // namespace maildoctor::report

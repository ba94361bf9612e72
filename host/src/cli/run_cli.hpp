#pragma once
// The CLI with its surroundings passed in, so tests can run it with their own streams and a recorded diagnosis.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "maildoctor/diagnosis.hpp"

namespace maildoctor::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_terminal = false;  // a password prompt is only offered on a terminal
  bool err_is_terminal = false;  // batch: the progress bar is only drawn on a terminal
};

using Diagnose = std::function<Result(Request, const RunHooks&)>;

// args without argv[0]. Returns the exit status of CONTRACT section 4.
int run_cli(const std::vector<std::string>& args, Io io, const Diagnose& diagnose);

}  // namespace maildoctor::cli

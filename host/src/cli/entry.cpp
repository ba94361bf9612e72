#include <iostream>

#include "cli/run_cli.hpp"
#include "maildoctor/cli.hpp"
#include "platform/terminal.hpp"

namespace maildoctor::cli {

int run(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return run_cli(args, Io{std::cin, std::cout, std::cerr, platform::stdin_is_terminal(), platform::stderr_is_terminal()},
                   run_diagnosis);
  } catch (...) {
    // Only building the argument list can get here (out of memory).
    return 3;
  }
}

}  // namespace maildoctor::cli

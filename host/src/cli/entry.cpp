#include <unistd.h>

#include <iostream>

#include "cli/run_cli.hpp"
#include "maildoctor/cli.hpp"

namespace maildoctor::cli {

int run(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return run_cli(args, Io{std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1}, run_diagnosis);
  } catch (...) {
    // Only building the argument list can get here (out of memory).
    return 3;
  }
}

}  // namespace maildoctor::cli

// Wiring only: protect the process, pick the front door, then hand over to the core library.
#include "maildoctor/cli.hpp"
#include "maildoctor/hygiene.hpp"
#include "maildoctor/native.hpp"

int main(int argc, char** argv) {
  maildoctor::protect_process_memory();
  if (maildoctor::native::is_native_launch(argc, argv)) return maildoctor::native::serve();
  return maildoctor::cli::run(argc, argv);
}

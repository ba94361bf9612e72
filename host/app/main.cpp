// Wiring only: pick the front door, then hand over to the core library.
#include "maildoctor/cli.hpp"
#include "maildoctor/native.hpp"
#include "platform/process.hpp"

int main(int argc, char** argv) {
  maildoctor::platform::prepare_process();
  if (maildoctor::native::is_native_launch(argc, argv)) return maildoctor::native::serve();
  return maildoctor::cli::run(argc, argv);
}

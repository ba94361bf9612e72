#pragma once

namespace maildoctor::cli {
// `maildoctor diagnose ...`, `--help`, `--version`. Returns the process exit status of CONTRACT section 4.
int run(int argc, char** argv);
}  // namespace maildoctor::cli

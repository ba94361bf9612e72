#pragma once

namespace maildoctor::native {
// True when Thunderbird launched us (argv: manifest path, add-on id) or --native-messaging was given.
bool is_native_launch(int argc, char** argv);
// Serves framed requests on stdin/stdout until EOF. Returns the process exit status.
int serve();
}  // namespace maildoctor::native

#pragma once
// The two ends of a native-messaging connection, set up the way each OS needs (platform/posix, platform/windows).
#include <memory>
#include <optional>

#include "native/framing.hpp"

namespace maildoctor::platform {

struct NativeStdio {
  std::unique_ptr<native::ByteSource> in;   // stdin, raw bytes
  std::unique_ptr<native::ByteSink> out;    // a private copy of stdout, closed when this is destroyed
};

// Takes stdin and stdout for frames. Afterwards the process's own stdout points at stderr, so that a stray print
// anywhere in the process (a library, a debug line) lands in Thunderbird's console instead of corrupting the frame
// stream. A write to a closed port fails instead of ending the process. Empty when that cannot be arranged.
std::optional<NativeStdio> claim_native_stdio();

}  // namespace maildoctor::platform

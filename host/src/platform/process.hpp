#pragma once
// Process-wide set-up that every run needs before it touches a secret: the first call in main().

namespace maildoctor::platform {

// Keeps passwords out of anything the OS writes about this process (crash dumps, error-report dialogs).
// One implementation per OS: platform/posix/process.cpp, platform/windows/process.cpp.
void prepare_process();

}  // namespace maildoctor::platform

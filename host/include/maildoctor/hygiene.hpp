#pragma once
// Process set-up that keeps the password out of places it could be read from after the fact.

namespace maildoctor {

// Called first thing in main. No core dump is written, and (Linux) the process is not dumpable: no core, and no
// other process of the same user may attach to it or read its memory. Each platform supplies its own
// definition (host/src/hygiene/); failures are ignored, the diagnosis works either way. On Linux it also makes
// libcurl wipe every block it frees (its copies of the password), so it must run before any other curl call.
void protect_process_memory() noexcept;

}  // namespace maildoctor

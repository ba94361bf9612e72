#pragma once
// Process set-up that keeps the password out of places it could be read from after the fact.

namespace maildoctor {

// Called first thing in main. No core dump is written, and (Linux) the process is not dumpable: no core, and no
// other process of the same user may attach to it or read its memory. Each platform supplies its own
// definition (host/src/hygiene/); failures are ignored, the diagnosis works either way.
void protect_process_memory() noexcept;

// libcurl's process-wide set-up, once, on first use rather than at start: the native host's hello, which
// Thunderbird waits for, does not pay for OpenSSL's initialisation. On Linux it makes libcurl wipe every block it
// frees (its copies of the password), so every path into libcurl calls it first. Safe from any thread: Debian's
// libcurl initialises thread-safely (CURL_VERSION_THREADSAFE, 7.84 and later), and the call is serialised here.
void prepare_curl() noexcept;

}  // namespace maildoctor

// Windows definition of protect_process_memory() (the POSIX one is protect_posix.cpp).
#if defined(_WIN32)

#include <windows.h>

#include <mutex>

#include <curl/curl.h>

#include "maildoctor/hygiene.hpp"

namespace maildoctor {
namespace {

// Windows Error Reporting runs from the default unhandled-exception filter and may write a dump of the whole
// process, heap and all, to disk or upload it. Ending the process here first means no dump of a memory that may hold
// a password is ever taken.
LONG WINAPI end_without_dump(EXCEPTION_POINTERS* info) {
  ::TerminateProcess(::GetCurrentProcess(), info ? info->ExceptionRecord->ExceptionCode : 3u);
  return EXCEPTION_EXECUTE_HANDLER;
}

// werapi.h of Debian's MinGW-w64 does not compile; the function is looked up in kernel32 instead, and Windows
// versions (or Wine) without it just keep their default.
void exclude_heap_from_error_reports() {
  constexpr DWORD kWerFaultReportingFlagNoHeap = 1;  // WER_FAULT_REPORTING_FLAG_NOHEAP
  using WerSetFlagsFn = HRESULT(WINAPI*)(DWORD);
  const HMODULE kernel32 = ::GetModuleHandleW(L"kernel32.dll");
  const FARPROC found = kernel32 ? ::GetProcAddress(kernel32, "WerSetFlags") : nullptr;
  if (found) reinterpret_cast<WerSetFlagsFn>(reinterpret_cast<void (*)()>(found))(kWerFaultReportingFlagNoHeap);
}

}  // namespace

void protect_process_memory() noexcept {
  // No "maildoctor has stopped working" or "insert a disk" dialog: the host has no window, and a dialog would keep
  // the process, with its memory, alive until someone clicks.
  ::SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  // Fail-fast exits skip the filter below and go to WER directly: their reports then leave out the heap, where
  // passwords live.
  exclude_heap_from_error_reports();
  ::SetUnhandledExceptionFilter(end_without_dump);
}

void prepare_curl() noexcept {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace maildoctor

#endif

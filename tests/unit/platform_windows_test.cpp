// The Windows implementations behind src/platform/ (built and run only by the Windows suite, under Wine).
#include <catch2/catch.hpp>

#include <windows.h>

#include <string>
#include <thread>

#include "maildoctor/hygiene.hpp"
#include "native/framing.hpp"
#include "platform/windows/handle_stream.hpp"

using namespace maildoctor;

namespace {

struct Pipe {
  HANDLE read = nullptr;
  HANDLE write = nullptr;
  Pipe() { REQUIRE(::CreatePipe(&read, &write, nullptr, 0)); }
};

}  // namespace

TEST_CASE("frames cross a Win32 pipe byte for byte, and a closed writer reads as the end of input") {
  Pipe p;
  platform::HandleSource in(p.read);
  std::string body = "{\"type\":\"hello\"}\r\n\x1a";  // CR LF and ^Z would be mangled in text mode
  body += std::string(300 * 1024, 'x');               // larger than a pipe's buffer: the writer must wait
  bool written = false;  // Catch2 v2 assertions are not for other threads
  std::thread writer([&] {
    platform::HandleSink out(p.write);  // closes the write end when it goes
    written = out.write_all(native::encode_frame(body).data(), body.size() + 4);
  });
  const native::Frame f = native::read_frame(in);
  writer.join();
  CHECK(written);
  CHECK(f.status == native::FrameStatus::message);
  CHECK(f.body == body);
  CHECK(native::read_frame(in).status == native::FrameStatus::end);
  ::CloseHandle(p.read);
}

TEST_CASE("writing to a pipe whose reader is gone fails instead of ending the process") {
  Pipe p;
  ::CloseHandle(p.read);
  platform::HandleSink out(p.write);
  const std::string frame = native::encode_frame("{}");
  CHECK_FALSE(out.write_all(frame.data(), frame.size()));
}

TEST_CASE("process set-up turns off error dialogs and puts its own crash handler in front of error reporting") {
  const UINT mode_before = ::GetErrorMode();
  protect_process_memory();
  const UINT mode = ::GetErrorMode();
  CHECK((mode & SEM_NOGPFAULTERRORBOX) != 0);
  CHECK((mode & SEM_FAILCRITICALERRORS) != 0);
  // SetUnhandledExceptionFilter hands back the filter it replaces: ours, put there by protect_process_memory().
  const LPTOP_LEVEL_EXCEPTION_FILTER ours = ::SetUnhandledExceptionFilter(nullptr);
  CHECK(ours != nullptr);
  ::SetUnhandledExceptionFilter(ours);
  ::SetErrorMode(mode_before);
}

// The Windows implementations behind src/platform/ (built and run only by the Windows suite, under Wine).
#include <catch2/catch.hpp>

#include <winsock2.h>
#include <windows.h>

#include <curl/curl.h>

#include <string>
#include <thread>

#include "maildoctor/hygiene.hpp"
#include "native/framing.hpp"
#include "platform/socket_error.hpp"
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

TEST_CASE("a refused connection reads as refused: libcurl's OS error on Windows is a Winsock code, not errno") {
  REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  // A loopback port that was just free: bound, its number read, closed again.
  const SOCKET s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  REQUIRE(s != INVALID_SOCKET);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof a;
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::closesocket(s);
  CURL* easy = curl_easy_init();
  REQUIRE(easy);
  const std::string url = "imap://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/";
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 20000L);
  CHECK(curl_easy_perform(easy) == CURLE_COULDNT_CONNECT);
  long os_error = 0;
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_error);
  curl_easy_cleanup(easy);
  CHECK(os_error == WSAECONNREFUSED);
  CHECK(platform::connect_failure_of(os_error) == platform::ConnectFailure::refused);
  CHECK(platform::connect_failure_of(WSAETIMEDOUT) == platform::ConnectFailure::timeout);
  CHECK(platform::connect_failure_of(WSAEHOSTUNREACH) == platform::ConnectFailure::unreachable);
}

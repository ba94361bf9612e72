#pragma once
// The lines of one connection, in both directions, redacted as they arrive and bounded in size.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "maildoctor/secret.hpp"
#include "maildoctor/types.hpp"
#include "transcript/redactor.hpp"

namespace maildoctor::transcript {

inline constexpr std::size_t kMaxLogLines = 2000;
inline constexpr std::size_t kMaxLogBytes = 512 * 1024;

struct LogLine {
  char dir = '*';  // C client, S server, * note
  int ms = 0;
  std::string line;
  // A server line as received, only where masking the password changed it: the dialogue classifies the server's
  // real words. In memory only; the probe clears it before its log leaves (never shown or saved).
  std::string unmasked;
};

class SessionLog {
 public:
  using Clock = std::chrono::steady_clock;
  // t0 is the start of the whole diagnosis, so offsets of all probes share one time line.
  // username: the login name that goes with the password, so that whole SASL blobs are scrubbed too.
  SessionLog(Protocol protocol, Clock::time_point t0, const Secret& password, std::string_view username = {});
  void client_line(std::string_view line);
  void server_line(std::string_view line);
  void note(std::string_view text);
  // Splits a chunk of protocol text into lines (CRLF or LF) and feeds them one by one.
  void client_text(std::string_view text);
  void server_text(std::string_view text);

  [[nodiscard]] const std::vector<LogLine>& lines() const { return lines_; }
  [[nodiscard]] int now_ms() const;
  // Masks the password in any other text bound for the evidence (curl's error strings, for one).
  bool scrub(std::string& text) const { return scrubber_.scrub(text); }

 private:
  void add(char dir, std::string line);

  Clock::time_point t0_;
  Redactor redactor_;
  SecretScrubber scrubber_;
  std::vector<LogLine> lines_;
  std::size_t bytes_ = 0;
  bool full_ = false;
};

// Splits text into lines without their line ends; a trailing piece without a line end is a line too.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace maildoctor::transcript

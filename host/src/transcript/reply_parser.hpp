#pragma once
// Pure parsing of server reply lines for IMAP, POP3 and SMTP, and the assembly of lines into complete replies.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "maildoctor/evidence.hpp"
#include "maildoctor/types.hpp"

namespace maildoctor::transcript {

// A hostile server can send anything: these bound what one reply may keep.
inline constexpr std::size_t kMaxLineBytes = 16 * 1024;
inline constexpr std::size_t kMaxReplyLines = 200;
inline constexpr std::size_t kMaxReplyBytes = 64 * 1024;

struct ImapLine {
  enum class Kind { untagged, continuation, tagged, other } kind = Kind::other;
  std::string tag;            // tagged lines only
  std::string status;         // OK | NO | BAD | BYE | PREAUTH, upper case; empty when the line has none
  std::string response_code;  // "ALERT", "AUTHENTICATIONFAILED", "CAPABILITY" ... (first atom inside [...])
  std::string response_code_args;  // the rest inside the brackets
  std::string text;           // human text after status and response code
};
ImapLine parse_imap_line(std::string_view line);

struct SmtpLine {
  bool valid = false;  // starts with three digits followed by ' ', '-' or the end of the line
  int code = 0;
  bool last = true;    // false for "250-..." continuation lines
  std::string enhanced;  // RFC 3463 class.subject.detail when the text starts with one
  std::string text;
};
SmtpLine parse_smtp_line(std::string_view line);

struct Pop3Line {
  enum class Kind { ok, err, continuation, other } kind = Kind::other;
  std::string response_code;  // RFC 2449 / RFC 3206: "AUTH", "SYS/TEMP", "IN-USE", "LOGIN-DELAY"
  std::string text;
};
Pop3Line parse_pop3_line(std::string_view line);

// "[CODE args] text" -> {"CODE", "args"}; empty when the text does not start with a bracket.
struct BracketCode {
  std::string code;
  std::string args;
  std::string rest;
};
BracketCode parse_bracket_code(std::string_view text);

// RFC 3463 "x.y.z" at the start of text, else empty.
std::string parse_enhanced_code(std::string_view text);
// The RFC 3463 code that starts at s[i], or empty: the one grammar behind parse_enhanced_code and the rules' search of
// a reply's text (rule_match.cpp).
std::string enhanced_code_at(std::string_view s, std::size_t i);

// Cuts an over-long line and says so, so that nothing downstream holds an unbounded string.
std::string bound_line(std::string_view line);

// Builds a Reply from all lines of one server answer; the parsed fields come from the final line.
Reply make_reply(Protocol protocol, const std::vector<std::string>& lines);
// The reply's verdict, one definition for the probe, its checks and the diagnosis. A reply can be neither (no final
// line yet): positive is OK / +OK / 2xx-3xx, negative is NO, BAD, BYE / -ERR / 4xx-5xx.
bool positive(Protocol protocol, const Reply& r);
bool negative(Protocol protocol, const Reply& r);

// Appends a line to a reply being collected, keeping within the per-reply bounds (a marker line says what was dropped).
class BoundedLines {
 public:
  void add(std::string_view line);
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }
  std::vector<std::string> take();
  [[nodiscard]] bool empty() const { return lines_.empty() && dropped_ == 0; }

 private:
  std::vector<std::string> lines_;
  std::size_t bytes_ = 0;
  std::size_t dropped_ = 0;
};

}  // namespace maildoctor::transcript

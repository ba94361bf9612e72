#include <catch2/catch.hpp>

#include <chrono>

#include "transcript/redactor.hpp"
#include "transcript/reply_parser.hpp"
#include "transcript/session_log.hpp"

using namespace maildoctor;
using namespace maildoctor::transcript;

// Every case runs the state machine alone: nothing tells it the password, so it must find it from the dialogue.
namespace {
const std::string kPw = "Canary-Pw-4711";
bool leaks(const std::string& s) { return s.find(kPw) != std::string::npos || s.find("Q2FuYXJ5") != std::string::npos; }
}  // namespace

TEST_CASE("IMAP LOGIN with atoms keeps the user and masks the password", "[redaction]") {
  Redactor r(Protocol::imap);
  auto out = r.client_line("A001 LOGIN bob " + kPw);
  CHECK(out == "A001 LOGIN bob <redacted>");
  CHECK(r.masking());
  r.server_line("A001 NO [AUTHENTICATIONFAILED] Authentication failed.");
  CHECK_FALSE(r.masking());
  CHECK(r.client_line("A002 LOGOUT") == "A002 LOGOUT");
}

TEST_CASE("IMAP LOGIN with quoted strings, escapes and spaces", "[redaction]") {
  Redactor r(Protocol::imap);
  auto out = r.client_line(R"(A001 LOGIN "bob \"the\" user@example.test" "Canary \"Pw\" 4711")");
  CHECK(out == R"(A001 LOGIN "bob \"the\" user@example.test" <redacted>)");
  CHECK(out.find("Canary") == std::string::npos);
}

TEST_CASE("IMAP LOGIN with literals masks the password literal on its own line", "[redaction]") {
  Redactor r(Protocol::imap);
  CHECK(r.client_line("A001 LOGIN {3}") == "A001 LOGIN {3}");
  r.server_line("+ Ready for literal data");
  auto second = r.client_line("bob {14}");
  CHECK(second == "bob <redacted>");
  r.server_line("+ Ready for literal data");
  CHECK(r.client_line(kPw) == "<redacted>");
  r.server_line("A001 OK Logged in");
  CHECK(r.client_line("A002 EXAMINE INBOX") == "A002 EXAMINE INBOX");

  Redactor r2(Protocol::imap);
  CHECK(r2.client_line("A1 LOGIN bob {14+}") == "A1 LOGIN bob <redacted>");
  CHECK(r2.client_line(kPw) == "<redacted>");
}

TEST_CASE("IMAP AUTHENTICATE with initial response and continuations", "[redaction]") {
  Redactor r(Protocol::imap);
  CHECK(r.client_line("A004 AUTHENTICATE PLAIN AGJvYgBDYW5hcnktUHctNDcxMQ==") == "A004 AUTHENTICATE PLAIN <redacted>");
  r.server_line("A004 NO [AUTHENTICATIONFAILED] Authentication failed.");
  CHECK_FALSE(r.masking());

  Redactor l(Protocol::imap);
  CHECK(l.client_line("A004 AUTHENTICATE LOGIN") == "A004 AUTHENTICATE LOGIN");
  l.server_line("+ VXNlcm5hbWU6");
  CHECK(l.client_line("Ym9i") == "<redacted>");
  l.server_line("+ UGFzc3dvcmQ6");
  CHECK(l.client_line("Q2FuYXJ5LVB3LTQ3MTE=") == "<redacted>");
  l.server_line("* OK untagged note");  // untagged lines do not end the exchange
  CHECK(l.masking());
  l.server_line("A003 OK some other tag");
  CHECK(l.masking());
  l.server_line("A004 OK Logged in");
  CHECK_FALSE(l.masking());
}

TEST_CASE("XOAUTH2 token and its error continuation are masked", "[redaction]") {
  Redactor r(Protocol::imap);
  CHECK(r.client_line("A1 AUTHENTICATE XOAUTH2 dXNlcj1ib2IBYXV0aD1CZWFyZXIgdG9rZW4BAQ==") == "A1 AUTHENTICATE XOAUTH2 <redacted>");
  r.server_line("+ eyJzdGF0dXMiOiI0MDAifQ==");
  CHECK(r.client_line("") == "<redacted>");
  r.server_line("A1 NO [AUTHENTICATIONFAILED] Invalid credentials");
  CHECK_FALSE(r.masking());

  Redactor s(Protocol::smtp);
  CHECK(s.client_line("AUTH XOAUTH2 dXNlcj1ib2IBYXV0aD1CZWFyZXIgdG9rZW4BAQ==") == "AUTH XOAUTH2 <redacted>");
  s.server_line("334 eyJzdGF0dXMiOiI0MDAifQ==");
  CHECK(s.client_line("") == "<redacted>");
  s.server_line("535-5.7.8 Username and Password not accepted.");
  CHECK(s.masking());
  s.server_line("535 5.7.8 https://support.example");
  CHECK_FALSE(s.masking());
}

TEST_CASE("POP3 PASS, APOP and AUTH", "[redaction]") {
  Redactor r(Protocol::pop3);
  CHECK(r.client_line("USER bob") == "USER bob");
  CHECK(r.client_line("PASS " + kPw) == "PASS <redacted>");
  r.server_line("-ERR [AUTH] Authentication failed.");
  CHECK(r.client_line("APOP bob c4c9334bac560ecc979e58001b3e22fb") == "APOP bob <redacted>");
  r.server_line("+OK");
  CHECK(r.client_line("AUTH PLAIN") == "AUTH PLAIN");
  r.server_line("+ ");
  CHECK(r.client_line("AGJvYgBDYW5hcnktUHctNDcxMQ==") == "<redacted>");
  r.server_line("-ERR [AUTH] Authentication failed.");
  CHECK_FALSE(r.masking());
  CHECK(r.client_line("AUTH") == "AUTH");
  CHECK(r.client_line("QUIT") == "QUIT");
}

TEST_CASE("SMTP AUTH PLAIN with and without initial response, AUTH LOGIN", "[redaction]") {
  Redactor r(Protocol::smtp);
  CHECK(r.client_line("AUTH PLAIN AGJvYgBDYW5hcnktUHctNDcxMQ==") == "AUTH PLAIN <redacted>");
  r.server_line("235 2.7.0 Authentication successful");
  CHECK_FALSE(r.masking());
  CHECK(r.client_line("AUTH PLAIN") == "AUTH PLAIN");
  r.server_line("334 ");
  CHECK(r.client_line("AGJvYgBDYW5hcnktUHctNDcxMQ==") == "<redacted>");
  r.server_line("535 5.7.8 Error: authentication failed");
  CHECK(r.client_line("AUTH LOGIN") == "AUTH LOGIN");
  r.server_line("334 VXNlcm5hbWU6");
  CHECK(r.client_line("Ym9i") == "<redacted>");
  r.server_line("334 UGFzc3dvcmQ6");
  CHECK(r.client_line("Q2FuYXJ5LVB3LTQ3MTE=") == "<redacted>");
  r.server_line("235 2.7.0 ok");
  CHECK(r.client_line("MAIL FROM:<bob@example.test>") == "MAIL FROM:<bob@example.test>");
}

TEST_CASE("the scrubber catches the password and every base64 alignment of it", "[redaction]") {
  SecretScrubber s{Secret(kPw)};
  std::string plain = "error: user bob password " + kPw + " rejected";
  CHECK(s.scrub(plain));
  CHECK_FALSE(leaks(plain));
  // SASL PLAIN "\0bob\0pw", and the password at each of three offsets inside a base64 stream.
  for (const char* blob : {"AGJvYgBDYW5hcnktUHctNDcxMQ==", "eENhbmFyeS1Qdy00NzEx", "eHhDYW5hcnktUHctNDcxMQ=="}) {
    std::string t = std::string("S: ") + blob;
    CHECK(s.scrub(t));
    CHECK(t.find(blob) == std::string::npos);
  }
  std::string innocent = "A1 OK Logged in";
  CHECK_FALSE(s.scrub(innocent));
}

TEST_CASE("a session log never stores the password it was given", "[redaction]") {
  Secret pw(kPw);
  SessionLog log(Protocol::imap, std::chrono::steady_clock::now(), pw);
  log.server_line("* OK ready");
  log.client_text("A001 LOGIN bob " + kPw + "\r\n");
  log.server_line("A001 NO [AUTHENTICATIONFAILED] nope " + kPw);  // even a server echoing it
  log.note("curl said " + kPw);
  for (const auto& l : log.lines()) CHECK_FALSE(leaks(l.line));
  REQUIRE(log.lines().size() == 4);
  CHECK(log.lines()[1].line == "A001 LOGIN bob <redacted>");
  CHECK(log.lines()[1].dir == 'C');
}

// --- the scrubber alone: every form the probe can send the password in (issue 12 §4) -------------------------

namespace {
std::string b64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s : {18, 12, 6, 0}) out += k[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}
}  // namespace

TEST_CASE("the scrubber masks the IMAP-quoted form curl sends for a password with quotes or backslashes", "[redaction][security]") {
  const std::string pw = R"(se"cr\et)";
  SecretScrubber s{Secret(pw), "bob"};
  std::string line = R"(A001 LOGIN bob "se\"cr\\et")";  // libcurl's imap_atom(): backslash before " and \.
  CHECK(s.scrub(line));
  CHECK(line.find(R"(se\"cr\\et)") == std::string::npos);
  CHECK(line.find("cr\\\\et") == std::string::npos);
  // An IMAP literal carries the bytes as they are, on a line of their own.
  std::string literal = pw;
  CHECK(s.scrub(literal));
  CHECK(literal.find("cr\\et") == std::string::npos);
}

TEST_CASE("the scrubber masks whole SASL blobs even for a password too short for the alignment needles", "[redaction][security]") {
  const std::string pw = "ab1";
  SecretScrubber s{Secret(pw), "bob@example.test"};
  for (const std::string& blob : {b64(std::string("\0bob@example.test\0", 18) + pw),                      // PLAIN
                                  b64("bob@example.test" + std::string("\0bob@example.test\0", 18) + pw),  // PLAIN, authzid
                                  b64(pw),                                                                // LOGIN's answer
                                  b64("user=bob@example.test\x01" "auth=Bearer " + pw + "\x01\x01")}) {    // XOAUTH2
    INFO(blob);
    std::string line = "C: " + blob;
    CHECK(s.scrub(line));
    CHECK(line.find(blob) == std::string::npos);
  }
  std::string innocent = "A1 OK Logged in as bob";
  CHECK_FALSE(s.scrub(innocent));
}

TEST_CASE("a session log scrubs a line before it cuts it at 16 KiB", "[redaction][security]") {
  Secret pw(kPw);
  SessionLog log(Protocol::imap, std::chrono::steady_clock::now(), pw);
  // A server line whose echo of the password straddles the cut: before the fix the kept part ended in
  // "Canary-Pw-47", which no needle matched any more.
  const std::string line = "* OK " + std::string(kMaxLineBytes - 5 - 6, 'x') + kPw + " trailing";
  log.server_line(line);
  REQUIRE(log.lines().size() == 1);
  CHECK(log.lines()[0].line.find("Canary-Pw") == std::string::npos);
  CHECK(log.lines()[0].line.find("Canary") == std::string::npos);
}

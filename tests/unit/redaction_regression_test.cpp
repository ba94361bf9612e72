#include <catch2/catch.hpp>

#include "transcript/redactor.hpp"

using namespace maildoctor;
using namespace maildoctor::transcript;

// Regressions found by tests/fuzz/fuzz_transcript.cpp: the redactor ended masking on a line that libcurl does not
// take as the end of the login, so the credential curl sent next reached the transcript (the scrubber still caught
// passwords of four or more characters; shorter ones leaked).
namespace {
const std::string kUser64 = "Ym9i";      // "bob"
const std::string kPass64 = "YWJj";      // "abc": too short for the scrubber, so only the state machine protects it
}  // namespace

TEST_CASE("IMAP: an untagged BYE in the middle of AUTHENTICATE does not end masking (curl ignores it)", "[redaction][regression]") {
  Redactor r(Protocol::imap);
  r.client_line("A001 AUTHENTICATE LOGIN");
  r.server_line("+ VXNlcm5hbWU6");
  CHECK(r.client_line(kUser64) == "<redacted>");
  r.server_line("* BYE not really");
  r.server_line("+ UGFzc3dvcmQ6");
  CHECK(r.client_line(kPass64) == "<redacted>");
  r.server_line("A001 NO [AUTHENTICATIONFAILED] Authentication failed.");
  CHECK_FALSE(r.masking());
}

TEST_CASE("IMAP: only the exact tag at the start of the line ends masking", "[redaction][regression]") {
  Redactor r(Protocol::imap);
  r.client_line("A001 AUTHENTICATE PLAIN");
  r.server_line(" A001 OK with a leading space");  // curl compares the tag at column 0
  r.server_line("a001 OK lower-case tag");         // curl's comparison is case-sensitive
  CHECK(r.masking());
  r.server_line("+ ");
  CHECK(r.client_line(kPass64) == "<redacted>");
  r.server_line("A001 OK done");
  CHECK_FALSE(r.masking());
}

TEST_CASE("POP3: a lower-case +ok is a continuation for curl, not the end of AUTH", "[redaction][regression]") {
  Redactor r(Protocol::pop3);
  r.client_line("AUTH LOGIN");
  r.server_line("+ VXNlcm5hbWU6");
  CHECK(r.client_line(kUser64) == "<redacted>");
  r.server_line("+Ok");
  CHECK(r.masking());
  CHECK(r.client_line(kPass64) == "<redacted>");
  r.server_line("-ERR [AUTH] Authentication failed.");
  CHECK_FALSE(r.masking());
}

TEST_CASE("POP3: +OK ends masking even without a space after it, as in curl", "[redaction][regression]") {
  Redactor r(Protocol::pop3);
  r.client_line("PASS abc");
  r.server_line("+OKlogged in");
  CHECK_FALSE(r.masking());
}

TEST_CASE("SMTP: intermediate lines and 334 keep masking; a final code with a space ends it", "[redaction][regression]") {
  Redactor r(Protocol::smtp);
  r.client_line("AUTH LOGIN");
  r.server_line("535-5.7.8 first line of a multi-line refusal");
  r.server_line("334 UGFzc3dvcmQ6");
  CHECK(r.client_line(kPass64) == "<redacted>");
  r.server_line("535 5.7.8 Error: authentication failed");
  CHECK_FALSE(r.masking());
}

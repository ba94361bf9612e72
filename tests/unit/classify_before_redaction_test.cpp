// The server's own words are classified; only what is shown or saved is masked. A password that is an ordinary
// word ("password", "mail") is masked in the server's reason as well, and classifying the masked text would miss it.
#include <catch2/catch.hpp>

#include <chrono>

#include "maildoctor/rules.hpp"
#include "probe/dialogue.hpp"
#include "transcript/session_log.hpp"

using namespace maildoctor;

namespace {
const rules::Rule* classify(const Reply& reply, Protocol protocol) {
  rules::MatchInput in;
  in.protocol = protocol;
  in.stage = "auth";
  in.reply = reply;
  in.host = "imap.gmail.com";
  return rules::first_match(rules::rules(), in);
}

bool shows(const Reply& r, std::string_view word) {
  for (const auto& l : r.lines)
    if (l.find(word) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("a password that is an ordinary word does not scrub the server's reason before classification", "[redaction][rules]") {
  const Secret password("password");
  transcript::SessionLog log(Protocol::imap, std::chrono::steady_clock::now(), password, "bob@gmail.com");
  log.server_line("* OK Gimap ready for requests");
  log.client_line("A001 LOGIN bob@gmail.com password");
  log.server_line("A001 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)");

  // What is shown or saved never holds the word that is the password.
  for (const auto& l : log.lines()) CHECK(l.line.find("password") == std::string::npos);

  probe::Dialogue d = probe::build_dialogue(Protocol::imap, log.lines());
  REQUIRE(d.exchanges.size() == 1);
  const Reply& reply = d.exchanges[0].reply;
  CHECK_FALSE(shows(reply, "password"));  // the evidence stays masked
  CHECK(reply.status == "NO");
  const rules::Rule* r = classify(reply, Protocol::imap);
  REQUIRE(r);
  CHECK(r->id == "app-password.google-asp");
  CHECK(r->code == "auth.app_password_required");
}

TEST_CASE("POP3: the password \"access\" does not hide \"POP access is disabled\" from the classifier", "[redaction][rules]") {
  const Secret password("access");
  transcript::SessionLog log(Protocol::pop3, std::chrono::steady_clock::now(), password, "bob@example.org");
  log.server_line("+OK ready");
  log.client_line("USER bob@example.org");
  log.server_line("+OK");
  log.client_line("PASS access");
  log.server_line("-ERR POP access is disabled for this account");
  probe::Dialogue d = probe::build_dialogue(Protocol::pop3, log.lines());
  REQUIRE(d.exchanges.size() == 2);
  const Reply& reply = d.exchanges[1].reply;
  CHECK_FALSE(shows(reply, "access"));
  CHECK(reply.status == "-ERR");
  const rules::Rule* r = classify(reply, Protocol::pop3);
  REQUIRE(r);
  CHECK(r->code == "auth.protocol_disabled");
}

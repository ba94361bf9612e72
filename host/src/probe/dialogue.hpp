#pragma once
// Reads a (redacted) connection log back as a dialogue: the greeting, then each client command with the server's
// complete reply. libcurl drives the session, so this is how the probe learns what was said.
#include <string>
#include <vector>

#include "maildoctor/evidence.hpp"
#include "transcript/session_log.hpp"

namespace maildoctor::probe {

struct Exchange {
  std::string command;  // the first client line, redacted
  std::string verb;     // upper case: CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE, EHLO, AUTH, PASS, ...
  std::string argument; // first word after the verb (the SASL mechanism for AUTH / AUTHENTICATE), upper case
  Reply reply;          // every server line of the exchange (continuations and challenges included)
  bool complete = false;
  bool after_tls = false;  // sent after a successful STARTTLS
  int start_ms = 0;        // when the command went out, and when its reply ended (diagnosis time line)
  int end_ms = 0;
};

struct Dialogue {
  Reply greeting;
  bool greeting_complete = false;
  std::vector<Exchange> exchanges;
  std::vector<std::string> notes;  // curl's informational lines
};

// Whether `line` ends the reply to `e`; `lines_so_far` server lines of that reply came before it.
bool reply_ends(Protocol protocol, const Exchange& e, std::string_view line, std::size_t lines_so_far);

Dialogue build_dialogue(Protocol protocol, const std::vector<transcript::LogLine>& lines);

GreetingEvidence::Status classify_greeting(Protocol protocol, const Reply& greeting);

// Fills greeting, capabilities (before/after STARTTLS), and the login exchange of `out` from the dialogue.
// `implicit_tls`: the whole connection was encrypted from the start.
struct DialogueFacts {
  bool starttls_sent = false;
  bool starttls_ok = false;
  const Exchange* login = nullptr;  // the LOGIN / AUTHENTICATE / AUTH / USER+PASS / APOP exchange, if one went out
  std::string login_mechanism;
  bool no_known_mechanism = false;  // curl: "No known authentication mechanisms supported"
  // The server refused service in the middle of the pre-login dialogue (IMAP untagged BYE, SMTP 421): its reply.
  // It is why such a session breaks off, and it is not a malformed reply.
  Reply service_refusal;
};
DialogueFacts read_dialogue(Protocol protocol, const Dialogue& d, ProbeResult& out);

}  // namespace maildoctor::probe

// Server reply and transcript parsing (IMAP, POP3, SMTP), and redaction by protocol state.
// Whatever a server sends, the parsers stay within their bounds, and no credential line the client sends
// during a login ever reaches the log: the redaction state machine is tested on its own (no scrubber),
// with a client that behaves as libcurl does (it answers a continuation, nothing else).
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "maildoctor/evidence.hpp"
#include "probe/dialogue.hpp"
#include "transcript/capabilities.hpp"
#include "transcript/reply_parser.hpp"
#include "transcript/session_log.hpp"

using namespace maildoctor;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

const std::string kUser = "fuzz.user@example.test";
const std::string kPassword = "Fz-pw-9f3Q-canary";

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The password and the base64 characters that depend only on it, at each alignment.
std::vector<std::string> leak_forms() {
  std::vector<std::string> forms{kPassword};
  for (std::size_t k = 0; k < 3; ++k) {
    const std::string enc = base64(std::string(k, '\0') + kPassword);
    const std::size_t first = (8 * k + 5) / 6, last = (8 * (k + kPassword.size())) / 6;
    forms.push_back(enc.substr(first, last - first));
  }
  return forms;
}

// client_only: the state machine masks what the client sends; a server that echoes the password back is the
// scrubber's to catch, and the scripted mode runs without one.
void require_no_leak(const std::vector<transcript::LogLine>& lines, bool client_only) {
  static const std::vector<std::string> forms = leak_forms();
  for (const auto& l : lines) {
    if (client_only && l.dir != 'C') continue;
    for (const auto& f : forms) require(l.line.find(f) == std::string::npos);
  }
}

void require_bounded(const std::vector<transcript::LogLine>& lines) {
  require(lines.size() <= transcript::kMaxLogLines);
  std::size_t bytes = 0;
  for (const auto& l : lines) {
    require(l.line.size() <= transcript::kMaxLineBytes + 128);
    bytes += l.line.size();
  }
  require(bytes <= transcript::kMaxLogBytes + 256);
}

void parse_everything(Protocol p, const std::vector<std::string>& server_lines) {
  transcript::BoundedLines bounded;
  for (const auto& line : server_lines) {
    bounded.add(line);
    switch (p) {
      case Protocol::imap: (void)transcript::parse_imap_line(line); break;
      case Protocol::pop3: (void)transcript::parse_pop3_line(line); break;
      case Protocol::smtp: (void)transcript::parse_smtp_line(line); break;
    }
    (void)transcript::parse_bracket_code(line);
    (void)transcript::parse_enhanced_code(line);
  }
  require(bounded.lines().size() <= transcript::kMaxReplyLines + 1);
  const Reply r = transcript::make_reply(p, server_lines);
  (void)r.text();
  switch (p) {
    case Protocol::imap: (void)transcript::parse_imap_capabilities(server_lines); break;
    case Protocol::pop3: (void)transcript::parse_pop3_capabilities(server_lines); break;
    case Protocol::smtp: (void)transcript::parse_smtp_capabilities(server_lines); break;
  }
}

// How libcurl 7.88 reads a server line during a login (imap_endofresp, pop3_endofresp, smtp_endofresp): only a
// continuation makes it send the next credential line, and a final reply ends the exchange for good.
enum class Response { ignored, continuation, final };

Response curl_reads(Protocol p, const std::string& line) {
  switch (p) {
    case Protocol::imap:
      if (line.rfind("A001 ", 0) == 0) return Response::final;
      if (line == "+" || line.rfind("+ ", 0) == 0) return Response::continuation;
      return Response::ignored;  // untagged lines, "* BYE" included, do not end AUTHENTICATE for curl
    case Protocol::pop3:
      if (line.rfind("-ERR", 0) == 0 || line.rfind("+OK", 0) == 0) return Response::final;
      if (!line.empty() && line[0] == '+') return Response::continuation;
      return Response::ignored;
    case Protocol::smtp: {
      if (line.size() < 3 || !isdigit(static_cast<unsigned char>(line[0])) || !isdigit(static_cast<unsigned char>(line[1])) ||
          !isdigit(static_cast<unsigned char>(line[2])))
        return Response::ignored;
      if (line.size() > 3 && line[3] != ' ') return Response::ignored;
      return line.rfind("334", 0) == 0 ? Response::continuation : Response::final;
    }
  }
  return Response::ignored;
}

// The client's opening line of a login, and the credential lines it sends, one per server continuation.
struct LoginScript {
  std::string first;
  std::vector<std::string> answers;
};

LoginScript login_script(Protocol p, int which) {
  const std::string plain = base64(std::string("\0", 1) + kUser + std::string("\0", 1) + kPassword);
  const std::string user64 = base64(kUser), pw64 = base64(kPassword);
  switch (p) {
    case Protocol::imap:
      switch (which % 5) {
        case 0: return {"A001 LOGIN " + kUser + " " + kPassword, {}};
        case 1: return {"A001 LOGIN \"" + kUser + "\" \"" + kPassword + "\"", {}};
        case 2: return {"A001 AUTHENTICATE PLAIN " + plain, {}};
        case 3: return {"A001 AUTHENTICATE PLAIN", {plain}};
        default: return {"A001 AUTHENTICATE LOGIN", {user64, pw64}};
      }
    case Protocol::pop3:
      switch (which % 4) {
        case 0: return {"USER " + kUser, {}};  // PASS follows the +OK, handled by the caller
        case 1: return {"AUTH PLAIN " + plain, {}};
        case 2: return {"AUTH PLAIN", {plain}};
        default: return {"AUTH LOGIN", {user64, pw64}};
      }
    case Protocol::smtp:
      switch (which % 3) {
        case 0: return {"AUTH PLAIN " + plain, {}};
        case 1: return {"AUTH PLAIN", {plain}};
        default: return {"AUTH LOGIN " + user64, {pw64}};
      }
  }
  return {};
}

}  // namespace

// Input: one selector byte (bits 0-1 protocol, bit 2 scripted login, bits 3-7 which login), then text lines.
// Scripted: every line is the server's, the client answers as curl would. Otherwise a line starting with 'C' is
// the client's (the rest of it), any other line the server's.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const auto protocol = static_cast<Protocol>((selector & 3) % 3);
  const bool scripted = (selector & 4) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> server_lines;

  if (scripted) {
    // No scrubber: only the protocol state machine stands between the credential and the log.
    transcript::SessionLog log(protocol, t0, Secret{});
    const LoginScript script = login_script(protocol, selector >> 3);
    log.client_line(script.first);
    std::size_t next = 0;
    bool pop3_pass_pending = protocol == Protocol::pop3 && script.first.rfind("USER", 0) == 0;
    bool over = false;
    for (auto piece : transcript::split_lines(text)) {
      const std::string line(piece);
      server_lines.push_back(line);
      log.server_line(line);
      if (over) continue;
      const Response r = curl_reads(protocol, line);
      if (pop3_pass_pending && r == Response::final) {
        if (line.rfind("+OK", 0) == 0) log.client_line("PASS " + kPassword);
        pop3_pass_pending = false;  // PASS is a new command: its reply ends the exchange
        continue;
      }
      if (r == Response::final) {
        over = true;
      } else if (r == Response::continuation && next < script.answers.size()) {
        log.client_line(script.answers[next++]);
      }
    }
    require_no_leak(log.lines(), true);
    require_bounded(log.lines());
  } else {
    // Arbitrary traffic both ways, with the password known to the log (scrubber on).
    transcript::SessionLog log(protocol, t0, Secret(kPassword));
    for (auto piece : transcript::split_lines(text)) {
      if (!piece.empty() && piece[0] == 'C') {
        log.client_line(piece.substr(1));
      } else {
        log.server_line(piece);
        server_lines.emplace_back(piece);
      }
    }
    require_no_leak(log.lines(), false);
    require_bounded(log.lines());
    const probe::Dialogue d = probe::build_dialogue(protocol, log.lines());
    ProbeResult out;
    (void)probe::read_dialogue(protocol, d, out);
    (void)probe::classify_greeting(protocol, d.greeting);
  }
  parse_everything(protocol, server_lines);
  return 0;
}

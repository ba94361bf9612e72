#include "probe/dialogue.hpp"

#include "transcript/capabilities.hpp"
#include "transcript/reply_parser.hpp"
#include "transcript/text_util.hpp"

namespace maildoctor::probe {

using transcript::iequals;
using transcript::split_words;
using transcript::upper;

namespace {

bool pop3_multiline(const Exchange& e) {
  if (e.verb == "CAPA" || e.verb == "TOP" || e.verb == "RETR") return true;
  // LIST, UIDL and AUTH without an argument answer with a list.
  return (e.verb == "LIST" || e.verb == "UIDL" || e.verb == "AUTH") && e.argument.empty();
}

}  // namespace

bool reply_ends(Protocol protocol, const Exchange& e, std::string_view line, std::size_t lines_so_far) {
  switch (protocol) {
    case Protocol::imap: {
      auto l = transcript::parse_imap_line(line);
      auto words = split_words(e.command);
      if (l.kind == transcript::ImapLine::Kind::tagged) return words.empty() || l.tag == words[0];
      return l.kind == transcript::ImapLine::Kind::untagged && l.status == "BYE" && e.verb != "LOGOUT";
    }
    case Protocol::pop3: {
      auto l = transcript::parse_pop3_line(line);
      if (lines_so_far == 0 || (e.verb == "AUTH" && !e.argument.empty())) {
        if (l.kind == transcript::Pop3Line::Kind::err) return true;
        if (l.kind == transcript::Pop3Line::Kind::ok) return !pop3_multiline(e);
        return false;
      }
      return transcript::trim(line) == ".";
    }
    case Protocol::smtp: {
      auto l = transcript::parse_smtp_line(line);
      return l.valid && l.last && l.code != 334;
    }
  }
  return true;
}

namespace {

using transcript::positive;

Exchange start_exchange(Protocol protocol, const std::string& line, bool after_tls) {
  Exchange e;
  e.command = line;
  e.after_tls = after_tls;
  auto words = split_words(line);
  std::size_t verb_at = protocol == Protocol::imap ? 1 : 0;  // IMAP commands start with a tag
  if (words.size() > verb_at) e.verb = upper(words[verb_at]);
  if (words.size() > verb_at + 1) e.argument = upper(words[verb_at + 1]);
  if (protocol == Protocol::smtp && (e.verb == "MAIL" || e.verb == "RCPT")) e.argument.clear();
  return e;
}

}  // namespace

Dialogue build_dialogue(Protocol protocol, const std::vector<transcript::LogLine>& lines) {
  Dialogue d;
  transcript::BoundedLines greeting, greeting_words;
  transcript::BoundedLines current, current_words;  // *_words: the server's real words (LogLine::unmasked)
  bool greeting_masked = false, current_masked = false;
  bool in_exchange = false;
  bool after_tls = false;
  auto finish = [&](bool complete) {
    if (!in_exchange) return;
    Exchange& e = d.exchanges.back();
    e.reply = transcript::make_reply(protocol, current.take());
    std::vector<std::string> words = current_words.take();
    if (current_masked) e.reply.unmasked = std::move(words);
    current_masked = false;
    e.complete = complete;
    if (complete && (e.verb == "STARTTLS" || e.verb == "STLS") && positive(protocol, e.reply)) after_tls = true;
    in_exchange = false;
  };
  for (const auto& l : lines) {
    if (l.dir == '*') {
      d.notes.push_back(l.line);
      continue;
    }
    if (l.dir == 'C') {
      if (in_exchange) continue;  // a continuation line of the running exchange (SASL answers, literals)
      if (!d.greeting_complete && !greeting.empty()) d.greeting_complete = true;
      d.exchanges.push_back(start_exchange(protocol, l.line, after_tls));
      d.exchanges.back().start_ms = d.exchanges.back().end_ms = l.ms;
      in_exchange = true;
      continue;
    }
    // A server line.
    if (!in_exchange) {
      if (d.exchanges.empty() && !d.greeting_complete) {
        greeting.add(l.line);
        greeting_words.add(l.unmasked.empty() ? l.line : l.unmasked);
        greeting_masked = greeting_masked || !l.unmasked.empty();
        // IMAP and POP3 greet with one line; SMTP's greeting may be multi-line.
        if (protocol != Protocol::smtp) d.greeting_complete = true;
        else {
          auto s = transcript::parse_smtp_line(l.line);
          d.greeting_complete = !s.valid || s.last;
        }
      }
      continue;  // unsolicited lines after the greeting carry nothing the evidence uses
    }
    std::size_t so_far = current.lines().size();
    current.add(l.line);
    current_words.add(l.unmasked.empty() ? l.line : l.unmasked);
    current_masked = current_masked || !l.unmasked.empty();
    d.exchanges.back().end_ms = l.ms;
    if (reply_ends(protocol, d.exchanges.back(), l.line, so_far)) finish(true);
  }
  finish(false);
  d.greeting = transcript::make_reply(protocol, greeting.take());
  if (greeting_masked) d.greeting.unmasked = greeting_words.take();
  return d;
}

GreetingEvidence::Status classify_greeting(Protocol protocol, const Reply& g) {
  if (g.lines.empty()) return GreetingEvidence::Status::silent;
  const std::string& first = g.lines.front();
  switch (protocol) {
    case Protocol::imap: {
      auto l = transcript::parse_imap_line(first);
      if (l.kind != transcript::ImapLine::Kind::untagged) return GreetingEvidence::Status::unexpected;
      if (l.status == "OK" || l.status == "PREAUTH")
        return l.response_code == "UNAVAILABLE" ? GreetingEvidence::Status::unavailable : GreetingEvidence::Status::ok;
      if (l.status == "BYE") return GreetingEvidence::Status::unavailable;
      return GreetingEvidence::Status::unexpected;
    }
    case Protocol::pop3: {
      auto l = transcript::parse_pop3_line(first);
      if (l.kind == transcript::Pop3Line::Kind::ok) return GreetingEvidence::Status::ok;
      if (l.kind == transcript::Pop3Line::Kind::err) return GreetingEvidence::Status::unavailable;
      return GreetingEvidence::Status::unexpected;
    }
    case Protocol::smtp: {
      auto l = transcript::parse_smtp_line(first);
      if (!l.valid) return GreetingEvidence::Status::unexpected;
      if (g.code == 220) return GreetingEvidence::Status::ok;
      if (g.code == 421 || g.code == 554 || g.code / 100 == 4 || g.code / 100 == 5) return GreetingEvidence::Status::unavailable;
      return GreetingEvidence::Status::unexpected;
    }
  }
  return GreetingEvidence::Status::unexpected;
}

namespace {
bool is_login_verb(Protocol protocol, const std::string& verb) {
  switch (protocol) {
    case Protocol::imap: return verb == "LOGIN" || verb == "AUTHENTICATE";
    case Protocol::pop3: return verb == "AUTH" || verb == "USER" || verb == "PASS" || verb == "APOP";
    case Protocol::smtp: return verb == "AUTH";
  }
  return false;
}

// RFC 9051 7.1.5: an untagged BYE outside LOGOUT means the server is closing the connection on us; RFC 5321 4.2.2:
// 421 is "service not available, closing transmission channel". POP3 has no such marker before a login.
bool refuses_service(Protocol protocol, const Exchange& e) {
  switch (protocol) {
    case Protocol::imap:
      if (e.verb == "LOGOUT") return false;
      for (const auto& line : e.reply.lines) {
        auto l = transcript::parse_imap_line(line);
        if (l.kind == transcript::ImapLine::Kind::untagged && l.status == "BYE") return true;
      }
      return false;
    case Protocol::smtp: return e.reply.code == 421;
    case Protocol::pop3: return false;
  }
  return false;
}
}  // namespace

DialogueFacts read_dialogue(Protocol protocol, const Dialogue& d, ProbeResult& out) {
  DialogueFacts f;
  out.greeting.reply = d.greeting;
  Capabilities before, after;
  if (protocol == Protocol::imap) before = transcript::parse_imap_capabilities(d.greeting.lines);
  for (const auto& e : d.exchanges) {
    Capabilities parsed;
    if (protocol == Protocol::imap && e.verb == "CAPABILITY")
      parsed = transcript::parse_imap_capabilities(e.reply.lines);
    else if (protocol == Protocol::pop3 && e.verb == "CAPA")
      parsed = transcript::parse_pop3_capabilities(e.reply.lines);
    else if (protocol == Protocol::smtp && (e.verb == "EHLO" || e.verb == "HELO"))
      parsed = transcript::parse_smtp_capabilities(e.reply.lines);
    if (parsed.known) (e.after_tls ? after : before) = parsed;
    if (!f.login && f.service_refusal.empty() && refuses_service(protocol, e)) f.service_refusal = e.reply;
    if (e.verb == "STARTTLS" || e.verb == "STLS") {
      f.starttls_sent = true;
      f.starttls_ok = e.complete && positive(protocol, e.reply);
    }
    if (is_login_verb(protocol, e.verb)) {
      // POP3 USER then PASS: the login's verdict is the reply to PASS (or a -ERR to USER).
      if (protocol == Protocol::pop3 && e.verb == "USER") {
        f.login = &e;
        f.login_mechanism = "USER";
        if (e.reply.status == "-ERR") break;
        continue;
      }
      if (protocol == Protocol::pop3 && e.verb == "AUTH" && e.argument.empty()) continue;  // mechanism list query
      f.login = &e;
      if (e.verb == "AUTHENTICATE" || e.verb == "AUTH") f.login_mechanism = e.argument;
      else if (e.verb == "PASS") f.login_mechanism = "USER";
      else f.login_mechanism = e.verb;
    }
  }
  out.caps_before_tls = before;
  out.caps = f.starttls_ok ? after : before;
  for (const auto& n : d.notes)
    if (n.find("No known authentication mechanisms supported") != std::string::npos) f.no_known_mechanism = true;
  return f;
}

}  // namespace maildoctor::probe

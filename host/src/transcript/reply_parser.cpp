#include "transcript/reply_parser.hpp"

#include <cctype>

#include "transcript/text_util.hpp"

namespace maildoctor::transcript {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits off the first space-separated word.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  std::size_t n = s.find(' ');
  std::string_view w = s.substr(0, n);
  s = n == std::string_view::npos ? std::string_view{} : s.substr(n + 1);
  return w;
}

bool is_imap_status(std::string_view w) {
  return iequals(w, "OK") || iequals(w, "NO") || iequals(w, "BAD") || iequals(w, "BYE") || iequals(w, "PREAUTH");
}
}  // namespace

std::string bound_line(std::string_view line) {
  if (line.size() <= kMaxLineBytes) return std::string(line);
  std::string out(line.substr(0, kMaxLineBytes));
  out += " [... " + std::to_string(line.size() - kMaxLineBytes) + " more bytes not kept]";
  return out;
}

BracketCode parse_bracket_code(std::string_view text) {
  BracketCode r;
  text = trim(text);
  if (text.empty() || text.front() != '[') {
    r.rest = std::string(text);
    return r;
  }
  std::size_t close = text.find(']');
  if (close == std::string_view::npos) {
    r.rest = std::string(text);
    return r;
  }
  std::string_view inside = text.substr(1, close - 1);
  std::string_view word = next_word(inside);
  r.code = upper(word);
  r.args = std::string(trim(inside));
  r.rest = std::string(trim(text.substr(close + 1)));
  return r;
}

std::string enhanced_code_at(std::string_view s, std::size_t i) {
  // class "." subject "." detail (RFC 3463): class 2, 4 or 5; subject and detail 1-3 digits; no digit or dot after.
  if (i >= s.size() || (s[i] != '2' && s[i] != '4' && s[i] != '5')) return {};
  std::size_t j = i + 1;
  for (int part = 0; part < 2; ++part) {
    if (j >= s.size() || s[j] != '.') return {};
    const std::size_t start = ++j;
    while (j < s.size() && is_digit(s[j]) && j - start < 3) ++j;
    if (j == start) return {};
  }
  if (j < s.size() && (is_digit(s[j]) || s[j] == '.')) return {};
  return std::string(s.substr(i, j - i));
}

std::string parse_enhanced_code(std::string_view text) {
  text = trim(text);
  std::string code = enhanced_code_at(text, 0);
  if (!code.empty() && code.size() < text.size() && text[code.size()] != ' ') return {};
  return code;
}

ImapLine parse_imap_line(std::string_view line) {
  ImapLine r;
  line = trim(line);
  std::string_view rest = line;
  if (line.empty()) return r;
  if (line[0] == '+' && (line.size() == 1 || line[1] == ' ')) {
    r.kind = ImapLine::Kind::continuation;
    r.text = std::string(trim(line.substr(1)));
    return r;
  }
  std::string_view first = next_word(rest);
  if (first == "*") {
    r.kind = ImapLine::Kind::untagged;
  } else {
    r.kind = ImapLine::Kind::tagged;
    r.tag = std::string(first);
  }
  std::string_view save = rest;
  std::string_view second = next_word(rest);
  if (is_imap_status(second)) {
    r.status = upper(second);
    auto bc = parse_bracket_code(rest);
    r.response_code = bc.code;
    r.response_code_args = bc.args;
    r.text = bc.rest;
  } else {
    if (r.kind == ImapLine::Kind::tagged) r.kind = ImapLine::Kind::other;  // not a tagged status line
    r.text = std::string(trim(save));
  }
  return r;
}

SmtpLine parse_smtp_line(std::string_view line) {
  SmtpLine r;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
    r.text = std::string(line);
    return r;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
    r.text = std::string(line);
    return r;
  }
  r.valid = true;
  r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  r.last = !(line.size() > 3 && line[3] == '-');
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
  r.enhanced = parse_enhanced_code(text);
  if (!r.enhanced.empty()) text = trim(text.substr(r.enhanced.size()));
  r.text = std::string(text);
  return r;
}

Pop3Line parse_pop3_line(std::string_view line) {
  Pop3Line r;
  line = trim(line);
  std::string_view rest;
  if (istarts_with(line, "+OK") && (line.size() == 3 || line[3] == ' ')) {
    r.kind = Pop3Line::Kind::ok;
    rest = line.substr(3);
  } else if (istarts_with(line, "-ERR") && (line.size() == 4 || line[4] == ' ')) {
    r.kind = Pop3Line::Kind::err;
    rest = line.substr(4);
  } else if (!line.empty() && line[0] == '+' && (line.size() == 1 || line[1] == ' ')) {
    r.kind = Pop3Line::Kind::continuation;
    r.text = std::string(trim(line.substr(1)));
    return r;
  } else {
    r.text = std::string(line);
    return r;
  }
  auto bc = parse_bracket_code(rest);
  r.response_code = bc.code;
  r.text = bc.rest;
  return r;
}

Reply make_reply(Protocol protocol, const std::vector<std::string>& lines) {
  Reply r;
  r.lines = lines;
  if (lines.empty()) return r;
  switch (protocol) {
    case Protocol::imap: {
      // The final line of an IMAP reply is the tagged one; a greeting or BYE is untagged.
      for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        auto l = parse_imap_line(*it);
        if (l.status.empty()) continue;
        r.status = l.status;
        r.response_code = l.response_code;
        break;
      }
      // A tagged NO without a code may follow an untagged line that carries one (e.g. "* NO [ALERT] ...").
      if (r.response_code.empty())
        for (const auto& line : lines) {
          auto l = parse_imap_line(line);
          if (!l.response_code.empty() && l.response_code != "CAPABILITY") {
            r.response_code = l.response_code;
            break;
          }
        }
      break;
    }
    case Protocol::pop3: {
      for (const auto& line : lines) {
        auto l = parse_pop3_line(line);
        if (l.kind == Pop3Line::Kind::ok || l.kind == Pop3Line::Kind::err) {
          r.status = l.kind == Pop3Line::Kind::ok ? "+OK" : "-ERR";
          r.response_code = l.response_code;
        }
      }
      break;
    }
    case Protocol::smtp: {
      for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        auto l = parse_smtp_line(*it);
        if (!l.valid) continue;
        r.code = l.code;
        r.status = std::to_string(l.code);
        r.enhanced = l.enhanced;
        break;
      }
      break;
    }
  }
  return r;
}

bool positive(Protocol protocol, const Reply& r) {
  switch (protocol) {
    case Protocol::imap: return r.status == "OK";
    case Protocol::pop3: return r.status == "+OK";
    case Protocol::smtp: return r.code >= 200 && r.code < 400;
  }
  return false;
}

bool negative(Protocol protocol, const Reply& r) {
  switch (protocol) {
    case Protocol::imap: return r.status == "NO" || r.status == "BAD" || r.status == "BYE";
    case Protocol::pop3: return r.status == "-ERR";
    case Protocol::smtp: return r.code >= 400;
  }
  return false;
}

void BoundedLines::add(std::string_view line) {
  std::string b = bound_line(line);
  if (lines_.size() >= kMaxReplyLines || bytes_ + b.size() > kMaxReplyBytes) {
    ++dropped_;
    return;
  }
  bytes_ += b.size();
  lines_.push_back(std::move(b));
}

std::vector<std::string> BoundedLines::take() {
  std::vector<std::string> out = std::move(lines_);
  if (dropped_ > 0) out.push_back("[... " + std::to_string(dropped_) + " more lines of this reply not kept]");
  lines_.clear();
  bytes_ = 0;
  dropped_ = 0;
  return out;
}

}  // namespace maildoctor::transcript

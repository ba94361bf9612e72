#include "transcript/redactor.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "transcript/reply_parser.hpp"
#include "transcript/text_util.hpp"

namespace maildoctor::transcript {

namespace {
struct Split {
  std::string_view first;
  std::string_view rest;  // after one space, may be empty
};
Split split_first(std::string_view s) {
  std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return {s, {}};
  return {s.substr(0, sp), s.substr(sp + 1)};
}

// An IMAP literal announcement "{n}" or "{n+}" at the end of a line; returns n, or npos.
std::size_t literal_at_end(std::string_view s) {
  s = trim(s);
  if (s.size() < 3 || s.back() != '}') return std::string_view::npos;
  std::size_t open = s.rfind('{');
  if (open == std::string_view::npos) return std::string_view::npos;
  std::string_view num = s.substr(open + 1, s.size() - open - 2);
  if (!num.empty() && num.back() == '+') num.remove_suffix(1);
  if (num.empty() || num.size() > 9) return std::string_view::npos;
  std::size_t n = 0;
  for (char c : num) {
    if (c < '0' || c > '9') return std::string_view::npos;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

// Length of the IMAP astring at the start of s (atom or quoted string); 0 when s starts with a literal or is empty.
std::size_t astring_length(std::string_view s) {
  if (s.empty() || s[0] == '{') return 0;
  if (s[0] == '"') {
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\\') { ++i; continue; }
      if (s[i] == '"') return i + 1;
    }
    return s.size();  // unterminated: the whole rest is the user name, nothing else follows
  }
  std::size_t sp = s.find(' ');
  return sp == std::string_view::npos ? s.size() : sp;
}

std::string masked(std::string_view prefix) {
  std::string out(prefix);
  out += ' ';
  out += kRedacted;
  return out;
}
}  // namespace

std::string Redactor::client_line(std::string_view line) {
  if (state_ == State::mask_until_final) {
    // "*" cancels a SASL exchange in IMAP and SMTP and carries nothing.
    if (trim(line) == "*") return "*";
    return std::string(kRedacted);
  }
  switch (protocol_) {
    case Protocol::imap: return imap_client(line);
    case Protocol::pop3: return pop3_client(line);
    case Protocol::smtp: return smtp_client(line);
  }
  return std::string(kRedacted);
}

std::string Redactor::imap_after_user(std::string_view prefix, std::string_view rest) {
  // Everything after the user name is the password, whatever form it takes (a literal's bytes arrive on the
  // next line, which the state masks).
  state_ = State::mask_until_final;
  if (trim(rest).empty()) return std::string(prefix);
  return masked(prefix);
}

std::string Redactor::imap_login(std::string_view tag, std::string_view args) {
  tag_ = std::string(tag);
  std::string prefix = std::string(tag) + " LOGIN";
  args = trim(args);
  std::size_t lit = literal_at_end(args);
  if (!args.empty() && args[0] == '{' && lit != std::string_view::npos && args.find(' ') == std::string_view::npos) {
    // The user name itself is a literal: it arrives on the next line, followed by the password.
    state_ = State::imap_login_user_literal;
    literal_len_ = lit;
    return prefix + " " + std::string(args);
  }
  std::size_t n = astring_length(args);
  if (n == 0) {
    state_ = State::mask_until_final;
    return args.empty() ? prefix : masked(prefix);
  }
  return imap_after_user(prefix + " " + std::string(args.substr(0, n)), args.substr(n));
}

std::string Redactor::imap_client(std::string_view line) {
  if (state_ == State::imap_login_user_literal) {
    if (line.size() < literal_len_) {
      state_ = State::mask_until_final;
      return std::string(kRedacted);
    }
    return imap_after_user(line.substr(0, literal_len_), line.substr(literal_len_));
  }
  auto [tag, rest] = split_first(trim(line));
  auto [cmd, args] = split_first(rest);
  if (iequals(cmd, "LOGIN")) return imap_login(tag, args);
  if (iequals(cmd, "AUTHENTICATE")) {
    tag_ = std::string(tag);
    state_ = State::mask_until_final;
    auto [mech, ir] = split_first(trim(args));
    std::string prefix = std::string(tag) + " AUTHENTICATE " + std::string(mech);
    return trim(ir).empty() ? prefix : masked(prefix);
  }
  return std::string(line);
}

std::string Redactor::pop3_client(std::string_view line) {
  auto [cmd, args] = split_first(trim(line));
  if (iequals(cmd, "PASS")) {
    state_ = State::mask_until_final;
    return masked("PASS");
  }
  if (iequals(cmd, "APOP")) {
    state_ = State::mask_until_final;
    auto [user, digest] = split_first(trim(args));
    return masked("APOP " + std::string(user));
  }
  if (iequals(cmd, "AUTH") && !trim(args).empty()) {
    state_ = State::mask_until_final;
    auto [mech, ir] = split_first(trim(args));
    std::string prefix = "AUTH " + std::string(mech);
    return trim(ir).empty() ? prefix : masked(prefix);
  }
  return std::string(line);
}

std::string Redactor::smtp_client(std::string_view line) {
  auto [cmd, args] = split_first(trim(line));
  if (iequals(cmd, "AUTH")) {
    state_ = State::mask_until_final;
    auto [mech, ir] = split_first(trim(args));
    std::string prefix = "AUTH " + std::string(mech);
    return trim(ir).empty() ? prefix : masked(prefix);
  }
  return std::string(line);
}

// Masking ends only on a line libcurl itself takes as the final reply of the exchange (imap_endofresp,
// pop3_endofresp, smtp_endofresp in 7.88: case-sensitive, at column 0, untagged lines ignored). Ending on anything
// else would log the next credential curl sends when a hostile server follows that line with a continuation.
void Redactor::server_line(std::string_view line) {
  if (state_ == State::idle) return;
  bool final = false;
  switch (protocol_) {
    case Protocol::imap:
      final = !tag_.empty() && line.size() > tag_.size() && line.substr(0, tag_.size()) == tag_ && line[tag_.size()] == ' ';
      break;
    case Protocol::pop3:
      final = line.substr(0, 3) == "+OK" || line.substr(0, 4) == "-ERR";
      break;
    case Protocol::smtp: {
      // A bare "535" is final for curl only when CRLF follows at once, which this line no longer shows: keep masking.
      auto digit = [](char c) { return c >= '0' && c <= '9'; };
      final = line.size() >= 4 && digit(line[0]) && digit(line[1]) && digit(line[2]) && line[3] == ' ' &&
              line.substr(0, 3) != "334";
      break;
    }
  }
  if (final) state_ = State::idle;
}

namespace {
std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}
constexpr std::size_t kMinScrubLength = 4;
}  // namespace

void SecretScrubber::add(std::string needle) {
  if (needle.empty()) return;
  for (const auto& n : needles_)
    if (n == needle) {
      OPENSSL_cleanse(needle.data(), needle.size());
      return;
    }
  needles_.push_back(std::move(needle));
}

SecretScrubber::SecretScrubber(const Secret& password, std::string_view username) {
  const std::string& pw = password.reveal();
  if (pw.empty()) return;
  // Every temporary below holds the password: each is wiped before it goes.
  auto wiped = [](std::string& s) { OPENSSL_cleanse(s.data(), s.capacity()); };

  // IMAP quoted string as libcurl's imap_atom() builds it: a backslash before '"' and '\\', quotes around.
  std::string escaped;
  escaped.reserve(2 * pw.size() + 2);
  escaped += '"';
  for (char c : pw) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  escaped += '"';
  add(escaped);  // with its quotes: distinctive at any length
  if (pw.size() >= kMinScrubLength) {
    add(escaped.substr(1, escaped.size() - 2));  // a line cut inside the quotes still holds the inner part
    add(pw);
  }
  wiped(escaped);

  // The whole base64 of the password, padding included: AUTH LOGIN's answer.
  std::string whole = base64(pw);
  if (whole.size() >= kMinScrubLength) add(whole);
  wiped(whole);

  if (pw.size() >= kMinScrubLength) {
    // The characters of base64 that depend only on password bytes, for each of the three alignments.
    for (std::size_t k = 0; k < 3; ++k) {
      std::string buf(k, '\0');
      buf += pw;
      std::string enc = base64(buf);
      std::size_t first = (8 * k + 5) / 6;
      std::size_t last = (8 * (k + pw.size())) / 6;  // exclusive
      if (last > first && last - first >= kMinScrubLength) add(enc.substr(first, last - first));
      wiped(buf);
      wiped(enc);
    }
  }

  if (!username.empty()) {
    // Whole SASL blobs, which hide a short password from the alignment needles above.
    // Each built in one buffer sized up front: a growing string would free copies of the password on the way.
    auto join = [](std::initializer_list<std::string_view> parts) {
      std::size_t n = 0;
      for (auto p : parts) n += p.size();
      std::string out;
      out.reserve(n);
      for (auto p : parts) out.append(p);
      return out;
    };
    const std::string_view nul("\0", 1);
    std::array<std::string, 3> tokens{join({nul, username, nul, pw}), join({username, nul, username, nul, pw}),
                                      join({"user=", username, "\x01" "auth=Bearer ", pw, "\x01\x01"})};
    for (std::string& token : tokens) {
      std::string enc = base64(token);
      add(enc);
      wiped(token);
      wiped(enc);
    }
  }
  // Longest first: a short needle masked inside a longer form would leave the rest of that form in place.
  std::stable_sort(needles_.begin(), needles_.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

SecretScrubber::~SecretScrubber() {
  for (auto& n : needles_) OPENSSL_cleanse(n.data(), n.size());
}

bool SecretScrubber::scrub(std::string& text) const {
  bool hit = false;
  for (const auto& n : needles_) {
    std::size_t pos = 0;
    while ((pos = text.find(n, pos)) != std::string::npos) {
      text.replace(pos, n.size(), kRedacted);
      pos += kRedacted.size();
      hit = true;
    }
  }
  return hit;
}

}  // namespace maildoctor::transcript

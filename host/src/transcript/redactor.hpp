#pragma once
// Redaction by protocol state: the client lines that carry a credential are known from the dialogue itself
// (LOGIN arguments, PASS, APOP, AUTH/AUTHENTICATE and every client line of a SASL exchange until its final reply),
// so they are masked whatever the credential looks like.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "maildoctor/secret.hpp"
#include "maildoctor/types.hpp"

namespace maildoctor::transcript {

inline constexpr std::string_view kRedacted = "<redacted>";

class Redactor {
 public:
  explicit Redactor(Protocol protocol) : protocol_(protocol) {}
  // One client line without its CRLF; returns what may be shown.
  std::string client_line(std::string_view line);
  // One server line without its CRLF; moves the state machine (a final reply ends a SASL exchange).
  void server_line(std::string_view line);
  [[nodiscard]] bool masking() const { return state_ != State::idle; }

 private:
  enum class State { idle, imap_login_user_literal, mask_until_final };
  std::string imap_client(std::string_view line);
  std::string pop3_client(std::string_view line);
  std::string smtp_client(std::string_view line);
  std::string imap_login(std::string_view tag, std::string_view args);
  std::string imap_after_user(std::string_view prefix, std::string_view rest);

  Protocol protocol_;
  State state_ = State::idle;
  std::string tag_;             // IMAP: the tag whose tagged reply ends the masked exchange
  std::size_t literal_len_ = 0; // IMAP: size of the user-name literal announced on the LOGIN line
};

// Belt and braces after the state machine: masks the password in every form the probe can send it in.
// - as is (a POP3 PASS, an IMAP atom or literal, a server echoing it);
// - IMAP-quoted as curl sends it when it holds a special character (`"se\"cret"`: `"` and `\` escaped);
// - base64 at each of the three alignments, as it sits inside a SASL PLAIN, LOGIN or XOAUTH2 blob;
// - with the user name: the whole SASL PLAIN token (with and without authzid), the XOAUTH2 blob and AUTH LOGIN's
//   base64 answer, whatever the password's length.
// Too short a password alone would mask ordinary words, so below 4 characters only the forms that carry
// quotes, padding or the user name are masked; the state machine covers the rest.
class SecretScrubber {
 public:
  SecretScrubber() = default;
  explicit SecretScrubber(const Secret& password, std::string_view username = {});
  SecretScrubber(const SecretScrubber&) = delete;
  SecretScrubber& operator=(const SecretScrubber&) = delete;
  SecretScrubber(SecretScrubber&&) = default;
  SecretScrubber& operator=(SecretScrubber&&) = default;
  ~SecretScrubber();
  // Returns true when something was masked.
  bool scrub(std::string& text) const;

 private:
  void add(std::string needle);
  std::vector<std::string> needles_;
};

}  // namespace maildoctor::transcript

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "diagnose/context.hpp"
#include "transcript/text_util.hpp"

// OAuth2 accounts (issue 14 item 4): what the token refresh and the server said about Thunderbird's sign-in.
namespace maildoctor::diagnose {
namespace {

// A SASL challenge's payload: "+ <b64>" (IMAP, POP3) or "334 <b64>" (SMTP), else empty.
std::string_view challenge_payload(Protocol protocol, std::string_view line) {
  const std::string_view prefix = protocol == Protocol::smtp ? "334 " : "+ ";
  if (line.substr(0, prefix.size()) != prefix) return {};
  return transcript::trim(line.substr(prefix.size()));
}

// The JSON object a server sends as its XOAUTH2 / OAUTHBEARER failure challenge (Gmail's documented form,
// {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}; RFC 7628 section 3.2.2), decoded with
// OpenSSL and parsed with nlohmann; null when the line is no such challenge.
nlohmann::json decoded_challenge(Protocol protocol, const std::string& line) {
  const std::string_view b64 = challenge_payload(protocol, line);
  if (b64.size() < 8 || b64.size() > 8192 || b64.size() % 4 != 0) return nullptr;
  std::string raw(b64.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()), reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0) return nullptr;
  raw.resize(static_cast<std::size_t>(n));
  while (!raw.empty() && (raw.back() == '\0' || raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();  // padding, Gmail's newline
  nlohmann::json j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("status")) return nullptr;
  // The documented forms are flat: a hostile server's nesting is not carried into params (or through dump()).
  for (const auto& [key, value] : j.items())
    if (value.is_structured()) return nullptr;
  return j;
}

}  // namespace

nlohmann::json oauth_failure_challenge(Protocol protocol, const Reply& reply) {
  for (const auto& line : reply.lines)
    if (auto j = decoded_challenge(protocol, line); !j.is_null()) return j;
  return nullptr;
}

bool oauth_refused(Context& ctx, const ProbeResult& p) {
  if (p.endpoint.auth != AuthMethod::oauth2) return false;
  // The rules see the decoded challenge as one more line ("oauth2-error: {...}", keys sorted by nlohmann), so
  // data can match "status":"401"; the evidence keeps the server's lines as they came.
  Reply for_rules = p.login.reply;
  const nlohmann::json challenge = oauth_failure_challenge(p.endpoint.protocol, p.login.reply);
  if (!challenge.is_null()) {
    const std::string line = "oauth2-error: " + challenge.dump();
    for_rules.lines.push_back(line);
    if (!for_rules.unmasked.empty()) for_rules.unmasked.push_back(line);
  }
  if (!apply_rules(ctx, p, "auth", for_rules, kRankAuth)) return false;
  Finding& f = ctx.out.back().finding;
  f.evidence = p.login.reply.lines;
  if (!challenge.is_null()) f.params["oauth2_error"] = challenge;
  return true;
}

bool oauth_token_findings(Context& ctx, const ProbeResult& p) {
  if (p.endpoint.auth != AuthMethod::oauth2 || p.endpoint.oauth_error.empty()) return false;
  Reply said;
  said.lines.push_back(p.endpoint.oauth_error);
  if (apply_rules(ctx, p, "token", said, kRankAuth)) {
    Finding& f = ctx.out.back().finding;
    f.params["basis"] = "token_refresh";
    f.params["inferred"] = true;  // the server was not asked: Thunderbird's sign-in already failed before it
    return true;
  }
  Finding f = make_finding("auth.failed", Severity::error, p, ctx, "Thunderbird could not get a sign-in token for {host}",
                           "Thunderbird's OAuth2 sign-in could not renew its access, so the server was not asked. The sign-in "
                           "service's words are shown below.");
  f.evidence = said.lines;
  f.params["stage"] = "token";
  f.params["basis"] = "token_refresh";
  f.params["inferred"] = true;
  ctx.add(std::move(f), kRankAuth);
  return true;
}

}  // namespace maildoctor::diagnose

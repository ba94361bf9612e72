#include "diagnose/codes.hpp"

#include <array>
#include <string_view>

namespace maildoctor::diagnose {
namespace {
constexpr std::array<std::string_view, 57> kCodes{
    "dns.not_found",          "dns.failed",
    "net.refused",            "net.timeout",
    "net.port_blocked",       "net.unreachable",
    "tls.wrong_mode",         "tls.starttls_unavailable",
    "tls.handshake_failed",   "tls.version_too_old",
    "tls.cert_expired",       "tls.cert_not_yet_valid",
    "tls.cert_hostname_mismatch", "tls.cert_self_signed",
    "tls.cert_untrusted",     "proto.unexpected_greeting",
    "proto.no_greeting",      "proto.server_unavailable",
    "proto.too_many_connections", "auth.wrong_password",
    "auth.app_password_required", "auth.oauth_required",
    "auth.protocol_disabled", "auth.web_login_required",
    "auth.account_locked",    "auth.username_format",
    "auth.tls_required",      "auth.mechanism_unsupported",
    "auth.rate_limited",      "auth.tenant_disabled",
    "auth.bridge_required",   "auth.failed",
    "smtp.relay_denied",      "smtp.sender_not_authorized",
    "config.better_settings", "config.differs_from_provider",
    "auth.not_tested",        // info: no password, or login switched off, so the login was not tried
    "proto.mailbox_unusable", // logged in, but the INBOX cannot be opened (e.g. 163 "Unsafe Login")
    "proto.stalled",          // greeted, then stopped answering (params.step: before_login, login, after_login)
    "proto.bad_reply",        // greeted, then sent a reply too large or not valid for the protocol
    "tls.starttls_injected",  // data followed the STARTTLS go-ahead before TLS: refused, nothing sent
    "config.cutoff_ahead",    // warning: the provider switches off what this account uses on a known date
    "tls.cert_expires_soon",  // warning: the server's certificate ends within 14 days
    "net.proxy_failed",       // Thunderbird's SOCKS proxy failed: params.failed says how; the mail server was not reached
    "net.intercepted",        // another server answers for the configured host (ISP or web host redirects the port)
    "auth.password_expired",  // the password is expired (RFC 5530 EXPIRED): a new one must be set
    // issue 14, certificate parity and the clock:
    "tls.cert_override_accepted",  // info: Thunderbird's security exception for host:port accepts this very certificate
    "tls.intercepted",        // a security program on this computer (antivirus mail shield) issued the chain
    "config.clock_wrong",     // this computer's clock is off: certificates and server dates agree
    // OAuth2 (issue 14 item 4): the token refresh or the server refused Thunderbird's sign-in
    "auth.oauth_signin_required",   // the sign-in expired or was revoked (invalid_grant, AADSTS700082, MFA): sign in again
    "auth.oauth_consent_required",  // the app lacks consent (AADSTS65001, missing scope): an admin or the user must approve
    "auth.oauth_blocked_by_policy", // the organisation's conditional access blocks this sign-in (AADSTS53003)
    "config.server_missing",  // warning: the account lacks a server; params.replacement: what is published, proven or not
    // EWS accounts (issue 14 item 6): the URL probed without credentials
    "ews.auth_offered",       // info: the EWS URL answers 401 and offers these sign-in schemes (params.schemes)
    "ews.no_sign_in",         // warning: the EWS URL answered without asking for a sign-in: probably not EWS
    "ews.no_answer",          // connected, but no complete HTTP answer before the deadline (or no TLS answer)
    "ews.bad_reply",          // the answer's headers are too large or not HTTP
};
}  // namespace

bool is_known_code(const std::string& code) {
  for (auto c : kCodes)
    if (c == code) return true;
  return false;
}
}  // namespace maildoctor::diagnose

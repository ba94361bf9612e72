#include "diagnose/context.hpp"
#include "kb/text.hpp"
#include "transcript/reply_parser.hpp"

namespace maildoctor::diagnose {
namespace {
// The account setting that would use a mechanism the server offers, most common first.
std::optional<std::string> auth_setting_for(const std::vector<std::string>& mechs) {
  auto has = [&](const char* m) { return std::find(mechs.begin(), mechs.end(), m) != mechs.end(); };
  if (has("PLAIN") || has("LOGIN")) return "password";
  if (has("CRAM-MD5") || has("DIGEST-MD5") || has("SCRAM-SHA-1") || has("SCRAM-SHA-256")) return "password-encrypted";
  if (has("XOAUTH2") || has("OAUTHBEARER")) return "oauth2";
  if (has("NTLM")) return "ntlm";
  if (has("GSSAPI")) return "gssapi";
  return std::nullopt;
}

void tls_required(Context& ctx, const ProbeResult& p, const Reply& reply) {
  Finding f = make_finding("auth.tls_required", Severity::error, p, ctx, "{host} only accepts a login over an encrypted connection",
                           "The server refuses to take the password before the connection is encrypted, which protects the "
                           "password. Set the connection security to STARTTLS (or use the SSL/TLS port).");
  f.evidence = reply.lines;
  f.fixes.push_back(change_setting(p.endpoint.subject, "security", "starttls", "Use STARTTLS"));
  ctx.add(std::move(f), kRankAuth);
}

void no_mechanism(Context& ctx, const ProbeResult& p) {
  const auto& mechs = p.caps.sasl_mechanisms;
  // Dovecot with disable_plaintext_auth lists STLS and an empty SASL list on a clear-text POP3 connection: the
  // methods are hidden until TLS, so the cause is the missing encryption, not the method.
  if (mechs.empty() && p.endpoint.security == Security::none && (p.caps_before_tls.starttls || p.caps.starttls)) {
    tls_required(ctx, p, {});
    return;
  }
  const bool provider_oauth = ctx.provider && ctx.provider->oauth2 == "required";
  if (p.endpoint.auth != AuthMethod::oauth2 && (rules::oauth_only(mechs) || provider_oauth)) {
    const bool usable = oauth2_usable(ctx, p);
    Finding f = make_finding("auth.oauth_required", Severity::error, p, ctx, "{host} no longer accepts a password: OAuth2 is needed",
                             usable ? "The server only offers sign-in through the provider's web page (OAuth2). Set the "
                                      "authentication method to OAuth2; Thunderbird then opens {provider}'s sign-in window."
                                    : "The server only offers sign-in through the provider's web page (OAuth2), and Thunderbird "
                                      "has no built-in OAuth2 sign-in for {host}. Ask {provider} which mail programs it supports, "
                                      "or whether password sign-in can be switched on for mail programs.");
    f.params["offered_mechanisms"] = mechs;
    if (usable) {
      f.fixes.push_back(change_setting(p.endpoint.subject, "auth", "oauth2", "Use OAuth2"));
      f.fixes.back().from_provider = !rules::oauth_only(mechs);
    }
    ctx.add(std::move(f), kRankAuth);
    return;
  }
  Finding f = make_finding("auth.mechanism_unsupported", Severity::error, p, ctx,
                           "{host} does not offer the configured authentication method",
                           "The account is set to authenticate with \"" + std::string(to_string(p.endpoint.auth)) +
                               "\", but the server offers " + (mechs.empty() ? std::string("no method at all") : "only other methods") +
                               " on this connection.");
  f.params["configured_auth"] = to_string(p.endpoint.auth);
  f.params["offered_mechanisms"] = mechs;
  if (auto s = auth_setting_for(mechs); s && (*s != "oauth2" || oauth2_usable(ctx, p)))
    f.fixes.push_back(change_setting(p.endpoint.subject, "auth", *s));
  ctx.add(std::move(f), kRankAuth);
}

void refused(Context& ctx, const ProbeResult& p) {
  if (oauth_refused(ctx, p)) return;
  if (apply_rules(ctx, p, "auth", p.login.reply, kRankAuth)) return;
  Finding f = make_finding("auth.failed", Severity::error, p, ctx, "{host} refused the login",
                           "The server refused the user name and password. Its own words are shown below. Check the user name "
                           "{username} and the password.");
  f.evidence = p.login.reply.lines;
  if (!p.login.error.empty()) f.params["error"] = p.login.error;
  ctx.add(std::move(f), kRankAuth);
}

// The deadline cut the dialogue while the server owed an answer. step: "login" (the login command or the SASL
// response went out) or "after_login" (the mailbox or sender check); the step before the login has its own text below.
void stalled(Context& ctx, const ProbeResult& p, const std::string& step, const std::string& error, int rank) {
  const bool login = step == "login";
  Finding f = make_finding("proto.stalled", Severity::error, p, ctx,
                           login ? "{host} stopped answering during the login" : "{host} stopped answering after the login",
                           login ? "The server greeted, took the login and then gave no answer to it before the time ran out. "
                                   "Nothing was refused: the password is neither confirmed nor rejected. The server may be "
                                   "overloaded or broken, or something between you and it holds the connection; try again later."
                                 : "The login worked, but the server then gave no answer to the next command before the time "
                                   "ran out. It may be overloaded or broken; try again later.");
  f.params["step"] = step;
  if (!error.empty()) f.params["error"] = error;
  ctx.add(std::move(f), rank);
}

void after_login(Context& ctx, const ProbeResult& p) {
  const auto& a = p.after_login;
  if (!a.attempted) return;
  // A refusal that did arrive (MAIL FROM refused, RCPT then unanswered) is the finding; silence only when none did.
  const bool refusal_seen = (!a.mailbox.empty() && transcript::negative(p.endpoint.protocol, a.mailbox)) ||
                            (!a.mail_from.empty() && rules::reply_code(a.mail_from) >= 400) ||
                            (!a.rcpt_to.empty() && rules::reply_code(a.rcpt_to) >= 400);
  if (a.unanswered && !refusal_seen) {
    stalled(ctx, p, "after_login", a.error, kRankMailbox);
    return;
  }
  const std::string st = kb::lower(a.mailbox.status);
  if (!a.mailbox.empty() && transcript::negative(p.endpoint.protocol, a.mailbox) &&
      !apply_rules(ctx, p, "after_auth", a.mailbox, kRankMailbox)) {
    // An untagged BYE is the server closing the session, not a refusal of this mailbox (RFC 9051 7.1.5).
    Finding f = st == "bye" ? make_finding("proto.server_unavailable", Severity::error, p, ctx, "{host} closed the session after the login",
                                           "The login worked, but {host} then ended the session instead of opening the inbox. "
                                           "The fault is on the server's side; its words are shown below. Try again later.")
                            : make_finding("proto.mailbox_unusable", Severity::error, p, ctx, "Logged in, but the inbox cannot be opened",
                                           "The login worked, but {host} then refused to open the inbox. The server's words are shown below.");
    f.evidence = a.mailbox.lines;
    ctx.add(std::move(f), kRankMailbox);
  }
  for (const Reply* r : {&a.mail_from, &a.rcpt_to}) {
    if (r->empty() || rules::reply_code(*r) < 400) continue;
    if (apply_rules(ctx, p, "sender", *r, kRankSender)) return;
    const bool sender = r == &a.mail_from;
    Finding f = sender ? make_finding("smtp.sender_not_authorized", Severity::error, p, ctx,
                                      "This login may not send as {email}",
                                      "The server accepted the login but refused {email} as the sender address. The address "
                                      "may not belong to this login: check the user name and the sender address.")
                       : make_finding("smtp.relay_denied", Severity::error, p, ctx, "The server will not send mail for this login",
                                      "The server accepted the login but refused to deliver mail for it (relaying denied).");
    f.evidence = r->lines;
    ctx.add(std::move(f), kRankSender);
    return;
  }
}
}  // namespace

bool greeting_findings(Context& ctx, const ProbeResult& p) {
  using G = GreetingEvidence::Status;
  switch (p.greeting.status) {
    case G::ok:
      apply_rules(ctx, p, "greeting", p.greeting.reply, kRankGreeting);
      return true;
    case G::skipped: return true;
    case G::silent: {
      // A plaintext or STARTTLS client on an implicit-TLS port hears nothing: that server waits for a ClientHello.
      const bool tls_port = p.endpoint.port == default_port(p.endpoint.protocol, Security::tls);
      const ProbeResult* proof = nullptr;
      for (const ProbeResult* a : alternatives_of(ctx, p))
        if (a->endpoint.port == p.endpoint.port && a->endpoint.security == Security::tls && reached_server(*a)) proof = a;
      if (p.endpoint.security != Security::tls && (proof || tls_port)) {
        Finding f = make_finding("tls.wrong_mode", Severity::error, p, ctx, "Port {port} expects SSL/TLS from the start",
                                 "The connection security is set to STARTTLS or none, but {host} stays silent on port {port}, as "
                                 "servers do that expect encryption right away. Set the connection security to SSL/TLS.");
        f.params["expected_security"] = "tls";
        f.params["confirmed"] = proof != nullptr;
        f.fixes.push_back(change_setting(p.endpoint.subject, "security", "tls"));
        ctx.add(std::move(f), kRankTls);
        return false;
      }
      const bool implicit_tls = p.endpoint.security == Security::tls && p.tls.status == TlsEvidence::Status::failed;
      Finding f = make_finding("proto.no_greeting", Severity::error, p, ctx, "{host} accepted the connection but never answered",
                               implicit_tls ? "Something accepted the connection on port {port} but never answered the request to "
                                              "start encryption, so no mail server spoke at all. The server may be down behind a "
                                              "load balancer, the port may belong to another service, or a firewall or proxy "
                                              "holds the connection."
                                            : "Something accepted the connection on port {port} but sent no mail-server greeting. "
                                              "The port may belong to another service, or a firewall or proxy holds the connection.");
      if (implicit_tls && !p.tls.error.empty()) f.params["error"] = p.tls.error;
      ctx.add(std::move(f), kRankGreeting);
      return false;
    }
    case G::unexpected: {
      if (apply_rules(ctx, p, "greeting", p.greeting.reply, kRankGreeting)) return false;
      Finding f = make_finding("proto.unexpected_greeting", Severity::error, p, ctx, "Port {port} of {host} is not a {protocol} server",
                               "The server on port {port} answered, but not as a {protocol} server. The port probably belongs to "
                               "another protocol (for example SMTP instead of IMAP).");
      f.evidence = p.greeting.reply.lines;
      ctx.add(std::move(f), kRankGreeting);
      return false;
    }
    case G::unavailable: {
      if (apply_rules(ctx, p, "greeting", p.greeting.reply, kRankGreeting)) return false;
      Finding f = make_finding("proto.server_unavailable", Severity::error, p, ctx, "{host} refused service right now",
                               "The server answered but said it cannot serve you at the moment. This is usually temporary; try "
                               "again later.");
      f.evidence = p.greeting.reply.lines;
      ctx.add(std::move(f), kRankGreeting);
      return false;
    }
  }
  return true;
}

void login_findings(Context& ctx, const ProbeResult& p) {
  using L = LoginEvidence::Status;
  switch (p.login.status) {
    case L::ok: after_login(ctx, p); return;
    case L::refused: refused(ctx, p); return;
    case L::tls_required:
      // The server's own words may say more (which port, which command); the structural finding is the fallback.
      if (!p.login.reply.empty() && apply_rules(ctx, p, "auth", p.login.reply, kRankAuth)) return;
      tls_required(ctx, p, p.login.reply);
      return;
    case L::no_mechanism: no_mechanism(ctx, p); return;
    case L::skipped_by_server: {
      if (p.endpoint.security == Security::none && (p.caps_before_tls.starttls || p.caps.starttls)) {
        tls_required(ctx, p, {});
        return;
      }
      Finding f = make_finding("auth.mechanism_unsupported", Severity::error, p, ctx, "{host} offers no login on this connection",
                               "The server did not offer any way to log in, so the password could not be checked. Mail sent "
                               "this way would be refused or treated as unauthenticated. Check the port and connection security.");
      f.params["offered_mechanisms"] = nlohmann::json::array();
      ctx.add(std::move(f), kRankAuth);
      return;
    }
    case L::error: {
      // The server owed the answer when the deadline came: nothing was refused, whatever partial lines (a SASL
      // challenge) arrived before: no rule may read a refusal into them.
      if (p.login.unanswered) {
        stalled(ctx, p, "login", p.login.error, kRankAuth);
        return;
      }
      // libcurl (7.88) ends an XOAUTH2 exchange when the server answers with a continuation, which is how Gmail and
      // Dovecot send their JSON error: that challenge is then the server's whole answer.
      if (!p.login.reply.empty() && (oauth_refused(ctx, p) || apply_rules(ctx, p, "auth", p.login.reply, kRankAuth))) return;
      Finding f = make_finding("auth.failed", Severity::error, p, ctx, "The login to {host} did not complete",
                               "The connection broke off or timed out during the login, so the server gave no clear answer.");
      f.evidence = p.login.reply.lines;
      if (!p.login.error.empty()) f.params["error"] = p.login.error;
      ctx.add(std::move(f), kRankAuth);
      return;
    }
    case L::not_attempted: {
      if (p.broke_off.happened && !p.broke_off.refusal.empty()) {
        // The server said why it closed: its words decide, and without a rule it is a refusal of service.
        if (apply_rules(ctx, p, "greeting", p.broke_off.refusal, kRankGreeting)) return;
        Finding f = make_finding("proto.server_unavailable", Severity::error, p, ctx, "{host} refused service right now",
                                 "The server greeted, then closed the connection saying it cannot serve you at the moment. "
                                 "The fault is on the server's side; try again later, and tell the provider if it lasts.");
        f.evidence = p.broke_off.refusal.lines;
        f.params["error"] = p.broke_off.error;
        ctx.add(std::move(f), kRankGreeting);
        return;
      }
      if (p.broke_off.happened) {
        Finding f = p.broke_off.stalled
                        ? make_finding("proto.stalled", Severity::error, p, ctx, "{host} stopped answering partway through",
                                       "The server greeted, then stopped answering before the login could start. It may be "
                                       "overloaded or broken, or something between you and it holds the connection.")
                        : make_finding("proto.bad_reply", Severity::error, p, ctx, "{host} sent a reply no mail client can use",
                                       "The server greeted, then sent a reply that was too large or not valid {protocol}, so "
                                       "the login could not start. The server is misconfigured, or it is not the mail server "
                                       "it claims to be.");
        if (p.broke_off.stalled) f.params["step"] = "before_login";
        f.params["error"] = p.broke_off.error;
        ctx.add(std::move(f), kRankGreeting);
        return;
      }
      // The server already said a plaintext login is off: no need to try it to know it would fail.
      if (p.endpoint.security == Security::none && p.caps.login_disabled) {
        Reply r;
        r.lines.push_back("LOGINDISABLED");
        tls_required(ctx, p, r);
        return;
      }
      if (oauth_token_findings(ctx, p)) return;
      const bool oauth = p.endpoint.auth == AuthMethod::oauth2;
      Finding f = make_finding("auth.not_tested", Severity::info, p, ctx, "The login to {host} was not tested",
                               std::string(oauth ? "The connection to the server works, but the OAuth2 sign-in was not tried"
                                                 : "The connection to the server works, but the user name and password were not tried") +
                                   (p.login.reason.empty() ? std::string(".") : " (" + p.login.reason + ").") +
                                   (oauth ? " Let the add-on ask Thunderbird for a fresh access token to test the sign-in too."
                                          : " Give the password to test the login too."));
      if (!p.login.reason.empty()) f.params["reason"] = p.login.reason;
      ctx.add(std::move(f), kRankNotTested);
      return;
    }
  }
}

}  // namespace maildoctor::diagnose

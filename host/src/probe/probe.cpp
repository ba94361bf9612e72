#include "probe/probe.hpp"

#include <cctype>
#include <optional>

#include "probe/channel.hpp"
#include "probe/curl_session.hpp"
#include "probe/dialogue.hpp"
#include "platform/socket_error.hpp"
#include "transcript/capabilities.hpp"
#include "transcript/reply_parser.hpp"

namespace maildoctor::probe {

namespace {

int ms_since(Clock::time_point a) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - a).count());
}

bool contains(const std::string& s, std::string_view needle) { return s.find(needle) != std::string::npos; }

// OpenSSL's words when the server offers only protocol versions or algorithms this client refuses by default.
bool looks_like_old_tls(const std::string& error) {
  for (std::string_view n : {"unsupported protocol", "protocol version", "legacy sigalg disallowed", "no protocols available",
                             "version too low", "no suitable signature algorithm", "dh key too small", "no shared cipher"})
    if (contains(error, n)) return true;
  return false;
}

bool safe_address(const std::string& email) {
  return !email.empty() && safe_for_command(email) && email.find_first_of("<> ") == std::string::npos;
}

// A connection through a SOCKS proxy: curl's result and the proxy's own reply code (CURLINFO_PROXY_ERROR) say whether
// the proxy failed or the mail server did, as the proxy saw it.
ConnectEvidence proxied_connect_evidence(const SessionOutcome& o, const Proxy& proxy) {
  ConnectEvidence c;
  c.os_errno = static_cast<int>(o.os_errno);
  c.address = o.primary_ip;
  c.proxy = proxy_address(proxy);
  c.error = o.error;
  auto proxy_failed = [&](const char* what) {
    c.status = ConnectEvidence::Status::proxy_failed;
    c.proxy_failure = what;
    return c;
  };
  if (o.connected) {
    c.status = ConnectEvidence::Status::ok;
    c.ms = o.connect_ms;
    return c;
  }
  if (o.stopped) {
    if (c.error.empty()) c.error = o.deadline_hit ? "no answer before the deadline" : "stopped";
    if (!o.deadline_hit) {  // cancelled by the orchestrator: says nothing about the proxy
      c.status = ConnectEvidence::Status::timeout;
      return c;
    }
    // Stuck before the proxy took the request for the server (no TCP connection to it, or no answer to the SOCKS
    // greeting): the proxy is the one not answering. Stuck after: the proxy is still waiting for the mail server.
    if (!o.proxy_reached || !o.proxy_answered) {
      if (o.proxy_reached) c.error = "the proxy accepted the connection and never answered";
      return proxy_failed("unreachable");
    }
    c.status = ConnectEvidence::Status::timeout;
    return c;
  }
  switch (o.rc) {
    case CURLE_COULDNT_RESOLVE_PROXY: return proxy_failed("unreachable");
    case CURLE_COULDNT_CONNECT:
      // With a SOCKS proxy, curl's own TCP connect goes to the proxy only: the mail server's side comes back as
      // CURLE_PROXY.
      return proxy_failed(o.os_errno == ECONNREFUSED ? "refused" : "unreachable");
    case CURLE_OPERATION_TIMEDOUT:
      if (!o.proxy_reached || !o.proxy_answered) return proxy_failed("unreachable");
      c.status = ConnectEvidence::Status::timeout;
      return c;
    case CURLE_PROXY: break;
    default:
      if (!o.proxy_reached) return proxy_failed("unreachable");
      c.status = ConnectEvidence::Status::failed;
      return c;
  }
  switch (o.proxy_code) {
    // The proxy worked and reports what the mail server did: the same answer as a direct connection would give.
    case CURLPX_REPLY_CONNECTION_REFUSED: c.status = ConnectEvidence::Status::refused; return c;
    case CURLPX_REPLY_HOST_UNREACHABLE:
    case CURLPX_REPLY_NETWORK_UNREACHABLE: c.status = ConnectEvidence::Status::unreachable; return c;
    case CURLPX_REPLY_TTL_EXPIRED: c.status = ConnectEvidence::Status::timeout; return c;
    // The proxy wants a login maildoctor does not have, or refused the one it got.
    case CURLPX_NO_AUTH:
    case CURLPX_USER_REJECTED:
    case CURLPX_IDENTD:
    case CURLPX_IDENTD_DIFFER:
    case CURLPX_LONG_USER:
    case CURLPX_LONG_PASSWD:
    case CURLPX_SEND_AUTH:
    case CURLPX_RECV_AUTH:
    case CURLPX_GSSAPI:
    case CURLPX_GSSAPI_PERMSG:
    case CURLPX_GSSAPI_PROTECTION: return proxy_failed("authentication");
    // The proxy would not connect to the mail server: its rules, a failure of its own, a request it does not support
    // (SOCKS4's single "rejected or failed" says no more).
    case CURLPX_REPLY_NOT_ALLOWED:
    case CURLPX_REPLY_GENERAL_SERVER_FAILURE:
    case CURLPX_REPLY_COMMAND_NOT_SUPPORTED:
    case CURLPX_REPLY_ADDRESS_TYPE_NOT_SUPPORTED:
    case CURLPX_REPLY_UNASSIGNED:
    case CURLPX_REQUEST_FAILED:
    case CURLPX_RESOLVE_HOST:
    case CURLPX_LONG_HOSTNAME: return proxy_failed("target_refused");
    default: return proxy_failed("protocol");  // it hung up or does not speak this SOCKS version
  }
}

ConnectEvidence connect_evidence(const SessionOutcome& o) {
  ConnectEvidence c;
  c.os_errno = static_cast<int>(o.os_errno);
  c.address = o.primary_ip;
  if (o.connected) {
    c.status = ConnectEvidence::Status::ok;
    c.ms = o.connect_ms;
    return c;
  }
  c.error = o.error;
  if (o.stopped) {
    c.status = ConnectEvidence::Status::timeout;
    if (c.error.empty()) c.error = o.deadline_hit ? "no answer before the deadline" : "stopped";
    return c;
  }
  switch (platform::connect_failure_of(o.os_errno)) {
    case platform::ConnectFailure::refused: c.status = ConnectEvidence::Status::refused; return c;
    case platform::ConnectFailure::unreachable: c.status = ConnectEvidence::Status::unreachable; return c;
    case platform::ConnectFailure::timeout: c.status = ConnectEvidence::Status::timeout; return c;
    case platform::ConnectFailure::other: break;
  }
  c.status = o.rc == CURLE_OPERATION_TIMEDOUT ? ConnectEvidence::Status::timeout : ConnectEvidence::Status::failed;
  return c;
}

bool tls_required_reply(Protocol p, const Reply& r) {
  if (p == Protocol::imap) return r.response_code == "PRIVACYREQUIRED";
  if (p == Protocol::smtp) return (r.code == 530 && r.enhanced == "5.7.0") || r.code == 523 || r.enhanced == "5.7.10";
  return false;
}

void fill_tls(const ProbeSpec& spec, const SessionOutcome& o, const DialogueFacts& f, ProbeResult& r, bool& old_tls_suspect) {
  const Endpoint& ep = spec.endpoint;
  TlsEvidence& t = r.tls;
  if (ep.security == Security::none || !o.connected) return;
  t.starttls = ep.security == Security::starttls;
  t.version = o.tls_version;
  t.cipher = o.tls_cipher;
  t.cert = o.cert;
  if (o.tls_done) {
    t.ms = std::max(0, o.tls_ms);
    if (o.cert.present && !o.cert.verified && !o.cert.override_matched) {
      t.status = TlsEvidence::Status::failed;
      t.failure = TlsEvidence::Failure::certificate;
      t.error = o.cert.verify_error_text.empty() ? "the certificate does not name the host" : o.cert.verify_error_text;
    } else {
      t.status = TlsEvidence::Status::ok;
    }
    return;
  }
  if (t.starttls && (o.rc == CURLE_USE_SSL_FAILED || (f.starttls_sent && !f.starttls_ok && !o.stopped))) {
    t.status = TlsEvidence::Status::failed;
    t.failure = TlsEvidence::Failure::starttls_unavailable;
    t.error = f.starttls_sent ? "the server refused STARTTLS" : "the server does not offer STARTTLS";
    return;
  }
  if (t.starttls && !f.starttls_sent) return;  // never got as far as STARTTLS (greeting or capabilities failed)
  // STARTTLS went out and the deadline came before any answer: no handshake began, so none failed. The session
  // ends as a server that stopped answering (broke_off), not as a TLS fault.
  if (t.starttls && !f.starttls_ok && o.rc == CURLE_OPERATION_TIMEDOUT) return;
  if (t.starttls && f.starttls_ok && o.rc == CURLE_WEIRD_SERVER_REPLY) {
    // Since 7.79 (CVE-2021-22947) libcurl refuses a connection whose STARTTLS go-ahead arrived with more bytes
    // behind it, before any TLS: the one thing a "weird reply" after a positive STARTTLS answer can be.
    t.status = TlsEvidence::Status::failed;
    t.failure = TlsEvidence::Failure::starttls_pipelined;
    t.error = "the server sent more data right after agreeing to STARTTLS, before the encryption started";
    return;
  }
  t.status = TlsEvidence::Status::failed;
  t.error = o.error;
  if (o.cert_rejected) {
    t.failure = TlsEvidence::Failure::certificate;
    if (!o.cert.verify_error_text.empty()) t.error = o.cert.verify_error_text;
    else if (o.cert.hostname_mismatch) t.error = "the certificate does not name the host";
  } else if (contains(o.error, "wrong version number") || contains(o.error, "packet length too long")) {
    t.failure = TlsEvidence::Failure::plaintext_answer;
  } else if (o.stopped && !o.server_spoke && !t.starttls) {
    t.failure = TlsEvidence::Failure::silent;
    t.error = "the server did not answer the TLS handshake";
  } else {
    t.failure = TlsEvidence::Failure::handshake;
    old_tls_suspect = looks_like_old_tls(o.error);
  }
}

void fill_login(const ProbeSpec& spec, const SessionOutcome& o, const DialogueFacts& f, ProbeResult& r) {
  LoginEvidence& l = r.login;
  const Protocol p = spec.endpoint.protocol;
  if (!spec.use_credentials) {
    l.reason = spec.not_attempted_reason;
    return;
  }
  if (f.login) {
    l.mechanism = f.login_mechanism;
    l.reply = f.login->reply;
    l.ms = std::max(0, f.login->end_ms - f.login->start_ms);
    if (o.rc == CURLE_OK && !transcript::negative(p, l.reply)) l.status = LoginEvidence::Status::ok;
    else if (f.login->complete && transcript::negative(p, l.reply))
      l.status = tls_required_reply(p, l.reply) ? LoginEvidence::Status::tls_required : LoginEvidence::Status::refused;
    else {
      l.status = LoginEvidence::Status::error;
      l.error = o.error.empty() ? "the login exchange did not finish" : o.error;
      // curl's own timeout and our stop (deadline, cancel) both end as CURLE_OPERATION_TIMEDOUT: the server had not
      // answered yet. That is told apart here, where it is known, so that no refusal is read into it later.
      l.unanswered = o.rc == CURLE_OPERATION_TIMEDOUT;
    }
    return;
  }
  if (o.rc == CURLE_OK) {
    if (p == Protocol::smtp) {
      l.status = LoginEvidence::Status::skipped_by_server;
      l.reason = "the server's EHLO reply offered no AUTH, so no login took place";
    } else if (r.greeting.reply.status == "PREAUTH") {
      l.status = LoginEvidence::Status::ok;
      l.mechanism = "PREAUTH";
    } else {
      l.status = LoginEvidence::Status::error;
      l.error = "no login command went out";
    }
    return;
  }
  if (o.rc == CURLE_LOGIN_DENIED || f.no_known_mechanism) {
    l.status = r.caps.login_disabled ? LoginEvidence::Status::tls_required : LoginEvidence::Status::no_mechanism;
    l.reason = "the server offers no authentication method that matches the configured one (" +
               std::string(to_string(spec.endpoint.auth)) + ")";
    return;
  }
  l.reason = "the connection failed before the login";
}

void after_login(const ProbeSpec& spec, CurlSession& session, transcript::SessionLog& log, ProbeResult& r) {
  const Protocol p = spec.endpoint.protocol;
  Channel ch(session, p, log);
  AfterLoginEvidence& a = r.after_login;
  a.attempted = true;
  switch (p) {
    case Protocol::imap: {
      // Thunderbird sends IMAP ID after the login where the server offers it (mail.server.default.send_client_info),
      // and some servers (NetEase 163/126) open no folder for a client that has not: without it the probe would
      // report a block that Thunderbird never meets. Its answer decides nothing; only a broken connection ends here.
      if (r.caps.id) {
        auto id = ch.command("M0 ID (\"name\" \"maildoctor\" \"version\" \"" MAILDOCTOR_VERSION "\")");
        if (!id.ok) {
          a.error = id.error;
          break;
        }
      }
      auto mailbox = ch.command("M1 EXAMINE INBOX");
      a.mailbox = mailbox.reply;
      a.error = mailbox.error;
      if (mailbox.ok) ch.farewell("M2 LOGOUT");
      break;
    }
    case Protocol::pop3: {
      auto stat = ch.command("STAT");
      a.mailbox = stat.reply;
      a.error = stat.error;
      if (stat.ok) ch.farewell("QUIT");
      break;
    }
    case Protocol::smtp:
      if (safe_address(spec.account_email)) {
        const std::string from_line = "MAIL FROM:<" + spec.account_email + ">";
        const std::string rcpt_line = "RCPT TO:<" + spec.account_email + ">";
        if (r.caps.pipelining) {
          // One round trip instead of three (RFC 2920). RCPT goes out before MAIL FROM's answer is known:
          // its reply only counts when MAIL FROM was accepted.
          auto replies = ch.pipeline({from_line, rcpt_line, "RSET"});
          a.mail_from = replies[0].reply;
          a.error = replies[0].error;
          if (!replies[0].ok) break;
          if (replies.size() > 1 && replies[0].reply.code == 250) {
            a.rcpt_to = replies[1].reply;
            a.error = replies[1].error;
          }
          if (replies.size() < 3 || !replies.back().ok) break;
        } else {
          auto from = ch.command(from_line);
          a.mail_from = from.reply;
          a.error = from.error;
          if (!from.ok) break;
          if (from.reply.code == 250) {
            auto rcpt = ch.command(rcpt_line);
            a.rcpt_to = rcpt.reply;
            a.error = rcpt.error;
            if (!rcpt.ok) break;
          }
          ch.command("RSET");
        }
      } else {
        log.note("no usable account address for the sender check");
      }
      ch.farewell("QUIT");
      break;
  }
  // A command cut by the deadline got no reply at all: the server went silent after the login, which is not a
  // refusal of the mailbox or the sender, and not a clean result either.
  a.unanswered = !a.error.empty() && session.should_stop();
}

void say_goodbye(Protocol p, CurlSession& session, transcript::SessionLog& log) {
  Channel ch(session, p, log);
  ch.farewell(p == Protocol::imap ? "M9 LOGOUT" : "QUIT");
}

}  // namespace

std::string scheme_for(Protocol protocol, Security security) {
  std::string s(to_string(protocol));
  if (security == Security::tls) s += 's';
  return s;
}

std::string login_options_for(AuthMethod auth, bool allow_cleartext) {
  switch (auth) {
    case AuthMethod::password: return allow_cleartext ? "AUTH=*" : "AUTH=PLAIN;AUTH=LOGIN";
    case AuthMethod::password_encrypted: return "AUTH=CRAM-MD5;AUTH=DIGEST-MD5";
    case AuthMethod::oauth2: return "AUTH=XOAUTH2;AUTH=OAUTHBEARER";
    case AuthMethod::ntlm: return "AUTH=NTLM";
    case AuthMethod::gssapi: return "AUTH=GSSAPI";
    case AuthMethod::tls_certificate:
    case AuthMethod::none: return {};
  }
  return {};
}

ConnectTarget apply_connect_to(const std::vector<ConnectTo>& rules, const std::string& host, std::uint16_t port) {
  for (const auto& rule : rules) {
    if (!rule.host.empty() && rule.host != host) continue;
    if (rule.port != 0 && rule.port != port) continue;
    ConnectTarget t{rule.to_host.empty() ? host : rule.to_host, rule.to_port == 0 ? port : rule.to_port, &rule};
    return t;
  }
  return {host, port, nullptr};
}

ProbeOutput run_probe(const ProbeSpec& spec, ProbeProgress& progress, const std::atomic<bool>& global_cancel) {
  // A server on the proxy's bypass list is reached directly, as Thunderbird reaches it: the whole probe (DNS
  // included, even with remote DNS) is the direct one, and its evidence says which proxy it did not use.
  if (spec.proxy && bypasses_proxy(*spec.proxy, spec.endpoint.host, spec.endpoint.port)) {
    ProbeSpec direct = spec;
    direct.proxy.reset();
    direct.proxy_bypassed = proxy_address(*spec.proxy);
    return run_probe(direct, progress, global_cancel);
  }
  ProbeOutput out;
  ProbeResult& r = out.result;
  const Endpoint& ep = spec.endpoint;
  const auto start = Clock::now();
  r.endpoint = ep;
  r.endpoint.password = Secret();
  r.alternative = spec.alternative;
  r.with_credentials = spec.use_credentials;
  static const Secret kNone;
  transcript::SessionLog log(ep.protocol, spec.t0, spec.use_credentials ? ep.password : kNone,
                            spec.use_credentials ? std::string_view(ep.username) : std::string_view());
  auto finish = [&]() -> ProbeOutput {
    r.elapsed_ms = ms_since(start);
    out.log = log.lines();
    for (auto& l : out.log) l.unmasked.clear();  // the server's unmasked words stay in the replies, for classification
    progress.finished = true;
    return std::move(out);
  };

  if (!safe_for_command(ep.host) || !safe_for_command(ep.username) || !safe_for_command(spec.account_email) || ep.host.empty() ||
      !password_is_safe(ep.password.reveal())) {
    r.connect.status = ConnectEvidence::Status::failed;
    r.connect.error = "a host, user name, address or password contains a line break or NUL character; nothing was sent";
    return finish();
  }
  if (spec.use_credentials && ep.username.empty()) {
    // curl would send the password where the user name belongs (IMAP LOGIN), and the transcript would show it.
    r.connect.status = ConnectEvidence::Status::failed;
    r.connect.error = "a login needs a user name; nothing was sent";
    return finish();
  }

  ConnectTarget target = apply_connect_to(spec.connect_to, ep.host, ep.port);
  if (!spec.proxy_bypassed.empty())
    log.note("proxy: " + ep.host + " is on the bypass list of the proxy " + spec.proxy_bypassed + ": connecting directly, as Thunderbird does");
  if (target.rule)
    log.note("connect-to: " + ep.host + ":" + std::to_string(ep.port) + " goes to " + target.host + ":" + std::to_string(target.port));
  if (spec.proxy && spec.proxy->remote_dns) {
    // Thunderbird's socks_remote_dns: the proxy resolves the name, so a local lookup could only mislead (a name only
    // the proxy's side knows would look missing).
    r.dns.status = DnsEvidence::Status::left_to_proxy;
    r.connect.proxy = proxy_address(*spec.proxy);
    log.note("DNS: no local lookup of " + target.host + ": the proxy " + proxy_address(*spec.proxy) + " resolves names");
  } else {
    r.dns = dns::resolve_host(spec.resolver, target.host, spec.deadline);
  }
  if (r.dns.status != DnsEvidence::Status::ok && r.dns.status != DnsEvidence::Status::left_to_proxy) {
    log.note("DNS: " + target.host + ": " + (r.dns.error.empty() ? std::string("no address") : r.dns.error));
    return finish();
  }

  // The connect point: with a gate (batch mode), wait for a slot at the connect target first. Waiting is not the
  // server's time, so the probe's own deadline moves by the wait: the answer stays that of a lone diagnosis.
  std::optional<ConnectionPermit> permit;
  ProbeSpec gated;
  const ProbeSpec* session_spec = &spec;
  if (spec.gate) {
    const auto asked = Clock::now();
    const bool got = spec.gate->acquire(target.host, target.port, [&] { return progress.cancel.load() || global_cancel.load(); });
    if (!got) {
      r.cancelled = true;
      r.connect.status = ConnectEvidence::Status::timeout;
      r.connect.error = "stopped";
      r.login.reason = spec.use_credentials ? "no connection" : spec.not_attempted_reason;
      return finish();
    }
    permit.emplace(spec.gate, target.host, target.port);
    gated = spec;
    gated.deadline += Clock::now() - asked;
    session_spec = &gated;
  }
  CurlSession session(*session_spec, log, progress, global_cancel);
  SessionOutcome o = session.run(target, r.dns.addresses);
  r.cancelled = o.stopped;
  r.connect = spec.proxy ? proxied_connect_evidence(o, *spec.proxy) : connect_evidence(o);
  r.connect.proxy_bypassed = spec.proxy_bypassed;
  if (!o.connected) {
    if (spec.use_credentials) r.login.reason = "no connection";
    else r.login.reason = spec.not_attempted_reason;
    return finish();
  }

  Dialogue d = build_dialogue(ep.protocol, log.lines());
  DialogueFacts f = read_dialogue(ep.protocol, d, r);
  bool old_tls_suspect = false;
  fill_tls(spec, o, f, r, old_tls_suspect);

  const bool greeting_reachable = ep.security != Security::tls || o.tls_done;
  if (greeting_reachable) {
    r.greeting.status = classify_greeting(ep.protocol, r.greeting.reply);
  } else if (!o.server_spoke && o.stopped) {
    r.greeting.status = GreetingEvidence::Status::silent;  // implicit TLS to a server that never said a word
  }
  if (!r.greeting.reply.empty()) {
    const int start_offset = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(start - spec.t0).count());
    for (const auto& l : log.lines())
      if (l.dir == 'S') {
        r.greeting.ms = std::max(0, l.ms - start_offset);
        break;
      }
  }

  fill_login(spec, o, f, r);
  if (o.rc != CURLE_OK && (!o.stopped || o.deadline_hit) && r.greeting.status == GreetingEvidence::Status::ok &&
      r.tls.status != TlsEvidence::Status::failed && !f.login && o.rc != CURLE_LOGIN_DENIED && !f.no_known_mechanism) {
    r.broke_off.happened = true;
    r.broke_off.stalled = o.rc == CURLE_OPERATION_TIMEDOUT;
    r.broke_off.error = !o.error.empty() ? o.error : r.broke_off.stalled ? "no answer before the deadline" : "the session ended";
    r.broke_off.refusal = f.service_refusal;
  }

  const bool alive = o.rc == CURLE_OK && !session.should_stop() && !spec.stop_after_handshake;
  if (alive) {
    const bool logged_in = r.login.status == LoginEvidence::Status::ok;
    const bool smtp_unauthenticated = r.login.status == LoginEvidence::Status::skipped_by_server;
    if (logged_in || smtp_unauthenticated) {
      after_login(spec, session, log, r);
      if (smtp_unauthenticated && ep.security == Security::none && tls_required_reply(ep.protocol, r.after_login.mail_from))
        r.login.status = LoginEvidence::Status::tls_required;
    } else {
      say_goodbye(ep.protocol, session, log);
    }
  }

  // A server that speaks only TLS 1.1 or older: prove it with a credential-free second handshake that allows them.
  if (old_tls_suspect && !spec.legacy_tls && !session.should_stop()) {
    permit.reset();  // the failed handshake closed this connection: the second one takes its own slot
    ProbeSpec legacy = *session_spec;
    legacy.legacy_tls = true;
    legacy.stop_after_handshake = true;
    legacy.use_credentials = false;
    legacy.endpoint.password = Secret();
    legacy.not_attempted_reason = "version check";
    ProbeProgress legacy_progress;
    ProbeOutput second = run_probe(legacy, legacy_progress, global_cancel);
    log.note("second connection allowing TLS 1.0/1.1 (no credentials): " +
             std::string(second.result.tls.version.empty() ? "no handshake" : second.result.tls.version));
    if (second.result.tls.status != TlsEvidence::Status::skipped &&
        (second.result.tls.status == TlsEvidence::Status::ok || second.result.tls.failure == TlsEvidence::Failure::certificate)) {
      r.tls.failure = TlsEvidence::Failure::version_too_old;
      r.tls.version = second.result.tls.version;
      r.tls.cipher = second.result.tls.cipher;
      if (!r.tls.cert.present) r.tls.cert = second.result.tls.cert;
    }
  }

  // "password" allows the protocol's own LOGIN / USER+PASS, which curl uses only when no SASL mechanism is asked for.
  // A second connection still makes at most one login attempt only if this one sent nothing: that is known from
  // curl's own output (o.credential_lines), never from the transcript, which is bounded and parsed our way.
  if (spec.use_credentials && o.credential_lines == 0 && ep.auth == AuthMethod::password && ep.protocol != Protocol::smtp &&
      !spec.allow_cleartext_command &&
      r.login.status == LoginEvidence::Status::no_mechanism && r.caps.sasl_mechanisms.empty() && !r.caps.login_disabled &&
      !session.should_stop()) {
    permit.reset();  // curl closed the refused connection: the second one takes its own slot
    ProbeSpec again = *session_spec;
    again.allow_cleartext_command = true;
    ProbeOutput second = run_probe(again, progress, global_cancel);
    std::vector<transcript::LogLine> merged = log.lines();
    for (auto& l : merged) l.unmasked.clear();
    merged.push_back({'*', log.now_ms(), "no SASL mechanism offered: second connection with the protocol's own login command", {}});
    merged.insert(merged.end(), second.log.begin(), second.log.end());
    second.log = std::move(merged);
    second.result.elapsed_ms = ms_since(start);
    return second;
  }
  return finish();
}

}  // namespace maildoctor::probe

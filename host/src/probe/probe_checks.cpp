#include "probe/probe_checks.hpp"
#include "transcript/reply_parser.hpp"

namespace maildoctor::probe {

namespace {
// The line that ends a reply carries its verdict (the tagged IMAP line, the last SMTP line). For a reply cut short it
// is the "[... N more lines not kept]" marker, which is what the check should then say.
std::string final_line(const Reply& r) { return r.lines.empty() ? std::string() : r.lines.back(); }

const char* connect_word(ConnectEvidence::Status s) {
  switch (s) {
    case ConnectEvidence::Status::ok: return "connected";
    case ConnectEvidence::Status::refused: return "connection refused";
    case ConnectEvidence::Status::timeout: return "no answer (timed out)";
    case ConnectEvidence::Status::unreachable: return "host or network unreachable";
    case ConnectEvidence::Status::failed: return "connection failed";
    case ConnectEvidence::Status::skipped: return "not tried";
    case ConnectEvidence::Status::proxy_failed: return "proxy failed";
  }
  return "";
}

const char* tls_failure_word(TlsEvidence::Failure f) {
  switch (f) {
    case TlsEvidence::Failure::none: return "";
    case TlsEvidence::Failure::plaintext_answer: return "the server answered in plain text";
    case TlsEvidence::Failure::no_answer: return "the server waits for TLS from the start";
    case TlsEvidence::Failure::silent: return "the server never answered the TLS handshake";
    case TlsEvidence::Failure::starttls_unavailable: return "STARTTLS not available";
    case TlsEvidence::Failure::starttls_pipelined: return "unexpected data after the STARTTLS go-ahead";
    case TlsEvidence::Failure::version_too_old: return "the server only speaks an old TLS version";
    case TlsEvidence::Failure::certificate: return "certificate problem";
    case TlsEvidence::Failure::handshake: return "handshake failed";
  }
  return "";
}
}  // namespace

std::vector<Check> checks_for(const ProbeResult& r) {
  std::vector<Check> out;
  auto add = [&](const char* step, CheckStatus status, int ms, std::string detail) {
    Check c;
    c.subject = r.endpoint.subject;
    c.step = step;
    c.status = status;
    c.ms = ms;
    c.detail = std::move(detail);
    c.target = r.target();
    c.alternative = r.alternative;
    out.push_back(std::move(c));
  };

  if (r.dns.status == DnsEvidence::Status::left_to_proxy) {
    add("dns", CheckStatus::skip, 0, "left to the proxy " + r.connect.proxy + " (remote DNS): no local lookup");
  } else if (r.dns.status != DnsEvidence::Status::skipped) {
    std::string detail;
    for (const auto& a : r.dns.addresses) detail += (detail.empty() ? "" : ", ") + a;
    if (r.dns.status != DnsEvidence::Status::ok) detail = r.dns.error.empty() ? "no address" : r.dns.error;
    add("dns", r.dns.status == DnsEvidence::Status::ok ? CheckStatus::pass : CheckStatus::fail, r.dns.ms, detail);
  }
  if (r.connect.status == ConnectEvidence::Status::skipped) return out;
  std::string cdetail = connect_word(r.connect.status);
  if (r.connect.status == ConnectEvidence::Status::proxy_failed)
    cdetail = "the proxy " + r.connect.proxy + " failed (" + r.connect.proxy_failure + ")";
  else if (!r.connect.proxy.empty())
    cdetail += " through the proxy " + r.connect.proxy;
  if (!r.connect.address.empty() && r.connect.proxy.empty()) cdetail += " (" + r.connect.address + ")";
  if (!r.connect.proxy_bypassed.empty())
    cdetail += " directly, not through the proxy " + r.connect.proxy_bypassed + " (the server is on its bypass list)";
  if (r.connect.status != ConnectEvidence::Status::ok && !r.connect.error.empty()) cdetail += ": " + r.connect.error;
  add("connect", r.connect.status == ConnectEvidence::Status::ok ? CheckStatus::pass : CheckStatus::fail, r.connect.ms, cdetail);

  auto greeting = [&]() {
    if (r.greeting.status == GreetingEvidence::Status::skipped) return;
    std::string d = r.greeting.status == GreetingEvidence::Status::silent ? "the server never spoke" : final_line(r.greeting.reply);
    add("greeting", r.greeting.status == GreetingEvidence::Status::ok ? CheckStatus::pass : CheckStatus::fail, r.greeting.ms, d);
  };
  auto tls = [&](const char* step) {
    if (r.tls.status == TlsEvidence::Status::skipped) return;
    std::string d;
    if (r.tls.status == TlsEvidence::Status::ok) d = r.tls.version + (r.tls.cipher.empty() ? "" : " " + r.tls.cipher);
    else d = std::string(tls_failure_word(r.tls.failure)) + (r.tls.error.empty() ? "" : ": " + r.tls.error);
    add(step, r.tls.status == TlsEvidence::Status::ok ? CheckStatus::pass : CheckStatus::fail, r.tls.ms, d);
  };

  if (r.endpoint.security == Security::tls) {
    tls("tls");
    greeting();
  } else {
    greeting();
  }
  if (r.caps_before_tls.known || r.caps.known) {
    const Capabilities& c = r.caps.known ? r.caps : r.caps_before_tls;
    std::string d;
    for (const auto& m : c.sasl_mechanisms) d += (d.empty() ? "AUTH " : " ") + m;
    if (c.starttls) d += d.empty() ? "STARTTLS" : ", STARTTLS";
    if (c.login_disabled) d += d.empty() ? "LOGINDISABLED" : ", LOGINDISABLED";
    add("capabilities", CheckStatus::pass, 0, d);
  }
  if (r.endpoint.security == Security::starttls) tls("starttls");

  const LoginEvidence& l = r.login;
  switch (l.status) {
    case LoginEvidence::Status::not_attempted:
      if (!l.reason.empty()) add("auth", CheckStatus::skip, 0, l.reason);
      break;
    case LoginEvidence::Status::ok: add("auth", CheckStatus::pass, l.ms, "logged in (" + l.mechanism + ")"); break;
    case LoginEvidence::Status::refused:
    case LoginEvidence::Status::tls_required: add("auth", CheckStatus::fail, l.ms, final_line(l.reply)); break;
    case LoginEvidence::Status::no_mechanism: add("auth", CheckStatus::fail, l.ms, l.reason); break;
    case LoginEvidence::Status::skipped_by_server: add("auth", CheckStatus::fail, l.ms, l.reason); break;
    case LoginEvidence::Status::error: add("auth", CheckStatus::fail, l.ms, l.error); break;
  }
  const AfterLoginEvidence& a = r.after_login;
  if (a.attempted && a.mailbox.empty() && a.mail_from.empty() && !a.error.empty()) {
    add(r.endpoint.protocol == Protocol::smtp ? "sender" : "mailbox", CheckStatus::fail, 0, a.error);
  } else if (a.attempted) {
    if (r.endpoint.protocol == Protocol::smtp) {
      const Reply& last = a.rcpt_to.empty() ? a.mail_from : a.rcpt_to;
      if (!last.empty()) add("sender", last.code == 250 ? CheckStatus::pass : CheckStatus::fail, 0, final_line(last));
    } else if (!a.mailbox.empty()) {
      const bool ok = transcript::positive(r.endpoint.protocol, a.mailbox);
      add("mailbox", ok ? CheckStatus::pass : CheckStatus::fail, 0, final_line(a.mailbox));
    }
  }
  return out;
}

}  // namespace maildoctor::probe

#include "diagnose/context.hpp"
#include "kb/text.hpp"
#include "maildoctor/interceptors.hpp"

namespace maildoctor::diagnose {
namespace {
// RFC 6125: a "*" stands for exactly one whole left-most label.
bool name_covers(const std::string& cert_name, const std::string& host) {
  const std::string n = kb::lower(cert_name), h = kb::lower(host);
  if (n.rfind("*.", 0) != 0) return n == h;
  const auto dot = h.find('.');
  return dot != std::string::npos && dot > 0 && h.compare(dot, std::string::npos, n, 1, std::string::npos) == 0;
}

// A host the certificate is valid for that an independent source publishes for this account, with that source;
// nothing when the chain fails for any reason but the name (nothing from an unverified chain).
std::optional<std::pair<std::string, std::string>> confirmed_certificate_host(const Context& ctx, const CertReport& c) {
  if (c.chain.empty() || c.untrusted || c.self_signed || c.expired || c.not_yet_valid) return std::nullopt;
  for (const auto& [host, source] : ctx.confirmed_hosts)
    for (const auto& n : c.chain.front().names)
      if (name_covers(n, host)) return std::make_pair(host, source);
  return std::nullopt;
}

// The chain comes from a product on this computer that reads TLS connections to scan mail; error when the chain
// is not trusted (what Thunderbird shows as an unknown issuer), info when this computer's trust store holds its root.
void intercepted_finding(Context& ctx, const ProbeResult& p, const kb::Interceptor& product, Severity severity) {
  const CertReport& c = p.tls.cert;
  Finding f = make_finding(
      "tls.intercepted", severity, p, ctx, "{product} on this computer intercepts the connection to {host}",
      severity == Severity::error
          ? "The certificate for {host} was issued by {product}, not by the mail provider: this security program "
            "opens the encrypted mail connection to scan it, and Thunderbird does not trust its certificate. The "
            "provider cannot fix this. Switch off the program's scanning of mail connections, or make Thunderbird "
            "trust the program's root certificate (Settings, Privacy & Security, Manage Certificates, Authorities, "
            "Import)."
          : "The certificate for {host} was issued by {product}, not by the mail provider: this security program "
            "opens the encrypted mail connection to scan it. This computer trusts it; if Thunderbird reports a "
            "certificate error for {host}, switch off the program's scanning of mail connections.");
  f.title = fill(f.title, {{"product", product.product}});
  f.detail = fill(f.detail, {{"product", product.product}});
  f.params["product"] = product.product;
  f.params["product_id"] = product.id;
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : product.sources) sources.push_back({{"fact", s.fact}, {"url", s.url}});
  f.params["sources"] = sources;
  if (!c.chain.empty()) {
    f.params["issuer"] = c.chain.front().issuer;
    f.params["names"] = c.chain.front().names;
  }
  Fix steps;
  steps.kind = "steps";
  steps.label = "Stop the interception";
  steps.steps = {product.switch_off,
                 "Or: export the program's root certificate and import it in Thunderbird (Settings, Privacy & Security, "
                 "Manage Certificates, Authorities, Import), trusting it to identify websites."};
  f.fixes.push_back(std::move(steps));
  ctx.add(std::move(f), kRankTls);
}

// Certificate problems, most fundamental first; several can hold at once and each needs its own fix.
bool certificate_findings(Context& ctx, const ProbeResult& p) {
  const CertReport& c = p.tls.cert;
  if (!c.present) return false;
  const std::size_t before = ctx.out.size();
  auto add = [&](const char* code, const char* title, const char* detail) {
    Finding f = make_finding(code, Severity::error, p, ctx, title, detail);
    if (!c.chain.empty()) {
      f.params["names"] = c.chain.front().names;
      f.params["subject_name"] = c.chain.front().subject;
      f.params["issuer"] = c.chain.front().issuer;
      f.params["not_before"] = c.chain.front().not_before;
      f.params["not_after"] = c.chain.front().not_after;
    }
    if (!c.verify_error_text.empty()) f.params["verify_error"] = c.verify_error_text;
    if (c.override_given) {
      // Thunderbird's exception names another certificate: the server's certificate changed since it was accepted.
      f.params["exception_for_other_certificate"] = true;
      f.detail += " Thunderbird has a security exception for this server, but for another certificate: this one is "
                  "new since the exception was made.";
    }
    ctx.add(std::move(f), kRankTls);
  };
  // A date problem this computer's wrong clock explains is reported once, as config.clock_wrong.
  const bool clock_explains = ctx.clock && !c.chain.empty() && ctx.clock->explains(c.chain.front(), ctx.now);
  const bool date_explained = clock_explains && (c.expired || c.not_yet_valid);
  if (c.expired && !clock_explains)
    add("tls.cert_expired", "The certificate of {host} has expired",
        "The server's security certificate is past its end date, so the connection cannot be trusted. Only the "
        "provider can fix this; until then, do not send the password.");
  if (c.not_yet_valid && !clock_explains)
    add("tls.cert_not_yet_valid", "The certificate of {host} is not valid yet",
        "The server's security certificate starts in the future. Check this computer's date and time; if they are "
        "right, the provider must fix the certificate.");
  if (c.hostname_mismatch) {
    std::string names;
    if (!c.chain.empty())
      for (const auto& n : c.chain.front().names) names += (names.empty() ? "" : ", ") + n;
    // A certificate is the server's own claim: its names may move the account only when an independent source
    // publishes the same server for it, and only from a chain that is otherwise sound.
    const auto confirmed = confirmed_certificate_host(ctx, c);
    if (confirmed) {
      add("tls.cert_hostname_mismatch", "The certificate does not belong to {host}",
          "The server presented a certificate for other names ({cert_names}) than the configured server name {host}. "
          "{confirmed_host} is one of them, and {confirmed_by} publishes it for this account: use that server name.");
    } else {
      add("tls.cert_hostname_mismatch", "The certificate does not belong to {host}",
          "The server presented a certificate for other names ({cert_names}) than the configured server name {host}. "
          "This may be an interception: someone on this network may be answering in the server's place. Do not "
          "change the server name to one of these names unless your provider confirms it, and do not send the "
          "password until the certificate matches.");
      ctx.out.back().finding.params["interception_possible"] = true;
    }
    // Filled after the template: the names are the server's text, and a "{email}" in one must stay as written.
    Finding& f = ctx.out.back().finding;
    f.detail = fill(f.detail, {{"cert_names", names.empty() ? std::string("none listed") : names},
                               {"confirmed_host", confirmed ? confirmed->first : std::string()},
                               {"confirmed_by", confirmed ? confirmed->second : std::string()}});
    if (confirmed) {
      f.params["confirmed_by"] = confirmed->second;
      f.fixes.push_back(change_setting(p.endpoint.subject, "host", confirmed->first));
    }
  }
  const kb::Interceptor* product = (c.self_signed || c.untrusted) ? kb::intercepting_product(c) : nullptr;
  if (product)
    intercepted_finding(ctx, p, *product, Severity::error);
  else if (c.self_signed)
    add("tls.cert_self_signed", "{host} uses a self-signed certificate",
        "The server signed its own certificate, so nobody vouches for it. Only accept it if you run this server yourself "
        "or the provider confirms it.");
  else if (c.untrusted)
    add("tls.cert_untrusted", "The certificate of {host} is not from a trusted authority",
        "The server's certificate comes from an unknown issuer or its chain is incomplete. The provider must install the "
        "full certificate chain; until then, do not send the password.");
  return ctx.out.size() != before || date_explained;
}

// Thunderbird's own exception for this host:port accepts this very certificate: Thunderbird connects and logs in,
// so the chain's faults are told as information, and the diagnosis goes on to the login.
void override_finding(Context& ctx, const ProbeResult& p) {
  const CertReport& c = p.tls.cert;
  std::vector<std::string> faults;
  if (c.expired) faults.push_back("expired");
  if (c.not_yet_valid) faults.push_back("not_yet_valid");
  if (c.hostname_mismatch) faults.push_back("hostname_mismatch");
  if (c.self_signed) faults.push_back("self_signed");
  if (c.untrusted) faults.push_back("untrusted");
  Finding f = make_finding("tls.cert_override_accepted", Severity::info, p, ctx,
                           "The certificate of {host} is accepted by your exception",
                           "This certificate would not be trusted on its own, but you accepted it in Thunderbird (a "
                           "security exception for {host}:{port}), and it is the very certificate of that exception. "
                           "Thunderbird connects with it, and so did this check.");
  f.params["faults"] = faults;
  if (!c.chain.empty()) {
    f.params["sha256"] = c.chain.front().sha256;
    f.params["subject_name"] = c.chain.front().subject;
    f.params["issuer"] = c.chain.front().issuer;
  }
  if (const kb::Interceptor* product = kb::intercepting_product(c)) {
    f.params["intercepted_by"] = product->product;
    f.detail += " It was issued by " + product->product + " on this computer, which reads the mail connection to scan it.";
  }
  ctx.add(std::move(f), kRankTls);
}

// A sound certificate that ends within 14 days: the connection works today, and the user can tell the provider.
void expiry_warning(Context& ctx, const ProbeResult& p) {
  const CertReport& c = p.tls.cert;
  if (!c.present || !c.expires_soon || c.expired || c.chain.empty()) return;
  Finding f = make_finding("tls.cert_expires_soon", Severity::warning, p, ctx,
                           "The certificate of {host} expires soon",
                           "The server's security certificate ends on {not_after_day}, in {days_text}. After that, "
                           "Thunderbird will refuse the connection until the provider renews it. If you run this server, "
                           "renew the certificate now; otherwise tell the provider.");
  const std::string& not_after = c.chain.front().not_after;
  f.detail = fill(f.detail, {{"not_after_day", not_after.substr(0, 10)},
                             {"days_text", c.days_left == 1 ? std::string("1 day")
                                           : c.days_left < 1 ? std::string("less than a day")
                                                             : std::to_string(c.days_left) + " days"}});
  f.params["not_after"] = not_after;
  f.params["days_left"] = c.days_left;
  f.params["subject_name"] = c.chain.front().subject;
  f.params["issuer"] = c.chain.front().issuer;
  ctx.add(std::move(f), kRankTls);
}

// The same port answered the other way round: proof of which security the port speaks.
const ProbeResult* same_port_other_mode(const Context& ctx, const ProbeResult& p) {
  for (const ProbeResult* a : alternatives_of(ctx, p))
    if (a->endpoint.port == p.endpoint.port && a->endpoint.security != p.endpoint.security && reached_server(*a)) return a;
  return nullptr;
}
}  // namespace

bool tls_findings(Context& ctx, const ProbeResult& p) {
  using F = TlsEvidence::Failure;
  if (p.tls.status != TlsEvidence::Status::failed) {
    if (p.tls.status == TlsEvidence::Status::ok && p.tls.cert.present && !p.tls.cert.verified && p.tls.cert.override_matched) {
      override_finding(ctx, p);
      return true;
    }
    // A verified handshake can still have been examined in the credential-free pass and found wanting.
    if (p.tls.status == TlsEvidence::Status::ok && !p.tls.cert.verified && certificate_findings(ctx, p)) return false;
    if (p.tls.status == TlsEvidence::Status::ok) {
      expiry_warning(ctx, p);
      if (p.tls.cert.verified)
        if (const kb::Interceptor* product = kb::intercepting_product(p.tls.cert))
          intercepted_finding(ctx, p, *product, Severity::info);
    }
    return true;
  }
  // Nothing answered the ClientHello: no handshake went wrong, no server spoke at all. The greeting step says so
  // (proto.no_greeting), and the alternatives may still show the port blocked.
  if (p.tls.failure == F::silent) return true;
  Finding f;
  switch (p.tls.failure) {
    case F::plaintext_answer:
    case F::no_answer: {
      const bool tls_on_plain = p.tls.failure == F::plaintext_answer;
      const ProbeResult* proof = same_port_other_mode(ctx, p);
      const Security right = proof ? proof->endpoint.security : (tls_on_plain ? Security::starttls : Security::tls);
      f = make_finding("tls.wrong_mode", Severity::error, p, ctx,
                       tls_on_plain ? "Port {port} does not use SSL/TLS from the start" : "Port {port} expects SSL/TLS from the start",
                       tls_on_plain ? "The connection security is set to SSL/TLS, but {host} answers port {port} unencrypted "
                                      "and expects STARTTLS. Set the connection security to STARTTLS, or use the SSL/TLS port."
                                    : "The connection security is set to STARTTLS or none, but {host} expects encryption right "
                                      "away on port {port}. Set the connection security to SSL/TLS, or use the STARTTLS port.");
      f.params["expected_security"] = to_string(right);
      f.params["confirmed"] = proof != nullptr;
      f.fixes.push_back(change_setting(p.endpoint.subject, "security", std::string(to_string(right))));
      break;
    }
    case F::starttls_unavailable:
      f = make_finding("tls.starttls_unavailable", Severity::error, p, ctx, "{host} does not offer STARTTLS on port {port}",
                       "The connection security is set to STARTTLS, but the server does not offer to encrypt the connection "
                       "on this port. Use the SSL/TLS port instead; never switch to an unencrypted connection.");
      break;
    case F::starttls_pipelined:
      f = make_finding("tls.starttls_injected", Severity::error, p, ctx,
                       "{host} sent unexpected data when switching to encryption",
                       "Right after agreeing to encrypt the connection (STARTTLS), {host} sent more data before the "
                       "encryption began. Something on the network may have inserted it, so the connection was stopped "
                       "and no password was sent. Try another network, or use the SSL/TLS port. If it happens "
                       "everywhere, the server is misbehaving: tell its provider.");
      break;
    case F::version_too_old:
      f = make_finding("tls.version_too_old", Severity::error, p, ctx, "{host} only speaks an outdated TLS version",
                       "The server only offers TLS 1.1 or older, which current mail programs refuse as insecure. The "
                       "provider must update the server.");
      break;
    case F::certificate:
      if (certificate_findings(ctx, p)) return false;
      [[fallthrough]];
    default:
      f = make_finding("tls.handshake_failed", Severity::error, p, ctx, "The secure connection to {host} failed",
                       "The encryption handshake with {host} on port {port} failed. The server may use settings this "
                       "computer does not accept, or something on the network interferes.");
      break;
  }
  if (!p.tls.error.empty()) f.params["error"] = p.tls.error;
  if (!p.tls.version.empty()) f.params["tls_version"] = p.tls.version;
  ctx.add(std::move(f), kRankTls);
  return false;
}

}  // namespace maildoctor::diagnose

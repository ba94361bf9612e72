#include <algorithm>

#include "diagnose/context.hpp"

namespace maildoctor::diagnose {
namespace {

bool offers(const EwsEvidence& ev, const char* scheme) {
  return std::find(ev.schemes.begin(), ev.schemes.end(), scheme) != ev.schemes.end();
}

// The scheme a Thunderbird EWS account signs in with for its configured method; null for methods EWS has no scheme for.
const char* scheme_for(AuthMethod auth) {
  switch (auth) {
    case AuthMethod::password: return "Basic";
    case AuthMethod::ntlm: return "NTLM";
    case AuthMethod::oauth2: return "Bearer";
    case AuthMethod::gssapi: return "Negotiate";
    default: return nullptr;
  }
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void add_ews_params(Finding& f, const EwsEvidence& ev) {
  f.params["protocol"] = "ews";
  f.params["url"] = ev.url;
  f.params.erase("security");
}

}  // namespace

void ews_findings(Context& ctx) {
  if (!ctx.evidence.ews) return;
  const EwsEvidence& ev = *ctx.evidence.ews;
  const ProbeResult& p = ev.probe;
  const std::size_t before = ctx.out.size();
  const bool reached = network_findings(ctx, p) && tls_findings(ctx, p);
  // The DNS, connection and certificate findings are the mail probes' own; their one-click settings (port, security,
  // a provider's IMAP host) address IMAP, POP3 and SMTP servers, not an EWS URL: the texts stay, those fixes go.
  for (std::size_t i = before; i < ctx.out.size(); ++i) {
    Finding& f = ctx.out[i].finding;
    f.fixes.erase(std::remove_if(f.fixes.begin(), f.fixes.end(), [](const Fix& x) { return x.kind == "change_setting"; }), f.fixes.end());
    add_ews_params(f, ev);
  }
  if (!reached && ev.outcome != EwsEvidence::Outcome::no_answer) return;

  auto add = [&](const char* code, Severity severity, std::string title, std::string detail, int rank) -> Finding& {
    Finding f = make_finding(code, severity, p, ctx, std::move(title), std::move(detail));
    add_ews_params(f, ev);
    ctx.add(std::move(f), rank);
    return ctx.out.back().finding;
  };
  switch (ev.outcome) {
    case EwsEvidence::Outcome::no_answer: {
      Finding& f = add("ews.no_answer", Severity::error, "The Exchange server {host} does not answer",
                       "The connection to {host} works, but the Exchange (EWS) address gave no answer in time. The server "
                       "may be overloaded or down, or something on the network holds the connection. Try again later; if "
                       "it persists, tell whoever runs the Exchange server.",
                       kRankGreeting);
      if (!ev.error.empty()) f.params["error"] = ev.error;
      return;
    }
    case EwsEvidence::Outcome::bad_reply: {
      Finding& f = add("ews.bad_reply", Severity::error, "The Exchange server {host} sent an invalid answer",
                       "The Exchange (EWS) address answered with something that is not a valid web answer, or with far too "
                       "much of it. The address may point to another service. Check the EWS address in the account settings.",
                       kRankGreeting);
      if (!ev.error.empty()) f.params["error"] = ev.error;
      return;
    }
    case EwsEvidence::Outcome::answered: {
      Finding& f = add("ews.no_sign_in", Severity::warning, "{host} did not ask for a sign-in",
                       "The Exchange (EWS) address answered without asking for a sign-in (HTTP " + std::to_string(ev.http_status) +
                           "). An Exchange server asks for one, so the address is probably wrong: check the EWS address in the "
                           "account settings.",
                       kRankGreeting);
      f.params["http_status"] = ev.http_status;
      return;
    }
    case EwsEvidence::Outcome::not_reached: return;
    case EwsEvidence::Outcome::challenged: break;
  }

  const bool basic = offers(ev, "Basic"), ntlm = offers(ev, "NTLM"), bearer = offers(ev, "Bearer"), negotiate = offers(ev, "Negotiate");
  auto schemes_params = [&](Finding& f) {
    f.params["schemes"] = ev.schemes;
    f.params["basic"] = basic;
    f.params["ntlm"] = ntlm;
    f.params["bearer"] = bearer;
    f.params["negotiate"] = negotiate;
    f.params["configured_auth"] = to_string(p.endpoint.auth);
    f.params["login_tested"] = false;
  };
  const std::string list = joined(ev.schemes);
  std::string plain;
  if (bearer) plain += " OAuth2 (Microsoft sign-in)";
  if (basic) plain += std::string(plain.empty() ? "" : ",") + " the normal password";
  if (ntlm) plain += std::string(plain.empty() ? "" : ",") + " NTLM (Windows password)";
  if (negotiate) plain += std::string(plain.empty() ? "" : ",") + " Kerberos/Negotiate";
  {
    Finding& f = add("ews.auth_offered", Severity::info, "The Exchange server {host} answers and offers: " + list,
                     "The Exchange (EWS) address answers with a valid connection and offers these sign-in methods:" +
                         (plain.empty() ? std::string(" ") + list : plain) +
                         ". maildoctor checked this without sending your password; the sign-in itself was not tested.",
                     kRankNotTested);
    schemes_params(f);
  }
  const char* wanted = scheme_for(p.endpoint.auth);
  if (!wanted || offers(ev, wanted)) return;
  if (bearer && !basic && !ntlm && !negotiate) {
    Finding& f = add("auth.oauth_required", Severity::error, "{host} only accepts OAuth2 sign-in",
                     "The Exchange server offers no password sign-in, only OAuth2 (Bearer). Set the account's authentication "
                     "method to OAuth2 in Thunderbird's server settings.",
                     kRankAuth);
    schemes_params(f);
    Fix steps;
    steps.kind = "steps";
    steps.steps = {"Thunderbird: Account Settings > Server Settings of this account: set Authentication method to OAuth2, then "
                   "sign in when Thunderbird asks."};
    f.fixes.push_back(std::move(steps));
    return;
  }
  Finding& f = add("auth.mechanism_unsupported", Severity::error, "{host} does not offer the configured sign-in method",
                   std::string("The account signs in with ") + wanted + ", but the Exchange server offers only " + list +
                       ". Choose one of those as the authentication method in the account's server settings.",
                   kRankAuth);
  schemes_params(f);
}

}  // namespace maildoctor::diagnose

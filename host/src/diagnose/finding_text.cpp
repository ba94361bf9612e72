#include "diagnose/context.hpp"
#include "kb/text.hpp"

namespace maildoctor::diagnose {

std::string fill(const std::string& text, const Vars& vars) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      const auto close = text.find('}', i + 1);
      if (close != std::string::npos) {
        auto it = vars.find(text.substr(i + 1, close - i - 1));
        if (it != vars.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::string_view protocol_label(Protocol p) {
  switch (p) {
    case Protocol::imap: return "IMAP";
    case Protocol::pop3: return "POP3";
    case Protocol::smtp: return "SMTP";
  }
  return "";
}

bool oauth2_usable(const Context& ctx, const ProbeResult& p) { return kb::thunderbird_oauth2(ctx.provider, p.endpoint.host); }

Vars vars_for(const Context& ctx, const ProbeResult& p) {
  const auto& e = p.endpoint;
  return {{"host", e.host},
          {"port", std::to_string(e.port)},
          {"protocol", std::string(protocol_label(e.protocol))},
          {"security", std::string(to_string(e.security))},
          {"username", e.username},
          {"email", ctx.request.account.email},
          {"server", e.subject == Subject::outgoing ? "outgoing (SMTP) server" : "incoming server"},
          {"provider", ctx.provider ? ctx.provider->name : std::string("your mail provider")},
          // Texts mention OAuth2 only where Thunderbird can sign in with it; elsewhere the advice would break the account.
          {"or_oauth2", oauth2_usable(ctx, p) ? " (or OAuth2 sign-in)" : ""},
          {"or_oauth2_switch", oauth2_usable(ctx, p) ? " (or switch the account to OAuth2)" : ""}};
}

nlohmann::json params_for(const Context& ctx, const ProbeResult& p) {
  nlohmann::json j{{"host", p.endpoint.host},
                   {"port", p.endpoint.port},
                   {"protocol", to_string(p.endpoint.protocol)},
                   {"security", to_string(p.endpoint.security)}};
  if (ctx.provider) {
    j["provider"] = ctx.provider->id;
    j["provider_name"] = ctx.provider->name;
  }
  return j;
}

Finding make_finding(const std::string& code, Severity severity, const ProbeResult& p, const Context& ctx, std::string title,
                     std::string detail) {
  Finding f;
  f.code = code;
  f.severity = severity;
  f.subject = p.endpoint.subject;
  const Vars v = vars_for(ctx, p);
  f.title = fill(title, v);
  f.detail = fill(detail, v);
  f.params = params_for(ctx, p);
  return f;
}

Fix change_setting(Subject subject, const std::string& setting, nlohmann::json value, std::string label) {
  Fix f;
  f.kind = "change_setting";
  f.subject = subject;
  f.setting = setting;
  f.value = std::move(value);
  f.label = std::move(label);
  return f;
}

std::vector<const ProbeResult*> alternatives_of(const Context& ctx, const ProbeResult& p) {
  std::vector<const ProbeResult*> out;
  for (const auto& a : ctx.evidence.alternatives) {
    if (a.endpoint.subject != p.endpoint.subject || kb::lower(a.endpoint.host) != kb::lower(p.endpoint.host)) continue;
    if (a.endpoint.port == p.endpoint.port && a.endpoint.security == p.endpoint.security) continue;
    out.push_back(&a);
  }
  return out;
}

bool reached_server(const ProbeResult& a) {
  if (a.connect.status != ConnectEvidence::Status::ok) return false;
  if (a.endpoint.security != Security::none && a.tls.status != TlsEvidence::Status::ok) return false;
  return a.greeting.status == GreetingEvidence::Status::ok && a.caps.known;
}

}  // namespace maildoctor::diagnose

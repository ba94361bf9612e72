#include "diagnose/context.hpp"
#include "kb/text.hpp"

namespace maildoctor::diagnose {
namespace {
const kb::ServerSetting* published_for(const kb::Provider& prov, const Endpoint& e) {
  const auto& list = e.subject == Subject::outgoing ? prov.outgoing : prov.incoming;
  // Same protocol first: a POP3 account should be pointed at the POP3 server, not switched to IMAP.
  for (const auto& s : list)
    if (s.protocol == e.protocol) return &s;
  return list.empty() ? nullptr : &list.front();
}

void add_howto(std::vector<Fix>& out, const kb::HowTo& h, const std::string& label, const Vars& v) {
  if (!h.url.empty()) {
    Fix f;
    f.kind = "open_url";
    f.url = h.url;
    f.label = fill(label, v);
    f.from_provider = true;
    out.push_back(std::move(f));
  }
  if (!h.steps.empty()) {
    Fix f;
    f.kind = "steps";
    f.steps = h.steps;
    f.label = fill(label, v);
    f.from_provider = true;
    out.push_back(std::move(f));
  }
}
}  // namespace

std::vector<Fix> provider_settings_fixes(const Context& ctx, const ProbeResult& p) {
  std::vector<Fix> out;
  if (!ctx.provider) return out;
  const kb::ServerSetting* s = published_for(*ctx.provider, p.endpoint);
  if (!s) return out;
  const Subject subj = p.endpoint.subject;
  const std::string who = ctx.provider->name;
  if (s->protocol != p.endpoint.protocol)
    out.push_back(change_setting(subj, "protocol", std::string(to_string(s->protocol)), who + " publishes this protocol"));
  if (kb::lower(s->host) != kb::lower(p.endpoint.host)) out.push_back(change_setting(subj, "host", s->host, who + "'s published server"));
  if (s->port != p.endpoint.port) out.push_back(change_setting(subj, "port", s->port, who + "'s published port"));
  if (s->security != p.endpoint.security)
    out.push_back(change_setting(subj, "security", std::string(to_string(s->security)), who + "'s published connection security"));
  const std::string user = kb::expand_email_placeholders(s->username, ctx.request.account.email);
  if (!ctx.request.account.email.empty() && !p.endpoint.username.empty() && user != p.endpoint.username &&
      user.find('%') == std::string::npos)
    out.push_back(change_setting(subj, "username", user, who + "'s user name form"));
  for (auto& f : out) f.from_provider = true;
  return out;
}

std::vector<Fix> resolve_fixes(const std::vector<rules::FixTemplate>& templates, const Context& ctx, const ProbeResult& p) {
  std::vector<Fix> out;
  const Vars v = vars_for(ctx, p);
  for (const auto& t : templates) {
    if (t.kind == "open_url") {
      Fix f;
      f.kind = "open_url";
      f.url = t.url;
      f.label = fill(t.label, v);
      out.push_back(std::move(f));
    } else if (t.kind == "steps") {
      Fix f;
      f.kind = "steps";
      f.label = fill(t.label, v);
      for (const auto& s : t.steps) f.steps.push_back(fill(s, v));
      out.push_back(std::move(f));
    } else if (t.kind == "change_setting") {
      // Switching to OAuth2 where Thunderbird has no OAuth2 for the server leaves the account unable to log in.
      if (t.setting == "auth" && t.value == "oauth2" && !oauth2_usable(ctx, p)) continue;
      nlohmann::json value = t.value;
      if (value.is_string()) value = fill(value.get<std::string>(), v);
      out.push_back(change_setting(p.endpoint.subject, t.setting, value, fill(t.label, v)));
    } else if (t.kind == "app_password" && ctx.provider && ctx.provider->app_password) {
      add_howto(out, *ctx.provider->app_password, t.label.empty() ? "Create an app password for {provider}" : t.label, v);
    } else if (t.kind == "enable_access" && ctx.provider && ctx.provider->enable_access) {
      add_howto(out, *ctx.provider->enable_access, t.label.empty() ? "Turn on {protocol} access at {provider}" : t.label, v);
    } else if (t.kind == "oauth_signin" && p.endpoint.auth == AuthMethod::oauth2) {
      // Thunderbird's own sign-in window for this server: the add-on opens it; no setting changes.
      Fix f;
      f.kind = "oauth_signin";
      f.subject = p.endpoint.subject;
      f.label = fill(t.label.empty() ? "Sign in again" : t.label, v);
      out.push_back(std::move(f));
    } else if (t.kind == "provider_settings") {
      for (auto& f : provider_settings_fixes(ctx, p)) out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace maildoctor::diagnose

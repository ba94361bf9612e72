#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <memory>

#include <curl/curl.h>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "maildoctor/request.hpp"

namespace maildoctor {
namespace {

using nlohmann::json;

struct Refusal {
  RequestError error;
};

// Each reader returns the value or throws Refusal; Refusal never leaves this file.
const json* member(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string read_string(const json& obj, const char* key, const std::string& path, bool required, std::size_t max_len = 1024) {
  const json* v = member(obj, key);
  if (!v) {
    if (required) throw Refusal{{path + key, std::string("\"") + key + "\" is required."}};
    return {};
  }
  if (!v->is_string()) throw Refusal{{path + key, std::string("\"") + key + "\" must be a string."}};
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_len) throw Refusal{{path + key, std::string("\"") + key + "\" is too long."}};
  return s;
}

std::string read_command_safe(const json& obj, const char* key, const std::string& path, bool required) {
  std::string s = read_string(obj, key, path, required, 320);
  if (!safe_for_command(s))
    throw Refusal{{path + key, std::string("\"") + key + "\" contains a line break or a NUL character, which could inject a command."}};
  return s;
}

bool read_bool(const json& obj, const char* key, const std::string& path, bool fallback) {
  const json* v = member(obj, key);
  if (!v) return fallback;
  if (!v->is_boolean()) throw Refusal{{path + key, std::string("\"") + key + "\" must be true or false."}};
  return v->get<bool>();
}

bool valid_host(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (unsigned char c : h)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']')) return false;
  return true;
}

// An OAuth2 account's access token travels as "access_token" (not "password") so that a reader of the request knows
// what it holds; inside the host it is the endpoint's one secret. The refresh token never comes here.
void read_oauth_members(const json& j, Endpoint& e, const std::string& path) {
  const json* token = member(j, "access_token");
  const std::string oauth_error = read_string(j, "oauth_error", path, false, 4096);
  if ((token || !oauth_error.empty()) && e.auth != AuthMethod::oauth2)
    throw Refusal{{path + (token ? "access_token" : "oauth_error"),
                   std::string("\"") + (token ? "access_token" : "oauth_error") + "\" needs \"auth\": \"oauth2\"."}};
  e.oauth_error = oauth_error;
  if (!token) return;
  if (!e.password.empty()) throw Refusal{{path + "access_token", "give \"access_token\" or \"password\", not both."}};
  if (!token->is_string()) throw Refusal{{path + "access_token", "\"access_token\" must be a string."}};
  const auto& s = token->get_ref<const std::string&>();
  // Microsoft's access tokens are JWTs of a few kilobytes.
  if (s.size() > 16384) throw Refusal{{path + "access_token", "\"access_token\" is too long."}};
  if (!password_is_safe(s)) throw Refusal{{path + "access_token", std::string("\"access_token\" ") + kUnsafePasswordText}};
  e.password = Secret(s);
}

Endpoint read_endpoint(const json& j, Subject subject, const std::string& path) {
  if (!j.is_object()) throw Refusal{{path, "must be an object."}};
  Endpoint e;
  e.subject = subject;
  const std::string proto = read_string(j, "protocol", path, true);
  auto p = parse_protocol(proto);
  if (!p) throw Refusal{{path + "protocol", "\"protocol\" must be imap, pop3 or smtp."}};
  if (subject == Subject::outgoing && *p != Protocol::smtp)
    throw Refusal{{path + "protocol", "the outgoing server must use smtp."}};
  if (subject == Subject::incoming && *p == Protocol::smtp)
    throw Refusal{{path + "protocol", "the incoming server must use imap or pop3."}};
  e.protocol = *p;

  e.host = read_command_safe(j, "host", path, true);
  if (!valid_host(e.host)) throw Refusal{{path + "host", "\"host\" is not a valid host name."}};

  const std::string sec = read_string(j, "security", path, false);
  if (sec.empty()) {
    e.security = Security::tls;
  } else if (auto s = parse_security(sec)) {
    e.security = *s;
  } else {
    throw Refusal{{path + "security", "\"security\" must be tls, starttls or none."}};
  }

  if (const json* port = member(j, "port")) {
    if (!port->is_number_integer()) throw Refusal{{path + "port", "\"port\" must be a whole number."}};
    const auto n = port->get<long long>();
    if (n < 1 || n > 65535) throw Refusal{{path + "port", "\"port\" must be between 1 and 65535."}};
    e.port = static_cast<std::uint16_t>(n);
  } else {
    e.port = default_port(e.protocol, e.security);
  }

  e.username = read_command_safe(j, "username", path, false);
  const std::string auth = read_string(j, "auth", path, false);
  if (auth.empty()) {
    e.auth = AuthMethod::password;
  } else if (auto a = parse_auth_method(auth)) {
    e.auth = *a;
  } else {
    throw Refusal{{path + "auth", "\"auth\" must be one of password, password-encrypted, oauth2, ntlm, gssapi, tls-certificate, none."}};
  }
  if (const json* pw = member(j, "password")) {
    if (!pw->is_string()) throw Refusal{{path + "password", "\"password\" must be a string."}};
    const auto& s = pw->get_ref<const std::string&>();
    if (s.size() > 4096) throw Refusal{{path + "password", "\"password\" is too long."}};
    if (!password_is_safe(s))
      throw Refusal{{path + "password", std::string("\"password\" ") + kUnsafePasswordText}};
    e.password = Secret(s);
  }
  if (const json* o = member(j, "cert_override")) {
    if (!o->is_object()) throw Refusal{{path + "cert_override", "\"cert_override\" must be an object with \"sha256\"."}};
    const std::string fp = read_string(*o, "sha256", path + "cert_override.", true, 200);
    auto n = normalise_sha256(fp);
    if (!n) throw Refusal{{path + "cert_override.sha256", "\"sha256\" must be a SHA-256 fingerprint: 64 hex digits, colons allowed."}};
    e.cert_override = *n;
  }
  read_oauth_members(j, e, path);
  return e;
}

// An EWS server names a URL, not host and port; the password, if any, is never read: EWS is probed without one.
EwsServer read_ews(const json& j, const std::string& path) {
  EwsServer e;
  e.url = read_command_safe(j, "url", path, true);
  if (e.url.size() > 2048) throw Refusal{{path + "url", "\"url\" is too long."}};
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  char* scheme = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  char* user = nullptr;
  const bool parsed = u && curl_url_set(u.get(), CURLUPART_URL, e.url.c_str(), 0) == CURLUE_OK;
  if (parsed) {
    curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u.get(), CURLUPART_HOST, &host, 0);
    curl_url_get(u.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    curl_url_get(u.get(), CURLUPART_USER, &user, 0);
  }
  const bool https = scheme && std::string(scheme) == "https";
  const bool has_user = user != nullptr;
  if (host) e.host = host;
  const long n = port ? std::strtol(port, nullptr, 10) : 0;
  for (char* part : {scheme, host, port, user}) curl_free(part);
  if (!parsed || !https) throw Refusal{{path + "url", "\"url\" must be an https:// URL."}};
  if (has_user) throw Refusal{{path + "url", "\"url\" must not contain a user name or password."}};
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  if (!valid_host(e.host)) throw Refusal{{path + "url", "\"url\" has no valid host name."}};
  if (n < 1 || n > 65535) throw Refusal{{path + "url", "\"url\" has no valid port."}};
  e.port = static_cast<std::uint16_t>(n);
  e.username = read_command_safe(j, "username", path, false);
  const std::string auth = read_string(j, "auth", path, false);
  if (!auth.empty()) {
    auto a = parse_auth_method(auth);
    if (!a) throw Refusal{{path + "auth", "\"auth\" must be one of password, password-encrypted, oauth2, ntlm, gssapi, tls-certificate, none."}};
    e.auth = *a;
  }
  return e;
}

// Thunderbird's bypass list, entries as Thunderbird holds them; the bounds only keep a hostile request small.
constexpr std::size_t kMaxNoProxyEntries = 256;
constexpr std::size_t kMaxNoProxyEntryLength = 255;

// Why one bypass entry is refused, or "" when it is fine.
std::string no_proxy_entry_problem(const std::string& s) {
  if (s.empty() || s.size() > kMaxNoProxyEntryLength)
    return "an entry must be 1 to " + std::to_string(kMaxNoProxyEntryLength) + " characters";
  if (std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x21 || c == 0x7f || c == ','; }))
    return "an entry must not contain spaces, commas or control characters";
  return {};
}

std::vector<std::string> read_no_proxy(const json& j) {
  std::vector<std::string> out;
  const json* list = member(j, "no_proxy");
  if (!list || list->is_null()) return out;
  if (!list->is_array()) throw Refusal{{"proxy.no_proxy", "\"no_proxy\" must be a list of strings."}};
  if (list->size() > kMaxNoProxyEntries)
    throw Refusal{{"proxy.no_proxy", "\"no_proxy\" has more than " + std::to_string(kMaxNoProxyEntries) + " entries."}};
  for (const json& e : *list) {
    if (!e.is_string()) throw Refusal{{"proxy.no_proxy", "\"no_proxy\" must be a list of strings."}};
    const std::string& s = e.get_ref<const std::string&>();
    if (const std::string why = no_proxy_entry_problem(s); !why.empty()) throw Refusal{{"proxy.no_proxy", "\"no_proxy\": " + why + "."}};
    out.push_back(s);
  }
  return out;
}

Proxy read_proxy(const json& j) {
  if (!j.is_object()) throw Refusal{{"proxy", "\"proxy\" must be an object."}};
  Proxy p;
  const std::string type = read_string(j, "type", "proxy.", true);
  if (type == "socks5") p.type = Proxy::Type::socks5;
  else if (type == "socks4") p.type = Proxy::Type::socks4;
  else throw Refusal{{"proxy.type", "\"type\" must be socks5 or socks4."}};
  p.host = read_command_safe(j, "host", "proxy.", true);
  if (!valid_host(p.host)) throw Refusal{{"proxy.host", "\"host\" is not a valid host name."}};
  const json* port = member(j, "port");
  if (!port) throw Refusal{{"proxy.port", "\"port\" is required."}};
  if (!port->is_number_integer()) throw Refusal{{"proxy.port", "\"port\" must be a whole number."}};
  const auto n = port->get<long long>();
  if (n < 1 || n > 65535) throw Refusal{{"proxy.port", "\"port\" must be between 1 and 65535."}};
  p.port = static_cast<std::uint16_t>(n);
  p.remote_dns = read_bool(j, "remote_dns", "proxy.", false);
  p.no_proxy = read_no_proxy(j);
  return p;
}

Request read_request(const json& j) {
  if (!j.is_object()) throw Refusal{{"", "the request must be a JSON object."}};
  Request r;
  const json* account = member(j, "account");
  if (!account) throw Refusal{{"account", "\"account\" is required."}};
  if (!account->is_object()) throw Refusal{{"account", "\"account\" must be an object."}};
  r.account.email = read_command_safe(*account, "email", "account.", false);
  if (!r.account.email.empty() && r.account.email.find('@') == std::string::npos)
    throw Refusal{{"account.email", "\"email\" must be an address such as name@example.com."}};
  r.account.name = read_string(*account, "name", "account.", false);
  if (const json* in = member(*account, "incoming")) {
    if (in->is_object() && in->contains("protocol") && (*in)["protocol"] == "ews")
      r.account.ews = read_ews(*in, "account.incoming.");
    else
      r.account.incoming = read_endpoint(*in, Subject::incoming, "account.incoming.");
  }
  if (const json* out = member(*account, "outgoing")) r.account.outgoing = read_endpoint(*out, Subject::outgoing, "account.outgoing.");
  if (r.account.ews && r.account.ews->username.empty()) r.account.ews->username = r.account.email;
  if (!r.account.incoming && !r.account.outgoing && !r.account.ews && r.account.email.empty())
    throw Refusal{{"account", "give an e-mail address, an incoming server, or an outgoing server."}};
  for (Endpoint* e : {r.account.incoming ? &*r.account.incoming : nullptr, r.account.outgoing ? &*r.account.outgoing : nullptr})
    if (e && e->username.empty()) e->username = r.account.email;

  r.observed_error = read_string(j, "observed_error", "", false, 8192);
  if (const json* proxy = member(j, "proxy")) r.options.proxy = read_proxy(*proxy);
  if (const json* opt = member(j, "options")) {
    if (!opt->is_object()) throw Refusal{{"options", "\"options\" must be an object."}};
    r.options.login = read_bool(*opt, "login", "options.", true);
    r.options.alternatives = read_bool(*opt, "alternatives", "options.", true);
    r.options.discover_missing = read_bool(*opt, "discover_missing", "options.", false);
    if (const json* d = member(*opt, "deadline_ms")) {
      if (!d->is_number_integer()) throw Refusal{{"options.deadline_ms", "\"deadline_ms\" must be a whole number of milliseconds."}};
      const auto ms = d->get<long long>();
      if (ms < 100 || ms > 120000)
        throw Refusal{{"options.deadline_ms", "\"deadline_ms\" must be between 100 and 120000."}};
      r.options.deadline_ms = static_cast<int>(ms);
    }
  }
  if (auto e = credentials_error(r)) throw Refusal{*e};
  return r;
}

}  // namespace

std::optional<std::string> normalise_sha256(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() != 64) return std::nullopt;
  return out;
}

std::string proxy_url(const Proxy& p) {
  const bool v6 = p.host.find(':') != std::string::npos && p.host.front() != '[';
  const std::string scheme = p.type == Proxy::Type::socks5 ? (p.remote_dns ? "socks5h" : "socks5") : (p.remote_dns ? "socks4a" : "socks4");
  return scheme + "://" + (v6 ? "[" + p.host + "]" : p.host) + ":" + std::to_string(p.port);
}

std::string proxy_address(const Proxy& p) {
  const bool v6 = p.host.find(':') != std::string::npos && p.host.front() != '[';
  return (v6 ? "[" + p.host + "]" : p.host) + ":" + std::to_string(p.port);
}

std::optional<std::vector<std::string>> parse_no_proxy_list(std::string_view text, std::string& error) {
  std::vector<std::string> out;
  std::string entry;
  auto flush = [&] {
    if (!entry.empty()) out.push_back(entry);
    entry.clear();
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') flush();
    else entry += c;
  }
  flush();
  if (out.size() > kMaxNoProxyEntries) {
    error = "more than " + std::to_string(kMaxNoProxyEntries) + " entries";
    return std::nullopt;
  }
  for (const auto& e : out) {
    if (std::string why = no_proxy_entry_problem(e); !why.empty()) {
      error = why + " (\"" + e.substr(0, 40) + "\")";
      return std::nullopt;
    }
  }
  return out;
}

std::optional<Proxy> parse_proxy_url(std::string_view text, std::string& error) {
  Proxy p;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    error = "give the proxy as socks5h://HOST:PORT (or socks5://, socks4a://, socks4://).";
    return std::nullopt;
  }
  const std::string_view scheme = text.substr(0, sep);
  if (scheme == "socks5h") p = {Proxy::Type::socks5, {}, 0, true, {}};
  else if (scheme == "socks5") p = {Proxy::Type::socks5, {}, 0, false, {}};
  else if (scheme == "socks4a") p = {Proxy::Type::socks4, {}, 0, true, {}};
  else if (scheme == "socks4") p = {Proxy::Type::socks4, {}, 0, false, {}};
  else {
    error = "the proxy type must be socks5h, socks5, socks4a or socks4 (Thunderbird's mail connections use SOCKS only).";
    return std::nullopt;
  }
  std::string_view rest = text.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("@/?#") != std::string_view::npos) {
    error = "the proxy must be just HOST:PORT, without a user name, path or query.";
    return std::nullopt;
  }
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      error = "the proxy must be HOST:PORT, e.g. socks5h://127.0.0.1:1080.";
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || rest.find(':') != colon) {
      error = "the proxy must be HOST:PORT, e.g. socks5h://127.0.0.1:1080.";
      return std::nullopt;
    }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  p.host = std::string(host);
  if (!safe_for_command(p.host) || !valid_host(p.host)) {
    error = "the proxy host is not a valid host name.";
    return std::nullopt;
  }
  long n = 0;
  if (port.empty() || port.size() > 5) n = -1;
  for (char c : port) n = (n < 0 || !std::isdigit(static_cast<unsigned char>(c))) ? -1 : n * 10 + (c - '0');
  if (n < 1 || n > 65535) {
    error = "the proxy port must be a number between 1 and 65535.";
    return std::nullopt;
  }
  p.port = static_cast<std::uint16_t>(n);
  return p;
}

bool safe_for_command(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool password_is_safe(std::string_view password) { return safe_for_command(password); }

std::optional<RequestError> credentials_error(const Request& r) {
  for (const auto& [e, path] : {std::pair{&r.account.incoming, "account.incoming."}, std::pair{&r.account.outgoing, "account.outgoing."}}) {
    if (!*e) continue;
    const Endpoint& ep = **e;
    // With no user name curl would put the password where the user name belongs (IMAP LOGIN), and the
    // transcript would show it as if it were one.
    if (r.options.login && !ep.password.empty() && ep.username.empty())
      return RequestError{std::string(path) + "username",
                          "a login needs a user name: give \"username\" or the account's \"email\"."};
  }
  return std::nullopt;
}

void wipe_strings(nlohmann::json& j) noexcept {
  // An explicit stack, not recursion: a peer's document may nest 100 000 levels deep.
  try {
    std::vector<json*> todo{&j};
    while (!todo.empty()) {
      json* v = todo.back();
      todo.pop_back();
      if (v->is_string()) {
        auto& s = v->get_ref<std::string&>();
        if (s.capacity() > 0) OPENSSL_cleanse(s.data(), s.capacity());
        s.clear();
      } else if (v->is_structured()) {
        for (auto& child : *v) todo.push_back(&child);
      }
    }
  } catch (...) {
    // Out of memory for the stack: nothing more can be done here.
  }
}

ParsedRequest parse_request(const json& j) {
  try {
    return {read_request(j), std::nullopt};
  } catch (const Refusal& r) {
    return {std::nullopt, r.error};
  } catch (const std::exception& e) {
    // A type error inside nlohmann (e.g. a number too large) is still the caller's bad input.
    return {std::nullopt, RequestError{"", std::string("the request could not be read: ") + e.what()}};
  }
}

ParsedRequest parse_request_text(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return {std::nullopt, RequestError{"", "the request is not valid JSON."}};
  ParsedRequest parsed = parse_request(j);
  wipe_strings(j);  // the DOM held the password; the request keeps its own copy in a Secret
  return parsed;
}

}  // namespace maildoctor

#include "discover/client_config.hpp"

#include "maildoctor/kb.hpp"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace maildoctor::discovery {
namespace {

constexpr int kMaxDepth = 12;          // clientConfig > emailProvider > incomingServer > hostname is depth 4
constexpr int kMaxElements = 5000;
constexpr std::size_t kMaxText = 2048;  // no field of a clientConfig is longer

bool valid_hostname(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(), [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == '_'; });
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct RawServer {
  bool outgoing = false;
  std::string type, hostname, port, socket_type, username;
  std::vector<std::string> auth;
};

struct State {
  XML_Parser parser = nullptr;
  const std::string* email = nullptr;
  std::vector<std::string> path;
  int elements = 0;
  std::string text;
  bool in_provider = false;
  std::optional<RawServer> server;
  ClientConfig config;
  bool saw_root = false;
  std::string error;

  void fail(std::string why) {
    if (error.empty()) error = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

const char* attribute(const XML_Char** atts, const char* name) {
  for (int i = 0; atts[i]; i += 2)
    if (std::string_view(atts[i]) == name) return atts[i + 1];
  return nullptr;
}

void finish_server(State& st, RawServer raw) {
  const std::string where = (raw.outgoing ? "outgoingServer" : "incomingServer") + std::string(" type=\"") + raw.type + "\"";
  const std::string type = lower(raw.type);
  std::optional<Protocol> protocol;
  if (!raw.outgoing && (type == "imap" || type == "pop3")) protocol = parse_protocol(type);
  if (raw.outgoing && type == "smtp") protocol = Protocol::smtp;
  if (!protocol) {
    st.config.warnings.push_back(where + ": not a server type maildoctor can test");
    return;
  }
  ConfigServer s;
  s.protocol = *protocol;
  s.host = lower(kb::expand_email_placeholders(trim(raw.hostname), *st.email));
  if (!valid_hostname(s.host)) {
    st.config.warnings.push_back(where + ": the host name \"" + s.host + "\" is not valid");
    return;
  }
  const std::string port = trim(raw.port);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
    st.config.warnings.push_back(where + ": the port \"" + port + "\" is not valid");
    return;
  }
  s.port = static_cast<std::uint16_t>(value);
  const std::string socket = lower(trim(raw.socket_type));
  if (socket == "ssl" || socket == "tls") {
    s.security = Security::tls;
  } else if (socket == "starttls") {
    s.security = Security::starttls;
  } else if (socket == "plain") {
    s.security = Security::none;
  } else {
    st.config.warnings.push_back(where + ": the socketType \"" + socket + "\" is not known");
    return;
  }
  s.username = kb::expand_email_placeholders(trim(raw.username), *st.email);
  // Stricter than a request's user name: a document from the network has no reason to carry any control character.
  const bool control = std::any_of(s.username.begin(), s.username.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  if (!safe_for_command(s.username) || control || s.username.size() > 320) {
    st.config.warnings.push_back(where + ": the username is not usable");
    return;
  }
  for (auto& a : raw.auth) s.auth.push_back(trim(a));
  (raw.outgoing ? st.config.outgoing : st.config.incoming).push_back(std::move(s));
}

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char** atts) {
  auto& st = *static_cast<State*>(user);
  if (++st.elements > kMaxElements) return st.fail("the document has too many elements");
  if (static_cast<int>(st.path.size()) >= kMaxDepth) return st.fail("the document is nested too deeply");
  const std::string_view n(name);
  if (st.path.empty()) {
    if (n != "clientConfig") return st.fail("the document is not a clientConfig");
    st.saw_root = true;
  } else if (st.path.size() == 1 && n == "emailProvider") {
    st.in_provider = true;
    if (const char* id = attribute(atts, "id")) st.config.provider_id = std::string(id).substr(0, 253);
  } else if (st.in_provider && st.path.size() == 2 && (n == "incomingServer" || n == "outgoingServer")) {
    RawServer raw;
    raw.outgoing = n == "outgoingServer";
    if (const char* type = attribute(atts, "type")) raw.type = type;
    st.server = std::move(raw);
  }
  st.path.emplace_back(n);
  st.text.clear();
}

void XMLCALL on_end(void* user, const XML_Char* name) {
  auto& st = *static_cast<State*>(user);
  const std::string_view n(name);
  const std::size_t depth = st.path.size();
  if (st.server && depth == 4) {
    if (n == "hostname") st.server->hostname = st.text;
    else if (n == "port") st.server->port = st.text;
    else if (n == "socketType") st.server->socket_type = st.text;
    else if (n == "username") st.server->username = st.text;
    else if (n == "authentication" && st.server->auth.size() < 16) st.server->auth.push_back(st.text);
  } else if (st.server && depth == 3) {
    finish_server(st, std::move(*st.server));
    st.server.reset();
  } else if (st.in_provider && depth == 3) {
    if (n == "domain" && st.config.domains.size() < 64) st.config.domains.push_back(lower(trim(st.text)));
    else if (n == "displayName") st.config.display_name = trim(st.text);
  } else if (depth == 2 && n == "emailProvider") {
    st.in_provider = false;
  }
  if (!st.path.empty()) st.path.pop_back();
  st.text.clear();
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
  auto& st = *static_cast<State*>(user);
  if (st.text.size() + static_cast<std::size_t>(len) > kMaxText) return st.fail("a text field of the document is too long");
  st.text.append(s, static_cast<std::size_t>(len));
}

void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  // A clientConfig never needs a DTD; refusing any makes entity expansion (billion laughs, external files) impossible.
  static_cast<State*>(user)->fail("the document declares a DTD, which is not allowed");
}

void XMLCALL on_entity_decl(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                            const XML_Char*, const XML_Char*) {
  static_cast<State*>(user)->fail("the document declares an entity, which is not allowed");
}

}  // namespace

std::optional<AuthMethod> auth_from_config(std::string_view value) {
  const std::string v = lower(std::string(value));
  if (v == "password-cleartext" || v == "plain") return AuthMethod::password;
  if (v == "password-encrypted" || v == "secure") return AuthMethod::password_encrypted;
  if (v == "oauth2") return AuthMethod::oauth2;
  if (v == "ntlm") return AuthMethod::ntlm;
  if (v == "gssapi") return AuthMethod::gssapi;
  if (v == "tls-client-cert") return AuthMethod::tls_certificate;
  if (v == "none") return AuthMethod::none;
  return std::nullopt;
}

Endpoint to_endpoint(const ConfigServer& server, Subject subject, bool have_password) {
  Endpoint e;
  e.subject = subject;
  e.protocol = server.protocol;
  e.host = server.host;
  e.port = server.port;
  e.security = server.security;
  e.username = server.username;
  std::optional<AuthMethod> first;
  std::optional<AuthMethod> first_password;
  for (const auto& value : server.auth) {
    const auto a = auth_from_config(value);
    if (!a) continue;
    if (!first) first = a;
    if (!first_password && (*a == AuthMethod::password || *a == AuthMethod::password_encrypted)) first_password = a;
  }
  e.auth = have_password && first_password ? *first_password : first.value_or(AuthMethod::password);
  return e;
}

ParsedConfig parse_client_config(std::string_view xml, const std::string& email, std::size_t max_bytes) {
  ParsedConfig out;
  if (xml.size() > max_bytes) {
    out.error = "the document is larger than " + std::to_string(max_bytes / 1024) + " KiB";
    return out;
  }
  XML_Parser parser = XML_ParserCreate("UTF-8");
  if (!parser) {
    out.error = "the XML parser could not start";
    return out;
  }
  State st;
  st.parser = parser;
  st.email = &email;
  XML_SetUserData(parser, &st);
  XML_SetElementHandler(parser, on_start, on_end);
  XML_SetCharacterDataHandler(parser, on_text);
  XML_SetStartDoctypeDeclHandler(parser, on_doctype);
  XML_SetEntityDeclHandler(parser, on_entity_decl);
  XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
  const auto status = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  if (status != XML_STATUS_OK && st.error.empty())
    st.error = std::string("the document is not well-formed XML: ") + XML_ErrorString(XML_GetErrorCode(parser)) +
               " at line " + std::to_string(XML_GetCurrentLineNumber(parser));
  XML_ParserFree(parser);
  if (st.error.empty() && !st.saw_root) st.error = "the document is empty";
  if (!st.error.empty()) {
    out.error = st.error;
    return out;
  }
  out.config = std::move(st.config);
  return out;
}

}  // namespace maildoctor::discovery

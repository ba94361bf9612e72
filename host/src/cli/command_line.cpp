#include "cli/command_line.hpp"

#include <boost/program_options.hpp>

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace maildoctor::cli {
namespace {
std::string lower_ascii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}


namespace po = boost::program_options;

po::options_description describe_options() {
  po::options_description o("Options");
  // clang-format off
  o.add_options()
    ("help,h", "show this help")
    ("version", "print the version")
    ("request", po::value<std::string>(), "FILE|-: the JSON request")
    ("email", po::value<std::string>(), "ADDR: the account's e-mail address")
    ("imap", po::value<std::string>(), "HOST[:PORT]: incoming IMAP server")
    ("pop3", po::value<std::string>(), "HOST[:PORT]: incoming POP3 server")
    ("smtp", po::value<std::string>(), "HOST[:PORT]: outgoing SMTP server")
    ("incoming-security", po::value<std::string>(), "tls|starttls|none")
    ("outgoing-security", po::value<std::string>(), "tls|starttls|none")
    ("user", po::value<std::string>(), "NAME: login name (default: the address)")
    ("auth", po::value<std::string>(), "METHOD: authentication method of both servers")
    ("observed-error", po::value<std::string>(), "TEXT: the error the mail client showed")
    ("password-stdin", po::bool_switch(), "read the password from the first line of stdin")
    ("token-stdin", po::bool_switch(), "read the OAuth2 access token from the first line of stdin (with --auth oauth2)")
    ("oauth-error", po::value<std::string>(), "TEXT: what the OAuth2 token refresh said (with --auth oauth2)")
    ("no-login", po::bool_switch(), "never send a password")
    ("no-alternatives", po::bool_switch(), "do not try other ports and securities")
    ("trust-discovered", po::bool_switch(), "send the password to discovered servers that need confirmation")
    ("json", po::bool_switch(), "print the result JSON only")
    ("deadline", po::value<std::string>(), "SECONDS: overall time limit")
    ("cacert", po::value<std::string>(), "FILE: trust this CA bundle")
    ("connect-to", po::value<std::vector<std::string>>()->composing(), "HOST:PORT:HOST2:PORT2 (repeatable)")
    ("dns-servers", po::value<std::string>(), "ADDR[:PORT][,ADDR[:PORT]...]")
    ("proxy", po::value<std::string>(), "socks5h|socks5|socks4a|socks4://HOST:PORT: connect through this SOCKS proxy")
    ("no-proxy", po::value<std::string>(), "LIST: hosts reached directly despite --proxy (Thunderbird's no_proxies_on)")
    ("cert-override", po::value<std::vector<std::string>>()->composing(), "HOST:PORT=SHA256: Thunderbird's certificate exception (repeatable)")
    ("verbose,v", po::bool_switch(), "also print the transcript")
    ("input", po::value<std::string>(), "FILE|-: batch input, one request per line")
    ("output", po::value<std::string>(), "FILE|-: batch output, one answer per line")
    ("jobs", po::value<std::string>(), "N: accounts checked at once")
    ("per-server", po::value<std::string>(), "N: connections open at once to one server")
    ("min-interval-per-account", po::value<std::string>(), "SECONDS: between logins of one account, across runs")
    ("state", po::value<std::string>(), "FILE: where --min-interval-per-account keeps its history")
    ("resume", po::value<std::string>(), "FILE: skip the ids answered in this earlier output")
    ("summary", po::value<std::string>(), "FILE: write the summary as JSON")
    ("command", po::value<std::vector<std::string>>(), "diagnose | batch | help");
  // clang-format on
  return o;
}

std::string get(const po::variables_map& vm, const char* key) { return vm.count(key) ? vm[key].as<std::string>() : std::string(); }

bool valid_host_text(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (unsigned char c : h)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':')) return false;
  return true;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits on ':' outside brackets; brackets are removed from the fields.
std::vector<std::string> split_fields(const std::string& text, bool& ok) {
  std::vector<std::string> fields(1);
  bool in_brackets = false;
  ok = true;
  for (char c : text) {
    if (c == '[' && !in_brackets) in_brackets = true;
    else if (c == ']' && in_brackets) in_brackets = false;
    else if (c == ':' && !in_brackets) fields.emplace_back();
    else fields.back() += c;
  }
  if (in_brackets) ok = false;
  return fields;
}

// Which flag a JSON path of a flag-form request came from.
std::string flag_for(const std::string& field, const CommandLine& cl) {
  const std::string incoming_flag = cl.pop3.empty() ? "--imap" : "--pop3";
  if (field == "account.email") return "--email";
  if (field == "account.incoming.host" || field == "account.incoming.port") return incoming_flag;
  if (field == "account.outgoing.host" || field == "account.outgoing.port") return "--smtp";
  if (field == "account.incoming.security") return "--incoming-security";
  if (field == "account.outgoing.security") return "--outgoing-security";
  if (field == "account.incoming.username" || field == "account.outgoing.username") return "--user";
  if (field == "account.incoming.auth" || field == "account.outgoing.auth") return "--auth";
  if (field == "options.deadline_ms") return "--deadline";
  if (field == "observed_error") return "--observed-error";
  if (field == "account.incoming.oauth_error" || field == "account.outgoing.oauth_error") return "--oauth-error";
  if (field == "account") return "--email";
  return field;
}

// The endpoint part of the flag form as a JSON request member, so that parse_request validates both forms alike.
std::optional<RequestError> endpoint_json(const std::string& flag, const std::string& value, const std::string& protocol,
                                          const std::string& security, const CommandLine& cl, nlohmann::json& out) {
  std::string why;
  const auto hp = parse_host_port(value, why);
  if (!hp) return RequestError{flag, flag + ": " + why};
  out = {{"protocol", protocol}, {"host", hp->host}};
  std::string sec = security;
  if (sec.empty() && hp->port) sec = (*hp->port == 993 || *hp->port == 995 || *hp->port == 465) ? "tls" : "starttls";
  if (!sec.empty()) out["security"] = sec;
  if (hp->port) out["port"] = *hp->port;
  if (!cl.user.empty()) out["username"] = cl.user;
  if (!cl.auth.empty()) out["auth"] = cl.auth;
  if (!cl.oauth_error.empty()) out["oauth_error"] = cl.oauth_error;
  return std::nullopt;
}


std::optional<int> whole_number(const std::string& text, int lo, int hi) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) return std::nullopt;
  return value;
}

std::optional<UsageError> parse_connect_rules(const CommandLine& cl) {
  for (const auto& ct : cl.connect_to) {
    std::string why;
    if (!parse_connect_to(ct, why)) return UsageError{"--connect-to \"" + ct + "\": " + why};
  }
  return std::nullopt;
}

// The batch form: no account flags (each line describes its account), its own counts and files.
std::optional<UsageError> batch_rules(const po::variables_map& vm, CommandLine& cl) {
  for (const char* account_flag : {"request", "email", "imap", "pop3", "smtp", "incoming-security", "outgoing-security", "user",
                                   "auth", "observed-error", "password-stdin", "cert-override", "token-stdin",
                                   "oauth-error"}) {
    const bool given = vm.count(account_flag) && !vm[account_flag].defaulted();
    const bool is_switch = std::string(account_flag) == "password-stdin" || std::string(account_flag) == "token-stdin";
    if (given && !(is_switch && !vm[account_flag].as<bool>()))
      return UsageError{std::string("--") + account_flag + " does not go with batch: each input line describes its account"};
  }
  if (vm.count("input")) cl.input = get(vm, "input");
  if (vm.count("output")) cl.output = get(vm, "output");
  cl.resume = get(vm, "resume");
  cl.summary = get(vm, "summary");
  cl.state = get(vm, "state");
  if (vm.count("jobs")) {
    const auto n = whole_number(get(vm, "jobs"), 1, 256);
    if (!n) return UsageError{"--jobs: must be a whole number from 1 to 256"};
    cl.jobs = *n;
  }
  if (vm.count("per-server")) {
    const auto n = whole_number(get(vm, "per-server"), 1, 64);
    if (!n) return UsageError{"--per-server: must be a whole number from 1 to 64"};
    cl.per_server = *n;
  }
  if (vm.count("min-interval-per-account")) {
    const std::string d = get(vm, "min-interval-per-account");
    double seconds = 0;
    const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), seconds);
    if (d.empty() || ec != std::errc() || end != d.data() + d.size() || !std::isfinite(seconds) || seconds <= 0 || seconds > 1e9)
      return UsageError{"--min-interval-per-account: \"" + d + "\" is not a number of seconds"};
    cl.min_interval_s = seconds;
  } else if (!cl.state.empty()) {
    return UsageError{"--state needs --min-interval-per-account"};
  }
  if (cl.input.empty() || cl.output.empty()) return UsageError{"--input and --output need a file name, or - for stdin / stdout"};
  if (cl.input != "-" && cl.input == cl.output) return UsageError{"--input and --output must not be the same file"};
  if (!cl.summary.empty() && (cl.summary == cl.output || cl.summary == cl.input))
    return UsageError{"--summary must be a file of its own"};
  if (vm.count("deadline")) {
    const std::string d = get(vm, "deadline");
    double seconds = 0;
    const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), seconds);
    if (d.empty() || ec != std::errc() || end != d.data() + d.size() || !std::isfinite(seconds) || seconds < 0.1 || seconds > 120)
      return UsageError{"--deadline: must be between 0.1 and 120 seconds"};
    cl.deadline_seconds = seconds;
  }
  return parse_connect_rules(cl);
}
}  // namespace

std::string usage_text() {
  return R"(Usage:
  maildoctor diagnose --request FILE|-
  maildoctor diagnose --email ADDR [--imap|--pop3 HOST[:PORT]] [--smtp HOST[:PORT]]
                      [--incoming-security tls|starttls|none] [--outgoing-security tls|starttls|none]
                      [--user NAME] [--auth METHOD] [--password-stdin] [--no-login] [--no-alternatives]
                      [--observed-error TEXT] [--trust-discovered]
                      [--auth oauth2 [--token-stdin] [--oauth-error TEXT]]
  maildoctor batch [--input FILE|-] [--output FILE|-] [--jobs N] [--per-server N]
                   [--min-interval-per-account SECONDS [--state FILE]] [--resume FILE] [--summary FILE]
                   [--no-login] [--no-alternatives]
  maildoctor --version | --help | help

Common options:
  --json                  print exactly the result JSON on stdout
  --deadline SECONDS      overall time limit (default 10)
  --cacert FILE           trust the CA certificates in FILE
  --connect-to HOST:PORT:HOST2:PORT2
                          connect to HOST2:PORT2 instead of HOST:PORT (repeatable; certificates
                          are still checked against HOST)
  --dns-servers ADDR[:PORT][,ADDR[:PORT]...]
                          send every DNS lookup to these servers
  --proxy socks5h://HOST:PORT
                          make every connection through this SOCKS proxy, as Thunderbird does
                          (socks5h/socks4a: the proxy resolves the names; socks5/socks4: this computer)
  --no-proxy LIST         with --proxy: hosts connected directly, as Thunderbird's network.proxy.no_proxies_on
                          (host, .domain, address, address/bits, <local>; commas or spaces between)
  --cert-override HOST:PORT=SHA256
                          Thunderbird's security exception for the configured server HOST:PORT: a
                          certificate with this SHA-256 fingerprint is accepted there as Thunderbird
                          accepts it (repeatable; diagnose only)
  -v, --verbose           also print the protocol transcript (passwords are never shown)

With --email alone, the servers are discovered as a mail client would (provider knowledge,
autoconfig, ISPDB, SRV records). A password is never taken on the command line: use
--password-stdin, the request's "password" fields, or answer the prompt on a terminal.
An OAuth2 access token likewise: --token-stdin (with --auth oauth2) or the request's
"access_token"; it goes only to XOAUTH2 / OAUTHBEARER and is never shown.
A discovered server that only DNS named outside the address's domain, or one without
encryption, gets the password only when you confirm it on the terminal, or with
--trust-discovered.

batch reads one JSON request with a string "id" per line and writes one answer line per id, in the
order they finish (see docs/FLEET.md). The common options apply to every line.

Exit status: 0 everything works; 1 a problem was found, or no clear answer;
2 bad usage or bad request; 3 internal error.
)";
}

std::optional<HostPort> parse_host_port(const std::string& text, std::string& why) {
  HostPort hp;
  if (!safe_for_command(text)) {
    why = "contains a line break";
    return std::nullopt;
  }
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) {
      why = "an IPv6 address must be closed with ']'";
      return std::nullopt;
    }
    hp.host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || !(hp.port = parse_port(std::string_view(rest).substr(1)))) {
        why = "the port after the address must be a number from 1 to 65535";
        return std::nullopt;
      }
    }
  } else {
    const auto colon = text.find(':');
    if (colon != std::string::npos && text.find(':', colon + 1) == std::string::npos) {
      hp.host = text.substr(0, colon);
      if (!(hp.port = parse_port(std::string_view(text).substr(colon + 1)))) {
        why = "the port must be a number from 1 to 65535";
        return std::nullopt;
      }
    } else {
      hp.host = text;  // a name, or a bare IPv6 address without a port
    }
  }
  if (!valid_host_text(hp.host)) {
    why = "\"" + hp.host + "\" is not a valid host name";
    return std::nullopt;
  }
  return hp;
}

std::optional<CertOverride> parse_cert_override(const std::string& text, std::string& why) {
  const auto eq = text.rfind('=');
  if (eq == std::string::npos) {
    why = "give HOST:PORT=SHA256";
    return std::nullopt;
  }
  const auto hp = parse_host_port(text.substr(0, eq), why);
  if (!hp) return std::nullopt;
  if (!hp->port) {
    why = "the exception belongs to one port: give HOST:PORT=SHA256";
    return std::nullopt;
  }
  const auto fp = normalise_sha256(std::string_view(text).substr(eq + 1));
  if (!fp) {
    why = "the fingerprint must be a SHA-256: 64 hex digits, colons allowed";
    return std::nullopt;
  }
  return CertOverride{hp->host, *hp->port, *fp};
}

std::optional<ConnectTo> parse_connect_to(const std::string& text, std::string& why) {
  bool ok = true;
  const auto fields = split_fields(text, ok);
  if (!ok || fields.size() != 4) {
    why = "must be HOST:PORT:HOST2:PORT2 (fields may be empty, IPv6 addresses in brackets)";
    return std::nullopt;
  }
  ConnectTo ct;
  ct.host = fields[0];
  ct.to_host = fields[2];
  for (const auto* h : {&ct.host, &ct.to_host}) {
    if (!h->empty() && !valid_host_text(*h)) {
      why = "\"" + *h + "\" is not a valid host name";
      return std::nullopt;
    }
  }
  for (auto [field, port] : {std::pair{&fields[1], &ct.port}, std::pair{&fields[3], &ct.to_port}}) {
    if (field->empty()) continue;
    const auto p = parse_port(*field);
    if (!p) {
      why = "\"" + *field + "\" is not a port from 1 to 65535";
      return std::nullopt;
    }
    *port = *p;
  }
  return ct;
}

ParsedCommandLine parse_command_line(const std::vector<std::string>& args) {
  ParsedCommandLine out;
  po::variables_map vm;
  try {
    po::positional_options_description positional;
    positional.add("command", -1);
    // No abbreviations: "--password" must not quietly become --password-stdin.
    const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(describe_options()).positional(positional).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    out.error = UsageError{e.what()};
    return out;
  }
  CommandLine cl;
  const auto words = vm.count("command") ? vm["command"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (vm.count("help") || (!words.empty() && words[0] == "help")) {
    cl.command = CommandLine::Command::help;
    out.command_line = cl;
    return out;
  }
  if (vm.count("version")) {
    cl.command = CommandLine::Command::version;
    out.command_line = cl;
    return out;
  }
  if (words.empty()) {
    out.error = UsageError{"no command given; try \"maildoctor diagnose --email ADDR\" or \"maildoctor --help\""};
    return out;
  }
  if (words[0] != "diagnose" && words[0] != "batch") {
    out.error = UsageError{"unknown command \"" + words[0] + "\"; the commands are \"diagnose\" and \"batch\""};
    return out;
  }
  if (words.size() > 1) {
    out.error = UsageError{"unexpected argument \"" + words[1] + "\""};
    return out;
  }
  cl.command = words[0] == "batch" ? CommandLine::Command::batch : CommandLine::Command::diagnose;
  cl.request_path = get(vm, "request");
  cl.email = get(vm, "email");
  cl.imap = get(vm, "imap");
  cl.pop3 = get(vm, "pop3");
  cl.smtp = get(vm, "smtp");
  cl.incoming_security = get(vm, "incoming-security");
  cl.outgoing_security = get(vm, "outgoing-security");
  cl.user = get(vm, "user");
  cl.auth = get(vm, "auth");
  cl.observed_error = get(vm, "observed-error");
  cl.password_stdin = vm["password-stdin"].as<bool>();
  cl.token_stdin = vm["token-stdin"].as<bool>();
  cl.oauth_error = get(vm, "oauth-error");
  cl.no_login = vm["no-login"].as<bool>();
  cl.no_alternatives = vm["no-alternatives"].as<bool>();
  cl.trust_discovered = vm["trust-discovered"].as<bool>();
  cl.json = vm["json"].as<bool>();
  cl.verbose = vm["verbose"].as<bool>();
  cl.cacert = get(vm, "cacert");
  cl.dns_servers = get(vm, "dns-servers");
  cl.proxy = get(vm, "proxy");
  if (vm.count("proxy")) {
    std::string why;
    if (!parse_proxy_url(cl.proxy, why)) {
      out.error = UsageError{"--proxy \"" + cl.proxy + "\": " + why};
      return out;
    }
  }
  if (vm.count("no-proxy")) {
    cl.no_proxy = get(vm, "no-proxy");
    if (!vm.count("proxy")) {
      out.error = UsageError{"--no-proxy needs --proxy: without a proxy every connection is direct already"};
      return out;
    }
    std::string why;
    if (!parse_no_proxy_list(cl.no_proxy, why)) {
      out.error = UsageError{"--no-proxy: " + why};
      return out;
    }
  }
  if (vm.count("connect-to")) cl.connect_to = vm["connect-to"].as<std::vector<std::string>>();
  if (vm.count("cert-override")) {
    cl.cert_overrides = vm["cert-override"].as<std::vector<std::string>>();
    for (const auto& text : cl.cert_overrides) {
      std::string why;
      if (!parse_cert_override(text, why)) {
        out.error = UsageError{"--cert-override \"" + text + "\": " + why};
        return out;
      }
    }
  }
  if (vm.count("deadline")) {
    const std::string d = get(vm, "deadline");
    double seconds = 0;
    const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), seconds);
    if (d.empty() || ec != std::errc() || end != d.data() + d.size() || !std::isfinite(seconds) || seconds <= 0) {
      out.error = UsageError{"--deadline: \"" + d + "\" is not a number of seconds"};
      return out;
    }
    cl.deadline_seconds = seconds;
  }

  if (cl.command == CommandLine::Command::batch) {
    out.error = batch_rules(vm, cl);
    if (!out.error) out.command_line = std::move(cl);
    return out;
  }
  for (const char* batch_only : {"input", "output", "jobs", "per-server", "min-interval-per-account", "state", "resume", "summary"}) {
    if (vm.count(batch_only)) {
      out.error = UsageError{std::string("--") + batch_only + " belongs to \"maildoctor batch\", not to diagnose"};
      return out;
    }
  }

  const bool flag_form = !cl.email.empty() || !cl.imap.empty() || !cl.pop3.empty() || !cl.smtp.empty() ||
                         !cl.incoming_security.empty() || !cl.outgoing_security.empty() || !cl.user.empty() || !cl.auth.empty();
  if (!cl.request_path.empty() && flag_form) {
    out.error = UsageError{"--request cannot be combined with --email, --imap, --pop3, --smtp, --user, --auth or the security flags"};
  } else if (cl.request_path.empty() && cl.email.empty()) {
    out.error = UsageError{"give --request FILE, or --email ADDR (with or without servers)"};
  } else if (!cl.imap.empty() && !cl.pop3.empty()) {
    out.error = UsageError{"--imap and --pop3 cannot both be given: an account has one incoming server"};
  } else if (cl.request_path == "-" && (cl.password_stdin || cl.token_stdin)) {
    out.error = UsageError{std::string(cl.token_stdin ? "--token-stdin" : "--password-stdin") +
                           " cannot be used with --request -: both would read stdin"};
  } else if (cl.password_stdin && cl.token_stdin) {
    out.error = UsageError{"--password-stdin and --token-stdin cannot both read stdin: an OAuth2 login has no password"};
  } else if ((cl.token_stdin || !cl.oauth_error.empty()) && cl.auth != "oauth2") {
    // The token is a bearer secret for the OAuth2 mechanisms only: never sent where a password would go.
    out.error = UsageError{std::string(cl.token_stdin ? "--token-stdin" : "--oauth-error") + " needs --auth oauth2"};
  } else if (!cl.incoming_security.empty() && cl.imap.empty() && cl.pop3.empty()) {
    out.error = UsageError{"--incoming-security needs --imap or --pop3"};
  } else if (!cl.outgoing_security.empty() && cl.smtp.empty()) {
    out.error = UsageError{"--outgoing-security needs --smtp"};
  } else if (!cl.auth.empty() && cl.imap.empty() && cl.pop3.empty() && cl.smtp.empty()) {
    // With --email alone the servers are discovered, with the login method their source names.
    out.error = UsageError{"--auth needs --imap, --pop3 or --smtp"};
  }
  if (!out.error) {
    for (const auto& ct : cl.connect_to) {
      std::string why;
      if (!parse_connect_to(ct, why)) {
        out.error = UsageError{"--connect-to \"" + ct + "\": " + why};
        break;
      }
    }
  }
  if (!out.error) out.command_line = std::move(cl);
  return out;
}

ParsedRequest build_request(const CommandLine& cl, const std::optional<std::string>& request_text) {
  ParsedRequest parsed;
  if (!cl.request_path.empty()) {
    if (!request_text) return {std::nullopt, RequestError{"--request", "no request document was read"}};
    parsed = parse_request_text(*request_text);
  } else {
    nlohmann::json account{{"email", cl.email}};
    const std::string incoming = cl.pop3.empty() ? cl.imap : cl.pop3;
    if (!incoming.empty()) {
      nlohmann::json e;
      if (auto err = endpoint_json(cl.pop3.empty() ? "--imap" : "--pop3", incoming, cl.pop3.empty() ? "imap" : "pop3",
                                   cl.incoming_security, cl, e))
        return {std::nullopt, err};
      account["incoming"] = std::move(e);
    }
    if (!cl.smtp.empty()) {
      nlohmann::json e;
      if (auto err = endpoint_json("--smtp", cl.smtp, "smtp", cl.outgoing_security, cl, e)) return {std::nullopt, err};
      account["outgoing"] = std::move(e);
    }
    nlohmann::json j{{"account", std::move(account)}};
    if (!cl.observed_error.empty()) j["observed_error"] = cl.observed_error;
    parsed = parse_request(j);
    if (parsed.error) {
      const std::string flag = flag_for(parsed.error->field, cl);
      parsed.error->message = flag + ": " + parsed.error->message;
      parsed.error->field = flag;
      return parsed;
    }
    if (!cl.user.empty()) {
      if (!safe_for_command(cl.user)) return {std::nullopt, RequestError{"--user", "--user: contains a line break"}};
      parsed.request->account.username = cl.user;
    }
  }
  if (!parsed.request) return parsed;

  Options& o = parsed.request->options;
  if (cl.no_login) o.login = false;
  if (cl.no_alternatives) o.alternatives = false;
  if (cl.trust_discovered) o.trust_discovered = true;
  // docs/CLI.md: "Giving only one server (say --imap) keeps it and discovers the other."
  if (cl.request_path.empty()) o.discover_missing = true;
  if (cl.deadline_seconds) {
    const double ms = std::round(*cl.deadline_seconds * 1000.0);
    if (ms < 100 || ms > 120000) return {std::nullopt, RequestError{"--deadline", "--deadline: must be between 0.1 and 120 seconds"}};
    o.deadline_ms = static_cast<int>(ms);
  }
  for (const auto& text : cl.connect_to) {
    std::string why;
    if (auto ct = parse_connect_to(text, why)) o.connect_to.push_back(*ct);
  }
  o.cacert = cl.cacert;
  o.dns_servers = cl.dns_servers;
  if (!cl.proxy.empty()) {
    std::string why;
    o.proxy = parse_proxy_url(cl.proxy, why);  // checked in parse_command_line; the flag wins over the request's "proxy"
    if (o.proxy) o.proxy->no_proxy = parse_no_proxy_list(cl.no_proxy, why).value_or(std::vector<std::string>{});
  }
  o.verbose = cl.verbose;
  // An exception belongs to one host:port the user configured; it never picks a server, so one that names none
  // of them is refused rather than ignored.
  for (const auto& text : cl.cert_overrides) {
    std::string why;
    const auto co = parse_cert_override(text, why);
    if (!co) return {std::nullopt, RequestError{"--cert-override", "--cert-override: " + why}};
    bool used = false;
    for (auto* ep : {&parsed.request->account.incoming, &parsed.request->account.outgoing})
      if (*ep && lower_ascii((*ep)->host) == lower_ascii(co->host) && (*ep)->port == co->port) {
        (*ep)->cert_override = co->sha256;
        used = true;
      }
    if (!used)
      return {std::nullopt, RequestError{"--cert-override", "--cert-override: " + co->host + ":" + std::to_string(co->port) +
                                                                " is not a configured server"}};
  }
  return parsed;
}

void apply_password(Request& request, const Secret& password) {
  if (password.empty()) return;
  for (auto* e : {request.account.incoming ? &*request.account.incoming : nullptr, request.account.outgoing ? &*request.account.outgoing : nullptr})
    if (e && e->password.empty()) e->password = password;
  if (request.account.password.empty()) request.account.password = password;
}

bool wants_password(const Request& request) {
  if (!request.options.login) return false;
  const auto& a = request.account;
  if (!a.incoming && !a.outgoing) return a.password.empty();
  for (const auto* e : {a.incoming ? &*a.incoming : nullptr, a.outgoing ? &*a.outgoing : nullptr})
    if (e && e->password.empty() && e->auth != AuthMethod::none && e->auth != AuthMethod::oauth2) return true;
  return false;
}

}  // namespace maildoctor::cli

#include "cli/run_cli.hpp"

#include <openssl/crypto.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "batch/run_batch.hpp"
#include "cli/command_line.hpp"
#include "platform/terminal.hpp"
#include "maildoctor/dns.hpp"
#include "report/text_report.hpp"

namespace maildoctor::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitProblem = 1;
constexpr int kExitUsage = 2;
constexpr std::size_t kMaxRequestBytes = 1024 * 1024;
constexpr std::size_t kMaxPasswordBytes = 4096;

void wipe(void* data, std::size_t n) {
  if (n > 0) OPENSSL_cleanse(data, n);
}

// The document may hold passwords: it grows in a buffer reserved once, so no reallocation leaves a copy behind,
// and every buffer it passed through is wiped.
std::optional<std::string> read_limited(std::istream& in, std::string& why) {
  std::string text;
  text.reserve(kMaxRequestBytes + 1);
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    if (text.size() + got > kMaxRequestBytes) {
      wipe(buf, sizeof buf);
      wipe(text.data(), text.size());
      why = "the request is larger than 1 MiB";
      return std::nullopt;
    }
    text.append(buf, got);
  }
  wipe(buf, sizeof buf);
  return text;
}

std::optional<std::string> read_request_text(const std::string& path, std::istream& in, std::string& why) {
  if (path == "-") return read_limited(in, why);
  // The file stream reads through a buffer of ours, so it can be wiped too.
  char file_buffer[8192];
  std::ifstream f;
  f.rdbuf()->pubsetbuf(file_buffer, sizeof file_buffer);
  f.open(path, std::ios::binary);
  if (!f) {
    why = "cannot read \"" + path + "\"";
    return std::nullopt;
  }
  auto text = read_limited(f, why);
  f.close();
  wipe(file_buffer, sizeof file_buffer);
  return text;
}

struct PasswordLine {
  Secret password;
  std::string error;  // why the line was refused; empty when it was not
};

// One line, without its line ending (LF or CRLF). It is read into a buffer reserved once (no reallocation leaves a
// copy behind) that is wiped afterwards. A CR or NUL inside the line is refused: it would end the command the
// password goes into and start another (`PASS pw\rDELE 1`).
PasswordLine read_password_line(std::istream& in) {
  std::string line;
  line.reserve(kMaxPasswordBytes + 2);
  PasswordLine out;
  for (int c; (c = in.get()) != std::char_traits<char>::eof() && c != '\n';) {
    if (line.size() <= kMaxPasswordBytes) line.push_back(static_cast<char>(c));
    else out.error = "the password is longer than 4096 bytes";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (out.error.empty() && !password_is_safe(line)) out.error = std::string("the password ") + kUnsafePasswordText;
  if (out.error.empty()) out.password = Secret(line);
  wipe(line.data(), line.capacity());
  return out;
}

PasswordLine prompt_password(const Request& request, Io& io) {
  const std::string who = !request.account.email.empty() ? request.account.email
                          : request.account.incoming   ? request.account.incoming->username
                                                       : request.account.outgoing->username;
  io.err << "Password for " << report::printable(who) << " (empty: diagnose without logging in): " << std::flush;
  PasswordLine s = [&] {
    platform::EchoOff quiet;
    return read_password_line(io.in);
  }();
  io.err << "\n";
  return s;
}

std::string dump_json(const nlohmann::json& j) {
  // Server text is not guaranteed to be UTF-8; replace rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

int run_batch_command(const CommandLine& cl, Io& io, const Diagnose& diagnose) {
  batch::BatchSettings s;
  s.input = cl.input;
  s.output = cl.output;
  s.resume = cl.resume;
  s.summary = cl.summary;
  s.jobs = cl.jobs;
  s.per_server = cl.per_server;
  s.min_interval_s = cl.min_interval_s;
  s.state = cl.state.empty() ? batch::default_state_path() : cl.state;
  if (cl.deadline_seconds) s.deadline_ms = static_cast<int>(std::round(*cl.deadline_seconds * 1000.0));
  for (const auto& text : cl.connect_to) {
    std::string why;
    if (auto ct = parse_connect_to(text, why)) s.connect_to.push_back(*ct);
  }
  s.cacert = cl.cacert;
  s.dns_servers = cl.dns_servers;
  if (!cl.proxy.empty()) {
    std::string why;
    s.proxy = parse_proxy_url(cl.proxy, why);  // checked in parse_command_line
    if (s.proxy) s.proxy->no_proxy = parse_no_proxy_list(cl.no_proxy, why).value_or(std::vector<std::string>{});
  }
  s.no_login = cl.no_login;
  s.no_alternatives = cl.no_alternatives;
  s.trust_discovered = cl.trust_discovered;
  return batch::run_batch(s, batch::BatchIo{io.in, io.out, io.err, io.err_is_terminal}, diagnose);
}

int run_unguarded(const std::vector<std::string>& args, Io& io, const Diagnose& diagnose) {
  const auto parsed = parse_command_line(args);
  if (parsed.error) {
    io.err << "maildoctor: " << parsed.error->message << "\n(see \"maildoctor --help\")\n";
    return kExitUsage;
  }
  const CommandLine& cl = *parsed.command_line;
  if (cl.command == CommandLine::Command::help) {
    io.out << usage_text();
    return kExitOk;
  }
  if (cl.command == CommandLine::Command::version) {
    io.out << "maildoctor " << MAILDOCTOR_VERSION << "\n";
    return kExitOk;
  }

  if (!cl.dns_servers.empty()) {
    if (const auto why = dns::check_servers(cl.dns_servers); !why.empty()) {
      io.err << "maildoctor: --dns-servers: " << why << "\n";
      return kExitUsage;
    }
  }
  if (!cl.cacert.empty() && !std::ifstream(cl.cacert)) {
    io.err << "maildoctor: --cacert: cannot read \"" << cl.cacert << "\"\n";
    return kExitUsage;
  }

  if (cl.command == CommandLine::Command::batch) return run_batch_command(cl, io, diagnose);

  std::optional<std::string> request_text;
  if (!cl.request_path.empty()) {
    std::string why;
    request_text = read_request_text(cl.request_path, io.in, why);
    if (!request_text) {
      io.err << "maildoctor: --request: " << why << "\n";
      return kExitUsage;
    }
  }
  auto built = build_request(cl, request_text);
  if (request_text) wipe(request_text->data(), request_text->capacity());
  if (built.error) {
    const auto& e = *built.error;
    io.err << "maildoctor: " << (e.field.empty() || e.message.rfind(e.field, 0) == 0 ? "" : e.field + ": ") << e.message << "\n";
    return kExitUsage;
  }
  Request request = std::move(*built.request);

  std::optional<PasswordLine> typed;
  // --token-stdin reads the access token as --password-stdin reads a password: the endpoint's one secret (with --auth
  // oauth2, which parse_command_line insists on, it goes only to XOAUTH2 / OAUTHBEARER).
  if (cl.password_stdin || cl.token_stdin) typed = read_password_line(io.in);
  else if (io.in_is_terminal && cl.request_path.empty() && wants_password(request)) typed = prompt_password(request, io);
  if (typed) {
    if (!typed->error.empty()) {
      io.err << "maildoctor: " << (cl.token_stdin ? "--token-stdin: " : cl.password_stdin ? "--password-stdin: " : "") << typed->error << "\n";
      return kExitUsage;
    }
    apply_password(request, typed->password);
  }
  if (const auto e = credentials_error(request)) {
    io.err << "maildoctor: " << (cl.request_path.empty() ? "" : e->field + ": ") << e->message << "\n";
    return kExitUsage;
  }

  std::mutex progress_mutex;
  RunHooks hooks;
  const bool show_progress = !cl.json || cl.verbose;
  if (show_progress) {
    hooks.on_check = [&](const Check& c) {
      std::lock_guard lock(progress_mutex);
      io.err << report::progress_line(c) << "\n" << std::flush;
    };
  }
  // RFC 6186 section 6: a server only DNS vouches for, or one without encryption, gets the password only when the
  // user says so. On a terminal that is asked here; elsewhere only --trust-discovered says it.
  if (io.in_is_terminal && cl.request_path != "-" && !cl.trust_discovered) {
    hooks.confirm_discovered = [&](const DiscoveryEvidence::Unconfirmed& u) {
      std::lock_guard lock(progress_mutex);
      const Endpoint& e = u.endpoint;
      io.err << "The " << to_string(e.subject) << " server " << report::printable(e.host) << ":" << e.port << " ("
             << to_string(e.security) << ") came from " << report::printable(u.source) << ": " << report::printable(u.reason)
             << ".\nSend the password to it? [y/N] " << std::flush;
      std::string answer;
      std::getline(io.in, answer);
      return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes";
    };
  }
  const Result result = diagnose(std::move(request), hooks);

  if (cl.json) {
    io.out << dump_json(to_json(result)) << "\n";
  } else {
    io.out << report::text_report(result, {cl.verbose});
  }
  io.out << std::flush;
  return result.verdict == "ok" ? kExitOk : kExitProblem;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, Io io, const Diagnose& diagnose) {
  constexpr int kExitInternal = 3;
  try {
    return run_unguarded(args, io, diagnose);
  } catch (const std::exception& e) {
    io.err << "maildoctor: internal error: " << report::printable(e.what()) << "\n";
  } catch (...) {
    io.err << "maildoctor: internal error\n";
  }
  return kExitInternal;
}

}  // namespace maildoctor::cli

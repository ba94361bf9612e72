#include "report/text_report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace maildoctor::report {
namespace {


std::string pad(const std::string& s, std::size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

std::string value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string verdict_sentence(const std::string& verdict) {
  if (verdict == "ok") return "OK: the account connects and logs in.";
  if (verdict == "problem") return "PROBLEM: something stops this account from working.";
  return "INCONCLUSIVE: maildoctor could not tell for sure.";
}

void write_findings(std::ostringstream& out, const Result& r) {
  if (r.findings.empty()) {
    out << "\nNo problems found.\n";
    return;
  }
  out << "\nFindings (most likely cause first):\n";
  int n = 0;
  for (const auto& f : r.findings) {
    out << "\n" << ++n << ". [" << to_string(f.severity) << "] " << to_string(f.subject) << ": " << printable(f.title) << "  (" << f.code
        << ")\n";
    if (!f.detail.empty()) out << "   " << printable(f.detail) << "\n";
    if (!f.evidence.empty()) {
      out << "   The server said:\n";
      for (const auto& e : f.evidence) {
        std::istringstream lines(e);
        std::string line;
        while (std::getline(lines, line)) out << "     | " << printable(line) << "\n";
      }
    }
    if (!f.fixes.empty()) {
      out << "   How to fix it:\n";
      for (const auto& fix : f.fixes) out << "     - " << describe_fix(fix) << "\n";
    }
  }
}

void write_discovery(std::ostringstream& out, const nlohmann::json& d) {
  if (!d.is_object()) return;
  out << "\nWhere the settings came from:\n";
  if (d.contains("chosen") && d["chosen"].is_array() && !d["chosen"].empty()) {
    for (const auto& c : d["chosen"])
      out << "  " << pad(printable(c.value("subject", "")), 9) << printable(c.value("detail", "")) << "  [" << printable(c.value("source", ""))
          << "]\n";
  } else {
    out << "  nothing was found: no provider entry, autoconfig document or SRV record named a server\n";
  }
  if (d.contains("mx") && d["mx"].is_array() && !d["mx"].empty()) {
    out << "  MX:";
    for (const auto& m : d["mx"]) out << " " << printable(m.is_string() ? m.get<std::string>() : "");
    out << "\n";
  }
}

void write_candidates(std::ostringstream& out, const nlohmann::json& c) {
  if (!c.is_array() || c.empty()) return;
  out << "\nServers that need your confirmation before they get the password:\n";
  for (const auto& s : c) {
    out << "  " << pad(printable(s.value("subject", "")), 9) << printable(s.value("host", "")) << ":" << s.value("port", 0) << " "
        << printable(s.value("security", "")) << "  [" << printable(s.value("source", "")) << "] "
        << (s.value("confirmed", false) ? "confirmed by you" : "not confirmed: no password was sent") << "\n"
        << "           " << printable(s.value("reason", "")) << "\n";
  }
  out << "  Run again on a terminal to be asked, or with --trust-discovered, if you trust them.\n";
}

void write_checks(std::ostringstream& out, const Result& r) {
  if (r.checks.empty()) return;
  out << "\nChecks:\n";
  out << "  " << pad("SUBJECT", 9) << pad("STEP", 13) << pad("STATUS", 7) << pad("MS", 7) << "TARGET / DETAIL\n";
  for (const auto& c : r.checks) {
    std::string where = c.target;
    if (c.alternative) where += " (alternative)";
    if (!c.detail.empty()) where += where.empty() ? c.detail : " - " + c.detail;
    out << "  " << pad(std::string(to_string(c.subject)), 9) << pad(c.step, 13) << pad(std::string(to_string(c.status)), 7)
        << pad(std::to_string(c.ms), 7) << printable(where) << "\n";
  }
}

void write_transcript(std::ostringstream& out, const Result& r) {
  if (r.transcript.empty()) return;
  out << "\nTranscript (passwords and tokens are never recorded):\n";
  // Streamed piece by piece: GCC 12 at -O3 reports a false overflow for "literal" + std::string (its bug 105329).
  for (const auto& t : r.transcript) {
    out << "  " << pad(std::to_string(t.ms), 6) << pad(std::string(to_string(t.subject)), 9) << t.dir << " ";
    if (!t.target.empty()) out << "[" << printable(t.target) << "] ";
    out << printable(t.line) << "\n";
  }
}

}  // namespace

std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    // U+0080..U+009F (C1 controls, e.g. CSI) are 0xC2 0x80..0x9F in UTF-8; some terminals obey them too.
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned char>(s[++i]));
      out += buf;
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string describe_fix(const Fix& fix) {
  std::string text;
  if (fix.kind == "open_url") {
    text = (fix.label.empty() ? "Open" : printable(fix.label) + ":") + " " + printable(fix.url);
  } else if (fix.kind == "change_setting") {
    text = "set " + (fix.subject ? std::string(to_string(*fix.subject)) + " " : std::string()) + printable(fix.setting) + " to " +
           printable(value_text(fix.value));
    if (!fix.label.empty()) text += " (" + printable(fix.label) + ")";
  } else if (fix.kind == "steps") {
    text = fix.label.empty() ? "Steps:" : printable(fix.label) + ":";
    int n = 0;
    for (const auto& s : fix.steps) text += "\n         " + std::to_string(++n) + ". " + printable(s);
  } else if (fix.kind == "oauth_signin") {
    text = printable(fix.label.empty() ? "Sign in again" : fix.label) + " (in Thunderbird: the provider's sign-in window for this account)";
  } else {
    text = printable(fix.label.empty() ? fix.kind : fix.label);
  }
  return text;
}

std::string progress_line(const Check& c) {
  std::string line = "[";  // appended, not "[" + std::string: see write_transcript
  line.append(to_string(c.status)).append("] ").append(to_string(c.subject)).append(" ").append(c.step);
  if (!c.target.empty()) line += " " + c.target;
  if (c.alternative) line += " (alternative)";
  line += " (" + std::to_string(c.ms) + " ms)";
  if (!c.detail.empty()) line += ": " + c.detail;
  return printable(line);
}

std::string text_report(const Result& r, const TextOptions& options) {
  std::ostringstream out;
  out << "Verdict: " << verdict_sentence(r.verdict) << "\n";
  if (r.provider) out << "Provider: " << printable(r.provider->name) << " (" << printable(r.provider->id) << ")\n";
  write_findings(out, r);
  write_discovery(out, r.discovery);
  write_candidates(out, r.candidates);
  write_checks(out, r);
  if (options.transcript) write_transcript(out, r);
  out << "\nTook " << r.elapsed_ms << " ms.\n";
  return out.str();
}

}  // namespace maildoctor::report

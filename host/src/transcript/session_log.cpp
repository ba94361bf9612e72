#include "transcript/session_log.hpp"

#include "transcript/reply_parser.hpp"

namespace maildoctor::transcript {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

SessionLog::SessionLog(Protocol protocol, Clock::time_point t0, const Secret& password, std::string_view username)
    : t0_(t0), redactor_(protocol), scrubber_(password, username) {}

int SessionLog::now_ms() const {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0_).count());
}

void SessionLog::add(char dir, std::string line) {
  if (full_) return;
  std::string unmasked;
  if (dir == 'S') unmasked = line;
  // Scrub first: a cut through the password would leave a piece that no needle matches any more.
  if (!scrubber_.scrub(line)) unmasked.clear();
  line = bound_line(line);
  if (!unmasked.empty()) unmasked = bound_line(unmasked);
  if (lines_.size() + 1 >= kMaxLogLines || bytes_ + line.size() > kMaxLogBytes) {
    full_ = true;
    lines_.push_back({'*', now_ms(), "[transcript limit reached: later lines of this connection are not kept]", {}});
    return;
  }
  bytes_ += line.size();
  lines_.push_back({dir, now_ms(), std::move(line), std::move(unmasked)});
}

void SessionLog::client_line(std::string_view line) { add('C', redactor_.client_line(line)); }

void SessionLog::server_line(std::string_view line) {
  redactor_.server_line(line);
  add('S', std::string(line));
}

void SessionLog::note(std::string_view text) {
  for (auto l : split_lines(text))
    if (!l.empty()) add('*', std::string(l));
}

void SessionLog::client_text(std::string_view text) {
  for (auto l : split_lines(text)) client_line(l);
}

void SessionLog::server_text(std::string_view text) {
  for (auto l : split_lines(text)) server_line(l);
}

}  // namespace maildoctor::transcript

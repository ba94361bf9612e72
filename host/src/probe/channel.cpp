#include "probe/channel.hpp"

#include "platform/sockets.hpp"
#include "probe/dialogue.hpp"
#include "transcript/reply_parser.hpp"

namespace maildoctor::probe {

namespace {
constexpr int kPollMs = 50;

bool wait_socket(CURL* easy, short events) {
  curl_socket_t fd = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD) return false;
  pollfd p{fd, events, 0};
  platform::poll(&p, 1, kPollMs);
  return true;
}
}  // namespace

bool Channel::send_all(std::string_view data, std::string& error) {
  while (!data.empty()) {
    if (session_.should_stop()) {
      error = "stopped before the command was sent";
      return false;
    }
    size_t sent = 0;
    CURLcode rc = curl_easy_send(session_.easy(), data.data(), data.size(), &sent);
    if (rc == CURLE_AGAIN) {
      if (!wait_socket(session_.easy(), POLLOUT)) {
        error = "the connection is gone";
        return false;
      }
      continue;
    }
    if (rc != CURLE_OK) {
      error = curl_easy_strerror(rc);
      return false;
    }
    data.remove_prefix(sent);
  }
  return true;
}

bool Channel::read_line(std::string& line, std::string& error) {
  for (;;) {
    std::size_t nl = buffer_.find('\n');
    if (skipping_ && nl != std::string::npos) {
      // The end of a line whose start was already returned.
      buffer_.erase(0, nl + 1);
      skipping_ = false;
      continue;
    }
    if (skipping_) {
      buffer_.clear();
    } else if (nl != std::string::npos) {
      line = buffer_.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      buffer_.erase(0, nl + 1);
      return true;
    } else if (buffer_.size() > transcript::kMaxLineBytes * 4) {
      // A line without end: keep its start (scrubbed before the cut, which could split the password), drop the
      // rest of it as it arrives rather than return it as lines that start in the middle of something.
      log_.scrub(buffer_);
      line = buffer_.substr(0, transcript::kMaxLineBytes);
      buffer_.clear();
      skipping_ = true;
      return true;
    }
    if (session_.should_stop()) {
      error = "no complete reply before the deadline";
      return false;
    }
    char buf[4096];
    size_t got = 0;
    CURLcode rc = curl_easy_recv(session_.easy(), buf, sizeof buf, &got);
    if (rc == CURLE_AGAIN) {
      if (!wait_socket(session_.easy(), POLLIN)) {
        error = "the connection is gone";
        return false;
      }
      continue;
    }
    if (rc != CURLE_OK) {
      error = curl_easy_strerror(rc);
      return false;
    }
    if (got == 0) {
      error = "the server closed the connection";
      return false;
    }
    buffer_.append(buf, got);
  }
}

Channel::Result Channel::command(std::string_view line) {
  Result r;
  log_.client_line(line);
  std::string wire(line);
  wire += "\r\n";
  if (!send_all(wire, r.error)) return r;
  return read_reply(line, std::move(r));
}

std::vector<Channel::Result> Channel::pipeline(const std::vector<std::string>& lines) {
  std::vector<Result> out;
  std::string wire;
  for (const auto& l : lines) {
    log_.client_line(l);
    wire += l + "\r\n";
  }
  Result sent;
  if (!send_all(wire, sent.error)) {
    out.push_back(std::move(sent));
    return out;
  }
  for (const auto& l : lines) {
    out.push_back(read_reply(l, Result{}));
    if (!out.back().ok) break;
  }
  return out;
}

void Channel::farewell(std::string_view line) {
  log_.client_line(line);
  std::string wire(line);
  wire += "\r\n";
  std::string error;
  send_all(wire, error);
}

Channel::Result Channel::read_reply(std::string_view line, Result r) {
  Exchange e;
  {
    // The same reading rules as for the dialogue curl drove.
    auto d = build_dialogue(protocol_, {{'C', 0, std::string(line), {}}});
    e = d.exchanges.front();
  }
  transcript::BoundedLines lines, words;
  bool masked = false;
  std::size_t count = 0;
  auto reply = [&] {
    Reply out = transcript::make_reply(protocol_, lines.take());
    if (masked) out.unmasked = words.take();
    return out;
  };
  for (;;) {
    std::string l;
    if (!read_line(l, r.error)) {
      r.reply = reply();
      return r;
    }
    log_.server_line(l);
    const bool last = reply_ends(protocol_, e, l, count++);
    words.add(l);  // the server's real words, for classification
    // The reply becomes evidence (after_login): a server that echoes the password must not put it there.
    masked = log_.scrub(l) || masked;
    lines.add(l);
    if (last) break;
  }
  r.reply = reply();
  r.ok = true;
  return r;
}

}  // namespace maildoctor::probe

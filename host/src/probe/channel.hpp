#pragma once
// Commands after libcurl's part of the session, over the same connection (curl_easy_send / curl_easy_recv).
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include "maildoctor/evidence.hpp"
#include "probe/curl_session.hpp"
#include "transcript/session_log.hpp"

namespace maildoctor::probe {

class Channel {
 public:
  Channel(CurlSession& session, Protocol protocol, transcript::SessionLog& log) : session_(session), protocol_(protocol), log_(log) {}
  // Sends one command line and reads its complete reply. ok=false on a transport failure, cancel or deadline.
  struct Result {
    bool ok = false;
    Reply reply;
    std::string error;
  };
  Result command(std::string_view line);
  // Sends several command lines in one write, then reads one complete reply per line, in order
  // (SMTP PIPELINING, RFC 2920: only when the server offered it). Stops at the first transport failure.
  std::vector<Result> pipeline(const std::vector<std::string>& lines);
  // Sends a farewell (LOGOUT / QUIT) without waiting for its reply: the reply carries nothing the
  // diagnosis uses, and waiting for it would add a round trip to every probe.
  void farewell(std::string_view line);

 private:
  bool send_all(std::string_view data, std::string& error);
  bool read_line(std::string& line, std::string& error);
  Result read_reply(std::string_view line, Result r);

  CurlSession& session_;
  Protocol protocol_;
  transcript::SessionLog& log_;
  std::string buffer_;
  bool skipping_ = false;  // inside an overlong line whose start was returned
};

}  // namespace maildoctor::probe

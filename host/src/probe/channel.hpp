#pragma once
// Commands after libcurl's part of the session, over the same connection (curl_easy_send / curl_easy_recv).
#include <string>
#include <string_view>

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

 private:
  bool send_all(std::string_view data, std::string& error);
  bool read_line(std::string& line, std::string& error);

  CurlSession& session_;
  Protocol protocol_;
  transcript::SessionLog& log_;
  std::string buffer_;
};

}  // namespace maildoctor::probe

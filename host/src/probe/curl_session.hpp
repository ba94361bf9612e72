#pragma once
// The libcurl side of a probe: one easy handle in its own multi handle, so the probe can be stopped within a
// poll interval (cancel, deadline) instead of waiting for curl's own timeouts.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "maildoctor/evidence.hpp"
#include "probe/probe.hpp"
#include "transcript/session_log.hpp"

namespace maildoctor::probe {

struct SessionOutcome {
  CURLcode rc = CURLE_OK;
  std::string error;       // curl's error buffer, scrubbed
  long os_errno = 0;
  std::string primary_ip;
  int connect_ms = -1;     // since the probe started; -1 when TCP never connected
  int tls_ms = -1;         // handshake duration; -1 when no handshake completed
  bool connected = false;
  bool proxy_reached = false;   // the TCP connection to the SOCKS proxy was made (its handshake began)
  bool proxy_answered = false;  // the SOCKS5 proxy answered the greeting and was asked for the server
  long proxy_code = 0;          // CURLINFO_PROXY_ERROR (CURLPX_*)
  bool server_spoke = false;
  bool tls_done = false;
  bool stopped = false;         // cancelled by the orchestrator or by the deadline
  bool deadline_hit = false;
  std::string tls_version;
  std::string tls_cipher;
  bool cert_seen = false;
  CertReport cert;
  bool cert_rejected = false;   // our verification refused the chain (credentials pending: the handshake was failed)
  // Client lines that may have carried a credential, counted as curl hands them to the network (debug callback),
  // without any limit and apart from the bounded transcript: every line that is not a known credential-free
  // command. Zero is the one proof that this session sent nothing secret.
  std::size_t credential_lines = 0;
};

class CurlSession {
 public:
  CurlSession(const ProbeSpec& spec, transcript::SessionLog& log, ProbeProgress& progress, const std::atomic<bool>& global_cancel);
  ~CurlSession();
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  // Runs greeting, capabilities, STARTTLS and (with credentials) authentication. addresses: what the connect
  // target resolved to (handed to curl so that it does no lookup of its own).
  SessionOutcome run(const ConnectTarget& target, const std::vector<std::string>& addresses);

  // For the commands after curl's part: the easy handle with its connection still open.
  [[nodiscard]] CURL* easy() const { return easy_; }
  [[nodiscard]] bool should_stop() const;

  // Internal: called from OpenSSL's verify callback.
  int verify(void* store_ctx);
  // Internal: called from curl's debug callback.
  void debug(curl_infotype type, const char* data, std::size_t size);

 private:
  void count_credential_lines(std::string_view text);
  const ProbeSpec& spec_;
  transcript::SessionLog& log_;
  ProbeProgress& progress_;
  const std::atomic<bool>& global_cancel_;
  CURLM* multi_ = nullptr;
  CURL* easy_ = nullptr;
  curl_slist* resolve_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE] = {};
  bool socks_granted_ = false;
  SessionOutcome out_;
};

}  // namespace maildoctor::probe

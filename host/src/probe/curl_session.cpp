#include "probe/curl_session.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

#include "platform/trust.hpp"
#include "tls/cert_analysis.hpp"
#include "transcript/text_util.hpp"
#include "maildoctor/hygiene.hpp"

namespace maildoctor::probe {

namespace {
constexpr int kPollMs = 50;

int ms_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count());
}

bool is_ipv6_literal(const std::string& s) { return s.find(':') != std::string::npos; }

std::string url_host(const std::string& host) { return is_ipv6_literal(host) ? "[" + host + "]" : host; }

// curl's TLS handshake trace ("TLSv1.3 (OUT), TLS handshake, Client hello (1):") is noise in a transcript.
bool is_tls_trace(std::string_view s) {
  return (s.rfind("TLSv", 0) == 0 || s.rfind("SSLv", 0) == 0) && s.find("), TLS ") != std::string_view::npos;
}

// curl's bookkeeping lines that say nothing about the server.
bool is_curl_noise(std::string_view s) {
  for (std::string_view p : {"reached ", "Added ", "Hostname ", "old SSL session ID", "Connection #", "Closing connection",
                             "Connecting to hostname:", "Connecting to port:", "Found bundle", "Re-using existing"})
    if (s.rfind(p, 0) == 0) return true;
  return false;
}

// Commands that carry no credential, by protocol. Anything else curl sends (LOGIN, AUTHENTICATE, AUTH, USER,
// PASS, APOP, a SASL answer, a line cut in two, a command this list does not know) counts as credentialed:
// counting too much only forgoes a retry, counting too little would repeat a login.
bool credential_free(Protocol protocol, std::string_view line) {
  auto words = transcript::split_words(line);
  const std::size_t verb_at = protocol == Protocol::imap ? 1 : 0;  // IMAP commands start with a tag
  if (words.size() <= verb_at) return false;
  const std::string verb = transcript::upper(words[verb_at]);
  switch (protocol) {
    case Protocol::imap: return verb == "CAPABILITY" || verb == "STARTTLS" || verb == "NOOP" || verb == "LOGOUT" || verb == "ID";
    case Protocol::pop3: return verb == "CAPA" || verb == "STLS" || verb == "NOOP" || verb == "QUIT";
    case Protocol::smtp: return verb == "EHLO" || verb == "HELO" || verb == "STARTTLS" || verb == "NOOP" || verb == "QUIT";
  }
  return false;
}

int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  static_cast<CurlSession*>(userp)->debug(type, data, size);
  return 0;
}

int cert_verify_cb(X509_STORE_CTX* ctx, void* arg) { return static_cast<CurlSession*>(arg)->verify(ctx); }

CURLcode ssl_ctx_cb(CURL*, void* ssl_ctx, void* userp) {
  SSL_CTX_set_cert_verify_callback(static_cast<SSL_CTX*>(ssl_ctx), cert_verify_cb, userp);
  return CURLE_OK;
}
}  // namespace

CurlSession::CurlSession(const ProbeSpec& spec, transcript::SessionLog& log, ProbeProgress& progress,
                         const std::atomic<bool>& global_cancel)
    : spec_(spec), log_(log), progress_(progress), global_cancel_(global_cancel) {}

CurlSession::~CurlSession() {
  if (easy_) {
    // curl keeps its own copy of the password until the handle goes: replace it first.
    curl_easy_setopt(easy_, CURLOPT_PASSWORD, "");
    curl_easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, "");
    if (multi_) curl_multi_remove_handle(multi_, easy_);
    curl_easy_cleanup(easy_);
  }
  if (multi_) curl_multi_cleanup(multi_);
  curl_slist_free_all(resolve_);
  curl_slist_free_all(connect_to_);
}

bool CurlSession::should_stop() const {
  return progress_.cancel.load() || global_cancel_.load() || Clock::now() >= spec_.deadline;
}

void CurlSession::debug(curl_infotype type, const char* data, std::size_t size) {
  std::string_view s(data, size);
  switch (type) {
    case CURLINFO_HEADER_IN:
      progress_.server_spoke = true;
      out_.server_spoke = true;
      log_.server_text(s);
      break;
    case CURLINFO_HEADER_OUT:
      count_credential_lines(s);
      log_.client_text(s);
      break;
    case CURLINFO_DATA_OUT:
      count_credential_lines(s);
      break;
    case CURLINFO_TEXT: {
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
      // Through a SOCKS proxy curl says "Connected to <proxy>" twice: once the TCP connection to the proxy stands,
      // and again after "SOCKS5 request granted." Only the second means the mail server is connected.
      if (spec_.proxy && s.rfind("SOCKS", 0) == 0 && s.find("request granted") != std::string_view::npos) socks_granted_ = true;
      // curl writes this once a SOCKS5 proxy answered its greeting: from then on a wait is the proxy's wait for the server.
      if (spec_.proxy && s.rfind("SOCKS5 connect to ", 0) == 0) out_.proxy_answered = true;
      if (s.rfind("Connected to ", 0) == 0) {
        if (spec_.proxy) out_.proxy_reached = true;
        if (!spec_.proxy || socks_granted_) {
          progress_.connected = true;
          out_.connected = true;
        }
      }
      if (s.rfind("SSL connection using ", 0) == 0) {
        progress_.tls_done = true;
        out_.tls_done = true;
      }
      if (!is_tls_trace(s) && !is_curl_noise(s)) log_.note(s);
      break;
    }
    default:
      break;  // payload and raw TLS records: the pingpong lines above already hold the dialogue
  }
}

void CurlSession::count_credential_lines(std::string_view text) {
  for (auto line : transcript::split_lines(text))
    if (!transcript::trim(line).empty() && !credential_free(spec_.endpoint.protocol, line)) ++out_.credential_lines;
}

int CurlSession::verify(void* raw_ctx) {
  auto* ctx = static_cast<X509_STORE_CTX*>(raw_ctx);
  progress_.tls_spoken = true;
  out_.cert = tls::analyse_store_ctx(ctx, spec_.endpoint.host, std::time(nullptr), spec_.endpoint.cert_override);
  out_.cert_seen = true;
  if (auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()))) {
    out_.tls_version = SSL_get_version(ssl);
    if (const SSL_CIPHER* c = SSL_get_pending_cipher(ssl)) out_.tls_cipher = SSL_CIPHER_get_name(c);
  }
  // Thunderbird's exception for this very host:port and certificate: Thunderbird logs in here, so the probe may too.
  if (out_.cert.verified || out_.cert.override_matched) {
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  if (spec_.use_credentials) {
    // Credentials are about to follow: a chain we do not trust ends the handshake here.
    out_.cert_rejected = true;
    if (X509_STORE_CTX_get_error(ctx) == X509_V_OK) X509_STORE_CTX_set_error(ctx, X509_V_ERR_HOSTNAME_MISMATCH);
    return 0;
  }
  // No credential will be sent: carry on past the bad certificate to see the greeting and capabilities.
  X509_STORE_CTX_set_error(ctx, X509_V_OK);
  return 1;
}

SessionOutcome CurlSession::run(const ConnectTarget& target, const std::vector<std::string>& addresses) {
  const Endpoint& ep = spec_.endpoint;
  prepare_curl();
  multi_ = curl_multi_init();
  easy_ = curl_easy_init();
  if (!multi_ || !easy_) {
    out_.rc = CURLE_FAILED_INIT;
    out_.error = "libcurl could not be initialised";
    return out_;
  }
  std::string url = scheme_for(ep.protocol, ep.security) + "://" + url_host(ep.host) + ":" + std::to_string(ep.port) + "/";
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy_, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy_, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(easy_, CURLOPT_DEBUGDATA, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(easy_, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  if (spec_.proxy) {
    // Thunderbird's SOCKS proxy, as the user configured it. It changes how the connection is made, never where the
    // password goes: the URL, and so the login, still names the configured host.
    const std::string proxy = proxy_url(*spec_.proxy);
    curl_easy_setopt(easy_, CURLOPT_PROXY, proxy.c_str());
    // The bypass list was applied before (proxy_for: Thunderbird's rules); an environment NO_PROXY must not undo
    // the decision the evidence reports.
    curl_easy_setopt(easy_, CURLOPT_NOPROXY, "");
  } else {
    curl_easy_setopt(easy_, CURLOPT_PROXY, "");  // never through an environment proxy
    curl_easy_setopt(easy_, CURLOPT_NOPROXY, "*");
  }
  // curl's own timeouts are a backstop only: the loop below stops the probe at the deadline itself, which is
  // how it knows the stage it was in.
  long left = std::max(1, ms_between(Clock::now(), spec_.deadline)) + 1000;
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, left);
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, left);

  if (!addresses.empty()) {
    std::string entry = url_host(target.host) + ":" + std::to_string(target.port) + ":";
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      if (i) entry += ",";
      entry += url_host(addresses[i]);
    }
    resolve_ = curl_slist_append(resolve_, entry.c_str());
    curl_easy_setopt(easy_, CURLOPT_RESOLVE, resolve_);
  }
  if (target.rule) {
    std::string entry = url_host(ep.host) + ":" + std::to_string(ep.port) + ":" + url_host(target.host) + ":" + std::to_string(target.port);
    connect_to_ = curl_slist_append(connect_to_, entry.c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECT_TO, connect_to_);
  }

  if (ep.security == Security::starttls) curl_easy_setopt(easy_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (ep.security == Security::none) curl_easy_setopt(easy_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
  if (ep.security != Security::none) {
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
    // Our verify callback checks the name itself; curl's own check would end credential-free probes early.
    // With a certificate exception the callback alone decides: it accepts only the excepted leaf or a sound chain.
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, spec_.use_credentials && ep.cert_override.empty() ? 2L : 0L);
    platform::use_trust_anchors(easy_, spec_.cacert);
    curl_easy_setopt(easy_, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
    curl_easy_setopt(easy_, CURLOPT_SSL_CTX_DATA, this);
    if (spec_.legacy_tls) {
      curl_easy_setopt(easy_, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_0));
      curl_easy_setopt(easy_, CURLOPT_SSL_CIPHER_LIST, "DEFAULT@SECLEVEL=0");
    }
  }

  if (spec_.use_credentials) {
    curl_easy_setopt(easy_, CURLOPT_USERNAME, ep.username.c_str());
    if (ep.auth == AuthMethod::oauth2) curl_easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, ep.password.reveal().c_str());
    else curl_easy_setopt(easy_, CURLOPT_PASSWORD, ep.password.reveal().c_str());
    // SMTP servers must accept an initial response with AUTH (RFC 4954): saves the round trip of an
    // empty 334 challenge. Not for IMAP: libcurl would then send one even where SASL-IR is not offered
    // (it uses SASL-IR by itself when the server lists it).
    if (ep.protocol == Protocol::smtp) curl_easy_setopt(easy_, CURLOPT_SASL_IR, 1L);
    // libcurl copies string options: a local will do.
    const std::string login_options = login_options_for(ep.auth, spec_.allow_cleartext_command);
    if (!login_options.empty()) curl_easy_setopt(easy_, CURLOPT_LOGIN_OPTIONS, login_options.c_str());
  }

  curl_multi_add_handle(multi_, easy_);
  bool done = false;
  while (!done) {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi_, &queued)) {
      if (m->msg == CURLMSG_DONE && m->easy_handle == easy_) {
        out_.rc = m->data.result;
        done = true;
      }
    }
    if (done) break;
    if (spec_.stop_after_handshake && out_.tls_done) {
      out_.rc = CURLE_OK;
      break;
    }
    if (should_stop()) {
      out_.stopped = true;
      out_.deadline_hit = Clock::now() >= spec_.deadline;
      out_.rc = CURLE_OPERATION_TIMEDOUT;
      break;
    }
    curl_multi_poll(multi_, nullptr, 0, kPollMs, nullptr);
  }

  if (spec_.use_credentials) {
    // curl's part, the only one that needs the password, is over: its copy goes now, not when the handle does.
    curl_easy_setopt(easy_, CURLOPT_PASSWORD, nullptr);
    curl_easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, nullptr);
  }
  out_.error = errbuf_;
  log_.scrub(out_.error);
  curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &out_.os_errno);
  if (spec_.proxy) curl_easy_getinfo(easy_, CURLINFO_PROXY_ERROR, &out_.proxy_code);
  char* ip = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) out_.primary_ip = ip;
  curl_off_t connect_us = 0, app_us = 0;
  curl_easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &connect_us);
  curl_easy_getinfo(easy_, CURLINFO_APPCONNECT_TIME_T, &app_us);
  if (connect_us > 0) out_.connected = true;
  if (out_.connected) out_.connect_ms = static_cast<int>(connect_us / 1000);
  if (out_.tls_done && app_us > 0) out_.tls_ms = static_cast<int>((app_us - connect_us) / 1000);
  if (out_.tls_done) {
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(easy_, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info && info->backend == CURLSSLBACKEND_OPENSSL &&
        info->internals) {
      auto* ssl = static_cast<SSL*>(info->internals);
      out_.tls_version = SSL_get_version(ssl);
      if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) out_.tls_cipher = SSL_CIPHER_get_name(c);
    }
  }
  return out_;
}

}  // namespace maildoctor::probe

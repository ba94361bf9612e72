#include "probe/ews_probe.hpp"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>
#include <memory>
#include <strings.h>

#include "maildoctor/hygiene.hpp"
#include "platform/trust.hpp"
#include "tls/cert_analysis.hpp"

namespace maildoctor::probe {
namespace {

constexpr std::size_t kMaxSchemes = 16;
constexpr std::size_t kMaxTranscriptLine = 512;

int ms_since(Clock::time_point t0) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

std::string url_host(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// What the callbacks of one transfer share. curl calls them on the probing thread only.
struct State {
  const EwsSpec* spec = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  EwsOutput* out = nullptr;
  bool connected = false;
  bool socks_granted = false;
  bool tls_done = false;
  bool cert_seen = false;
  bool headers_complete = false;
  bool header_overflow = false;
  bool stopped = false;  // by the deadline or the cancel flag
  std::size_t header_bytes = 0;
  std::string tls_version;
  CertReport cert;
};

void note(State& st, char dir, std::string line) {
  if (line.size() > kMaxTranscriptLine) line = line.substr(0, kMaxTranscriptLine) + " [cut]";
  st.out->transcript.push_back({Subject::incoming, dir, ms_since(st.spec->t0), std::move(line),
                                st.spec->server.host + ":" + std::to_string(st.spec->server.port) + " ews"});
}

int verify_cb(X509_STORE_CTX* ctx, void* arg) {
  auto& st = *static_cast<State*>(arg);
  st.cert = tls::analyse_store_ctx(ctx, st.spec->server.host, std::time(nullptr));
  st.cert_seen = true;
  if (auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx())))
    st.tls_version = SSL_get_version(ssl);
  // No credential is ever sent on this connection: go on past a bad certificate to read the offered schemes; the
  // certificate's findings are made from the analysis all the same.
  X509_STORE_CTX_set_error(ctx, X509_V_OK);
  return 1;
}

CURLcode ssl_ctx_cb(CURL*, void* ssl_ctx, void* userp) {
  SSL_CTX_set_cert_verify_callback(static_cast<SSL_CTX*>(ssl_ctx), verify_cb, userp);
  return CURLE_OK;
}

int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto& st = *static_cast<State*>(userp);
  if (type != CURLINFO_TEXT) return 0;
  std::string_view s(data, size);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  // Through a SOCKS proxy "Connected to" comes first for the proxy; the server is reached once the proxy granted it.
  if (st.spec->proxy && s.rfind("SOCKS", 0) == 0 && s.find("request granted") != std::string_view::npos) st.socks_granted = true;
  if (s.rfind("Connected to ", 0) == 0 && (!st.spec->proxy || st.socks_granted)) st.connected = true;
  if (s.rfind("SSL connection using ", 0) == 0) st.tls_done = true;
  return 0;
}

size_t header_cb(char* data, size_t size, size_t nmemb, void* userp) {
  auto& st = *static_cast<State*>(userp);
  const size_t n = size * nmemb;
  st.header_bytes += n;
  if (st.header_bytes > kEwsMaxHeaderBytes) {
    st.header_overflow = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  const std::string line = trim(std::string_view(data, n));
  EwsEvidence& ev = st.out->evidence;
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after a 100 Continue, say): only the final answer's headers count.
    const auto sp = line.find(' ');
    ev.http_status = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
    ev.schemes.clear();
    note(st, 'S', line);
    return n;
  }
  if (line.empty()) {
    if (ev.http_status >= 200) st.headers_complete = true;
    return n;
  }
  static constexpr std::string_view kName = "www-authenticate:";
  if (line.size() >= kName.size() && strncasecmp(line.c_str(), kName.data(), kName.size()) == 0) {
    note(st, 'S', line);
    for (auto& scheme : auth_schemes(std::string_view(line).substr(kName.size())))
      if (ev.schemes.size() < kMaxSchemes && std::find(ev.schemes.begin(), ev.schemes.end(), scheme) == ev.schemes.end())
        ev.schemes.push_back(std::move(scheme));
  }
  return n;
}

// The body is not needed: once the headers are complete the transfer ends here, whatever its size.
size_t write_cb(char*, size_t size, size_t nmemb, void* userp) {
  auto& st = *static_cast<State*>(userp);
  return st.headers_complete ? 0 : size * nmemb;
}

int progress_cb(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& st = *static_cast<State*>(userp);
  if (st.cancel->load() || Clock::now() >= st.spec->deadline) {
    st.stopped = true;
    return 1;
  }
  return 0;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

Check make_check(const EwsSpec& spec, const char* step, CheckStatus status, int ms, std::string detail) {
  Check c;
  c.subject = Subject::incoming;
  c.step = step;
  c.status = status;
  c.ms = ms;
  c.detail = std::move(detail);
  c.target = spec.server.host + ":" + std::to_string(spec.server.port) + " ews";
  return c;
}

}  // namespace

std::vector<std::string> auth_schemes(std::string_view value) {
  std::vector<std::string> out;
  // Split at commas outside quoted strings.
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char ch = value[i];
    if (quoted && ch == '\\' && i + 1 < value.size()) {
      cur += ch;
      cur += value[++i];
      continue;
    }
    if (ch == '"') quoted = !quoted;
    if (ch == ',' && !quoted) {
      parts.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += ch;
  }
  parts.push_back(trim(cur));
  static constexpr std::string_view kKnown[] = {"Basic", "NTLM", "Negotiate", "Bearer", "Digest"};
  for (const auto& part : parts) {
    if (part.empty()) continue;
    const auto end = part.find_first_of(" \t=");
    // "realm=..." continues the previous challenge; a scheme is a bare token, then a space or the end.
    if (end != std::string::npos && part[end] == '=') continue;
    std::string token = part.substr(0, end);
    if (token.empty() || token.size() > 32) continue;
    const bool is_token = std::all_of(token.begin(), token.end(), [](unsigned char c) {
      return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (!is_token) continue;
    for (auto known : kKnown)
      if (strcasecmp(token.c_str(), std::string(known).c_str()) == 0) token = std::string(known);
    out.push_back(std::move(token));
  }
  return out;
}

EwsOutput run_ews_probe(const EwsSpec& given, const std::atomic<bool>& cancel) {
  prepare_curl();
  // A URL whose host is on the proxy's bypass list is fetched directly, as Thunderbird fetches it.
  EwsSpec spec = given;
  spec.proxy = proxy_for(given.proxy, given.server.host, given.server.port);
  const std::string bypassed = given.proxy && !spec.proxy ? proxy_address(*given.proxy) : std::string();
  EwsOutput out;
  EwsEvidence& ev = out.evidence;
  ev.url = spec.server.url;
  ProbeResult& p = ev.probe;
  p.endpoint.subject = Subject::incoming;
  p.endpoint.host = spec.server.host;
  p.endpoint.port = spec.server.port;
  p.endpoint.security = Security::tls;
  p.endpoint.username = spec.server.username;
  p.endpoint.auth = spec.server.auth;
  const auto start = Clock::now();

  const ConnectTarget target = apply_connect_to(spec.connect_to, spec.server.host, spec.server.port);
  std::unique_ptr<curl_slist, SlistDeleter> resolve, connect_to;
  if (spec.proxy && spec.proxy->remote_dns) {
    p.dns.status = DnsEvidence::Status::left_to_proxy;
    out.checks.push_back(make_check(spec, "dns", CheckStatus::skip, 0, "left to the proxy " + proxy_address(*spec.proxy)));
  } else {
    p.dns = dns::resolve_host(spec.resolver, target.host, spec.deadline);
    std::string addresses;
    for (const auto& a : p.dns.addresses) addresses += (addresses.empty() ? "" : ", ") + a;
    out.checks.push_back(make_check(spec, "dns", p.dns.status == DnsEvidence::Status::ok ? CheckStatus::pass : CheckStatus::fail,
                                    p.dns.ms, p.dns.status == DnsEvidence::Status::ok ? addresses : p.dns.error));
    if (p.dns.status != DnsEvidence::Status::ok) return out;
    std::string entry = url_host(target.host) + ":" + std::to_string(target.port) + ":";
    for (std::size_t i = 0; i < p.dns.addresses.size(); ++i) entry += (i ? "," : "") + url_host(p.dns.addresses[i]);
    resolve.reset(curl_slist_append(nullptr, entry.c_str()));
  }
  if (target.rule) {
    const std::string entry = url_host(spec.server.host) + ":" + std::to_string(spec.server.port) + ":" + url_host(target.host) + ":" +
                              std::to_string(target.port);
    connect_to.reset(curl_slist_append(nullptr, entry.c_str()));
  }

  auto time_left = [&] { return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(spec.deadline - Clock::now()).count()); };
  if (spec.gate && !spec.gate->acquire(target.host, target.port, [&] { return cancel.load() || time_left() <= 0; })) {
    p.connect.status = ConnectEvidence::Status::timeout;
    p.connect.error = "no free connection to " + target.host + ":" + std::to_string(target.port) + " before the deadline";
    return out;
  }
  const ConnectionPermit permit(spec.gate, target.host, target.port);
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl || time_left() <= 0) {
    p.connect.status = ConnectEvidence::Status::failed;
    p.connect.error = curl ? "no time left before the deadline" : "libcurl could not start";
    return out;
  }
  State st;
  st.spec = &spec;
  st.cancel = &cancel;
  st.out = &out;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, spec.server.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_NONE));
  curl_easy_setopt(c, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  const std::string proxy = spec.proxy ? proxy_url(*spec.proxy) : std::string();
  curl_easy_setopt(c, CURLOPT_PROXY, proxy.c_str());  // never an environment proxy; Thunderbird's SOCKS proxy if set
  curl_easy_setopt(c, CURLOPT_NOPROXY, spec.proxy ? "" : "*");  // the bypass list was applied above
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // curl's own timer ends the transfer at the deadline (its progress callback may come only once a second on an idle
  // connection); the callback adds the cancel flag.
  const long budget = std::max(1L, time_left());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, budget);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, budget);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &st);
  if (resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  if (connect_to) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to.get());
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);  // the verify callback checks the name itself
  platform::use_trust_anchors(c, spec.cacert);
  curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
  curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &st);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &st);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "maildoctor/" MAILDOCTOR_VERSION);
  note(st, 'C', "GET " + spec.server.url + " (no credentials)");
  const CURLcode rc = curl_easy_perform(c);
  const std::string error = *errbuf ? errbuf : curl_easy_strerror(rc);
  const int ms = ms_since(start);

  // Where it stopped decides which step failed.
  if (!st.connected) {
    long os_errno = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    p.connect.os_errno = static_cast<int>(os_errno);
    p.connect.error = st.stopped ? "no answer before the deadline" : error;
    if (st.stopped || rc == CURLE_OPERATION_TIMEDOUT) p.connect.status = ConnectEvidence::Status::timeout;
    else if (os_errno == ECONNREFUSED) p.connect.status = ConnectEvidence::Status::refused;
    else if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH) p.connect.status = ConnectEvidence::Status::unreachable;
    else p.connect.status = ConnectEvidence::Status::failed;
    if (spec.proxy) p.connect.proxy = proxy_address(*spec.proxy);
    p.connect.proxy_bypassed = bypassed;
    out.checks.push_back(make_check(spec, "connect", CheckStatus::fail, ms, p.connect.error));
    return out;
  }
  p.connect.status = ConnectEvidence::Status::ok;
  p.connect.proxy_bypassed = bypassed;
  out.checks.push_back(make_check(spec, "connect", CheckStatus::pass, ms,
                                  bypassed.empty() ? "" : "directly, not through the proxy " + bypassed + " (the server is on its bypass list)"));
  p.tls.cert = st.cert;
  p.tls.version = st.tls_version;
  if (!st.tls_done) {
    p.tls.status = TlsEvidence::Status::failed;
    p.tls.error = st.stopped ? "the server accepted the connection and never answered the TLS hello" : error;
    if (st.stopped || rc == CURLE_OPERATION_TIMEDOUT) p.tls.failure = TlsEvidence::Failure::silent;
    else if (error.find("wrong version number") != std::string::npos) p.tls.failure = TlsEvidence::Failure::plaintext_answer;
    else if (error.find("unsupported protocol") != std::string::npos) p.tls.failure = TlsEvidence::Failure::version_too_old;
    else p.tls.failure = TlsEvidence::Failure::handshake;
    ev.outcome = p.tls.failure == TlsEvidence::Failure::silent ? EwsEvidence::Outcome::no_answer : EwsEvidence::Outcome::not_reached;
    ev.error = p.tls.error;
    out.checks.push_back(make_check(spec, "tls", CheckStatus::fail, ms, p.tls.error));
    return out;
  }
  p.tls.status = TlsEvidence::Status::ok;
  out.checks.push_back(make_check(spec, "tls", st.cert.verified ? CheckStatus::pass : CheckStatus::fail, ms,
                                  st.tls_version + (st.cert.verified ? ", certificate verified" : ", certificate not trusted: " +
                                                                                                      st.cert.verify_error_text)));
  if (st.header_overflow) {
    ev.outcome = EwsEvidence::Outcome::bad_reply;
    ev.error = "the answer's headers are larger than " + std::to_string(kEwsMaxHeaderBytes / 1024) + " KiB";
  } else if (st.headers_complete) {
    ev.outcome = ev.http_status == 401 && !ev.schemes.empty() ? EwsEvidence::Outcome::challenged : EwsEvidence::Outcome::answered;
  } else if (rc == CURLE_OUT_OF_MEMORY && ev.http_status != 0) {
    // libcurl refuses one header line over its own limit (100 KB) before our callback sees it, as "out of memory".
    ev.outcome = EwsEvidence::Outcome::bad_reply;
    ev.error = "a header line of the answer is larger than libcurl accepts";
  } else if (rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    ev.outcome = EwsEvidence::Outcome::bad_reply;
    ev.error = error;
  } else {
    ev.outcome = EwsEvidence::Outcome::no_answer;
    ev.error = st.stopped ? "no complete HTTP answer before the deadline" : error;
  }
  std::string offered;
  for (const auto& s : ev.schemes) offered += (offered.empty() ? "" : ", ") + s;
  const bool good = ev.outcome == EwsEvidence::Outcome::challenged;
  // The offered schemes are the server's capabilities; "auth" stays the step of a login, which EWS never gets here.
  out.checks.push_back(make_check(spec, "capabilities", good ? CheckStatus::pass : CheckStatus::fail, ms_since(start),
                                  good ? "sign-in offered: " + offered
                                  : ev.outcome == EwsEvidence::Outcome::answered ? "HTTP " + std::to_string(ev.http_status) + " without a sign-in request"
                                                                                 : ev.error));
  return out;
}

}  // namespace maildoctor::probe

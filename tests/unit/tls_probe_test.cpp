#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "probe/probe.hpp"
#include "loopback_server.hpp"

using namespace maildoctor;

// A TLS IMAP server in a thread, with certificates made here: shows that a bad certificate ends the handshake
// before any credential leaves, while the certificate report is still complete.
namespace {
const std::string kCanary = "Canary-Pw-tls-51c3";

struct Pki {
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* leaf_key = EVP_EC_gen("P-256");
  X509* ca = X509_new();
  X509* leaf = X509_new();
  std::string ca_file;
  ~Pki() {
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    if (!ca_file.empty()) std::remove(ca_file.c_str());
  }
};

void ext(X509* c, X509* issuer, int nid, const char* v) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, c, nullptr, nullptr, 0);
  X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, v);
  X509_add_ext(c, e, -1);
  X509_EXTENSION_free(e);
}

void fill(X509* c, EVP_PKEY* key, const char* cn, long from_days, long to_days, X509* issuer, EVP_PKEY* issuer_key, const char* san) {
  static long serial = 100;
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
  X509_gmtime_adj(X509_getm_notBefore(c), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(c), to_days * 86400);
  X509_set_pubkey(c, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c, X509_get_subject_name(issuer ? issuer : c));
  if (!issuer) ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
  if (san) ext(c, issuer ? issuer : c, NID_subject_alt_name, san);
  X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256());
}

// leaf_kind: "good" (CA-issued for 127.0.0.1), "self" (self-signed), "expired", "other" (names another host).
void make_pki(Pki& p, const std::string& leaf_kind) {
  fill(p.ca, p.ca_key, "Loopback Test CA", -10, 100, nullptr, nullptr, nullptr);
  if (leaf_kind == "self") fill(p.leaf, p.leaf_key, "127.0.0.1", -1, 30, nullptr, nullptr, "IP:127.0.0.1");
  else if (leaf_kind == "expired") fill(p.leaf, p.leaf_key, "127.0.0.1", -30, -2, p.ca, p.ca_key, "IP:127.0.0.1");
  else if (leaf_kind == "other") fill(p.leaf, p.leaf_key, "other.example.test", -1, 30, p.ca, p.ca_key, "DNS:other.example.test");
  else fill(p.leaf, p.leaf_key, "127.0.0.1", -1, 30, p.ca, p.ca_key, "IP:127.0.0.1");
  char name[] = "/tmp/maildoctor-ca-XXXXXX";
  int fd = mkstemp(name);
  FILE* f = fdopen(fd, "w");
  PEM_write_X509(f, p.ca);
  fclose(f);
  p.ca_file = name;
}

class TlsImapServer {
 public:
  explicit TlsImapServer(Pki& pki) : ctx_(SSL_CTX_new(TLS_server_method())), server_([this](int fd) { accept_tls(fd); }) {
    SSL_CTX_use_certificate(ctx_, pki.leaf);
    SSL_CTX_use_PrivateKey(ctx_, pki.leaf_key);
  }
  ~TlsImapServer() {
    server_.stop();  // its thread uses ctx_
    SSL_CTX_free(ctx_);
  }
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }
  std::string received() { return server_.received(); }

 private:
  void accept_tls(int c) {
    timeval tv{0, 200000};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) session(ssl);
    SSL_free(ssl);
  }
  void session(SSL* ssl) {
    const std::string greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n";
    SSL_write(ssl, greeting.data(), static_cast<int>(greeting.size()));
    testing::LineSplitter lines;
    while (!server_.stopping()) {
      char tmp[2048];
      int n = SSL_read(ssl, tmp, sizeof tmp);
      if (n <= 0) {
        if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ || errno == EAGAIN) continue;
        return;
      }
      server_.record(tmp, static_cast<std::size_t>(n));
      lines.feed(tmp, static_cast<std::size_t>(n), [&](const std::string& line) {
        std::string tag = line.substr(0, line.find(' '));
        std::string answer;
        if (line.find("CAPABILITY") != std::string::npos) answer = "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n";
        else if (line.find("AUTHENTICATE") != std::string::npos) {
          auth_tag_ = tag;
          answer = "+ \r\n";
        } else if (line.find("LOGOUT") != std::string::npos) answer = "* BYE\r\n" + tag + " OK bye\r\n";
        else if (line.find("EXAMINE") != std::string::npos) answer = "* 2 EXISTS\r\n" + tag + " OK [READ-ONLY] done\r\n";
        else answer = auth_tag_ + " OK logged in\r\n";
        SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
        return true;
      });
    }
  }

  SSL_CTX* ctx_ = nullptr;
  std::string auth_tag_ = "A002";
  testing::LoopbackServer server_;  // last: its thread starts once ctx_ exists
};

probe::ProbeOutput probe_tls(std::uint16_t port, const std::string& cacert, bool with_password, const std::string& host = "127.0.0.1") {
  probe::ProbeSpec s;
  s.endpoint.protocol = Protocol::imap;
  s.endpoint.host = host;
  s.endpoint.port = port;
  s.endpoint.security = Security::tls;
  s.endpoint.username = "bob";
  if (with_password) s.endpoint.password = Secret(kCanary);
  s.use_credentials = with_password;
  s.not_attempted_reason = with_password ? "" : "no password given";
  s.cacert = cacert;
  if (host != "127.0.0.1") s.connect_to.push_back({host, port, "127.0.0.1", port});
  s.t0 = probe::Clock::now();
  s.deadline = s.t0 + std::chrono::milliseconds(3000);
  probe::ProbeProgress progress;
  std::atomic<bool> cancel{false};
  return probe::run_probe(s, progress, cancel);
}
}  // namespace

TEST_CASE("a verified TLS connection carries the login and the mailbox check", "[probe][tls]") {
  Pki pki;
  make_pki(pki, "good");
  TlsImapServer server(pki);
  auto out = probe_tls(server.port(), pki.ca_file, true);
  CHECK(out.result.tls.status == TlsEvidence::Status::ok);
  CHECK(out.result.tls.cert.verified);
  CHECK_FALSE(out.result.tls.version.empty());
  CHECK_FALSE(out.result.tls.cipher.empty());
  CHECK(out.result.login.status == LoginEvidence::Status::ok);
  CHECK(out.result.after_login.mailbox.status == "OK");
  CHECK(server.received().find("AUTHENTICATE PLAIN") != std::string::npos);
  for (const auto& l : out.log) CHECK(l.line.find(kCanary) == std::string::npos);
}

TEST_CASE("bad certificates end the handshake before any credential, with a complete report", "[probe][tls]") {
  for (const char* kind : {"self", "expired", "other", "untrusted"}) {
    INFO(kind);
    Pki pki;
    make_pki(pki, std::string(kind) == "untrusted" ? "good" : kind);
    TlsImapServer server(pki);
    const std::string cacert = std::string(kind) == "untrusted" ? "" : pki.ca_file;
    const std::string host = std::string(kind) == "other" ? "mail.example.test" : "127.0.0.1";
    auto out = probe_tls(server.port(), cacert, true, host);
    CHECK(out.result.tls.status == TlsEvidence::Status::failed);
    CHECK(out.result.tls.failure == TlsEvidence::Failure::certificate);
    CHECK(out.result.tls.cert.present);
    CHECK_FALSE(out.result.tls.cert.verified);
    CHECK(out.result.login.status == LoginEvidence::Status::not_attempted);
    CHECK(server.received().empty());
    if (std::string(kind) == "self") CHECK(out.result.tls.cert.self_signed);
    if (std::string(kind) == "expired") CHECK(out.result.tls.cert.expired);
    if (std::string(kind) == "other") {
      CHECK(out.result.tls.cert.hostname_mismatch);
      REQUIRE_FALSE(out.result.tls.cert.chain.empty());
      CHECK(out.result.tls.cert.chain[0].names == std::vector<std::string>{"other.example.test"});
    }
    if (std::string(kind) == "untrusted") CHECK(out.result.tls.cert.untrusted);
  }
}

TEST_CASE("without credentials the probe looks past a bad certificate to the greeting", "[probe][tls]") {
  Pki pki;
  make_pki(pki, "self");
  TlsImapServer server(pki);
  auto out = probe_tls(server.port(), pki.ca_file, false);
  CHECK(out.result.tls.failure == TlsEvidence::Failure::certificate);
  CHECK(out.result.tls.cert.self_signed);
  CHECK(out.result.greeting.status == GreetingEvidence::Status::ok);
  CHECK(out.result.caps.sasl_mechanisms == std::vector<std::string>{"PLAIN"});
  CHECK(server.received().find("AUTHENTICATE") == std::string::npos);
}

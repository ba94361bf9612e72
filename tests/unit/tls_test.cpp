#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>

#include "tls/cert_analysis.hpp"

using namespace maildoctor;

// Certificates are made here with OpenSSL's API so that each fault is exactly the one under test.
namespace {
struct Key {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  ~Key() { EVP_PKEY_free(k); }
};
struct Cert {
  X509* x = X509_new();
  ~Cert() { X509_free(x); }
};

constexpr long kDay = 24 * 3600;

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Issues a certificate for cn with the given SANs, valid from now+from_days to now+to_days. issuer null: self-signed.
void make(Cert& c, Key& key, const std::string& cn, const char* san, bool ca, long from_days, long to_days, Cert* issuer,
          Key* issuer_key, int pathlen = -1) {
  static long serial = 1;
  X509_set_version(c.x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(c.x), from_days * kDay);
  X509_gmtime_adj(X509_getm_notAfter(c.x), to_days * kDay);
  X509_set_pubkey(c.x, key.k);
  X509_NAME* name = X509_get_subject_name(c.x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* iss = issuer ? issuer->x : c.x;
  X509_set_issuer_name(c.x, X509_get_subject_name(iss));
  if (ca) {
    std::string bc = pathlen >= 0 ? "critical,CA:TRUE,pathlen:" + std::to_string(pathlen) : "critical,CA:TRUE";
    add_ext(c.x, iss, NID_basic_constraints, bc.c_str());
    add_ext(c.x, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(c.x, iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c.x, iss, NID_ext_key_usage, "serverAuth");
  }
  if (san) add_ext(c.x, iss, NID_subject_alt_name, san);
  REQUIRE(X509_sign(c.x, issuer_key ? issuer_key->k : key.k, EVP_sha256()) > 0);
}

struct Pki {
  Key root_key, inter_key, leaf_key;
  Cert root, inter;
  X509_STORE* store = X509_STORE_new();
  Pki() {
    make(root, root_key, "Test Root", nullptr, true, -10, 3650, nullptr, nullptr);
    make(inter, inter_key, "Test Intermediate", nullptr, true, -10, 3650, &root, &root_key, 0);
    X509_STORE_add_cert(store, root.x);
  }
  ~Pki() { X509_STORE_free(store); }
  CertReport check(X509* leaf, bool send_intermediate, const std::string& host) {
    STACK_OF(X509)* sent = sk_X509_new_null();
    sk_X509_push(sent, leaf);
    if (send_intermediate) sk_X509_push(sent, inter.x);
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    if (send_intermediate) sk_X509_push(untrusted, inter.x);
    auto errors = tls::verify_all_errors(store, leaf, untrusted);
    auto report = tls::analyse_chain(sent, errors, host, std::time(nullptr));
    sk_X509_free(untrusted);
    sk_X509_free(sent);
    return report;
  }
};
}  // namespace

TEST_CASE("a good chain for the host verifies", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "mail.example.test", "DNS:mail.example.test,DNS:imap.example.test", false, -1, 90, &pki.inter, &pki.inter_key);
  auto r = pki.check(leaf.x, true, "imap.example.test");
  CHECK(r.present);
  CHECK(r.verified);
  CHECK_FALSE(r.expired);
  CHECK_FALSE(r.hostname_mismatch);
  CHECK_FALSE(r.untrusted);
  CHECK_FALSE(r.self_signed);
  CHECK(r.verify_error == 0);
  CHECK((r.days_left >= 89 && r.days_left <= 90));
  REQUIRE(r.chain.size() == 2);
  CHECK(r.chain[0].names == std::vector<std::string>{"mail.example.test", "imap.example.test"});
  CHECK(r.chain[0].subject == "CN=mail.example.test");
  CHECK(r.chain[1].subject == "CN=Test Intermediate");
  CHECK(r.chain[0].not_after.size() == 20);
}

TEST_CASE("an expired leaf", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "mail.example.test", "DNS:mail.example.test", false, -100, -3, &pki.inter, &pki.inter_key);
  auto r = pki.check(leaf.x, true, "mail.example.test");
  CHECK(r.expired);
  CHECK_FALSE(r.verified);
  CHECK(r.verify_error == X509_V_ERR_CERT_HAS_EXPIRED);
  CHECK(r.days_left <= -2);
  CHECK_FALSE(r.hostname_mismatch);
}

TEST_CASE("a leaf that is not yet valid", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "mail.example.test", "DNS:mail.example.test", false, 5, 100, &pki.inter, &pki.inter_key);
  auto r = pki.check(leaf.x, true, "mail.example.test");
  CHECK(r.not_yet_valid);
  CHECK_FALSE(r.expired);
  CHECK_FALSE(r.verified);
}

TEST_CASE("a self-signed leaf", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "mail.example.test", "DNS:mail.example.test", false, -1, 30, nullptr, nullptr);
  auto r = pki.check(leaf.x, false, "mail.example.test");
  CHECK(r.self_signed);
  CHECK_FALSE(r.untrusted);
  CHECK_FALSE(r.verified);
  CHECK(r.verify_error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  CHECK(r.chain[0].self_signed);
}

TEST_CASE("a leaf for another host names the host it holds", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "other.example.test", "DNS:other.example.test,DNS:*.other.example.test", false, -1, 30, &pki.inter, &pki.inter_key);
  auto r = pki.check(leaf.x, true, "mail.example.test");
  CHECK(r.hostname_mismatch);
  CHECK_FALSE(r.verified);
  CHECK_FALSE(r.untrusted);
  CHECK(r.chain[0].names == std::vector<std::string>{"other.example.test", "*.other.example.test"});
  CHECK(pki.check(leaf.x, true, "x.other.example.test").verified);
}

TEST_CASE("a chain sent without its intermediate is untrusted", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "mail.example.test", "DNS:mail.example.test", false, -1, 30, &pki.inter, &pki.inter_key);
  auto r = pki.check(leaf.x, false, "mail.example.test");
  CHECK(r.untrusted);
  CHECK_FALSE(r.self_signed);
  CHECK_FALSE(r.verified);
  CHECK(r.chain.size() == 1);
}

TEST_CASE("IP literals are checked against IP subjectAltNames; a CN is used only without SANs", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "ignored", "IP:127.0.0.2", false, -1, 30, &pki.inter, &pki.inter_key);
  CHECK(pki.check(leaf.x, true, "127.0.0.2").verified);
  CHECK(pki.check(leaf.x, true, "127.0.0.3").hostname_mismatch);
  CHECK(tls::certificate_names(leaf.x) == std::vector<std::string>{"127.0.0.2"});
  Key k2;
  Cert cn_only;
  make(cn_only, k2, "legacy.example.test", nullptr, false, -1, 30, &pki.inter, &pki.inter_key);
  CHECK(tls::certificate_names(cn_only.x) == std::vector<std::string>{"legacy.example.test"});
}

namespace {
std::time_t not_after_of(X509* cert) {
  std::tm tm{};
  REQUIRE(ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1);
  return timegm(&tm);
}
}  // namespace

TEST_CASE("the 14-day expiry edge: 13 and 14 days warn, 15 days and a second over 14 do not", "[tls]") {
  Pki pki;
  Key k;
  Cert leaf;
  make(leaf, k, "mail.example.test", "DNS:mail.example.test", false, -1, 60, &pki.inter, &pki.inter_key);
  STACK_OF(X509)* sent = sk_X509_new_null();
  sk_X509_push(sent, leaf.x);
  sk_X509_push(sent, pki.inter.x);
  const std::time_t end = not_after_of(leaf.x);
  auto at = [&](std::time_t now) { return tls::analyse_chain(sent, {}, "mail.example.test", now); };

  auto d13 = at(end - 13 * kDay);
  CHECK(d13.expires_soon);
  CHECK(d13.days_left == 13);
  auto d14 = at(end - 14 * kDay);
  CHECK(d14.expires_soon);
  CHECK(d14.days_left == 14);
  auto over14 = at(end - 14 * kDay - 1);
  CHECK_FALSE(over14.expires_soon);
  CHECK(over14.days_left == 14);
  auto d15 = at(end - 15 * kDay);
  CHECK_FALSE(d15.expires_soon);
  CHECK(d15.days_left == 15);
  auto last_second = at(end - 1);
  CHECK(last_second.expires_soon);
  CHECK(last_second.days_left == 0);
  auto ended = at(end + 1);
  CHECK(ended.expired);
  CHECK_FALSE(ended.expires_soon);
  sk_X509_free(sent);
}

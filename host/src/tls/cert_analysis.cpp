#include "tls/cert_analysis.hpp"

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>

namespace maildoctor::tls {

namespace {
constexpr std::size_t kMaxNames = 100;  // a certificate may hold thousands of SANs; keep the evidence small

std::string name_to_string(const X509_NAME* name) {
  if (!name) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (!bio) return {};
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data ? data : "", len > 0 ? static_cast<std::size_t>(len) : 0);
  BIO_free(bio);
  if (out.size() > 1024) out.resize(1024);
  return out;
}

std::string asn1_string(const ASN1_STRING* s) {
  if (!s) return {};
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string ip_to_string(const ASN1_OCTET_STRING* ip) {
  const unsigned char* d = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  char buf[64];
  if (len == 4) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
    return buf;
  }
  if (len == 16) {
    std::string out;
    for (int i = 0; i < 16; i += 2) {
      std::snprintf(buf, sizeof buf, "%x", (d[i] << 8) | d[i + 1]);
      if (!out.empty()) out += ':';
      out += buf;
    }
    return out;
  }
  return {};
}

bool is_ip_literal(const std::string& host) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
  if (!ip) return false;
  ASN1_OCTET_STRING_free(ip);
  return true;
}

bool is_untrusted_error(int e) {
  switch (e) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_PURPOSE:
      return true;
    default:
      return false;
  }
}

thread_local std::vector<int>* t_errors = nullptr;

int record_error(int ok, X509_STORE_CTX* ctx) {
  if (!ok && t_errors) {
    int e = X509_STORE_CTX_get_error(ctx);
    if (t_errors->size() < 32 && std::find(t_errors->begin(), t_errors->end(), e) == t_errors->end()) t_errors->push_back(e);
  }
  return 1;  // carry on: every problem of the chain is wanted, not only the first
}
}  // namespace

std::string iso_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans) && names.size() < kMaxNames; ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type == GEN_DNS) names.push_back(asn1_string(gn->d.dNSName));
      else if (gn->type == GEN_IPADD) names.push_back(ip_to_string(gn->d.iPAddress));
    }
    GENERAL_NAMES_free(sans);
  }
  if (names.empty()) {
    const X509_NAME* subject = X509_get_subject_name(cert);
    int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (idx >= 0) names.push_back(asn1_string(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx))));
  }
  names.erase(std::remove(names.begin(), names.end(), std::string()), names.end());
  return names;
}

bool names_host(X509* cert, const std::string& host) {
  if (host.empty()) return false;
  if (is_ip_literal(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  return X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
}

bool is_self_signed(X509* cert) { return X509_check_issued(cert, cert) == X509_V_OK; }

CertInfo describe_certificate(X509* cert) {
  CertInfo c;
  c.subject = name_to_string(X509_get_subject_name(cert));
  c.issuer = name_to_string(X509_get_issuer_name(cert));
  c.names = certificate_names(cert);
  c.not_before = iso_time(X509_get0_notBefore(cert));
  c.not_after = iso_time(X509_get0_notAfter(cert));
  c.self_signed = is_self_signed(cert);
  c.sha256 = sha256_fingerprint(cert);
  return c;
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

CertReport analyse_chain(STACK_OF(X509) * sent, const std::vector<int>& verify_errors, const std::string& host, std::time_t now,
                         const std::string& override_sha256) {
  CertReport r;
  if (!sent || sk_X509_num(sent) == 0) return r;
  r.present = true;
  for (int i = 0; i < sk_X509_num(sent) && i < 16; ++i) r.chain.push_back(describe_certificate(sk_X509_value(sent, i)));
  X509* leaf = sk_X509_value(sent, 0);

  std::time_t t = now;
  // The dates are read directly too: verification reports only what it reached.
  if (X509_cmp_time(X509_get0_notAfter(leaf), &t) < 0) r.expired = true;
  if (X509_cmp_time(X509_get0_notBefore(leaf), &t) > 0) r.not_yet_valid = true;
  ASN1_TIME* now_asn1 = ASN1_TIME_set(nullptr, now);
  int days = 0, secs = 0;
  if (now_asn1 && ASN1_TIME_diff(&days, &secs, now_asn1, X509_get0_notAfter(leaf)) == 1) {
    r.days_left = days;
    const long left = static_cast<long>(days) * 86400L + secs;
    r.expires_soon = left > 0 && left <= kExpiresSoonSeconds;
  }
  ASN1_TIME_free(now_asn1);

  r.self_signed = is_self_signed(leaf);
  r.hostname_mismatch = !names_host(leaf, host);
  for (int e : verify_errors) {
    if (e == X509_V_ERR_CERT_HAS_EXPIRED) r.expired = true;
    else if (e == X509_V_ERR_CERT_NOT_YET_VALID) r.not_yet_valid = true;
    else if (e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) r.self_signed = true;
    else if (e == X509_V_ERR_HOSTNAME_MISMATCH || e == X509_V_ERR_IP_ADDRESS_MISMATCH) r.hostname_mismatch = true;
    else if (is_untrusted_error(e)) r.untrusted = true;
  }
  // A self-signed leaf that the trust store does not hold is untrusted for that very reason; say self-signed.
  if (r.self_signed) r.untrusted = false;
  if (!verify_errors.empty()) {
    r.verify_error = verify_errors.front();
    r.verify_error_text = X509_verify_cert_error_string(r.verify_error);
  }
  r.verified = verify_errors.empty() && !r.expired && !r.not_yet_valid && !r.hostname_mismatch;
  if (!override_sha256.empty()) {
    r.override_given = true;
    std::string leaf_hex;
    for (char ch : r.chain.front().sha256)
      if (ch != ':') leaf_hex += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.override_matched = !leaf_hex.empty() && leaf_hex == override_sha256;
  }
  return r;
}

std::vector<int> verify_store_ctx(X509_STORE_CTX* ctx) {
  std::vector<int> errors;
  t_errors = &errors;
  X509_STORE_CTX_set_verify_cb(ctx, record_error);
  int ok = X509_verify_cert(ctx);
  t_errors = nullptr;
  if (ok != 1 && errors.empty()) {
    int e = X509_STORE_CTX_get_error(ctx);
    errors.push_back(e != X509_V_OK ? e : X509_V_ERR_UNSPECIFIED);
  }
  return errors;
}

CertReport analyse_store_ctx(X509_STORE_CTX* ctx, const std::string& host, std::time_t now,
                             const std::string& override_sha256) {
  std::vector<int> errors = verify_store_ctx(ctx);
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(ctx);
  STACK_OF(X509)* chain = sk_X509_new_null();
  if (X509* leaf = X509_STORE_CTX_get0_cert(ctx)) sk_X509_push(chain, leaf);
  for (int i = 0; sent && i < sk_X509_num(sent); ++i)
    if (sk_X509_value(sent, i) != X509_STORE_CTX_get0_cert(ctx)) sk_X509_push(chain, sk_X509_value(sent, i));
  CertReport r = analyse_chain(chain, errors, host, now, override_sha256);
  sk_X509_free(chain);
  return r;
}

std::vector<int> verify_all_errors(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted, std::time_t at_time) {
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted) != 1) return {X509_V_ERR_UNSPECIFIED};
  if (at_time != 0) X509_STORE_CTX_set_time(ctx.get(), 0, at_time);
  return verify_store_ctx(ctx.get());
}

}  // namespace maildoctor::tls

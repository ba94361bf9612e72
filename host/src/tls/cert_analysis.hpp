#pragma once
// Pure certificate analysis over OpenSSL objects: what the server's chain says, independent of how it was obtained.
#include <ctime>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "maildoctor/evidence.hpp"

namespace maildoctor::tls {

// "2026-11-25T12:00:00Z"; empty when the time cannot be read.
std::string iso_time(const ASN1_TIME* t);

// DNS and IP subjectAltNames; the subject CN only when there are none (as RFC 6125 clients do).
std::vector<std::string> certificate_names(X509* cert);

// Whether the certificate is valid for host (a DNS name, or an IPv4/IPv6 literal checked against IP SANs).
bool names_host(X509* cert, const std::string& host);

// Issued by its own subject with a signature its own key verifies.
bool is_self_signed(X509* cert);

CertInfo describe_certificate(X509* cert);

// The whole report for a chain as the server sent it (leaf first), the X509_V_ERR_* codes verification recorded
// (all of them, in the order met), and the host the user configured. `now` decides the validity dates.
// override_sha256: Thunderbird's exception for this host:port (64 lower-case hex digits), or empty.
CertReport analyse_chain(STACK_OF(X509) * sent, const std::vector<int>& verify_errors, const std::string& host,
                         std::time_t now, const std::string& override_sha256 = {});

// SHA-256 over the DER as "AB:CD:..." (Thunderbird's form); empty when it cannot be computed.
std::string sha256_fingerprint(X509* cert);

// Runs OpenSSL's chain verification of leaf (+ untrusted intermediates) against store, recording every error
// instead of stopping at the first. at_time: 0 means now.
std::vector<int> verify_all_errors(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted, std::time_t at_time = 0);

// For the TLS verify callback: the same verification on a context OpenSSL already prepared.
std::vector<int> verify_store_ctx(X509_STORE_CTX* ctx);

// For a TLS verify callback: verifies the context OpenSSL prepared, recording every error, and analyses the chain as
// the server sent it (leaf first) for host. Leaves the context's verdict to the caller.
CertReport analyse_store_ctx(X509_STORE_CTX* ctx, const std::string& host, std::time_t now,
                             const std::string& override_sha256 = {});

}  // namespace maildoctor::tls

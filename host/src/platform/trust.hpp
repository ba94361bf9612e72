#pragma once
// Which certificate authorities a TLS connection trusts.
#include <string>

#include <curl/curl.h>

namespace maildoctor::platform {

// `cacert` (a PEM bundle, --cacert) when given; otherwise the OS's own trust store: OpenSSL's default paths on
// POSIX, Windows' certificate store on Windows (libcurl's OpenSSL build has no CA bundle there).
void use_trust_anchors(CURL* easy, const std::string& cacert);

}  // namespace maildoctor::platform

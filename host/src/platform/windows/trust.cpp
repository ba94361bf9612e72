#include "platform/trust.hpp"

namespace maildoctor::platform {

void use_trust_anchors(CURL* easy, const std::string& cacert) {
  if (!cacert.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, cacert.c_str());
    return;
  }
  // libcurl's OpenSSL build for Windows has no CA bundle; it loads the "ROOT" certificate store of Windows into
  // OpenSSL's store instead, so certificate checks (and our own verify callback) see what the user's system trusts.
  curl_easy_setopt(easy, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_NATIVE_CA));
}

}  // namespace maildoctor::platform

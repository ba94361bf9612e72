#include "platform/trust.hpp"

namespace maildoctor::platform {

void use_trust_anchors(CURL* easy, const std::string& cacert) {
  // Without --cacert, libcurl's built-in default (Debian's bundle) applies.
  if (!cacert.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, cacert.c_str());
}

}  // namespace maildoctor::platform

#pragma once
#include <string>
#include <vector>

#include "maildoctor/evidence.hpp"
#include "maildoctor/kb.hpp"

// Products on this computer that intercept TLS to scan mail (antivirus "mail shields"): they present a chain of
// their own CA, which Thunderbird does not trust unless the user imported it (host/data/interceptors/<id>.json,
// schema in docs/KNOWLEDGE.md), embedded into the binary like the provider files.
namespace maildoctor::kb {

struct Interceptor {
  std::string id;
  std::string product;                  // shown to the user: "Avast Mail Shield"
  std::vector<std::string> names;       // lower case; found in an issuer name, or in a CA certificate's subject
  std::string switch_off;               // where the user switches the mail scanning off
  std::vector<Source> sources;
  std::string file;
};

// Every embedded product that parsed, in file-name order, and what went wrong with the rest.
const std::vector<Interceptor>& interceptors();
const std::vector<LoadProblem>& interceptor_problems();

// Strict checks for CI: ids named as their files, at least one name, https sources for both facts.
std::vector<LoadProblem> validate_interceptors(const std::vector<Interceptor>& all);

// The product whose CA issued this chain: an issuer of any certificate, or the subject of a CA certificate sent
// along (never the leaf's own subject: a vendor's own mail server may carry its company name). Null when none.
const Interceptor* intercepting_product(const CertReport& cert, const std::vector<Interceptor>& among = interceptors());

}  // namespace maildoctor::kb

#include "diagnose/clock_evidence.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <regex>

#include "kb/text.hpp"
#include "maildoctor/civil_date.hpp"

namespace maildoctor::diagnose {
namespace {
std::time_t civil(int y, int mo, int d, int h, int mi, int s) {
  return static_cast<std::time_t>(day_number(y, mo, d) * 86400L + h * 3600L + mi * 60L + s);
}

struct Leaf {
  std::time_t not_before, not_after;
  std::string host;
};

// offset must be > now - not_after (else still expired) and <= now - not_before (else not yet valid).
long low_bound(const Leaf& l, std::time_t now) { return static_cast<long>(now - l.not_after); }
long high_bound(const Leaf& l, std::time_t now) { return static_cast<long>(now - l.not_before); }
bool in_window(const Leaf& l, std::time_t t) { return t >= l.not_before && t <= l.not_after; }
}  // namespace

std::optional<std::time_t> parse_iso_utc(const std::string& text) {
  int y, mo, d, h, mi, s;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 || z != 'Z') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return civil(y, mo, d, h, mi, s);
}

std::optional<std::time_t> date_in_text(const std::string& text) {
  static const std::regex date(
      R"((?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(?:([+-])(\d{2})(\d{2})|(UT|UTC|GMT)\b))",
      std::regex::icase);
  std::smatch m;
  const std::string head = text.substr(0, 512);
  if (!std::regex_search(head, m, date)) return std::nullopt;
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  int mo = 0;
  for (int i = 0; i < 12; ++i)
    if (kb::lower(m[2].str()) == months[i]) mo = i + 1;
  const int d = std::stoi(m[1].str()), y = std::stoi(m[3].str()), h = std::stoi(m[4].str()), mi = std::stoi(m[5].str());
  const int s = m[6].matched ? std::stoi(m[6].str()) : 0;
  if (mo == 0 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970) return std::nullopt;
  long zone = 0;
  if (m[7].matched) zone = (std::stol(m[8].str()) * 3600L + std::stol(m[9].str()) * 60L) * (m[7].str() == "-" ? -1 : 1);
  return civil(y, mo, d, h, mi, s) - zone;
}

bool ClockSkew::explains(const CertInfo& leaf, std::time_t now) const {
  const auto nb = parse_iso_utc(leaf.not_before), na = parse_iso_utc(leaf.not_after);
  if (!nb || !na) return false;
  const Leaf l{*nb, *na, {}};
  // Explained when some offset the evidence allows puts the certificate inside its window.
  return std::max(offset_min, low_bound(l, now)) <= std::min(offset_max, high_bound(l, now));
}

std::optional<ClockSkew> clock_skew(const Evidence& evidence, std::time_t now) {
  std::map<std::string, Leaf> leaves;  // by fingerprint: the same certificate on two ports is one witness
  struct Dated {
    long offset;
    std::string host;
  };
  std::vector<Dated> dates;
  auto collect = [&](const ProbeResult& p) {
    const CertReport& c = p.tls.cert;
    if (c.present && !c.chain.empty()) {
      const CertInfo& leaf = c.chain.front();
      const auto nb = parse_iso_utc(leaf.not_before), na = parse_iso_utc(leaf.not_after);
      if (nb && na && *nb <= *na) leaves.emplace(leaf.sha256.empty() ? leaf.subject + leaf.not_after : leaf.sha256, Leaf{*nb, *na, p.endpoint.host});
    }
    if (!p.greeting.reply.empty())
      if (const auto t = date_in_text(p.greeting.reply.text())) dates.push_back({static_cast<long>(now - *t), p.endpoint.host});
  };
  for (const auto& p : evidence.primary) collect(p);
  for (const auto& p : evidence.alternatives) collect(p);

  auto hosts_of = [](auto&& items) {
    std::vector<std::string> out;
    for (const auto& i : items)
      if (std::find(out.begin(), out.end(), i.host) == out.end()) out.push_back(i.host);
    return out;
  };
  std::vector<Leaf> all;
  for (const auto& [key, l] : leaves) all.push_back(l);
  // No certificate that is in its window today may leave it on the corrected clock.
  auto keeps_good_ones = [&](long lo, long hi) {
    for (const auto& l : all)
      if (in_window(l, now) && !(std::max(lo, low_bound(l, now)) <= std::min(hi, high_bound(l, now)))) return false;
    return true;
  };

  // Witness 1: a server's date, confirmed by another server's date or by a certificate it explains.
  std::vector<Dated> off;
  for (const auto& d : dates)
    if (std::labs(d.offset) > kClockTolerance) off.push_back(d);
  if (!off.empty()) {
    std::sort(off.begin(), off.end(), [](const Dated& a, const Dated& b) { return a.offset < b.offset; });
    const long measured = off[off.size() / 2].offset;
    bool agree = true;
    for (const auto& d : dates) agree = agree && std::labs(d.offset - measured) <= kClockTolerance;
    const long lo = measured - kClockTolerance, hi = measured + kClockTolerance;
    bool cert_confirms = false;
    for (const auto& l : all)
      cert_confirms = cert_confirms || (!in_window(l, now) && std::max(lo, low_bound(l, now)) <= std::min(hi, high_bound(l, now)));
    if (agree && (hosts_of(off).size() >= 2 || cert_confirms) && keeps_good_ones(lo, hi)) {
      ClockSkew s{lo, hi, measured, {"server_date"}, hosts_of(off)};
      if (cert_confirms) s.basis.push_back("certificates");
      return s;
    }
  }

  // Witness 2: every certificate seen is outside its window, and one shift of the clock fits them all.
  if (all.size() < 2) return std::nullopt;
  long lo = std::numeric_limits<long>::min(), hi = std::numeric_limits<long>::max();
  for (const auto& l : all) {
    if (in_window(l, now)) return std::nullopt;
    lo = std::max(lo, low_bound(l, now));
    hi = std::min(hi, high_bound(l, now));
  }
  if (lo > hi) return std::nullopt;
  return ClockSkew{lo, hi, std::nullopt, {"certificates"}, hosts_of(all)};
}

}  // namespace maildoctor::diagnose

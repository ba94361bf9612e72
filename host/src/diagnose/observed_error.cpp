#include "diagnose/context.hpp"
#include "kb/text.hpp"

namespace maildoctor::diagnose {

// Thunderbird's message often carries the server's own words. When no login ran here (no password given), those
// words are the best evidence of the cause, so the login rules are tried on them.
void observed_error_findings(Context& ctx) {
  const std::string& text = ctx.request.observed_error;
  if (text.empty()) return;
  const ProbeResult* target = nullptr;
  const bool mentions_smtp = kb::contains_nocase(text, "smtp") || kb::contains_nocase(text, "outgoing");
  for (const auto& p : ctx.evidence.primary) {
    if (p.login.status != LoginEvidence::Status::not_attempted) continue;
    if (mentions_smtp ? p.endpoint.subject != Subject::outgoing : p.endpoint.subject == Subject::outgoing) continue;
    if (kb::contains_nocase(text, p.endpoint.host) || !target) target = &p;
  }
  if (!target) {
    for (const auto& p : ctx.evidence.primary)
      if (p.login.status == LoginEvidence::Status::not_attempted) {
        target = &p;
        break;
      }
  }
  if (!target) return;
  Reply r;
  r.lines.push_back(text);
  apply_rules(ctx, *target, "observed", r, kRankAuth, text);
}

}  // namespace maildoctor::diagnose

#include <algorithm>

#include "diagnose/context.hpp"
#include "kb/text.hpp"
#include "maildoctor/discover.hpp"

namespace maildoctor {
namespace diagnose {
namespace {
int subject_order(Subject s) {
  switch (s) {
    case Subject::incoming: return 0;
    case Subject::outgoing: return 1;
    case Subject::account: return 2;
  }
  return 3;
}

int severity_order(Severity s) { return s == Severity::error ? 0 : s == Severity::warning ? 1 : 2; }

void analyse(Context& ctx, const ProbeResult& p) {
  const std::size_t before = ctx.out.size();
  bool reached = network_findings(ctx, p) && tls_findings(ctx, p) && greeting_findings(ctx, p);
  if (reached) login_findings(ctx, p);
  const bool failed = std::any_of(ctx.out.begin() + static_cast<std::ptrdiff_t>(before), ctx.out.end(),
                                  [](const Ranked& r) { return r.finding.severity == Severity::error; });
  if (!reached) alternative_findings(ctx, p);
  provider_settings_finding(ctx, p, failed);
}

// Which data may shape a fix: the provider only when recognised from authenticated data, and host names only as an
// independent trusted source publishes them for this account.
void establish_trust(Context& ctx, const kb::Detection& det) {
  ctx.provider_trusted = det.provider && det.authenticated;
  if (det.provider) ctx.provider_basis = det.by == "mx" ? "the domain's MX record" : det.by == "banner" ? "a greeting sent before encryption" : det.by;
  if (ctx.provider_trusted) {
    for (const auto* list : {&det.provider->incoming, &det.provider->outgoing})
      for (const auto& s : *list) ctx.confirmed_hosts.emplace(kb::lower(s.host), det.provider->name + " (maildoctor's provider knowledge)");
  }
  for (const auto& [host, url] : ctx.evidence.discovery.confirmed_hosts) ctx.confirmed_hosts.emplace(kb::lower(host), url);
}

}  // namespace
}  // namespace diagnose

Result classify(const Request& request, const Evidence& evidence) { return classify(request, evidence, std::time(nullptr)); }

Result classify(const Request& request, const Evidence& evidence, std::time_t now) {
  using namespace diagnose;
  Result result;
  result.checks = evidence.checks;
  result.transcript = evidence.transcript;
  result.elapsed_ms = evidence.elapsed_ms;
  result.discovery = to_json(evidence.discovery);
  result.candidates = candidates_json(evidence.discovery);

  const kb::Detection det = kb::detect_provider(request, evidence);
  if (det.provider) result.provider = ProviderRef{det.provider->id, det.provider->name};

  Context ctx{request, evidence, det.provider, rules::rules(), {}, false, {}, {}, std::nullopt, now};
  establish_trust(ctx, det);
  ctx.now = now;
  ctx.clock = clock_skew(evidence, now);
  clock_findings(ctx);
  for (const auto& p : evidence.primary) analyse(ctx, p);
  ews_findings(ctx);
  missing_server_findings(ctx);
  observed_error_findings(ctx);
  cutoff_findings(ctx, now);
  guard_fixes(ctx);

  std::stable_sort(ctx.out.begin(), ctx.out.end(), [](const Ranked& a, const Ranked& b) {
    if (subject_order(a.finding.subject) != subject_order(b.finding.subject))
      return subject_order(a.finding.subject) < subject_order(b.finding.subject);
    return a.rank < b.rank;
  });
  // Errors lead the list so the first thing a reader sees is the most likely cause; the per-subject order is
  // kept inside each severity.
  std::stable_sort(ctx.out.begin(), ctx.out.end(), [](const Ranked& a, const Ranked& b) {
    return severity_order(a.finding.severity) < severity_order(b.finding.severity);
  });

  // A wrong clock makes sound certificates look bad everywhere: it comes before what it explains.
  std::stable_partition(ctx.out.begin(), ctx.out.end(), [](const Ranked& r) { return r.finding.code == "config.clock_wrong"; });
  // A failing proxy stands in front of every server: it is the first thing to fix, whatever the subject.
  std::stable_partition(ctx.out.begin(), ctx.out.end(), [](const Ranked& r) { return r.finding.code == "net.proxy_failed"; });

  bool error = false, doubt = evidence.primary.empty();
  for (auto& r : ctx.out) {
    error = error || r.finding.severity == Severity::error;
    doubt = doubt || r.finding.severity == Severity::warning || r.finding.code == "auth.not_tested";
    result.findings.push_back(std::move(r.finding));
  }
  result.verdict = error ? "problem" : doubt ? "inconclusive" : "ok";
  return result;
}

}  // namespace maildoctor

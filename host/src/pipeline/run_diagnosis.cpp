#include "maildoctor/diagnosis.hpp"

namespace maildoctor {

Result run_diagnosis(Request request, const RunHooks& hooks) {
  Evidence evidence = gather_evidence(request, hooks);
  Result result = classify(request, evidence);
  // The classifier decides the findings; what was observed is passed through as it was gathered.
  if (result.checks.empty()) result.checks = evidence.checks;
  if (result.transcript.empty()) result.transcript = evidence.transcript;
  if (result.elapsed_ms == 0) result.elapsed_ms = evidence.elapsed_ms;
  return result;
}

}  // namespace maildoctor

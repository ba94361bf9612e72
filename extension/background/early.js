/* Early warnings: what the quiet daily check finds before an account breaks (a provider's announced cut-off, a
 * certificate about to expire). The quiet check never logs in: no password, options.login false. */

import { buildRequest } from "./request.js";

/** The host's findings (severity "warning") that announce a failure ahead (CONTRACT section 3). */
export const EARLY_WARNING_CODES = ["config.cutoff_ahead", "tls.cert_expires_soon"];
export const QUIET_CHECK_INTERVAL_MS = 24 * 3600 * 1000;

/** The early warnings among a result's findings. auth.not_tested (info) and anything else are not early warnings. */
export function earlyWarningsIn(findings) {
  return (Array.isArray(findings) ? findings : []).filter((f) => f?.severity === "warning" && EARLY_WARNING_CODES.includes(f.code));
}

/** One warning's identity: its code and the date it names, so a renewed certificate or a new cut-off is new. */
export function warningKey(finding) {
  const p = finding?.params ?? {};
  const date = p.date ?? p.not_after ?? "";
  return `${finding?.code ?? ""}|${finding?.subject ?? ""}|${p.cutoff ?? ""}|${date}`;
}

/** The request of the quiet check: the account's servers, no password, no login, no alternatives. */
export function quietRequest(settings) {
  const built = buildRequest(settings, { scope: "account", passwords: {} });
  if (!built.ok) return built;
  built.request.options.login = false;
  built.request.options.alternatives = false;
  return built;
}

/** The quiet check runs once after every start-up, and otherwise when the last run is a day old (or unknown). */
export function quietCheckDue(lastRunAt, now, { startup = false } = {}) {
  if (startup) return true;
  if (typeof lastRunAt !== "number" || !Number.isFinite(lastRunAt)) return true;
  // A clock set back leaves lastRunAt in the future: run rather than wait for that day to come again.
  return now - lastRunAt >= QUIET_CHECK_INTERVAL_MS || lastRunAt > now;
}

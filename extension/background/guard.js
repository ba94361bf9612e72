/* The retry guard: after the server refused the account's credentials, Thunderbird's own periodic checks would
 * send the refused password again and again, and servers that count failures lock the account or ban the address.
 * Only the decision lives here; the experiment switches the checks off and on. */

/** Findings that say the server refused these credentials and will refuse them again (codes.cpp, CONTRACT). */
export const CREDENTIAL_CODES = new Set([
  "auth.wrong_password", "auth.app_password_required", "auth.oauth_required", "auth.web_login_required",
  "auth.account_locked",
]);

/** The finding that makes pausing right, or null. Only the incoming server has automatic checks to pause. */
export function credentialFinding(result) {
  const findings = Array.isArray(result?.findings) ? result.findings : [];
  // An EWS server's offered sign-in methods are read without a login (CONTRACT section 1): nothing was refused there.
  return findings.find((f) => f?.severity === "error" && f?.subject === "incoming" && CREDENTIAL_CODES.has(f.code) &&
                              f?.params?.protocol !== "ews") ?? null;
}

/** True when some login to the incoming server in this result was accepted: such an account is never paused. */
export function incomingLoginWorked(result) {
  return (result?.checks ?? []).some((c) => c?.subject === "incoming" && c?.step === "auth" && c?.status === "pass");
}

/**
 * What to do with the account's automatic checks after a diagnosis: "pause", "resume" or null (leave them).
 * entry: the stored state after the diagnosis (paused: {at, code} while paused); options: resolved options.
 */
export function guardDecision(entry, options) {
  const result = entry?.result;
  if (!result || entry?.error) return null;
  const working = result.verdict === "ok" || incomingLoginWorked(result);
  if (entry.paused) return working ? "resume" : null;
  if (working || options?.pauseOnRefusal === false) return null;
  return credentialFinding(result) ? "pause" : null;
}

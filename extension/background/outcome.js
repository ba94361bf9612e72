/* Reading a diagnosis result for what the add-on decides on: did a login with this password happen and how did it
 * end, and is a result after a change better than the one before. */

import { statusOf } from "./state.js";

/* Codes that mean the server received the credentials and said no. tls_required and mechanism_unsupported are
 * not here: with those the password never left the client. */
export const REFUSAL_CODES = new Set([
  "auth.wrong_password", "auth.app_password_required", "auth.oauth_required", "auth.protocol_disabled",
  "auth.web_login_required", "auth.account_locked", "auth.username_format", "auth.rate_limited",
  "auth.tenant_disabled", "auth.failed", "auth.password_expired",
]);

/** "accepted" | "refused" | "not_tried" for the login of one subject in a result. */
export function loginOutcome(result, subject) {
  const auth = (result?.checks ?? []).filter((c) => c?.subject === subject && c?.step === "auth");
  if (auth.some((c) => c.status === "pass")) return "accepted";
  if (!auth.some((c) => c.status === "fail")) return "not_tried";
  const refused = (result?.findings ?? []).some((f) => f?.subject === subject && f?.severity === "error" && REFUSAL_CODES.has(f.code));
  return refused ? "refused" : "not_tried";
}

const RANK = { ok: 3, inconclusive: 2, consent: 2, problem: 1, error: 0, unchecked: 0, checking: 0 };

function passedChecks(entry) {
  return (entry?.result?.checks ?? []).filter((c) => c?.status === "pass").length;
}

/** After a change: better when the status improved, or it stayed the same and the check got further. */
export function isBetter(after, before) {
  const a = RANK[statusOf(after)] ?? 0;
  const b = RANK[statusOf(before)] ?? 0;
  if (a !== b) return a > b;
  if (statusOf(after) === "ok") return true;
  return passedChecks(after) > passedChecks(before);
}

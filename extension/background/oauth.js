/* OAuth2 accounts (issue 14 item 4): what the add-on asks Thunderbird's OAuth2 module for, and what it hands the host.
 * The experiment only fetches (MailDoctor.getAccessToken); every decision is here. The refresh token never leaves
 * Thunderbird: only a short-lived access token, or the words of the failed refresh, go into the request. */

export const MAX_TOKEN_LENGTH = 16384; // the host refuses longer access tokens (CONTRACT section 1)
export const MAX_ERROR_LENGTH = 4096;

/** The subjects of a check, within scope, whose server signs in with OAuth2. */
export function oauthSubjects(settings, scope = "account") {
  return ["incoming", "outgoing"].filter(
    (subject) => (scope === "account" || scope === subject) && settings?.[subject]?.host && settings[subject].auth === "oauth2",
  );
}

/**
 * The experiment's reply {accessToken, error} as what the request may carry: {token} or {error} or null.
 * A token with CR, LF or NUL could smuggle a protocol command: it is dropped (the host would refuse it anyway), and
 * nothing of it is kept in the reason.
 */
export function tokenOutcome(reply) {
  const token = reply?.accessToken;
  if (typeof token === "string" && token.length > 0) {
    if (token.length > MAX_TOKEN_LENGTH || /[\r\n\0]/.test(token)) return { error: "Thunderbird returned an access token maildoctor cannot send." };
    return { token };
  }
  const error = reply?.error;
  if (typeof error === "string" && error.trim()) return { error: error.trim().slice(0, MAX_ERROR_LENGTH) };
  return null;
}

/** The host's request to try one token login ("Test the sign-in once?"), by subject: CONTRACT 2.1 test_token. */
export function tokenTestFinding(result) {
  const findings = Array.isArray(result?.findings) ? result.findings : [];
  return findings.find((f) => f?.params?.action === "test_token") ?? null;
}

/** The server an "oauth_signin" fix signs in to again, or null for any other fix. */
export function signInSubject(fix) {
  if (fix?.kind !== "oauth_signin") return null;
  return fix.subject === "incoming" || fix.subject === "outgoing" ? fix.subject : null;
}

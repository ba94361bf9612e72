/* Which fixes the add-on offers and applies at all. The host promises never to send a fix that lowers security;
 * the add-on checks again (defence in depth): a host of another version, or a bug, must not get one click that
 * turns encryption off or sends the password in clear. */

// Authentication methods that put the password itself on the wire.
const CLEARTEXT_AUTH = new Set(["password", "none"]);

/**
 * A change_setting fix that would lower security: connection security to none, or the authentication method to
 * a cleartext password or to none. `current` (the server's settings now, if known) lets a fix that changes
 * nothing through; without it the value alone decides.
 */
export function lowersSecurity(fix, current = null) {
  if (fix?.kind !== "change_setting") return false;
  if (fix.setting === "security") return fix.value !== "tls" && fix.value !== "starttls";
  if (fix.setting === "auth") {
    if (!CLEARTEXT_AUTH.has(fix.value)) return false;
    return !(current && current.auth === fix.value);
  }
  return false;
}

/** Fixes the popup may show for a finding. */
export function offerableFixes(finding) {
  return (finding?.fixes ?? []).filter((fix) => fix && !lowersSecurity(fix));
}

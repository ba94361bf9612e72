/* Undo after Apply. A user who clicked Apply may find out only later that mail stopped working (sending, say),
 * so every Apply keeps the way back for a day, whatever the re-test said: quiet when the re-test was better,
 * prominent when it was not. The way back never lowers security, and it restores only a setting that still
 * holds the value maildoctor set (the user may have changed it by hand since). */

import { lowersSecurity } from "../shared/safety.js";

export const UNDO_WINDOW_MS = 24 * 3600 * 1000;

/**
 * The record kept after `fix` replaced `previous` (the setting's value before, in request terms); null when there
 * is nothing to restore. `blocked` says when the way back would lower security (e.g. encryption off again).
 */
export function undoRecord(fix, previous, { better, at }) {
  if (previous === undefined || previous === null || previous === fix.value) return null;
  const restore = { kind: "change_setting", subject: fix.subject, setting: fix.setting, value: previous };
  const blocked = lowersSecurity(restore, { [fix.setting]: fix.value }) ? "lowers_security" : null;
  return { ...restore, replaced: fix.value, appliedAt: at, better: better === true, blocked };
}

/**
 * Why the undo cannot be done now: "lowers_security", "expired", "changed" (the setting no longer holds the value
 * maildoctor set), or null when it can. `current` is the server's settings now, if known.
 */
export function undoProblem(undo, current, now) {
  if (!undo) return "expired";
  if (undo.blocked || lowersSecurity(undo, current)) return "lowers_security";
  if (!(now - (undo.appliedAt ?? -Infinity) < UNDO_WINDOW_MS)) return "expired";
  if (current && current[undo.setting] !== undo.replaced) return "changed";
  return null;
}

/* Issue 16: the quiet check (no password, no login) and its early warnings: the yellow state, the badge, one
 * notification per new warning, never again for one already shown, and a real problem still winning. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { world } from "./world.mjs";
import { statusOf, shownStatus, earlyWarnings } from "../../extension/background/state.js";
import { quietCheckDue, warningKey, earlyWarningsIn, QUIET_CHECK_INTERVAL_MS } from "../../extension/background/early.js";
import { markerFor, menuTitle } from "../../extension/background/attention.js";
import { translator } from "./helpers.mjs";

const CERT = { code: "tls.cert_expires_soon", severity: "warning", subject: "incoming", title: "The server's certificate expires on 2026-12-15", detail: "d", params: { not_after: "2026-12-15", days_left: 8 } };
const CUTOFF = { code: "config.cutoff_ahead", severity: "warning", subject: "outgoing", title: "Microsoft switches off SMTP AUTH Basic on 2026-12-31", detail: "d", params: { cutoff: "microsoft365-smtp-basic", date: "2026-12-31", provider: "Microsoft 365", breaks: "sending", source: "https://learn.microsoft.com/x" } };
const NOT_TESTED = { code: "auth.not_tested", severity: "info", subject: "incoming", title: "Login not tried" };

/** A host that answers every quiet check with `findings()` (for the account's incoming host) and records them. */
function quietHost(findingsFor) {
  return async (request) => {
    const findings = [NOT_TESTED, ...findingsFor(request.account.incoming?.host ?? "")];
    const checks = [{ subject: "incoming", step: "tls", status: "pass", ms: 3 }, { subject: "incoming", step: "auth", status: "skip", ms: 0 }];
    return { version: 1, verdict: "inconclusive", findings, checks };
  };
}

test("the quiet check sends no password and asks for no login and no alternatives, for every mail account only", async () => {
  const { doctor, calls, savedPasswords } = await world({ options: { autoDiagnose: true, savedPassword: "always" }, respond: quietHost(() => []) });
  const checked = await doctor.quietCheck();
  assert.deepEqual(checked.sort(), ["account1", "account2"], "local folders are skipped");
  assert.equal(calls.requests.length, 2);
  for (const request of calls.requests) {
    assert.equal(request.options.login, false);
    assert.equal(request.options.alternatives, false);
    assert.equal(request.account.incoming.password, undefined);
    assert.equal(request.account.outgoing?.password, undefined);
    assert.ok(!JSON.stringify(request).includes(savedPasswords.incoming));
  }
  assert.deepEqual(calls.passwordReads, [], "not even read from the login manager, whatever the option says");
});

test("an early warning gives the yellow state, a yellow badge and one notification; auth.not_tested is no problem", async () => {
  const { doctor, states, calls } = await world({ respond: quietHost((host) => (host === "mail.example.test" ? [CERT, CUTOFF] : [])) });
  await doctor.quietCheck();
  const work = states.get("account1");
  assert.equal(shownStatus(work), "warning");
  assert.equal(statusOf(work), "unchecked", "the last diagnosis is left as it was");
  assert.deepEqual(earlyWarnings(work).map((f) => f.code), ["tls.cert_expires_soon", "config.cutoff_ahead"]);
  assert.equal(shownStatus(states.get("account2")), "unchecked", "auth.not_tested alone is not shown as anything");
  assert.deepEqual(calls.badges.at(-1), ["1", "#f9a825"]);
  assert.deepEqual(calls.warned, [["account1", "Work", "tls.cert_expires_soon"], ["account1", "Work", "config.cutoff_ahead"]]);
  assert.deepEqual(calls.notifications, [], "no problem notification");
  assert.deepEqual(calls.markers.at(-1), ["account1", "tls.cert_expires_soon"]);
  const t = translator("en");
  assert.equal(markerFor(work, "Work", t).level, "warning");
  assert.match(menuTitle(work, t), /certificate expires/);
});

test("a warning already notified is not notified again: next day, and after a restart (same storage)", async () => {
  const respond = quietHost((host) => (host === "mail.example.test" ? [CERT] : []));
  const first = await world({ respond });
  await first.doctor.quietCheck();
  await first.doctor.quietCheck();
  assert.equal(first.calls.warned.length, 1);
  const restarted = await world({ respond, storage: first.states.storage });
  await restarted.doctor.quietCheck();
  assert.deepEqual(restarted.calls.warned, [], "dismissed or not, a shown warning stays quiet");
  assert.equal(shownStatus(restarted.states.get("account1")), "warning", "while the card still shows it");
  // A renewed certificate that again runs short has another date: that is a new warning.
  const renewed = { ...CERT, params: { not_after: "2027-03-01", days_left: 9 } };
  const later = await world({ respond: quietHost((host) => (host === "mail.example.test" ? [renewed] : [])), storage: first.states.storage });
  await later.doctor.quietCheck();
  assert.deepEqual(later.calls.warned, [["account1", "Work", "tls.cert_expires_soon"]]);
  assert.notEqual(warningKey(CERT), warningKey(renewed));
});

test("the warning goes when the quiet check no longer finds it; a failed quiet check keeps what was known", async () => {
  let findings = [CERT];
  let fail = false;
  const { doctor, states, calls } = await world({
    respond: async (request) => (fail ? { version: 1, verdict: "problem", findings: [{ code: "net.refused", severity: "error", subject: "incoming" }] } : quietHost(() => findings)(request)),
  });
  await doctor.quietCheck();
  assert.equal(shownStatus(states.get("account1")), "warning");
  fail = true;
  await doctor.quietCheck();
  assert.equal(shownStatus(states.get("account1")), "unchecked", "a quiet check that fails has no warning to show");
  assert.equal(statusOf(states.get("account1")), "unchecked", "and does not turn the account red: a real login failure does that");
  fail = false;
  findings = [];
  await doctor.quietCheck();
  assert.equal(shownStatus(states.get("account1")), "unchecked");
  assert.deepEqual(calls.badges.at(-1), ["", "#1565c0"]);
});

test("a later real problem is red and wins over the warning, on the card and on the badge", async () => {
  let quiet = true;
  const { doctor, states, calls } = await world({
    respond: async (request) => (quiet
      ? quietHost(() => [CERT])(request)
      : { version: 1, verdict: "problem", findings: [{ code: "auth.wrong_password", severity: "error", subject: "incoming", title: "Wrong password" }], checks: [] }),
  });
  await doctor.quietCheck();
  assert.deepEqual(calls.badges.at(-1), ["2", "#f9a825"]);
  quiet = false;
  await doctor.diagnose("account1", { trigger: "login-failure" });
  assert.equal(shownStatus(states.get("account1")), "problem");
  assert.deepEqual(calls.badges.at(-1), ["1", "#c62828"], "one red problem; the other account's warning waits behind it");
  assert.equal(earlyWarnings(states.get("account1")).length, 1, "the warning is still known, below the problem");
});

test("a full diagnosis that reports an early warning shows it too, without a second copy", async () => {
  const { doctor, states } = await world({ respond: async () => ({ version: 1, verdict: "inconclusive", findings: [NOT_TESTED, CERT], checks: [] }) });
  await doctor.diagnose("account1", { trigger: "startup" });
  await doctor.quietCheck();
  assert.equal(shownStatus(states.get("account1")), "warning");
  assert.equal(earlyWarnings(states.get("account1")).length, 1);
});

test("only early-warning codes with severity warning count", () => {
  assert.deepEqual(earlyWarningsIn([NOT_TESTED, { code: "tls.cert_expires_soon", severity: "info" }, { code: "proto.x", severity: "warning" }, CUTOFF]).map((f) => f.code), ["config.cutoff_ahead"]);
  assert.deepEqual(earlyWarningsIn(null), []);
});

test("the quiet check is due after every start-up and then once a day since the last run", () => {
  const now = Date.UTC(2026, 11, 7, 22, 0);
  assert.equal(quietCheckDue(undefined, now), true, "never ran");
  assert.equal(quietCheckDue(now - 3600000, now), false, "an hour ago");
  assert.equal(quietCheckDue(now - 3600000, now, { startup: true }), true, "start-up always checks once");
  assert.equal(quietCheckDue(now - QUIET_CHECK_INTERVAL_MS + 1, now), false);
  assert.equal(quietCheckDue(now - QUIET_CHECK_INTERVAL_MS, now), true, "a day");
  assert.equal(quietCheckDue(now + 86400000 * 3, now), true, "a clock set back does not stop it for days");
});

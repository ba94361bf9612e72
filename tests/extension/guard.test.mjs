/* Issue 16: the retry guard. A refused credential pauses Thunderbird's automatic checks of the account through the
 * experiment; a fix, a saved new password, a click or a working diagnosis resumes them; never for a working account. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { world } from "./world.mjs";
import { guardDecision, credentialFinding, CREDENTIAL_CODES } from "../../extension/background/guard.js";
import { resolveOptions } from "../../extension/background/options.js";
import { REFUSAL_CODES } from "../../extension/background/outcome.js";

const refused = (code, subject = "incoming") => ({
  version: 1, verdict: "problem",
  findings: [{ code, severity: "error", subject, title: code }],
  checks: [{ subject, step: "auth", status: "fail", ms: 2 }],
});

/** Refuses every password but `good`; without a password the login is not tried. */
function passwordServer(good, code = "auth.wrong_password") {
  return async (request) => {
    const server = request.account.incoming;
    if (!server.password) return { version: 1, verdict: "inconclusive", findings: [{ code: "auth.not_tested", severity: "info", subject: "incoming" }], checks: [] };
    if (server.password === good) return { version: 1, verdict: "ok", findings: [], checks: [{ subject: "incoming", step: "auth", status: "pass", ms: 2 }] };
    return refused(code);
  };
}

for (const code of CREDENTIAL_CODES) {
  test(`${code} on the incoming server pauses the account's automatic checks, and the card knows it`, async () => {
    const { doctor, states, calls } = await world({ respond: async () => refused(code) });
    await doctor.diagnose("account1", { trigger: "login-failure" });
    assert.deepEqual(calls.paused, ["account1"]);
    assert.equal(states.get("account1").paused.code, code);
    // Thunderbird's next failure, diagnosed again: already paused, the first values stay the ones kept.
    await doctor.diagnose("account1", { trigger: "popup" });
    assert.deepEqual(calls.paused, ["account1"]);
  });
}

test("the guard's codes are credential refusals the add-on already knows", () => {
  for (const code of CREDENTIAL_CODES) assert.ok(REFUSAL_CODES.has(code), code);
});

test("no pause for other failures, for the outgoing server, for warnings, or for an account whose login worked", async () => {
  for (const result of [
    refused("auth.rate_limited"), refused("net.refused"), refused("auth.tls_required"), refused("auth.failed"),
    refused("auth.wrong_password", "outgoing"),
    { version: 1, verdict: "inconclusive", findings: [{ code: "auth.wrong_password", severity: "warning", subject: "incoming" }], checks: [] },
    { version: 1, verdict: "problem", findings: [{ code: "auth.app_password_required", severity: "error", subject: "incoming" }], checks: [{ subject: "incoming", step: "auth", status: "pass", ms: 1 }] },
    { version: 1, verdict: "ok", findings: [], checks: [] },
  ]) {
    const { doctor, calls } = await world({ respond: async () => result });
    await doctor.diagnose("account1", { trigger: "login-failure" });
    assert.deepEqual(calls.paused, [], JSON.stringify(result.findings));
  }
});

test("the option pauseOnRefusal (on by default, also as an admin default) switches the guard off", async () => {
  assert.equal(resolveOptions({}, {}).pauseOnRefusal, true);
  assert.equal(resolveOptions({}, { pauseOnRefusal: false }).pauseOnRefusal, false);
  assert.equal(resolveOptions({ pauseOnRefusal: true }, { pauseOnRefusal: false }).pauseOnRefusal, true);
  const { doctor, calls } = await world({ options: { autoDiagnose: true, savedPassword: "ask", pauseOnRefusal: false }, respond: async () => refused("auth.wrong_password") });
  await doctor.diagnose("account1", { trigger: "login-failure" });
  assert.deepEqual(calls.paused, []);
  assert.equal(guardDecision({ result: refused("auth.wrong_password") }, { pauseOnRefusal: false }), null);
  assert.equal(guardDecision({ result: refused("auth.wrong_password") }, { pauseOnRefusal: true }), "pause");
  assert.equal(guardDecision({ error: { code: "timeout" } }, {}), null);
  assert.equal(credentialFinding(null), null);
});

test("a new password accepted by the server is saved first, then the checks resume", async () => {
  const { doctor, states, calls, checksOn } = await world({ respond: passwordServer("right") });
  const order = [];
  await doctor.diagnose("account1", { trigger: "popup", userConfirmedPassword: true });
  assert.equal(checksOn.account1, false);
  const refusedTry = await doctor.testNewPassword("account1", "still-wrong");
  assert.equal(refusedTry.status, "refused");
  assert.deepEqual(calls.resumed, [], "a refused new password resumes nothing");
  const outcome = await doctor.testNewPassword("account1", "right");
  assert.equal(outcome.status, "saved");
  assert.equal(checksOn.account1, true);
  assert.equal(states.get("account1").paused, null);
  assert.ok(calls.saved.length >= 1 && calls.resumed.length === 1, order);
});

test("a saved new password resumes only after it is in the login manager", async () => {
  const { doctor, calls, checksOn } = await world({ respond: passwordServer("right") });
  await doctor.diagnose("account1", { trigger: "popup", userConfirmedPassword: true });
  const seen = [];
  const save = calls.saved.push.bind(calls.saved);
  calls.saved.push = (item) => {
    seen.push(["save", checksOn.account1]);
    return save(item);
  };
  await doctor.testNewPassword("account1", "right");
  assert.deepEqual(seen[0], ["save", false], "still paused while the password is saved");
  assert.equal(checksOn.account1, true);
});

test("an applied fix resumes the checks before its re-test; the re-test pauses again if still refused", async () => {
  const { doctor, states, calls } = await world({ respond: async () => refused("auth.wrong_password") });
  await doctor.diagnose("account1", { trigger: "login-failure" });
  await doctor.applyFix("account1", { kind: "change_setting", subject: "incoming", setting: "port", value: 143 });
  assert.deepEqual(calls.resumed, ["account1"]);
  assert.deepEqual(calls.paused, ["account1", "account1"]);
  assert.ok(states.get("account1").paused);
});

test("a click resumes; a diagnosis that sees the account work resumes; one without a login leaves the pause", async () => {
  let result = refused("auth.wrong_password");
  const { doctor, states, calls } = await world({ respond: async () => result });
  await doctor.diagnose("account1", { trigger: "login-failure" });
  await doctor.resumeChecks("account1");
  assert.deepEqual(calls.resumed, ["account1"]);
  assert.equal(states.get("account1").paused, null);
  await doctor.resumeChecks("account1");
  assert.deepEqual(calls.resumed, ["account1"], "not paused: nothing to resume");
  await doctor.diagnose("account1", { trigger: "popup" });
  result = { version: 1, verdict: "inconclusive", findings: [{ code: "auth.not_tested", severity: "info", subject: "incoming" }], checks: [] };
  await doctor.diagnose("account1", { trigger: "startup" });
  assert.ok(states.get("account1").paused, "a check without a login says nothing about the password");
  result = { version: 1, verdict: "ok", findings: [], checks: [{ subject: "incoming", step: "auth", status: "pass", ms: 1 }] };
  await doctor.diagnose("account1", { trigger: "popup" });
  assert.equal(states.get("account1").paused, null);
  assert.deepEqual(calls.resumed, ["account1", "account1"]);
});

test("an EWS server that offers only OAuth2 is no refusal: its schemes were read without a login, nothing is paused", () => {
  const ews = { verdict: "problem", findings: [{ code: "auth.oauth_required", severity: "error", subject: "incoming", params: { protocol: "ews", schemes: ["Bearer"] } }],
                checks: [{ subject: "incoming", step: "capabilities", status: "pass" }] };
  assert.equal(credentialFinding(ews), null);
  assert.equal(guardDecision({ result: ews }, resolveOptions({})), null);
  const imap = { ...ews, findings: [{ ...ews.findings[0], params: { protocol: "imap" } }] };
  assert.ok(credentialFinding(imap), "the same finding from an IMAP login still pauses");
});

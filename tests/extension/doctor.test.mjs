import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { createDoctor, passwordAllowed, mergeTriggers, leadingFinding } from "../../extension/background/doctor.js";
import { AccountStates, statusOf } from "../../extension/background/state.js";
import { world, settle } from "./world.mjs";

test("consent: the saved password is read only when the option or the user allows it", () => {
  assert.equal(passwordAllowed("always", false), true);
  assert.equal(passwordAllowed("never", true), false);
  assert.equal(passwordAllowed("ask", false), false);
  assert.equal(passwordAllowed("ask", true), true);
  assert.equal(passwordAllowed(undefined, false), false);
});

test("a burst of login failures runs one diagnosis, with the strongest trigger and the observed text", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, states, calls } = await world();
    assert.equal(doctor.onLoginFailure({ accountId: "account1", subject: "incoming", source: "prompt", message: 'Login to account "Work" failed' }), true);
    await settle(500);
    doctor.onLoginFailure({ accountId: "account1", subject: "outgoing", identityId: "id1", source: "prompt", message: "second" });
    await settle(999);
    assert.equal(calls.requests.length, 0, "still debouncing");
    await settle(1);
    assert.equal(calls.requests.length, 1);
    const request = calls.requests[0];
    assert.equal(request.observed_error, "second");
    assert.ok(request.account.incoming && request.account.outgoing, "incoming + outgoing bursts widen to the account");
    assert.equal(calls.passwordReads.length, 0, "'ask' never reads the password on an automatic trigger");
    assert.equal(request.options.login, false);
    const entry = states.get("account1");
    assert.equal(statusOf(entry), "problem");
    assert.equal(entry.trigger, "login-failure");
    assert.deepEqual(calls.notifications, [["account1", "Work", "auth.wrong_password"]], "notification names the leading error");
    assert.deepEqual(calls.badges.at(-1), ["1", "#c62828"]);
    // Thunderbird's retry loop: another failure right after is not diagnosed again.
    assert.equal(doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "again" }), false);
  } finally {
    mock.timers.reset();
  }
});

test("with 'always' the automatic diagnosis tests the saved password of the failed server only", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, calls } = await world({ options: { autoDiagnose: true, savedPassword: "always" } });
    doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "x" });
    await settle(1000);
    assert.deepEqual(calls.passwordReads, [["account1", "incoming"]]);
    assert.equal(calls.requests[0].account.incoming.password, "pw-incoming");
    assert.equal(calls.requests[0].account.outgoing, undefined);
    assert.equal(calls.requests[0].options.login, true);
  } finally {
    mock.timers.reset();
  }
});

test("automatic diagnosis switched off: failures are ignored", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, calls } = await world({ options: { autoDiagnose: false, savedPassword: "always" } });
    doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "x" });
    await settle(2000);
    assert.equal(calls.requests.length, 0);
  } finally {
    mock.timers.reset();
  }
});

test("a failed send diagnoses that identity's outgoing server; a good send does nothing", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, states, calls } = await world();
    assert.equal(await doctor.onAfterSend({ id: 7 }, { mode: "sendNow", messages: [] }), false);
    assert.equal(await doctor.onAfterSend({ id: 7 }, { mode: "sendNow", error: "Message operation failed" }), true);
    await settle(1000);
    assert.equal(calls.requests.length, 1);
    assert.equal(calls.requests[0].account.incoming, undefined);
    assert.equal(calls.requests[0].account.outgoing.protocol, "smtp");
    assert.equal(calls.requests[0].observed_error, "Message operation failed");
    assert.equal(states.get("account1").trigger, "send-failure");
  } finally {
    mock.timers.reset();
  }
});

test("start-up check covers mail accounts without a recent success, skipping local folders", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let now = 10 * 86400000;
    const { doctor, states, calls } = await world({ verdict: "ok", clock: () => now });
    await states.update("account2", { lastOkAt: now - 1000, checkedAt: now - 1000, result: { verdict: "ok" } });
    const started = await doctor.checkStale("startup", 86400000);
    assert.deepEqual(started, ["account1"]);
    await settle(1000);
    assert.equal(calls.requests.length, 1);
    assert.equal(statusOf(states.get("account1")), "ok");
    assert.equal(calls.notifications.length, 0, "no notification when all is well");
    assert.deepEqual(calls.badges.at(-1), ["", "#1565c0"]);
  } finally {
    mock.timers.reset();
  }
});

test("a popup-triggered diagnosis may use the password the user just confirmed, and runs at once", async () => {
  const { doctor, calls } = await world();
  const entry = await doctor.diagnose("account2", { trigger: "popup", userConfirmedPassword: true });
  assert.equal(statusOf(entry), "problem");
  assert.deepEqual(calls.passwordReads, [["account2", "incoming"]], "account2 has no outgoing server");
  assert.equal(entry.usedPassword, true);
  assert.equal(calls.notifications.length, 0, "the user is looking at the popup already");
});

test("concurrent diagnoses of one account share one run", async () => {
  const { doctor, calls } = await world();
  const [a, b] = await Promise.all([doctor.diagnose("account1"), doctor.diagnose("account1")]);
  assert.equal(calls.requests.length, 1);
  assert.equal(a, b);
});

test("a missing host is kept as an error outcome", async () => {
  const { doctor } = await world({ verdict: "missing" });
  const entry = await doctor.diagnose("account1");
  assert.equal(statusOf(entry), "error");
  assert.equal(entry.error.code, "host_missing");
});

test("an unknown account is an error outcome, not a crash", async () => {
  const { doctor } = await world();
  const entry = await doctor.diagnose("account9");
  assert.equal(entry.error.code, "no_account");
});

test("apply: preview shows the old and new value, applying changes one setting then re-tests", async () => {
  const { doctor, states, calls } = await world({ verdict: "ok" });
  await doctor.diagnose("account1");
  const fix = { kind: "change_setting", subject: "outgoing", setting: "port", value: 587 };
  assert.deepEqual(await doctor.previewFix("account1", fix), { subject: "outgoing", setting: "port", before: 465, after: 587 });
  const { entry } = await doctor.applyFix("account1", fix);
  assert.deepEqual(calls.applied, [["account1", "outgoing", "id1", "port", 587]]);
  assert.equal(calls.requests.length, 2, "re-tested after the change");
  assert.equal(entry.trigger, "after-fix");
  assert.equal(statusOf(states.get("account1")), "ok");
});

test("apply: the re-test uses the saved password exactly when the check that proposed the fix did", async () => {
  const { doctor, calls } = await world();  // savedPassword "ask"
  await doctor.diagnose("account2", { trigger: "popup", userConfirmedPassword: true });
  const fix = { kind: "change_setting", subject: "incoming", setting: "port", value: 110 };
  const { entry } = await doctor.applyFix("account2", fix);
  assert.equal(entry.usedPassword, true);
  assert.deepEqual(calls.passwordReads, [["account2", "incoming"], ["account2", "incoming"]]);

  const other = await world();
  await other.doctor.diagnose("account2", { trigger: "popup" });
  const again = await other.doctor.applyFix("account2", fix);
  assert.equal(again.entry.usedPassword, false, "no consent before, none after the fix");
  assert.deepEqual(other.calls.passwordReads, []);
});

test("the status list forgets accounts that no longer exist, and the badge stops counting them", async () => {
  const { doctor, states, calls } = await world();
  await doctor.diagnose("account1");
  await states.update("account9", { checkedAt: 1, result: { verdict: "problem", findings: [] } });
  assert.equal(states.countWithStatus("problem"), 2);
  const listed = await doctor.accountsWithState();
  assert.deepEqual(listed.map((a) => a.id), ["account1", "account2"]);
  assert.equal(states.get("account9"), null);
  assert.deepEqual(calls.badges.at(-1), ["1", "#c62828"]);
});

test("merging and leading finding", () => {
  assert.deepEqual(mergeTriggers({ trigger: "login-failure", scope: "incoming", observedError: "a" }, { trigger: "startup", scope: "account", observedError: null }), {
    trigger: "login-failure", scope: "account", identityId: null, observedError: "a",
  });
  assert.equal(leadingFinding({ findings: [{ code: "x", severity: "info" }, { code: "y", severity: "error" }] }).code, "y");
  assert.equal(leadingFinding({ findings: [{ code: "x", severity: "info" }] }).code, "x");
  assert.equal(leadingFinding({}), null);
});

test("a login failure during a running start-up check is diagnosed right after it, with Thunderbird's text", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, states, calls } = await world();
    const running = doctor.diagnose("account1", { trigger: "startup" });
    assert.equal(doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "Login to server mail.example.test failed." }), true);
    assert.equal(doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "Login to server mail.example.test failed." }), true, "merged into the queued follow-up");
    await running;
    await settle(1000);
    const account1 = calls.requests.filter((r) => r.account.name === "Work");
    assert.equal(account1.length, 2);
    assert.equal(account1[1].observed_error, "Login to server mail.example.test failed.");
    assert.equal(states.get("account1").trigger, "login-failure");
  } finally {
    mock.timers.reset();
  }
});

test("a trigger that arrives while the debounced diagnosis reads the options joins it: one diagnosis, one notification", async () => {
  // The e2e race: the debouncer fired, the options were still being read (storage and the experiment, slow on a
  // loaded machine), and Thunderbird's next retry or the start-up check came in: it was neither merged nor dropped,
  // so a second diagnosis ran right after the first (the popup said "checking" again) or the same cause was notified
  // twice.
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const options = { autoDiagnose: true, savedPassword: "ask" };
    let gate = null;
    let release = null;
    const { doctor, states, calls } = await world({ getOptions: async () => (gate ? gate.then(() => options) : options) });
    assert.equal(doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "Login to server mail.example.test failed." }), true);
    gate = new Promise((r) => (release = r));
    await settle(1000);
    assert.equal(calls.requests.length, 0, "the debouncer fired; the options are still being read");
    assert.equal(doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "again" }), false, "Thunderbird's retry joins the run");
    assert.deepEqual(await doctor.checkStale("startup", 86400000), ["account2"], "the start-up check leaves account1 to the run");
    gate = null;
    release();
    await settle(0);
    await settle(1000);
    await settle(1000);
    const account1 = calls.requests.filter((r) => r.account.name === "Work");
    assert.equal(account1.length, 1, "one diagnosis of account1");
    assert.equal(calls.notifications.filter(([id]) => id === "account1").length, 1, "one notification for account1");
    assert.equal(states.get("account1").trigger, "login-failure");
    assert.equal(statusOf(states.get("account1")), "problem");
  } finally {
    mock.timers.reset();
  }
});

test("automatic diagnosis switched off: a Diagnose click while a failure's run reads the options still diagnoses", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const options = { autoDiagnose: false, savedPassword: "ask" };
    let gate = null;
    let release = null;
    const { doctor, states, calls } = await world({ getOptions: async () => (gate ? gate.then(() => options) : options) });
    doctor.onLoginFailure({ accountId: "account1", subject: "incoming", message: "x" });
    gate = new Promise((r) => (release = r));
    await settle(1000);
    const clicked = doctor.diagnose("account1", { trigger: "popup" });
    gate = null;
    release();
    const entry = await clicked;
    assert.equal(calls.requests.length, 1, "the user's check ran; the automatic one did not");
    assert.equal(entry.trigger, "popup");
    assert.equal(states.get("account1").trigger, "popup");
  } finally {
    mock.timers.reset();
  }
});

test("opening the popup re-checks stale accounts without a notification", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, states, calls } = await world();
    assert.deepEqual(await doctor.checkStale("popup", 15 * 60000), ["account1", "account2"]);
    await settle(1000);
    assert.equal(calls.requests.length, 2);
    assert.equal(statusOf(states.get("account1")), "problem");
    assert.equal(calls.notifications.length, 0);
    assert.deepEqual(await doctor.checkStale("popup", 15 * 60000), [], "just checked: nothing to do");
  } finally {
    mock.timers.reset();
  }
});

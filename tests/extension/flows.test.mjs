/* The background's flows end to end through the real HostClient and a fake native port: many accounts, refused
 * passwords, a new app password, apply + undo, the attention signals (badge, notification, marker). */
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { statusOf } from "../../extension/background/state.js";
import { world, settle, until } from "./world.mjs";

/** A host that accepts exactly `good` as the password and says why it cannot tell without one. */
function passwordServer(good) {
  return async (request) => {
    const findings = [];
    const checks = [];
    for (const subject of ["incoming", "outgoing"]) {
      const server = request.account[subject];
      if (!server) continue;
      checks.push({ subject, step: "connect", status: "pass", ms: 1 });
      if (!server.password) {
        checks.push({ subject, step: "auth", status: "skip", ms: 0 });
        findings.push({ code: "auth.not_tested", severity: "info", subject, params: { observed_failure: true, action: "test_password" } });
      } else if (server.password === good) {
        checks.push({ subject, step: "auth", status: "pass", ms: 2, detail: "logged in (PLAIN)" });
      } else {
        checks.push({ subject, step: "auth", status: "fail", ms: 2 });
        findings.push({ code: "auth.wrong_password", severity: "error", subject, evidence: ["a NO [AUTHENTICATIONFAILED] Authentication failed."] });
      }
    }
    const verdict = findings.some((f) => f.severity === "error") ? "problem" : findings.length ? "inconclusive" : "ok";
    return { version: 1, verdict, findings, checks };
  };
}

const passwordsSent = (calls) => calls.requests.map((r) => [r.account.incoming?.password ?? null, r.account.outgoing?.password ?? null]);

for (const count of [12, 50]) {
  test(`${count} accounts checked at start-up give ${count} results, never more than 4 at the host, no busy`, async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { doctor, states, native } = await world({ verdict: "ok", extraAccounts: count - 2 });
      const started = await doctor.checkStale("startup", 86400000);
      assert.equal(started.length, count);
      await settle(1500);
      for (let i = 0; i < 20 && native.results < count; i++) await settle(0);
      assert.equal(native.results, count);
      assert.equal(native.busy, 0, "the add-on never sent more than the host runs");
      assert.ok(native.peak <= 4, `peak ${native.peak}`);
      assert.equal(native.peak, 4, "and it used all four places");
      const done = Object.values(states.all()).filter((e) => statusOf(e) === "ok");
      assert.equal(done.length, count);
    } finally {
      mock.timers.reset();
    }
  });
}

test("a host that runs fewer than 4 answers busy: the add-on re-sends and still gets every result", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, states, native } = await world({ verdict: "ok", extraAccounts: 10, hostOptions: { maxRunning: 2 } });
    await doctor.checkStale("startup", 86400000);
    await settle(1500);
    for (let i = 0; i < 30 && native.results < 12; i++) await settle(1000);
    assert.equal(native.results, 12);
    assert.ok(native.busy >= 1 && native.busy <= 4, `busy answers: ${native.busy} (the client adapts at once)`);
    assert.equal(Object.values(states.all()).filter((e) => e.error).length, 0, "no account ends in an error");
  } finally {
    mock.timers.reset();
  }
});

test("a host that queues (queued message) is handled: the account shows as waiting, then gets its result", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, states, native } = await world({ verdict: "ok", extraAccounts: 4, hostOptions: { maxRunning: 1, queue: true } });
    const seen = new Set();
    states.onChange((id, entry) => entry.queued && seen.add(id));
    await doctor.checkStale("startup", 86400000);
    await settle(1500);
    for (let i = 0; i < 20 && native.results < 6; i++) await settle(0);
    assert.equal(native.results, 6);
    assert.ok(seen.size >= 1, "some account was shown as queued");
    assert.equal(Object.values(states.all()).filter((e) => e.queued).length, 0, "none is left queued");
  } finally {
    mock.timers.reset();
  }
});

test("a password the server refused is not sent to it again within 30 minutes, unless it changed", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let now = 1e12;
    const { doctor, calls, states, savedPasswords } = await world({ options: { autoDiagnose: true, savedPassword: "always" }, clock: () => now, respond: passwordServer("right") });
    const failure = { accountId: "account2", subject: "incoming", message: "Login to server pop.example.test with username eve failed." };
    doctor.onLoginFailure(failure);
    await settle(1000);
    await until(() => states.get("account2")?.result, "the first result");
    assert.deepEqual(passwordsSent(calls), [["pw-incoming", null]]);
    assert.equal(states.get("account2").result.findings[0].code, "auth.wrong_password");

    now += 61000; // past the cooldown: Thunderbird's next failure is diagnosed, without the refused password
    doctor.onLoginFailure(failure);
    await settle(1000);
    await until(() => calls.requests.length === 2 && !states.get("account2").checking, "the second check");
    assert.deepEqual(passwordsSent(calls)[1], [null, null], "the refused password stays here");
    assert.equal(calls.requests[1].options.login, false);
    assert.ok(states.get("account2").withheld.incoming, "the popup can say why");

    now += 61000; // the user's explicit test does not send it either
    await doctor.diagnose("account2", { trigger: "popup", userConfirmedPassword: true });
    assert.deepEqual(passwordsSent(calls)[2], [null, null]);

    savedPasswords.incoming = "changed"; // the saved password changed: it is tested
    await doctor.diagnose("account2", { trigger: "popup", userConfirmedPassword: true });
    assert.deepEqual(passwordsSent(calls)[3], ["changed", null]);

    savedPasswords.incoming = "pw-incoming"; // the first one again: still within 30 minutes of its refusal
    await doctor.diagnose("account2", { trigger: "popup", userConfirmedPassword: true });
    assert.deepEqual(passwordsSent(calls)[4], [null, null]);

    now += 30 * 60000; // after 30 minutes it may be tried once more
    await doctor.diagnose("account2", { trigger: "popup", userConfirmedPassword: true });
    assert.deepEqual(passwordsSent(calls)[5], ["pw-incoming", null]);
  } finally {
    mock.timers.reset();
  }
});

test("the refusal memory keeps a salted fingerprint, never the password", async () => {
  const { RefusalMemory } = await import("../../extension/background/refusals.js");
  const session = { data: {}, async get(k) { return { [k]: this.data[k] }; }, async set(v) { Object.assign(this.data, structuredClone(v)); } };
  const memory = new RefusalMemory({ session });
  const server = { protocol: "imap", host: "imap.example.test", port: 993, username: "bob" };
  await memory.remember(server, "hunter2-secret");
  const stored = JSON.stringify(session.data);
  assert.ok(!stored.includes("hunter2"), "no password in storage.session");
  assert.ok(await memory.refusedAt(server, "hunter2-secret"));
  assert.equal(await memory.refusedAt({ ...server, port: 143 }, "hunter2-secret"), null, "another server is another key");
  assert.equal(await memory.refusedAt(server, "other"), null);
  const other = new RefusalMemory({ session: { data: {}, get: session.get, set: session.set } });
  await other.remember(server, "hunter2-secret");
  assert.notEqual(Object.values(other.memory.servers)[0][0].fingerprint, Object.values(memory.memory.servers)[0][0].fingerprint, "salted per session");
  const resumed = new RefusalMemory({ session }); // the background was suspended and woke up
  assert.ok(await resumed.refusedAt(server, "hunter2-secret"));
});

test("a new app password: one login per server, saved only where accepted, and the check becomes the account's state", async () => {
  const { doctor, calls, states } = await world({ respond: passwordServer("app-pass-1234") });
  await doctor.diagnose("account1", { trigger: "login-failure" });
  const outcome = await doctor.testNewPassword("account1", "app-pass-1234");
  assert.equal(outcome.status, "saved");
  assert.equal(calls.requests.length, 2);
  const test = calls.requests[1];
  assert.equal(test.account.incoming.password, "app-pass-1234");
  assert.equal(test.account.outgoing.password, "app-pass-1234", "same user on the SMTP server: tested there too");
  assert.equal(test.options.login, true);
  assert.equal(test.options.alternatives, false, "no other endpoints: exactly the configured servers, one login each");
  assert.deepEqual(calls.saved.map((s) => s.slice(0, 2)), [["account1", "incoming"], ["account1", "outgoing"]]);
  assert.equal(statusOf(states.get("account1")), "ok");
  assert.equal(states.get("account1").trigger, "new-password");
  assert.ok(!JSON.stringify(states.all()).includes("app-pass-1234"), "the password is in no stored state");
});

test("a new password the server accepted but Thunderbird could not store is reported as not saved", async () => {
  const { doctor, calls, states } = await world({ respond: passwordServer("app-pass-1234") });
  // Thunderbird 153 removed the synchronous login-manager calls: a save can throw after the login succeeded.
  calls.failSave = true;
  const outcome = await doctor.testNewPassword("account1", "app-pass-1234");
  assert.equal(outcome.status, "save_failed");
  assert.deepEqual(outcome.accepted, ["incoming", "outgoing"]);
  assert.ok(!JSON.stringify(states.all()).includes("app-pass-1234"));
});

test("a refused new password is said so and saves nothing; the same one is not sent again", async () => {
  const { doctor, calls, states } = await world({ respond: passwordServer("right") });
  const outcome = await doctor.testNewPassword("account2", "typo");
  assert.equal(outcome.status, "refused");
  assert.deepEqual(outcome.refused, ["incoming"]);
  assert.deepEqual(calls.saved, []);
  assert.equal(calls.requests.length, 1);
  const again = await doctor.testNewPassword("account2", "typo");
  assert.equal(again.status, "withheld");
  assert.equal(calls.requests.length, 1, "nothing sent");
  assert.ok(!JSON.stringify(states.all()).includes("typo"));
});

test("a new password with a line break or NUL never leaves the add-on", async () => {
  const { doctor, calls } = await world({ respond: passwordServer("x") });
  for (const bad of ["pw\r\nDELE 1", "pw\u0000", ""]) {
    const outcome = await doctor.testNewPassword("account1", bad);
    assert.equal(outcome.status, "invalid");
  }
  assert.equal(calls.requests.length, 0);
  assert.deepEqual(calls.saved, []);
});

test("apply that does not help offers Undo, which restores the value from before", async () => {
  const { doctor, calls, states, settings } = await world({ verdict: "problem" });
  await doctor.diagnose("account1");
  const fix = { kind: "change_setting", subject: "incoming", setting: "port", value: 143 };
  const { entry, better } = await doctor.applyFix("account1", fix);
  assert.equal(better, false);
  const { appliedAt, ...undo } = entry.undo;
  assert.deepEqual(undo, { kind: "change_setting", subject: "incoming", setting: "port", value: 993, replaced: 143, better: false, blocked: null });
  assert.equal(typeof appliedAt, "number");
  assert.equal(settings.account1.incoming.port, 143);
  const reply = await doctor.undoFix("account1");
  assert.equal(reply.undone, true);
  assert.equal(settings.account1.incoming.port, 993, "restored");
  assert.deepEqual(calls.applied.map((a) => a[4]), [143, 993]);
  assert.equal(states.get("account1").undo, null, "no undo of the undo");
  assert.equal(states.get("account1").trigger, "after-undo");
  assert.equal(calls.requests.length, 3, "re-tested after each change");
});

test("the user's consent to test the saved password is never swallowed by a check already running without it", async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  let calls = 0;
  const { doctor, calls: seen, states } = await world({
    respond: async (request) => {
      calls++;
      if (calls === 1) await gate; // an automatic check without the password is still running
      return passwordServer("right")(request);
    },
  });
  const automatic = doctor.diagnose("account1", { trigger: "popup" });
  const consented = doctor.diagnose("account1", { trigger: "popup", userConfirmedPassword: true });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  release();
  await automatic;
  const entry = await consented;
  assert.deepEqual(passwordsSent(seen), [[null, null], ["pw-incoming", "pw-outgoing"]], "the consent led to its own test");
  assert.equal(entry.usedPassword, true);
  assert.equal(states.get("account1").usedPassword, true);
  const again = doctor.diagnose("account1", { trigger: "popup" });
  const joined = doctor.diagnose("account1", { trigger: "popup" });
  await Promise.all([again, joined]);
  assert.equal(seen.requests.length, 3, "without consent, a running check still answers for a second request");
});

test("the re-test after Apply is a check of its own, never one that started before the change", async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const seen = [];
  const { doctor, states, settings } = await world({
    respond: async (request) => {
      seen.push(request.account.incoming.port);
      if (seen.length === 1) await gate; // the check before the change is still running when Apply is pressed
      return { version: 1, verdict: request.account.incoming.port === 143 ? "ok" : "problem", findings: request.account.incoming.port === 143 ? [] : [{ code: "net.refused", severity: "error", subject: "incoming" }] };
    },
  });
  const running = doctor.diagnose("account1", { trigger: "popup" });
  const applying = doctor.applyFix("account1", { kind: "change_setting", subject: "incoming", setting: "port", value: 143 });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  release();
  await running;
  const { entry, better } = await applying;
  assert.deepEqual(seen, [993, 143], "one check on the old port, then the re-test on the new one");
  assert.equal(entry.trigger, "after-fix");
  assert.equal(better, true);
  assert.equal(entry.undo.value, 993);
  assert.equal(settings.account1.incoming.port, 143);
  assert.equal(states.get("account1").result.verdict, "ok");
});

test("apply that helps keeps a quiet Undo for a day; it restores the exact value from before", async () => {
  let verdict = "problem";
  let now = 1e12;
  const { doctor, states, settings, calls } = await world({ clock: () => now, respond: async () => ({ version: 1, verdict, findings: verdict === "ok" ? [] : [{ code: "net.refused", severity: "error", subject: "incoming" }] }) });
  await doctor.diagnose("account1");
  verdict = "ok";
  const { better } = await doctor.applyFix("account1", { kind: "change_setting", subject: "incoming", setting: "security", value: "starttls" });
  assert.equal(better, true);
  assert.equal(states.get("account1").undo.better, true, "the re-test was better: Undo is still there, not prominent");
  assert.equal(states.get("account1").undo.value, "tls");
  now += 23 * 3600 * 1000; // sending broke, the user notices hours later
  assert.equal((await doctor.undoFix("account1")).undone, true);
  assert.equal(settings.account1.incoming.security, "tls");
  assert.deepEqual(calls.applied.map((a) => a.slice(3)), [["security", "starttls"], ["security", "tls"]]);
});

test("Undo is refused after a day, or once the setting was changed by hand; it never changes anything then", async () => {
  let now = 1e12;
  const { doctor, states, settings, calls } = await world({ verdict: "problem", clock: () => now });
  await doctor.diagnose("account1");
  await doctor.applyFix("account1", { kind: "change_setting", subject: "incoming", setting: "port", value: 143 });
  now += 24 * 3600 * 1000;
  assert.deepEqual(await doctor.undoFix("account1"), { undone: false, reason: "expired" });
  assert.equal(states.get("account1").undo, null, "the offer is gone");
  await doctor.applyFix("account1", { kind: "change_setting", subject: "incoming", setting: "port", value: 1143 });
  settings.account1.incoming.port = 2143; // the user changed it in the account settings meanwhile
  assert.deepEqual(await doctor.undoFix("account1"), { undone: false, reason: "changed" });
  assert.equal(settings.account1.incoming.port, 2143, "the user's own value stays");
  assert.deepEqual(calls.applied.map((a) => a[4]), [143, 1143]);
});

test("Undo never lowers security: after none → STARTTLS or cleartext → encrypted password there is no way back", async () => {
  const { doctor, states, settings, calls } = await world({ verdict: "problem" });
  settings.account1.incoming.security = "none";
  settings.account1.outgoing.auth = "password";
  await doctor.diagnose("account1");
  await doctor.applyFix("account1", { kind: "change_setting", subject: "incoming", setting: "security", value: "starttls" });
  assert.equal(states.get("account1").undo.blocked, "lowers_security");
  assert.deepEqual(await doctor.undoFix("account1"), { undone: false, reason: "lowers_security" });
  assert.equal(settings.account1.incoming.security, "starttls");
  await doctor.applyFix("account1", { kind: "change_setting", subject: "outgoing", setting: "auth", value: "password-encrypted" });
  assert.equal(states.get("account1").undo.blocked, "lowers_security");
  assert.deepEqual(await doctor.undoFix("account1"), { undone: false, reason: "lowers_security" });
  assert.equal(settings.account1.outgoing.auth, "password-encrypted");
  assert.deepEqual(calls.applied.map((a) => a[4]), ["starttls", "password-encrypted"], "nothing applied by the refused undos");
});

test("a fix that lowers security is refused by the background even if a host sent it", async () => {
  const { doctor, calls, settings } = await world({ verdict: "problem" });
  await doctor.diagnose("account1");
  settings.account1.outgoing.auth = "password-encrypted";
  for (const fix of [
    { kind: "change_setting", subject: "incoming", setting: "security", value: "none" },
    { kind: "change_setting", subject: "incoming", setting: "auth", value: "none" },
    { kind: "change_setting", subject: "outgoing", setting: "auth", value: "password" },
  ]) {
    await assert.rejects(doctor.applyFix("account1", fix), /lower/, JSON.stringify(fix));
  }
  assert.deepEqual(calls.applied, []);
});

test("attention: one notification per cause, a marker while it lasts, cleared when the account works", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let now = 1e12;
    let good = false;
    const respond = async () => (good
      ? { version: 1, verdict: "ok", findings: [] }
      : { version: 1, verdict: "problem", findings: [{ code: "auth.app_password_required", severity: "error", subject: "incoming", params: { inferred: true, provider_name: "iCloud" } }] });
    const { doctor, calls } = await world({ clock: () => now, respond });
    const failure = { accountId: "account1", subject: "incoming", message: "Login to server mail.example.test with username bob failed." };
    doctor.onLoginFailure(failure);
    await settle(1000);
    assert.deepEqual(calls.notifications, [["account1", "Work", "auth.app_password_required"]]);
    assert.deepEqual(calls.markers, [["account1", "auth.app_password_required"]]);
    assert.deepEqual(calls.badges.at(-1), ["1", "#c62828"]);
    now += 61000;
    doctor.onLoginFailure(failure);
    await settle(1000);
    assert.equal(calls.requests.length, 2);
    assert.equal(calls.notifications.length, 1, "the same cause again: no second notification");
    good = true;
    await doctor.diagnose("account1", { trigger: "popup" });
    assert.deepEqual(calls.markers.at(-1), ["account1", null], "marker cleared when the account works");
    assert.deepEqual(calls.badges.at(-1), ["", "#1565c0"]);
  } finally {
    mock.timers.reset();
  }
});

test("a check that needs consent to test the password is shown like a problem; a quiet check stays quiet", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, calls, states } = await world({ respond: passwordServer("x") });
    doctor.onLoginFailure({ accountId: "account2", subject: "incoming", message: "Login to server pop.example.test failed." });
    await settle(1000);
    assert.equal(statusOf(states.get("account2")), "consent");
    assert.deepEqual(calls.notifications, [["account2", "Home", "auth.not_tested"]]);
    assert.deepEqual(calls.markers, [["account2", "auth.not_tested"]]);
    assert.deepEqual(calls.badges.at(-1), ["1", "#c62828"]);

    const quiet = await world({ verdict: "ok" });
    await quiet.doctor.checkStale("startup", 86400000);
    await settle(1000);
    assert.deepEqual(quiet.calls.notifications, []);
    assert.ok(quiet.calls.markers.every(([, m]) => m === null), "only clearing, never a marker");
  } finally {
    mock.timers.reset();
  }
});

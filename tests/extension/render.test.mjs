import { test } from "node:test";
import assert from "node:assert/strict";
import { renderPopup } from "../../extension/popup/render.js";
import { jsdom, translator } from "./helpers.mjs";

const PROBE = `<img src=x onerror="globalThis.pwned=1"><script>globalThis.pwned=2</script><b>bold</b>`;

function problemAccount(extra = {}) {
  return {
    id: "account1",
    name: `Work ${PROBE}`,
    type: "imap",
    state: {
      checkedAt: Date.UTC(2026, 0, 1, 12, 0),
      trigger: "login-failure",
      observedError: `Alert from account Work: ${PROBE}`,
      usedPassword: false,
      result: {
        version: 1,
        verdict: "problem",
        findings: [
          {
            code: "auth.app_password_required", severity: "error", subject: "incoming", title: "English title", detail: "English detail",
            evidence: [`A1 NO [ALERT] ${PROBE}`, "continuation line"],
            fixes: [
              { kind: "open_url", url: "https://myaccount.example/apppasswords", label: "" },
              { kind: "open_url", url: "javascript:alert(1)", label: "evil" },
              { kind: "open_url", url: "http://plain.example/apppasswords", label: "unencrypted" },
              { kind: "change_setting", subject: "outgoing", setting: "security", value: "starttls" },
              { kind: "steps", steps: [`Step with ${PROBE}`] },
            ],
          },
          { code: "vendor.new_code", severity: "warning", subject: "incoming", title: `Host title ${PROBE}`, detail: "Host detail" },
        ],
        checks: [{ subject: "incoming", step: "auth", status: "fail", ms: 42, detail: PROBE }],
        transcript: [{ subject: "incoming", dir: "S", ms: 40, line: `* OK [ALERT] ${PROBE}` }],
      },
      ...extra,
    },
  };
}

function render(model, lang = "en", handlers = {}) {
  const dom = jsdom();
  const doc = dom.window.document;
  const root = doc.getElementById("root");
  const noop = () => {};
  renderPopup(doc, root, { expanded: new Set(), notes: {}, savedPasswordOption: "ask", ...model }, translator(lang),
    { diagnose: noop, toggleDetails: noop, openUrl: noop, askApply: noop, confirmApply: noop, cancelApply: noop, copyReport: noop,
      openNewPassword: noop, closeNewPassword: noop, testNewPassword: noop, undo: noop, ...handlers },
    { formatTime: () => "12:00" });
  return { dom, doc, root };
}

test("server text with HTML and script comes out as text, never as elements", () => {
  const { dom, root } = render({ accounts: [problemAccount()], expanded: new Set(["account1"]) });
  assert.equal(root.querySelectorAll("img, script, b").length, 0, "no element from server text");
  const text = root.textContent;
  assert.ok(text.includes(`A1 NO [ALERT] ${PROBE}`), "evidence verbatim");
  assert.ok(text.includes(`Alert from account Work: ${PROBE}`), "Thunderbird's text verbatim");
  assert.ok(text.includes(`* OK [ALERT] ${PROBE}`), "transcript verbatim");
  assert.ok(text.includes(`Host title ${PROBE}`), "host's fallback title verbatim");
  assert.ok(text.includes(`Step with ${PROBE}`));
  assert.equal(dom.window.pwned, undefined);
  assert.ok(root.querySelector(".evidence").textContent.includes("continuation line"), "all evidence lines shown");
});

test("findings are localized by code, the host's English is the fallback for unknown codes", () => {
  const en = render({ accounts: [problemAccount()] }).root;
  const titles = [...en.querySelectorAll(".finding-title")].map((n) => n.textContent);
  assert.equal(titles[0], "English title", "in English the host's own words are shown, never less");
  assert.ok(titles[1].startsWith("Host title"));
  const de = render({ accounts: [problemAccount()] }, "de").root;
  assert.equal(de.querySelector(".finding-title").textContent, "Ein App-Passwort ist nötig");
  assert.equal(de.querySelector(".account-status").textContent, "Problem");
  assert.equal(de.querySelector("button.diagnose").textContent, "Prüfen");
});

test("fixes become buttons: https pages open through the handler, other URL schemes are dropped", () => {
  const opened = [];
  const applied = [];
  const { root } = render({ accounts: [problemAccount()] }, "en", { openUrl: (u) => opened.push(u), askApply: (id, fix) => applied.push([id, fix]) });
  const urlButtons = root.querySelectorAll("button.fix-url");
  assert.equal(urlButtons.length, 1, "neither the javascript: nor the unencrypted http: URL is offered");
  urlButtons[0].click();
  assert.deepEqual(opened, ["https://myaccount.example/apppasswords"]);
  const setting = root.querySelector("button.fix-setting");
  assert.equal(setting.textContent, "Set connection security to STARTTLS");
  setting.click();
  assert.equal(applied[0][1].subject, "outgoing");
});

test("Apply asks first, showing the old and the new value", () => {
  let confirmed = 0;
  const fix = { kind: "change_setting", subject: "incoming", setting: "port", value: 993 };
  const { root } = render({ accounts: [problemAccount()], confirm: { accountId: "account1", fix, preview: { before: 143, after: 993 } } }, "en", { confirmApply: () => confirmed++ });
  const box = root.querySelector(".confirm");
  assert.equal(box.querySelector(".confirm-question").textContent, "Change the port of the incoming server?");
  assert.equal(box.querySelector(".confirm-old code").textContent, "143");
  assert.equal(box.querySelector(".confirm-new code").textContent, "993");
  box.querySelector("button.primary").click();
  assert.equal(confirmed, 1);
});

test("every status is shown, with checks in progress and a Diagnose button per account", () => {
  const accounts = [
    { id: "a", name: "A", type: "imap", state: null },
    { id: "b", name: "B", type: "imap", state: { checking: true, progress: [{ subject: "incoming", step: "connect", status: "pass", ms: 5 }] } },
    { id: "c", name: "C", type: "imap", state: { checkedAt: 1, trigger: "startup", result: { verdict: "ok", findings: [] }, usedPassword: true } },
    { id: "d", name: "D", type: "pop3", state: { checkedAt: 1, error: { code: "timeout" } } },
  ];
  const { root } = render({ accounts });
  const statuses = [...root.querySelectorAll(".account-status")].map((n) => n.textContent);
  assert.deepEqual(statuses, ["Not checked", "Checking…", "Working", "Check failed"]);
  assert.equal(root.querySelectorAll("button.diagnose").length, 4);
  assert.equal(root.querySelector('[data-account="b"] button.diagnose').disabled, true);
  assert.ok(root.querySelector('[data-account="b"] .checks').textContent.includes("Connection"));
  assert.ok(root.querySelector('[data-account="c"]').textContent.includes("Checked at 12:00, at start-up"));
  assert.ok(root.querySelector('[data-account="d"] .error').textContent.includes("too long"));
});

test("details on demand: checks with timings and the transcript appear only when expanded", () => {
  const toggled = [];
  const closed = render({ accounts: [problemAccount()] }, "en", { toggleDetails: (id) => toggled.push(id) }).root;
  assert.equal(closed.querySelector(".details"), null);
  closed.querySelector("button.details-toggle").click();
  assert.deepEqual(toggled, ["account1"]);
  const open = render({ accounts: [problemAccount()], expanded: new Set(["account1"]) }).root;
  assert.ok(open.querySelector(".details .checks").textContent.includes("42 ms"));
  assert.ok(open.querySelector(".details .transcript"));
});

test("'ask' mode offers to test the saved password when the check did not log in", () => {
  const asked = [];
  const { root } = render({ accounts: [problemAccount()] }, "en", { diagnose: (id, o) => asked.push([id, o]) });
  root.querySelector("button.test-password").click();
  assert.deepEqual(asked, [["account1", { withPassword: true }]]);
  const always = render({ accounts: [problemAccount()], savedPasswordOption: "always" }).root;
  assert.equal(always.querySelector("button.test-password"), null);
});

test("a missing host names the install command; no accounts says so", () => {
  const missing = { id: "account1", name: "Work", type: "imap", state: { checkedAt: 1, error: { code: "host_missing", message: "" } } };
  const { root } = render({ accounts: [missing] }, "de");
  assert.equal(root.querySelector(".install-command").textContent, "installer/install.sh");
  assert.ok(root.querySelector(".host-missing").textContent.includes("nicht installiert"));
  assert.ok(render({ accounts: [] }, "de").root.querySelector(".empty"));
  assert.equal(render({ accounts: [] }, "de").root.querySelector(".host-missing"), null);
});

/** An iCloud account after an automatic check without the password: the host inferred the cause. */
function inferredAccount(extra = {}) {
  return {
    id: "icloud", name: "iCloud", type: "imap",
    state: {
      checkedAt: 1, trigger: "login-failure", usedPassword: false, observedError: "Login to server imap.mail.me.com with username alice@icloud.com failed.",
      result: {
        version: 1, verdict: "problem", provider: { id: "icloud", name: "iCloud Mail" },
        findings: [{
          code: "auth.app_password_required", severity: "error", subject: "incoming",
          title: "iCloud Mail needs an app-specific password",
          detail: "The login was not tried here; iCloud Mail refuses account passwords from mail programs.",
          evidence: ["Login to server imap.mail.me.com with username alice@icloud.com failed."],
          params: { inferred: true, basis: "provider_policy", provider_name: "iCloud Mail", host: "imap.mail.me.com", port: 993,
                    possible_causes: ["auth.app_password_required", "auth.wrong_password", "auth.account_locked"] },
          fixes: [
            { kind: "open_url", url: "https://account.apple.com/account/manage", label: "Create an app password for iCloud Mail" },
            { kind: "steps", label: "How to create it", steps: ["Sign in at account.apple.com", "Choose App-Specific Passwords"] },
            { kind: "change_setting", subject: "incoming", setting: "security", value: "none" },
            { kind: "change_setting", subject: "incoming", setting: "auth", value: "password" },
          ],
        }],
        checks: [{ subject: "incoming", step: "starttls", status: "pass", ms: 3 }, { subject: "incoming", step: "mailbox", status: "pass", ms: 3 }],
      },
      ...extra,
    },
  };
}

test("English shows everything the host said: its title and detail, provider steps, ranked other causes", () => {
  const { root } = render({ accounts: [inferredAccount()] });
  const finding = root.querySelector(".finding");
  assert.equal(finding.querySelector(".finding-title").textContent, "iCloud Mail needs an app-specific password");
  assert.equal(finding.querySelector(".finding-detail").textContent, "The login was not tried here; iCloud Mail refuses account passwords from mail programs.");
  assert.ok(finding.querySelector(".finding-basis").textContent.includes("iCloud Mail publishes"));
  assert.deepEqual([...finding.querySelectorAll(".causes li")].map((n) => n.textContent), ["The password (or user name) is wrong", "The account is locked"]);
  assert.deepEqual([...finding.querySelectorAll(".fix-steps li")].map((n) => n.textContent), ["Sign in at account.apple.com", "Choose App-Specific Passwords"]);
  assert.equal(finding.querySelector(".fix-steps-title").textContent, "How to create it");
  assert.equal(finding.querySelector("button.fix-url").textContent, "Create an app password for iCloud Mail");
});

test("German localizes by code and fills in the host's params; the provider's steps are still shown", () => {
  const { root } = render({ accounts: [inferredAccount()] }, "de");
  const finding = root.querySelector(".finding");
  assert.equal(finding.querySelector(".finding-title").textContent, "Ein App-Passwort ist nötig");
  assert.ok(finding.querySelector(".finding-detail").textContent.includes("Ihr Konto bei iCloud Mail"), finding.querySelector(".finding-detail").textContent);
  assert.ok(finding.querySelector(".finding-basis").textContent.includes("Angaben von iCloud Mail"));
  assert.deepEqual([...finding.querySelectorAll(".causes li")].map((n) => n.textContent), ["Das Passwort (oder der Benutzername) ist falsch", "Das Konto ist gesperrt"]);
  assert.equal(finding.querySelectorAll(".fix-steps li").length, 2);
  assert.equal(finding.querySelector(".fix-steps-title").textContent, "So geht's");
});

test("a fix that lowers security is never offered, even when the host sent it", () => {
  const { root } = render({ accounts: [inferredAccount()] });
  const labels = [...root.querySelectorAll("button.fix-setting")].map((n) => n.textContent);
  assert.deepEqual(labels, [], labels.join(" | "));
});

test("security none is said in words, in both languages, never as a dash", () => {
  const fix = { kind: "change_setting", subject: "incoming", setting: "security", value: "tls" };
  const en = render({ accounts: [problemAccount()], confirm: { accountId: "account1", fix, preview: { before: "none", after: "tls" } } }).root;
  assert.equal(en.querySelector(".confirm-old code").textContent, "no encryption");
  const de = render({ accounts: [problemAccount()], confirm: { accountId: "account1", fix, preview: { before: "none", after: "tls" } } }, "de").root;
  assert.equal(de.querySelector(".confirm-old code").textContent, "keine Verschlüsselung");
});

test("every step name is translated in the details", () => {
  const { root } = render({ accounts: [inferredAccount()], expanded: new Set(["icloud"]) }, "de");
  const steps = [...root.querySelectorAll(".details .check-step")].map((n) => n.textContent);
  assert.deepEqual(steps, ["Verschlüsselung (STARTTLS)", "Postfach"]);
});

test("enter a new app password: the form has a password field, the provider's page, and hands the typed text over once", () => {
  const calls = [];
  const handlers = {
    openNewPassword: (id) => calls.push(["open", id]),
    testNewPassword: (id, pw) => calls.push(["test", id, pw]),
    openUrl: (url, id) => calls.push(["url", url, id]),
  };
  const closed = render({ accounts: [inferredAccount()] }, "en", handlers).root;
  const opener = closed.querySelector("button.new-password-open");
  assert.equal(opener.textContent, "Enter a new app password");
  opener.click();
  assert.deepEqual(calls.at(-1), ["open", "icloud"]);

  const { root } = render({ accounts: [inferredAccount()], newPassword: { icloud: { open: true } } }, "en", handlers);
  const input = root.querySelector("input.new-password-input");
  assert.equal(input.getAttribute("type"), "password");
  root.querySelector("button.new-password-page").click();
  assert.deepEqual(calls.at(-1), ["url", "https://account.apple.com/account/manage", "icloud"]);
  input.value = "abcd-efgh-ijkl-mnop";
  root.querySelector("button.new-password-test").click();
  assert.deepEqual(calls.at(-1), ["test", "icloud", "abcd-efgh-ijkl-mnop"]);
  assert.equal(input.value, "", "the field is emptied at once");
  assert.ok(!root.innerHTML.includes("abcd-efgh"), "the password is nowhere in the page");

  const refused = render({ accounts: [inferredAccount()], newPassword: { icloud: { open: true, status: "refused" } } }).root;
  assert.equal(refused.querySelector(".new-password-result").textContent, "The server refused this password. Nothing was saved.");
});

test("the consent state is an action: one button to test the saved password once, or the hint when testing is off", () => {
  const consent = {
    id: "a", name: "Other", type: "imap",
    state: { checkedAt: 1, usedPassword: false, result: { verdict: "inconclusive", findings: [{
      code: "auth.not_tested", severity: "warning", subject: "incoming", title: "Test the saved password once?",
      detail: "Thunderbird could not log in to mail.example.test, and nothing known about this server tells why.",
      params: { observed_failure: true, action: "test_password", inferred: true, basis: "observed_failure", possible_causes: ["auth.wrong_password", "auth.username_format", "auth.account_locked"] } }] } },
  };
  const asked = [];
  const { root } = render({ accounts: [consent] }, "en", { diagnose: (id, o) => asked.push([id, o]) });
  assert.equal(root.querySelector(".account-status").textContent, "Test the password?");
  assert.equal(root.querySelector(".inconclusive"), null, "not shown as unclear");
  assert.equal(root.querySelectorAll("button.test-password, button.test-password-once").length, 1, "one button, not two");
  root.querySelector("button.test-password-once").click();
  assert.deepEqual(asked, [["a", { withPassword: true }]]);
  assert.equal(root.querySelector("button.new-password-open").textContent, "Enter a new password");
  const never = render({ accounts: [consent], savedPasswordOption: "never" }).root;
  assert.equal(never.querySelector("button.test-password-once"), null);
  assert.ok(never.textContent.includes("switched off in the options"));
});

test("after a change that did not help, Undo is prominent and names the value it restores; a withheld password is explained", () => {
  const undone = [];
  const undo = { kind: "change_setting", subject: "incoming", setting: "security", value: "tls", replaced: "starttls", appliedAt: Date.now(), better: false, blocked: null };
  const { root } = render({ accounts: [problemAccount({ undo, withheld: { incoming: 5 } })] }, "en", { undo: (id) => undone.push(id) });
  assert.ok(root.querySelector(".undo").classList.contains("undo-prominent"));
  assert.equal(root.querySelector(".undo-text").textContent, "The change did not help.");
  const b = root.querySelector("button.undo-button");
  assert.equal(b.textContent, "Undo: set connection security back to SSL/TLS");
  b.click();
  assert.deepEqual(undone, ["account1"]);
  assert.ok(root.querySelector(".withheld").textContent.includes("does not send it again"));
});

test("after a change that helped, Undo stays as a quiet offer for a day; none where it would lower security", () => {
  const at = Date.now();
  const undo = { kind: "change_setting", subject: "incoming", setting: "port", value: 993, replaced: 143, appliedAt: at, better: true, blocked: null };
  const quiet = render({ accounts: [problemAccount({ undo })] }, "de").root;
  assert.ok(quiet.querySelector(".undo").classList.contains("undo-quiet"));
  assert.equal(quiet.querySelector(".undo-text").textContent, "Geändert: Port von 993 auf 143.");
  assert.equal(quiet.querySelector("button.undo-button").textContent, "Rückgängig: Port wieder auf 993");
  const dom = jsdom();
  const root = dom.window.document.getElementById("root");
  const noop = () => {};
  const model = { accounts: [problemAccount({ undo })], expanded: new Set(), notes: {}, savedPasswordOption: "ask" };
  renderPopup(dom.window.document, root, model, translator("en"), { undo: noop, diagnose: noop }, { now: at + 24 * 3600 * 1000 });
  assert.equal(root.querySelector(".undo"), null, "gone after a day");
  const blocked = { ...undo, setting: "security", value: "none", replaced: "starttls", better: false, blocked: "lowers_security" };
  const b = render({ accounts: [problemAccount({ undo: blocked })] }).root;
  assert.equal(b.querySelector("button.undo-button"), null, "no button that turns encryption off");
  assert.ok(b.querySelector(".undo-blocked").textContent.includes("lower the connection's security"));
});

test("the account that needs attention comes first, the one asked for before it", async () => {
  const { orderAccounts } = await import("../../extension/popup/render.js");
  const ok = { id: "ok", state: { checkedAt: 5, result: { verdict: "ok" } } };
  const old = { id: "old", state: { checkedAt: 1, result: { verdict: "problem" } } };
  const recent = { id: "recent", state: { checkedAt: 9, result: { verdict: "problem" } } };
  const none = { id: "none", state: null };
  assert.deepEqual(orderAccounts([ok, old, none, recent], null).map((a) => a.id), ["recent", "old", "ok", "none"]);
  assert.deepEqual(orderAccounts([ok, old, none, recent], "none").map((a) => a.id), ["none", "recent", "old", "ok"]);
});

test("OAuth2: the host's test_token action is one button, and the oauth_signin fix opens Thunderbird's sign-in", () => {
  const tokenTest = {
    id: "o", name: "Outlook", type: "imap",
    state: { checkedAt: 1, usedPassword: false, result: { verdict: "inconclusive", findings: [{
      code: "auth.not_tested", severity: "warning", subject: "incoming", title: "Test the sign-in once?", detail: "…",
      params: { observed_failure: true, action: "test_token", inferred: true, basis: "observed_failure",
                possible_causes: ["auth.oauth_signin_required", "auth.oauth_consent_required", "auth.protocol_disabled"] } }] } },
  };
  const asked = [];
  const first = render({ accounts: [tokenTest] }, "en", { diagnose: (id, o) => asked.push([id, o]) }).root;
  first.querySelector("button.test-token-once").click();
  assert.deepEqual(asked, [["o", { withToken: true }]]);
  assert.equal(first.querySelector("button.test-password-once"), null, "an OAuth2 account has no password to test");
  assert.equal(first.querySelector("button.new-password-open"), null);

  const expired = {
    id: "o", name: "Outlook", type: "imap",
    state: { checkedAt: 1, usedPassword: false, result: { verdict: "problem", findings: [{
      code: "auth.oauth_signin_required", severity: "error", subject: "outgoing", title: "t", detail: "d", evidence: ["invalid_grant"],
      fixes: [{ kind: "oauth_signin", subject: "outgoing", label: "Sign in again" }] }] } },
  };
  const signIns = [];
  const { root } = render({ accounts: [expired] }, "de", { signIn: (id, subject) => signIns.push([id, subject]) });
  const button = root.querySelector("button.fix-signin");
  assert.equal(button.textContent, "Erneut anmelden");
  button.click();
  assert.deepEqual(signIns, [["o", "outgoing"]]);
});

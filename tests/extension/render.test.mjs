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
    { diagnose: noop, toggleDetails: noop, openUrl: noop, askApply: noop, confirmApply: noop, cancelApply: noop, copyReport: noop, ...handlers },
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
  assert.equal(titles[0], "An app password is needed");
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

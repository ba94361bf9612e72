/* Issue 16 in the popup: the yellow warning card (and red still winning), the paused note with its resume button. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderPopup } from "../../extension/popup/render.js";
import { jsdom, translator } from "./helpers.mjs";

const CERT = { code: "tls.cert_expires_soon", severity: "warning", subject: "incoming", title: "The server's certificate expires on 2026-12-15", detail: "Renew it.", params: { not_after: "2026-12-15", days_left: 8 } };

function render(accounts, lang = "en", handlers = {}) {
  const dom = jsdom();
  const root = dom.window.document.getElementById("root");
  const model = { accounts, expanded: new Set(), notes: {}, confirm: null, focus: null, savedPasswordOption: "ask", newPassword: {} };
  renderPopup(dom.window.document, root, model, translator(lang), handlers, { formatTime: () => "12:00" });
  return root;
}

test("an early warning makes the card yellow and shows the warning with its date; the quiet check's time is named", () => {
  const root = render([{ id: "a", name: "A", type: "imap", state: { early: { checkedAt: 5, warnings: [CERT] } } }]);
  const card = root.querySelector('[data-account="a"]');
  assert.ok(card.classList.contains("status-warning"));
  assert.equal(card.querySelector(".account-status").textContent, "Action needed soon");
  assert.equal(card.querySelector('.finding[data-code="tls.cert_expires_soon"] .finding-title').textContent, CERT.title);
  assert.equal(card.querySelector(".checked-at").textContent, "Checked without logging in at 12:00");
  const de = render([{ id: "a", name: "A", type: "imap", state: { early: { checkedAt: 5, warnings: [CERT] } } }], "de");
  assert.equal(de.querySelector(".account-status").textContent, "Bald handeln");
});

test("accounts with an early warning come after those with a problem and before the rest", () => {
  const problem = { checkedAt: 1, result: { verdict: "problem", findings: [{ code: "auth.wrong_password", severity: "error", subject: "incoming" }] } };
  const root = render([
    { id: "plain", name: "P", type: "imap", state: { checkedAt: 1, result: { verdict: "ok", findings: [] } } },
    { id: "warn", name: "W", type: "imap", state: { early: { checkedAt: 5, warnings: [CERT] } } },
    { id: "bad", name: "B", type: "imap", state: problem },
  ]);
  assert.deepEqual([...root.querySelectorAll("section")].map((s) => s.dataset.account), ["bad", "warn", "plain"]);
});

test("a problem stays red over a warning, which is still listed once", () => {
  const state = {
    checkedAt: 1, trigger: "login-failure",
    result: { verdict: "problem", findings: [{ code: "auth.wrong_password", severity: "error", subject: "incoming", title: "Wrong password" }, CERT] },
    early: { checkedAt: 2, warnings: [CERT] },
  };
  const card = render([{ id: "a", name: "A", type: "imap", state }]).querySelector('[data-account="a"]');
  assert.ok(card.classList.contains("status-problem"));
  assert.equal(card.querySelectorAll('.finding[data-code="tls.cert_expires_soon"]').length, 1);
});

test("a paused account says so and offers to resume; an account not paused does not", () => {
  const resumed = [];
  const state = { checkedAt: 1, trigger: "popup", usedPassword: true, paused: { at: 1, code: "auth.wrong_password" },
    result: { verdict: "problem", findings: [{ code: "auth.wrong_password", severity: "error", subject: "incoming", title: "Wrong password" }] } };
  const root = render([{ id: "a", name: "A", type: "imap", state }, { id: "b", name: "B", type: "imap", state: { ...state, paused: null } }], "en", { resume: (id) => resumed.push(id) });
  const paused = root.querySelector('[data-account="a"] .paused');
  assert.equal(paused.querySelector(".paused-text").textContent, "Automatic checks paused so that the server does not lock you out");
  paused.querySelector("button.resume-checks").click();
  assert.deepEqual(resumed, ["a"]);
  assert.equal(root.querySelector('[data-account="b"] .paused'), null);
  const de = render([{ id: "a", name: "A", type: "imap", state }], "de");
  assert.equal(de.querySelector(".paused-text").textContent, "Automatische Abrufe angehalten, damit der Server Sie nicht aussperrt");
});

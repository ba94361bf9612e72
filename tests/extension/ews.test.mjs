/* Exchange (EWS) accounts of Thunderbird 145+ (issue 14, item 6): not checked yet, but never skipped silently. */
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { renderPopup } from "../../extension/popup/render.js";
import { jsdom, translator } from "./helpers.mjs";
import { world, settle } from "./world.mjs";

const EWS = { id: "account7", name: "Exchange at work", type: "ews" };

function render(accounts, lang) {
  const dom = jsdom();
  const doc = dom.window.document;
  const root = doc.getElementById("root");
  const noop = () => {};
  renderPopup(doc, root, { accounts, expanded: new Set(), notes: {}, savedPasswordOption: "ask" }, translator(lang),
    { diagnose: noop, toggleDetails: noop, openUrl: noop, askApply: noop, confirmApply: noop, cancelApply: noop, copyReport: noop,
      openNewPassword: noop, closeNewPassword: noop, testNewPassword: noop, undo: noop }, { formatTime: () => "12:00" });
  return root;
}

test("an EWS account is listed with a card that says it is not checked yet, in en and de", async () => {
  const { doctor } = await world({ moreListed: [EWS] });
  const listed = await doctor.accountsWithState();
  const ews = listed.find((a) => a.id === "account7");
  assert.ok(ews, "the EWS account is not dropped");
  assert.equal(ews.notChecked, "ews");
  for (const lang of ["en", "de"]) {
    const root = render(listed, lang);
    const card = root.querySelector('[data-account="account7"]');
    assert.ok(card, `${lang}: a card for the EWS account`);
    assert.equal(card.querySelector(".not-checked-note").textContent, translator(lang)("accountEwsNotChecked"));
    assert.match(card.querySelector(".not-checked-note").textContent, /EWS/);
    assert.equal(card.querySelector("button"), null, `${lang}: nothing to diagnose on it`);
    assert.ok(root.querySelector('[data-account="account1"] button'), "the IMAP account keeps its Diagnose button");
  }
});

test("the start-up check does not send an EWS account to the host", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, calls } = await world({ moreListed: [EWS] });
    const started = await doctor.checkStale("startup", 0);
    await settle(2000);
    assert.equal(started.includes("account7"), false);
    assert.ok(calls.requests.every((r) => r.account.name !== "Exchange at work"));
  } finally {
    mock.timers.reset();
  }
});

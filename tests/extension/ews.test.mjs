/* Exchange (EWS) accounts of Thunderbird 145+ (issue 14, item 6): never skipped silently; checked on request, without
 * signing in: the host probes the EWS URL the experiment reads from the server's "ews_url" value. */
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

test("an EWS account not checked yet has a card that says how it is checked, and a Diagnose button, in en and de", async () => {
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
    assert.ok(card.querySelector("button.diagnose"), `${lang}: the EWS server can be checked on request`);
    assert.ok(root.querySelector('[data-account="account1"] button'), "the IMAP account keeps its Diagnose button");
  }
});

const EWS_SETTINGS = {
  accountId: "account7", name: "Exchange at work", email: "carol@example.test", identityId: "id7", type: "ews",
  incoming: { key: "server7", protocol: "ews", url: "https://mail.example.test/EWS/Exchange.asmx", auth: "ntlm", username: "carol" },
  outgoing: null,
};

test("Diagnose on an EWS account sends its URL without any password, and the card then shows the host's result", async () => {
  const result = {
    version: 1, verdict: "problem",
    findings: [{ code: "auth.oauth_required", severity: "error", subject: "incoming", title: "only OAuth2", detail: "d",
                 params: { protocol: "ews", schemes: ["Bearer"], bearer: true } }],
  };
  const { doctor, calls } = await world({ moreListed: [EWS], moreSettings: { account7: EWS_SETTINGS }, respond: async () => result,
                                          options: { autoDiagnose: true, savedPassword: "always" } });
  await doctor.diagnose("account7");
  const sent = calls.requests.find((r) => r.account.name === "Exchange at work");
  assert.ok(sent, "the EWS account went to the host");
  assert.deepEqual(sent.account.incoming, { protocol: "ews", url: "https://mail.example.test/EWS/Exchange.asmx", username: "carol", auth: "ntlm" });
  assert.equal(sent.options.login, false);
  assert.equal("discover_missing" in sent.options, false, "nothing is discovered for an EWS account");
  assert.deepEqual(calls.passwordReads.filter(([id]) => id === "account7"), [], "no saved password is read for EWS");
  const listed = await doctor.accountsWithState();
  const ews = listed.find((a) => a.id === "account7");
  assert.equal(ews.notChecked, undefined, "once checked, the card shows the result");
  const card = render(listed, "en").querySelector('[data-account="account7"]');
  assert.equal(card.querySelector(".not-checked-note"), null);
  assert.match(card.textContent, /OAuth2/);
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

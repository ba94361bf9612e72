/* The popup's wiring: asks the background for the state, renders it, and forwards the user's clicks. */

import { renderPopup } from "./render.js";

const t = (key, subs) => messenger.i18n.getMessage(key, subs);
const root = document.getElementById("accounts");
// newPassword: accountId -> {open, status}; the password itself is never in the model.
const model = { accounts: [], expanded: new Set(), notes: {}, confirm: null, focus: null, savedPasswordOption: "ask", newPassword: {} };

function draw() {
  renderPopup(document, root, model, t, handlers);
}

async function refresh() {
  const state = await messenger.runtime.sendMessage({ type: "getState" });
  model.accounts = state.accounts;
  model.savedPasswordOption = state.savedPasswordOption;
  if (state.focus) {
    model.focus = state.focus;
    model.expanded.add(state.focus);
  }
  // The popup closed while the user made the password on the provider's page: the form is open again.
  if (state.newPasswordFor && !model.newPassword[state.newPasswordFor]) model.newPassword[state.newPasswordFor] = { open: true };
  draw();
}

const handlers = {
  diagnose(accountId, { withPassword = false, withToken = false }) {
    delete model.notes[accountId];
    messenger.runtime.sendMessage({ type: "diagnose", accountId, withPassword, withToken }).then(refresh);
  },
  signIn(accountId, subject) {
    delete model.notes[accountId];
    messenger.runtime.sendMessage({ type: "signIn", accountId, subject }).then(refresh);
  },
  toggleDetails(accountId) {
    if (model.expanded.has(accountId)) model.expanded.delete(accountId);
    else model.expanded.add(accountId);
    draw();
  },
  openUrl(url, accountId = null) {
    messenger.runtime.sendMessage({ type: "openUrl", url, newPasswordFor: accountId });
  },
  openNewPassword(accountId) {
    model.newPassword[accountId] = { open: true };
    draw();
    document.querySelector(`[data-account="${CSS.escape(accountId)}"] .new-password-input`)?.focus();
  },
  closeNewPassword(accountId) {
    delete model.newPassword[accountId];
    messenger.runtime.sendMessage({ type: "closeNewPassword", accountId });
    draw();
  },
  async testNewPassword(accountId, password) {
    model.newPassword[accountId] = { open: true, status: "testing" };
    draw();
    let outcome;
    try {
      outcome = await messenger.runtime.sendMessage({ type: "testPassword", accountId, password });
    } catch (e) {
      outcome = { status: "not_tried" };
    }
    if (outcome?.status === "saved" || outcome?.status === "save_failed") {
      // The account now works, so its card has no password form any more: the outcome goes to the notes.
      delete model.newPassword[accountId];
      model.notes[accountId] = t(outcome.status === "saved" ? "newPasswordSaved" : "newPasswordSaveFailed");
    } else {
      model.newPassword[accountId] = { open: true, status: outcome?.status ?? "not_tried" };
    }
    await refresh();
  },
  async resume(accountId) {
    await messenger.runtime.sendMessage({ type: "resumeChecks", accountId });
    await refresh();
  },
  async undo(accountId) {
    model.notes[accountId] = t("undoDone");
    draw();
    try {
      const reply = await messenger.runtime.sendMessage({ type: "undoFix", accountId });
      if (reply?.undone === false) model.notes[accountId] = t("undoRefused");
      else delete model.notes[accountId];
    } catch (e) {
      model.notes[accountId] = `${t("fixFailed")} ${e?.message ?? e}`;
    }
    await refresh();
  },
  async askApply(accountId, fix) {
    const preview = await messenger.runtime.sendMessage({ type: "previewFix", accountId, fix });
    model.confirm = { accountId, fix, preview };
    draw();
  },
  async confirmApply() {
    const { accountId, fix } = model.confirm;
    model.confirm = null;
    model.notes[accountId] = t("fixApplied");
    draw();
    try {
      await messenger.runtime.sendMessage({ type: "applyFix", accountId, fix });
      delete model.notes[accountId];
    } catch (e) {
      model.notes[accountId] = `${t("fixFailed")} ${e?.message ?? e}`;
    }
    await refresh();
  },
  cancelApply() {
    model.confirm = null;
    draw();
  },
  async copyReport(accountId) {
    const report = await messenger.runtime.sendMessage({ type: "report", accountId });
    await navigator.clipboard.writeText(report);
    model.notes[accountId] = t("reportCopied");
    draw();
  },
};

document.getElementById("title").textContent = t("popupTitle");
messenger.runtime.onMessage.addListener((message) => {
  if (message?.type === "stateChanged") refresh();
});
refresh().then(() => messenger.runtime.sendMessage({ type: "popupOpened" }));

/* Renders the popup from a plain model. Server and Thunderbird text goes in through textContent only:
 * this module never parses HTML, so an [ALERT] carrying markup shows up as the characters it is. */

import { shownStatus, earlyWarnings, consentFinding, ATTENTION_STATUSES } from "../background/state.js";
import { warningKey } from "../background/early.js";
import { localizeFinding, fixLabel, settingLabel, subjectLabel, settingValueLabel, isOpenableUrl } from "../shared/findings.js";
import { offerableFixes } from "../shared/safety.js";
import { UNDO_WINDOW_MS } from "../background/undo.js";

// Thunderbird's proxy that maildoctor could not follow (the experiment's ProxySettings.unread): the diagnosis went direct.
const PROXY_UNREAD_KEYS = { system: "proxyUnreadSystem", pac: "proxyUnreadPac", wpad: "proxyUnreadWpad", invalid: "proxyUnreadInvalid" };
const STATUS_KEYS = {
  ok: "statusOk",
  problem: "statusProblem",
  unchecked: "statusUnchecked",
  checking: "statusChecking",
  error: "statusError",
  inconclusive: "statusInconclusive",
  consent: "statusConsent",
  warning: "statusWarning",
};
const TRIGGER_KEYS = {
  "login-failure": "triggerLoginFailure",
  "send-failure": "triggerSendFailure",
  startup: "triggerStartup",
  popup: "triggerPopup",
  "after-fix": "triggerAfterFix",
  "after-undo": "triggerAfterUndo",
  "new-password": "triggerNewPassword",
};
// Every step the host reports (host/src/probe/probe_checks.cpp, host/src/discover); locales.test.mjs checks this.
export const STEP_KEYS = {
  dns: "stepDns", connect: "stepConnect", tls: "stepTls", starttls: "stepStarttls", greeting: "stepGreeting",
  capabilities: "stepCapabilities", auth: "stepAuth", mailbox: "stepMailbox", sender: "stepSender", discover: "stepDiscover",
};
// Findings after which a newly typed password is the fix; an inferred finding that lists one of them counts too.
const NEW_PASSWORD_CODES = ["auth.app_password_required", "auth.wrong_password"];
const NEW_PASSWORD_RESULTS = {
  saved: "newPasswordSaved", save_failed: "newPasswordSaveFailed", refused: "newPasswordRefused", withheld: "newPasswordWithheld",
  invalid: "newPasswordInvalid", not_tried: "newPasswordNotTried",
};
const CHECK_KEYS = { pass: "checkPass", fail: "checkFail", skip: "checkSkip" };

function el(doc, tag, { className, text, attrs } = {}, children = []) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

function button(doc, text, onClick, className = "") {
  const b = el(doc, "button", { className, text, attrs: { type: "button" } });
  b.addEventListener("click", onClick);
  return b;
}

function errorText(error, t) {
  if (error.code === "host_failed") return t("errorHostFailed");
  if (error.code === "timeout") return t("errorTimeout");
  if (error.code === "unsupported" || error.code === "no_host") return t("errorUnsupported");
  return `${t("errorGeneric")} ${error.message || error.code}`;
}

function renderChecks(doc, checks, t) {
  const list = el(doc, "ul", { className: "checks" });
  for (const check of checks ?? []) {
    const step = (STEP_KEYS[check.step] && t(STEP_KEYS[check.step])) || check.step;
    const status = (CHECK_KEYS[check.status] && t(CHECK_KEYS[check.status])) || check.status;
    const item = el(doc, "li", { className: `check check-${check.status}` }, [
      el(doc, "span", { className: "check-subject", text: subjectLabel(check.subject, t) }),
      el(doc, "span", { className: "check-step", text: step }),
      el(doc, "span", { className: "check-status", text: status }),
      el(doc, "span", { className: "check-ms", text: `${Number(check.ms) || 0} ms` }),
    ]);
    if (check.detail) item.append(el(doc, "div", { className: "check-detail", text: check.detail }));
    list.append(item);
  }
  return list;
}

function renderTranscript(doc, transcript) {
  const lines = (transcript ?? []).map((l) => `${String(l.ms ?? "").padStart(5)} ${l.subject === "outgoing" ? "out" : "in "} ${l.dir} ${l.line}`);
  return el(doc, "pre", { className: "transcript", text: lines.join("\n") });
}

function renderFix(doc, account, finding, fix, t, handlers) {
  if (fix.kind === "open_url") {
    if (!isOpenableUrl(fix.url)) return null;
    return button(doc, fixLabel(fix, t), () => handlers.openUrl(fix.url), "fix fix-url");
  }
  if (fix.kind === "change_setting") {
    const full = { ...fix, subject: fix.subject ?? finding.subject };
    return button(doc, fixLabel(full, t), () => handlers.askApply(account.id, full), "fix fix-setting");
  }
  if (fix.kind === "oauth_signin") {
    // Thunderbird's own sign-in window for that server: an add-on action, no setting changes.
    const subject = fix.subject === "outgoing" ? "outgoing" : "incoming";
    return button(doc, t("fixOauthSignin"), () => handlers.signIn(account.id, subject), "primary fix fix-signin");
  }
  if (fix.kind === "steps") {
    return el(doc, "div", { className: "fix fix-steps" }, [
      el(doc, "div", { className: "fix-steps-title", text: fixLabel(fix, t) }),
      el(doc, "ol", {}, (fix.steps ?? []).map((step) => el(doc, "li", { text: step }))),
    ]);
  }
  return null;
}

/** The finding that makes "enter a new password" the fix, if any. */
export function newPasswordFinding(result) {
  return (result?.findings ?? []).find((f) => {
    if (NEW_PASSWORD_CODES.includes(f?.code)) return true;
    const causes = Array.isArray(f?.params?.possible_causes) ? f.params.possible_causes : [];
    return (f?.params?.inferred === true || f?.params?.action === "test_password") && causes.some((c) => NEW_PASSWORD_CODES.includes(c));
  }) ?? null;
}

function renderFinding(doc, account, finding, t, handlers, model) {
  const text = localizeFinding(finding, t);
  const node = el(doc, "div", { className: `finding severity-${finding.severity ?? "info"}`, attrs: { "data-code": finding.code ?? "" } }, [
    el(doc, "div", { className: "finding-title", text: text.title }),
    text.detail ? el(doc, "div", { className: "finding-detail", text: text.detail }) : null,
    text.basis ? el(doc, "div", { className: "finding-basis", text: text.basis }) : null,
  ]);
  if (text.causes.length) {
    node.append(el(doc, "div", { className: "causes-heading", text: t("possibleCausesHeading") }));
    node.append(el(doc, "ul", { className: "causes" }, text.causes.map((c) => el(doc, "li", { text: c }))));
  }
  if (finding.evidence?.length) {
    node.append(el(doc, "div", { className: "evidence-heading", text: t("evidenceHeading") }));
    node.append(el(doc, "pre", { className: "evidence", text: finding.evidence.join("\n") }));
  }
  const fixes = offerableFixes(finding).map((fix) => renderFix(doc, account, finding, fix, t, handlers)).filter(Boolean);
  // A saved password the server refused minutes ago is not sent again (the withheld note says so): no button.
  if (finding.params?.action === "test_token") {
    fixes.unshift(button(doc, t("testTokenOnceButton"), () => handlers.diagnose(account.id, { withToken: true }), "primary test-token-once"));
  }
  if (finding.params?.action === "test_password" && !account.state?.withheld) {
    if (model.savedPasswordOption === "never") fixes.push(el(doc, "div", { className: "password-hint", text: t("testPasswordNever") }));
    else fixes.unshift(button(doc, t("testPasswordOnceButton"), () => handlers.diagnose(account.id, { withPassword: true }), "primary test-password-once"));
  }
  if (fixes.length) node.append(el(doc, "div", { className: "fixes" }, fixes));
  return node;
}

/* "Enter a new app password": the provider's page, a password field, Test and save. The typed password is read
 * from the field when the button is pressed and handed to the handler; it is never kept in the model. */
function renderNewPassword(doc, account, finding, model, t, handlers) {
  const appPassword = finding.code === "auth.app_password_required" || finding.params?.possible_causes?.[0] === "auth.app_password_required";
  const label = appPassword ? t("newPasswordButton") : t("newPasswordButtonPlain");
  const box = el(doc, "div", { className: "new-password" });
  const state = model.newPassword?.[account.id];
  if (!state?.open) {
    box.append(button(doc, label, () => handlers.openNewPassword(account.id), "new-password-open"));
    if (state?.status) box.append(el(doc, "div", { className: `note new-password-result result-${state.status}`, text: t(NEW_PASSWORD_RESULTS[state.status] ?? "newPasswordNotTried") }));
    return box;
  }
  const page = (finding.fixes ?? []).find((f) => f.kind === "open_url" && isOpenableUrl(f.url));
  const inputId = `new-password-${account.id}`;
  const input = el(doc, "input", { className: "new-password-input", attrs: { type: "password", id: inputId, autocomplete: "new-password", spellcheck: "false" } });
  const submit = () => {
    const password = input.value;
    input.value = "";
    handlers.testNewPassword(account.id, password);
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") submit();
  });
  box.append(el(doc, "div", { className: "new-password-title", text: label }));
  box.append(el(doc, "div", { className: "new-password-intro", text: t("newPasswordIntro") }));
  if (page) box.append(button(doc, fixLabel(page, t), () => handlers.openUrl(page.url, account.id), "fix fix-url new-password-page"));
  box.append(el(doc, "label", { className: "new-password-label", text: t("newPasswordLabel"), attrs: { for: inputId } }));
  box.append(input);
  const testing = state.status === "testing";
  const go = button(doc, t("newPasswordTest"), submit, "primary new-password-test");
  go.disabled = testing;
  input.disabled = testing;
  box.append(el(doc, "div", { className: "new-password-buttons" }, [go, button(doc, t("buttonCancel"), () => handlers.closeNewPassword(account.id), "new-password-cancel")]));
  if (state.status) box.append(el(doc, "div", { className: `note new-password-result result-${state.status}`, text: t(testing ? "newPasswordTesting" : NEW_PASSWORD_RESULTS[state.status] ?? "newPasswordNotTried") }));
  return box;
}

function renderConfirm(doc, confirm, t, handlers) {
  const { fix, preview } = confirm;
  return el(doc, "div", { className: "confirm", attrs: { role: "alertdialog" } }, [
    el(doc, "div", { className: "confirm-question", text: t("confirmChange", [settingLabel(fix.setting, t), subjectLabel(fix.subject, t)]) }),
    el(doc, "div", { className: "confirm-old" }, [
      el(doc, "span", { text: t("confirmOld") }),
      el(doc, "code", { text: settingValueLabel(fix.setting, preview?.before, t) }),
    ]),
    el(doc, "div", { className: "confirm-new" }, [
      el(doc, "span", { text: t("confirmNew") }),
      el(doc, "code", { text: settingValueLabel(fix.setting, preview?.after ?? fix.value, t) }),
    ]),
    el(doc, "div", { className: "confirm-buttons" }, [
      button(doc, t("buttonApply"), () => handlers.confirmApply(), "primary"),
      button(doc, t("buttonCancel"), () => handlers.cancelApply()),
    ]),
  ]);
}

/* Undo after an Apply (background/undo.js): prominent when the re-test was not better, a quiet offer when it was;
 * where going back would lower security, only the words why there is no button. */
function renderUndo(doc, account, undo, t, handlers, now) {
  if (!undo || !(now - (undo.appliedAt ?? -Infinity) < UNDO_WINDOW_MS)) return null;
  const setting = settingLabel(undo.setting, t);
  if (undo.blocked) {
    return undo.better ? null : el(doc, "div", { className: "undo undo-prominent undo-blocked" }, [
      el(doc, "span", { className: "undo-text", text: `${t("undoOffer")} ${t("undoBlockedSecurity")}` }),
    ]);
  }
  const text = undo.better
    ? t("undoAppliedNote", [setting, settingValueLabel(undo.setting, undo.replaced, t), settingValueLabel(undo.setting, undo.value, t)])
    : t("undoOffer");
  return el(doc, "div", { className: `undo ${undo.better ? "undo-quiet" : "undo-prominent"}`, attrs: { role: undo.better ? "status" : "alert" } }, [
    el(doc, "span", { className: "undo-text", text }),
    button(doc, t("undoButton", [setting, settingValueLabel(undo.setting, undo.value, t)]), () => handlers.undo(account.id), "undo-button"),
  ]);
}

// An account type maildoctor does not check yet: its card says so, with no Diagnose button.
const NOT_CHECKED_KEYS = { ews: "accountEwsNotChecked" };

function renderAccount(doc, account, model, t, handlers, formatTime, now) {
  if (account.notChecked) {
    const card = el(doc, "section", { className: "account status-unchecked not-checked", attrs: { "data-account": account.id } });
    card.append(el(doc, "div", { className: "account-header" }, [
      el(doc, "span", { className: "status-dot", attrs: { "aria-hidden": "true" } }),
      el(doc, "span", { className: "account-name", text: account.name }),
      el(doc, "span", { className: "account-status", text: t("statusUnchecked") }),
    ]));
    card.append(el(doc, "div", { className: "note not-checked-note", text: t(NOT_CHECKED_KEYS[account.notChecked] ?? "errorUnsupported") }));
    // EWS: the server can be probed (without signing in); the result then replaces this notice.
    if (account.notChecked === "ews") card.append(button(doc, t("buttonDiagnose"), () => handlers.diagnose(account.id, {}), "diagnose"));
    return card;
  }
  const entry = account.state;
  const status = shownStatus(entry);
  const card = el(doc, "section", { className: `account status-${status}`, attrs: { "data-account": account.id } });
  const header = el(doc, "div", { className: "account-header" }, [
    el(doc, "span", { className: "status-dot", attrs: { "aria-hidden": "true" } }),
    el(doc, "span", { className: "account-name", text: account.name }),
    el(doc, "span", { className: "account-status", text: status === "checking" && entry?.queued ? t("statusQueued") : t(STATUS_KEYS[status]) }),
    button(doc, t("buttonDiagnose"), () => handlers.diagnose(account.id, {}), "diagnose"),
  ]);
  if (status === "checking") header.lastChild.disabled = true;
  card.append(header);

  if (status === "checking" && entry.progress?.length) card.append(renderChecks(doc, entry.progress, t));
  if (entry?.checkedAt && status !== "checking") {
    const trigger = (TRIGGER_KEYS[entry.trigger] && t(TRIGGER_KEYS[entry.trigger])) || "";
    card.append(el(doc, "div", { className: "checked-at", text: t("checkedAt", [formatTime(entry.checkedAt), trigger]) }));
  }
  if (status === "error") card.append(el(doc, "div", { className: "error", text: errorText(entry.error, t) }));

  const result = entry?.result;
  if (result && status !== "checking" && status !== "error") {
    if (status === "ok") card.append(el(doc, "div", { className: "all-good", text: t("allGood") }));
    if (status === "inconclusive") card.append(el(doc, "div", { className: "inconclusive", text: t("inconclusiveText") }));
    for (const finding of result.findings ?? []) card.append(renderFinding(doc, account, finding, t, handlers, model));
    if (PROXY_UNREAD_KEYS[entry.proxyUnread]) card.append(el(doc, "div", { className: "note proxy-unread", text: t(PROXY_UNREAD_KEYS[entry.proxyUnread]) }));
    for (const [, at] of Object.entries(entry.withheld ?? {}).slice(0, 1)) {
      card.append(el(doc, "div", { className: "note withheld", text: t("withheldNote", [formatTime(at)]) }));
    }
    const pwFinding = newPasswordFinding(result);
    if (pwFinding) card.append(renderNewPassword(doc, account, pwFinding, model, t, handlers));
    const undo = renderUndo(doc, account, entry.undo, t, handlers, now);
    if (undo) card.append(undo);
    if (!entry.usedPassword && model.savedPasswordOption === "ask" && !consentFinding(result) && !entry.withheld) {
      card.append(el(doc, "div", { className: "password-hint", text: t("testPasswordHint") }));
      card.append(button(doc, t("testPasswordButton"), () => handlers.diagnose(account.id, { withPassword: true }), "test-password"));
    }
  }
  renderEarly(doc, card, account, status, model, t, handlers, formatTime);
  if (entry?.paused) {
    card.append(el(doc, "div", { className: "paused", attrs: { role: "status" } }, [
      el(doc, "span", { className: "paused-text", text: t("pausedNote") }),
      button(doc, t("resumeButton"), () => handlers.resume(account.id), "resume-checks"),
    ]));
  }
  if (model.confirm?.accountId === account.id) card.append(renderConfirm(doc, model.confirm, t, handlers));
  if (model.notes?.[account.id]) card.append(el(doc, "div", { className: "note", text: model.notes[account.id] }));

  if (result || entry?.observedError) {
    const expanded = model.expanded?.has(account.id);
    const tools = el(doc, "div", { className: "account-tools" }, [
      button(doc, expanded ? t("buttonHideDetails") : t("buttonDetails"), () => handlers.toggleDetails(account.id), "details-toggle"),
      result ? button(doc, t("buttonCopyReport"), () => handlers.copyReport(account.id), "copy-report") : null,
    ]);
    card.append(tools);
    if (expanded) {
      const details = el(doc, "div", { className: "details" });
      if (entry.observedError) {
        details.append(el(doc, "div", { className: "observed-heading", text: t("observedHeading") }));
        details.append(el(doc, "pre", { className: "observed", text: entry.observedError }));
      }
      if (result?.checks?.length) {
        details.append(el(doc, "h3", { text: t("checksHeading") }), renderChecks(doc, result.checks, t));
      }
      if (result?.transcript?.length) {
        details.append(el(doc, "h3", { text: t("transcriptHeading") }), renderTranscript(doc, result.transcript));
      }
      card.append(details);
    }
  }
  return card;
}

/* The early warnings of the quiet check, each once: those the diagnosis above already listed are not repeated. */
function renderEarly(doc, card, account, status, model, t, handlers, formatTime) {
  const entry = account.state;
  if (status === "checking") return;
  const shown = new Set((entry?.result && status !== "error" ? entry.result.findings ?? [] : []).map(warningKey));
  const warnings = earlyWarnings(entry).filter((f) => !shown.has(warningKey(f)));
  if (!warnings.length) return;
  if (status === "warning" && entry.early?.checkedAt && !entry.checkedAt) {
    card.append(el(doc, "div", { className: "checked-at", text: t("earlyCheckedAt", [formatTime(entry.early.checkedAt)]) }));
  }
  for (const finding of warnings) card.append(renderFinding(doc, account, finding, t, handlers, model));
}

/** The account asked for first, then accounts that need attention (latest first), then those with an early
 * warning, then the rest as listed. */
export function orderAccounts(accounts, focus) {
  const weight = (a) => {
    if (a.id === focus) return 3;
    const status = shownStatus(a.state);
    return ATTENTION_STATUSES.includes(status) ? 2 : status === "warning" ? 1 : 0;
  };
  return accounts
    .map((a, index) => ({ a, index }))
    .sort((x, y) => weight(y.a) - weight(x.a) || (weight(x.a) === 2 ? (y.a.state?.checkedAt ?? 0) - (x.a.state?.checkedAt ?? 0) : 0) || x.index - y.index)
    .map((x) => x.a);
}

/** Replaces root's content with the view of `model`. */
export function renderPopup(doc, root, model, t, handlers, { formatTime = (ms) => new Date(ms).toLocaleTimeString(), now = Date.now() } = {}) {
  root.replaceChildren();
  if (model.accounts.some((a) => a.state?.error?.code === "host_missing")) {
    root.append(
      el(doc, "div", { className: "host-missing", attrs: { role: "alert" } }, [
        el(doc, "div", { className: "host-missing-title", text: t("hostMissingTitle") }),
        el(doc, "div", { text: t("hostMissingText") }),
        el(doc, "code", { className: "install-command", text: t("hostMissingCommand") }),
      ]),
    );
  }
  const accounts = orderAccounts(model.accounts, model.focus);
  if (!accounts.length) root.append(el(doc, "div", { className: "empty", text: t("noAccounts") }));
  for (const account of accounts) root.append(renderAccount(doc, account, model, t, handlers, formatTime, now));
  return root;
}

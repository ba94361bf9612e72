/* Renders the popup from a plain model. Server and Thunderbird text goes in through textContent only:
 * this module never parses HTML, so an [ALERT] carrying markup shows up as the characters it is. */

import { statusOf } from "../background/state.js";
import { localizeFinding, fixLabel, settingLabel, subjectLabel, settingValueLabel, isOpenableUrl } from "../shared/findings.js";

const STATUS_KEYS = {
  ok: "statusOk",
  problem: "statusProblem",
  unchecked: "statusUnchecked",
  checking: "statusChecking",
  error: "statusError",
  inconclusive: "statusInconclusive",
};
const TRIGGER_KEYS = {
  "login-failure": "triggerLoginFailure",
  "send-failure": "triggerSendFailure",
  startup: "triggerStartup",
  popup: "triggerPopup",
  "after-fix": "triggerAfterFix",
};
const STEP_KEYS = { dns: "stepDns", connect: "stepConnect", tls: "stepTls", greeting: "stepGreeting", capabilities: "stepCapabilities", auth: "stepAuth" };
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
  if (fix.kind === "steps") {
    return el(doc, "div", { className: "fix fix-steps" }, [
      el(doc, "div", { className: "fix-steps-title", text: fixLabel(fix, t) }),
      el(doc, "ol", {}, (fix.steps ?? []).map((step) => el(doc, "li", { text: step }))),
    ]);
  }
  return null;
}

function renderFinding(doc, account, finding, t, handlers) {
  const text = localizeFinding(finding, t);
  const node = el(doc, "div", { className: `finding severity-${finding.severity ?? "info"}`, attrs: { "data-code": finding.code ?? "" } }, [
    el(doc, "div", { className: "finding-title", text: text.title }),
    text.detail ? el(doc, "div", { className: "finding-detail", text: text.detail }) : null,
  ]);
  if (finding.evidence?.length) {
    node.append(el(doc, "div", { className: "evidence-heading", text: t("evidenceHeading") }));
    node.append(el(doc, "pre", { className: "evidence", text: finding.evidence.join("\n") }));
  }
  const fixes = (finding.fixes ?? []).map((fix) => renderFix(doc, account, finding, fix, t, handlers)).filter(Boolean);
  if (fixes.length) node.append(el(doc, "div", { className: "fixes" }, fixes));
  return node;
}

function renderConfirm(doc, confirm, t, handlers) {
  const { fix, preview } = confirm;
  return el(doc, "div", { className: "confirm", attrs: { role: "alertdialog" } }, [
    el(doc, "div", { className: "confirm-question", text: t("confirmChange", [settingLabel(fix.setting, t), subjectLabel(fix.subject, t)]) }),
    el(doc, "div", { className: "confirm-old" }, [
      el(doc, "span", { text: t("confirmOld") }),
      el(doc, "code", { text: settingValueLabel(fix.setting, preview?.before) }),
    ]),
    el(doc, "div", { className: "confirm-new" }, [
      el(doc, "span", { text: t("confirmNew") }),
      el(doc, "code", { text: settingValueLabel(fix.setting, preview?.after ?? fix.value) }),
    ]),
    el(doc, "div", { className: "confirm-buttons" }, [
      button(doc, t("buttonApply"), () => handlers.confirmApply(), "primary"),
      button(doc, t("buttonCancel"), () => handlers.cancelApply()),
    ]),
  ]);
}

function renderAccount(doc, account, model, t, handlers, formatTime) {
  const entry = account.state;
  const status = statusOf(entry);
  const card = el(doc, "section", { className: `account status-${status}`, attrs: { "data-account": account.id } });
  const header = el(doc, "div", { className: "account-header" }, [
    el(doc, "span", { className: "status-dot", attrs: { "aria-hidden": "true" } }),
    el(doc, "span", { className: "account-name", text: account.name }),
    el(doc, "span", { className: "account-status", text: t(STATUS_KEYS[status]) }),
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
    for (const finding of result.findings ?? []) card.append(renderFinding(doc, account, finding, t, handlers));
    if (!entry.usedPassword && model.savedPasswordOption === "ask") {
      card.append(el(doc, "div", { className: "password-hint", text: t("testPasswordHint") }));
      card.append(button(doc, t("testPasswordButton"), () => handlers.diagnose(account.id, { withPassword: true }), "test-password"));
    }
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

/** Replaces root's content with the view of `model`. */
export function renderPopup(doc, root, model, t, handlers, { formatTime = (ms) => new Date(ms).toLocaleTimeString() } = {}) {
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
  const accounts = model.focus ? [...model.accounts].sort((a, b) => (a.id === model.focus ? -1 : b.id === model.focus ? 1 : 0)) : model.accounts;
  if (!accounts.length) root.append(el(doc, "div", { className: "empty", text: t("noAccounts") }));
  for (const account of accounts) root.append(renderAccount(doc, account, model, t, handlers, formatTime));
  return root;
}

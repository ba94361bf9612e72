/* The words of the signals next to the account: notification, folder-pane marker, folder-pane menu entry.
 * All come from the same leading finding, so they never disagree with the popup. */

import { statusOf, shownStatus, earlyWarnings, ATTENTION_STATUSES } from "./state.js";
import { leadingFinding } from "./doctor.js";
import { localizeFinding } from "../shared/findings.js";

/** The cause in a few words (the finding's localized title), or null when the account needs no attention. */
export function causeText(entry, t) {
  const status = shownStatus(entry);
  if (status === "warning") return localizeFinding(earlyWarnings(entry)[0], t).title;
  if (!ATTENTION_STATUSES.includes(status)) return null;
  const finding = leadingFinding(entry.result);
  return finding ? localizeFinding(finding, t).title : t(status === "consent" ? "statusConsent" : "statusProblem");
}

/** {title, message} of the one notification for an account. */
export function notificationText(accountName, finding, status, t) {
  const cause = finding ? localizeFinding(finding, t).title : t(status === "consent" ? "statusConsent" : "statusProblem");
  return { title: t("notificationTitleAccount", [accountName]), message: cause };
}

/** {title, message} of the one notification for an early warning: the account and what lies ahead. */
export function warningNotificationText(accountName, finding, t) {
  return { title: t("notificationTitleAccount", [accountName]), message: localizeFinding(finding, t).title };
}

/** The folder-pane context menu entry: the status when there is one ("maildoctor: …"), else the plain action. */
export function menuTitle(entry, t) {
  const cause = causeText(entry, t);
  return cause ? t("menuStatus", [cause]) : t("menuDiagnose");
}

/** What the experiment draws on the account's row, or null to clear it. */
export function markerFor(entry, accountName, t) {
  const cause = causeText(entry, t);
  if (!cause) return null;
  return { tooltip: t("markerTooltip", [accountName, cause]), level: statusOf(entry) === "problem" ? "error" : "warning" };
}

/* Wiring only: connects Thunderbird's events and the popup to the doctor. Listeners are registered at the top
 * level, before any await, so MV3 keeps them persistent and wakes the background for them. */

import { AccountStates } from "./state.js";
import { HostClient } from "./native.js";
import { createDoctor } from "./doctor.js";
import { resolveOptions } from "./options.js";
import { RefusalMemory } from "./refusals.js";
import { notificationText, warningNotificationText, menuTitle, markerFor } from "./attention.js";
import { quietCheckDue } from "./early.js";
import { isOpenableUrl } from "../shared/findings.js";
import { buildReport } from "../shared/report.js";

const DAY_MS = 24 * 3600 * 1000;
const POPUP_RECHECK_MS = 15 * 60 * 1000;
const STARTUP_DELAY_MS = 8000;
const MENU_ID = "maildoctor-diagnose-account";
const QUIET_ALARM = "maildoctor-quiet-check";
// The alarm only looks at the time of the last run (kept in storage.local): a day is counted from that run, also
// across restarts and a suspended background.
const QUIET_ALARM_MINUTES = 60;

const t = (key, subs) => messenger.i18n.getMessage(key, subs);
const states = new AccountStates(messenger.storage.local);
const ready = states.load();
const host = new HostClient((name) => messenger.runtime.connectNative(name));
// storage.session is memory only and outlives a suspended background; only fingerprints go there.
const refusals = new RefusalMemory({ session: messenger.storage.session ?? null });
let focusAccount = null;
let newPasswordFor = null; // the account whose "new password" form was open when the provider's page opened
let adminDefaults = null;
// The last notification per account, for the e2e tests' "getAttention" message (notifications cannot be read back).
const notified = {};

async function getOptions() {
  adminDefaults ??= await messenger.MailDoctor.getAdminDefaults().catch(() => ({}));
  const { options } = await messenger.storage.local.get("options");
  return resolveOptions(options, adminDefaults);
}

async function openPopupView() {
  try {
    await messenger.action.openPopup();
  } catch (e) {
    await messenger.windows.create({ url: messenger.runtime.getURL("popup/popup.html"), type: "popup", width: 480, height: 600 });
  }
}

const doctor = createDoctor({
  api: messenger.MailDoctor,
  accounts: messenger.accounts,
  host,
  states,
  refusals,
  getOptions,
  ui: {
    async setBadge(text, color) {
      await messenger.action.setBadgeText({ text });
      await messenger.action.setBadgeBackgroundColor({ color });
    },
    async notifyProblem(accountId, accountName, finding, status) {
      const { title, message } = notificationText(accountName, finding, status, t);
      notified[accountId] = { title, message, code: finding?.code ?? null, at: Date.now() };
      await messenger.notifications.create(`maildoctor:${accountId}`, {
        type: "basic",
        iconUrl: messenger.runtime.getURL("icons/maildoctor.svg"),
        title,
        message,
      });
    },
    async notifyWarning(accountId, accountName, finding) {
      const { title, message } = warningNotificationText(accountName, finding, t);
      notified[accountId] = { title, message, code: finding?.code ?? null, at: Date.now() };
      await messenger.notifications.create(`maildoctor:${accountId}`, {
        type: "basic",
        iconUrl: messenger.runtime.getURL("icons/maildoctor.svg"),
        title,
        message,
      });
    },
    async setMarker(accountId) {
      const entry = states.get(accountId);
      await messenger.MailDoctor.setAccountMarker(accountId, markerFor(entry, entry?.accountName ?? accountId, t));
    },
  },
  async identityOfTab(tab) {
    const details = await messenger.compose.getComposeDetails(tab.id);
    if (!details?.identityId) return null;
    const identity = await messenger.identities.get(details.identityId);
    return identity ? { accountId: identity.accountId, identityId: identity.id } : null;
  },
});

messenger.MailDoctor.onLoginFailure.addListener(async (failure) => {
  await ready;
  doctor.onLoginFailure(failure);
});

messenger.compose.onAfterSend.addListener(async (tab, sendInfo) => {
  await ready;
  await doctor.onAfterSend(tab, sendInfo);
});

messenger.menus.onClicked.addListener(async (info) => {
  if (info.menuItemId !== MENU_ID) return;
  const folder = info.selectedFolders?.[0] ?? info.selectedFolder;
  if (!folder?.accountId) return;
  focusAccount = folder.accountId;
  await openPopupView();
  await ready;
  doctor.diagnose(folder.accountId, { trigger: "popup" });
});

// Before the menu shows, its entry takes the account's status: "maildoctor: An app password is needed".
messenger.menus.onShown.addListener(async (info) => {
  if (!info.contexts?.includes("folder_pane")) return;
  await ready;
  const folder = info.selectedFolders?.[0] ?? info.selectedFolder;
  const accountId = folder?.accountId ?? info.selectedAccount?.id;
  await messenger.menus.update(MENU_ID, { title: menuTitle(accountId ? states.get(accountId) : null, t) });
  await messenger.menus.refresh();
});

// The marker the experiment drew on the account's row in the folder pane was clicked: open that account's card.
messenger.MailDoctor.onMarkerClicked.addListener(async (accountId) => {
  focusAccount = accountId;
  await openPopupView();
});

messenger.notifications.onClicked.addListener(async (notificationId) => {
  if (!notificationId.startsWith("maildoctor:")) return;
  focusAccount = notificationId.slice("maildoctor:".length);
  await openPopupView();
});

/* The quiet check (early.js): once after start-up, then when a day has passed since the last run. */
let quietRunning = null;
function runQuietCheck({ startup = false } = {}) {
  quietRunning ??= (async () => {
    await ready;
    const { quietCheckAt } = await messenger.storage.local.get("quietCheckAt");
    if (!quietCheckDue(quietCheckAt, Date.now(), { startup })) return null;
    if (!(await getOptions()).autoDiagnose) return null;
    await messenger.storage.local.set({ quietCheckAt: Date.now() });
    return doctor.quietCheck();
  })().finally(() => {
    quietRunning = null;
  });
  return quietRunning;
}

messenger.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === QUIET_ALARM) runQuietCheck().catch((e) => console.error("maildoctor: quiet check", e));
});

function scheduleStartupCheck() {
  setTimeout(async () => {
    await ready;
    await doctor.checkStale("startup", DAY_MS);
    await runQuietCheck({ startup: true }).catch((e) => console.error("maildoctor: quiet check", e));
  }, STARTUP_DELAY_MS);
}
messenger.runtime.onStartup.addListener(scheduleStartupCheck);
messenger.runtime.onInstalled.addListener(scheduleStartupCheck);

messenger.runtime.onMessage.addListener((message) => handleMessage(message));

states.onChange(() => {
  messenger.runtime.sendMessage({ type: "stateChanged" }).catch(() => {});
});

async function handleMessage(message) {
  await ready;
  switch (message?.type) {
    case "getState": {
      const options = await getOptions();
      const focus = focusAccount;
      focusAccount = null;
      return { accounts: await doctor.accountsWithState(), focus, newPasswordFor, savedPasswordOption: options.savedPassword };
    }
    case "getAttention": {
      // What the user was shown without asking: badge, notifications, markers. Used by tests/e2e.
      const badge = await messenger.action.getBadgeText({});
      const markers = {};
      for (const [accountId, entry] of Object.entries(states.all())) markers[accountId] = markerFor(entry, entry?.accountName ?? accountId, t);
      return { badge, notifications: { ...notified }, markers };
    }
    case "popupOpened":
      return doctor.checkStale("popup", POPUP_RECHECK_MS);
    case "diagnose":
      return doctor.diagnose(message.accountId, { trigger: "popup", userConfirmedPassword: message.withPassword === true, userConfirmedToken: message.withToken === true });
    case "signIn":
      // "Sign in again" (fix oauth_signin): Thunderbird's OAuth2 module renews the sign-in, with its own window when
      // needed; the re-test uses the token it gives.
      return doctor.diagnose(message.accountId, { trigger: "popup", scope: message.subject === "outgoing" ? "outgoing" : "incoming", userConfirmedToken: true });
    case "previewFix":
      return doctor.previewFix(message.accountId, message.fix);
    case "applyFix":
      return doctor.applyFix(message.accountId, message.fix);
    case "undoFix":
      return doctor.undoFix(message.accountId);
    case "resumeChecks":
      return doctor.resumeChecks(message.accountId);
    case "quietCheck":
      // tests/e2e: the daily run, now (the start-up run is the same code).
      return runQuietCheck({ startup: true });
    case "testPassword": {
      // The password lives in this call only: it goes to the host and, if accepted, to the login manager.
      const outcome = await doctor.testNewPassword(message.accountId, message.password);
      if (outcome.status === "saved" || outcome.status === "save_failed") newPasswordFor = null;
      return { status: outcome.status, accepted: outcome.accepted ?? [], refused: outcome.refused ?? [] };
    }
    case "closeNewPassword":
      if (newPasswordFor === message.accountId) newPasswordFor = null;
      return null;
    case "openUrl":
      if (!isOpenableUrl(message.url)) return null;
      if (message.newPasswordFor) {
        newPasswordFor = message.newPasswordFor;
        focusAccount = message.newPasswordFor;
      }
      await messenger.windows.openDefaultBrowser(message.url);
      return null;
    case "report": {
      const entry = states.get(message.accountId);
      const settings = await messenger.MailDoctor.getAccountSettings(message.accountId, entry?.identityId ?? undefined);
      return buildReport({ accountName: settings.name, settings, entry, t, version: messenger.runtime.getManifest().version });
    }
    default:
      return undefined;
  }
}

async function createMenu() {
  await messenger.menus.removeAll();
  messenger.menus.create({ id: MENU_ID, title: t("menuDiagnose"), contexts: ["folder_pane"] });
}

createMenu().catch((e) => console.error("maildoctor: menu", e));
messenger.alarms.get(QUIET_ALARM).then((alarm) => {
  if (!alarm) messenger.alarms.create(QUIET_ALARM, { delayInMinutes: QUIET_ALARM_MINUTES, periodInMinutes: QUIET_ALARM_MINUTES });
});
ready.then(async () => {
  await doctor.refreshBadge();
  await doctor.refreshMarkers();
});

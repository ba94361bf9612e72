/* Wiring only: connects Thunderbird's events and the popup to the doctor. Listeners are registered at the top
 * level, before any await, so MV3 keeps them persistent and wakes the background for them. */

import { AccountStates } from "./state.js";
import { HostClient } from "./native.js";
import { createDoctor } from "./doctor.js";
import { resolveOptions } from "./options.js";
import { localizeFinding, isOpenableUrl } from "../shared/findings.js";
import { buildReport } from "../shared/report.js";

const DAY_MS = 24 * 3600 * 1000;
const POPUP_RECHECK_MS = 15 * 60 * 1000;
const STARTUP_DELAY_MS = 8000;
const MENU_ID = "maildoctor-diagnose-account";

const t = (key, subs) => messenger.i18n.getMessage(key, subs);
const states = new AccountStates(messenger.storage.local);
const ready = states.load();
const host = new HostClient((name) => messenger.runtime.connectNative(name));
let focusAccount = null;
let adminDefaults = null;

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
  getOptions,
  ui: {
    async setBadge(text, color) {
      await messenger.action.setBadgeText({ text });
      await messenger.action.setBadgeBackgroundColor({ color });
    },
    async notifyProblem(accountId, accountName, finding) {
      await messenger.notifications.create(`maildoctor:${accountId}`, {
        type: "basic",
        iconUrl: messenger.runtime.getURL("icons/maildoctor.svg"),
        title: t("notificationTitle", [accountName]),
        message: finding ? localizeFinding(finding, t).title : t("statusProblem"),
      });
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

messenger.notifications.onClicked.addListener(async (notificationId) => {
  if (!notificationId.startsWith("maildoctor:")) return;
  focusAccount = notificationId.slice("maildoctor:".length);
  await openPopupView();
});

function scheduleStartupCheck() {
  setTimeout(async () => {
    await ready;
    doctor.checkStale("startup", DAY_MS);
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
      return { accounts: await doctor.accountsWithState(), focus, savedPasswordOption: options.savedPassword };
    }
    case "popupOpened":
      return doctor.checkStale("popup", POPUP_RECHECK_MS);
    case "diagnose":
      return doctor.diagnose(message.accountId, { trigger: "popup", userConfirmedPassword: message.withPassword === true });
    case "previewFix":
      return doctor.previewFix(message.accountId, message.fix);
    case "applyFix":
      return doctor.applyFix(message.accountId, message.fix);
    case "openUrl":
      if (isOpenableUrl(message.url)) await messenger.windows.openDefaultBrowser(message.url);
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
ready.then(() => doctor.refreshBadge());

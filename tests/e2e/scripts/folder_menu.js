// Chrome context (Marionette): opens the folder pane's context menu on the account's row, as a right click does,
// waits for the add-on's entry (its onShown listener retitles it with the account's status), reads the entries'
// labels and closes the menu. arguments[0]: the account id; arguments[1]: the label to wait for; arguments[2]: "click"
// to choose the add-on's entry instead of closing the menu.
const resolve = arguments[arguments.length - 1];
(async () => {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const key = MailServices.accounts.getAccount(arguments[0]).incomingServer.key;
  const mail = Services.wm.getMostRecentWindow("mail:3pane");
  const about3Pane = mail.gTabmail.currentAbout3Pane;
  const doc = about3Pane.document;
  const row = [...doc.querySelectorAll(`li[data-server-key="${key}"]`)].find((r) => r.dataset.serverType !== undefined);
  if (!row) return { error: "no folder-pane row for the account" };
  const menu = doc.getElementById("folderPaneContext");
  const target = row.querySelector(".container") ?? row;
  const rect = target.getBoundingClientRect();
  const shown = new Promise((r) => menu.addEventListener("popupshown", r, { once: true }));
  target.dispatchEvent(new about3Pane.MouseEvent("contextmenu", { bubbles: true, cancelable: true, button: 2, clientX: rect.x + 5, clientY: rect.y + 5 }));
  await shown;
  const entries = () => [...menu.querySelectorAll("menuitem")].filter((m) => /maildoctor/.test(m.id)).map((m) => m.getAttribute("label"));
  const initial = entries();
  // The add-on's onShown listener updates the entry and refreshes the open menu.
  const wanted = arguments[1];
  for (let i = 0; i < 60 && !entries().some((l) => l === wanted); i++) await new Promise((r) => mail.setTimeout(r, 50));
  const labels = entries();
  const hidden = new Promise((r) => menu.addEventListener("popuphidden", r, { once: true }));
  const entry = [...menu.querySelectorAll("menuitem")].find((m) => /maildoctor/.test(m.id));
  if (arguments[2] === "click" && entry) menu.activateItem(entry);
  else menu.hidePopup();
  await hidden;
  return { initial, labels, clicked: arguments[2] === "click" && Boolean(entry) };
})().then(resolve, (e) => resolve({ error: String(e) }));

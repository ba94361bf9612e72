// Chrome context (Marionette): what Thunderbird's own UI shows for the add-on outside its popup: the toolbar
// button's badge (as drawn in the 3-pane window), the open notifications (alert windows) and the add-on's
// folder-pane menu entry and account-row marker, read from the DOM. arguments[0]: the account id.
const resolve = arguments[arguments.length - 1];
(async () => {
  const mail = Services.wm.getMostRecentWindow("mail:3pane");
  const doc = mail.document;
  const buttons = [...doc.querySelectorAll("[extension], [item-id], [id*='maildoctor']")].filter((n) =>
    [n.id, n.getAttribute("extension"), n.getAttribute("item-id")].some((v) => v && v.includes("maildoctor")),
  );
  const button = buttons.map((n) => (n.localName === "button" ? n : n.querySelector("button") ?? n)).find((n) => n) ?? null;
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const serverKey = MailServices.accounts.getAccount(arguments[0]).incomingServer.key;
  const about3Pane = mail.gTabmail?.currentAbout3Pane?.document ?? null;
  const rows = about3Pane ? [...about3Pane.querySelectorAll(`li[data-server-key="${serverKey}"]`)].filter((r) => r.dataset.serverType !== undefined) : [];
  const markers = rows.flatMap((row) => [...row.querySelectorAll(".maildoctor-marker")]).map((m) => ({
    title: m.getAttribute("title"),
    hidden: m.hidden || m.getBoundingClientRect().width === 0,
  }));
  return {
    rows: rows.length,
    markers,
    button: button ? button.outerHTML.slice(0, 1500) : null,
    badge: button ? button.getAttribute("badge") ?? button.querySelector(".button-badge, .toolbarbutton-badge, [class*='badge']")?.textContent ?? null : null,
  };
})().then(resolve, (e) => resolve({ error: String(e) }));

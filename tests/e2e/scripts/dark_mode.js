// Chrome context (Marionette): closes open panels and switches the colour scheme the way a dark desktop does.
const resolve = arguments[arguments.length - 1];
const win = Services.wm.getMostRecentWindow("mail:3pane");
for (const panel of win.document.querySelectorAll("panel")) if (panel.state === "open") panel.hidePopup();
Services.prefs.setIntPref("ui.systemUsesDarkTheme", 1);
win.setTimeout(() => resolve({ dark: win.matchMedia("(prefers-color-scheme: dark)").matches }), 500);

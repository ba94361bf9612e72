// Chrome context (Marionette): opens the test's own chrome window, from which every later script runs.
// Why: Marionette answers a pending script with null as soon as a modal prompt opens on its current window
// (its PromptListener resolves the script's "dialog opened" race), and Thunderbird's login prompts open on the
// 3-pane window at times that depend on the server. Prompts whose opener is another window never touch
// scripts run from here. A prompt without a parent goes to the active window, so the 3-pane window must be the
// active one again before this resolves (and the driver window stays in the background from then on).
const resolve = arguments[arguments.length - 1];
const mail = Services.wm.getMostRecentWindow("mail:3pane");
const win = Services.ww.openWindow(null, "about:blank", "maildoctor-e2e-driver", "chrome,dialog=no,width=120,height=80", null);
const done = async () => {
  win.document.title = "maildoctor e2e driver";
  for (let i = 0; i < 100 && Services.focus.activeWindow !== mail; i++) {
    mail.focus();
    await new Promise((r) => mail.setTimeout(r, 50));
  }
  resolve({ opened: true, mailActive: Services.focus.activeWindow === mail, active: Services.focus.activeWindow?.document?.title ?? null });
};
if (win.document.readyState === "complete") done();
else win.addEventListener("load", done, { once: true });

// Chrome context (Marionette): opens the test's own chrome window, from which every later script runs, and after it
// a second, idle one. Why: Marionette answers a pending script with null as soon as a modal prompt opens with its
// current window as opener (its PromptListener resolves the script's "dialog opened" race), and Thunderbird's login
// prompts open at times that depend on the server. Measured here (Xvfb, no window manager): those prompts take the
// most recently opened window as their opener, whatever window is active. The idle window opened last takes that
// role, so no prompt ever has the driver window as opener. The 3-pane window is made the active one again.
const resolve = arguments[arguments.length - 1];
const mail = Services.wm.getMostRecentWindow("mail:3pane");
const open = (name, title) =>
  new Promise((done) => {
    const win = Services.ww.openWindow(null, "about:blank", name, "chrome,dialog=no,width=120,height=80", null);
    const loaded = () => {
      win.document.title = title;
      done(win);
    };
    if (win.document.readyState === "complete") loaded();
    else win.addEventListener("load", loaded, { once: true });
  });
(async () => {
  await open("maildoctor-e2e-driver", "maildoctor e2e driver");
  await open("maildoctor-e2e-prompt-parent", "maildoctor e2e prompt parent");
  for (let i = 0; i < 100 && Services.focus.activeWindow !== mail; i++) {
    mail.focus();
    await new Promise((r) => mail.setTimeout(r, 50));
  }
  return { opened: true, mailActive: Services.focus.activeWindow === mail };
})().then(resolve, (e) => resolve({ error: String(e) }));

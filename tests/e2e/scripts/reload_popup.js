// Chrome context (Marionette): reloads the add-on's open popup, as closing and opening it again would, so it lists
// an account added meanwhile. Resolves once the popup has rendered its account cards again.
const resolve = arguments[arguments.length - 1];
(async () => {
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const browser = [...win.document.querySelectorAll("browser")].find(
    (b) => /^moz-extension:.*\/popup\/popup\.html/.test(b.currentURI?.spec ?? "") && b.closest("panel")?.state === "open",
  );
  if (!browser) return { reloaded: false };
  const before = browser.browsingContext.currentWindowGlobal;
  browser.reload();
  for (let i = 0; i < 100 && browser.browsingContext.currentWindowGlobal === before; i++) await new Promise((r) => win.setTimeout(r, 50));
  return { reloaded: browser.browsingContext.currentWindowGlobal !== before };
})().then(resolve, (e) => resolve({ error: String(e) }));

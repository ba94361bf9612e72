// Chrome context (Marionette): runs a script inside the add-on's open popup, i.e. in the extension process,
// on the popup's real rendered DOM. It goes through Marionette's own content actor (the one WebDriver commands
// in content context use), addressed to the popup <browser>'s browsing context, which Marionette's content
// context cannot select in Thunderbird (no tab browser). arguments: [content script source, its arguments].
// The content script is a function body that returns a JSON-able value (it may return a Promise).
const resolve = arguments[arguments.length - 1];
const [source, contentArgs] = arguments;
(async () => {
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const openPopup = () =>
    [...win.document.querySelectorAll("browser")].find(
      (b) => /^moz-extension:.*\/popup\/popup\.html/.test(b.currentURI?.spec ?? "") && b.closest("panel")?.state === "open" && b.browsingContext?.currentWindowGlobal,
    );
  let browser = openPopup();
  for (let i = 0; i < 100 && !browser; i++) {
    await new Promise((r) => win.setTimeout(r, 50));
    browser = openPopup();
  }
  if (!browser) return { error: "no open popup", browsers: [...win.document.querySelectorAll("browser")].map((b) => b.currentURI?.spec) };
  const global = browser.browsingContext.currentWindowGlobal;
  const actor = global.getActor("MarionetteCommands");
  const wrapped = `return (async () => { ${source} })();`;
  const value = await actor.executeScript(wrapped, contentArgs ?? [], { timeout: 15000, async: false, sandboxName: null, newSandbox: false, file: "popup_run.js", line: 0 });
  return { value };
})().then(resolve, (e) => resolve({ error: String(e), stack: String(e?.stack ?? "") }));

// Chrome context (Marionette): clicks the add-on's button in the unified toolbar, as a user would,
// and resolves once the popup's panel is open.
const resolve = arguments[arguments.length - 1];
(async () => {
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const doc = win.document;
  const isPopup = (b) => /^moz-extension:.*\/popup\/popup\.html/.test(b.currentURI?.spec ?? "") && b.closest("panel")?.state === "open";
  // Already open: a second click would close it.
  if ([...doc.querySelectorAll("browser")].some(isPopup)) return { opened: true, already: true };
  const candidates = [...doc.querySelectorAll("[extension], [item-id], [id*='maildoctor']")].filter((n) =>
    [n.id, n.getAttribute("extension"), n.getAttribute("item-id")].some((v) => v && v.includes("maildoctor")),
  );
  const button = candidates.map((n) => (n.localName === "button" ? n : n.querySelector("button") ?? n)).find((n) => n);
  if (!button) return { opened: false, candidates: candidates.map((n) => n.outerHTML.slice(0, 200)) };
  button.click();
  for (let i = 0; i < 50; i++) {
    const panel = doc.querySelector("panel[panelopen='true'], panel[animating]") ?? [...doc.querySelectorAll("panel")].find((p) => p.state === "open" && p.id.includes("maildoctor"));
    if (panel) return { opened: true, panel: panel.id };
    await new Promise((r) => win.setTimeout(r, 100));
  }
  return { opened: false, button: button.outerHTML.slice(0, 300), panels: [...doc.querySelectorAll("panel")].map((p) => `${p.id}:${p.state}`) };
})().then(resolve, (e) => resolve({ error: String(e) }));

// Chrome context (Marionette): a PNG (data: URL) of the add-on's open popup alone, drawn by Gecko from the
// popup's own browsing context (the same way Marionette's content screenshots are taken).
const resolve = arguments[arguments.length - 1];
(async () => {
  const win = Services.wm.getMostRecentWindow("mail:3pane");
  const browser = [...win.document.querySelectorAll("browser")].find(
    (b) => /^moz-extension:.*\/popup\/popup\.html/.test(b.currentURI?.spec ?? "") && b.closest("panel")?.state === "open",
  );
  if (!browser) return { error: "no open popup" };
  const scale = 1;
  const bitmap = await browser.browsingContext.currentWindowGlobal.drawSnapshot(null, scale, "white");
  const canvas = win.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0);
  return { png: canvas.toDataURL("image/png"), width: bitmap.width, height: bitmap.height };
})().then(resolve, (e) => resolve({ error: String(e) }));

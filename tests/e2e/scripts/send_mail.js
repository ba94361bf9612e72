// Chrome context (Marionette): writes a message from an identity in Thunderbird's compose window and presses Send,
// as a user would (the compose window, so the add-on's compose.onAfterSend sees it). Resolves once the send was
// started; arguments[0]: {accountId, to, subject, body}. "close" as arguments[0] closes the compose window(s).
const resolve = arguments[arguments.length - 1];
const sleep = (ms) => new Promise((r) => window.setTimeout(r, ms));
(async () => {
  if (arguments[0] === "close") {
    let closed = 0;
    for (const win of [...Services.wm.getEnumerator("msgcompose")]) {
      win.close(); // a script's close() skips the "save changes?" question (that is the close event's)
      closed++;
    }
    return { closed };
  }
  const { accountId, to, subject, body } = arguments[0];
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const identity = MailServices.accounts.getAccount(accountId).defaultIdentity;
  const fields = Cc["@mozilla.org/messengercompose/composefields;1"].createInstance(Ci.nsIMsgCompFields);
  fields.to = to;
  fields.subject = subject;
  fields.body = body;
  const params = Cc["@mozilla.org/messengercompose/composeparams;1"].createInstance(Ci.nsIMsgComposeParams);
  params.type = Ci.nsIMsgCompType.New;
  params.format = Ci.nsIMsgCompFormat.PlainText;
  params.identity = identity;
  params.composeFields = fields;
  const before = new Set(Services.wm.getEnumerator("msgcompose"));
  MailServices.compose.OpenComposeWindowWithParams(null, params);
  let win = null;
  for (let i = 0; i < 200 && !win; i++) {
    await sleep(50);
    win = [...Services.wm.getEnumerator("msgcompose")].find((w) => !before.has(w) && w.gMsgCompose && w.document.readyState === "complete") ?? null;
  }
  if (!win) return { error: "no compose window" };
  // The editor is ready once the body is in it (compose-editor-ready); sending before that sends nothing.
  for (let i = 0; i < 200 && !win.gMsgCompose.editor; i++) await sleep(50);
  await sleep(200);
  win.goDoCommand("cmd_sendNow");
  return { sent: true, identityId: identity.key };
})().then(resolve, (e) => resolve({ error: String(e), stack: String(e?.stack ?? "") }));

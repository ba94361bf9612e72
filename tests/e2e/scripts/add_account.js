// Chrome context (Marionette): adds an IMAP account the way the account settings would hold it, while Thunderbird
// runs. arguments[0]: {name, host, port, socketType, authMethod, username, email, smtp?: {host, port, socketType,
// authMethod, username}}. Nothing logs in here: the test keeps Thunderbird offline. (The folder pane of 153 shows
// no row for an account made this way until it is rebuilt; a scenario that needs the row uses an account from the
// profile instead.)
const resolve = arguments[arguments.length - 1];
const spec = arguments[0];
(async () => {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const server = MailServices.accounts.createIncomingServer(spec.username, spec.host, "imap");
  server.port = spec.port;
  server.socketType = spec.socketType;
  server.authMethod = spec.authMethod ?? 3;
  server.prettyName = spec.name;
  server.loginAtStartUp = false;
  server.doBiff = false;
  const identity = MailServices.accounts.createIdentity();
  identity.email = spec.email;
  identity.fullName = "E2E User";
  identity.valid = true;
  let smtpKey = null;
  if (spec.smtp) {
    // 153 creates any outgoing type by name; 128/140 only SMTP, without an argument (XPConnect ignores the extra one).
    const outgoing = MailServices.outgoingServer.createServer("smtp");
    const smtp = outgoing.QueryInterface(Ci.nsISmtpServer);
    smtp.hostname = spec.smtp.host;
    smtp.port = spec.smtp.port;
    outgoing.socketType = spec.smtp.socketType;
    outgoing.authMethod = spec.smtp.authMethod ?? 3;
    outgoing.username = spec.smtp.username;
    identity.smtpServerKey = outgoing.key;
    smtpKey = outgoing.key;
  }
  const account = MailServices.accounts.createAccount();
  account.addIdentity(identity);
  account.incomingServer = server;
  return { accountId: account.key, serverKey: server.key, identityId: identity.key, smtpKey };
})().then(resolve, (e) => resolve({ error: String(e), stack: String(e?.stack ?? "") }));

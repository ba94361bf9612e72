// Chrome context (Marionette): makes Thunderbird log in to the account's incoming server exactly as its start-up
// login does (messenger.js: `defaultServer.performBiff(msgWindow)` when login_at_startup is set), with the 3-pane
// window's msgWindow: IMAP shows its login prompts only when there is one. arguments[0]: the account id.
const resolve = arguments[arguments.length - 1];
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const mail = Services.wm.getMostRecentWindow("mail:3pane");
const server = MailServices.accounts.getAccount(arguments[0]).incomingServer;
server.performBiff(mail.msgWindow);
resolve({ started: true });

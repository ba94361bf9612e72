// Chrome context (Marionette): an account's incoming server settings as Thunderbird itself holds them (not through
// the add-on): the raw socketType, port and authMethod. arguments[0]: the account id.
const resolve = arguments[arguments.length - 1];
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const server = MailServices.accounts.getAccount(arguments[0])?.incomingServer;
resolve(server ? { socketType: server.socketType, port: server.port, authMethod: server.authMethod, host: server.hostname ?? server.hostName } : { error: "no such account" });

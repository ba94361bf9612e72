// Chrome context (Marionette): Thunderbird's own automatic-check settings of an account's incoming server, and what
// the add-on's pause kept (the server pref maildoctor_paused). arguments[0]: the account id; arguments[1]: null, or
// {doBiff, biffMinutes} to set first (the test's stand-in for the user's account settings).
const resolve = arguments[arguments.length - 1];
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const server = MailServices.accounts.getAccount(arguments[0]).incomingServer;
const change = arguments[1];
if (change) {
  if (typeof change.biffMinutes === "number") server.biffMinutes = change.biffMinutes;
  if (typeof change.doBiff === "boolean") server.doBiff = change.doBiff;
}
const pref = `mail.server.${server.key}.maildoctor_paused`;
resolve({
  doBiff: server.doBiff,
  loginAtStartup: server.getBoolValue("login_at_startup"),
  biffMinutes: server.biffMinutes,
  paused: Services.prefs.getPrefType(pref) === Services.prefs.PREF_INVALID ? null : JSON.parse(Services.prefs.getStringPref(pref)),
});

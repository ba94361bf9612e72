// Chrome context (Marionette): takes Thunderbird itself offline (or back online). After the login failure has been
// seen and diagnosed, Thunderbird's own retries (each cancelled prompt lets its next queued IMAP URL log in again)
// would mix with the logins the add-on's host makes, which the tests count at Dovecot. The host is a separate
// process and is not affected. arguments[0]: true for offline.
const resolve = arguments[arguments.length - 1];
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
Services.io.offline = arguments[0];
for (const server of MailServices.accounts.allServers) {
  try {
    server.closeCachedConnections();
  } catch (e) {}
}
resolve({ offline: Services.io.offline });

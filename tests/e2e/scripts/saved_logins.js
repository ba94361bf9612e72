// Chrome context (Marionette): the passwords Thunderbird's login manager holds for an origin ("imap://127.0.0.2"),
// as {username, matches} only: arguments[1] is the password the test expects, compared here so that no password
// travels back to the test's log.
const resolve = arguments[arguments.length - 1];
const [origin, expected] = arguments;
Services.logins
  .searchLoginsAsync({ origin, httpRealm: origin })
  .then((logins) => resolve({ logins: logins.map((l) => ({ username: l.username, matches: l.password === expected })) }))
  .catch((e) => resolve({ error: String(e) }));

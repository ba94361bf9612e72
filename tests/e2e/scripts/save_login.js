// Chrome context (Marionette): saves a password in Thunderbird's login manager, as Thunderbird does when the user
// ticks "remember" (origin = realm = "<protocol>://<host>"). arguments: origin, username, password.
const resolve = arguments[arguments.length - 1];
const [origin, username, password] = arguments;
const info = Cc["@mozilla.org/login-manager/loginInfo;1"].createInstance(Ci.nsILoginInfo);
info.init(origin, null, origin, username, password, "", "");
Services.logins.addLoginAsync(info).then(() => resolve({ saved: true }), (e) => resolve({ error: String(e) }));

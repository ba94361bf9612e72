/* The MailDoctor experiment: the few things no MailExtension API offers (server settings, saved password,
 * login-failure events, changing one setting). Everything else lives in the background script.
 * Works on Thunderbird 128, 140 and 153: attribute and signature differences are handled where they are read. */
"use strict";

((exports) => {
  const { ExtensionCommon } = ChromeUtils.importESModule("resource://gre/modules/ExtensionCommon.sys.mjs");
  const { ExtensionUtils } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs");
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { ExtensionError } = ExtensionUtils;

  const PREF_BRANCH = "extensions.maildoctor.";
  const MESSENGER_BUNDLE = "chrome://messenger/locale/messenger.properties";
  const LOCAL_MSGS_BUNDLE = "chrome://messenger/locale/localMsgs.properties";

  // Thunderbird's en-US mailServerLoginFailed2. The host recognises a refused login by Thunderbird's English words
  // (observed_error); a prompt matched in another language also carries this form, with the same host and user.
  const EN_LOGIN_FAILED = (host, username) => `Login to server ${host} with username ${username} failed.`;

  // IMAP's url.errorCode values that are not about the account's connection or login, so they must not trigger.
  const IGNORED_IMAP_ERROR_CODES = new Set(["imapServerCommandFailed"]);

  /* The translation tables live in terms.js so the unit tests read the very same file. loadSubScript refuses the
   * add-on's jar: URI, so the add-on's root is mapped to a resource:// name for as long as the add-on runs. */
  const resProto = Services.io.getProtocolHandler("resource").QueryInterface(Ci.nsIResProtocolHandler);

  function loadScript(extension, substitution, file, name) {
    resProto.setSubstitution(substitution, extension.rootURI);
    const scope = {};
    Services.scriptloader.loadSubScript(`resource://${substitution}/api/MailDoctor/${file}`, scope);
    return scope[name];
  }

  // 153 renamed hostName to hostname (bug 1787096); read whichever this version has.
  function incomingHost(server) {
    return server.hostname ?? server.hostName ?? null;
  }

  function setIncomingHost(server, host) {
    if ("hostname" in server) server.hostname = host;
    else server.hostName = host;
  }

  function asSmtp(outgoing) {
    try {
      return outgoing.QueryInterface(Ci.nsISmtpServer);
    } catch (e) {
      return null; // EWS outgoing servers (153) have no SMTP interface.
    }
  }

  // Where pauseChecks keeps the server's own values from before the pause; it survives a restart.
  /* Asks Thunderbird's own OAuth2 module (msgIOAuth2Module, as its IMAP/POP3/SMTP code does) for an access token. The
   * refresh token stays inside it. The module reports a failure only as NS_ERROR_ABORT; the words of the token
   * endpoint reach nothing but its console log ("mailnews.oauth", warn level), so the call listens there while it runs. */
  function fetchAccessToken(server, init) {
    const oauth = Cc["@mozilla.org/mail/oauth2-module;1"].createInstance(Ci.msgIOAuth2Module);
    if (!init(oauth, server)) return Promise.resolve({ accessToken: null, error: "Thunderbird has no OAuth2 sign-in for this server." });
    const said = [];
    // Console messages reach listeners of the console API storage (no observer notification since Gecko 1xx).
    const storage = Cc["@mozilla.org/consoleAPI-storage;1"].getService(Ci.nsIConsoleAPIStorage);
    const listener = (event) => {
      const message = event?.wrappedJSObject ?? event;
      if (message?.prefix !== "mailnews.oauth" || (message.level !== "warn" && message.level !== "error")) return;
      const text = (message.arguments ?? []).map(String).join(" ");
      if (/error response|failed/i.test(text)) said.push(text.slice(0, 4000));
    };
    storage.addLogEventListener(listener, Services.scriptSecurityManager.getSystemPrincipal());
    return new Promise((resolve) => {
      oauth.getAccessToken({
        onSuccess: (token) => resolve({ accessToken: token, error: null }),
        onFailure: () => resolve({ accessToken: null, error: said.at(-1) ?? "Thunderbird's OAuth2 sign-in gave no access token." }),
      });
    }).finally(() => storage.removeLogEventListener(listener));
  }

  function pausedPref(server) {
    return `mail.server.${server.key}.maildoctor_paused`;
  }

  function getAccount(accountId) {
    const account = MailServices.accounts.getAccount(accountId);
    if (!account) throw new ExtensionError(`No account with id ${accountId}`);
    return account;
  }

  function getIdentity(account, identityId) {
    if (!identityId) return account.defaultIdentity;
    const identity = account.identities.find((i) => i.key === identityId);
    if (!identity) throw new ExtensionError(`Account ${account.key} has no identity ${identityId}`);
    return identity;
  }

  function outgoingServerFor(identity) {
    if (!identity) return null;
    try {
      return MailServices.outgoingServer.getServerByIdentity(identity);
    } catch (e) {
      return null;
    }
  }

  function describeIncoming(terms, server) {
    // Thunderbird 145+ keeps an EWS account's endpoint in the server's "ews_url" string value (comm-central
    // mailnews/protocols/ews, EwsIncomingServer::GetEwsClient); the host probes that URL without credentials.
    if (server.type === "ews") {
      let url;
      try {
        url = server.getStringValue("ews_url") || undefined;
      } catch (e) {} // no such value: the account cannot be checked, as before
      return { key: server.key, protocol: "ews", url, auth: terms.auth(server.authMethod), username: server.username || null };
    }
    const protocol = terms.incomingProtocol(server.type);
    if (!protocol) return null;
    const security = terms.security(server.socketType);
    return {
      key: server.key,
      protocol,
      host: incomingHost(server),
      port: terms.port(protocol, server.port, security),
      security,
      auth: terms.auth(server.authMethod),
      username: server.username || null,
    };
  }

  function describeOutgoing(terms, outgoing) {
    if (!outgoing || (outgoing.type && outgoing.type !== "smtp")) return null;
    const smtp = asSmtp(outgoing);
    const security = terms.security(outgoing.socketType);
    let host = smtp?.hostname ?? null;
    let port = smtp?.port ?? null;
    if (!host) {
      try {
        host = outgoing.serverURI.host;
        port = outgoing.serverURI.port;
      } catch (e) {}
    }
    return {
      key: outgoing.key,
      protocol: "smtp",
      host,
      port: terms.port("smtp", port, security),
      security,
      auth: terms.auth(outgoing.authMethod),
      username: outgoing.username || null,
    };
  }

  // Origins and realms are "<protocol>://<host>" for mail servers. findLogins() is gone in 153; use the async
  // search where it exists and fall back to findLogins() for older versions.
  async function findSavedPassword(protocol, host, username) {
    const origin = `${protocol}://${host}`;
    try {
      const logins = Services.logins.searchLoginsAsync
        ? await Services.logins.searchLoginsAsync({ origin, httpRealm: origin })
        : Services.logins.findLogins(origin, null, origin);
      const match = logins.find((l) => l.username === username) ?? null;
      return match ? match.password : null;
    } catch (e) {
      return null;
    }
  }

  // Saves a password for one server in Thunderbird's login manager, replacing the one saved for that user.
  async function storePassword(protocol, host, username, password) {
    const origin = `${protocol}://${host}`;
    const logins = Services.logins.searchLoginsAsync
      ? await Services.logins.searchLoginsAsync({ origin, httpRealm: origin })
      : Services.logins.findLogins(origin, null, origin);
    const info = Cc["@mozilla.org/login-manager/loginInfo;1"].createInstance(Ci.nsILoginInfo);
    info.init(origin, null, origin, username, password, "", "");
    const existing = logins.find((l) => l.username === username);
    // Thunderbird 153 has only the async form; 128/140 still have the synchronous one.
    if (existing && Services.logins.modifyLoginAsync) await Services.logins.modifyLoginAsync(existing, info);
    else if (existing) Services.logins.modifyLogin(existing, info);
    else if (Services.logins.addLoginAsync) await Services.logins.addLoginAsync(info);
    else Services.logins.addLogin(info);
  }

  /* Markers on account rows of every about:3pane document (each mail tab has one). The state lives here, so
   * rows that Thunderbird rebuilds, and 3-pane tabs opened later, get the markers again. */
  class FolderPaneMarkers {
    constructor(markerScript) {
      this.script = markerScript;
      this.markers = new Map(); // serverKey -> {marker, onClick}
      this.observed = new WeakSet();
      this.observers = [];
      this.docObserver = { observe: (doc) => this.onNewDocument(doc) };
      Services.obs.addObserver(this.docObserver, "document-element-inserted");
    }

    *documents() {
      for (const win of Services.wm.getEnumerator("mail:3pane")) {
        const tabmail = win.document.getElementById("tabmail");
        for (const info of tabmail?.tabInfo ?? []) {
          const doc = info.chromeBrowser?.contentDocument;
          if (doc && String(doc.documentURI).startsWith("about:3pane")) yield doc;
        }
      }
    }

    onNewDocument(doc) {
      try {
        if (!String(doc?.documentURI).startsWith("about:3pane") || !this.markers.size) return;
        doc.defaultView?.addEventListener("DOMContentLoaded", () => this.watch(doc), { once: true });
      } catch (e) {}
    }

    watch(doc) {
      if (this.observed.has(doc)) return;
      const tree = doc.getElementById("folderTree");
      if (!tree) {
        if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", () => this.watch(doc), { once: true });
        return;
      }
      this.observed.add(doc);
      const observer = new doc.defaultView.MutationObserver(() => this.script.applyAll(doc, this.markers));
      observer.observe(tree, { childList: true, subtree: true });
      this.observers.push(new WeakRef(observer));
      this.script.applyAll(doc, this.markers);
    }

    set(serverKey, marker, onClick) {
      if (marker) this.markers.set(serverKey, { marker, onClick });
      let rows = 0;
      for (const doc of this.documents()) {
        this.watch(doc);
        rows += this.script.apply(doc, serverKey, marker, onClick);
      }
      if (!marker) this.markers.delete(serverKey);
      return rows;
    }

    stop() {
      Services.obs.removeObserver(this.docObserver, "document-element-inserted");
      for (const ref of this.observers) ref.deref()?.disconnect();
      for (const doc of this.documents()) {
        for (const serverKey of this.markers.keys()) this.script.apply(doc, serverKey, null, null);
      }
      this.markers.clear();
    }
  }

  /* A "%S" string from a bundle turned into a pattern that matches its formatted text in this locale. */
  function bundlePattern(bundle, key, argCount) {
    const markers = Array.from({ length: argCount }, (_, i) => `\u0001${i}\u0001`);
    let text;
    try {
      text = bundle.formatStringFromName(key, markers);
    } catch (e) {
      return null;
    }
    let source = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const marker of markers) source = source.replace(marker, "(.+?)");
    return new RegExp(`^${source}$`, "s");
  }

  class FailureWatcher extends ExtensionCommon.EventEmitter {
    constructor() {
      super();
      this.active = false;
      this.feedbackListener = {
        QueryInterface: ChromeUtils.generateQI(["nsIMsgUserFeedbackListener"]),
        // 128/140: onAlert(message, nsIMsgMailNewsUrl); 153: onAlert(message, nsIURI, silent).
        onAlert: (message, url) => {
          this.onAlert(message, url);
          return false; // Never hide Thunderbird's own alert.
        },
        onCertError: (securityInfo, url) => {
          this.onAlert("", url, "certError");
          return false;
        },
      };
      this.observer = { observe: (subject, topic) => this.onDialog(subject, topic) };
    }

    start() {
      if (this.active) return;
      this.active = true;
      const messenger = Services.strings.createBundle(MESSENGER_BUNDLE);
      const localMsgs = Services.strings.createBundle(LOCAL_MSGS_BUNDLE);
      this.loginFailedTitle = bundlePattern(messenger, "mailServerLoginFailedTitleWithAccount", 1);
      this.loginFailedText = bundlePattern(messenger, "mailServerLoginFailed2", 2);
      this.pop3ErrorTitle = bundlePattern(localMsgs, "pop3ErrorDialogTitle", 1);
      this.english = /^en\b/.test(Services.locale.appLocaleAsBCP47);
      MailServices.mailSession.addUserFeedbackListener(this.feedbackListener);
      Services.obs.addObserver(this.observer, "common-dialog-loaded");
      Services.obs.addObserver(this.observer, "tabmodal-dialog-loaded");
    }

    stop() {
      if (!this.active) return;
      this.active = false;
      MailServices.mailSession.removeUserFeedbackListener(this.feedbackListener);
      Services.obs.removeObserver(this.observer, "common-dialog-loaded");
      Services.obs.removeObserver(this.observer, "tabmodal-dialog-loaded");
    }

    onAlert(message, url, forcedCode) {
      let server = null;
      let errorCode = forcedCode ?? null;
      try {
        const mailUrl = url.QueryInterface(Ci.nsIMsgMailNewsUrl);
        server = mailUrl.server;
        if (!errorCode) errorCode = mailUrl.errorCode || null;
      } catch (e) {}
      if (!server && url) {
        try {
          server = MailServices.accounts.findServerByURI(url);
        } catch (e) {}
      }
      if (!server || (errorCode && IGNORED_IMAP_ERROR_CODES.has(errorCode))) return;
      const account = MailServices.accounts.findAccountForServer(server);
      if (!account) return;
      this.emit("failure", {
        accountId: account.key,
        subject: "incoming",
        source: errorCode === "certError" ? "certificate" : "alert",
        message: String(message ?? ""),
        errorCode,
      });
    }

    onDialog(subject) {
      let title = "";
      let text = "";
      try {
        const args = subject.Dialog?.args;
        title = args?.title ?? subject.document?.title ?? "";
        text = args?.text ?? subject.document?.getElementById("infoBody")?.textContent ?? "";
      } catch (e) {
        return;
      }
      for (const failure of this.matchDialog(String(title), String(text))) this.emit("failure", failure);
    }

    matchDialog(title, text) {
      if (this.pop3ErrorTitle) {
        const m = this.pop3ErrorTitle.exec(title);
        if (m) return this.byAccountName(m[1], "alert", text);
      }
      if (!this.loginFailedTitle?.test(title)) return [];
      const m = this.loginFailedText?.exec(text.trim());
      if (!m) return this.byAccountName(this.loginFailedTitle.exec(title)[1], "prompt", text);
      const [, host, username] = m;
      if (!this.english) text = `${text}\n${EN_LOGIN_FAILED(host, username)}`;
      const failures = [];
      for (const account of MailServices.accounts.accounts) {
        const server = account.incomingServer;
        if (server && incomingHost(server) === host && server.username === username) {
          failures.push({ accountId: account.key, subject: "incoming", source: "prompt", message: text, errorCode: null });
        }
      }
      if (failures.length) return failures;
      for (const account of MailServices.accounts.accounts) {
        for (const identity of account.identities) {
          const smtp = asSmtp(outgoingServerFor(identity) ?? {});
          if (smtp && smtp.hostname === host && smtp.username === username) {
            failures.push({
              accountId: account.key,
              identityId: identity.key,
              subject: "outgoing",
              source: "prompt",
              message: text,
              errorCode: null,
            });
            break;
          }
        }
      }
      return failures;
    }

    byAccountName(name, source, text) {
      const account = MailServices.accounts.accounts.find((a) => a.incomingServer?.prettyName === name);
      return account ? [{ accountId: account.key, subject: "incoming", source, message: text, errorCode: null }] : [];
    }
  }

  class MailDoctor extends ExtensionCommon.ExtensionAPIPersistent {
    onStartup() {
      this.ensureWatching();
    }

    ensureWatching() {
      if (!this.watcher) this.watcher = new FailureWatcher();
      this.watcher.start();
    }

    get substitution() {
      return `maildoctor-${this.extension.uuid}`;
    }

    get terms() {
      if (!this._terms) this._terms = loadScript(this.extension, this.substitution, "terms.js", "MailDoctorTerms");
      return this._terms;
    }

    get markers() {
      if (!this._markers) {
        this._markers = new FolderPaneMarkers(loadScript(this.extension, this.substitution, "marker.js", "MailDoctorMarker"));
      }
      return this._markers;
    }

    onShutdown(isAppShutdown) {
      this.watcher?.stop();
      this._markers?.stop();
      if (this._terms || this._markers) resProto.setSubstitution(this.substitution, null);
      if (!isAppShutdown) Services.obs.notifyObservers(null, "startupcache-invalidate");
    }

    // Arrow functions: `this` is the API instance however the framework calls the registrar.
    PERSISTENT_EVENTS = {
      onMarkerClicked: ({ fire }) => {
        if (!this.clicks) this.clicks = new ExtensionCommon.EventEmitter();
        const listener = async (_event, accountId) => {
          if (fire.wakeup) await fire.wakeup();
          fire.async(accountId);
        };
        this.clicks.on("click", listener);
        return {
          unregister: () => this.clicks?.off("click", listener),
          convert(newFire) {
            fire = newFire;
          },
        };
      },
      onLoginFailure: ({ fire }) => {
        this.ensureWatching();
        const listener = async (_event, failure) => {
          if (fire.wakeup) await fire.wakeup();
          fire.async(failure);
        };
        this.watcher.on("failure", listener);
        return {
          unregister: () => this.watcher?.off("failure", listener),
          convert(newFire) {
            fire = newFire;
          },
        };
      },
    };

    getAPI(context) {
      const api = this;
      return {
        MailDoctor: {
          async getAccountSettings(accountId, identityId) {
            const terms = api.terms;
            const account = getAccount(accountId);
            const identity = getIdentity(account, identityId);
            const server = account.incomingServer;
            return {
              accountId,
              name: server?.prettyName ?? accountId,
              type: server?.type ?? "none",
              email: identity?.email || null,
              identityId: identity?.key ?? null,
              incoming: server ? describeIncoming(terms, server) : null,
              outgoing: describeOutgoing(terms, outgoingServerFor(identity)),
            };
          },

          async getSavedPassword(accountId, subject, identityId) {
            const account = getAccount(accountId);
            if (subject === "incoming") {
              const server = account.incomingServer;
              if (!server || !api.terms.incomingProtocol(server.type)) return null;
              return findSavedPassword(server.type, incomingHost(server), server.username);
            }
            const smtp = asSmtp(outgoingServerFor(getIdentity(account, identityId)) ?? {});
            return smtp ? findSavedPassword("smtp", smtp.hostname, smtp.username) : null;
          },

          async getAccessToken(accountId, subject, identityId) {
            const account = getAccount(accountId);
            if (subject === "incoming") {
              const server = account.incomingServer;
              if (!server || server.authMethod !== Ci.nsMsgAuthMethod.OAuth2) throw new ExtensionError("Not an OAuth2 server");
              return fetchAccessToken(server, (oauth, s) => oauth.initFromMail(s));
            }
            const outgoing = outgoingServerFor(getIdentity(account, identityId));
            if (!outgoing || outgoing.authMethod !== Ci.nsMsgAuthMethod.OAuth2) throw new ExtensionError("Not an OAuth2 server");
            return fetchAccessToken(outgoing, (oauth, s) => oauth.initFromOutgoing(s));
          },

          async applySetting(accountId, subject, identityId, setting, value) {
            const terms = api.terms;
            const converted = terms.settingValue(setting, value);
            if (!converted.ok) throw new ExtensionError(`Cannot set ${setting}: ${converted.reason}`);
            const account = getAccount(accountId);
            let before;
            let after;
            if (subject === "incoming") {
              const server = account.incomingServer;
              if (!server || !terms.incomingProtocol(server.type)) throw new ExtensionError("No IMAP/POP3 server");
              before = describeIncoming(terms, server);
              if (setting === "port") server.port = converted.value;
              else if (setting === "security") server.socketType = converted.value;
              else if (setting === "auth") server.authMethod = converted.value;
              else if (setting === "host") setIncomingHost(server, converted.value);
              else if (setting === "username") server.username = converted.value;
              server.closeCachedConnections();
              after = describeIncoming(terms, server);
            } else {
              const outgoing = outgoingServerFor(getIdentity(account, identityId));
              const smtp = outgoing && asSmtp(outgoing);
              if (!smtp) throw new ExtensionError("No SMTP server for this identity");
              before = describeOutgoing(terms, outgoing);
              if (setting === "port") smtp.port = converted.value;
              else if (setting === "security") outgoing.socketType = converted.value;
              else if (setting === "auth") outgoing.authMethod = converted.value;
              else if (setting === "host") smtp.hostname = converted.value;
              else if (setting === "username") outgoing.username = converted.value;
              try {
                outgoing.closeCachedConnections();
              } catch (e) {}
              after = describeOutgoing(terms, outgoing);
            }
            Services.prefs.savePrefFile(null);
            return { before, after };
          },

          async savePassword(accountId, subject, identityId, password) {
            if (typeof password !== "string" || !password || /[\r\n\0]/.test(password)) throw new ExtensionError("Invalid password");
            const account = getAccount(accountId);
            if (subject === "incoming") {
              const server = account.incomingServer;
              if (!server || !api.terms.incomingProtocol(server.type)) throw new ExtensionError("No IMAP/POP3 server");
              await storePassword(server.type, incomingHost(server), server.username, password);
              try {
                server.password = password; // the copy Thunderbird holds in memory for this session
              } catch (e) {}
              return;
            }
            const outgoing = outgoingServerFor(getIdentity(account, identityId));
            const smtp = outgoing && asSmtp(outgoing);
            if (!smtp) throw new ExtensionError("No SMTP server for this identity");
            await storePassword("smtp", smtp.hostname, outgoing.username, password);
            try {
              outgoing.password = password;
            } catch (e) {}
          },

          async setAccountMarker(accountId, marker) {
            const server = getAccount(accountId).incomingServer;
            if (!server) return 0;
            if (!api.clicks) api.clicks = new ExtensionCommon.EventEmitter();
            const clean = marker ? { tooltip: String(marker.tooltip ?? "").slice(0, 300), level: marker.level === "error" ? "error" : "warning" } : null;
            return api.markers.set(server.key, clean, () => api.clicks.emit("click", accountId));
          },

          async getProxySettings() {
            const read = (name, type, fallback) => {
              const pref = "network.proxy." + name;
              if (Services.prefs.getPrefType(pref) === Services.prefs.PREF_INVALID) return fallback;
              return type === "int" ? Services.prefs.getIntPref(pref) : type === "bool" ? Services.prefs.getBoolPref(pref) : Services.prefs.getStringPref(pref);
            };
            return api.terms.proxy({
              type: read("type", "int", 0),
              socks: read("socks", "string", ""),
              socks_port: read("socks_port", "int", 0),
              socks_version: read("socks_version", "int", 5),
              socks_remote_dns: read("socks_remote_dns", "bool", false),
              socks5_remote_dns: read("socks5_remote_dns", "bool", undefined),
              no_proxies_on: read("no_proxies_on", "string", ""),
              allow_hijacking_localhost: read("allow_hijacking_localhost", "bool", false),
            });
          },

          // Thunderbird's certificate exceptions as {host, port, sha256}; matching them to servers is background's.
          async getCertOverrides() {
            try {
              const service = Cc["@mozilla.org/security/certoverride;1"].getService(Ci.nsICertOverrideService);
              return service.getOverrides().map((o) => ({ host: o.asciiHost, port: o.port, sha256: o.fingerprint }));
            } catch (e) {
              return [];
            }
          },

          async pauseChecks(accountId) {
            const server = getAccount(accountId).incomingServer;
            if (!server || !api.terms.incomingProtocol(server.type)) return false;
            const pref = pausedPref(server);
            // A second pause keeps the values from before the first: those are the user's.
            if (Services.prefs.getPrefType(pref) === Services.prefs.PREF_INVALID) {
              Services.prefs.setStringPref(pref, JSON.stringify({ doBiff: server.doBiff, loginAtStartup: server.getBoolValue("login_at_startup") }));
            }
            // doBiff's setter also takes the server out of the biff manager at once.
            server.doBiff = false;
            // 153 has no loginAtStartup attribute: its pref login_at_startup is read and written directly.
            server.setBoolValue("login_at_startup", false);
            // An open connection (IDLE, a queued URL) would log in again with the refused password.
            server.closeCachedConnections();
            Services.prefs.savePrefFile(null);
            return true;
          },

          async resumeChecks(accountId) {
            const server = getAccount(accountId).incomingServer;
            if (!server) return false;
            const pref = pausedPref(server);
            if (Services.prefs.getPrefType(pref) === Services.prefs.PREF_INVALID) return false;
            let before = {};
            try {
              before = JSON.parse(Services.prefs.getStringPref(pref));
            } catch (e) {}
            Services.prefs.clearUserPref(pref);
            server.setBoolValue("login_at_startup", before.loginAtStartup !== false);
            server.doBiff = before.doBiff !== false;
            Services.prefs.savePrefFile(null);
            return true;
          },

          async getAdminDefaults() {
            const read = (name, type) => {
              const pref = PREF_BRANCH + name;
              if (Services.prefs.getPrefType(pref) === Services.prefs.PREF_INVALID) return null;
              return type === "bool" ? Services.prefs.getBoolPref(pref) : Services.prefs.getStringPref(pref);
            };
            return {
              autoDiagnose: read("autoDiagnose", "bool"),
              savedPassword: read("savedPassword", "string"),
              pauseOnRefusal: read("pauseOnRefusal", "bool"),
            };
          },

          onMarkerClicked: new ExtensionCommon.EventManager({
            context,
            module: "MailDoctor",
            event: "onMarkerClicked",
            extensionApi: api,
          }).api(),

          onLoginFailure: new ExtensionCommon.EventManager({
            context,
            module: "MailDoctor",
            event: "onLoginFailure",
            extensionApi: api,
          }).api(),
        },
      };
    }
  }

  exports.MailDoctor = MailDoctor;
})(this);

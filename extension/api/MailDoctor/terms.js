/* Translation between Thunderbird's server attributes and the maildoctor request's terms.
 * A classic script (no import/export) because the experiment loads it with loadSubScript and the unit tests
 * evaluate the same file in a node:vm context: one table, used by both reading and applying settings. */
"use strict";

var MailDoctorTerms = (() => {
  // nsMsgSocketType: plain=0, trySTARTTLS=1 (legacy, still found in old profiles), alwaysSTARTTLS=2, SSL=3.
  const SECURITY_BY_SOCKET_TYPE = { 0: "none", 1: "starttls", 2: "starttls", 3: "tls" };
  const SOCKET_TYPE_BY_SECURITY = { none: 0, starttls: 2, tls: 3 };

  // nsMsgAuthMethod. "old" (2) and "anything" (9) still end in a plain LOGIN/PLAIN; "secure" (8) means the
  // challenge-response family, which the request calls password-encrypted.
  const AUTH_BY_AUTH_METHOD = {
    1: "none",
    2: "password",
    3: "password",
    4: "password-encrypted",
    5: "gssapi",
    6: "ntlm",
    7: "tls-certificate",
    8: "password-encrypted",
    9: "password",
    10: "oauth2",
  };
  const AUTH_METHOD_BY_AUTH = {
    none: 1,
    password: 3,
    "password-encrypted": 4,
    gssapi: 5,
    ntlm: 6,
    "tls-certificate": 7,
    oauth2: 10,
  };

  const INCOMING_PROTOCOLS = ["imap", "pop3"];
  // Thunderbird stores 0 when the user never changed the port: it then uses the protocol's default.
  const DEFAULT_PORTS = {
    imap: { tls: 993, other: 143 },
    pop3: { tls: 995, other: 110 },
    smtp: { tls: 465, other: 587 },
  };
  const SETTINGS = ["port", "security", "auth", "host", "username"];

  function security(socketType) {
    return Object.prototype.hasOwnProperty.call(SECURITY_BY_SOCKET_TYPE, socketType)
      ? SECURITY_BY_SOCKET_TYPE[socketType]
      : null;
  }

  function auth(authMethod) {
    return Object.prototype.hasOwnProperty.call(AUTH_BY_AUTH_METHOD, authMethod)
      ? AUTH_BY_AUTH_METHOD[authMethod]
      : null;
  }

  function incomingProtocol(serverType) {
    return INCOMING_PROTOCOLS.includes(serverType) ? serverType : null;
  }

  function port(protocol, value, securityTerm) {
    if (Number.isInteger(value) && value > 0 && value <= 65535) return value;
    const defaults = DEFAULT_PORTS[protocol];
    if (!defaults) return null;
    return securityTerm === "tls" ? defaults.tls : defaults.other;
  }

  /* A request-term value for one setting, turned into what the XPCOM attribute takes.
   * Returns {ok:true, value} or {ok:false, reason}; never throws, so callers can report a clean error. */
  function settingValue(setting, value) {
    switch (setting) {
      case "port": {
        const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        return Number.isInteger(port) && port >= 1 && port <= 65535
          ? { ok: true, value: port }
          : { ok: false, reason: "port must be 1-65535" };
      }
      case "security":
        return Object.prototype.hasOwnProperty.call(SOCKET_TYPE_BY_SECURITY, value)
          ? { ok: true, value: SOCKET_TYPE_BY_SECURITY[value] }
          : { ok: false, reason: "security must be tls, starttls or none" };
      case "auth":
        return Object.prototype.hasOwnProperty.call(AUTH_METHOD_BY_AUTH, value)
          ? { ok: true, value: AUTH_METHOD_BY_AUTH[value] }
          : { ok: false, reason: "unknown auth method" };
      case "host":
        // A host name or an IP literal; nothing that could smuggle a path, a space or a control character.
        return typeof value === "string" && /^[A-Za-z0-9.\-:[\]]{1,253}$/.test(value)
          ? { ok: true, value }
          : { ok: false, reason: "invalid host name" };
      case "username":
        return typeof value === "string" && value.length > 0 && value.length <= 320 && !/[\u0000-\u001f\u007f]/.test(value)
          ? { ok: true, value }
          : { ok: false, reason: "invalid user name" };
      default:
        return { ok: false, reason: "unknown setting" };
    }
  }

  /* Thunderbird's proxy prefs, as read by the experiment, in request terms (CONTRACT section 1, "proxy").
   * prefs: {type, socks, socks_port, socks_version, socks_remote_dns, socks5_remote_dns, no_proxies_on,
   * allow_hijacking_localhost} (network.proxy.*).
   * Mail connections use a proxy only through SOCKS (an HTTP proxy does not carry IMAP/POP3/SMTP).
   * Returns {proxy} for a manual SOCKS proxy, {unread: "system"|"pac"|"wpad"} for one only Thunderbird's network
   * code can resolve (the diagnosis then goes direct and says so), or {} for no proxy. */
  const LOOPBACK = ["localhost", "127.0.0.0/8", "::1"];
  const UNREAD_PROXY_TYPES = { 2: "pac", 4: "wpad", 5: "system" };
  function proxy(prefs) {
    const type = prefs?.type;
    if (Object.prototype.hasOwnProperty.call(UNREAD_PROXY_TYPES, type)) return { unread: UNREAD_PROXY_TYPES[type] };
    if (type !== 1) return {};
    const host = typeof prefs.socks === "string" ? prefs.socks.trim() : "";
    const port = prefs.socks_port;
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return {};
    if (!/^[A-Za-z0-9.\-:[\]_]{1,253}$/.test(host)) return { unread: "invalid" };
    const v4 = prefs.socks_version === 4;
    // Since Firefox 116 SOCKS5 has its own remote-DNS pref (on by default); socks_remote_dns is SOCKS4's (4a).
    const remote = v4 ? prefs.socks_remote_dns === true
      : typeof prefs.socks5_remote_dns === "boolean" ? prefs.socks5_remote_dns : prefs.socks_remote_dns === true;
    const result = { proxy: { type: v4 ? "socks4" : "socks5", host: host.replace(/^\[(.*)\]$/, "$1"), port, remote_dns: remote } };
    const noProxy = bypassList(prefs.no_proxies_on);
    // Gecko never sends loopback through a proxy unless allow_hijacking_localhost is set: a local bridge
    // (127.0.0.1) is reached directly by Thunderbird, so the diagnosis must reach it directly too.
    if (prefs.allow_hijacking_localhost !== true) noProxy.push(...LOOPBACK.filter((e) => !noProxy.includes(e)));
    if (noProxy.length) result.proxy.no_proxy = noProxy.slice(0, 256);
    return result;
  }

  /* no_proxies_on as Thunderbird splits it (commas and spaces); the entries stay as written, the host judges them.
   * Within the request's bounds (CONTRACT section 1, proxy.no_proxy): 256 entries of at most 255 characters. */
  function bypassList(text) {
    if (typeof text !== "string") return [];
    return text.split(/[\s,]+/).filter((e) => e && e.length <= 255 && !/[\u0000-\u0020\u007f]/.test(e)).slice(0, 256);
  }

  return { security, auth, port, incomingProtocol, settingValue, proxy, SETTINGS };
})();

/* Builds the maildoctor request (CONTRACT section 1) from the experiment's AccountSettings. */

const ENDPOINT_FIELDS = ["protocol", "host", "port", "security", "username", "auth"];
export const DEFAULT_DEADLINE_MS = 10000;

function endpoint(server, password, token) {
  // An EWS server is a URL; it is probed without credentials, so no password goes with it.
  if (server?.protocol === "ews") {
    if (!server.url) return null;
    const out = { protocol: "ews", url: server.url };
    for (const field of ["username", "auth"]) if (server[field]) out[field] = server[field];
    return out;
  }
  if (!server || !server.host) return null;
  const out = {};
  for (const field of ENDPOINT_FIELDS) {
    if (server[field] !== null && server[field] !== undefined && server[field] !== "") out[field] = server[field];
  }
  if (out.auth === "oauth2") {
    // OAuth2: Thunderbird's access token (or what its refresh said instead), never a password (CONTRACT section 1).
    if (typeof token?.token === "string" && token.token.length > 0) out.access_token = token.token;
    else if (typeof token?.error === "string" && token.error.length > 0) out.oauth_error = token.error;
    return out;
  }
  if (typeof password === "string" && password.length > 0) out.password = password;
  return out;
}

/**
 * scope: "account" (both servers), "incoming" or "outgoing" (only that one).
 * passwords: {incoming, outgoing}, each present only when the user allowed reading it.
 * Returns {ok: true, request} or {ok: false, reason}: "unsupported" for account types the host cannot check.
 */
/* proxy: the experiment's ProxySettings.proxy (Thunderbird's manual SOCKS proxy), sent as the request's "proxy". */
/* tokens: {incoming, outgoing}, each {token} or {error} from background/oauth.js tokenOutcome, for OAuth2 servers. */
export function buildRequest(settings, { scope = "account", passwords = {}, tokens = {}, observedError = null, deadlineMs = DEFAULT_DEADLINE_MS, proxy = null } = {}) {
  const incoming = scope === "outgoing" ? null : endpoint(settings.incoming, passwords.incoming, tokens.incoming);
  const outgoing = scope === "incoming" ? null : endpoint(settings.outgoing, passwords.outgoing, tokens.outgoing);
  if (!incoming && !outgoing) return { ok: false, reason: settings.incoming || settings.outgoing ? "no_host" : "unsupported" };

  const account = {};
  if (settings.email) account.email = settings.email;
  if (settings.name) account.name = settings.name;
  if (incoming) account.incoming = incoming;
  if (outgoing) account.outgoing = outgoing;

  const request = {
    account,
    options: {
      login: Boolean(incoming?.password || outgoing?.password || incoming?.access_token || outgoing?.access_token),
      alternatives: true,
      deadline_ms: deadlineMs,
    },
  };
  // An account whose identity has no outgoing server: the host finds one the way Thunderbird's account setup would
  // (CONTRACT section 1, options.discover_missing). A scoped check stays about its one server.
  if (scope === "account" && incoming && incoming.protocol !== "ews" && !outgoing) request.options.discover_missing = true;
  if (proxy && proxy.host) {
    request.proxy = { type: proxy.type === "socks4" ? "socks4" : "socks5", host: String(proxy.host), port: proxy.port, remote_dns: proxy.remote_dns === true };
    // Thunderbird's bypass list (network.proxy.no_proxies_on): the host connects to those servers directly.
    if (Array.isArray(proxy.no_proxy)) {
      const noProxy = proxy.no_proxy.filter((e) => typeof e === "string" && e.length > 0);
      if (noProxy.length) request.proxy.no_proxy = noProxy;
    }
  }
  if (observedError) request.observed_error = String(observedError).slice(0, 4000);
  return { ok: true, request };
}

/* Thunderbird's certificate exceptions (nsICertOverrideService, read by the experiment's getCertOverrides) matched to
 * the request's endpoints: an exception belongs to one host:port, so only the endpoint with exactly that host and
 * port gets it (CONTRACT section 1, "cert_override"). It changes how that server's certificate is judged, nothing
 * else: no other host, no other port, no fix. */

const FINGERPRINT = /^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/;

/** The exception's fingerprint when it is a SHA-256 ("AB:CD:..." as Thunderbird stores it), else null. */
export function sha256Of(override) {
  const fp = typeof override?.sha256 === "string" ? override.sha256.trim() : "";
  return FINGERPRINT.test(fp) && fp.replace(/:/g, "").length === 64 ? fp : null;
}

function samePlace(override, endpoint) {
  // Thunderbird stores port -1 for 443; no mail port is 443, so -1 never matches.
  return typeof override?.host === "string" && typeof endpoint?.host === "string" &&
    override.host.toLowerCase() === endpoint.host.toLowerCase() && Number(override.port) === Number(endpoint.port);
}

/** Adds cert_override to each endpoint of request.account that an exception names; returns the request. */
export function attachCertOverrides(request, overrides) {
  if (!request?.account || !Array.isArray(overrides)) return request;
  for (const side of ["incoming", "outgoing"]) {
    const ep = request.account[side];
    if (!ep) continue;
    const match = overrides.find((o) => samePlace(o, ep) && sha256Of(o));
    if (match) ep.cert_override = { sha256: sha256Of(match) };
  }
  return request;
}

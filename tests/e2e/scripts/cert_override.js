// Chrome context: adds Thunderbird's own certificate exception for host:port, as its "Confirm Security Exception"
// dialog does (nsICertOverrideService.rememberValidityOverride), for the DER certificate given in base64.
// arguments: [host, port, base64 DER]. Resolves with the fingerprint Thunderbird stored.
const resolve = arguments[arguments.length - 1];
const [host, port, der] = arguments;
try {
  const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
  const cert = certdb.constructX509FromBase64(der);
  const service = Cc["@mozilla.org/security/certoverride;1"].getService(Ci.nsICertOverrideService);
  service.rememberValidityOverride(host, port, {}, cert, false);
  resolve({ sha256: cert.sha256Fingerprint });
} catch (e) {
  resolve({ error: String(e) });
}

// Chrome context (Marionette): Thunderbird's manual SOCKS proxy, as its Connection Settings dialog writes it
// (network.proxy.socks*). arguments[0]: null to read only, or {port} to point the proxy at another port first.
const resolve = arguments[arguments.length - 1];
const change = arguments[0];
if (change && Number.isInteger(change.port)) Services.prefs.setIntPref("network.proxy.socks_port", change.port);
resolve({
  type: Services.prefs.getIntPref("network.proxy.type"),
  socks: Services.prefs.getStringPref("network.proxy.socks", ""),
  port: Services.prefs.getIntPref("network.proxy.socks_port"),
  version: Services.prefs.getIntPref("network.proxy.socks_version"),
  remoteDns: Services.prefs.getBoolPref("network.proxy.socks5_remote_dns", Services.prefs.getBoolPref("network.proxy.socks_remote_dns")),
});

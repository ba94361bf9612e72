// Chrome context (Marionette): the add-on's storage.local "accountStates", read from outside the add-on.
const resolve = arguments[arguments.length - 1];
(async () => {
  const { ExtensionStorageIDB } = ChromeUtils.importESModule("resource://gre/modules/ExtensionStorageIDB.sys.mjs");
  const policy = WebExtensionPolicy.getByID("maildoctor@maildoctor.dev");
  if (!policy?.extension) return { addon: false };
  const db = await ExtensionStorageIDB.open(ExtensionStorageIDB.getStoragePrincipal(policy.extension));
  const data = await db.get(["accountStates"]);
  return { addon: true, states: data?.accountStates ?? null };
})().then(resolve, (e) => resolve({ error: String(e) }));

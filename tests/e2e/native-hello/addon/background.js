// Prints one marker line on Thunderbird's stdout (browser.dom.window.dump.enabled) for the test driver to read.
function report(outcome) {
  dump(`\nMAILDOCTOR-NATIVE-HELLO ${JSON.stringify(outcome)}\n`);
}

browser.runtime.sendNativeMessage("maildoctor", {type: "hello", id: "e2e"}).then(
  (reply) => report({ok: true, reply}),
  (error) => report({ok: false, error: String(error)}),
);

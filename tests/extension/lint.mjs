/* Runs addons-linter on the built .xpi. Fails on any error except the one the experiment implies (explained in
 * docs/EXTENSION.md): Firefox treats experiment_apis as a privileged field, Thunderbird loads unsigned experiments.
 * Usage: node tests/extension/lint.mjs BUILD.xpi */
import { createRequire } from "node:module";

const require = createRequire(new URL("../../extension/package.json", import.meta.url));
const linter = require("addons-linter");

const EXPECTED_ERRORS = [{ code: "MANIFEST_FIELD_PRIVILEGED", dataPath: "/experiment_apis" }];
const EXPECTED_WARNINGS = [
  { code: "MANIFEST_PERMISSIONS", match: /"accountsRead"|"compose"/ }, // Thunderbird-only permissions, unknown to Firefox's schema
  { code: "MISSING_DATA_COLLECTION_PERMISSIONS" }, // a Firefox (AMO) key that Thunderbird 128 does not know
];

const xpi = process.argv[2];
const instance = linter.createInstance({ config: { _: [xpi], logLevel: "fatal", stack: false, pretty: false, warningsAsErrors: false, metadata: false, output: "none", boring: true, selfHosted: true }, runAsBinary: false });
const report = await instance.run();
const expectedError = (m) => EXPECTED_ERRORS.some((e) => e.code === m.code && (m.dataPath ?? m.instancePath) === e.dataPath);
const expectedWarning = (m) => EXPECTED_WARNINGS.some((w) => w.code === m.code && (!w.match || w.match.test(m.message)));
const unexpected = [...report.errors.filter((m) => !expectedError(m)), ...report.warnings.filter((m) => !expectedWarning(m))];
for (const m of report.errors) console.log(`error   ${m.code} ${m.message} ${m.file ?? ""}${expectedError(m) ? "  (expected: experiment API)" : ""}`);
for (const m of report.warnings) console.log(`warning ${m.code} ${m.message} ${m.file ?? ""}${expectedWarning(m) ? "  (expected)" : ""}`);
for (const m of report.notices) console.log(`notice  ${m.code} ${m.message} ${m.file ?? ""}`);
console.log(`addons-linter: ${report.errors.length} errors (${report.errors.filter(expectedError).length} expected), ${report.warnings.length} warnings, ${report.notices.length} notices`);
if (unexpected.length) {
  console.log(`unexpected linter messages: ${unexpected.map((m) => m.code).join(", ")}`);
  process.exit(1);
}

// Adds up the suites' reports into one closing line: "tests: N passed, N failed".
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];

const vitest = path.join(dir, "vitest.json");
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites ?? 0);
  skipped += r.numPendingTests + r.numTodoTests;
} else missing.push("vitest");

const pytest = path.join(dir, "pytest.xml");
if (existsSync(pytest)) {
  const xml = readFileSync(pytest, "utf8");
  const attr = (n) => Number(new RegExp(`<testsuite[^>]*\\s${n}="(\\d+)"`).exec(xml)?.[1] ?? 0);
  const total = attr("tests");
  const bad = attr("failures") + attr("errors");
  skipped += attr("skipped");
  failed += bad;
  passed += total - bad - attr("skipped");
} else if (existsSync("workers/trainer/tests")) missing.push("pytest");

const pw = path.join(dir, "playwright.json");
if (existsSync(pw)) {
  const s = JSON.parse(readFileSync(pw, "utf8")).stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
} else missing.push("playwright");

if (missing.length) console.log(`suites that produced no report: ${missing.join(", ")}`);
console.log(`tests: ${passed} passed, ${failed + missing.length} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed + missing.length > 0 ? 1 : 0);

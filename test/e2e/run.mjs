// End-to-end tests of the web console (issue 7) in Debian's headless chromium, driven by playwright-core,
// against the real `wharf server`, a real docker-registry with the demo image and real runc containers.
//
//   node test/e2e/run.mjs [SCENARIO...]   (default: all of test/e2e/scenarios/, in the order below)
//
// Environment: WHARF_BIN (default build/wharf), WHARF_CONSOLE_DIR (default: console/ next to WHARF_BIN),
// SCREENSHOTS (default: e2e-screenshots/ next to WHARF_BIN), CHROMIUM (default /usr/bin/chromium),
// E2E_KEEP=1 keeps the temp dir.
import { runScenarios } from './harness.mjs';

const ALL = ['main', 'logs', 'config', 'admin'];
const names = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const unknown = names.filter((n) => !ALL.includes(n));
if (unknown.length) {
  console.error(`e2e: no scenario ${unknown.join(', ')} (there are: ${ALL.join(', ')})`);
  process.exit(2);
}
const scenarios = [];
for (const n of names) scenarios.push([n, await import(`./scenarios/${n}.mjs`)]);
process.exitCode = await runScenarios(scenarios);

// The runner of the console's browser scenarios. Each scenario (test/e2e/scenarios/NAME.mjs, default export
// `async (t) => {...}`) gets a `wharf server` of its own (own data dir, a port it picks) and a fresh browser
// context; the docker-registry with the demo image and the headless chromium are shared. A scenario that
// needs more real parts (slapd) exports `prepare(dir)`, which starts them before the server and returns
// `{ serverArgs, stop, ... }`; the scenario sees it as `t.prepared`, and `stop` runs after the server stopped.
// A scenario is a list of steps (`t.step`), as a tester would use the console; screenshots go to SCREENSHOTS.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROOT, api, offlineEverything, removeLeftovers, startRegistry, startServer } from './fixtures.mjs';

const BIN = resolve(process.env.WHARF_BIN ?? join(ROOT, 'build', 'wharf'));
const CONSOLE_DIR = resolve(process.env.WHARF_CONSOLE_DIR ?? join(dirname(BIN), 'console'));
const SHOTS = resolve(process.env.SCREENSHOTS ?? join(dirname(BIN), 'e2e-screenshots'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// What the machine needs for a headless chromium with no network beyond loopback (see the env notes).
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
// The admin's password once changed (the main scenario changes it in the browser, the others by `t.login`).
export const ADMIN_PASSWORD = 'correct-horse-battery-1';
export const VIEWPORT = { width: 1360, height: 900 };

// Runs the scenarios one after the other; returns the process exit code (0: all passed).
export async function runScenarios(scenarios) {
  for (const [what, path] of [['wharf', BIN], ['the built console (make console)', join(CONSOLE_DIR, 'index.html')], ['chromium (apt-get install chromium)', CHROMIUM]])
    if (!existsSync(path)) {
      console.error(`e2e: ${what} missing: ${path}`);
      return 2;
    }
  const tmp = mkdtempSync(join(tmpdir(), 'wharf-e2e-'));
  mkdirSync(SHOTS, { recursive: true });
  let registry, browser;
  let failed = false;
  let steps = 0;
  const reports = [];
  try {
    registry = await startRegistry(join(tmp, 'reg'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    for (const [name, module] of scenarios) {
      const scenario = module.default;
      rmSync(join(SHOTS, `failure-${name}.png`), { force: true });
      const dir = join(tmp, name);
      const log = join(dir, 'server.log');
      mkdirSync(dir, { recursive: true });
      let server, context, prepared;
      try {
        prepared = module.prepare ? await module.prepare(dir) : {};
        server = await startServer({ bin: BIN, dataDir: join(dir, 'data'), consoleDir: CONSOLE_DIR, log, extraArgs: prepared.serverArgs });
        context = await browser.newContext({ locale: 'en-US', viewport: VIEWPORT });
        const page = await context.newPage();
        page.setDefaultTimeout(20000);
        let adminReady = false;
        const pageErrors = [];
        page.on('pageerror', (e) => pageErrors.push(String(e)));
        const t = {
          server, registry, browser, page, pageErrors, dir, prepared,
          image: `${registry.address}/demo/web`,
          api: (method, path, body) => api(server, method, path, body),
          shot: (file, p = page) => p.screenshot({ path: join(SHOTS, `${file}.png`), fullPage: true }),
          report: (line) => reports.push(`${name}: ${line}`),
          // A browser context of its own (another user), closed with the scenario; its page errors fail the
          // scenario too.
          newPage: async (opts = {}) => {
            const ctx = await browser.newContext({ locale: 'en-US', viewport: VIEWPORT, ...opts });
            const p = await ctx.newPage();
            p.setDefaultTimeout(20000);
            p.on('pageerror', (e) => pageErrors.push(String(e)));
            return p;
          },
          // Logs `p` in through the login form. For "admin" (and no password given), the initial password
          // is first changed through the API, so scenarios other than the main one skip the forced change.
          login: async (p, user = 'admin', password) => {
            if (password === undefined) {
              if (!adminReady) {
                const r = await api(server, 'POST', '/api/v1/me/password', { currentPassword: server.password, newPassword: ADMIN_PASSWORD });
                if (r.status !== 200 && r.status !== 204) throw new Error(`changing the admin password: ${JSON.stringify(r)}`);
                adminReady = true;
              }
              password = ADMIN_PASSWORD;
            }
            await p.goto(server.url + '/');
            await p.getByLabel('User name').fill(user);
            await p.getByLabel('Password', { exact: true }).fill(password);
            await p.getByRole('button', { name: 'Log in' }).click();
            await p.getByRole('heading', { name: 'Projects' }).waitFor();
          },
          step: async (title, fn) => {
            const t0 = Date.now();
            process.stdout.write(`e2e: ${name}: ${title} … `);
            try {
              await fn();
              console.log(`ok (${Date.now() - t0} ms)`);
              steps++;
            } catch (e) {
              console.log('FAILED');
              await page.screenshot({ path: join(SHOTS, `failure-${name}.png`), fullPage: true }).catch(() => {});
              throw e;
            }
          },
        };
        await scenario(t);
        if (pageErrors.length) throw new Error(`page errors: ${pageErrors.join('\n')}`);
      } catch (e) {
        failed = true;
        console.error(e);
        if (existsSync(log)) console.error('--- server log (tail) ---\n' + readFileSync(log, 'utf8').split('\n').slice(-40).join('\n'));
      } finally {
        await context?.close().catch(() => {});
        for (const c of browser.contexts()) await c.close().catch(() => {});
        // Every app offline through the API (the driver removes its containers), then the server; anything
        // left behind is removed by hand and fails the run.
        if (server) {
          await offlineEverything(server);
          await server.stop();
          const left = removeLeftovers(server.dataDir);
          if (left.length) {
            console.error(`e2e: ${name}: instances left behind: ${left.join(', ')}`);
            failed = true;
          }
        }
        await prepared?.stop?.();
      }
      if (failed) break;
    }
  } catch (e) {
    failed = true;
    console.error(e);
  } finally {
    await browser?.close().catch(() => {});
    await registry?.stop();
    if (process.env.E2E_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
    else console.log(`e2e: kept ${tmp}`);
  }
  for (const line of reports) console.log(`e2e: ${line}`);
  console.log(`e2e: screenshots in ${SHOTS}`);
  if (failed) return 1;
  console.log(`e2e: all ${steps} steps of ${scenarios.length} scenarios passed`);
  return 0;
}

// The real parts the console tests drive, started on loopback on ports they pick and stopped by PID:
// Debian's docker-registry with the demo image (scripts/demo-registry.sh builds demo/web:v1 and v2
// offline), and `wharf server` with its own data dir and the built console.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import http from 'node:http';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Polls `fn` until it returns a truthy value; throws with `what` and the last value at the deadline.
export async function waitUntil(fn, { timeout = 30000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// GET of `url`; the path is sent as written (no normalisation of "..": the traversal checks need that).
export function httpGet(url, timeout = 3000) {
  const u = new URL(url);
  const rawPath = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path: rawPath, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid, what) {
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  try {
    await waitUntil(() => !alive(pid), { timeout: 15000, what: `${what} to stop` });
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}

// docker-registry on a free port with demo/web:v1 and v2; returns { address, stop }.
export async function startRegistry(dir) {
  mkdirSync(join(dir, 'registry'), { recursive: true });
  // demo-registry.sh takes the port from DIR/registry/port: one picked here, so parallel runs never meet.
  writeFileSync(join(dir, 'registry', 'port'), String(await freePort()));
  const address = execFileSync('bash', [join(ROOT, 'scripts', 'demo-registry.sh'), dir], { encoding: 'utf8' }).trim();
  const pid = Number(readFileSync(join(dir, 'registry', 'pid'), 'utf8'));
  return { address, stop: () => stopPid(pid, 'docker-registry') };
}

// `wharf server` on 127.0.0.1 with a port it picks; returns { url, dataDir, token, password, stop }. `extraArgs`
// go after the usual ones (the admin scenario's `--ldap-config FILE`).
export async function startServer({ bin, dataDir, consoleDir, log, extraArgs = [] }) {
  mkdirSync(dataDir, { recursive: true });
  const err = openSync(log, 'a');
  const proc = spawn(bin, ['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--console-dir', consoleDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', err],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wharf server did not start: ${out}`)), 15000);
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`wharf server exited with ${code}: ${out}`)));
  });
  proc.stdout.resume();
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const pwFile = join(dataDir, 'admin-password');
  const password = existsSync(pwFile) ? readFileSync(pwFile, 'utf8').trim() : null;
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    url,
    dataDir,
    token,
    password,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(t);
    },
  };
}

// A JSON call with the admin's API token (setting up what the console test does not do through the UI).
export async function api(server, method, path, body) {
  const res = await fetch(server.url + path, {
    method,
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function runcList(dataDir) {
  try {
    // stderr: runc complains about containers the driver is removing at that moment.
    const out = execFileSync('runc', ['--root', join(dataDir, 'runtime', 'runc'), 'list', '--format', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return (JSON.parse(out || 'null') ?? []).map((c) => c.id);
  } catch {
    return [];
  }
}

function instanceDirs(dataDir) {
  const d = join(dataDir, 'runtime', 'instances');
  return existsSync(d) ? readdirSync(d) : [];
}

// Takes every deployed app offline through the API and waits for the driver to remove every container,
// as test/integration/test_local_driver.py does; whatever is left after the server stopped is removed by
// hand (removeLeftovers).
export async function offlineEverything(server) {
  try {
    const projects = await api(server, 'GET', '/api/v1/projects?limit=1000');
    for (const p of projects.body?.items ?? []) {
      const apps = await api(server, 'GET', `/api/v1/projects/${p.name}/apps?limit=1000`);
      for (const a of apps.body?.items ?? []) {
        const full = await api(server, 'GET', `/api/v1/projects/${p.name}/apps/${a.name}`);
        for (const [env, s] of Object.entries(full.body?.status ?? {}))
          if (!s.offline) await api(server, 'POST', `/api/v1/projects/${p.name}/apps/${a.name}/environments/${env}/offline`, {});
      }
    }
  } catch {
    /* the server is gone: removeLeftovers cleans up */
  }
  await waitUntil(() => runcList(server.dataDir).length === 0 && instanceDirs(server.dataDir).length === 0, {
    timeout: 30000,
    what: 'the driver to remove every instance',
  }).catch(() => {});
}

export function removeLeftovers(dataDir) {
  const left = instanceDirs(dataDir);
  for (const name of left) {
    const dir = join(dataDir, 'runtime', 'instances', name);
    const pidFile = join(dir, 'shim.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
    }
    spawnSync('runc', ['--root', join(dataDir, 'runtime', 'runc'), 'delete', '--force', name]);
    spawnSync('umount', ['-l', join(dir, 'rootfs')]);
    spawnSync('umount', ['-l', join(dataDir, 'runtime', 'netns', name)]);
  }
  return left;
}

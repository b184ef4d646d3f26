// A real OpenLDAP `slapd` for the console's LDAP login: the integration tests' fixture
// (test/integration/ldap_fixture.py, run as a program) seeds and starts it on 127.0.0.1 on a port it picks
// and writes Wharf's --ldap-config for it; this side stops it by PID (also when the test fails, and at the
// latest when node exits). The directory: alice (shop-devs, shop-testers), bob (shop-testers), carol (no
// group), dave (shop-devs, ops-team); each one's password is passwordOf(name).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, waitUntil } from './fixtures.mjs';

export const passwordOf = (user) => `${user}-pw`;

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Starts a seeded slapd in `dir`; returns { url, pid, config (the path of Wharf's LDAP config), stop() }.
export async function startSlapd(dir) {
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('python3', [join(ROOT, 'test', 'integration', 'ldap_fixture.py'), dir], {
    encoding: 'utf8',
    timeout: 60000,
  });
  const { url, pid, config } = JSON.parse(out);
  // At most process exit: a slapd that outlived a crashed test would hold its port and database.
  const killAtExit = () => alive(pid) && process.kill(pid, 'SIGKILL');
  process.once('exit', killAtExit);
  return {
    url,
    pid,
    config,
    async stop() {
      process.removeListener('exit', killAtExit);
      if (!alive(pid)) return;
      process.kill(pid, 'SIGTERM');
      try {
        await waitUntil(() => !alive(pid), { timeout: 10000, what: 'slapd to stop' });
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    },
  };
}

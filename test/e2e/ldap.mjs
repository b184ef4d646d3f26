// A real OpenLDAP `slapd` for the console's LDAP login, ported from test/integration/ldap_fixture.py: its own
// slapd.conf, mdb database and seed in a directory of the test, listening on 127.0.0.1 on a port picked at
// start, stopped by PID (also when the test fails, and at the latest when node exits).
//
// The seeded directory (base dc=example,dc=org), the same as the Python tests':
//   ou=people    alice (shop-devs, shop-testers), bob (shop-testers), carol (no group), dave (shop-devs,
//                ops-team); inetOrgPerson with userPassword (salted SHA) "<name>-pw"
//   ou=groups    groupOfNames, added over LDAP after the first start so that the memberof overlay runs
//   ou=services  cn=wharf, the service account Wharf searches with; anonymous clients may only bind
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, waitUntil } from './fixtures.mjs';

const which = (name, fallback) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => join(d, name)).find(existsSync) ?? fallback;
const SLAPD = which('slapd', '/usr/sbin/slapd');
const SLAPADD = which('slapadd', '/usr/sbin/slapadd');
const LDAPMODIFY = which('ldapmodify', '/usr/bin/ldapmodify');
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export const BASE = 'dc=example,dc=org';
const ROOT_DN = `cn=admin,${BASE}`;
const ROOT_PW = 'root-secret';
export const SERVICE_DN = `cn=wharf,ou=services,${BASE}`;
export const SERVICE_PASSWORD = 'service-secret';

export const USERS = { alice: 'Alice Archer', bob: 'Bob Baker', carol: 'Carol Cooper', dave: 'Dave Dale' };
export const GROUPS = { 'shop-devs': ['alice', 'dave'], 'shop-testers': ['alice', 'bob'], 'ops-team': ['dave'] };

export const passwordOf = (user) => `${user}-pw`;
const userDn = (user) => `uid=${user},ou=people,${BASE}`;
const groupDn = (group) => `cn=${group},ou=groups,${BASE}`;

// What the scenario needs installed (scripts/install-deps.sh: slapd ldap-utils).
export function ldapAvailable() {
  return [SLAPD, SLAPADD, LDAPMODIFY, join(MODULE_DIR, 'back_mdb.so')].every(existsSync);
}

function ssha(password) {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(Buffer.concat([Buffer.from(password), salt])).digest();
  return '{SSHA}' + Buffer.concat([digest, salt]).toString('base64');
}

function seedLdif() {
  const entries = [
    `dn: ${BASE}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    `dn: ou=people,${BASE}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=groups,${BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ou=services,${BASE}\nobjectClass: organizationalUnit\nou: services\n`,
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: wharf\n` +
      `userPassword: ${ssha(SERVICE_PASSWORD)}\n`,
  ];
  for (const [user, full] of Object.entries(USERS)) {
    const [first, last] = full.split(' ');
    entries.push(
      `dn: ${userDn(user)}\nobjectClass: inetOrgPerson\nuid: ${user}\ncn: ${full}\ngivenName: ${first}\nsn: ${last}\n` +
        `mail: ${user}@example.org\nuserPassword: ${ssha(passwordOf(user))}\n`,
    );
  }
  return entries.join('\n');
}

function groupsLdif() {
  return Object.entries(GROUPS)
    .map(([g, members]) => {
      const lines = members.map((m) => `member: ${userDn(m)}\n`).join('');
      return `dn: ${groupDn(g)}\nchangetype: add\nobjectClass: groupOfNames\ncn: ${g}\n${lines}`;
    })
    .join('\n');
}

function slapdConf(dir) {
  return `include ${SCHEMA_DIR}/core.schema
include ${SCHEMA_DIR}/cosine.schema
include ${SCHEMA_DIR}/inetorgperson.schema
modulepath ${MODULE_DIR}
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args

database mdb
maxsize 16777216
suffix "${BASE}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PW}
directory ${dir}/db
index objectClass eq
index uid eq
index member eq
overlay memberof

access to attrs=userPassword
  by self =w
  by anonymous auth
  by * none
access to *
  by dn.exact="${SERVICE_DN}" read
  by self read
  by * none
`;
}

const accepts = (port) =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Starts a seeded slapd in `dir`; returns { url, pid, port, log, ldapmodify(ldif), writeWharfConfig(path), stop() }.
export async function startSlapd(dir) {
  if (!ldapAvailable()) throw new Error('slapd and ldap-utils are not installed (scripts/install-deps.sh installs them)');
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
  writeFileSync(join(dir, 'seed.ldif'), seedLdif());
  execFileSync(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'seed.ldif')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60000,
  });
  const log = join(dir, 'slapd.log');
  let proc;
  let port;
  // At most process exit: a slapd that outlived a crashed test would hold its port and database.
  const killAtExit = () => proc?.pid && alive(proc.pid) && process.kill(proc.pid, 'SIGKILL');
  process.once('exit', killAtExit);
  // Another process may take the picked port before slapd binds it: pick again a few times.
  for (let attempt = 0; attempt < 5 && !port; attempt++) {
    const candidate = await freePort();
    const fd = openSync(log, 'a');
    // -d 0: foreground (the PID is ours to stop), only fatal errors logged.
    const args = ['-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${candidate}/`, '-d', '0'];
    proc = spawn(SLAPD, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise((r) => proc.once('exit', () => r('exited')));
    const ready = waitUntil(() => accepts(candidate), { timeout: 15000, interval: 50, what: 'slapd to accept connections' })
      .then(() => 'ready', () => 'timeout');
    const outcome = await Promise.race([ready, exited]);
    if (outcome === 'ready') port = candidate;
    else if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  if (!port) throw new Error(`slapd did not start; log: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
  const url = `ldap://127.0.0.1:${port}`;
  const pid = proc.pid;
  const ldapmodify = (ldif) =>
    execFileSync(LDAPMODIFY, ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PW], {
      input: ldif,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30000,
    });
  ldapmodify(groupsLdif()); // slapadd bypasses the memberof overlay
  return {
    url,
    pid,
    port,
    log,
    ldapmodify,
    // Wharf's --ldap-config file (JSON is YAML), with the service password in a file next to it.
    writeWharfConfig(path, overrides = {}) {
      const pwFile = `${path}.password`;
      writeFileSync(pwFile, SERVICE_PASSWORD + '\n', { mode: 0o600 });
      writeFileSync(path, JSON.stringify({
        url,
        bindDN: SERVICE_DN,
        bindPasswordFile: pwFile,
        userBase: `ou=people,${BASE}`,
        userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
        groupBase: `ou=groups,${BASE}`,
        groupFilter: '(&(objectClass=groupOfNames)(member={dn}))',
        groupAttribute: 'cn',
        timeout: 2,
        poolSize: 2,
        groupCacheSeconds: 1,
        ...overrides,
      }, null, 2));
      return path;
    },
    async stop() {
      process.removeListener('exit', killAtExit);
      if (!alive(pid)) return;
      process.kill(pid, 'SIGTERM');
      try {
        await waitUntil(() => !alive(pid) || proc.exitCode !== null, { timeout: 10000, what: 'slapd to stop' });
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    },
  };
}

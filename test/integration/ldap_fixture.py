"""A real OpenLDAP `slapd` for the LDAP tests: its own slapd.conf, mdb database and seed in a temp dir,
listening on 127.0.0.1 on ports picked at start, stopped by PID. Changes during a test go through
`ldapmodify` (ldap-utils) as the rootdn, as an administrator would make them.

The seeded directory (base dc=example,dc=org):
  ou=people    alice (shop-devs, shop-testers), bob (shop-testers), carol (no group); inetOrgPerson with
               userPassword (salted SHA) "<name>-pw"
  ou=groups    groupOfNames shop-devs (alice, dave), shop-testers (alice, bob), ops-team (dave); added over
               LDAP after the first start so that the memberof overlay gives users their memberOf values
  ou=services  cn=wharf, the service account Wharf searches with (password SERVICE_PASSWORD); anonymous
               clients may only bind, so every search really needs the service bind
"""
import base64
import hashlib
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
LDAPMODIFY = shutil.which("ldapmodify") or "/usr/bin/ldapmodify"
SCHEMA_DIR = "/etc/ldap/schema"
MODULE_DIR = "/usr/lib/ldap"

BASE = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PW = "root-secret"
SERVICE_DN = f"cn=wharf,ou=services,{BASE}"
SERVICE_PASSWORD = "service-secret"
START_DEADLINE = 15.0

USERS = {
    "alice": "Alice Archer",
    "bob": "Bob Baker",
    "carol": "Carol Cooper",
    "dave": "Dave Dale",
}
GROUPS = {
    "shop-devs": ["alice", "dave"],  # groupOfNames needs a member: alice can be removed
    "shop-testers": ["alice", "bob"],
    "ops-team": ["dave"],
}


def available():
    return all(os.path.exists(p) for p in (SLAPD, SLAPADD, LDAPMODIFY, f"{MODULE_DIR}/back_mdb.so"))


def password_of(user):
    return f"{user}-pw"


def ssha(password):
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def user_dn(user):
    return f"uid={user},ou=people,{BASE}"


def group_dn(group):
    return f"cn={group},ou=groups,{BASE}"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def groups_ldif():
    entries = []
    for group, members in GROUPS.items():
        lines = "".join(f"member: {user_dn(m)}\n" for m in members)
        entries.append(f"dn: {group_dn(group)}\nchangetype: add\nobjectClass: groupOfNames\ncn: {group}\n{lines}")
    return "\n".join(entries)


def seed_ldif():
    entries = [
        f"dn: {BASE}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n",
        f"dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{BASE}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: ou=services,{BASE}\nobjectClass: organizationalUnit\nou: services\n",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: wharf\n"
        f"userPassword: {ssha(SERVICE_PASSWORD)}\n",
    ]
    for user, full in USERS.items():
        first, last = full.split(" ", 1)
        entries.append(
            f"dn: {user_dn(user)}\nobjectClass: inetOrgPerson\nuid: {user}\ncn: {full}\ngivenName: {first}\n"
            f"sn: {last}\nmail: {user}@example.org\nuserPassword: {ssha(password_of(user))}\n")
    return "\n".join(entries)


def make_tls_files(directory):
    """A CA and a server certificate for 127.0.0.1 made with the openssl command; returns their paths."""
    d = pathlib.Path(directory)
    d.mkdir(parents=True, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Wharf test LDAP CA",
        "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"))
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(d / "server.key"),
        "-out", str(d / "server.csr"))
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
        "-CAcreateserial", "-days", "2", "-extfile", str(d / "ext.cnf"), "-out", str(d / "server.pem"))
    return {"ca": d / "ca.pem", "cert": d / "server.pem", "key": d / "server.key"}


class Slapd:
    """One slapd with a seeded directory in `directory`. start() loads the seed with slapadd (first start
    only) and returns once the server accepts connections; stop() ends it by PID; start() again serves the
    same database on the same ports."""

    def __init__(self, directory, tls=False):
        self.dir = pathlib.Path(directory)
        self.tls = tls
        self.proc = None
        self.port = None
        self.tls_port = None
        self.tls_files = None
        self.log_path = self.dir / "slapd.log"
        self._seeded = False

    @property
    def url(self):
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self):
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def _write_config(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "db").mkdir(exist_ok=True)
        tls = ""
        if self.tls:
            self.tls_files = make_tls_files(self.dir / "tls")
            tls = (f"TLSCACertificateFile {self.tls_files['ca']}\n"
                   f"TLSCertificateFile {self.tls_files['cert']}\n"
                   f"TLSCertificateKeyFile {self.tls_files['key']}\n")
        (self.dir / "slapd.conf").write_text(f"""\
include {SCHEMA_DIR}/core.schema
include {SCHEMA_DIR}/cosine.schema
include {SCHEMA_DIR}/inetorgperson.schema
modulepath {MODULE_DIR}
moduleload back_mdb
moduleload memberof
pidfile {self.dir}/slapd.pid
argsfile {self.dir}/slapd.args
{tls}
database mdb
maxsize 16777216
suffix "{BASE}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PW}
directory {self.dir}/db
index objectClass eq
index uid eq
index member eq
overlay memberof

access to attrs=userPassword
  by self =w
  by anonymous auth
  by * none
access to *
  by dn.exact="{SERVICE_DN}" read
  by self read
  by * none
""")

    def start(self):
        first = not self._seeded
        if first:
            self._write_config()
            ldif = self.dir / "seed.ldif"
            ldif.write_text(seed_ldif())
            subprocess.run([SLAPADD, "-q", "-f", str(self.dir / "slapd.conf"), "-l", str(ldif)], check=True,
                           capture_output=True, timeout=60)
            self._seeded = True
        # A restart keeps the ports (clients hold the URL); the first start picks free ones, again when
        # another process took one between picking and binding.
        for _attempt in range(5 if first else 1):
            if first:
                self.port = free_port()
                self.tls_port = free_port() if self.tls else None
            urls = f"ldap://127.0.0.1:{self.port}/"
            if self.tls:
                urls += f" ldaps://127.0.0.1:{self.tls_port}/"
            log = open(self.log_path, "ab")
            # -d: stay in the foreground (the PID is ours to stop); level 0 logs nothing but fatal errors.
            self.proc = subprocess.Popen([SLAPD, "-f", str(self.dir / "slapd.conf"), "-h", urls, "-d", "0"],
                                         stdout=log, stderr=log)
            log.close()
            if self._wait_ready():
                if first:
                    self.ldapmodify(groups_ldif())  # slapadd bypasses the memberof overlay
                return self
            self.stop()
        raise RuntimeError(f"slapd did not start; log: {self.log_path.read_text()[-2000:]}")

    def _wait_ready(self):
        deadline = time.monotonic() + START_DEADLINE
        ports = [self.port] + ([self.tls_port] if self.tls else [])
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # exited: most likely a port taken between picking and binding
            try:
                for p in ports:
                    socket.create_connection(("127.0.0.1", p), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self, timeout=10):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    def ldapmodify(self, ldif):
        r = subprocess.run([LDAPMODIFY, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PW], input=ldif.encode(),
                           capture_output=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"ldapmodify failed ({r.returncode}): {r.stderr.decode()}")

    def remove_member(self, group, user):
        self.ldapmodify(f"dn: {group_dn(group)}\nchangetype: modify\ndelete: member\nmember: {user_dn(user)}\n")

    def add_member(self, group, user):
        self.ldapmodify(f"dn: {group_dn(group)}\nchangetype: modify\nadd: member\nmember: {user_dn(user)}\n")

    def set_password(self, user, password):
        self.ldapmodify(f"dn: {user_dn(user)}\nchangetype: modify\nreplace: userPassword\n"
                        f"userPassword: {ssha(password)}\n")

    def delete_user(self, user):
        self.ldapmodify(f"dn: {user_dn(user)}\nchangetype: delete\n")


def write_wharf_config(directory, server_url, name="ldap.json", **overrides):
    """Writes `wharf server --ldap-config` for this directory into `directory`/`name`; returns its path."""
    tmp_path = pathlib.Path(directory)
    (tmp_path / "ldap-password").write_text(SERVICE_PASSWORD + "\n")
    config = {
        "url": server_url,
        "bindDN": SERVICE_DN,
        "bindPasswordFile": "ldap-password",  # relative to the config file
        "userBase": f"ou=people,{BASE}",
        "userFilter": "(&(objectClass=inetOrgPerson)(uid={username}))",
        "groupBase": f"ou=groups,{BASE}",
        "groupFilter": "(&(objectClass=groupOfNames)(member={dn}))",
        "groupAttribute": "cn",
        "timeout": 2,
        "poolSize": 2,
        "groupCacheSeconds": 1,
    }
    config.update(overrides)
    config = {k: v for k, v in config.items() if v is not None}  # None: leave the setting out
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


if __name__ == "__main__":
    # For tests in other languages (the console's, test/e2e/ldap.mjs): starts a seeded slapd in DIR, writes
    # Wharf's LDAP config next to it and prints {"url", "pid", "config"}; slapd keeps running after this
    # program exits and is the caller's to stop by its PID.
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: ldap_fixture.py DIR")
    slapd = Slapd(pathlib.Path(sys.argv[1])).start()
    config = write_wharf_config(sys.argv[1], slapd.url)
    print(json.dumps({"url": slapd.url, "pid": slapd.proc.pid, "config": str(config)}))

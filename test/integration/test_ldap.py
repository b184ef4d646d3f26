"""LDAP login against a real OpenLDAP slapd (ldap_fixture.py): company accounts log in, their directory groups
grant project roles through group bindings, a removed membership removes the access, and a directory that is
down answers 503 for LDAP users while local accounts keep working."""
import json
import signal
import subprocess
import threading
import time

import pytest

import ldap_fixture
from conftest import WHARF_BIN, wait_until
from ldap_fixture import SERVICE_DN, SERVICE_PASSWORD, Slapd, password_of

pytestmark = pytest.mark.skipif(not ldap_fixture.available(),
                                reason="slapd and ldap-utils are not installed (scripts/install-deps.sh)")

APP = {
    "name": "web",
    "image": "127.0.0.1:5000/team/web:1.4.2",
    "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    "resources": {"cpu": "100m", "memory": "64Mi"},
    "qos": "standard",
    "replicas": 1,
}
DEPLOY = "/api/v1/projects/shop/apps/web/environments/dev/deploy"
# The group cache of the test configuration is 1 s; the deadline leaves room for the server's own caches.
REVOKE_DEADLINE = 70.0


@pytest.fixture
def slapd(tmp_path):
    s = Slapd(tmp_path / "slapd").start()
    yield s
    s.stop()


def write_config(tmp_path, server_url, name="ldap.json", **overrides):
    return ldap_fixture.write_wharf_config(tmp_path, server_url, name, **overrides)


@pytest.fixture
def wharf(tmp_path, slapd, start_server):
    return start_server(extra_args=["--ldap-config", str(write_config(tmp_path, slapd.url))])


def login(server, username, password):
    """POST /api/v1/login asking for a bearer token; returns the response."""
    return server.request("POST", "/api/v1/login",
                          {"username": username, "password": password, "tokenName": "pytest"}, token=None)


def token_of(response):
    assert response.status in (200, 201), response
    body = response.json()
    return body["token"]


def setup_shop(server):
    server.ok("POST", "/api/v1/projects", {"name": "shop", "displayName": "Shop"}, 201)
    server.ok("POST", "/api/v1/projects/shop/environments", {"name": "dev", "clusters": ["local"]}, 201)
    server.ok("POST", "/api/v1/projects/shop/apps", APP, 201)


def deploy_status(server, token):
    return server.request("POST", DEPLOY, {"message": "from an LDAP account"}, token=token).status


def test_directory_accounts_are_marked_and_keep_their_password_in_the_directory(wharf, slapd):
    token_of(login(wharf, "alice", password_of("alice")))
    users = {u["name"]: u for u in wharf.ok("GET", "/api/v1/users")["items"]}
    assert users["alice"]["source"] == "ldap" and users["admin"]["source"] == "local"
    # A local password would end her directory login: refused, and she still signs in through LDAP.
    r = wharf.request("PUT", "/api/v1/users/alice/password", {"password": "a-local-password-9"})
    assert r.status == 409 and r.error["field"] == "password" and "directory" in r.error["message"]
    assert wharf.ok("GET", "/api/v1/users/alice")["source"] == "ldap"
    token_of(login(wharf, "alice", password_of("alice")))


def test_ldap_user_logs_in_and_group_binding_grants_then_removal_revokes(wharf, slapd):
    setup_shop(wharf)
    t0 = time.monotonic()
    r = login(wharf, "alice", password_of("alice"))
    alice = token_of(r)
    login_ms = (time.monotonic() - t0) * 1000
    me = wharf.request("GET", "/api/v1/me", token=alice)
    assert me.status == 200, me
    assert me.json()["user"] == "alice" and me.json()["admin"] is False
    assert set(me.json()["groups"]) == {"shop-devs", "shop-testers"}
    # No binding yet: the project is invisible to alice.
    assert deploy_status(wharf, alice) in (403, 404)

    bound = wharf.ok("POST", "/api/v1/projects/shop/members",
                     {"kind": "group", "subject": "shop-devs", "role": "developer"}, 201)
    assert bound["kind"] == "group" and bound["subject"] == "shop-devs"
    assert deploy_status(wharf, alice) == 202
    # bob is only in shop-testers, which has no binding.
    bob = token_of(login(wharf, "bob", password_of("bob")))
    assert deploy_status(wharf, bob) in (403, 404)

    slapd.remove_member("shop-devs", "alice")
    t1 = time.monotonic()
    wait_until(lambda: deploy_status(wharf, alice) in (403, 404), timeout=REVOKE_DEADLINE, interval=0.25,
               message="alice to lose the role of shop-devs")
    revoked_s = time.monotonic() - t1
    assert "shop-devs" not in wharf.request("GET", "/api/v1/me", token=alice).json()["groups"]
    # Put back: the access returns.
    slapd.add_member("shop-devs", "alice")
    wait_until(lambda: deploy_status(wharf, alice) == 202, timeout=REVOKE_DEADLINE, interval=0.25,
               message="alice to get the role back")
    print(f"\nLDAP login {login_ms:.0f} ms; group removal effective after {revoked_s:.1f} s")

    # The console flavour of the same login (a session cookie) works for directory users too.
    r = wharf.request("POST", "/api/v1/login", {"username": "alice", "password": password_of("alice")},
                      token=None)
    assert r.status in (200, 201), r
    log = wharf.log_path.read_text()
    for secret in (SERVICE_PASSWORD, password_of("alice"), password_of("bob"), alice, bob):
        assert secret not in log


def test_member_of_groups_prefix_and_map(tmp_path, slapd, start_server):
    # Groups from the users' memberOf (slapd's memberof overlay) instead of a group search; only shop-*
    # groups count, and ops-team is renamed to ops.
    config = write_config(tmp_path, slapd.url, "memberof.json", groupBase=None, groupFilter=None,
                          memberOfAttribute="memberOf", groupPrefix="shop-", groupMap={"ops-team": "ops"})
    s = start_server(extra_args=["--ldap-config", str(config)])

    def groups(user, name=None):
        r = login(s, name or user, password_of(user))
        assert r.status == 200, r
        me = s.request("GET", "/api/v1/me", token=r.json()["token"]).json()
        assert me["user"] == user, me
        return set(me["groups"])

    assert groups("alice") == {"shop-devs", "shop-testers"}
    assert groups("dave") == {"shop-devs", "ops"}
    assert groups("carol") == set()
    # uid matches without regard to case; Wharf knows the user by the directory's spelling.
    assert groups("alice", "ALICE") == {"shop-devs", "shop-testers"}


def test_concurrent_logins_share_the_small_pool(wharf):
    # poolSize 2: sixteen clients at once wait for a service connection instead of failing.
    users = ["alice", "bob", "carol", "dave"] * 4
    results = [None] * len(users)

    def run(i):
        r = login(wharf, users[i], password_of(users[i]))
        results[i] = (r.status, wharf.request("GET", "/api/v1/me", token=r.json().get("token")).status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(users))]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == [(200, 200)] * len(users), results
    assert time.monotonic() - t0 < 10


def test_wrong_password_and_unknown_user_get_the_same_401(wharf):
    wrong = login(wharf, "alice", "not-her-password")
    unknown = login(wharf, "nobody-here", "whatever-pw")
    assert wrong.status == 401 and unknown.status == 401, (wrong, unknown)
    assert wrong.error["message"] == unknown.error["message"]
    assert wrong.error["code"] == unknown.error["code"] == "unauthorized"
    # An empty password would be an anonymous simple bind, which slapd accepts: never a login.
    assert login(wharf, "alice", "").status in (400, 401)
    # Filter injection: the name is escaped (RFC 4515), so these match no entry.
    for name in ("*", "alice)(uid=*", "al*"):
        r = login(wharf, name, password_of("alice"))
        assert r.status in (400, 401), (name, r)
    assert "not-her-password" not in wharf.log_path.read_text()


def test_directory_down_gives_ldap_users_503_and_local_admin_still_works(wharf, slapd):
    alice = token_of(login(wharf, "alice", password_of("alice")))
    slapd.stop()
    t0 = time.monotonic()
    r = login(wharf, "alice", password_of("alice"))
    down_ms = (time.monotonic() - t0) * 1000
    assert r.status == 503, r
    assert slapd.url in r.error["message"] and "cannot be reached" in r.error["message"], r
    assert "local accounts can still log in" in r.error["message"]
    # The local admin: the token works, and so does the password login where the admin has a password.
    me = wharf.request("GET", "/api/v1/me")
    assert me.status == 200 and me.json()["user"] == "admin"
    admin_password_file = wharf.data_dir / "admin-password"
    if admin_password_file.exists():
        r = login(wharf, "admin", admin_password_file.read_text().strip())
        assert r.status in (200, 201), r
    # An LDAP user's token needs the directory for its groups: it is refused while the directory is
    # down (no stale grants), with the same clear message, once the group cache has expired.
    wait_until(lambda: wharf.request("GET", "/api/v1/me", token=alice).status == 503, timeout=REVOKE_DEADLINE,
               interval=0.25, message="alice's token to need the directory")

    # The directory comes back (same port): pooled connections to the old process are replaced.
    slapd.start()
    wait_until(lambda: login(wharf, "alice", password_of("alice")).status in (200, 201), timeout=15,
               interval=0.1, message="LDAP login after the directory came back")
    assert wharf.request("GET", "/api/v1/me", token=alice).status == 200
    print(f"\n503 for an unreachable directory after {down_ms:.0f} ms")


def test_unresponsive_directory_times_out_with_503(wharf, slapd):
    # SIGSTOP: the socket accepts (the kernel's backlog) but nothing answers; the 2 s timeout applies.
    slapd.proc.send_signal(signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        r = login(wharf, "bob", password_of("bob"))
        took = time.monotonic() - t0
    finally:
        slapd.proc.send_signal(signal.SIGCONT)
    assert r.status == 503, r
    assert slapd.url in r.error["message"], r
    assert took < 9, f"the login waited {took:.1f} s despite timeout: 2"
    assert token_of(login(wharf, "bob", password_of("bob")))


def test_starttls_and_ldaps_with_a_ca_file(tmp_path, start_server):
    tls = Slapd(tmp_path / "slapd-tls", tls=True).start()
    try:
        ca = str(tls.tls_files["ca"])
        s = start_server(tmp_path / "a", ["--ldap-config",
                                          str(write_config(tmp_path, tls.url, "starttls.json", startTLS=True,
                                                           caFile=ca))])
        assert token_of(login(s, "alice", password_of("alice")))
        s2 = start_server(tmp_path / "b", ["--ldap-config",
                                           str(write_config(tmp_path, tls.ldaps_url, "ldaps.json", caFile=ca))])
        assert token_of(login(s2, "bob", password_of("bob")))
        # A CA that did not sign the server's certificate: refused, and said so.
        other = ldap_fixture.make_tls_files(tmp_path / "other-ca")
        s3 = start_server(tmp_path / "c", ["--ldap-config",
                                           str(write_config(tmp_path, tls.url, "wrong-ca.json", startTLS=True,
                                                            caFile=str(other["ca"])))])
        r = login(s3, "alice", password_of("alice"))
        assert r.status == 503 and "StartTLS" in r.error["message"] and "caFile" in r.error["message"], r
        s4 = start_server(tmp_path / "d", ["--ldap-config",
                                           str(write_config(tmp_path, tls.ldaps_url, "wrong-ca-ldaps.json",
                                                            caFile=str(other["ca"])))])
        r = login(s4, "bob", password_of("bob"))
        assert r.status == 503 and tls.ldaps_url in r.error["message"] and "caFile" in r.error["message"], r
    finally:
        tls.stop()


def test_wrong_service_password_is_a_503_naming_the_service_account(tmp_path, slapd, start_server):
    config = write_config(tmp_path, slapd.url, "bad-service.json", bindPasswordFile="wrong-password")
    (tmp_path / "wrong-password").write_text("not-the-service-password\n")
    s = start_server(extra_args=["--ldap-config", str(config)])
    r = login(s, "alice", password_of("alice"))
    assert r.status == 503, r
    assert SERVICE_DN in r.error["message"] and "bindPasswordFile" in r.error["message"], r
    assert "not-the-service-password" not in s.log_path.read_text() + r.text


def test_invalid_ldap_config_is_refused_at_start_naming_the_field(tmp_path):
    cases = [
        ({"userBase": None}, "userBase"),
        ({"url": "http://127.0.0.1:389"}, "url"),
        ({"userFilter": "(uid=alice)"}, "userFilter"),
        ({"bindPasswordFile": "missing-file"}, "bindPasswordFile"),
        ({"timeout": "soon"}, "timeout"),
        ({"bindDn": "cn=typo"}, "bindDn"),
    ]
    for i, (patch, field) in enumerate(cases):
        config = write_config(tmp_path, "ldap://127.0.0.1:1", f"bad{i}.json", **patch)
        r = subprocess.run([WHARF_BIN, "server", "--data-dir", str(tmp_path / f"data{i}"), "--listen",
                            "127.0.0.1:0", "--ldap-config", str(config)], capture_output=True, timeout=20)
        assert r.returncode == 2, (field, r)
        err = r.stderr.decode()
        assert field in err and str(config) in err, err
        assert SERVICE_PASSWORD not in err + r.stdout.decode()

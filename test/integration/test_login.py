"""Local logins end to end against the real server: the initial admin password and its forced change, console
sessions (cookie + CSRF token), logout, brute-force slowing with audit and log records, listing and revoking API
tokens, and `wharf login --username` with the real binary. Secrets (passwords, token secrets, session cookies)
must never show up in the server's output or in any API response after the one that created them."""
import http.client
import json
import re
import signal

import pytest

from conftest import wait_until
from test_cli import Cli

NEW_ADMIN_PASSWORD = "a harbour full of boats"


def login(server, username, password, **extra):
    return server.request("POST", "/api/v1/login", {"username": username, "password": password, **extra}, token=None)


class Console:
    """A browser-like client: the session cookie from the login, and its CSRF token when asked to send it."""

    def __init__(self, server, response):
        assert response.status == 200, response
        cookie = response.headers["Set-Cookie"]
        m = re.match(r"wharf_session=([0-9a-f]+); ", cookie)
        assert m, cookie
        self.server = server
        self.secret = m.group(1)
        self.csrf = response.json()["csrfToken"]

    def request(self, method, path, body=None, csrf=True):
        headers = {"Cookie": f"theme=dark; wharf_session={self.secret}"}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return self.server.request(method, path, body, token=None, headers=headers)


def initial_password(server):
    path = server.data_dir / "admin-password"
    assert path.stat().st_mode & 0o777 == 0o600
    return path.read_text().strip()


def change_admin_password(server):
    console = Console(server, login(server, "admin", initial_password(server)))
    r = console.request("POST", "/api/v1/me/password",
                        {"currentPassword": initial_password(server), "newPassword": NEW_ADMIN_PASSWORD})
    assert r.status == 200, r
    return console


def test_initial_admin_password_must_be_changed_first(server):
    password = initial_password(server)
    assert len(password) >= 12
    r = login(server, "admin", password)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    body = r.json()
    assert body["user"] == "admin" and body["mustChangePassword"] is True
    assert body["csrfToken"] and body["expiresAt"]
    console = Console(server, r)

    # Until the password is changed, only the change itself, GET /me and logout work.
    r = console.request("GET", "/api/v1/projects")
    assert r.status == 403 and r.error["code"] == "password_change_required", r
    r = console.request("POST", "/api/v1/projects", {"name": "shop"})
    assert r.status == 403 and r.error["code"] == "password_change_required", r
    me = console.request("GET", "/api/v1/me")
    assert me.status == 200 and me.json()["mustChangePassword"] is True
    # The admin token (CLI, automation) is not held back.
    server.ok("GET", "/api/v1/projects")

    r = console.request("POST", "/api/v1/me/password", {"currentPassword": password, "newPassword": "short"})
    assert r.status == 400 and r.error["field"] == "newPassword", r
    r = console.request("POST", "/api/v1/me/password", {"currentPassword": password, "newPassword": "admin-admin-admin"})
    assert r.status == 400 and r.error["field"] == "newPassword", r
    r = console.request("POST", "/api/v1/me/password", {"currentPassword": "not it at all!", "newPassword": NEW_ADMIN_PASSWORD})
    assert r.status == 400 and r.error["field"] == "currentPassword", r
    r = console.request("POST", "/api/v1/me/password", {"currentPassword": password, "newPassword": NEW_ADMIN_PASSWORD})
    assert r.status == 200, r
    assert not (server.data_dir / "admin-password").exists()

    assert console.request("GET", "/api/v1/projects").status == 200
    assert console.request("GET", "/api/v1/me").json()["mustChangePassword"] is False
    assert console.request("POST", "/api/v1/projects", {"name": "shop"}).status == 201
    assert login(server, "admin", password).status == 401
    again = login(server, "admin", NEW_ADMIN_PASSWORD)
    assert again.status == 200 and again.json()["mustChangePassword"] is False
    # The change was audited, without the passwords.
    audit = server.ok("GET", "/api/v1/audit?user=admin")
    assert any(r["target"] == "/api/v1/me/password" and r["result"] == "ok" for r in audit["items"])
    assert password not in json.dumps(audit) and NEW_ADMIN_PASSWORD not in json.dumps(audit)


def test_admin_password_survives_restart_until_changed(start_server, tmp_path):
    s = start_server()
    password = initial_password(s)
    s.stop()
    s = start_server()
    assert initial_password(s) == password
    assert login(s, "admin", password).status == 200


def test_csrf_token_is_required_for_cookie_calls_that_change_something(server):
    console = change_admin_password(server)
    r = console.request("POST", "/api/v1/projects", {"name": "shop"}, csrf=False)
    assert r.status == 403 and r.error["code"] == "csrf", r
    r = server.request("POST", "/api/v1/projects", {"name": "shop"}, token=None,
                       headers={"Cookie": f"wharf_session={console.secret}", "X-CSRF-Token": "0" * 64})
    assert r.status == 403 and r.error["code"] == "csrf", r
    assert console.request("GET", "/api/v1/projects", csrf=False).status == 200  # reads need none
    assert console.request("POST", "/api/v1/projects", {"name": "shop"}).status == 201
    # The refusal is in the audit log.
    audit = server.ok("GET", "/api/v1/audit?user=admin")
    assert any(r["result"].startswith("403 csrf") for r in audit["items"]), audit
    # Bearer tokens need no CSRF token.
    server.ok("POST", "/api/v1/projects", {"name": "shop2"}, 201)


def test_logout_ends_the_session(server):
    console = change_admin_password(server)
    assert console.request("GET", "/api/v1/me").status == 200
    r = console.request("POST", "/api/v1/logout", csrf=False)
    assert r.status == 403 and r.error["code"] == "csrf"
    r = console.request("POST", "/api/v1/logout")
    assert r.status == 204, r
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    r = console.request("GET", "/api/v1/me")
    assert r.status == 401 and r.error["code"] == "unauthorized", r
    assert server.request("GET", "/api/v1/me", token=None,
                          headers={"Cookie": "wharf_session=" + "ab" * 32}).status == 401


def test_password_change_ends_other_sessions(server):
    first = change_admin_password(server)
    second = Console(server, login(server, "admin", NEW_ADMIN_PASSWORD))
    r = second.request("POST", "/api/v1/me/password",
                       {"currentPassword": NEW_ADMIN_PASSWORD, "newPassword": "another long password"})
    assert r.status == 200, r
    assert first.request("GET", "/api/v1/me").status == 401
    assert second.request("GET", "/api/v1/me").status == 200


def test_brute_force_is_slowed_audited_and_logged(server):
    server.ok("POST", "/api/v1/users", {"name": "bob", "password": "bobs own passphrase"}, 201)
    wrong = [f"guess number {i} for bob" for i in range(6)]
    for guess in wrong[:5]:
        r = login(server, "bob", guess)
        assert r.status == 401 and r.error["message"] == "wrong user name or password", r
    r = login(server, "bob", wrong[5])
    assert r.status == 429 and r.error["code"] == "rate_limited", r
    assert int(r.headers["Retry-After"]) >= 1
    # The right password does not get through while the wait lasts.
    r = login(server, "bob", "bobs own passphrase")
    assert r.status == 429, r

    audit = server.ok("GET", "/api/v1/audit?user=bob")["items"]
    failed = [a for a in audit if a["action"] == "login.failed"]
    assert len(failed) == 5, audit
    assert all(a["result"] == "denied" and a["remote"].startswith("127.0.0.1") for a in failed)
    wait_until(lambda: server.log_path.read_text().count('login failed for user "bob"') >= 5, message="warn lines")
    log = server.log_path.read_text()
    assert "warn" in log
    for secret in wrong + ["bobs own passphrase"]:
        assert secret not in log


def test_unknown_user_and_wrong_password_look_the_same(server):
    server.ok("POST", "/api/v1/users", {"name": "carol", "password": "carols own passphrase"}, 201)
    wrong = login(server, "carol", "not carols passphrase")
    unknown = login(server, "nobody-here", "not carols passphrase")
    tokenless = server.ok("POST", "/api/v1/users", {"name": "dave"}, 201)  # no password: tokens only
    assert tokenless["name"] == "dave"
    no_password = login(server, "dave", "whatever it may be")
    assert wrong.status == unknown.status == no_password.status == 401
    assert wrong.json() == unknown.json() == no_password.json()


def test_login_validation(server):
    assert login(server, "", "x").error["field"] == "username"
    r = server.request("POST", "/api/v1/login", {"username": "admin"}, token=None)
    assert r.status == 400 and r.error["field"] == "password"
    r = server.request("POST", "/api/v1/login", raw=b'{"username": "admin", "password": "leaky\n', token=None,
                       headers={"Content-Type": "application/json"})
    assert r.status == 400 and "leaky" not in r.text
    r = server.request("POST", "/api/v1/users", {"name": "erin", "password": "short"})
    assert r.status == 400 and r.error["field"] == "password"


def test_admin_sets_a_password_that_must_be_changed(server):
    server.ok("POST", "/api/v1/users", {"name": "frank"}, 201)
    r = server.request("PUT", "/api/v1/users/frank/password", {"password": "franks first passphrase"})
    assert r.status == 200 and r.json()["mustChangePassword"] is True
    r = login(server, "frank", "franks first passphrase")
    assert r.json()["mustChangePassword"] is True
    frank = Console(server, r)
    assert frank.request("GET", "/api/v1/projects").error["code"] == "password_change_required"
    assert server.request("PUT", "/api/v1/users/nobody/password", {"password": "a fine passphrase"}).status == 404


def test_tokens_are_listed_without_secrets_and_revoked_at_once(server):
    created = server.ok("POST", "/api/v1/me/tokens", {"name": "ci", "ttl": "1h"}, 201)
    secret, token_id = created["token"], created["id"]
    assert created["expiresAt"]
    assert server.request("GET", "/api/v1/projects", token=secret).status == 200

    listed = server.ok("GET", "/api/v1/me/tokens")
    mine = [t for t in listed["items"] if t["id"] == token_id]
    assert mine and mine[0]["name"] == "ci" and mine[0]["createdAt"] and mine[0]["expiresAt"]
    assert "hash" not in mine[0] and "token" not in mine[0]
    assert secret not in json.dumps(listed)

    assert server.request("DELETE", f"/api/v1/me/tokens/{token_id}").status == 204
    wait_until(lambda: server.request("GET", "/api/v1/projects", token=secret).status == 401, timeout=10,
               message="revoked token refused")
    assert server.request("DELETE", f"/api/v1/me/tokens/{token_id}").status == 404

    # Administrators list and revoke other users' tokens.
    server.ok("POST", "/api/v1/users", {"name": "gina"}, 201)
    gina = server.ok("POST", "/api/v1/users/gina/tokens", {"name": "laptop", "expiresAt": "2099-01-01T00:00:00Z"}, 201)
    assert server.request("GET", "/api/v1/me", token=gina["token"]).json()["user"] == "gina"
    assert server.request("GET", "/api/v1/me/tokens", token=gina["token"]).status == 200
    assert server.request("GET", "/api/v1/users/gina/tokens", token=gina["token"]).status == 403
    items = server.ok("GET", "/api/v1/users/gina/tokens")["items"]
    assert [t["name"] for t in items] == ["laptop"]
    assert server.request("DELETE", f"/api/v1/users/gina/tokens/{gina['id']}").status == 204
    wait_until(lambda: server.request("GET", "/api/v1/me", token=gina["token"]).status == 401, timeout=10,
               message="revoked token refused")

    for body in ({"name": "x", "ttl": "1h", "expiresAt": "2099-01-01T00:00:00Z"}, {"name": "x", "ttl": "soon"},
                 {"name": "x", "expiresAt": "2001-01-01T00:00:00Z"}):
        r = server.request("POST", "/api/v1/me/tokens", body)
        assert r.status == 400, (body, r)


def test_password_login_can_return_an_expiring_token(server):
    change_admin_password(server)
    r = login(server, "admin", NEW_ADMIN_PASSWORD, tokenName="cli@test")
    assert r.status == 200 and "Set-Cookie" not in r.headers, r
    body = r.json()
    assert body["token"].startswith("wharf_") and body["expiresAt"] > "2026"
    assert server.request("GET", "/api/v1/projects", token=body["token"]).status == 200
    names = [t["name"] for t in server.ok("GET", "/api/v1/me/tokens")["items"]]
    assert "cli@test" in names


def test_secrets_never_appear_in_output_or_later_responses(server):
    initial = initial_password(server)
    console = change_admin_password(server)
    server.ok("POST", "/api/v1/users", {"name": "hank", "password": "hanks first passphrase"}, 201)
    server.ok("PUT", "/api/v1/users/hank/password", {"password": "hanks second passphrase"})
    token = server.ok("POST", "/api/v1/me/tokens", {"name": "ci"}, 201)
    cli_token = login(server, "admin", NEW_ADMIN_PASSWORD, tokenName="cli@test").json()
    login(server, "hank", "a wrong guess for hank")
    secrets = [initial, NEW_ADMIN_PASSWORD, "hanks first passphrase", "hanks second passphrase",
               "a wrong guess for hank", token["token"], cli_token["token"], console.secret, console.csrf]

    responses = [server.request("GET", p).text for p in (
        "/api/v1/users", "/api/v1/me", "/api/v1/me/tokens", "/api/v1/users/hank/tokens", "/api/v1/audit")]
    responses.append(console.request("GET", "/api/v1/me").text)
    for text in responses:
        for secret in secrets:
            assert secret not in text
        assert "argon2" not in text and "passwordHash" not in text

    server.proc.send_signal(signal.SIGTERM)
    stdout = server.proc.stdout.read().decode()
    server.stop()
    output = stdout + server.log_path.read_text()
    assert "admin-password" in server.log_path.read_text()  # where it is, not what it is
    for secret in secrets:
        assert secret not in output, secret


def test_cli_login_with_username_and_password(server, tmp_path):
    cli = Cli(tmp_path)
    r = cli("login", "--server", server.url, "--username", "admin", input=initial_password(server) + "\n")
    assert r.returncode == 0, r
    assert "must be changed" in r.stderr
    config = cli.config.read_text()
    assert initial_password(server) not in config and initial_password(server) not in r.stdout + r.stderr
    # `wharf password` reads the current and the new password from stdin.
    r = cli("password", input=f"{initial_password(server)}\n{NEW_ADMIN_PASSWORD}\n")
    assert r.returncode == 0, r
    r = cli("login", "--server", server.url, "--username", "admin", input="a wrong password!\n")
    assert r.returncode == 1 and "wrong user name or password" in r.stderr, r
    r = cli("login", "--server", server.url, "--username", "admin", input=NEW_ADMIN_PASSWORD + "\n")
    assert r.returncode == 0 and "must be changed" not in r.stderr, r
    assert NEW_ADMIN_PASSWORD not in r.stdout + r.stderr + cli.config.read_text()
    assert cli.ok("project", "list") is not None

    tokens = json.loads(cli.ok("token", "list", "-o", "json"))
    assert any(t["name"].startswith("cli@") for t in tokens)
    secret = cli.ok("token", "create", "scripts", "--ttl", "2h").strip()
    assert secret.startswith("wharf_")
    assert server.request("GET", "/api/v1/me", token=secret).status == 200
    scripts = [t for t in json.loads(cli.ok("token", "list", "-o", "json")) if t["name"] == "scripts"]
    assert "scripts" in cli.ok("token", "list")
    cli.ok("token", "revoke", scripts[0]["id"])
    wait_until(lambda: server.request("GET", "/api/v1/me", token=secret).status == 401, timeout=10,
               message="revoked token refused")


def test_deleted_user_loses_tokens_sessions_and_memberships_at_once(server):
    server.ok("POST", "/api/v1/projects", {"name": "shop"}, 201)
    server.ok("POST", "/api/v1/users", {"name": "carol", "password": "correct horse battery"}, 201)
    member = server.ok("POST", "/api/v1/projects/shop/members", {"kind": "user", "subject": "carol", "role": "viewer"}, 201)
    server.ok("POST", "/api/v1/projects/shop/members", {"kind": "group", "subject": "shop-devs", "role": "developer"}, 201)
    token = server.ok("POST", "/api/v1/users/carol/tokens", {"name": "ci"}, 201)["token"]
    assert server.request("GET", "/api/v1/projects/shop", token=token).status == 200  # cached as valid

    groups = server.ok("GET", "/api/v1/groups")["items"]
    assert [(g["name"], [m["role"] for m in g["memberships"]]) for g in groups] == [("shop-devs", ["developer"])]
    assert server.request("GET", "/api/v1/groups", token=token).status == 403

    changed = server.ok("PATCH", "/api/v1/users/carol", {"displayName": "Carol C."})
    assert changed["displayName"] == "Carol C." and changed["admin"] is False
    assert server.ok("GET", "/api/v1/users/carol")["displayName"] == "Carol C."
    r = server.request("PATCH", "/api/v1/users/admin", {"admin": False})
    assert r.status == 409 and r.error["field"] == "admin"
    assert server.request("DELETE", "/api/v1/users/admin").status == 409

    server.ok("DELETE", "/api/v1/users/carol")
    # No cache keeps the token alive, and the membership went with the user.
    r = server.request("GET", "/api/v1/projects/shop", token=token)
    assert r.status == 401, r
    members = server.ok("GET", "/api/v1/projects/shop/members")["items"]
    assert member["id"] not in [m["id"] for m in members] and [m["subject"] for m in members] == ["shop-devs"]
    assert server.request("GET", "/api/v1/users/carol").status == 404
    assert server.request("DELETE", "/api/v1/users/carol").status == 404
    audit = server.ok("GET", "/api/v1/audit?user=admin")["items"]
    assert any(a["method"] == "DELETE" and a["target"] == "/api/v1/users/carol" for a in audit), audit[:3]

"""The tenancy verbs of the `wharf` CLI end to end (real binary, real server): whoami, user, role, member, audit.
Checks the tables people read, the -o json scripts read, the exit codes and what the bindings made with the CLI
actually grant."""
import json

import pytest

from test_cli import Cli, header_of


@pytest.fixture
def cli(tmp_path):
    return Cli(tmp_path)


@pytest.fixture
def admin_cli(server, cli):
    """Logged in as the administrator, project "shop" with environments dev and prod."""
    cli.ok("login", "--server", server.url, "--token-file", str(server.data_dir / "admin-token"), "--project", "shop")
    cli.ok("project", "create", "shop")
    cli.ok("env", "create", "dev")
    cli.ok("env", "create", "prod")
    return cli


def token_for(server, user):
    return server.ok("POST", f"/api/v1/users/{user}/tokens", {"name": "cli-test"}, 201)["token"]


def test_whoami(admin_cli, server):
    out = admin_cli.ok("whoami")
    assert "User:" in out and "admin" in out and "Administrator:" in out and "yes" in out
    me = admin_cli.json("whoami")
    assert me["user"] == "admin" and me["admin"] is True and "project.create" in me["permissions"]
    assert server.token not in out
    r = admin_cli("whoami", "-e", "dev")
    assert r.returncode == 2 and "--env needs --project" in r.stderr
    me = admin_cli.json("whoami", "-p", "shop", "-e", "dev")
    assert "app.deploy" in me["permissions"] and "member.manage" in me["permissions"]
    assert "Permissions in shop/dev:" in admin_cli.ok("whoami", "-p", "shop", "-e", "dev")


def test_users(admin_cli):
    out = admin_cli.ok("user", "create", "alice", "--display-name", "Alice Liddell")
    assert 'User "alice" created' in out
    created = admin_cli.json("user", "create", "root2", "--admin")
    assert created["name"] == "root2" and created["admin"] is True
    listing = admin_cli.ok("user", "list")
    assert header_of(listing) == ["NAME", "DISPLAY", "NAME", "ADMIN", "CREATED"]
    rows = {line.split()[0]: line for line in listing.splitlines()[1:]}
    assert "Alice Liddell" in rows["alice"] and " no " in rows["alice"] and " yes " in rows["root2"]
    assert {u["name"] for u in admin_cli.json("user", "list")} >= {"admin", "alice", "root2"}
    assert len(admin_cli.json("user", "list", "--limit", "1")) == 1
    r = admin_cli("user", "create", "alice")
    assert r.returncode == 1 and "error:" in r.stderr
    r = admin_cli("user", "create", "Not A Name")
    assert r.returncode == 1 and "name" in r.stderr
    # An initial password comes from standard input and is never printed back.
    password = "Harbour-Light-4821-Quay"
    r = admin_cli("user", "create", "pat", "--password-stdin", "-o", "json", input=password + "\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["name"] == "pat" and password not in r.stdout + r.stderr
    r = admin_cli("user", "create", "quinn", "--password-stdin", input="")
    assert r.returncode == 2 and "no password" in r.stderr


def test_roles(admin_cli):
    listing = admin_cli.ok("role", "list")
    assert header_of(listing) == ["NAME", "BUILT-IN", "PERMISSIONS", "DESCRIPTION"]
    names = [line.split()[0] for line in listing.splitlines()[1:]]
    assert names[:4] == ["owner", "developer", "tester", "viewer"]
    shown = admin_cli.ok("role", "show", "viewer")
    assert "Built-in:" in shown and "PERMISSION" in shown
    assert any(line.split()[:2] == ["instance.logs", "environment"] for line in shown.splitlines())
    assert "app.deploy" not in shown

    created = admin_cli.json("role", "create", "deployer", "--permission", "app.read,app.deploy",
                             "--permission", "release.read", "--description", "deploys and nothing else")
    assert created["permissions"] == ["app.deploy", "app.read", "release.read"] and created["builtin"] is False
    assert admin_cli.json("role", "show", "deployer")["description"] == "deploys and nothing else"
    r = admin_cli("role", "create", "bad", "--permission", "cluster.create")
    assert r.returncode == 1 and "permissions[0]" in r.stderr
    r = admin_cli("role", "create", "owner", "--permission", "app.read")
    assert r.returncode == 1 and "built-in" in r.stderr
    r = admin_cli("role", "show", "nosuch")
    assert r.returncode == 1 and 'no role "nosuch"' in r.stderr

    # A role in use cannot go; once unused it can.
    admin_cli.ok("user", "create", "dora")
    admin_cli.ok("member", "add", "dora", "--role", "deployer")
    r = admin_cli("role", "delete", "deployer")
    assert r.returncode == 1 and "still granted" in r.stderr
    admin_cli.ok("member", "remove", "dora")
    assert 'Role "deployer" deleted.' in admin_cli.ok("role", "delete", "deployer")
    assert "deployer" not in {r["name"] for r in admin_cli.json("role", "list")}
    r = admin_cli("role", "delete", "viewer")
    assert r.returncode == 1 and "built-in" in r.stderr


def test_members_grant_what_they_say(admin_cli, server):
    cli = admin_cli
    cli.ok("user", "create", "alice")
    cli.ok("user", "create", "bob")
    out = cli.ok("member", "add", "alice", "--role", "developer", "-e", "dev")
    assert 'User "alice" is now developer in project "shop" (environments dev; binding' in out
    bob = cli.json("member", "add", "bob", "--role", "owner", "-p", "shop")
    assert bob["subject"] == "bob" and bob["environments"] == [] and bob["createdBy"] == "admin"
    cli.ok("member", "add", "ops-team", "--group", "--role", "viewer", "--env", "dev,prod")

    listing = cli.ok("member", "list")
    assert header_of(listing) == ["ID", "KIND", "SUBJECT", "ROLE", "ENVIRONMENTS", "GRANTED", "BY", "GRANTED"]
    rows = {line.split()[2]: line.split() for line in listing.splitlines()[1:]}
    assert rows["alice"][1:5] == ["user", "alice", "developer", "dev"]
    assert rows["bob"][3:5] == ["owner", "(all)"]
    assert rows["ops-team"][1:5] == ["group", "ops-team", "viewer", "dev,prod"]
    members = cli.json("member", "list")
    assert {(m["kind"], m["subject"], m["role"]) for m in members} == {
        ("user", "alice", "developer"), ("user", "bob", "owner"), ("group", "ops-team", "viewer")}

    # What the binding grants, seen by alice herself.
    alice = cli
    token = token_for(server, "alice")
    base = ("--server", server.url, "--token", token)
    me = alice.json(*base, "whoami", "-p", "shop", "-e", "dev")
    assert me["user"] == "alice" and me["projects"] == ["shop"] and "app.deploy" in me["permissions"]
    me = alice.json(*base, "whoami", "-p", "shop", "-e", "prod")
    assert "app.deploy" not in me["permissions"] and "release.read" not in me["permissions"]
    text = alice.ok(*base, "whoami", "-p", "shop", "-e", "dev")
    assert "Permissions in shop/dev:" in text
    r = alice(*base, "member", "add", "alice", "--role", "owner", "-p", "shop")
    assert r.returncode == 1 and "member.manage" in r.stderr
    r = alice(*base, "user", "list")
    assert r.returncode == 1 and "user.manage" in r.stderr
    assert token not in r.stdout + r.stderr

    # Errors name what to change.
    r = cli("member", "add", "carol", "--role", "nosuch")
    assert r.returncode == 1 and 'no role "nosuch"' in r.stderr
    r = cli("member", "add", "carol", "--role", "viewer", "-e", "staging")
    assert r.returncode == 1 and 'no environment "staging"' in r.stderr
    r = cli("member", "remove", "carol")
    assert r.returncode == 1 and "wharf member list" in r.stderr
    r = cli("member", "list", "-p", "nope")
    assert r.returncode == 1 and 'project "nope" does not exist' in r.stderr

    # Removal by subject (only the group binding with --group), by id, and the effect on access.
    out = cli.ok("member", "remove", "ops-team", "--group", "--role", "viewer")
    assert 'Removed group "ops-team" as viewer in dev,prod from project "shop"' in out
    removed = cli.json("member", "remove", str(bob["id"]))
    assert [b["subject"] for b in removed] == ["bob"]
    cli.ok("member", "remove", "alice")
    assert cli.json("member", "list") == []
    assert "has no members yet" in cli.ok("member", "list")
    r = alice(*base, "whoami", "-p", "shop")
    assert r.returncode == 1 and 'project "shop" does not exist' in r.stderr


def test_audit(admin_cli, server):
    cli = admin_cli
    cli.ok("user", "create", "alice")
    cli.ok("member", "add", "alice", "--role", "owner")
    token = token_for(server, "alice")
    alice = ("--server", server.url, "--token", token)
    cli.ok(*alice, "env", "create", "qa")
    cli(*alice, "project", "create", "elsewhere")  # refused: audited all the same

    records = cli.json("audit")
    assert records and records[0]["id"] > records[-1]["id"]  # newest first
    assert {"actor", "remote", "action", "method", "target", "project", "result", "at"} <= set(records[0])
    refused = [r for r in records if r["actor"] == "alice" and r["target"] == "/api/v1/projects"]
    assert refused and refused[0]["result"].startswith("403")

    shop = cli.json("audit", "-p", "shop", "--user", "alice")
    assert [(r["action"], r["target"]) for r in shop] == [("environment.create", "/api/v1/projects/shop/environments")]
    table = cli.ok("audit", "--project", "shop")
    assert header_of(table) == ["TIME", "USER", "FROM", "ACTION", "METHOD", "TARGET", "RESULT"]
    assert "member.manage" in table and "environment.create" in table
    assert len(cli.json("audit", "--limit", "2")) == 2
    assert cli.json("audit", "--since", "1h") == records
    assert cli.json("audit", "--until", "2000-01-01T00:00:00Z") == []
    assert "No audit records match." in cli.ok("audit", "--until", "2000-01-01T00:00:00Z")
    r = cli("audit", "--since", "yesterday")
    assert r.returncode == 1 and "since" in r.stderr

    # The owner reads the project's log, not the platform's.
    assert cli.json(*alice, "audit", "-p", "shop")
    r = cli(*alice, "audit")
    assert r.returncode == 1 and "platform.audit" in r.stderr
    assert token not in json.dumps(records)

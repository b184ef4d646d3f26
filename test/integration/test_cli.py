"""The `wharf` CLI end to end: the real binary as a client of a real `wharf server`, with its config file
in the test's own directory. Checks what a person sees (tables, messages), what a script relies on
(-o json, exit codes 0/1/2/3) and that a token is never printed."""
import json
import os
import pathlib
import socket
import stat
import subprocess
import time
import unicodedata

import pytest

from conftest import WHARF_BIN

APP_YAML = """\
# A spec as a person writes it: unquoted numbers and booleans in env and args stay text.
name: web
image: 127.0.0.1:5000/team/web:1.4.2
command: [/bin/server]
args: ["--port", 8080]
ports:
  - name: http
    port: 8080
env:
  PORT: 8080
  DEBUG: false
  JAVA_OPTS: -Xmx512m
resources:
  cpu: 500m
  memory: 512Mi
qos: standard
replicas: 2
healthCheck:
  readiness:
    http: {path: /healthz, port: http}
    periodSeconds: 5
"""


class Cli:
    """Runs `wharf` with WHARF_CONFIG in tmp_path and nothing from the user's own environment."""

    def __init__(self, tmp_path):
        self.config = tmp_path / "cli" / "config"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("WHARF_", "XDG_"))}
        self.env["WHARF_CONFIG"] = str(self.config)
        self.env["HOME"] = str(tmp_path)

    def __call__(self, *args, input=None, timeout=30):
        return subprocess.run([WHARF_BIN, *args], input=input, capture_output=True, text=True,
                              env=self.env, timeout=timeout)

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        assert r.returncode == 0, (args, r.returncode, r.stdout, r.stderr)
        return r.stdout

    def json(self, *args):
        return json.loads(self.ok(*args, "-o", "json"))


def free_port():
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def display_column(line, part):
    """The terminal column where `part` starts in `line` (East Asian wide characters take two)."""
    prefix = line[:line.index(part)]
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in prefix)


def header_of(table_text):
    return table_text.splitlines()[0].split()


@pytest.fixture
def cli(tmp_path):
    return Cli(tmp_path)


@pytest.fixture
def logged_in(server, cli):
    """A CLI logged in to `server` with project "shop" (default context project) and environment "dev"."""
    cli.ok("login", "--server", server.url, "--token-file", str(server.data_dir / "admin-token"), "--project", "shop")
    cli.ok("project", "create", "shop", "--display-name", "Shop")
    cli.ok("env", "create", "dev")
    return cli


def test_login_saves_a_private_context_and_never_prints_the_token(server, cli):
    out = cli.ok("login", "--server", server.url, "--token-file", str(server.data_dir / "admin-token"))
    assert "Logged in to " + server.url in out
    assert stat.S_IMODE(os.stat(cli.config).st_mode) == 0o600
    saved = json.loads(cli.config.read_text())
    assert saved["current-context"] == saved["contexts"][0]["name"]
    assert saved["contexts"][0]["token"] == server.token

    # From stdin, under a chosen name; `context` marks the current one.
    r = cli("login", "--server", server.url, "--context", "other", input=server.token + "\n")
    assert r.returncode == 0, r.stderr
    listing = cli.ok("context")
    assert header_of(listing) == ["CURRENT", "NAME", "SERVER", "PROJECT"]
    assert any(line.startswith("*") and "other" in line for line in listing.splitlines())
    contexts = cli.json("context")
    assert {c["name"] for c in contexts if c["current"]} == {"other"}
    cli.ok("context", "use", contexts[0]["name"] if contexts[0]["name"] != "other" else contexts[1]["name"])
    assert [c["current"] for c in cli.json("context") if c["name"] == "other"] == [False]
    cli.ok("context", "set-project", "shop")
    assert {c["project"] for c in cli.json("context") if c["current"]} == {"shop"}

    for args in (("context",), ("context", "-o", "json"), ("version",), ("project", "list", "-o", "json")):
        r = cli(*args)
        assert server.token not in r.stdout + r.stderr, args


def test_login_with_a_wrong_token_is_refused_and_saves_nothing(server, cli):
    r = cli("login", "--server", server.url, "--token", "wharf_wrong")
    assert r.returncode == 1
    assert "refused the token" in r.stderr and "wharf_wrong" not in r.stderr
    assert not cli.config.exists()


def test_projects_and_environments(logged_in, server):
    cli = logged_in
    cli.ok("project", "create", "ops", "--display-name", "运维 Ops", "--description", "the ops team")
    table = cli.ok("project", "list")
    assert header_of(table)[:3] == ["NAME", "DISPLAY", "NAME"]
    assert [line.split()[0] for line in table.splitlines()[1:]] == ["ops", "shop"]
    # Wide characters take two terminal columns, so the CREATED column still lines up.
    lines = table.splitlines()
    assert len({display_column(line, line.split()[-2]) for line in lines[1:]}) == 1
    assert [p["name"] for p in cli.json("project", "list")] == ["ops", "shop"]
    assert len(cli.json("project", "list", "--limit", "1")) == 1
    assert cli.json("project", "get", "ops")["description"] == "the ops team"

    cli.ok("env", "create", "prod", "--production", "--namespace", "shop-production")
    envs = {e["name"]: e for e in cli.json("env", "list")}
    assert envs["prod"]["policy"]["production"] is True and envs["prod"]["namespace"] == "shop-production"
    assert envs["dev"]["clusters"] == ["local"]
    assert "shop-production" in cli.ok("env", "get", "prod")

    cli.ok("project", "delete", "ops")
    r = cli("project", "get", "ops")
    assert r.returncode == 1 and r.stderr.startswith("error: ")


def test_app_release_lifecycle(logged_in, tmp_path):
    cli = logged_in
    spec = tmp_path / "web.yaml"
    spec.write_text(APP_YAML)
    assert 'App "web" created' in cli.ok("app", "create", "-f", str(spec))
    app = cli.json("app", "get", "web")
    assert app["env"] == {"PORT": "8080", "DEBUG": "false", "JAVA_OPTS": "-Xmx512m"}
    assert app["args"] == ["--port", "8080"] and app["replicas"] == 2
    assert app["healthCheck"]["readiness"]["periodSeconds"] == 5

    # apply: an existing app is replaced with the resourceVersion just read.
    spec.write_text(APP_YAML.replace("replicas: 2", "replicas: 3"))
    assert "updated" in cli.ok("app", "apply", "-f", str(spec))
    assert cli.json("app", "get", "web")["replicas"] == 3
    # apply from stdin, JSON, of a new app.
    cli.ok("app", "apply", "-f", "-", input=json.dumps({"name": "api", "image": "127.0.0.1:5000/team/api:1"}))
    assert [a["name"] for a in cli.json("app", "list")] == ["api", "web"]
    assert header_of(cli.ok("app", "list")) == ["NAME", "IMAGE", "REPLICAS", "QOS", "CREATED"]

    # No runtime driver serves "local" yet: releases are recorded and stay pending.
    out = cli.ok("deploy", "web", "-e", "dev", "-m", "first release")
    assert "Release 1" in out and "pending" in out
    release = cli.json("deploy", "web", "-e", "dev", "--image", "127.0.0.1:5000/team/web:1.5.0", "--replicas", "2")
    assert release["revision"] == 2 and release["kind"] == "deploy" and release["replicas"] == 2

    table = cli.ok("releases", "web", "-e", "dev")
    assert header_of(table) == ["REVISION", "KIND", "STATUS", "IMAGE", "REPLICAS", "CONFIG", "BY", "AGE", "MESSAGE"]
    assert table.splitlines()[1].split()[0] == "2" and "first release" in table

    status = cli.ok("status", "web")
    assert header_of(status)[:4] == ["ENVIRONMENT", "REVISION", "KIND", "STATUS"]
    assert status.splitlines()[1].split()[:2] == ["dev", "2"]
    assert cli.json("status", "web")["dev"]["revision"] == 2
    assert "dev" in cli.ok("app", "get", "web")

    # Nothing succeeded before, so there is nothing to roll back to: refused, with the server's reason.
    r = cli("rollback", "web", "-e", "dev")
    assert r.returncode == 1 and "no earlier successful release" in r.stderr
    r = cli("rollback", "web", "-e", "dev", "--to", "9")
    assert r.returncode == 1 and "revision 9" in r.stderr

    scale = cli.json("scale", "web", "-e", "dev", "--replicas", "4", "-m", "more")
    assert scale["kind"] == "scale" and scale["replicas"] == 4
    assert "offline" in cli.ok("offline", "web", "-e", "dev", "-m", "night")
    r = cli("offline", "web", "-e", "dev")
    assert r.returncode == 1 and "already offline" in r.stderr

    history = cli.json("releases", "web", "-e", "dev")
    assert [(x["revision"], x["kind"]) for x in history] == [(4, "offline"), (3, "scale"), (2, "deploy"),
                                                              (1, "deploy")]
    assert [x["revision"] for x in cli.json("releases", "web", "-e", "dev", "--limit", "2")] == [4, 3]
    assert cli.json("instances", "web", "-e", "dev") == []
    assert "No instances" in cli.ok("instances", "web", "-e", "dev")

    # --wait is bounded: a release no driver runs is still pending at the deadline (exit 3).
    started = time.monotonic()
    r = cli("deploy", "web", "-e", "dev", "--wait", "--timeout", "2s")
    assert r.returncode == 3 and "gave up waiting after 2s" in r.stderr
    assert time.monotonic() - started < 10

    assert "deleted" in cli.ok("app", "delete", "api")


def test_exit_codes(logged_in, tmp_path):
    cli = logged_in
    (tmp_path / "web.yaml").write_text(APP_YAML)
    cli.ok("app", "create", "-f", str(tmp_path / "web.yaml"))
    cli.ok("deploy", "web", "-e", "dev")

    # 1: the server refused; its message and the field at fault go to stderr.
    r = cli("scale", "web", "-e", "dev", "--replicas", "100000")
    assert r.returncode == 1
    assert r.stderr.startswith("error: replicas must be") and "(field: replicas)" in r.stderr
    assert r.stdout == ""
    r = cli("project", "create", "Bad_Name")
    assert r.returncode == 1 and "(field: name)" in r.stderr
    r = cli("project", "list", "--token", "wharf_wrong")
    assert r.returncode == 1 and "wharf_wrong" not in r.stderr

    # 2: the command line is wrong, before anything is sent.
    for args in (("deploy", "web"),                               # -e missing
                 ("scale", "web", "-e", "dev", "--replicas", "x"),
                 ("project", "list", "-o", "yaml"),
                 ("no-such-verb",),
                 ("app", "create", "-f", str(tmp_path / "missing.yaml")),
                 ("deploy", "web", "-e", "dev", "--wait", "--timeout", "soon")):
        r = cli(*args)
        assert r.returncode == 2, (args, r.stderr)
    r = cli("app", "create", "-f", "-", input="name: [unclosed\n")
    assert r.returncode == 2 and "line" in r.stderr
    r = cli("project", "list", "--server", "https://127.0.0.1:1")
    assert r.returncode == 2 and "https is not supported yet" in r.stderr
    assert len(cli.json("releases", "web", "-e", "dev")) == 1  # the failed --wait parse submitted nothing

    # 3: nobody answers.
    r = cli("project", "list", "--server", f"http://127.0.0.1:{free_port()}")
    assert r.returncode == 3 and "cannot connect" in r.stderr


def test_version(logged_in):
    out = logged_in.ok("version")
    assert out.startswith("Client: ") and "Server: " in out
    both = logged_in.json("version")
    assert both["client"]["version"] == both["server"]["version"]


def test_version_without_a_server_prints_the_client(cli):
    assert cli.ok("version").startswith("Client: ")


def test_lists_follow_continue_tokens(logged_in, server):
    # The server pages at 100 by default: 150 projects take two pages, which the CLI joins.
    for i in range(149):
        server.ok("POST", "/api/v1/projects", {"name": f"p{i:03d}"}, 201)
    names = [p["name"] for p in logged_in.json("project", "list")]
    assert len(names) == 150 and names == sorted(names) and len(set(names)) == 150
    assert len(logged_in.json("project", "list", "--limit", "120")) == 120

"""The `wharf config` verbs end to end (real binary, real server): editing the draft (set, unset, import), reading
it back (list, export, show), publishing and its history (publish, versions, diff), copying between environments
and searching. Checks the tables and diff lines people read, the -o json|yaml scripts read, the exit codes, and
that a secret value never reaches the terminal unless revealed by someone allowed to."""
import json
import os
import pty
import select
import subprocess
import time

import pytest
import yaml

from conftest import WHARF_BIN
from test_cli import Cli, header_of
from test_config import APP, user_token

BASE = "/api/v1/projects/shop/apps/web/environments"
MASK = "******"
SECRET = "s3cret-Value-42"


@pytest.fixture
def cli(tmp_path):
    return Cli(tmp_path)


@pytest.fixture
def shop(server, cli):
    """The administrator's CLI, project "shop" (the context's default) with environments dev and prod and app web."""
    cli.ok("login", "--server", server.url, "--token-file", str(server.data_dir / "admin-token"), "--project", "shop")
    cli.ok("project", "create", "shop")
    cli.ok("env", "create", "dev")
    cli.ok("env", "create", "prod")
    server.ok("POST", "/api/v1/projects/shop/apps", APP, 201)
    return cli


def rows_of(table_text):
    """Table rows (after the header) by their first cell; cells are separated by runs of spaces."""
    lines = table_text.splitlines()[1:]
    return {line.split()[0]: line.split() for line in lines}


def draft(server, env="dev", reveal=False):
    return server.ok("GET", f"{BASE}/{env}/config/draft" + ("?reveal=1" if reveal else ""))


def values(items):
    return {i["key"]: i["value"] for i in items}


def test_set_list_unset_round_trip_with_a_secret(shop, server, tmp_path):
    cli = shop
    out = cli.ok("config", "set", "web", "-e", "dev", "MODE=fast", "GREETING=hello world", "--comment", "speed")
    assert 'Draft of "web" in dev: set MODE, GREETING.' in out
    assert "2 unpublished changes since version 0 (empty):" in out
    assert "+ MODE = fast" in out.splitlines() and "+ GREETING = hello world" in out.splitlines()
    assert "wharf config publish web -e dev -m MESSAGE" in out
    cli.ok("config", "set", "web", "-e", "dev", "PORT=8080", "--type", "int")
    # A secret from standard input: never on the command line, never printed back.
    r = cli("config", "set", "web", "-e", "dev", "--secret", "--from-file", "DB_PASSWORD=-", input=SECRET)
    assert r.returncode == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr and f"+ DB_PASSWORD = {MASK} (secret)" in r.stdout
    # A file item: its type follows its name.
    (tmp_path / "app.yaml").write_text("server:\n  port: 8080\n")
    out = cli.ok("config", "set", "web", "-e", "dev", "--from-file", f"application.yaml={tmp_path / 'app.yaml'}")
    assert '+ application.yaml = "server:\\n  port: 8080\\n"' in out.splitlines()

    listing = cli.ok("config", "list", "web", "-e", "dev", "--draft")
    assert header_of(listing) == ["KEY", "TYPE", "VALUE", "SECRET", "COMMENT"]
    rows = rows_of(listing)
    assert rows["DB_PASSWORD"] == ["DB_PASSWORD", "string", MASK, "yes", "-"]
    assert rows["MODE"] == ["MODE", "string", "fast", "no", "speed"]
    assert rows["GREETING"][:5] == ["GREETING", "string", "hello", "world", "no"]
    assert rows["PORT"] == ["PORT", "int", "8080", "no", "-"]
    assert rows["application.yaml"][:4] == ["application.yaml", "yaml", "server:", "port:"]
    assert SECRET not in listing
    assert SECRET in rows_of(cli.ok("config", "list", "web", "-e", "dev", "--draft", "--reveal"))["DB_PASSWORD"]
    stored = {i["key"]: i for i in draft(server, reveal=True)["items"]}
    assert stored["DB_PASSWORD"]["value"] == SECRET and stored["DB_PASSWORD"]["secret"] is True
    assert stored["PORT"]["type"] == "int" and stored["application.yaml"]["value"] == "server:\n  port: 8080\n"

    # -o json is the draft as the API gives it, secrets masked.
    got = cli.json("config", "list", "web", "-e", "dev", "--draft")
    assert values(got["items"])["DB_PASSWORD"] == MASK and got["baseVersion"] == 0
    # Nothing is published yet: the default (latest version) says so and points at the draft.
    r = cli("config", "list", "web", "-e", "dev")
    assert r.returncode == 1 and "published yet" in r.stderr and "--draft" in r.stderr

    # A viewer reads the masked values but may not reveal them.
    viewer_token = user_token(server, "vera", "viewer")
    (tmp_path / "vera").mkdir()
    (tmp_path / "vera-token").write_text(viewer_token)
    viewer = Cli(tmp_path / "vera")
    viewer.ok("login", "--server", server.url, "--token-file", str(tmp_path / "vera-token"), "--project", "shop")
    assert rows_of(viewer.ok("config", "list", "web", "-e", "dev", "--draft"))["DB_PASSWORD"][2] == MASK
    r = viewer("config", "list", "web", "-e", "dev", "--draft", "--reveal")
    assert r.returncode == 1 and "config.reveal" in r.stderr and SECRET not in r.stdout + r.stderr
    r = viewer("config", "set", "web", "-e", "dev", "MODE=slow")
    assert r.returncode == 1 and "config.edit" in r.stderr

    # unset removes; a key the draft does not have is refused and nothing is removed.
    out = cli.ok("config", "unset", "web", "-e", "dev", "MODE", "GREETING")
    assert 'Draft of "web" in dev: removed MODE, GREETING.' in out
    assert set(values(draft(server)["items"])) == {"DB_PASSWORD", "PORT", "application.yaml"}
    r = cli("config", "unset", "web", "-e", "dev", "PORT", "NOPE")
    assert r.returncode == 1 and 'no item "NOPE"' in r.stderr and "nothing was removed" in r.stderr
    assert "PORT" in values(draft(server)["items"])

    # Command-line mistakes are usage errors (exit 2), before anything is sent.
    for args in (("NOEQUALS",), ("=value",), ("A=1", "A=2"), ()):
        r = cli("config", "set", "web", "-e", "dev", *args)
        assert r.returncode == 2, (args, r.stderr)
    assert cli("config", "set", "web", "-e", "dev", "A=1", "--secret", "--no-secret").returncode == 2
    assert cli("config", "set", "web", "-e", "dev", "--from-file", f"F={tmp_path / 'missing'}").returncode == 2
    # What the server refuses (a bad type) comes back with its message and exit 1.
    r = cli("config", "set", "web", "-e", "dev", "A=1", "--type", "float")
    assert r.returncode == 1 and "the type must be one of" in r.stderr
    assert set(values(draft(server)["items"])) == {"DB_PASSWORD", "PORT", "application.yaml"}


PROPERTIES = """\
# shop settings
greeting = hello world
db.url=jdbc:postgresql://db.internal:5432/shop
unicode=h\\u00e9llo \u20ac
port=8080
punctuation=say "hi" = # !
multi=line1\\nline2
"""
IMPORTED = {
    "greeting": "hello world",
    "db.url": "jdbc:postgresql://db.internal:5432/shop",
    "unicode": "h\u00e9llo \u20ac",
    "port": "8080",
    "punctuation": 'say "hi" = # !',
    "multi": "line1\nline2",
}


def test_import_properties_and_export_it_back(shop, server, tmp_path):
    cli = shop
    path = tmp_path / "shop.properties"
    path.write_text(PROPERTIES)
    cli.ok("config", "set", "web", "-e", "dev", "OLD=1")
    out = cli.ok("config", "import", "web", "-e", "dev", str(path))
    assert f'imported {path} (properties, merged)' in out and "+ greeting = hello world" in out
    assert values(draft(server)["items"]) == {**IMPORTED, "OLD": "1"}
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "imported")

    # Back out as .properties (the default), .env and YAML: each imports into prod as the same values.
    exported = {}
    for fmt in ("properties", "env", "yaml", "json"):
        args = ("config", "export", "web", "-e", "dev") + (("--format", fmt) if fmt != "properties" else ())
        exported[fmt] = cli.ok(*args)
        assert exported[fmt] == server.ok("GET", f"{BASE}/dev/config/export?format={fmt}"), fmt
        r = cli("config", "import", "web", "-e", "prod", "-", "--format", fmt, "--replace", input=exported[fmt])
        assert r.returncode == 0, (fmt, r.stderr)
        assert values(draft(server, "prod")["items"]) == {**IMPORTED, "OLD": "1"}, fmt
    assert [line for line in exported["env"].splitlines() if line.startswith("greeting=")] == [
        "greeting='hello world'"]
    assert yaml.safe_load(exported["yaml"]) == {**IMPORTED, "OLD": "1"}
    assert json.loads(exported["json"]) == {**IMPORTED, "OLD": "1"}

    # --replace drops the values the file does not name; merge (the default) keeps them.
    (tmp_path / "small.env").write_text("greeting=hi\n")
    cli.ok("config", "import", "web", "-e", "dev", str(tmp_path / "small.env"))
    assert values(draft(server)["items"])["OLD"] == "1"
    cli.ok("config", "import", "web", "-e", "dev", str(tmp_path / "small.env"), "--replace")
    assert values(draft(server)["items"]) == {"greeting": "hi"}
    # The draft and a version export on request; a version that does not exist is the server's 404.
    assert cli.ok("config", "export", "web", "-e", "dev", "--version", "draft") == "greeting=hi\n"
    assert "OLD=1" in cli.ok("config", "export", "web", "-e", "dev", "--version", "1").splitlines()
    r = cli("config", "export", "web", "-e", "dev", "--version", "9")
    assert r.returncode == 1 and "error:" in r.stderr and r.stdout == ""

    # The format comes from the name or --format; a syntax error names the line.
    (tmp_path / "settings.txt").write_text("a=1\n")
    r = cli("config", "import", "web", "-e", "dev", str(tmp_path / "settings.txt"))
    assert r.returncode == 2 and "--format" in r.stderr
    (tmp_path / "bad.env").write_text("A=1\nB\n")
    r = cli("config", "import", "web", "-e", "dev", str(tmp_path / "bad.env"))
    assert r.returncode == 1 and "line 2" in r.stderr


def test_publish_versions_show_and_diff(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "A=1", "B=gone")
    cli.ok("config", "set", "web", "-e", "dev", "--secret", "--from-file", "PW=-", input="pw-one")
    out = cli.ok("config", "publish", "web", "-e", "dev", "-m", "first")
    assert 'Published config version 1 of "web" in dev (3 changes):' in out
    assert "+ A = 1" in out.splitlines() and f"+ PW = {MASK} (secret)" in out.splitlines()
    assert "The next deploy of" in out
    cli.ok("config", "set", "web", "-e", "dev", "A=2", "C=new")
    cli.ok("config", "set", "web", "-e", "dev", "A=2", "--comment", "two")
    cli.ok("config", "unset", "web", "-e", "dev", "B")
    cli.ok("config", "set", "web", "-e", "dev", "--from-file", "PW=-", input="pw-two")
    v2 = cli.json("config", "publish", "web", "-e", "dev", "-m", "second")
    assert v2["version"] == 2 and {c["key"] for c in v2["changes"]} == {"A", "B", "C", "PW"}
    assert "pw-one" not in json.dumps(v2) and "pw-two" not in json.dumps(v2)
    r = cli("config", "publish", "web", "-e", "dev")
    assert r.returncode == 2 and "--message" in r.stderr

    listing = cli.ok("config", "versions", "web", "-e", "dev")
    assert header_of(listing) == ["VERSION", "MESSAGE", "AUTHOR", "CREATED", "ITEMS", "SIZE"]
    lines = listing.splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["2", "1"]
    assert lines[0].split()[1:3] == ["second", "admin"] and lines[0].split()[5] == "3"
    assert lines[1].split()[5] == "3" and lines[1].split()[-1] == "B"
    assert [v["version"] for v in cli.json("config", "versions", "web", "-e", "dev")] == [2, 1]
    assert [v["version"] for v in cli.json("config", "versions", "web", "-e", "dev", "--limit", "1")] == [2]

    shown = cli.ok("config", "show", "web", "-e", "dev", "--version", "1")
    assert "Version:" in shown and "Message:" in shown and "first" in shown and "Author:" in shown
    assert rows_of(shown[shown.index("KEY"):])["B"][2] == "gone" and "pw-one" not in shown
    assert values(cli.json("config", "show", "web", "-e", "dev", "--version", "1", "--reveal")["items"])["PW"] == "pw-one"
    assert cli.json("config", "show", "web", "-e", "dev")["version"] == 2
    # list shows the latest version by default, any version on request.
    assert rows_of(cli.ok("config", "list", "web", "-e", "dev"))["A"][2] == "2"
    assert rows_of(cli.ok("config", "list", "web", "-e", "dev", "--version", "1"))["A"][2] == "1"
    r = cli("config", "show", "web", "-e", "dev", "--version", "7")
    assert r.returncode == 1 and "error:" in r.stderr

    diff = cli.ok("config", "diff", "web", "-e", "dev", "--from", "1", "--to", "2")
    lines = diff.splitlines()
    assert lines[0] == '4 changes from version 1 to version 2 of "web" in dev:'
    assert lines[1:] == ["~ A: 1 -> 2 (also comment)", "- B = gone", "+ C = new", "~ PW (secret): value changed"]
    assert "\x1b[" not in diff  # not a terminal: no colour
    # The default: from the draft's base version to the draft.
    assert cli.ok("config", "diff", "web", "-e", "dev").startswith("No changes from version 2 to the draft")
    cli.ok("config", "set", "web", "-e", "dev", "A=3")
    assert "~ A: 2 -> 3" in cli.ok("config", "diff", "web", "-e", "dev").splitlines()
    got = cli.json("config", "diff", "web", "-e", "dev", "--from", "0", "--to", "2")
    assert got["from"] == 0 and got["to"] == 2 and {c["change"] for c in got["changes"]} == {"added"}
    r = cli("config", "diff", "web", "-e", "dev", "--from", "x")
    assert r.returncode == 1 and "field: from" in r.stderr


def run_on_a_terminal(cli, *args, extra_env=None, timeout=30):
    """Runs wharf with stdout on a pseudo-terminal; returns (exit code, what it wrote there)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in cli.env.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    env.update(extra_env or {})
    proc = subprocess.Popen([WHARF_BIN, *args], stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        return proc.wait(timeout=max(0.1, deadline - time.monotonic())), out.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
        os.close(master)


def test_diff_is_coloured_only_on_a_terminal(shop):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "A=1", "B=2")
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "one")
    cli.ok("config", "set", "web", "-e", "dev", "A=changed", "C=3")
    cli.ok("config", "unset", "web", "-e", "dev", "B")
    code, out = run_on_a_terminal(cli, "config", "diff", "web", "-e", "dev")
    assert code == 0, out
    assert "\x1b[33m~ A: 1 -> changed\x1b[0m" in out
    assert "\x1b[31m- B = 2\x1b[0m" in out and "\x1b[32m+ C = 3\x1b[0m" in out
    code, out = run_on_a_terminal(cli, "config", "diff", "web", "-e", "dev", extra_env={"NO_COLOR": "1"})
    assert code == 0 and "\x1b[" not in out and "~ A: 1 -> changed" in out


def test_publish_of_an_invalid_draft_lists_every_item_and_fails(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "OK=fine")
    cli.ok("config", "set", "web", "-e", "dev", "PORT=80a", "--type", "int")
    r = cli("config", "set", "web", "-e", "dev", 'FEATURES={"a":', "--type", "json")
    # An edit is stored even when invalid; the warning says publishing will be refused.
    assert r.returncode == 0 and "warning: FEATURES:" in r.stderr and "publishing is refused" in r.stderr
    problems = draft(server)["problems"]
    assert {p["key"] for p in problems} == {"PORT", "FEATURES"}

    r = cli("config", "publish", "web", "-e", "dev", "-m", "broken")
    assert r.returncode == 1, r
    assert "2 problems in the config draft" in r.stderr
    for p in problems:
        assert f"  {p['key']}: {p['message']} ({p['field']})" in r.stderr.splitlines(), (p, r.stderr)
    assert r.stdout == ""
    assert cli.json("config", "versions", "web", "-e", "dev") == []
    # Fixed, it publishes.
    cli.ok("config", "set", "web", "-e", "dev", "PORT=80", 'FEATURES={"a": 1}')
    assert cli.json("config", "publish", "web", "-e", "dev", "-m", "fixed")["version"] == 1


def test_publish_apply_is_sent_only_when_asked_and_wait_follows_the_release(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "A=1")
    r = cli("config", "publish", "web", "-e", "dev", "-m", "x", "--apply", "sometimes")
    assert r.returncode == 2 and "--apply" in r.stderr
    r = cli("config", "publish", "web", "-e", "dev", "-m", "x", "--timeout", "5s")
    assert r.returncode == 2 and "--wait" in r.stderr
    # Without --apply the body has no "apply", which a server from before that field takes too; with --wait
    # but no release there is nothing to wait for.
    r = cli("config", "publish", "web", "-e", "dev", "-m", "plain", "--wait")
    assert r.returncode == 0, r.stderr
    assert "Published config version 1" in r.stdout and "The next deploy" in r.stdout
    assert "nothing to wait for" in r.stderr
    cli.ok("config", "set", "web", "-e", "dev", "A=2")
    r = cli("config", "publish", "web", "-e", "dev", "-m", "applied", "--apply", "none", "-o", "json")
    if r.returncode == 1 and 'unknown field "apply"' in r.stderr:
        return  # a server from before "apply" names the field it does not know; nothing more to check there
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["version"] == 2 and "release" not in json.loads(r.stdout)

    # A restart of an app that never ran is refused before anything is published.
    cli.ok("config", "set", "web", "-e", "dev", "A=3")
    r = cli("config", "publish", "web", "-e", "dev", "-m", "restart", "--apply", "restart")
    assert r.returncode == 1 and "never deployed" in r.stderr
    assert [v["version"] for v in cli.json("config", "versions", "web", "-e", "dev")] == [2, 1]
    deployed = cli.json("deploy", "web", "-e", "dev")
    # Once deployed, a restart publishes and starts a release of the new version, which --wait follows until
    # it ends or the timeout passes (the test's image cannot be pulled: it never succeeds).
    r = cli("config", "publish", "web", "-e", "dev", "-m", "restart", "--apply", "restart", "--wait",
            "--timeout", "2s")
    assert "Published config version 3" in r.stdout, r.stdout + r.stderr
    release = server.ok("GET", f"{BASE}/dev/releases?limit=1")["items"][0]
    assert release["revision"] == deployed["revision"] + 1 and release["configVersion"] == 3
    assert f"Release {release['revision']} rolls it out:" in r.stdout
    assert (r.returncode == 1 and f"release {release['revision']} failed" in r.stderr) or \
        (r.returncode == 3 and "gave up waiting after 2s" in r.stderr), (r.returncode, r.stderr)
    # -o json carries the release; a hot update starts none.
    cli.ok("config", "set", "web", "-e", "dev", "A=4")
    got = cli.json("config", "publish", "web", "-e", "dev", "-m", "json", "--apply", "restart")
    assert got["apply"] == "restart" and got["release"]["configVersion"] == 4
    cli.ok("config", "set", "web", "-e", "dev", "A=5")
    out = cli.ok("config", "publish", "web", "-e", "dev", "-m", "hot", "--apply", "hot")
    assert "Published config version 5" in out and "Config clients get it now" in out


def test_copy_between_environments(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "URL=http://dev", "SHARED=same")
    cli.ok("config", "set", "web", "-e", "dev", "--secret", "--from-file", "PW=-", input="dev-pw")
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "dev")
    cli.ok("config", "set", "web", "-e", "prod", "URL=http://prod", "SHARED=same", "ONLY_PROD=1")
    cli.ok("config", "publish", "web", "-e", "prod", "-m", "prod")

    out = cli.ok("config", "copy", "web", "--from", "dev", "--to", "prod")
    lines = out.splitlines()
    assert lines[0] == 'Draft of "web" in prod: copied from dev (version 1).'
    assert lines[1] == "3 unpublished changes since version 1:"
    assert lines[2:5] == ["- ONLY_PROD = 1", f"+ PW = {MASK} (secret)", "~ URL: http://prod -> http://dev"]
    assert "wharf config publish web -e prod" in out and "dev-pw" not in out
    # Prod's draft has dev's config, the secret intact; prod's published version is untouched.
    assert values(draft(server, "prod", reveal=True)["items"]) == {"URL": "http://dev", "SHARED": "same",
                                                                   "PW": "dev-pw"}
    assert values(cli.json("config", "show", "web", "-e", "prod")["items"])["URL"] == "http://prod"
    # From dev's draft instead of its latest version, as JSON.
    cli.ok("config", "set", "web", "-e", "dev", "URL=http://dev2")
    got = cli.json("config", "copy", "web", "--from", "dev", "--to", "prod", "--version", "draft")
    assert got["copiedFrom"] == {"environment": "dev", "version": "draft"}
    assert values(got["items"])["URL"] == "http://dev2"
    r = cli("config", "copy", "web", "--from", "dev", "--to", "nope")
    assert r.returncode == 1 and "nope" in r.stderr
    assert cli("config", "copy", "web", "--from", "dev").returncode == 2


def test_search(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "DATABASE_URL=postgres://db.internal/shop", "--comment", "primary")
    cli.ok("config", "set", "web", "-e", "dev", "--secret", "--from-file", "DB_PASSWORD=-", input="postgres-pw")
    cli.ok("config", "set", "web", "-e", "prod", "CACHE=redis://cache", "--comment", "Postgres is elsewhere")
    listing = cli.ok("config", "search", "postgres")
    assert header_of(listing) == ["APP", "ENV", "KEY", "MATCHED", "VALUE", "COMMENT"]
    hits = [line.split()[:4] for line in listing.splitlines()[1:]]
    assert hits == [["web", "dev", "DATABASE_URL", "value"], ["web", "prod", "CACHE", "comment"]]
    assert "postgres-pw" not in listing
    got = cli.json("config", "search", "db_", "-p", "shop")
    assert [(h["key"], h["value"]) for h in got] == [("DB_PASSWORD", MASK)]
    assert 'No config item in project "shop" matches "nothing-like-this".' in cli.ok(
        "config", "search", "nothing-like-this")
    assert len(cli.json("config", "search", "postgres", "--limit", "1")) == 1


TRICKY = {
    "BOOL_TEXT": "true", "YES": "yes", "NUMBER_TEXT": "0123", "FLOAT_TEXT": "1e3", "SEXAGESIMAL": "1:30",
    "NULL_TEXT": "null", "TILDE": "~", "EMPTY": "", "MULTI": "line1\nline2", "COLON": "a: b", "HASH": "# not a comment",
    "UNICODE": "h\u00e9llo \u20ac \U0001F6A2", "LEADING": "  spaced  ",
}


def test_output_json_and_yaml_are_the_same_object(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", *[f"{k}={v}" for k, v in TRICKY.items()])
    cli.ok("config", "set", "web", "-e", "dev", "PORT=8080", "--type", "int", "--comment", "http")
    as_json = cli.json("config", "list", "web", "-e", "dev", "--draft")
    as_yaml = yaml.safe_load(cli.ok("config", "list", "web", "-e", "dev", "--draft", "-o", "yaml"))
    assert as_yaml == as_json
    assert values(as_json["items"]) == {**TRICKY, "PORT": "8080"}
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "tricky")
    for args in (("versions", "web", "-e", "dev"), ("show", "web", "-e", "dev", "--version", "1"),
                 ("diff", "web", "-e", "dev", "--from", "0", "--to", "1"), ("search", "line1")):
        assert yaml.safe_load(cli.ok("config", *args, "-o", "yaml")) == cli.json("config", *args), args
    # export takes its format from -o when --format is not given.
    assert json.loads(cli.ok("config", "export", "web", "-e", "dev", "-o", "json")) == {**TRICKY, "PORT": 8080}
    assert yaml.safe_load(cli.ok("config", "export", "web", "-e", "dev", "-o", "yaml"))["PORT"] == 8080
    # Other verbs do not print YAML yet: a usage error, before anything is sent.
    r = cli("project", "list", "-o", "yaml")
    assert r.returncode == 2 and "-o yaml is not available for `wharf project list`" in r.stderr
    assert cli("config", "list", "web", "-e", "dev", "-o", "xml").returncode == 2


def test_deploy_takes_a_config_version(shop, server):
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "A=1")
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "one")
    cli.ok("config", "set", "web", "-e", "dev", "A=2")
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "two")
    assert cli.json("deploy", "web", "-e", "dev", "--config-version", "1")["configVersion"] == 1
    assert cli.json("deploy", "web", "-e", "dev")["configVersion"] == 2
    r = cli("deploy", "web", "-e", "dev", "--config-version", "7")
    assert r.returncode == 1 and "configVersion" in r.stderr


def test_help_names_every_verb(cli):
    out = cli.ok("config", "--help")
    for verb in ("list", "set", "unset", "import", "export", "diff", "publish", "versions", "show", "copy", "search"):
        assert f"  {verb}" in out, verb
    assert "Example:" in out
    publish_help = cli.ok("config", "publish", "--help")
    for option in ("--message", "--apply", "--wait", "--timeout", "--env", "--project"):
        assert option in publish_help, option
    assert "--from-file" in cli.ok("config", "set", "--help")
    assert "--config-version" in cli.ok("deploy", "--help")
    r = cli("config")
    assert r.returncode == 2


def test_access_keys_for_apollo_clients(shop, server):
    from apollo_client import ApolloClient
    cli = shop
    cli.ok("config", "set", "web", "-e", "dev", "MODE=fast")
    cli.ok("config", "publish", "web", "-e", "dev", "-m", "first")
    assert "No access key" in cli.ok("config", "access-key", "list", "web", "-e", "dev")

    # The secret alone on stdout (scripts capture it); where to use it on stderr.
    r = cli("config", "access-key", "create", "web", "-e", "dev")
    assert r.returncode == 0, r
    secret = r.stdout.strip()
    assert len(secret) == 32 and "apollo.access-key.secret" in r.stderr and "/apollo/shop/dev" in r.stderr
    client = ApolloClient(server.port, "/apollo/shop/dev", "web", secret)
    status, text = client.configs("application")
    assert status == 200 and json.loads(text)["configurations"] == {"MODE": "fast"}

    listed = cli.ok("config", "access-key", "list", "web", "-e", "dev")
    assert secret not in listed
    key_id = [row for row in rows_of(listed)][0]
    assert json.loads(cli.ok("config", "access-key", "list", "web", "-e", "dev", "-o", "json"))[0]["id"] == int(key_id)
    assert f"Access key {key_id} of \"web\" in dev revoked." in cli.ok("config", "access-key", "revoke", "web", "-e",
                                                                        "dev", key_id)
    assert client.configs("application")[0] == 401
    r = cli("config", "access-key", "revoke", "web", "-e", "dev", key_id)
    assert r.returncode == 1 and "does not exist" in r.stderr

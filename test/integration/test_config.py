"""The config centre against the real server: drafts, publishing, history, diff, validation, secrets,
import/export, large file items, copy between environments, search, and config versions on releases."""
import json

import pytest

APP = {
    "name": "web",
    "image": "127.0.0.1:5000/team/web:1.0",
    "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    "resources": {"cpu": "100m", "memory": "64Mi"},
    "replicas": 1,
}
BASE = "/api/v1/projects/shop/apps/web/environments"
CFG = f"{BASE}/test/config"
MASK = "******"


@pytest.fixture
def shop(server):
    server.ok("POST", "/api/v1/projects", {"name": "shop", "displayName": "Shop"}, 201)
    for env in ("test", "prod"):
        server.ok("POST", "/api/v1/projects/shop/environments", {"name": env, "clusters": ["local"]}, 201)
    server.ok("POST", "/api/v1/projects/shop/apps", APP, 201)
    return server


def put_draft(server, items, env="test", status=200):
    return server.ok("PUT", f"{BASE}/{env}/config/draft", {"items": items}, status)


def publish(server, message="", env="test"):
    return server.ok("POST", f"{BASE}/{env}/config/publish", {"message": message}, 201)


def user_token(server, name, role, environments=()):
    server.ok("POST", "/api/v1/users", {"name": name}, 201)
    server.ok("POST", "/api/v1/projects/shop/members",
              {"kind": "user", "subject": name, "role": role, "environments": list(environments)}, 201)
    return server.ok("POST", f"/api/v1/users/{name}/tokens", {"name": "t"}, 201)["token"]


def by_key(items):
    return {i["key"]: i for i in items}


def test_draft_publish_history_and_diff(shop):
    empty = shop.ok("GET", f"{CFG}/draft")
    assert empty["items"] == [] and empty["baseVersion"] == 0 and empty["resourceVersion"] == 0

    d = put_draft(shop, [{"key": "PORT", "value": "8080", "type": "int", "comment": "http",
                          "validation": {"min": 1, "max": 65535}},
                         {"key": "MODE", "value": "fast"}])
    assert [i["key"] for i in d["items"]] == ["MODE", "PORT"]
    assert {c["key"]: c["change"] for c in d["changes"]} == {"MODE": "added", "PORT": "added"}
    assert d["problems"] == []
    v1 = publish(shop, "first")
    assert v1["version"] == 1 and v1["message"] == "first" and v1["createdBy"] == "admin" and v1["itemCount"] == 2

    # A stale batch edit is refused; a fresh one goes through.
    draft = shop.ok("GET", f"{CFG}/draft")
    assert draft["baseVersion"] == 1 and draft["changes"] == []
    stale = shop.request("PUT", f"{CFG}/draft", {"items": [], "resourceVersion": draft["resourceVersion"] - 1})
    assert stale.status == 409 and stale.error["field"] == "resourceVersion"
    d = shop.ok("PATCH", f"{CFG}/draft/items",
                {"set": [{"key": "MODE", "value": "slow"}, {"key": "NEW", "value": "x"}], "remove": ["PORT"]})
    assert by_key(d["items"])["MODE"]["value"] == "slow"
    assert {c["key"]: c["change"] for c in d["changes"]} == {"MODE": "changed", "NEW": "added", "PORT": "removed"}
    v2 = publish(shop, "second")
    assert v2["version"] == 2
    assert {c["key"] for c in v2["changes"]} == {"MODE", "NEW", "PORT"}

    versions = shop.ok("GET", f"{CFG}/versions?limit=1")
    assert [v["version"] for v in versions["items"]] == [2] and versions["continue"]
    older = shop.ok("GET", f"{CFG}/versions?limit=1&continue={versions['continue']}")
    assert [v["version"] for v in older["items"]] == [1] and older["continue"] == ""
    one = shop.ok("GET", f"{CFG}/versions/1")
    assert by_key(one["items"])["PORT"] == {"key": "PORT", "value": "8080", "type": "int", "comment": "http",
                                            "secret": False, "validation": {"min": 1, "max": 65535}}
    assert shop.request("GET", f"{CFG}/versions/9").status == 404

    diff = shop.ok("GET", f"{CFG}/diff?from=1&to=2")
    changes = {c["key"]: c for c in diff["changes"]}
    assert changes["MODE"]["oldValue"] == "fast" and changes["MODE"]["newValue"] == "slow"
    assert changes["PORT"]["change"] == "removed" and changes["NEW"]["change"] == "added"
    assert shop.ok("GET", f"{CFG}/diff?from=2&to=draft")["changes"] == []
    assert shop.request("GET", f"{CFG}/diff?from=x").error["field"] == "from"


def test_validation_errors_block_publish_with_per_item_errors(shop):
    put_draft(shop, [{"key": "OK", "value": "fine"},
                     {"key": "PORT", "value": "80a", "type": "int"},
                     {"key": "FEATURES", "value": "{\"a\":", "type": "json"},
                     {"key": "application.yaml", "value": "a: [1, 2\n", "type": "yaml"},
                     {"key": "MODE", "value": "turbo", "validation": {"regex": "fast|slow"}},
                     {"key": "bad key", "value": "x"}])
    draft = shop.ok("GET", f"{CFG}/draft")
    assert len(draft["problems"]) == 5
    r = shop.request("POST", f"{CFG}/publish", {"message": "broken"})
    assert r.status == 422, r
    err = r.error
    assert err["code"] == "invalid_config"
    fields = {e["field"]: e for e in err["items"]}
    # Items are sorted by key: FEATURES, MODE, OK, PORT, application.yaml, bad key.
    assert set(fields) == {"items[0].value", "items[1].value", "items[3].value", "items[4].value", "items[5].key"}
    assert fields["items[3].value"]["key"] == "PORT" and "integer" in fields["items[3].value"]["message"]
    assert "YAML: line" in fields["items[4].value"]["message"]
    assert shop.ok("GET", f"{CFG}/versions")["items"] == []
    # Malformed edits are refused at once (400), naming the field.
    r = shop.request("PUT", f"{CFG}/draft", {"items": [{"key": "A", "type": "float"}]})
    assert r.status == 400 and r.error["field"] == "items[0].type"
    r = shop.request("PUT", f"{CFG}/draft", {"items": [{"key": "A"}, {"key": "A"}]})
    assert r.status == 400 and r.error["field"] == "items[1].key"


def test_secrets_are_masked_and_revealed_only_with_permission(shop):
    put_draft(shop, [{"key": "DB_PASSWORD", "value": "s3cret-value", "secret": True}, {"key": "USER", "value": "app"}])
    v = publish(shop, "with a secret")
    assert "s3cret" not in json.dumps(v)
    for path in (f"{CFG}/draft", f"{CFG}/versions/1"):
        got = shop.ok("GET", path)
        assert by_key(got["items"])["DB_PASSWORD"]["value"] == MASK and "s3cret" not in json.dumps(got)
    assert "s3cret" not in shop.ok("GET", f"{CFG}/export?format=env")
    # The administrator holds config.reveal.
    assert by_key(shop.ok("GET", f"{CFG}/draft?reveal=1")["items"])["DB_PASSWORD"]["value"] == "s3cret-value"
    assert "s3cret-value" in shop.ok("GET", f"{CFG}/export?format=env&reveal=1")
    # Not on disk in the clear.
    assert b"s3cret-value" not in (shop.data_dir / "wharf.db").read_bytes() + b"".join(
        p.read_bytes() for p in shop.data_dir.glob("wharf.db-wal"))

    # Sending the mask back keeps the value; a change of a secret shows only that it changed.
    d = put_draft(shop, [{"key": "DB_PASSWORD", "value": MASK, "secret": True}, {"key": "USER", "value": "app"}])
    assert d["changes"] == []
    d = shop.ok("PATCH", f"{CFG}/draft/items", {"set": [{"key": "DB_PASSWORD", "value": "n3w-value"}]})
    assert d["changes"] == [{"key": "DB_PASSWORD", "change": "changed", "secret": True, "fields": ["value"]}]
    publish(shop)
    diff = shop.ok("GET", f"{CFG}/diff?from=1&to=2&reveal=1")
    assert "s3cret" not in json.dumps(diff) and "n3w" not in json.dumps(diff)
    # Making it non-secret needs its value; a new secret needs one too.
    r = shop.request("PATCH", f"{CFG}/draft/items", {"set": [{"key": "DB_PASSWORD", "secret": False}]})
    assert r.status == 400 and r.error["field"] == "set[0].value"
    r = shop.request("PATCH", f"{CFG}/draft/items", {"set": [{"key": "API_KEY", "value": MASK, "secret": True}]})
    assert r.status == 400

    # A tester reads config but may not reveal it.
    tester = user_token(shop, "tess", "tester")
    r = shop.request("GET", f"{CFG}/draft", token=tester)
    assert r.status == 200 and by_key(r.json()["items"])["DB_PASSWORD"]["value"] == MASK
    r = shop.request("GET", f"{CFG}/versions/2?reveal=1", token=tester)
    assert r.status == 403 and "config.reveal" in r.error["message"]
    assert shop.request("GET", f"{CFG}/export?reveal=1", token=tester).status == 403
    assert shop.request("PUT", f"{CFG}/draft", {"items": []}, token=tester).status == 403
    assert shop.request("POST", f"{CFG}/publish", {}, token=tester).status == 403
    # A developer edits, publishes and reveals.
    dev = user_token(shop, "dave", "developer")
    r = shop.request("GET", f"{CFG}/draft?reveal=1", token=dev)
    assert r.status == 200 and by_key(r.json()["items"])["DB_PASSWORD"]["value"] == "n3w-value"
    # Reveals are audited; no value ever is.
    audit = shop.ok("GET", "/api/v1/projects/shop/audit")["items"]
    assert any(a["action"] == "config.reveal" and a["actor"] == "dave" for a in audit)
    assert "n3w-value" not in json.dumps(audit) and "s3cret" not in json.dumps(audit)
    log = shop.log_path.read_text()
    assert "n3w-value" not in log and "s3cret-value" not in log


ITEMS = [
    {"key": "PLAIN", "value": "hello"},
    {"key": "QUOTED", "value": "say \"hi\" and 'bye' = # !"},
    {"key": "MULTI", "value": "line1\nline2\ttab"},
    {"key": "UNICODE", "value": "h\u00e9llo \u20ac \U0001F6A2"},
    {"key": "EMPTY", "value": ""},
    {"key": "PORT", "value": "8080", "type": "int"},
    {"key": "DEBUG", "value": "true", "type": "bool"},
    {"key": "db.pool.size", "value": "10"},
]


@pytest.mark.parametrize("fmt", ["properties", "env", "yaml", "json"])
def test_import_export_round_trip(shop, fmt):
    put_draft(shop, ITEMS + [{"key": "app.yaml", "value": "a: 1\n", "type": "yaml"}])
    publish(shop)
    r = shop.request("GET", f"{CFG}/export?format={fmt}")
    assert r.status == 200 and r.headers["X-Wharf-Config-Version"] == "1"
    text = r.text
    assert "app.yaml" not in text  # files are items of their own
    # Into an empty draft of another environment: the same keys, values (and types where the format has them).
    d = shop.ok("POST", f"{BASE}/prod/config/import", {"format": fmt, "text": text})
    got = by_key(d["items"])
    assert set(got) == {i["key"] for i in ITEMS}
    for i in ITEMS:
        assert got[i["key"]]["value"] == i["value"], (fmt, i["key"], text)
        if fmt in ("json", "yaml"):
            assert got[i["key"]]["type"] == i.get("type", "string"), (fmt, i["key"])
    # Importing into the source changes nothing; existing items keep their types.
    d = shop.ok("POST", f"{CFG}/import", {"format": fmt, "text": text})
    assert d["changes"] == [], d["changes"]


def test_import_errors_name_the_line(shop):
    cases = {
        "properties": ("a=1\nb=\\uZZZZ\n", "line 2"),
        "env": ("A=1\nB\n", "line 2"),
        "yaml": ("a: 1\nb:\n  c: 2\n", "line 3"),
        "json": ("{\n  \"a\": 1,\n  \"b\": [1]\n}", "line 3"),
    }
    for fmt, (text, where) in cases.items():
        r = shop.request("POST", f"{CFG}/import", {"format": fmt, "text": text})
        assert r.status == 400 and r.error["field"] == "text" and where in r.error["message"], (fmt, r)
    r = shop.request("POST", f"{CFG}/import", {"format": "toml", "text": ""})
    assert r.status == 400 and r.error["field"] == "format"
    # Replace mode removes the scalars the text does not name, but keeps files.
    put_draft(shop, [{"key": "A", "value": "1"}, {"key": "B", "value": "2"}, {"key": "f.txt", "value": "x",
                                                                          "type": "text"}])
    # A dry run answers with the draft the import would leave, and changes nothing.
    before = shop.ok("GET", f"{CFG}/draft")
    d = shop.ok("POST", f"{CFG}/import?dryRun=true", {"format": "env", "text": "B=3\nC=4\n", "mode": "replace"})
    assert {i["key"]: i["value"] for i in d["items"]} == {"B": "3", "C": "4", "f.txt": "x"} and d["imported"] == 2
    assert shop.ok("GET", f"{CFG}/draft") == before
    r = shop.request("POST", f"{CFG}/import?dryRun=true", {"format": "env", "text": "B\n"})
    assert r.status == 400 and r.error["field"] == "text" and "line 1" in r.error["message"]
    d = shop.ok("POST", f"{CFG}/import", {"format": "env", "text": "B=3\n", "mode": "replace"})
    assert {i["key"]: i["value"] for i in d["items"]} == {"B": "3", "f.txt": "x"} and d["imported"] == 1


def test_large_file_item_is_stored_and_read_back_intact(shop):
    big = "".join(chr(ord("a") + (i * 7919) % 26) for i in range(1536 * 1024))
    big = "# generated\n" + "\n".join(big[i:i + 100] for i in range(0, len(big), 100)) + "\n"
    assert len(big) > 1024 * 1024
    put_draft(shop, [{"key": "big.txt", "value": big, "type": "text"}, {"key": "A", "value": "1"}])
    v = publish(shop, "big")
    assert v["size"] == len(big) + len("big.txt") + 2
    got = by_key(shop.ok("GET", f"{CFG}/versions/1")["items"])["big.txt"]["value"]
    assert got == big
    # Scalars stay small (items[i] is the position in the draft, sorted by key: A, HUGE, big.txt).
    r = shop.request("PATCH", f"{CFG}/draft/items", {"set": [{"key": "HUGE", "value": "x" * (65 * 1024)}]})
    assert r.status == 400 and r.error["field"] == "items[1].value" and "file item" in r.error["message"]


def test_copy_to_another_environment_as_a_draft_with_a_diff(shop):
    put_draft(shop, [{"key": "URL", "value": "http://test"}, {"key": "PW", "value": "pw1", "secret": True}])
    publish(shop)
    put_draft(shop, [{"key": "URL", "value": "http://prod"}, {"key": "ONLY_PROD", "value": "1"}], env="prod")
    publish(shop, env="prod")
    prod_draft = shop.ok("GET", f"{BASE}/prod/config/draft")
    preview = shop.ok("POST", f"{CFG}/copy-to?dryRun=true", {"environment": "prod"})
    assert shop.ok("GET", f"{BASE}/prod/config/draft") == prod_draft  # a dry run changes nothing
    d = shop.ok("POST", f"{CFG}/copy-to", {"environment": "prod"})
    assert preview["items"] == d["items"] and preview["changes"] == d["changes"]
    assert d["environment"] == "prod" and d["copiedFrom"] == {"environment": "test", "version": 1}
    assert d["baseVersion"] == 1
    changes = {c["key"]: c for c in d["changes"]}
    assert changes["URL"]["oldValue"] == "http://prod" and changes["URL"]["newValue"] == "http://test"
    assert changes["ONLY_PROD"]["change"] == "removed"
    assert changes["PW"] == {"key": "PW", "change": "added", "secret": True}
    # Prod's published config is untouched until someone publishes there; the secret arrived intact.
    assert by_key(shop.ok("GET", f"{BASE}/prod/config/versions/1")["items"])["URL"]["value"] == "http://prod"
    assert by_key(shop.ok("GET", f"{BASE}/prod/config/draft?reveal=1")["items"])["PW"]["value"] == "pw1"
    assert shop.request("POST", f"{CFG}/copy-to", {"environment": "nope"}).status == 404
    assert shop.request("POST", f"{CFG}/copy-to", {"environment": "test"}).status == 400
    # Copying needs config.edit in the target: a developer of test only may not copy into prod.
    dev = user_token(shop, "tina", "developer", ["test"])
    r = shop.request("POST", f"{CFG}/copy-to", {"environment": "prod"}, token=dev)
    assert r.status == 403 and r.error["code"] == "forbidden"


def test_search_across_keys_values_and_comments(shop):
    put_draft(shop, [{"key": "DATABASE_URL", "value": "postgres://db.internal/shop", "comment": "primary"},
                     {"key": "DB_PASSWORD", "value": "postgres-secret", "secret": True}])
    put_draft(shop, [{"key": "CACHE", "value": "redis://cache", "comment": "Postgres is elsewhere"}], env="prod")
    hits = shop.ok("GET", "/api/v1/projects/shop/config/search?q=postgres")["items"]
    assert [(h["environment"], h["key"], h["matched"]) for h in hits] == [
        ("prod", "CACHE", ["comment"]), ("test", "DATABASE_URL", ["value"])]
    hits = shop.ok("GET", "/api/v1/projects/shop/config/search?q=db_")["items"]
    assert [(h["key"], h["value"]) for h in hits] == [("DB_PASSWORD", MASK)]
    assert shop.request("GET", "/api/v1/projects/shop/config/search").status == 400
    # A caller narrowed to one environment finds only what it may read.
    dev = user_token(shop, "tom", "developer", ["test"])
    r = shop.request("GET", "/api/v1/projects/shop/config/search?q=postgres", token=dev)
    assert r.status == 200 and [h["environment"] for h in r.json()["items"]] == ["test"]


def test_deploy_uses_the_latest_version_and_rollback_restores_the_targets(shop):
    # No config published yet: the release carries none.
    r1 = shop.ok("POST", f"{BASE}/test/deploy", {"message": "no config"}, 202)
    assert "configVersion" not in r1
    put_draft(shop, [{"key": "A", "value": "1"}])
    publish(shop)
    r2 = shop.ok("POST", f"{BASE}/test/deploy", {"image": "127.0.0.1:5000/team/web:2.0"}, 202)
    assert r2["configVersion"] == 1
    shop.ok("PATCH", f"{CFG}/draft/items", {"set": [{"key": "A", "value": "2"}]})
    publish(shop)
    r3 = shop.ok("POST", f"{BASE}/test/deploy", {"image": "127.0.0.1:5000/team/web:3.0"}, 202)
    assert r3["configVersion"] == 2
    # An explicit version must exist.
    r = shop.request("POST", f"{BASE}/test/deploy", {"configVersion": 7})
    assert r.status == 422 and r.error["field"] == "configVersion" and "latest is 2" in r.error["message"]
    r4 = shop.ok("POST", f"{BASE}/test/deploy", {"configVersion": 1}, 202)
    assert r4["configVersion"] == 1
    # Rolling back to revision 2 restores its image and its config version together.
    rb = shop.ok("POST", f"{BASE}/test/rollback", {"toRevision": 2}, 202)
    assert rb["rollbackOf"] == 2 and rb["configVersion"] == 1 and rb["image"].endswith(":2.0")
    rb = shop.ok("POST", f"{BASE}/test/rollback", {"toRevision": 3}, 202)
    assert rb["configVersion"] == 2 and rb["image"].endswith(":3.0")
    assert shop.ok("GET", f"{BASE}/test/releases/{rb['revision']}")["configVersion"] == 2

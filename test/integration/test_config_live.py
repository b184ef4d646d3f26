"""Live config against the real server: the config API's long poll and watch events, publishing with a hot
update, and the Apollo-compatible client API answering as Apollo's client protocol specifies (discovery,
/configs with releaseKey and 304, /configfiles, the /notifications/v2 long poll with 304, access-key
signatures)."""
import http.client
import json
import threading
import time

import pytest

from apollo_client import ApolloClient
from conftest import wait_until

HOLD_MS = 1500  # the Apollo long poll's hold time in these tests (Apollo's is 60 s)
APP = {"name": "web", "image": "127.0.0.1:9/team/web:1.0", "replicas": 1,
       "resources": {"cpu": "100m", "memory": "64Mi"}}
BASE = "/api/v1/projects/shop/apps/web/environments/test"
CFG = f"{BASE}/config"
META = "/apollo/shop/test"
YAML = "server:\n  port: 8080\nlogging:\n  level: info\n"


@pytest.fixture
def shop(start_server, monkeypatch):
    monkeypatch.setenv("WHARF_APOLLO_POLL_MS", str(HOLD_MS))
    s = start_server()
    s.ok("POST", "/api/v1/projects", {"name": "shop"}, 201)
    s.ok("POST", "/api/v1/projects/shop/environments", {"name": "test", "clusters": ["local"]}, 201)
    s.ok("POST", "/api/v1/projects/shop/apps", APP, 201)
    return s


def publish(server, items, apply=None, message=""):
    server.ok("PUT", f"{CFG}/draft", {"items": items})
    body = {"message": message}
    if apply:
        body["apply"] = apply
    return server.ok("POST", f"{CFG}/publish", body, 201)


def items(db_url="jdbc:mysql://db/shop", pool="10"):
    return [{"key": "db.url", "value": db_url},
            {"key": "timeout", "value": "30", "type": "int"},
            {"key": "DB_PASSWORD", "value": "s3cret-pw", "secret": True},
            {"key": "application.yaml", "value": YAML, "type": "yaml"},
            {"key": "datasource.properties", "value": f"pool.size={pool}\nurl=jdbc:h2:mem\n", "type": "properties"}]


def access_key(server):
    return server.ok("POST", f"{CFG}/access-keys", None, 201)


def long_polls(server):
    """Long polls waiting in the server (its /metrics)."""
    for line in server.ok("GET", "/metrics").splitlines():
        if line.startswith("wharf_config_long_polls "):
            return int(float(line.split()[1]))
    raise AssertionError("/metrics has no wharf_config_long_polls")


def in_thread(fn):
    """Runs fn in a thread; returns a function that joins it and gives (result, seconds from start to end)."""
    out = {}

    def run():
        start = time.monotonic()
        out["result"] = fn()
        out["end"] = time.monotonic()
        out["took"] = out["end"] - start

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return lambda: (t.join(timeout=30), out)[1]


def test_apollo_discovery_configs_and_configfiles(shop):
    publish(shop, items())
    client = ApolloClient(shop.port, META, "web", "")

    # Without an access key nobody reads anything, and the answer says how to make one.
    status, text = client.configs("application")
    assert status == 401 and "access-keys" in text
    # Unknown projects and apps answer exactly the same: no key, no knowledge of what exists.
    assert ApolloClient(shop.port, "/apollo/nope/test", "web", "").configs("application") == (401, text.replace(
        'project \\"shop\\"', 'project \\"nope\\"').replace("/projects/shop/", "/projects/nope/"))
    key = access_key(shop)
    assert len(key["secret"]) == 32 and key["createdBy"] == "admin"
    listed = shop.ok("GET", f"{CFG}/access-keys")["items"]
    assert [k["id"] for k in listed] == [key["id"]] and "secret" not in listed[0]
    client.secret = key["secret"]

    # Meta server discovery points back at the same address.
    status, text = client.get("/services/config?appId=web&ip=10.0.0.1", sign=False)
    assert status == 200
    assert json.loads(text) == [{"appName": "APOLLO-CONFIGSERVICE", "instanceId": "wharf",
                                 "homepageUrl": f"http://127.0.0.1:{shop.port}{META}/"}]

    status, text = client.configs("application")
    assert status == 200
    body = json.loads(text)
    assert set(body) == {"appId", "cluster", "namespaceName", "configurations", "releaseKey"}
    assert (body["appId"], body["cluster"], body["namespaceName"]) == ("web", "default", "application")
    # Scalars, secrets unmasked (the key holder's service needs them), every value a string.
    assert body["configurations"] == {"db.url": "jdbc:mysql://db/shop", "timeout": "30",
                                      "DB_PASSWORD": "s3cret-pw"}
    # The same releaseKey: 304 with an empty body; the Java client's "application.properties" is "application".
    assert client.configs("application", release_key=body["releaseKey"]) == (304, "")
    status, text = client.configs("application.properties")
    assert status == 200 and json.loads(text)["configurations"] == body["configurations"]
    assert json.loads(text)["namespaceName"] == "application.properties"

    # A properties file item is a namespace of its own; other files come as {"content": ...}.
    status, text = client.configs("datasource")
    assert status == 200 and json.loads(text)["configurations"] == {"pool.size": "10", "url": "jdbc:h2:mem"}
    status, text = client.configs("application.yaml")
    assert status == 200 and json.loads(text)["configurations"] == {"content": YAML}
    assert client.configs("nothing")[0] == 404

    status, text = client.get("/configfiles/json/web/default/application")
    assert status == 200 and json.loads(text) == body["configurations"]
    status, text = client.get("/configfiles/web/default/datasource")
    assert status == 200 and text.splitlines() == ["pool.size=10", "url=jdbc\\:h2\\:mem"]

    # Another environment's meta address serves that environment (none published there: 404).
    shop.ok("POST", "/api/v1/projects/shop/environments", {"name": "prod", "clusters": ["local"]}, 201)
    other = ApolloClient(shop.port, "/apollo/shop/prod", "web", key["secret"])
    assert other.configs("application")[0] == 401  # keys belong to one environment


def test_apollo_signature_is_checked(shop):
    publish(shop, items())
    key = access_key(shop)
    client = ApolloClient(shop.port, META, "web", key["secret"])
    assert client.configs("application")[0] == 200
    status, text = client.configs("application", secret="0" * 32)
    assert status == 401 and "signature" in text
    now = int(time.time() * 1000)
    status, text = client.configs("application", timestamp=now - 120_000)
    assert status == 401 and "RequestTimeTooSkewed" in text
    assert client.configs("application", timestamp=now + 120_000)[0] == 401
    assert client.configs("application", sign=False)[0] == 401
    # A signature made for another path does not open this one.
    assert client.configs("application", sign_path=f"{META}/configs/web/default/datasource")[0] == 401
    # The query is signed too.
    assert client.configs("application", release_key="x", sign_path=f"{META}/configs/web/default/application")[0] \
        == 401
    # A second key works alongside; a revoked one stops at once.
    second = access_key(shop)
    assert ApolloClient(shop.port, META, "web", second["secret"]).configs("application")[0] == 200
    assert shop.request("DELETE", f"{CFG}/access-keys/{key['id']}").status == 204
    assert client.configs("application")[0] == 401
    assert shop.request("DELETE", f"{CFG}/access-keys/{key['id']}").status == 404
    # A key opens only its own app and environment; unknown ones answer 401 like a wrong key.
    assert ApolloClient(shop.port, META, "nope", second["secret"]).configs("application")[0] == 401
    assert ApolloClient(shop.port, "/apollo/nope/test", "web", second["secret"]).configs("application")[0] == 401
    # The secret never shows up again, neither in the API nor in the server's log.
    assert second["secret"] not in shop.request("GET", f"{CFG}/access-keys").text
    assert second["secret"] not in shop.log_path.read_text()


def test_apollo_long_poll_receives_a_change_and_answers_304_when_nothing_changed(shop):
    v1 = publish(shop, items())["version"]
    key = access_key(shop)
    client = ApolloClient(shop.port, META, "web", key["secret"])

    # A client that has nothing yet is answered at once.
    status, text = client.notifications({"application": -1, "datasource": -1})
    assert status == 200
    assert json.loads(text) == [
        {"namespaceName": "application", "notificationId": v1,
         "messages": {"details": {"web+default+application": v1}}},
        {"namespaceName": "datasource", "notificationId": v1,
         "messages": {"details": {"web+default+datasource": v1}}}]

    # Up to date: held for the hold time, then 304 with an empty body.
    start = time.monotonic()
    assert client.notifications({"application": v1}) == (304, "")
    assert time.monotonic() - start >= HOLD_MS / 1000 * 0.9

    # A hot publish answers the waiting poll at once with the new id.
    _, before = client.configs("application")
    _, ds_before = client.configs("datasource")
    waiting = in_thread(lambda: client.notifications({"application": v1}, timeout=30))
    wait_until(lambda: long_polls(shop) == 1, timeout=5, message="the long poll to wait")
    published_at = time.monotonic()
    v2 = publish(shop, items(db_url="jdbc:mysql://db2/shop"), apply="hot")
    assert v2["version"] == v1 + 1 and v2["apply"] == "hot"
    out = waiting()
    status, text = out["result"]
    assert status == 200 and json.loads(text)[0]["notificationId"] == v2["version"]
    assert out["end"] - published_at < 1.0
    # The client then fetches: the changed namespace is new, the untouched one answers 304.
    status, text = client.configs("application", release_key=json.loads(before)["releaseKey"])
    assert status == 200 and json.loads(text)["configurations"]["db.url"] == "jdbc:mysql://db2/shop"
    assert client.configs("datasource", release_key=json.loads(ds_before)["releaseKey"]) == (304, "")

    assert client.notifications({"application": v2["version"]})[0] == 304
    status, text = client.get("/notifications/v2?appId=web&cluster=default&notifications=nope")
    assert status == 400 and "notifications" in text


def test_config_live_long_poll_apply_and_watch(shop):
    live = shop.ok("GET", f"{CFG}/live")
    assert live["version"] == 0 and live["items"] == []
    v1 = publish(shop, items())
    live = shop.ok("GET", f"{CFG}/live")
    assert live["version"] == 1
    assert {i["key"]: i["value"] for i in live["items"]}["DB_PASSWORD"] == "******"
    assert {i["key"]: i["value"] for i in shop.ok("GET", f"{CFG}/live?reveal=1")["items"]}["DB_PASSWORD"] \
        == "s3cret-pw"

    # Nothing changes: 304 after ?wait=.
    start = time.monotonic()
    r = shop.request("GET", f"{CFG}/live?after=1&wait=1s")
    assert r.status == 304 and r.text == "" and time.monotonic() - start >= 0.9
    # A client behind is answered at once.
    assert shop.ok("GET", f"{CFG}/live?after=0&wait=30s")["version"] == 1

    # Watchers see the publish as a config event. The stream's head arrives once the watch is subscribed.
    conn = http.client.HTTPConnection("127.0.0.1", shop.port, timeout=20)
    conn.request("GET", "/api/v1/watch?project=shop&kinds=config", headers={"Authorization": f"Bearer {shop.token}"})
    stream = conn.getresponse()
    assert stream.status == 200

    waiting = in_thread(lambda: shop.request("GET", f"{CFG}/live?after=1&wait=30s", timeout=40))
    wait_until(lambda: long_polls(shop) == 1, timeout=5, message="the long poll to wait")
    # This app has no release, so the latest published version is live: a plain publish reaches clients.
    v2 = publish(shop, items(pool="20"), message="pool")
    assert v2["apply"] == "none" and v1["version"] == 1
    r = waiting()["result"]
    assert r.status == 200 and r.json()["version"] == 2 and r.json()["message"] == "pool"
    seen = b""
    deadline = time.monotonic() + 10
    while b'"kind":"config"' not in seen and time.monotonic() < deadline:
        seen += stream.fp.readline()
    conn.close()
    assert b"event: config" in seen and b'"name":"web/test/2"' in seen and b'"version":2' in seen

    # apply: a bad value is refused; restart needs a deployed app (nothing is published when refused).
    shop.ok("PUT", f"{CFG}/draft", {"items": items(pool="30")})
    r = shop.request("POST", f"{CFG}/publish", {"apply": "later"})
    assert r.status == 400 and r.error["field"] == "apply"
    r = shop.request("POST", f"{CFG}/publish", {"apply": "restart"})
    assert r.status == 409 and r.error["field"] == "apply" and "never deployed" in r.error["message"]
    assert shop.ok("GET", f"{CFG}/versions")["items"][0]["version"] == 2

    # Bad long-poll parameters name the field.
    assert shop.request("GET", f"{CFG}/live?after=x").error["field"] == "after"
    assert shop.request("GET", f"{CFG}/live?after=1&wait=10m").error["field"] == "wait"

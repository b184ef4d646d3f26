"""The isolation matrix: every route of the served route table × every kind of caller × the caller's own and a
foreign project, against the real server.

The routes come from the served OpenAPI document, where the server writes each operation's permission and scope
from its router table (x-wharf-permission, x-wharf-scope), so a new route is covered without touching this file,
unless it has a path parameter of a new kind: then the test fails and asks for a value (PARAM_VALUES).

What each caller may do is computed here from the catalogue the server publishes (GET /api/v1/permissions,
GET /api/v1/roles) and the bindings this test made, following the issue's rules:
  - public routes and `authenticated` permissions: everyone; the platform administrator: everything;
  - `platform` permissions: the administrator only (403 for the others);
  - a project the caller has no binding in does not exist for them (404, word for word the missing-project answer);
  - `project` permissions: a binding in the project whose role has the permission; a binding narrowed to
    environments gives only the reading ones project-wide;
  - `environment` permissions: a binding whose role has it and that covers the environment in the path;
  - a list across projects (no project in the path): some binding's role has the permission; the handler filters.
    Listing projects is allowed to everyone (a user without bindings gets an empty list).
A response counts as "allowed" when it is not one of the two authorisation answers: 403 `forbidden`, or 404 with
the missing-project message. Mutating calls send a minimal body that validation refuses or a stale
resourceVersion, so 400/404/409/422 answers are expected and the shared state stays as set up.

No response to a caller other than the administrator may carry a name of the foreign project's apps,
environments, members or texts."""
import concurrent.futures
import http.client
import itertools
import json
import re
import time

import pytest

OWN, FOREIGN = "alpha", "beta"
OWN_ENVS, FOREIGN_ENVS = ("dev", "prod"), ("bstage", "bprod")
OWN_APP, FOREIGN_APP = "web", "kraken"
FOREIGN_MEMBER, FOREIGN_GROUP = "bettina", "krakenteam"
FOREIGN_TEXT = "Zyxwv confidential"
# Strings that must never reach a caller who is not the administrator (the project's own name is echoed back in
# the 404 of a request that names it, so it is checked separately).
FOREIGN_MARKERS = (FOREIGN_APP, *FOREIGN_ENVS, FOREIGN_MEMBER, FOREIGN_GROUP, FOREIGN_TEXT)

STALE_VERSION = 1  # the first write of the store (the admin user): stale for every object made here
CUSTOM_ROLE = "deployer"
CUSTOM_PERMISSIONS = ["project.read", "environment.read", "app.read", "release.read", "instance.read",
                      "app.deploy", "app.scale"]
SPARE_ROLE = "spare"  # a custom role nobody holds: the target of PUT/DELETE /roles/{role}
TARGET_USER = "scratch"  # the target of /users/{user}/...

# Callers: name -> bindings in OWN as (role, environments). The administrator and a user without any binding
# complete the set.
BOUND_CALLERS = {
    "owner": [("owner", [])],
    "developer": [("developer", [])],
    "tester": [("tester", [])],
    "viewer": [("viewer", [])],
    "dev-only": [("developer", ["dev"])],
    "custom": [(CUSTOM_ROLE, [])],
}
CALLERS = ["admin", *BOUND_CALLERS, "unbound"]


def app_spec(name):
    return {"name": name, "image": "127.0.0.1:5000/team/web:1.0", "replicas": 1,
            "resources": {"cpu": "100m", "memory": "64Mi"}}


class World:
    """What the matrix runs against: two projects with environments, an app, releases and members; users with
    tokens; the published catalogue."""

    def __init__(self, server):
        self.server = server
        self.tokens = {"admin": server.token}
        self.spares = itertools.count()  # next() is atomic under the GIL
        s = server
        s.ok("POST", "/api/v1/projects", {"name": OWN, "displayName": "Alpha team"}, 201)
        s.ok("POST", "/api/v1/projects", {"name": FOREIGN, "displayName": "Other team",
                                          "description": FOREIGN_TEXT}, 201)
        for project, envs, app in ((OWN, OWN_ENVS, OWN_APP), (FOREIGN, FOREIGN_ENVS, FOREIGN_APP)):
            for env in envs:
                s.ok("POST", f"/api/v1/projects/{project}/environments", {"name": env, "clusters": ["local"]}, 201)
            s.ok("POST", f"/api/v1/projects/{project}/apps", app_spec(app), 201)
            for env in envs:
                s.ok("POST", f"/api/v1/projects/{project}/apps/{app}/environments/{env}/deploy",
                     {"message": "first"}, 202)
        for role in (CUSTOM_ROLE, SPARE_ROLE):
            s.ok("POST", "/api/v1/roles", {"name": role, "description": "made by the matrix",
                                           "permissions": CUSTOM_PERMISSIONS}, 201)
        for user in [*BOUND_CALLERS, "unbound", FOREIGN_MEMBER, TARGET_USER]:
            s.ok("POST", "/api/v1/users", {"name": user, "displayName": user.title()}, 201)
            if user in CALLERS:
                self.tokens[user] = s.ok("POST", f"/api/v1/users/{user}/tokens", {"name": "matrix"}, 201)["token"]
        self.bindings = {"admin": [], "unbound": []}
        for user, grants in BOUND_CALLERS.items():
            self.bindings[user] = []
            for role, envs in grants:
                s.ok("POST", f"/api/v1/projects/{OWN}/members",
                     {"kind": "user", "subject": user, "role": role, "environments": envs}, 201)
                self.bindings[user].append((OWN, role, envs))
        s.ok("POST", f"/api/v1/projects/{FOREIGN}/members",
             {"kind": "user", "subject": FOREIGN_MEMBER, "role": "developer", "environments": []}, 201)
        s.ok("POST", f"/api/v1/projects/{FOREIGN}/members",
             {"kind": "group", "subject": FOREIGN_GROUP, "role": "viewer", "environments": ["bprod"]}, 201)

        # The catalogue, as published.
        self.scopes = {p["name"]: p["scope"] for p in s.ok("GET", "/api/v1/permissions")["items"]}
        self.roles = {r["name"]: set(r["permissions"]) for r in s.ok("GET", "/api/v1/roles")["items"]}
        assert {"owner", "developer", "tester", "viewer", CUSTOM_ROLE} <= set(self.roles)

        # The route table, as served.
        self.routes = []
        doc = s.ok("GET", "/api/v1/openapi.json")
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                assert "x-wharf-permission" in op and "x-wharf-scope" in op, (method, path)
                perm, scope = op["x-wharf-permission"], op["x-wharf-scope"]
                if perm != "public":
                    assert self.scopes.get(perm) == scope, (method, path, perm, scope)
                self.routes.append((method.upper(), path, perm, scope))

    def expected(self, caller, perm, scope, project, env):
        """allow, deny (403) or hidden (404), from the catalogue and this caller's bindings."""
        if scope in ("public", "authenticated") or caller == "admin":
            return "allow"
        if scope == "platform":
            return "deny"
        bindings = self.bindings[caller]
        if project is None:
            if perm == "project.read":  # anyone lists projects; the list holds only their own
                return "allow"
            return "allow" if any(perm in self.roles[role] for _, role, _ in bindings) else "deny"
        mine = [(role, envs) for p, role, envs in bindings if p == project]
        if not mine:
            return "hidden"
        reading = perm.endswith(".read") or perm == "instance.logs"
        for role, envs in mine:
            if perm not in self.roles[role]:
                continue
            if not envs:
                return "allow"
            if scope == "environment" and (env is None or env in envs):
                return "allow"
            if scope == "project" and reading:
                return "allow"
        return "deny"

    # Values of path parameters (KNOWN_PARAMS), given the side's project. "binding" and "token" make fresh ones,
    # since DELETE .../members/{binding} and .../tokens/{token} really revoke them.
    def param_value(self, name, project):
        own = project != FOREIGN
        if name == "project":
            return project
        if name == "app":
            return OWN_APP if own else FOREIGN_APP
        if name in ("revision", "version"):  # a release revision, a config version
            return "1"
        if name == "binding":
            subject = f"spare-{next(self.spares)}"  # one binding per subject and role
            b = self.server.ok("POST", f"/api/v1/projects/{project or OWN}/members",
                               {"kind": "user", "subject": subject, "role": "viewer"}, 201)
            return str(b["id"])
        if name == "token":
            # A fresh token of the target user: DELETE .../tokens/{token} really revokes it.
            return self.server.ok("POST", f"/api/v1/users/{TARGET_USER}/tokens", {"name": "spare"}, 201)["id"]
        if name == "user":
            return TARGET_USER
        if name == "role":
            return SPARE_ROLE
        if name == "cluster":
            return "local"  # built in: deleting it is refused (409), so an allowed DELETE changes nothing
        if name == "registry":
            return "127.0.0.1:9"  # nothing listens: an allowed call answers 503 at once
        if name == "id":  # an access key: none has this id, so an allowed DELETE answers 404 and revokes nothing
            return "999999"
        raise AssertionError(f"no value for the path parameter {{{name}}}")


KNOWN_PARAMS = {"project", "env", "app", "revision", "version", "binding", "user", "role", "cluster", "registry",
                "token", "id"}


def query_for(method, path):
    if method == "DELETE":
        return f"?resourceVersion={STALE_VERSION}"
    if path.endswith("/logs"):
        return "?tail=5"
    if path.endswith("/tags"):
        return "?repository=team/web"
    return ""


def body_for(method):
    # Validation refuses it (an unknown field, a missing name) or its stale resourceVersion conflicts.
    return None if method in ("GET", "DELETE") else {"resourceVersion": STALE_VERSION}


def send(port, method, path, body, token, timeout=15):
    """(status, content type, body text). Streams (watch) are read up to their first event and closed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        ctype = r.getheader("Content-Type", "")
        if ctype.startswith("text/event-stream"):
            text = r.readline() + r.readline()  # ": watching" and the blank line after it
        else:
            text = r.read()
        return r.status, ctype, text.decode("utf-8", "replace")
    finally:
        conn.close()


def outcome(status, text, project):
    if status == 403:
        try:
            if json.loads(text)["error"]["code"] == "forbidden":
                return "deny"
        except (ValueError, KeyError, TypeError):
            pass
    if status == 404 and project:
        try:
            if json.loads(text)["error"]["message"] == f'project "{project}" does not exist':
                return "hidden"
        except (ValueError, KeyError, TypeError):
            pass
    return "allow"


def plan(world):
    """Every (route, caller, side, env) cell, destructive methods last."""
    cells = []
    for method, pattern, perm, scope in world.routes:
        if pattern.startswith("/apollo/"):
            continue  # Apollo's client API authenticates by access-key signature, not tokens: test_config_live.py
        params = re.findall(r"\{([A-Za-z]+)\}", pattern)
        for p in params:
            if p not in KNOWN_PARAMS:
                pytest.fail(f"route {method} {pattern} has the path parameter {{{p}}} that the isolation matrix has "
                            f"no value for: add one to World.param_value and KNOWN_PARAMS in test_isolation_matrix.py")
        sides = [(OWN, OWN_ENVS), (FOREIGN, FOREIGN_ENVS[1:])] if "project" in params else [(None, ())]
        for project, envs in sides:
            for env in (envs if "env" in params else (None,)):
                for caller in CALLERS:
                    cells.append((method, pattern, perm, scope, params, caller, project, env))
    cells.sort(key=lambda c: c[0] == "DELETE")
    return cells


def run_cell(world, cell):
    method, pattern, perm, scope, params, caller, project, env = cell

    def fill(m):
        name = m.group(1)
        if name == "env":
            return env
        if method == "DELETE" and pattern == "/api/v1/users/{user}":
            # DELETE really deletes: each cell gets a user of its own.
            spare = f"spare-user-{next(world.spares)}"
            world.server.ok("POST", "/api/v1/users", {"name": spare}, 201)
            return spare
        return world.param_value(name, project)

    path = re.sub(r"\{([A-Za-z]+)\}", fill, pattern) + query_for(method, pattern)
    status, ctype, text = send(world.server.port, method, path, body_for(method), world.tokens[caller])
    return path, status, ctype, text


def check_no_foreign_names(caller, path, text, named_foreign):
    for marker in FOREIGN_MARKERS:
        assert marker not in text, f"{caller} {path}: the response names {marker!r} of the foreign project: {text:.300}"
    if not named_foreign:
        assert not re.search(rf"\b{FOREIGN}\b", text), \
            f"{caller} {path}: the response names the foreign project: {text:.300}"


def test_isolation_matrix(server):
    world = World(server)
    cells = plan(world)
    start = time.monotonic()
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        # Non-destructive cells in parallel, then the DELETEs (their targets are stale versions or spare objects).
        for wave in ([c for c in cells if c[0] != "DELETE"], [c for c in cells if c[0] == "DELETE"]):
            for cell, (path, status, ctype, text) in zip(wave, pool.map(lambda c: run_cell(world, c), wave)):
                method, pattern, perm, scope, params, caller, project, env = cell
                want = world.expected(caller, perm, scope, project, env)
                got = outcome(status, text, project)
                where = f"{method} {path} as {caller} ({perm}, {scope})"
                if got != want:
                    failures.append(f"{where}: expected {want}, got {got}: {status} {text[:200]}")
                if status in (401, 500):
                    failures.append(f"{where}: {status} {text[:200]}")
                if caller != "admin":
                    try:
                        check_no_foreign_names(caller, path, text, project == FOREIGN)
                    except AssertionError as e:
                        failures.append(str(e))
    elapsed = time.monotonic() - start
    routes = len(world.routes)
    print(f"\nisolation matrix: {routes} routes x {len(CALLERS)} callers x own/foreign project "
          f"(x environments) = {len(cells)} requests in {elapsed:.1f}s")
    assert not failures, f"{len(failures)} of {len(cells)} cells wrong:\n" + "\n".join(failures[:60])
    # Every route was exercised, by every caller.
    assert {(c[0], c[1]) for c in cells} == {(m, p) for m, p, _, _ in world.routes if not p.startswith("/apollo/")}
    assert routes >= 40

    # The state the matrix relied on is intact: nothing but spare bindings was removed.
    for project, envs, app in ((OWN, OWN_ENVS, OWN_APP), (FOREIGN, FOREIGN_ENVS, FOREIGN_APP)):
        server.ok("GET", f"/api/v1/projects/{project}")
        server.ok("GET", f"/api/v1/projects/{project}/apps/{app}")
        for env in envs:
            server.ok("GET", f"/api/v1/projects/{project}/environments/{env}")
    assert {r["name"] for r in server.ok("GET", "/api/v1/roles")["items"]} >= {CUSTOM_ROLE, SPARE_ROLE}
    members = server.ok("GET", f"/api/v1/projects/{OWN}/members")["items"]
    assert {m["subject"] for m in members} >= set(BOUND_CALLERS)


def test_foreign_names_stay_out_of_lists_me_and_watch(server):
    world = World(server)
    for caller in CALLERS[1:]:
        token = world.tokens[caller]
        status, _, text = send(server.port, "GET", "/api/v1/projects", None, token)
        # Everyone may list projects; the list holds only the caller's own.
        mine = [] if caller == "unbound" else [OWN]
        assert status == 200 and [p["name"] for p in json.loads(text)["items"]] == mine, (caller, text)
        check_no_foreign_names(caller, "/api/v1/projects", text, False)
        status, _, text = send(server.port, "GET", "/api/v1/me", None, token)
        assert status == 200 and json.loads(text)["projects"] == ([] if caller == "unbound" else [OWN])
        check_no_foreign_names(caller, "/api/v1/me", text, False)
        for path in (f"/api/v1/me?project={FOREIGN}", f"/api/v1/watch?project={FOREIGN}"):
            status, _, text = send(server.port, "GET", path, None, token)
            assert status == 404 and json.loads(text)["error"]["message"] == f'project "{FOREIGN}" does not exist', \
                (caller, path, text)

    # The own project's owner cannot reach the foreign project's bindings through their own project's path.
    foreign_bindings = server.ok("GET", f"/api/v1/projects/{FOREIGN}/members")["items"]
    for b in foreign_bindings:
        status, _, text = send(server.port, "DELETE", f"/api/v1/projects/{OWN}/members/{b['id']}", None,
                               world.tokens["owner"])
        assert status == 404, text
        check_no_foreign_names("owner", "DELETE members", text, False)
    assert server.ok("GET", f"/api/v1/projects/{FOREIGN}/members")["items"] == foreign_bindings

    # Tokens are their owner's: another caller can neither list nor revoke them through /me.
    spare = server.ok("POST", f"/api/v1/users/{TARGET_USER}/tokens", {"name": "not-yours"}, 201)
    for caller in ("owner", "viewer", "unbound"):
        status, _, text = send(server.port, "GET", "/api/v1/me/tokens", None, world.tokens[caller])
        if status != 404:  # the route exists
            assert status == 200 and "not-yours" not in text and spare["id"] not in text, (caller, text)
        status, _, text = send(server.port, "DELETE", f"/api/v1/me/tokens/{spare['id']}", None, world.tokens[caller])
        assert status in (404, 405), (caller, status, text)
    status, _, _ = send(server.port, "GET", "/api/v1/me", None, spare["token"])
    assert status == 200

    # A watch without a project filter: changes in the foreign project never arrive, those of the own one do.
    conns = {}
    for caller in ("viewer", "dev-only", "unbound"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/v1/watch", headers={"Authorization": f"Bearer {world.tokens[caller]}"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.readline().startswith(b": watching")
        conns[caller] = (conn, resp)
    server.ok("POST", f"/api/v1/projects/{FOREIGN}/apps", app_spec(FOREIGN_APP + "-two"), 201)
    server.ok("POST", f"/api/v1/projects/{FOREIGN}/apps/{FOREIGN_APP}/environments/bprod/scale", {"replicas": 2}, 202)
    server.ok("POST", f"/api/v1/projects/{OWN}/apps", app_spec("web-two"), 201)
    for caller in ("viewer", "dev-only"):
        conn, resp = conns[caller]
        seen = b""
        while b"web-two" not in seen:
            line = resp.readline()
            assert line, f"{caller}: the watch ended before the own project's change arrived"
            seen += line
        text = seen.decode()
        check_no_foreign_names(caller, "/api/v1/watch", text, False)
        conn.close()
    # The unbound caller sees no project at all: its stream carries only the keep-alive comments.
    conn, resp = conns["unbound"]
    conn.sock.settimeout(1.0)
    got = b""
    try:
        while True:
            line = resp.readline()
            if not line:
                break
            got += line
    except (TimeoutError, OSError):
        pass
    conn.close()
    assert b"data:" not in got, got


def test_watch_sends_only_the_kinds_the_callers_role_reads(server):
    """A role that reads apps but not releases gets app events and none of the releases'."""
    server.ok("POST", "/api/v1/projects", {"name": "shop"}, 201)
    server.ok("POST", "/api/v1/projects/shop/environments", {"name": "dev", "clusters": ["local"]}, 201)
    server.ok("POST", "/api/v1/roles", {"name": "app-reader", "permissions": ["project.read", "app.read"]}, 201)
    server.ok("POST", "/api/v1/users", {"name": "rita"}, 201)
    server.ok("POST", "/api/v1/projects/shop/members", {"kind": "user", "subject": "rita", "role": "app-reader"}, 201)
    token = server.ok("POST", "/api/v1/users/rita/tokens", {"name": "t"}, 201)["token"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/api/v1/watch", headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.readline().startswith(b": watching")
    server.ok("POST", "/api/v1/projects/shop/apps", app_spec("web"), 201)
    server.ok("POST", "/api/v1/projects/shop/apps/web/environments/dev/deploy", {"message": "hidden"}, 202)
    server.ok("POST", "/api/v1/projects/shop/apps", app_spec("marker"), 201)
    seen = b""
    while b'"marker"' not in seen:
        line = resp.readline()
        assert line, "the watch ended before the marker arrived"
        seen += line
    conn.close()
    kinds = re.findall(rb"^event: (\w+)$", seen, re.M)
    assert kinds == [b"app", b"app"], seen

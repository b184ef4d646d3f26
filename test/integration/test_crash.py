"""kill -9 in the middle of a burst of writes: after a restart every acknowledged write is there and
nothing is half-written."""
import concurrent.futures
import sqlite3
import threading

from conftest import wait_until

APP = {"name": "web", "image": "127.0.0.1:5000/team/web:1", "replicas": 2,
       "resources": {"cpu": "100m", "memory": "64Mi"}}


def test_kill9_during_write_burst_loses_no_acknowledged_write(start_server, tmp_path):
    server = start_server()
    server.ok("POST", "/api/v1/projects", {"name": "base"}, 201)
    server.ok("POST", "/api/v1/projects/base/environments", {"name": "prod", "clusters": ["local"]}, 201)
    server.ok("POST", "/api/v1/projects/base/apps", APP, 201)
    deploy = "/api/v1/projects/base/apps/web/environments/prod/deploy"

    acked_projects, acked_releases = set(), set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker):
        i = 0
        while not stop.is_set():
            name = f"w{worker}-{i}"
            try:
                if i % 2 == 0:
                    r = server.request("POST", "/api/v1/projects", {"name": name, "description": "x" * 200},
                                       timeout=5)
                    if r.status == 201:
                        with lock:
                            acked_projects.add(name)
                else:
                    r = server.request("POST", deploy, {"image": f"127.0.0.1:5000/team/web:{worker}.{i}"},
                                       timeout=5)
                    if r.status == 202:
                        with lock:
                            acked_releases.add((r.json()["revision"], r.json()["image"]))
            except OSError:
                return  # the server is gone
            i += 1

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(writer, w) for w in range(8)]
        wait_until(lambda: len(acked_projects) + len(acked_releases) >= 400, timeout=60, message="400 writes")
        server.kill9()  # mid-burst: writers are still sending
        stop.set()
        for f in futures:
            f.result(timeout=30)

    # The database file itself is consistent before the server touches it again.
    db = sqlite3.connect(server.data_dir / "wharf.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()

    server = start_server(server.data_dir)
    projects, token = set(), ""
    while True:
        page = server.ok("GET", f"/api/v1/projects?limit=1000&continue={token}")
        projects |= {p["name"] for p in page["items"]}
        token = page["continue"]
        if not token:
            break
    missing = acked_projects - projects
    assert not missing, f"{len(missing)} acknowledged projects lost, e.g. {sorted(missing)[:5]}"
    for name in list(acked_projects)[:50]:
        assert server.ok("GET", f"/api/v1/projects/{name}")["description"] == "x" * 200

    releases, token = [], ""
    while True:
        page = server.ok("GET", f"/api/v1/projects/base/apps/web/environments/prod/releases?limit=1000&continue={token}")
        releases += page["items"]
        token = page["continue"]
        if not token:
            break
    stored = {(r["revision"], r["image"]) for r in releases}
    assert acked_releases <= stored, f"lost releases: {sorted(acked_releases - stored)[:5]}"
    revisions = sorted(r["revision"] for r in releases)
    assert revisions == list(range(1, len(revisions) + 1)), "revisions must be contiguous: no duplicates, no gaps"
    # Every release is whole: spec present and consistent with its own columns.
    for r in releases:
        assert r["spec"]["image"] == r["image"] and r["spec"]["name"] == "web"
    # At most one release is still in flight; the rest are superseded.
    assert sum(r["status"] in ("pending", "progressing") for r in releases) == 1
    # The restarted server keeps numbering after the last stored revision.
    nxt = server.ok("POST", deploy, {}, 202)
    assert nxt["revision"] == revisions[-1] + 1

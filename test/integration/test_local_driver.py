"""The local runtime driver through the real server API: real runc, real CNI plugins, real cgroups and a real
docker-registry serving busybox images built here. Covers replicas, readiness gating, rolling upgrades with
no moment below the allowed availability, failing upgrades, rollback, scale, offline, OOM kills, external
kills, kill -9 of the server (adoption), logs across restarts, bad image references, and config delivery (files
under /etc/wharf/config, scalars as environment variables, rolled out and rolled back with the release).

Every test stops what it started: the app is taken offline through the API (the driver releases containers,
namespaces and addresses), and anything left after that is removed by hand from the data dir."""
import hashlib
import http.client
import json
import os
import pathlib
import signal
import subprocess
import threading
import time
import urllib.request

import pytest

from apollo_client import ApolloClient
from conftest import Server, wait_until
from oci_registry import missing_requirement as registry_missing
from oci_registry import module_registry  # noqa: F401  (fixture)

def host_missing():
    if os.geteuid() != 0:
        return "needs root (runc, network namespaces, cgroups)"
    for tool in ("runc", "iptables"):
        if not any(pathlib.Path(d, tool).exists() for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin")):
            return f"{tool} is not installed"
    if not pathlib.Path("/usr/lib/cni/bridge").exists():
        return "CNI plugins missing (apt-get install containernetworking-plugins)"
    return None


_missing = host_missing() or registry_missing()
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"local driver: {_missing}")

# Short back-off and stop grace: busybox httpd runs as PID 1 and ignores SIGTERM, so each stop waits the grace.
TEST_ENV = {"WHARF_RESTART_BACKOFF_MS": "300,2000", "WHARF_STOP_GRACE_MS": "800", "WHARF_IMAGE_GC_S": "1"}
BASE = "/api/v1/projects/{p}/apps/{a}/environments/{e}"


def http_get(url, timeout=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode()
    except OSError:
        return None


def alive(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Cluster:
    """A server with the local driver, and the project/environment its apps live in."""

    def __init__(self, data_dir, project="shop", env="dev"):
        self.data_dir = pathlib.Path(data_dir)
        self.project, self.env = project, env
        self.server = None
        self.apps = set()

    def start(self):
        saved = {k: os.environ.get(k) for k in TEST_ENV}
        os.environ.update(TEST_ENV)
        try:
            self.server = Server(self.data_dir).start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return self

    def setup_project(self):
        self.server.ok("POST", "/api/v1/projects", {"name": self.project}, 201)
        self.server.ok("POST", f"/api/v1/projects/{self.project}/environments",
                       {"name": self.env, "clusters": ["local"]}, 201)

    def base(self, app):
        return BASE.format(p=self.project, a=app, e=self.env)

    def create_app(self, spec):
        self.apps.add(spec["name"])
        return self.server.ok("POST", f"/api/v1/projects/{self.project}/apps", spec, 201)

    def update_app(self, spec):
        r = self.server.request("GET", f"/api/v1/projects/{self.project}/apps/{spec['name']}")
        body = dict(spec)
        body["resourceVersion"] = r.json().get("resourceVersion")
        return self.server.ok("PUT", f"/api/v1/projects/{self.project}/apps/{spec['name']}", body)

    def deploy(self, app, **body):
        return self.server.ok("POST", self.base(app) + "/deploy", body, 202)

    def action(self, app, verb, body=None):
        return self.server.ok("POST", self.base(app) + "/" + verb, body or {}, 202)

    def release(self, app, revision):
        return self.server.ok("GET", self.base(app) + f"/releases/{revision}")

    def releases(self, app):
        return self.server.ok("GET", self.base(app) + "/releases")["items"]

    def instances(self, app):
        return self.server.ok("GET", self.base(app) + "/instances")

    def wait_release(self, app, revision, status="succeeded", timeout=60):
        def done():
            r = self.release(app, revision)
            if r["status"] in ("succeeded", "failed") and r["status"] != status:
                raise AssertionError(f"release {revision} ended {r['status']}: {r.get('reason')}")
            return r if r["status"] == status else None
        return wait_until(done, timeout=timeout, interval=0.05, message=f"release {revision} {status}")

    def wait_ready(self, app, count, page=None, timeout=60):
        def ok():
            items = [i for i in self.instances(app) if i["ready"] and i["state"] == "running"]
            if len(items) != count:
                return None
            if page is not None and any(http_get(f"http://{i['address']}/") != page for i in items):
                return None
            return items
        return wait_until(ok, timeout=timeout, interval=0.05, message=f"{count} ready instances of {app}")

    def runc(self, *args):
        return subprocess.run(["runc", "--root", str(self.data_dir / "runtime" / "runc"), *args],
                              capture_output=True, text=True, timeout=30)

    def init_pid(self, instance):
        r = self.runc("state", instance)
        return json.loads(r.stdout)["pid"] if r.returncode == 0 else 0

    def containers(self):
        r = self.runc("list", "--format", "json")
        return [c["id"] for c in json.loads(r.stdout or "null") or []]

    def cleanup(self):
        """Offline every app through the API, then remove by hand whatever is left."""
        errors = []
        if self.server and self.server.proc:
            for app in self.apps:
                r = self.server.request("POST", self.base(app) + "/offline", {})
                if r.status not in (202, 409):  # 409: already offline
                    errors.append(f"offline {app}: {r}")
            try:
                wait_until(lambda: not self.containers() and not list(self.instance_dirs()), timeout=30,
                           message="the driver to remove every instance")
            except AssertionError as e:
                errors.append(str(e))
            self.server.stop()
        leftovers = list(self.instance_dirs())
        for d in leftovers:
            pid = (d / "shim.pid").read_text().strip() if (d / "shim.pid").exists() else ""
            if pid.isdigit():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.runc("delete", "--force", d.name)
            subprocess.run(["umount", "-l", str(d / "rootfs")], capture_output=True)
            ns = self.data_dir / "runtime" / "netns" / d.name
            subprocess.run(["umount", "-l", str(ns)], capture_output=True)
        return errors + ([f"left behind: {[d.name for d in leftovers]}"] if leftovers else [])

    def instance_dirs(self):
        d = self.data_dir / "runtime" / "instances"
        return d.iterdir() if d.exists() else []


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path / "data").start()
    c.setup_project()
    yield c
    errors = c.cleanup()
    assert not errors, errors


@pytest.fixture(scope="module")
def images(module_registry):  # noqa: F811
    reg = module_registry
    return {v: reg.busybox_image("demo/web", v, page=f"{v}\n").ref for v in ("v1", "v2", "v3")}


def web_spec(image, replicas=3, **extra):
    spec = {"name": "web", "image": image, "replicas": replicas,
            "ports": [{"name": "http", "port": 8080}],
            "resources": {"cpu": "200m", "memory": "64Mi"},
            "healthCheck": {"readiness": {"http": {"path": "/", "port": "http"}, "periodSeconds": 1}},
            "strategy": {"maxSurge": 1, "maxUnavailable": 0, "progressDeadlineSeconds": 60}}
    spec.update(extra)
    return spec


class AvailabilityWatch:
    """Polls the instances API during a rollout; records the fewest ready instances seen, and checks that each
    ready instance answers with one of the expected pages."""

    def __init__(self, cluster, app, pages):
        self.cluster, self.app, self.pages = cluster, app, pages
        self.min_ready = None
        self.bad = []
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            ready = [i for i in self.cluster.instances(self.app) if i["ready"]]
            self.min_ready = len(ready) if self.min_ready is None else min(self.min_ready, len(ready))
            for i in ready:
                page = http_get(f"http://{i['address']}/")
                if page not in self.pages:
                    self.bad.append((i["name"], i["release"], page))
            self.samples += 1
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


def test_replicas_rolling_upgrade_and_rollback_keep_availability(cluster, images):
    cluster.create_app(web_spec(images["v1"]))
    rel = cluster.deploy("web")
    cluster.wait_release("web", rel["revision"])
    first = cluster.wait_ready("web", 3, page="v1\n")
    assert len({i["address"] for i in first}) == 3
    assert all(i["address"].startswith("10.213.") and i["address"].endswith(":8080") for i in first)
    assert set(cluster.containers()) == {i["name"] for i in first}

    with AvailabilityWatch(cluster, "web", {"v1\n", "v2\n"}) as watch:
        up = cluster.deploy("web", image=images["v2"])
        cluster.wait_release("web", up["revision"])
        cluster.wait_ready("web", 3, page="v2\n")
    assert watch.samples > 5
    assert watch.min_ready >= 3, f"availability dropped to {watch.min_ready} (maxUnavailable 0)"
    assert not watch.bad, watch.bad
    wait_until(lambda: not {i["name"] for i in first} & set(cluster.containers()), timeout=20,
               message="the old containers to be removed")

    with AvailabilityWatch(cluster, "web", {"v1\n", "v2\n"}) as watch:
        started = time.monotonic()
        back = cluster.action("web", "rollback")
        cluster.wait_ready("web", 3, page="v1\n")
        elapsed = time.monotonic() - started
        cluster.wait_release("web", back["revision"])
    assert watch.min_ready >= 3 and not watch.bad
    print(f"\nrollback of 3 replicas: {elapsed:.2f} s until all answer v1")


def test_readiness_gates_the_release_and_exec_probes_work(cluster, images):
    spec = web_spec(images["v1"], replicas=2)
    spec["healthCheck"] = {"readiness": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 1}}
    cluster.create_app(spec)
    rel = cluster.deploy("web")
    running = wait_until(lambda: (l := cluster.instances("web")) and len(l) == 2 and
                         all(i["state"] == "running" for i in l) and l, timeout=30, message="2 running")
    time.sleep(1.5)  # several probe periods: the instances must stay unready
    assert not any(i["ready"] for i in cluster.instances("web"))
    assert cluster.release("web", rel["revision"])["status"] == "progressing"
    for i in running:
        r = cluster.runc("exec", i["name"], "sh", "-c", "echo yes > /tmp/ready")
        assert r.returncode == 0, r.stderr
    cluster.wait_release("web", rel["revision"])
    cluster.wait_ready("web", 2, page="v1\n")


def test_failing_upgrade_fails_the_release_and_old_instances_keep_serving(cluster, images):
    cluster.create_app(web_spec(images["v1"], replicas=2))
    cluster.wait_release("web", cluster.deploy("web")["revision"])
    cluster.wait_ready("web", 2, page="v1\n")
    broken = web_spec(images["v2"], replicas=2)
    broken["healthCheck"]["readiness"]["http"]["path"] = "/missing"
    broken["strategy"]["progressDeadlineSeconds"] = 4
    cluster.update_app(broken)
    with AvailabilityWatch(cluster, "web", {"v1\n"}) as watch:
        up = cluster.deploy("web", image=images["v2"])
        failed = cluster.wait_release("web", up["revision"], status="failed", timeout=30)
    assert "ProgressDeadlineExceeded" in failed["reason"], failed
    assert watch.min_ready >= 2 and not watch.bad
    # The failure returns the app to the last good release automatically: a rollback to v1, which completes.
    back = cluster.wait_release("web", up["revision"] + 1, timeout=30)
    assert back["kind"] == "rollback" and back["image"] == images["v1"], back
    assert "automatic return" in back["message"], back
    cluster.wait_ready("web", 2, page="v1\n", timeout=30)


def test_scale_and_offline_and_back(cluster, images):
    cluster.create_app(web_spec(images["v1"], replicas=2))
    cluster.wait_release("web", cluster.deploy("web")["revision"])
    before = {i["name"] for i in cluster.wait_ready("web", 2)}
    cluster.wait_release("web", cluster.action("web", "scale", {"replicas": 4})["revision"])
    after = {i["name"] for i in cluster.wait_ready("web", 4, page="v1\n")}
    assert before < after
    cluster.wait_release("web", cluster.action("web", "scale", {"replicas": 1})["revision"])
    kept = cluster.wait_ready("web", 1)
    assert kept[0]["name"] in before, "scale-down removes the newest instances first"

    off = cluster.action("web", "offline")
    cluster.wait_release("web", off["revision"])
    wait_until(lambda: not cluster.instances("web") and not cluster.containers() and
               not list((cluster.data_dir / "runtime" / "netns").iterdir()) and not list(cluster.instance_dirs()),
               timeout=30, message="every instance, container and network namespace gone")
    assert len(cluster.releases("web")) >= 4, "history is kept"
    back = cluster.deploy("web")
    cluster.wait_release("web", back["revision"])
    cluster.wait_ready("web", 1, page="v1\n")


def test_images_of_a_deleted_app_are_collected(cluster, images):
    cluster.create_app(web_spec(images["v1"], replicas=1))
    cluster.create_app(web_spec(images["v2"], replicas=1, name="api"))
    for app in ("web", "api"):
        cluster.wait_release(app, cluster.deploy(app)["revision"])
    cluster.wait_ready("web", 1, page="v1\n")
    cluster.wait_ready("api", 1, page="v2\n")
    stored = cluster.data_dir / "images" / "images"
    assert len(list(stored.glob("*.json"))) == 2
    app = cluster.server.ok("GET", f"/api/v1/projects/{cluster.project}/apps/api")
    cluster.server.ok("DELETE", f"/api/v1/projects/{cluster.project}/apps/api?resourceVersion={app['resourceVersion']}")
    cluster.apps.discard("api")
    # Collections run every second here. The controller's resync (30 s) removes the abandoned workload; the
    # next collection frees its image, and never the image a running instance uses.
    wait_until(lambda: len(list(stored.glob("*.json"))) == 1, timeout=60, interval=0.5,
               message="the deleted app's image collected")
    assert not [i for i in cluster.instances("web") if not i["ready"]]
    cluster.wait_ready("web", 1, page="v1\n")


def test_memory_limit_breach_is_oomkilled_and_restarted(cluster, images):
    spec = web_spec(images["v1"], replicas=1, resources={"memory": "16Mi"}, healthCheck={})
    spec["command"] = ["/bin/sh", "-c", "sleep 0.3; x=0123456789abcdef; while true; do x=$x$x; done"]
    cluster.create_app(spec)
    cluster.deploy("web")
    inst = wait_until(lambda: [i for i in cluster.instances("web")
                               if i.get("reason") == "OOMKilled" and i["restarts"] >= 1] or None,
                      timeout=30, message="an OOMKilled instance that was restarted")
    assert inst[0]["reason"] == "OOMKilled"


def test_externally_killed_container_is_restarted(cluster, images):
    cluster.create_app(web_spec(images["v1"], replicas=1))
    cluster.wait_release("web", cluster.deploy("web")["revision"])
    inst = cluster.wait_ready("web", 1)[0]
    pid = cluster.init_pid(inst["name"])
    assert pid > 0
    os.kill(pid, signal.SIGKILL)
    again = wait_until(lambda: [i for i in cluster.instances("web")
                                if i["restarts"] == 1 and i["ready"]] or None, timeout=30,
                       message="the instance restarted and ready")
    assert again[0]["name"] == inst["name"] and again[0]["address"] == inst["address"]
    assert cluster.init_pid(inst["name"]) not in (0, pid)
    assert http_get(f"http://{inst['address']}/") == "v1\n"


def test_server_kill9_adopts_running_instances_and_restarts_dead_ones(cluster, images):
    cluster.create_app(web_spec(images["v1"], replicas=2))
    cluster.wait_release("web", cluster.deploy("web")["revision"])
    before = sorted(cluster.wait_ready("web", 2, page="v1\n"), key=lambda i: i["name"])
    pids = {i["name"]: cluster.init_pid(i["name"]) for i in before}
    cluster.server.kill9()
    # While the server is down, the shims keep the containers; kill one container: its shim records the exit.
    victim = before[0]["name"]
    os.kill(pids[victim], signal.SIGKILL)
    wait_until(lambda: (cluster.data_dir / "runtime" / "instances" / victim / "exit.json").exists(),
               timeout=10, message="the shim to record the exit while the server is down")
    cluster.start()
    survivor = before[1]
    def settled():
        items = sorted(cluster.instances("web"), key=lambda i: i["name"])
        return items if len(items) == 2 and all(i["ready"] for i in items) and items[0]["restarts"] == 1 else None
    after = wait_until(settled, timeout=30, message="adoption and the restart of the dead instance")
    assert [i["name"] for i in after] == [i["name"] for i in before], "no duplicate instances"
    assert after[1]["startedAt"] == survivor["startedAt"] and after[1]["restarts"] == 0
    assert cluster.init_pid(survivor["name"]) == pids[survivor["name"]], "the running instance was restarted"
    assert sorted(cluster.containers()) == sorted(pids)


def test_logs_follow_across_an_instance_restart(cluster, images):
    spec = web_spec(images["v1"], replicas=1, healthCheck={})
    spec["command"] = ["/bin/sh", "-c", "echo started $WHARF_INSTANCE; while true; do echo tick; sleep 0.1; done"]
    cluster.create_app(spec)
    cluster.wait_release("web", cluster.deploy("web")["revision"])
    inst = cluster.wait_ready("web", 1)[0]
    s = cluster.server
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=20)
    conn.request("GET", cluster.base("web") + f"/logs?follow=1&instance={inst['name']}",
                 headers={"Authorization": f"Bearer {s.token}"})
    resp = conn.getresponse()
    assert resp.status == 200
    received = []

    def reader():
        try:
            for line in resp:
                received.append(line.decode())
        except (OSError, AttributeError, ValueError):
            pass  # the test closed the connection under the reader: the stream is over

    follower = threading.Thread(target=reader, daemon=True)
    follower.start()
    wait_until(lambda: any("tick" in l for l in received), timeout=10, message="the first lines")
    os.kill(cluster.init_pid(inst["name"]), signal.SIGKILL)
    wait_until(lambda: sum("started" in l for l in received) >= 2, timeout=20,
               message="the restarted instance's output in the same stream")
    assert received[0].startswith(f"started {inst['name']}")
    conn.close()
    follower.join(timeout=5)

    r = s.request("GET", cluster.base("web") + "/logs?tail=3&timestamps=1")
    lines = r.text.splitlines()
    assert len(lines) == 3 and all(l.startswith(f"[{inst['name']}] 20") for l in lines), lines


@pytest.mark.parametrize("case", ["bad reference", "unknown tag", "wrong digest"])
def test_bad_images_fail_the_release_with_a_reason(cluster, module_registry, images, case):  # noqa: F811
    host = module_registry.host
    image = {"bad reference": f"{host}/demo/web:bad tag!",
             "unknown tag": f"{host}/demo/web:nope",
             "wrong digest": f"{host}/demo/web@sha256:" + "0" * 64}[case]
    cluster.create_app(web_spec(images["v1"], replicas=1))
    cluster.wait_release("web", cluster.deploy("web")["revision"])
    r = cluster.server.request("POST", cluster.base("web") + "/deploy", {"image": image})
    if r.status == 400:  # the API may refuse a malformed reference itself
        assert case == "bad reference", r
        return
    assert r.status == 202, r
    failed = cluster.wait_release("web", r.json()["revision"], status="failed", timeout=30)
    assert failed["reason"], failed
    print(f"\n{case}: {failed['reason']}")
    cluster.wait_ready("web", 1, page="v1\n")


# Publishes the config files and variables where httpd serves them, then serves.
CONFIG_CMD = ("cat /etc/wharf/config/app.properties > /www/cfg.txt; "
              "cat /etc/wharf/config/big.txt > /www/big.txt; "
              "echo \"$GREETING $MODE $TOKEN\" > /www/env.txt; "
              "if echo x > /etc/wharf/config/x 2>/dev/null; then echo rw; else echo ro; fi > /www/mount.txt; "
              "exec httpd -f -p 8080 -h /www")


def big_file():
    text = "".join(chr(ord("a") + (i * 7919) % 26) for i in range(1536 * 1024))
    return "# generated\n" + "\n".join(text[i:i + 100] for i in range(0, len(text), 100)) + "\n"


def test_config_is_delivered_rolled_out_and_rolled_back_with_the_release(cluster, images):
    big = big_file()
    assert len(big) > 1024 * 1024
    cfg = cluster.base("web") + "/config"
    configs = cluster.data_dir / "runtime" / "configs"

    def publish(greeting, properties):
        cluster.server.ok("PUT", cfg + "/draft", {"items": [
            {"key": "app.properties", "value": properties, "type": "properties"},
            {"key": "big.txt", "value": big, "type": "text"},
            {"key": "GREETING", "value": greeting},
            {"key": "MODE", "value": "from-config"},
            {"key": "TOKEN", "value": "s3cret-" + greeting, "secret": True}]})
        return cluster.server.ok("POST", cfg + "/publish", {"message": greeting}, 201)["version"]

    def seen(instances):
        out = set()
        for i in instances:
            base = f"http://{i['address']}"
            body = http_get(base + "/big.txt", timeout=5)
            out.add((http_get(base + "/"), http_get(base + "/cfg.txt"), http_get(base + "/env.txt"),
                     http_get(base + "/mount.txt"),
                     hashlib.sha256(body.encode()).hexdigest() if body is not None else None))
        return out

    big_sha = hashlib.sha256(big.encode()).hexdigest()
    # The app's own env wins over config; config wins over the image's env.
    cluster.create_app(web_spec(images["v1"], replicas=2, command=["sh", "-c", CONFIG_CMD],
                                env={"MODE": "from-app"}))
    assert publish("one", "greeting=hello\nversion=1\n") == 1
    first = cluster.deploy("web")
    assert first["configVersion"] == 1
    cluster.wait_release("web", first["revision"])
    v1 = cluster.wait_ready("web", 2, page="v1\n")
    assert seen(v1) == {("v1\n", "greeting=hello\nversion=1\n", "one from-app s3cret-one\n", "ro\n", big_sha)}
    assert (configs / "shop_web_dev_1" / "files" / "big.txt").read_text() == big

    # A new config version (and image) replaces every instance.
    assert publish("two", "greeting=hi\nversion=2\n") == 2
    second = cluster.deploy("web", image=images["v2"])
    assert second["configVersion"] == 2
    cluster.wait_release("web", second["revision"])
    v2 = cluster.wait_ready("web", 2, page="v2\n")
    assert not {i["name"] for i in v1} & {i["name"] for i in v2}
    assert seen(v2) == {("v2\n", "greeting=hi\nversion=2\n", "two from-app s3cret-two\n", "ro\n", big_sha)}
    # The first version's directory goes once no instance uses it.
    wait_until(lambda: not (configs / "shop_web_dev_1").exists(), timeout=20,
               message="the unused config version 1 to be deleted")

    # A config change alone (same image) also rolls the instances.
    assert publish("three", "greeting=hey\nversion=3\n") == 3
    third = cluster.deploy("web", image=images["v2"])
    assert third["configVersion"] == 3
    cluster.wait_release("web", third["revision"])
    v3 = cluster.wait_ready("web", 2, page="v2\n")
    assert not {i["name"] for i in v2} & {i["name"] for i in v3}
    assert seen(v3) == {("v2\n", "greeting=hey\nversion=3\n", "three from-app s3cret-three\n", "ro\n", big_sha)}

    # Rolling back to the first release brings back its image and its config together.
    back = cluster.action("web", "rollback", {"toRevision": first["revision"]})
    assert back["configVersion"] == 1 and back["image"] == images["v1"]
    cluster.wait_release("web", back["revision"])
    again = cluster.wait_ready("web", 2, page="v1\n")
    assert seen(again) == {("v1\n", "greeting=hello\nversion=1\n", "one from-app s3cret-one\n", "ro\n", big_sha)}
    wait_until(lambda: sorted(p.name for p in configs.iterdir()) == ["shop_web_dev_1"], timeout=20,
               message="only the config version in use to be kept")
    # Secrets are in plaintext on disk only where root alone can reach them.
    assert configs.stat().st_mode & 0o777 == 0o700
    assert (configs / "shop_web_dev_1").stat().st_mode & 0o777 == 0o700


def test_publish_with_restart_rolls_instances_and_config_clients_follow_rollbacks(cluster, images):
    """apply=restart rolls the running instances onto a new config version; the live version that Apollo clients
    and the config long poll see follows the releases, so a rollback takes them back too."""
    cfg = cluster.base("web") + "/config"
    server = cluster.server

    def draft(greeting):
        server.ok("PUT", cfg + "/draft", {"items": [{"key": "GREETING", "value": greeting},
                                                    {"key": "app.properties", "value": f"greeting={greeting}\n",
                                                     "type": "properties"},
                                                    {"key": "big.txt", "value": "x\n", "type": "text"}]})

    # The files appear where the app asks for them.
    cluster.create_app(web_spec(images["v1"], replicas=2, configPath="/srv/cfg",
                                command=["sh", "-c", CONFIG_CMD.replace("/etc/wharf/config", "/srv/cfg")]))
    draft("one")
    assert server.ok("POST", cfg + "/publish", {"message": "one"}, 201)["version"] == 1
    first = cluster.deploy("web")
    cluster.wait_release("web", first["revision"])
    before = cluster.wait_ready("web", 2, page="v1\n")

    key = server.ok("POST", cfg + "/access-keys", None, 201)["secret"]
    apollo = ApolloClient(server.port, f"/apollo/{cluster.project}/{cluster.env}", "web", key)
    status, text = apollo.configs("application")
    assert status == 200 and json.loads(text)["configurations"] == {"GREETING": "one"}

    # Publishing with apply=restart creates a release onto the new version; the waiting Apollo poll is answered.
    waiting = {}
    poller = threading.Thread(target=lambda: waiting.update(r=apollo.notifications({"application": 1}, timeout=90)))
    poller.start()
    wait_until(lambda: "wharf_config_long_polls 1" in server.ok("GET", "/metrics"), timeout=5,
               message="the Apollo long poll to wait")
    draft("two")
    published = server.ok("POST", cfg + "/publish", {"message": "two", "apply": "restart"}, 201)
    assert published["version"] == 2 and published["release"]["configVersion"] == 2
    assert published["release"]["image"] == images["v1"]
    poller.join(timeout=30)
    status, text = waiting["r"]
    assert status == 200 and json.loads(text)[0]["notificationId"] == 2
    cluster.wait_release("web", published["release"]["revision"])
    after = cluster.wait_ready("web", 2, page="v1\n")
    assert not {i["name"] for i in before} & {i["name"] for i in after}  # every instance was replaced
    assert {http_get(f"http://{i['address']}/env.txt") for i in after} == {"two  \n"}
    assert {http_get(f"http://{i['address']}/cfg.txt") for i in after} == {"greeting=two\n"}
    assert json.loads(apollo.configs("application")[1])["configurations"] == {"GREETING": "two"}

    # Rolling back to the first release takes the config clients back to version 1 as well.
    back = cluster.action("web", "rollback", {"toRevision": first["revision"]})
    assert back["configVersion"] == 1
    assert server.ok("GET", cfg + "/live")["version"] == 1
    assert json.loads(apollo.configs("application")[1])["configurations"] == {"GREETING": "one"}
    assert apollo.notifications({"application": 2})[0] == 200
    cluster.wait_release("web", back["revision"])
    again = cluster.wait_ready("web", 2, page="v1\n")
    assert {http_get(f"http://{i['address']}/env.txt") for i in again} == {"one  \n"}

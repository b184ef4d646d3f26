#!/usr/bin/env python3
"""k8s_rollout: how fast Wharf's Kubernetes driver rolls out on the real control plane of test/k8s.

1. Time from the deploy API call to the Deployment being available (updated == available == replicas) on
   kwok nodes, against the same Deployment applied directly to the API server (server-side apply) and
   waited for the same way: the difference is Wharf's own overhead (controller pass, driver, watches).
2. 200 apps (1 replica each) deployed at once: time until every release succeeded, the server's RSS and
   CPU time over that run.

Usage: bench/k8s_rollout.py --wharf build/wharf [--apps 200] [--runs 5]
Starts a control plane (or reuses WHARF_K8S_DIR) and a wharf server; stops both by PID."""
import argparse
import json
import os
import pathlib
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "integration"))
sys.path.insert(0, str(ROOT / "test" / "k8s"))
from conftest import Server, wait_until  # noqa: E402
from test_kubernetes_driver import inline_kubeconfig, read_env  # noqa: E402

POLL = 0.05  # seconds between status reads in both measurements


class Api:
    """The API server with the admin token, straight (the baseline)."""

    def __init__(self, env):
        self.url = env["APISERVER_URL"]
        self.token = env["ADMIN_TOKEN"]
        self.ctx = ssl.create_default_context(cafile=env["APISERVER_CA"])

    def call(self, method, path, body=None, content_type="application/json"):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, None

    def apply(self, path, obj):
        status, body = self.call("PATCH", path + "?fieldManager=bench&force=true", obj,
                                 "application/apply-patch+yaml")
        assert status in (200, 201), (status, body)

    def available(self, ns, name, replicas, image):
        """The Deployment runs `image` and every replica of it is updated and available (one read)."""
        status, d = self.call("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}")
        if status != 200 or d["spec"]["template"]["spec"]["containers"][0]["image"] != image:
            return False
        s = d.get("status", {})
        return (d["metadata"].get("generation") == s.get("observedGeneration") and
                s.get("updatedReplicas") == replicas and s.get("availableReplicas") == replicas and
                s.get("replicas") == replicas)


def proc_stat(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    rss = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in status.splitlines())
           if k in ("VmRSS", "VmHWM")}
    return cpu, rss["VmRSS"], rss["VmHWM"]


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def direct_rollout(api, ns, name, image, replicas):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
         "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"containers": [{"name": name, "image": image}]}}}}
    t0 = time.monotonic()
    api.apply(f"/apis/apps/v1/namespaces/{ns}/deployments/{name}", d)
    wait_until(lambda: api.available(ns, name, replicas, image), timeout=300, interval=POLL, message="direct rollout")
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wharf", default=str(ROOT / "build" / "wharf"))
    ap.add_argument("--apps", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--replicas", type=int, default=3)
    o = ap.parse_args()

    plane_dir, owned = os.environ.get("WHARF_K8S_DIR"), False
    if not plane_dir:
        subprocess.run([str(ROOT / "test/k8s/build-control-plane.sh")], check=True)
        plane_dir, owned = tempfile.mkdtemp(prefix="wharf-k8s-bench-"), True
        t0 = time.monotonic()
        subprocess.run([str(ROOT / "test/k8s/start-control-plane.sh"), plane_dir], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"control plane start: {time.monotonic() - t0:.1f} s")
    env = read_env(pathlib.Path(plane_dir) / "env")
    api = Api(env)
    data = pathlib.Path(tempfile.mkdtemp(prefix="wharf-bench-"))
    os.environ["WHARF_BIN"] = o.wharf
    import conftest
    conftest.WHARF_BIN = o.wharf
    server = Server(data / "data").start()
    try:
        kubeconfig = inline_kubeconfig(env, pathlib.Path(plane_dir) / "kubeconfig")
        server.ok("POST", "/api/v1/clusters", {"name": "k1", "type": "kubernetes", "kubeconfig": kubeconfig}, 201)
        server.ok("POST", "/api/v1/projects", {"name": "bench"}, 201)
        server.ok("POST", "/api/v1/projects/bench/environments", {"name": "one", "clusters": ["k1"]}, 201)
        server.ok("POST", "/api/v1/projects/bench/environments", {"name": "many", "clusters": ["k1"]}, 201)
        api.apply("/api/v1/namespaces/bench-direct",
                  {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench-direct"}})

        # 1. one app, several rollouts (each a new image), against the same change applied directly
        server.ok("POST", "/api/v1/projects/bench/apps",
                  {"name": "roll", "image": "registry.invalid/bench/roll:0", "replicas": o.replicas}, 201)
        base = "/api/v1/projects/bench/apps/roll/environments/one"
        wharf_times, release_times, direct_times = [], [], []
        for run in range(o.runs):
            image = f"registry.invalid/bench/roll:{run + 1}"
            t0 = time.monotonic()
            rel = server.ok("POST", f"{base}/deploy", {"image": image}, 202)
            wait_until(lambda: api.available("bench-one", "roll", o.replicas, image), timeout=300, interval=POLL,
                       message="Wharf rollout")
            wharf_times.append(time.monotonic() - t0)
            wait_until(lambda: server.ok("GET", f"{base}/releases/{rel['revision']}")["status"] == "succeeded",
                       timeout=300, interval=POLL, message="release succeeded")
            release_times.append(time.monotonic() - t0)
            direct_times.append(direct_rollout(api, "bench-direct", "roll", image, o.replicas))
        w, r, d = median(wharf_times), median(release_times), median(direct_times)
        print(f"rollout of {o.replicas} replicas, median of {o.runs}:")
        print(f"  deploy API call -> Deployment available (via Wharf): {w * 1000:.0f} ms "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in wharf_times)})")
        print(f"  deploy API call -> release succeeded in Wharf:      {r * 1000:.0f} ms")
        print(f"  same Deployment applied directly -> available:      {d * 1000:.0f} ms "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in direct_times)})")
        print(f"  Wharf's overhead: {(w - d) * 1000:.0f} ms to available, {(r - d) * 1000:.0f} ms to succeeded")

        # 2. many apps at once
        cpu0, rss0, _ = proc_stat(server.proc.pid)
        for i in range(o.apps):
            server.ok("POST", "/api/v1/projects/bench/apps",
                      {"name": f"a{i}", "image": "registry.invalid/bench/many:1", "replicas": 1}, 201)
        t0 = time.monotonic()
        for i in range(o.apps):
            server.ok("POST", f"/api/v1/projects/bench/apps/a{i}/environments/many/deploy", {}, 202)
        posted = time.monotonic() - t0

        slowest = [0.0]  # the API's slowest answer while the controller works through the apps

        def all_done():
            done = 0
            for i in range(o.apps):
                t = time.monotonic()
                r = server.request("GET", f"/api/v1/projects/bench/apps/a{i}/environments/many/releases?limit=1",
                                   timeout=120)
                slowest[0] = max(slowest[0], time.monotonic() - t)
                assert r.status == 200, r
                done += r.json()["items"][0]["status"] == "succeeded"
            return done == o.apps
        wait_until(all_done, timeout=900, interval=0.5, message=f"{o.apps} releases to succeed")
        elapsed = time.monotonic() - t0
        cpu1, rss1, hwm = proc_stat(server.proc.pid)
        # A steady state: every app reconciled again on resync passes, nothing to write.
        time.sleep(35)  # one resync interval (30 s): measuring its cost, not waiting for a condition
        cpu2, rss2, _ = proc_stat(server.proc.pid)
        print(f"{o.apps} apps deployed at once (1 replica each):")
        print(f"  {o.apps} deploy calls: {posted:.1f} s; all releases succeeded after {elapsed:.1f} s; slowest "
              f"release GET meanwhile {slowest[0] * 1000:.0f} ms")
        print(f"  server CPU during the rollout: {cpu1 - cpu0:.1f} s; RSS {rss0 / 1024:.0f} -> {rss1 / 1024:.0f} MiB "
              f"(peak {hwm / 1024:.0f} MiB)")
        print(f"  steady state with {o.apps} apps: {cpu2 - cpu1:.2f} s CPU in 35 s (incl. one resync); "
              f"RSS {rss2 / 1024:.0f} MiB")
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
        if owned:
            subprocess.run([str(ROOT / "test/k8s/stop-control-plane.sh"), plane_dir], check=False)
            shutil.rmtree(plane_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

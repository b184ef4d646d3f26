#!/usr/bin/env python3
"""bench/rollout: how fast the local runtime rolls back, and how fast it starts one instance.

Starts a real docker-registry with two busybox httpd images (demo v1 and v2) and a real `wharf server` on a
fresh data dir, then measures, median of N runs (default 10):

  rollback   3 replicas on v2 -> POST .../rollback -> every instance the API lists is ready and answers v1
             (time from the request to that; the rollout runs with maxSurge 3 so it is not serialised)
  start      scale 0 -> 1 -> the instance is ready and answers (includes runc create/start, the network and
             the first readiness probe; the image is already stored)

and prints the resident memory of the server and of each shim. Needs root, runc, the CNI plugins, iptables
and docker-registry, like test/integration/test_local_driver.py, whose helpers it reuses.

Usage: bench/rollout.py [--wharf build/wharf] [--runs 10]"""
import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "integration"))


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wharf", default=str(ROOT / "build" / "wharf"))
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    os.environ["WHARF_BIN"] = args.wharf
    os.environ.setdefault("WHARF_STOP_GRACE_MS", "1000")
    import conftest  # noqa: E402  (reads WHARF_BIN)
    from oci_registry import Registry
    from test_local_driver import Cluster, http_get, web_spec

    with tempfile.TemporaryDirectory(prefix="wharf-bench-rollout-") as tmp:
        reg = Registry(pathlib.Path(tmp) / "registry")
        cluster = None
        try:
            v1 = reg.busybox_image("demo/web", "v1", page="v1\n").ref
            v2 = reg.busybox_image("demo/web", "v2", page="v2\n").ref
            cluster = Cluster(pathlib.Path(tmp) / "data").start()
            cluster.setup_project()
            spec = web_spec(v1, replicas=3)
            spec["strategy"] = {"maxSurge": 3, "maxUnavailable": 0, "progressDeadlineSeconds": 120}
            cluster.create_app(spec)
            cluster.wait_release("web", cluster.deploy("web")["revision"])
            cluster.wait_ready("web", 3, page="v1\n")

            rollbacks = []
            for i in range(args.runs):
                cluster.wait_release("web", cluster.deploy("web", image=v2)["revision"])
                cluster.wait_ready("web", 3, page="v2\n")
                t0 = time.monotonic()
                back = cluster.action("web", "rollback")
                cluster.wait_ready("web", 3, page="v1\n", timeout=60)
                rollbacks.append(time.monotonic() - t0)
                cluster.wait_release("web", back["revision"])

            shims = [int((d / "shim.pid").read_text()) for d in cluster.instance_dirs()]
            server_rss = rss_kib(cluster.server.proc.pid)
            shim_rss = [rss_kib(p) for p in shims]

            starts = []
            for i in range(args.runs):
                cluster.wait_release("web", cluster.action("web", "scale", {"replicas": 0})["revision"])
                conftest.wait_until(lambda: not cluster.instances("web"), timeout=30)
                t0 = time.monotonic()
                cluster.action("web", "scale", {"replicas": 1})
                inst = cluster.wait_ready("web", 1, timeout=60)[0]
                assert http_get(f"http://{inst['address']}/") is not None
                starts.append(time.monotonic() - t0)

            def fmt(xs):
                return (f"median {statistics.median(xs) * 1000:.0f} ms (min {min(xs) * 1000:.0f}, "
                        f"max {max(xs) * 1000:.0f}, n={len(xs)})")
            print(f"rollback, 3 replicas, request -> all ready on the old version: {fmt(rollbacks)}")
            print(f"single instance start, request -> ready and answering:       {fmt(starts)}")
            print(f"server RSS {server_rss / 1024:.1f} MiB; shim RSS "
                  f"{', '.join(f'{r / 1024:.1f}' for r in shim_rss)} MiB")
        finally:
            if cluster:
                errors = cluster.cleanup()
                if errors:
                    print("cleanup:", errors, file=sys.stderr)
            reg.stop()


if __name__ == "__main__":
    main()

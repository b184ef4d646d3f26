"""The local runtime's foundation against real runc, real CNI plugins and real cgroups: an OCI bundle written
by Wharf, a busybox-static container on the wharf0 bridge, OOM detection, exec, and clean teardown."""
import os
import pathlib
import statistics
import urllib.request

import pytest

from local_fixtures import Probe, make_rootfs, missing_requirement, wait_until

_missing = missing_requirement()
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"local runtime: {_missing}")

CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory):
    return make_rootfs(tmp_path_factory.mktemp("image") / "rootfs")


@pytest.fixture
def probe(tmp_path, rootfs):
    p = Probe(tmp_path / "state", rootfs)
    yield p
    errors = p.cleanup()
    assert not errors, errors


def unique(prefix):
    # Names are container ids, hostnames, netns and cgroup names: unique per test run.
    return f"{prefix}-{os.getpid()}"


def alive(pid):
    """Whether pid runs (a zombie waiting for its reaper does not count)."""
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.read().decode()
    except OSError:
        return None


def test_container_serves_http_on_its_cni_address(probe):
    out = probe.run(unique("web"), ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"], memory="64Mi", cpu="250m")
    assert out["status"] == "running"
    assert out["ip"].startswith("10.213."), out
    body = wait_until(lambda: http_get(f"http://{out['ip']}:8080/"), timeout=10, message="httpd to answer")
    assert body == "hello from wharf\n"


def test_memory_limit_breach_is_an_oom_kill(probe):
    name = unique("oom")
    # The string doubles until the shell needs far more than 16Mi: the kernel's OOM killer ends it.
    probe.run(name, ["/bin/sh", "-c", "x=0123456789abcdef; while true; do x=$x$x; done"], memory="16Mi")
    state = wait_until(lambda: (s := probe.state_of(name))["status"] == "stopped" and s, timeout=20,
                       message="the container to be killed")
    assert state.get("oom_kills", 0) >= 1, f"container stopped but no OOM kill recorded in its cgroup: {state}"


def test_exec_returns_output_and_exit_code(probe):
    name = unique("exec")
    probe.run(name, ["/bin/sleep", "3600"])
    r = probe.exec(name, ["/bin/sh", "-c", "echo out; echo err >&2; echo $WHARF_INSTANCE; exit 7"])
    assert r == {"exit_code": 7, "out": f"out\n{name}\n", "err": "err\n", "timed_out": False}
    r = probe.exec(name, ["/bin/sleep", "30"], timeout_ms=300)
    assert r["timed_out"] is True
    # The timed-out process was killed inside the container, not left running (it stays a zombie: the
    # container's init, sleep, does not reap).
    stats = probe.exec(name, ["/bin/sh", "-c", "cat /proc/[0-9]*/stat"])["out"].splitlines()
    running_sleeps = [s for s in stats if "(sleep)" in s and s.split()[2] != "Z"]
    assert len(running_sleeps) == 1 and running_sleeps[0].startswith("1 "), stats


def test_stop_leaves_nothing_behind(probe):
    name = unique("gone")
    out = probe.run(name, ["/bin/sleep", "3600"], memory="32Mi")
    netns = pathlib.Path(out["netns"])
    lease = probe.state / "cni" / "ipam" / "wharf" / out["ip"]
    assert netns.exists() and lease.exists()
    assert any((d / "wharf" / name).is_dir() for d in CGROUP_ROOT.iterdir())

    assert probe.stop(name) == {"ok": True}
    assert probe.stop(name) == {"ok": True}  # idempotent
    probe.started.pop(name)
    assert not netns.exists()
    assert not lease.exists(), "the IP lease was not released"
    assert not list((probe.state / "cni" / "results").glob(f"*{name}*"))
    assert not list((probe.state / "runc").glob(name)), "runc state left behind"
    leftovers = [str(d / "wharf" / name) for d in CGROUP_ROOT.iterdir() if (d / "wharf" / name).is_dir()]
    assert not leftovers, leftovers
    # runc delete --force kills init; whoever reaps it (the reaper of this machine) may take a moment.
    wait_until(lambda: not alive(out["pid"]), timeout=5, message="the container's init to be gone")


def test_start_latency_median_of_ten(probe, capsys):
    out = probe.call("bench", "--rootfs", str(probe.rootfs), "--count", "10", "--", "/bin/sleep", "3600",
                     timeout=120)
    samples = out["samples_ms"]
    assert len(samples) == 10
    with capsys.disabled():
        print(f"\nrunc create+start, median of 10: {statistics.median(samples):.1f} ms "
              f"(min {min(samples):.1f}, max {max(samples):.1f})")

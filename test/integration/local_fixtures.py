"""Helpers for the local runtime tests: a busybox-static rootfs, and the wharf-runtime-probe tool driving
real runc and real CNI plugins. Every container is torn down by name (and its pid killed) even on failure."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROBE_BIN = os.environ.get("WHARF_RUNTIME_PROBE", str(ROOT / "build" / "test" / "wharf-runtime-probe"))
CNI_DIR = pathlib.Path("/usr/lib/cni")
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
APPLETS = ["sh", "httpd", "sleep", "cat", "echo", "wget", "ls", "dd", "head"]


def missing_requirement():
    """Why the machine cannot run these tests, or None."""
    if os.geteuid() != 0:
        return "needs root (runc, network namespaces, cgroups)"
    if not shutil.which("runc"):
        return "runc is not installed (apt-get install runc)"
    for plugin in ("bridge", "host-local", "loopback", "portmap"):
        if not (CNI_DIR / plugin).exists():
            return f"CNI plugin {CNI_DIR / plugin} missing (apt-get install containernetworking-plugins)"
    if not shutil.which("iptables"):
        return "iptables is not installed: the bridge plugin's ipMasq needs it (apt-get install iptables)"
    if not pathlib.Path(BUSYBOX).exists():
        return "busybox-static is not installed"
    if not pathlib.Path(PROBE_BIN).exists():
        return f"{PROBE_BIN} not built (target wharf-runtime-probe; or set WHARF_RUNTIME_PROBE)"
    return None


def make_rootfs(path, page="hello from wharf\n"):
    """A minimal image root: /bin/busybox with applet symlinks, and /www/index.html."""
    path = pathlib.Path(path)
    (path / "bin").mkdir(parents=True)
    shutil.copy2(BUSYBOX, path / "bin" / "busybox")
    for applet in APPLETS:
        (path / "bin" / applet).symlink_to("busybox")
    for d in ("proc", "sys", "dev", "tmp", "www", "etc"):
        (path / d).mkdir(exist_ok=True)
    (path / "www" / "index.html").write_text(page)
    (path / "etc" / "passwd").write_text("root:x:0:0:root:/:/bin/sh\n")
    return path


class Probe:
    """Runs wharf-runtime-probe verbs against one state directory; remembers what it started."""

    def __init__(self, state_dir, rootfs):
        self.state = pathlib.Path(state_dir)
        self.rootfs = pathlib.Path(rootfs)
        self.started = {}  # name -> pid
        self.netns_dir = "/run/wharf/netns"

    def call(self, verb, *args, timeout=60, check=True):
        proc = subprocess.run([PROBE_BIN, verb, "--state", str(self.state), *args], capture_output=True,
                              text=True, timeout=timeout)
        out = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
        if check and proc.returncode != 0:
            raise AssertionError(f"probe {verb} failed: {out.get('error', proc.stdout)} {proc.stderr}")
        return out

    def run(self, name, command, memory=None, cpu=None):
        args = ["--name", name, "--rootfs", str(self.rootfs)]
        if memory:
            args += ["--memory", memory]
        if cpu:
            args += ["--cpu", cpu]
        self.started[name] = None
        out = self.call("run", *args, "--", *command)
        self.started[name] = out["pid"]
        return out

    def state_of(self, name):
        return self.call("state", "--name", name)

    def exec(self, name, command, timeout_ms=10000):
        return self.call("exec", "--name", name, "--timeout-ms", str(timeout_ms), "--", *command)

    def stop(self, name):
        return self.call("stop", "--name", name)

    def cleanup(self):
        """Stops everything this probe started; kills a leftover init by pid if stop could not."""
        errors = []
        for name, pid in self.started.items():
            out = self.call("stop", "--name", name, check=False)
            if "error" in out:
                errors.append(f"{name}: {out['error']}")
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.started.clear()
        return errors


def wait_until(predicate, timeout=10.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")

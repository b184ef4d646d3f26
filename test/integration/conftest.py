"""Starts the real `wharf server` for integration tests: 127.0.0.1, a port the server picks, a data dir of
the test's own; stops it by PID. Requests use only the standard library."""
import http.client
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import pytest

WHARF_BIN = os.environ.get("WHARF_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "wharf"))
START_DEADLINE = 15.0


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)

    @property
    def error(self):
        return self.json()["error"]

    def __repr__(self):
        return f"<{self.status} {self.text[:300]}>"


class Server:
    def __init__(self, data_dir, extra_args=()):
        self.data_dir = pathlib.Path(data_dir)
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.log_path = self.data_dir.parent / (self.data_dir.name + ".log")

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [WHARF_BIN, "server", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:0", *self.extra_args],
            stdout=subprocess.PIPE, stderr=log)
        deadline = time.monotonic() + START_DEADLINE
        line = b""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise RuntimeError(f"wharf server did not start: {line!r}; log: {self.log_path.read_text()[-2000:]}")
        self.token = (self.data_dir / "admin-token").read_text().strip()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, token="admin", headers=None, raw=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if token == "admin":
            token = self.token
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        finally:
            conn.close()

    # Shorthands that assert the expected status and return the parsed body.
    def ok(self, method, path, body=None, status=200):
        r = self.request(method, path, body)
        assert r.status == status, r
        return r.json() if r.text and r.headers.get("Content-Type", "").startswith("application/json") else r.text

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=5)
        self.proc.stdout.close()
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "data").start()
    yield s
    s.stop()


@pytest.fixture
def start_server(tmp_path):
    """Factory for tests that restart the server on the same data dir."""
    started = []

    def start(data_dir=None, extra_args=()):
        s = Server(data_dir or tmp_path / "data", extra_args).start()
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def wait_until(predicate, timeout=10.0, interval=0.02, message="condition"):
    """Polls `predicate` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)

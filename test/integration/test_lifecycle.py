"""Start-up, restart and graceful shutdown of the real server process."""
import http.client
import signal
import threading
import time

from conftest import wait_until


def test_first_start_creates_admin_token_and_restart_keeps_it(start_server, tmp_path):
    s = start_server()
    token = s.token
    s.ok("POST", "/api/v1/projects", {"name": "keep"}, 201)
    assert s.stop() == 0
    s2 = start_server(s.data_dir)
    assert s2.token == token
    assert s2.ok("GET", "/api/v1/projects/keep")["name"] == "keep"


def test_lost_token_file_is_recreated(start_server):
    s = start_server()
    old = s.token
    s.stop()
    (s.data_dir / "admin-token").unlink()
    s2 = start_server(s.data_dir)
    assert s2.token != old
    assert s2.request("GET", "/api/v1/projects").status == 200


def test_sigterm_finishes_in_flight_requests_and_ends_watches(start_server):
    s = start_server()
    s.ok("POST", "/api/v1/projects", {"name": "p"}, 201)

    # An open watch stream must end cleanly when the server drains.
    watch_done = threading.Event()

    def watch():
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=20)
        conn.request("GET", "/api/v1/watch", headers={"Authorization": f"Bearer {s.token}"})
        resp = conn.getresponse()
        resp.read()  # returns when the server ends the chunked stream
        watch_done.set()

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    wait_until(lambda: "wharf_watch_subscribers 1" in s.request("GET", "/metrics", token=None).text,
               message="watch subscribed")
    # An idle keep-alive connection must not hold shutdown up.
    idle = http.client.HTTPConnection("127.0.0.1", s.port, timeout=20)
    idle.request("GET", "/healthz")
    idle.getresponse().read()

    started = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    code = s.proc.wait(timeout=15)
    assert code == 0
    assert time.monotonic() - started < 5, "drain should not wait for idle connections or the grace period"
    assert watch_done.wait(5)
    idle.close()
    s.proc = None
    assert "stopped" in s.log_path.read_text()


def test_server_refuses_a_bad_listen_address(tmp_path):
    import subprocess
    from conftest import WHARF_BIN
    r = subprocess.run([WHARF_BIN, "server", "--data-dir", str(tmp_path / "d"), "--listen", "nowhere"],
                       capture_output=True, timeout=10)
    assert r.returncode == 2 and b"HOST:PORT" in r.stderr


def test_second_server_on_the_same_data_dir_is_refused(start_server):
    import subprocess
    from conftest import WHARF_BIN
    s = start_server()
    r = subprocess.run([WHARF_BIN, "server", "--data-dir", str(s.data_dir), "--listen", "127.0.0.1:0"],
                       capture_output=True, timeout=10)
    assert r.returncode == 1 and b"another wharf server" in r.stderr
    assert s.request("GET", "/healthz", token=None).status == 200

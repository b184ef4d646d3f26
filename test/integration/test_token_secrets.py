"""API token secrets are shown once, in the response that creates them, and nowhere after: not in the server's
output or log, not in any later API response (lists, audit, errors), not in the store's files."""
import re
import signal

from conftest import wait_until


def fill(path):
    return re.sub(r"\{[A-Za-z]+\}", lambda m: {"{project}": "shop", "{env}": "dev", "{app}": "web",
                                                 "{revision}": "1", "{user}": "carol"}.get(m.group(0), "x"), path)


def test_token_secrets_never_appear_after_creation(server):
    server.ok("POST", "/api/v1/projects", {"name": "shop"}, 201)
    server.ok("POST", "/api/v1/projects/shop/environments", {"name": "dev", "clusters": ["local"]}, 201)
    server.ok("POST", "/api/v1/users", {"name": "carol"}, 201)
    server.ok("POST", "/api/v1/projects/shop/members", {"subject": "carol", "role": "viewer"}, 201)
    issued = server.ok("POST", "/api/v1/users/carol/tokens", {"name": "ci", "expiresAt": "2099-01-01T00:00:00Z"}, 201)
    first = issued["token"]
    r = server.request("POST", "/api/v1/me/tokens", {"name": "laptop"}, token=first)
    assert r.status == 201, r
    second = r.json()["token"]
    secrets = [first, second]
    assert first != second and len(first) >= 20

    # Use them: successes, refusals, hidden projects, bad requests, a token pasted into a query string, a
    # mangled token in the header.
    calls = [
        ("GET", "/api/v1/me", None, first, 200),
        ("GET", "/api/v1/projects", None, first, 200),
        ("GET", "/api/v1/projects/shop/members", None, second, 200),
        ("POST", "/api/v1/projects", {"name": "mine"}, first, 403),
        ("GET", "/api/v1/users", None, second, 403),
        ("GET", "/api/v1/projects/other", None, first, 404),
        ("POST", "/api/v1/projects/shop/environments", {"name": "x"}, second, 403),
        ("POST", "/api/v1/me/tokens", {"name": ""}, first, 400),
        ("POST", "/api/v1/me/tokens", "not json", first, 400),
        ("GET", f"/api/v1/projects?token={first}", None, first, 200),
        ("GET", "/api/v1/projects", None, first + "x", 401),
        ("GET", "/api/v1/projects", None, first[:-2], 401),
    ]
    for method, path, body, token, status in calls:
        r = server.request(method, path, body if isinstance(body, dict) else None, token=token,
                           raw=body.encode() if isinstance(body, str) else None)
        assert r.status == status, (method, path, r)
        for secret in secrets:
            assert secret not in r.text, (method, path)
    r = server.request("GET", "/api/v1/projects", token=None, headers={"Authorization": f"Basic {first}"})
    assert r.status == 401 and first not in r.text

    # Every later answer that lists something: the whole route table's parameterless and project GETs, as the
    # administrator (who sees most) and as the token's owner.
    doc = server.ok("GET", "/api/v1/openapi.json")
    read = 0
    for path, ops in doc["paths"].items():
        if "get" not in ops or path.endswith(("/logs", "/watch")):
            continue
        for token in ("admin", first):
            r = server.request("GET", fill(path), token=token)
            for secret in secrets:
                assert secret not in r.text, (path, token == "admin")
            read += 1
    assert read > 30
    audit = server.ok("GET", "/api/v1/audit?limit=1000")
    assert any(a["actor"] == "carol" for a in audit["items"])
    for secret in secrets:
        assert secret not in str(audit)

    # Nor in what the server printed or wrote, nor in the store (only hashes are kept).
    wait_until(lambda: "GET /api/v1/me 200" in server.log_path.read_text(), message="access log line")
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=15)
    out = server.proc.stdout.read().decode("utf-8", "replace")
    log = server.log_path.read_text()
    assert "GET /api/v1/projects 401" in log
    stored = b"".join(p.read_bytes() for p in server.data_dir.rglob("*") if p.is_file())
    for secret in secrets:
        assert secret not in out and secret not in log
        assert secret.encode() not in stored

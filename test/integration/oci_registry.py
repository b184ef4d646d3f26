"""A real Docker Distribution registry (Debian's `docker-registry` 2.8) for the integration tests: filesystem
storage in the test's directory, 127.0.0.1 on a free port, optionally behind basic auth (htpasswd) or the
Docker token protocol (a small token server here, signing RS256 JWTs with a certificate the registry trusts).
Images are built offline with tools/oci_image.py; stop() kills what was started, by PID.

    reg = Registry(tmp_path, auth=None | "basic" | "token")
    pushed = reg.push_image("shop/web", "1", layers=[Layer.from_files({...})], config={"Cmd": [...]})
    pushed.ref, pushed.digest     # "127.0.0.1:PORT/shop/web:1", "sha256:..."
    reg.busybox_image("demo/web", "v1", page="v1\n")
    reg.stop()

Fixtures: `registry` (function scope, no auth) and `module_registry` (module scope); import them into a test
module (`from oci_registry import registry`)."""
import base64
import http.client
import http.server
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from oci_image import Dir, File, Image, Index, Layer, Pusher, Symlink  # noqa: E402
from local_fixtures import APPLETS, BUSYBOX  # noqa: E402

REGISTRY_BIN = os.environ.get("WHARF_DOCKER_REGISTRY", "/usr/bin/docker-registry")
START_DEADLINE = 15.0
SERVICE = "wharf-test-registry"
ISSUER = "wharf-test-token-issuer"


def missing_requirement():
    """Why the machine cannot run registry tests, or None."""
    if not pathlib.Path(REGISTRY_BIN).exists():
        return f"{REGISTRY_BIN} missing (apt-get install docker-registry)"
    if not pathlib.Path(BUSYBOX).exists():
        return "busybox-static is not installed"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pushed:
    """What push_image returns: the full reference and the manifest (or index) digest."""

    def __init__(self, ref, digest, image):
        self.ref = ref
        self.digest = digest
        self.image = image  # the oci_image.Image or Index pushed

    def __repr__(self):
        return f"Pushed({self.ref}@{self.digest})"


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """The Docker token protocol (docs/spec/auth/token.md): GET /token?service=&scope=... with optional basic
    credentials returns {"token": JWT}. Known users get every scope they ask for; anonymous requests get pull
    access only when anonymous_pull, else a token without access (the registry then answers 401)."""

    def __init__(self, workdir, users, anonymous_pull=False):
        self.users = users
        self.anonymous_pull = anonymous_pull
        self.requests = []  # (user or None, scope) of every token request
        self.key = workdir / "token.key"
        self.cert = workdir / "token.crt"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.key),
                        "-out", str(self.cert), "-subj", "/CN=wharf-test-token", "-days", "2"],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", str(self.cert), "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.x5c = base64.b64encode(der).decode()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server._handle(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def realm(self):
        return f"http://127.0.0.1:{self.port}/token"

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.key)], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return f"{signing_input}.{_b64url(sig)}"

    def _handle(self, req):
        from urllib.parse import parse_qs, urlsplit
        query = parse_qs(urlsplit(req.path).query)
        user = None
        auth = req.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if self.users.get(name) != password:
                req.send_response(401)
                req.send_header("Content-Type", "application/json")
                req.end_headers()
                req.wfile.write(b'{"details":"wrong username or password"}')
                return
            user = name
        access = []
        for scope in query.get("scope", []):
            for one in scope.split(" "):
                kind, _, rest = one.partition(":")
                name, _, actions = rest.rpartition(":")
                granted = actions.split(",") if user else (["pull"] if self.anonymous_pull and "pull" in actions
                                                           else [])
                if granted:
                    access.append({"type": kind, "name": name, "actions": granted})
            self.requests.append((user, scope))
        now = int(time.time())
        token = self.sign({"iss": ISSUER, "sub": user or "", "aud": query.get("service", [""])[0], "exp": now + 300,
                           "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access})
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Registry:
    """docker-registry serving from workdir/storage on 127.0.0.1:PORT. auth: None, "basic" or "token"; the
    credentials are .username/.password (also used by push_image). Started by the constructor."""

    def __init__(self, workdir, auth=None, username="wharf", password="s3cret-pass", anonymous_pull=False):
        if auth not in (None, "basic", "token"):
            raise ValueError(f"auth must be None, 'basic' or 'token', not {auth!r}")
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.auth = auth
        self.username = username if auth else None
        self.password = password if auth else None
        self.storage = self.workdir / "storage"
        self.log_path = self.workdir / "registry.log"
        self.token_server = None
        self.proc = None
        auth_config = ""
        if auth == "basic":
            htpasswd = subprocess.run(["htpasswd", "-Bbn", username, password], check=True, capture_output=True,
                                      text=True).stdout
            (self.workdir / "htpasswd").write_text(htpasswd)
            auth_config = f"auth:\n  htpasswd:\n    realm: wharf-test\n    path: {self.workdir / 'htpasswd'}\n"
        elif auth == "token":
            self.token_server = TokenServer(self.workdir, {username: password}, anonymous_pull)
            auth_config = (f"auth:\n  token:\n    realm: {self.token_server.realm}\n    service: {SERVICE}\n"
                           f"    issuer: {ISSUER}\n    rootcertbundle: {self.token_server.cert}\n")
        try:
            self._start(auth_config)
        except Exception:
            self.stop()
            raise

    def _start(self, auth_config):
        for _ in range(3):  # the port may be taken between free_port() and the registry's bind
            self.port = free_port()
            config = self.workdir / "config.yml"
            config.write_text(
                "version: 0.1\n"
                "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n  delete:\n    enabled: true\n"
                "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                f"http:\n  addr: 127.0.0.1:{self.port}\n  secret: wharf-test-secret\n" + auth_config)
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen([REGISTRY_BIN, "serve", str(config)], stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
            log.close()
            if self._wait_ready():
                return
            self._kill()
        raise RuntimeError(f"docker-registry did not start; log: {self.log_path.read_text()[-2000:]}")

    def _wait_ready(self):
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/v2/")
                status = conn.getresponse().status
                conn.close()
                if status in (200, 401):
                    return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def pusher(self):
        return Pusher(self.host, self.username, self.password)

    def push(self, repo, tag, image):
        """Pushes an oci_image.Image or Index as repo:tag."""
        digest = self.pusher().push(repo, tag, image)
        return Pushed(f"{self.host}/{repo}:{tag}", digest, image)

    def push_image(self, repo, tag, layers, config=None, index=False, media="docker"):
        """Builds and pushes an image of `layers` (oci_image.Layer, or {path: content} dicts for
        Layer.from_files). index=True pushes a linux/amd64 + linux/arm64 index whose arm64 entry has an extra
        marker layer, so the two platforms have different layers. Returns Pushed(.ref, .digest)."""
        layers = [layer if isinstance(layer, Layer) else Layer.from_files(layer) for layer in layers]
        image = Image(layers, config, media=media)
        if index:
            arm = Image(layers + [Layer.from_files({"etc/arch": "arm64\n"})], config, media=media,
                        architecture="arm64")
            image = Index([arm, image])
        return self.push(repo, tag, image)

    def busybox_image(self, repo, tag, page="hello from wharf\n", cmd=None, index=False, media="docker"):
        """busybox-static with applet symlinks (one layer, shared by every busybox image) and /www/index.html
        (a second layer). Default command: httpd -f -p 8080 -h /www."""
        return self.push_image(repo, tag, [busybox_layer(), {"www/index.html": page}],
                               config=busybox_config(cmd), index=index, media=media)

    def blob_path(self, digest):
        """Where the registry stores a blob (tests corrupt it to provoke a digest mismatch)."""
        hex_ = digest.split(":", 1)[1]
        return self.storage / "docker/registry/v2/blobs/sha256" / hex_[:2] / hex_ / "data"

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        self._kill()
        if self.token_server:
            self.token_server.stop()
            self.token_server = None


_busybox_layer = None


def busybox_layer():
    """/bin/busybox with applet symlinks and the usual empty directories (built once per process)."""
    global _busybox_layer
    if _busybox_layer is None:
        files = {"bin/busybox": File(pathlib.Path(BUSYBOX).read_bytes(), mode=0o755),
                 "etc/passwd": "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n",
                 "etc/group": "root:x:0:\nnobody:x:65534:\n"}
        for applet in APPLETS:
            files[f"bin/{applet}"] = Symlink("busybox")
        for d in ("proc", "sys", "dev", "tmp", "www"):
            files[d] = Dir(0o1777 if d == "tmp" else 0o755)
        _busybox_layer = Layer.from_files(files)
    return _busybox_layer


def busybox_config(cmd=None):
    return {"Cmd": list(cmd) if cmd else ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"],
            "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "WorkingDir": "/", "ExposedPorts": {"8080/tcp": {}}}


@pytest.fixture
def registry(tmp_path):
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    reg = Registry(tmp_path / "registry")
    yield reg
    reg.stop()


@pytest.fixture(scope="module")
def module_registry(tmp_path_factory):
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    reg = Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()

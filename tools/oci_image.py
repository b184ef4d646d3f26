#!/usr/bin/env python3
"""Builds OCI/Docker images offline and pushes them to a registry (distribution API v2). Standard library only:
used by the integration tests and by `make run` (scripts/run-demo.sh), where no image may come from the internet.

Library:
    layer = Layer.from_files({"bin/busybox": File(data, mode=0o755), "bin/sh": Symlink("busybox"), "www/": Dir()})
    layer = Layer.from_dir("/path/to/rootfs")
    image = Image([layer], {"Cmd": ["httpd", "-f"], "ExposedPorts": {"8080/tcp": {}}}, media="oci")
    pusher = Pusher("127.0.0.1:5000", username="u", password="p")
    digest = pusher.push("demo/web", "v1", image)                       # a single-platform manifest
    digest = pusher.push("demo/web", "v1", Index([image, arm64_image]))  # a manifest list / OCI index

CLI:
    oci_image.py push --registry 127.0.0.1:5000 --repo demo/web --tag v1 --dir ROOTFS \
        [--cmd '["httpd","-f"]'] [--entrypoint JSON] [--env K=V]... [--workdir D] [--user U] [--expose 8080/tcp]...
        [--media docker|oci] [--index] [--username U --password P]
Prints the pushed manifest digest (the index digest with --index).

Layers are deterministic (fixed mtimes, uid/gid 0, sorted entries, gzip without a timestamp): the same files
always give the same digest, so repeated pushes skip existing blobs (HEAD before upload).
"""
import argparse
import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import ssl
import stat
import sys
import tarfile
import urllib.parse

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MTIME = 1700000000  # fixed, so layers are reproducible


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class File:
    """A regular file entry of a layer."""

    def __init__(self, data, mode=0o644):
        self.data = data.encode() if isinstance(data, str) else bytes(data)
        self.mode = mode


class Symlink:
    def __init__(self, target):
        self.target = target


class Dir:
    def __init__(self, mode=0o755):
        self.mode = mode


class Layer:
    """One image layer: a gzip-compressed tar. `blob` is what the registry stores, `diff_id` the digest of the
    uncompressed tar (the image config's rootfs.diff_ids)."""

    def __init__(self, tar_bytes):
        self.diff_id = sha256_digest(tar_bytes)
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=6) as gz:
            gz.write(tar_bytes)
        self.blob = buf.getvalue()
        self.digest = sha256_digest(self.blob)

    @staticmethod
    def from_files(files):
        """files: {path: bytes | str | File | Symlink | Dir}; a path ending in '/' is a directory. Parent
        directories are added as needed. Whiteouts are ordinary empty files named `.wh.NAME` (or
        `.wh..wh..opq` for an opaque directory)."""
        entries = {}
        for path, value in files.items():
            path = path.strip("/")
            if isinstance(value, (bytes, bytearray, str)):
                value = File(value)
            if value is None:
                value = Dir()
            parts = path.split("/")
            for i in range(1, len(parts)):
                entries.setdefault("/".join(parts[:i]), Dir())
            entries[path] = value
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in sorted(entries):
                value = entries[path]
                info = tarfile.TarInfo(path)
                info.mtime = MTIME
                if isinstance(value, Dir):
                    info.type, info.mode = tarfile.DIRTYPE, value.mode
                    tar.addfile(info)
                elif isinstance(value, Symlink):
                    info.type, info.linkname, info.mode = tarfile.SYMTYPE, value.target, 0o777
                    tar.addfile(info)
                else:
                    info.size, info.mode = len(value.data), value.mode
                    tar.addfile(info, io.BytesIO(value.data))
        return Layer(buf.getvalue())

    @staticmethod
    def from_dir(root):
        """A layer with every file, directory and symlink under `root` (owned by 0:0 in the image)."""
        files = {}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, root)
            for name in sorted(dirnames + filenames):
                full = os.path.join(dirpath, name)
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    files[rel] = Symlink(os.readlink(full))
                elif stat.S_ISDIR(st.st_mode):
                    files[rel] = Dir(stat.S_IMODE(st.st_mode))
                elif stat.S_ISREG(st.st_mode):
                    with open(full, "rb") as f:
                        files[rel] = File(f.read(), stat.S_IMODE(st.st_mode))
        return Layer.from_files(files)


class Image:
    """A single-platform image: layers (lowest first) + the container config (Entrypoint, Cmd, Env, WorkingDir,
    User, ExposedPorts as in the OCI image spec). media: "docker" (schema 2) or "oci"."""

    def __init__(self, layers, config=None, media="docker", architecture="amd64", os_name="linux"):
        if media not in ("docker", "oci"):
            raise ValueError(f"media must be docker or oci, not {media!r}")
        self.layers = list(layers)
        self.media = media
        self.architecture = architecture
        self.os = os_name
        self.config_blob = json.dumps({
            "architecture": architecture,
            "os": os_name,
            "created": "2023-11-14T22:13:20Z",
            "config": dict(config or {}),
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in self.layers]},
            "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "tools/oci_image.py"}
                        for _ in self.layers],
        }, sort_keys=True).encode()
        self.config_digest = sha256_digest(self.config_blob)
        oci = media == "oci"
        self.media_type = OCI_MANIFEST if oci else DOCKER_MANIFEST
        self.manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": self.media_type,
            "config": {"mediaType": OCI_CONFIG if oci else DOCKER_CONFIG, "size": len(self.config_blob),
                       "digest": self.config_digest},
            "layers": [{"mediaType": OCI_LAYER if oci else DOCKER_LAYER, "size": len(layer.blob),
                        "digest": layer.digest} for layer in self.layers],
        }, indent=3).encode()
        self.digest = sha256_digest(self.manifest)

    def blobs(self):
        """(digest, bytes) of every blob the manifest references: layers, then the config."""
        return [(layer.digest, layer.blob) for layer in self.layers] + [(self.config_digest, self.config_blob)]


class Index:
    """A multi-platform image: a Docker manifest list or an OCI index (per the media of the first image)."""

    def __init__(self, images):
        self.images = list(images)
        oci = self.images[0].media == "oci"
        self.media_type = OCI_INDEX if oci else DOCKER_LIST
        self.manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": self.media_type,
            "manifests": [{"mediaType": img.media_type, "size": len(img.manifest), "digest": img.digest,
                           "platform": {"architecture": img.architecture, "os": img.os}} for img in self.images],
        }, indent=3).encode()
        self.digest = sha256_digest(self.manifest)


class RegistryError(Exception):
    pass


def _parse_challenge(header):
    """'Bearer realm="x",service="y",scope="z"' -> ("bearer", {"realm": "x", ...})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {}
    i = 0
    while i < len(rest):
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().strip(",").strip()
        j = eq + 1
        if j < len(rest) and rest[j] == '"':
            end = rest.find('"', j + 1)
            end = len(rest) if end < 0 else end
            params[key.lower()] = rest[j + 1:end]
            i = end + 1
        else:
            end = rest.find(",", j)
            end = len(rest) if end < 0 else end
            params[key.lower()] = rest[j:end].strip()
            i = end
        while i < len(rest) and rest[i] in ", ":
            i += 1
    return scheme.lower(), params


class Pusher:
    """Pushes images with the distribution API: monolithic blob uploads (POST, then PUT ?digest=), a HEAD first
    to skip blobs the registry has, then the manifest. Answers a 401 challenge with basic auth or the bearer
    token protocol (anonymous, or with the credentials given). Plain HTTP unless secure=True."""

    def __init__(self, host, username=None, password=None, secure=False, timeout=60):
        self.host = host
        self.username = username
        self.password = password
        self.secure = secure
        self.timeout = timeout
        self.auth_header = None
        self.uploaded = 0  # blobs actually uploaded (not skipped), for tests

    def _connection(self, netloc, secure):
        if secure:
            return http.client.HTTPSConnection(netloc, timeout=self.timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(netloc, timeout=self.timeout)

    def _raw(self, method, url, body=None, headers=None):
        parsed = urllib.parse.urlsplit(url)
        conn = self._connection(parsed.netloc, parsed.scheme == "https")
        try:
            path = parsed.path + (("?" + parsed.query) if parsed.query else "")
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def _basic(self):
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def _authenticate(self, challenge, scope):
        scheme, params = _parse_challenge(challenge)
        if scheme == "basic":
            if self.username is None:
                raise RegistryError(f"registry {self.host} needs credentials (basic auth)")
            self.auth_header = self._basic()
            return
        if scheme != "bearer" or "realm" not in params:
            raise RegistryError(f"unsupported auth challenge from {self.host}: {challenge}")
        query = {"service": params.get("service", "")}
        query["scope"] = params.get("scope") or scope
        headers = {}
        if self.username is not None:
            headers["Authorization"] = self._basic()
        url = params["realm"] + ("&" if "?" in params["realm"] else "?") + urllib.parse.urlencode(query)
        status, _, body = self._raw("GET", url, headers=headers)
        if status != 200:
            raise RegistryError(f"token server {params['realm']} answered {status}: {body[:200]!r}")
        answer = json.loads(body)
        self.auth_header = "Bearer " + (answer.get("token") or answer["access_token"])

    def request(self, method, path_or_url, body=None, headers=None, scope=""):
        """One request; on a 401 authenticates (once) and repeats it. Returns (status, headers, body)."""
        scheme = "https" if self.secure else "http"
        url = path_or_url if "://" in path_or_url else f"{scheme}://{self.host}{path_or_url}"
        for attempt in range(2):
            h = dict(headers or {})
            if self.auth_header:
                h["Authorization"] = self.auth_header
            status, rh, data = self._raw(method, url, body, h)
            if status == 401 and attempt == 0 and rh.get("WWW-Authenticate"):
                self._authenticate(rh["WWW-Authenticate"], scope)
                continue
            return status, rh, data
        return status, rh, data

    def push_blob(self, repo, digest, data):
        scope = f"repository:{repo}:pull,push"
        status, _, _ = self.request("HEAD", f"/v2/{repo}/blobs/{digest}", scope=scope)
        if status == 200:
            return
        status, rh, body = self.request("POST", f"/v2/{repo}/blobs/uploads/", body=b"", scope=scope)
        if status != 202:
            raise RegistryError(f"starting upload of {digest} to {repo}: {status} {body[:300]!r}")
        location = rh["Location"]
        if "://" not in location:
            location = f"{'https' if self.secure else 'http'}://{self.host}{location}"
        location += ("&" if "?" in location else "?") + urllib.parse.urlencode({"digest": digest})
        status, _, body = self.request("PUT", location, body=data, scope=scope,
                                       headers={"Content-Type": "application/octet-stream",
                                                "Content-Length": str(len(data))})
        if status != 201:
            raise RegistryError(f"uploading {digest} to {repo}: {status} {body[:300]!r}")
        self.uploaded += 1

    def push_manifest(self, repo, reference, media_type, manifest):
        status, _, body = self.request("PUT", f"/v2/{repo}/manifests/{reference}", body=manifest,
                                       headers={"Content-Type": media_type}, scope=f"repository:{repo}:pull,push")
        if status != 201:
            raise RegistryError(f"putting manifest {repo}:{reference}: {status} {body[:300]!r}")

    def push(self, repo, tag, image):
        """Pushes an Image or an Index (its images by digest first) and tags it. Returns the manifest digest."""
        images = image.images if isinstance(image, Index) else [image]
        for img in images:
            for digest, data in img.blobs():
                self.push_blob(repo, digest, data)
            if isinstance(image, Index):
                self.push_manifest(repo, img.digest, img.media_type, img.manifest)
        self.push_manifest(repo, tag, image.media_type, image.manifest)
        return image.digest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    push = sub.add_parser("push", help="build an image from a directory and push it")
    push.add_argument("--registry", required=True, help="host:port")
    push.add_argument("--repo", required=True)
    push.add_argument("--tag", required=True)
    push.add_argument("--dir", action="append", required=True, help="a layer's root directory (repeatable)")
    push.add_argument("--entrypoint", type=json.loads, help="JSON list")
    push.add_argument("--cmd", type=json.loads, help="JSON list")
    push.add_argument("--env", action="append", default=[], help="KEY=value (repeatable)")
    push.add_argument("--workdir")
    push.add_argument("--user")
    push.add_argument("--expose", action="append", default=[], help="8080/tcp (repeatable)")
    push.add_argument("--media", choices=["docker", "oci"], default="docker")
    push.add_argument("--index", action="store_true", help="push a linux/amd64 + linux/arm64 index")
    push.add_argument("--username")
    push.add_argument("--password")
    push.add_argument("--https", action="store_true")
    args = parser.parse_args(argv)

    config = {}
    if args.entrypoint is not None:
        config["Entrypoint"] = args.entrypoint
    if args.cmd is not None:
        config["Cmd"] = args.cmd
    if args.env:
        config["Env"] = args.env
    if args.workdir:
        config["WorkingDir"] = args.workdir
    if args.user:
        config["User"] = args.user
    if args.expose:
        config["ExposedPorts"] = {port: {} for port in args.expose}
    layers = [Layer.from_dir(d) for d in args.dir]
    image = Image(layers, config, media=args.media)
    if args.index:
        image = Index([image, Image(layers, config, media=args.media, architecture="arm64")])
    pusher = Pusher(args.registry, args.username, args.password, secure=args.https)
    try:
        print(pusher.push(args.repo, args.tag, image))
    except (RegistryError, OSError) as e:
        print(f"oci_image: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
